import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against a scope's mutants (scripts/mutate.ts passes them in
 * MESHREADY_MUTATE_TESTS): unit tests only, the ones that own the mutated code.
 */
const tests: string[] = JSON.parse(
  process.env.MESHREADY_MUTATE_TESTS ?? '["test/rules/**/*.test.ts","test/remediate/**/*.test.ts"]',
);

export default defineConfig({
  test: {
    include: tests,
    exclude: ['test/**/*.e2e.test.ts', 'test/**/*.browser.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
