import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One runner for the whole repo: each workspace is a vitest project named after its folder,
// so `npm test -w packages/tracing` runs only that workspace's tests. Roots are absolute: a
// workspace script runs vitest with `--root ../..` from its own folder, and a relative project
// root would be resolved against that folder ("No test files found").
const workspaces = [
  'packages/tracing',
  'packages/collector',
  'packages/llm',
  'packages/pki',
  'packages/viewer',
  'packages/dev-model',
  'packages/service-kit',
  'services/npu-worker',
  'services/ai-stack',
  'services/browser',
  'services/backend',
  'services/frontend',
];

export default defineConfig({
  test: {
    projects: [
      ...workspaces.map((dir) => ({
        test: {
          name: dir.split('/').pop(),
          root: fileURLToPath(new URL(dir, import.meta.url)),
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      })),
      // Cross-process tests that span several workspaces (CLIs, README examples, packed tarballs,
      // the launcher). maxConcurrency keeps concurrent tests from starving a 2-core CI machine.
      {
        test: {
          name: 'e2e',
          root: fileURLToPath(new URL('e2e', import.meta.url)),
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxConcurrency: 3,
        },
      },
    ],
  },
});
