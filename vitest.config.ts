import { defineConfig } from 'vitest/config';

// One runner for the whole repo: each workspace is a vitest project named after its folder,
// so `npm test -w packages/tracing` runs only that workspace's tests.
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
          root: dir,
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      })),
    ],
  },
});
