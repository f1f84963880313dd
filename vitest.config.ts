import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'rules/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start PostgreSQL servers and containers: two files at a time fit a
    // two-core CI runner.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
