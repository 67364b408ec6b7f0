/**
 * `npm run mutate`: mutation testing (Stryker) of rules/ and src/remediate/, one Stryker run per
 * scope, each against the tests that own its code (docs/development.md, "Mutation testing").
 *
 *   npm run mutate                                        both scopes
 *   npm run mutate -- --mutate rules/service-port-naming.ts   one file (or several, comma-separated)
 *   npm run mutate -- --concurrency 2 --force             any other Stryker option is passed on
 *
 * Why a script and not one Stryker run: a run has one set of test files, and the remediation
 * tests build whole-catalogue reports at module load, so every rule mutant would count as
 * reached by all of them and run them all (minutes per mutant). Stryker's own `testFiles` would
 * narrow them, but in Stryker 10 it also stops module-level mutants from being activated at all
 * (stryker-js#6144), so the test set is vitest.mutate.config.ts's `include` instead.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface MutationScope {
  readonly name: string;
  /** The folder its files are in. */
  readonly root: string;
  /** Stryker `mutate` patterns. */
  readonly mutate: readonly string[];
  /** The test files that run against its mutants (vitest `include`). */
  readonly tests: readonly string[];
  /**
   * Test files left out of its runs (vitest `exclude`, besides the e2e files): suites that run
   * the script through real bash and kubectl for minutes. Leaving tests out can only let more
   * mutants survive, so the score measured without them is a lower bound.
   */
  readonly slowTests: readonly string[];
}

export const SCOPES: readonly MutationScope[] = [
  {
    name: 'rules',
    root: 'rules/',
    mutate: ['rules/*.ts', '!rules/index.ts'],
    // A rule's table tests, and the registry (docs/rules.md is generated from rule metadata).
    tests: ['test/rules/**/*.test.ts'],
    slowTests: [],
  },
  {
    name: 'remediate',
    root: 'src/remediate/',
    mutate: ['src/remediate/**/*.ts'],
    // The rule tables also check each finding's fix and the commands rendered from it.
    // and the bash of the run-time checks is held to the TypeScript by the conformance tables.
    tests: ['test/remediate/**/*.test.ts', 'test/rules/**/*.test.ts', 'test/conformance/**/*.test.ts'],
    // 5-70 s each in the whole suite (real bash and kubectl runs); with perTest coverage every
    // surviving mutant of the script writer would run them all again (minutes a mutant). The
    // goldens and steps-alike.test.ts are in: under MESHREADY_MUTATE_SCOPE they skip only their
    // tests that run bash, shellcheck or the CLI.
    slowTests: [
      'test/remediate/kubectl-apply*.test.ts',
      'test/remediate/run.test.ts',
      'test/remediate/*.property.test.ts',
      'test/conformance/gateway-ports.test.ts',
    ],
  },
];

/** The scope a file (or `file:range`) given to --mutate belongs to. */
export function scopeOf(file: string): MutationScope | undefined {
  const normalized = path.posix.normalize(file.replaceAll('\\', '/'));
  return SCOPES.find((scope) => normalized.startsWith(scope.root));
}

export interface MutateRun {
  readonly scope: MutationScope;
  readonly mutate: readonly string[];
  /** Where the scope's results are kept between runs (per selection, so runs of one file do not drop the others'). */
  readonly incrementalFile: string;
}

/** The runs for a command line's --mutate value (undefined: every scope, whole). */
export function plannedRuns(selection: readonly string[] | undefined): MutateRun[] {
  if (selection === undefined) {
    return SCOPES.map((scope) => ({
      scope,
      mutate: scope.mutate,
      incrementalFile: `.stryker/${scope.name}/incremental.json`,
    }));
  }
  const runs: MutateRun[] = [];
  for (const scope of SCOPES) {
    const files = selection.filter((file) => scopeOf(file) === scope);
    if (files.length === 0) continue;
    const key =
      files.length === 1
        ? (files[0] as string).replaceAll(/[^A-Za-z0-9.-]+/g, '_')
        : `${files.length}-files-${createHash('sha256').update(files.join(',')).digest('hex').slice(0, 12)}`;
    runs.push({ scope, mutate: files, incrementalFile: `.stryker/${scope.name}/incremental-${key}.json` });
  }
  return runs;
}

/** Splits `--mutate X` / `--mutate=X` / `-m X` (comma-separated) out of the other arguments. */
export function parseArguments(args: readonly string[]): { selection?: string[]; rest: string[] } {
  const rest: string[] = [];
  let selection: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const inline = /^--mutate=(.*)$/.exec(arg);
    let value: string | undefined;
    if (inline) value = inline[1];
    else if (arg === '--mutate' || arg === '-m') value = args[++i];
    else {
      rest.push(arg);
      continue;
    }
    if (value === undefined || value === '') throw new Error(`${arg} needs a file`);
    selection = [...(selection ?? []), ...value.split(',').filter((file) => file !== '')];
  }
  return selection === undefined ? { rest } : { selection, rest };
}

function main(args: readonly string[]): number {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(args);
  } catch (error) {
    console.error(`mutate: ${(error as Error).message}`);
    return 2;
  }
  const outside = (parsed.selection ?? []).filter((file) => !scopeOf(file));
  if (outside.length > 0) {
    console.error(`mutate: not under rules/ or src/remediate/: ${outside.join(', ')}`);
    return 2;
  }
  let status = 0;
  for (const run of plannedRuns(parsed.selection)) {
    console.log(`\n== mutation testing: ${run.scope.name} (${run.mutate.join(', ')})`);
    const stryker = spawnSync(
      'stryker',
      [
        'run',
        'stryker.config.mjs',
        '--mutate',
        run.mutate.join(','),
        '--incrementalFile',
        run.incrementalFile,
        ...parsed.rest,
      ],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          MESHREADY_MUTATE_SCOPE: run.scope.name,
          MESHREADY_MUTATE_TESTS: JSON.stringify(run.scope.tests),
          MESHREADY_MUTATE_SLOW_TESTS: JSON.stringify(run.scope.slowTests),
        },
      },
    );
    status ||= stryker.status ?? 1;
  }
  return status;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
