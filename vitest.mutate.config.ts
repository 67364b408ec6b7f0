import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against a scope's mutants (scripts/mutate.ts passes them in
 * MESHREADY_MUTATE_TESTS): unit tests only, the ones that own the mutated code.
 */
const tests: string[] = JSON.parse(
  process.env.MESHREADY_MUTATE_TESTS ?? '["test/rules/**/*.test.ts","test/remediate/**/*.test.ts"]',
);

/** Suites of the scope too slow to run for each mutant (scripts/mutate.ts, `slowTests`). */
const slowTests: string[] = JSON.parse(process.env.MESHREADY_MUTATE_SLOW_TESTS ?? '[]');

export default defineConfig({
  test: {
    include: tests,
    exclude: ['test/**/*.e2e.test.ts', 'test/**/*.browser.test.ts', ...slowTests],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
