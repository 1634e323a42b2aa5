import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Fault-injection runs (`npm run test:faults`): real processes under autocannon load. Kept out
// of `npm test` (about 3 minutes, and timing-sensitive on a busy machine); files run one at a
// time so their loads do not overlap.
export default defineConfig({
  test: {
    name: 'faults',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.test.mjs'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
