import { defineConfig } from 'vite';

// The page lives in src/browser; the Node static server (src/node) serves dist/web.
export default defineConfig({
  root: '.',
  base: '/',
  build: { outDir: 'dist/web', emptyOutDir: true, target: 'es2022', sourcemap: true },
});
