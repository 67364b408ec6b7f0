import { defineConfig } from 'vitest/config';

/**
 * Two groups, told apart by file name: `*.e2e.test.ts` and `*.browser.test.ts` start the real
 * CLI, Chromium or the benchmark (the `e2e` project); every other test runs in-process (`unit`).
 * `vitest run` (npm test, CI) runs both; `npm run test:unit` and `npm run test:e2e` run one, and
 * mutation testing (stryker.config.mjs) uses unit tests only.
 */
export const E2E_TESTS = ['test/**/*.e2e.test.ts', 'test/**/*.browser.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E_TESTS } },
      { extends: true, test: { name: 'e2e', include: E2E_TESTS } },
    ],
  },
});
