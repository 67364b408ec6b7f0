/**
 * `npm run mutate` (scripts/mutate.ts): which Stryker runs a command line asks for. The runs
 * themselves are too slow for the suite (docs/development.md, "Mutation testing").
 */
import { describe, expect, it } from 'vitest';
import { parseArguments, plannedRuns, scopeOf } from '../scripts/mutate.ts';

describe('npm run mutate', () => {
  it('runs both scopes, each against its own tests, when no file is named', () => {
    expect(
      plannedRuns(undefined).map((run) => [
        run.scope.name,
        run.mutate,
        run.scope.tests,
        run.scope.slowTests,
        run.incrementalFile,
      ]),
    ).toEqual([
      [
        'rules',
        ['rules/*.ts', '!rules/index.ts'],
        ['test/rules/**/*.test.ts'],
        [],
        '.stryker/rules/incremental.json',
      ],
      [
        'remediate',
        ['src/remediate/**/*.ts'],
        ['test/remediate/**/*.test.ts', 'test/rules/**/*.test.ts', 'test/conformance/**/*.test.ts'],
        [
          'test/remediate/kubectl-apply*.test.ts',
          'test/remediate/run.test.ts',
          'test/remediate/*.property.test.ts',
          'test/conformance/gateway-ports.test.ts',
        ],
        '.stryker/remediate/incremental.json',
      ],
    ]);
  });

  it('runs one scope for one file, keeping its results apart from the whole scope’s', () => {
    const { selection, rest } = parseArguments([
      '--mutate',
      'rules/service-port-naming.ts',
      '--concurrency',
      '2',
    ]);
    expect(rest).toEqual(['--concurrency', '2']);
    expect(plannedRuns(selection)).toEqual([
      {
        scope: scopeOf('rules/service-port-naming.ts'),
        mutate: ['rules/service-port-naming.ts'],
        incrementalFile: '.stryker/rules/incremental-rules_service-port-naming.ts.json',
      },
    ]);
  });

  it('splits a comma-separated selection by scope, ranges included', () => {
    const { selection } = parseArguments([
      '-m',
      'src/remediate/plan.ts:10-20,rules/a.ts',
      '--mutate=rules/b.ts',
    ]);
    const runs = plannedRuns(selection);
    expect(runs.map((run) => [run.scope.name, run.mutate])).toEqual([
      ['rules', ['rules/a.ts', 'rules/b.ts']],
      ['remediate', ['src/remediate/plan.ts:10-20']],
    ]);
    expect(runs[0]?.incrementalFile).toMatch(/^\.stryker\/rules\/incremental-2-files-[0-9a-f]{12}\.json$/);
  });

  it('knows no scope for files outside rules/ and src/remediate/, and wants a file after --mutate', () => {
    expect(scopeOf('src/report/html.ts')).toBeUndefined();
    expect(scopeOf('./rules/x.ts')?.name).toBe('rules');
    expect(() => parseArguments(['--mutate'])).toThrow('--mutate needs a file');
  });
});
