// Mutation testing: `npm run mutate` (scripts/mutate.ts runs Stryker once per scope with this
// configuration); see docs/development.md, "Mutation testing". Not part of `npm test` or CI.
const scope = process.env.MESHREADY_MUTATE_SCOPE ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The scope's tests only (vitest.mutate.config.ts). forks, as in vitest.config.ts: in a worker
  // thread, a module that is a worker_threads entry point (src/snapshot/parallel-worker.ts)
  // would take vitest's own parentPort for its parent.
  vitest: { configFile: 'vitest.mutate.config.ts', related: true, pool: 'forks' },
  mutate: ['rules/*.ts', '!rules/index.ts', 'src/remediate/**/*.ts'],
  // Each mutant runs only the tests that reach it; module-level mutants run them all.
  coverageAnalysis: 'perTest',
  // Results are kept in .stryker/ (git-ignored; scripts/mutate.ts names the file per scope): a
  // later run tests only mutants in changed code or reached by changed tests. --force: all again.
  incremental: true,
  incrementalFile: `.stryker/${scope}/incremental.json`,
  // 2 cores shared with other work; --concurrency 2 on an idle machine.
  concurrency: 1,
  // A loaded machine slows tests down: a mutant is a timeout only when it is clearly stuck.
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `.stryker/${scope}/mutation.html` },
  jsonReporter: { fileName: `.stryker/${scope}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  // Stryker rewrites the sandbox's tsconfig.json with TypeScript's JS API, which TypeScript 7 (the
  // native compiler) does not have. Ours has no `extends` or `references` to rewrite: this names
  // a file that does not exist, so tsconfig.json is copied as it is.
  tsconfigFile: 'tsconfig.not-rewritten.json',
  ignorePatterns: ['/dist', '/bench-out', '/coverage', '/meshready-report', '/.stryker'],
};
