import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration and end-to-end tests start real processes; two cores, so keep parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
    // The Kafka broker the test files share: started by the first that needs it, stopped after the run.
    globalSetup: ['test/support/kafka-global-setup.ts'],
  },
});
