import { defineConfig } from 'vite';

// Relative asset URLs would break under deep links (/trace/<id>), so assets are absolute from `/`:
// the collector serves this build at the root of its query port.
export default defineConfig({
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
});
