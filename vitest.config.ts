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
  // Tests that cross packages (real processes end to end) live in their own workspace.
  'e2e',
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
          // The end-to-end tests start whole stacks: longer limits, and few at once so concurrent
          // tests do not starve a 2-core CI machine.
          ...(dir === 'e2e' ? { testTimeout: 60_000, hookTimeout: 120_000, maxConcurrency: 3 } : {}),
        },
      })),
    ],
  },
});
