import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Child-process tests (the console chat) start tsx; two cores are all CI has. Most files wait on child
    // processes, sockets or timers rather than on the CPU, so three run side by side.
    pool: 'forks',
    maxWorkers: 3,
  },
});
