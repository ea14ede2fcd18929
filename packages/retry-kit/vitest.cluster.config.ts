import { defineConfig } from 'vitest/config';

/** The cluster tests: each file starts a 3-node cluster of local nodes (about 20 s) and stops it. */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
