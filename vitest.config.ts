import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Test files spawn worker pools and CLI processes; two at a time suits a 2-core machine.
    maxWorkers: 2,
  },
});
