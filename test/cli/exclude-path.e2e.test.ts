/**
 * --exclude-path and `excludePaths` (issue: one stray file stops a directory scan). A checkout of
 * Istio 1.4's bookinfo sample holds src/mongodb/ratings_data.json, MongoDB data that is not JSON:
 * the scan still stops with exit 2 (a corrupt dump must never pass silently), names the way out,
 * and leaves the file out when asked, listing it as skipped.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runMeshready } from '../helpers/cli.ts';

let work: string;
const STRAY = 'bookinfo/src/mongodb/ratings_data.json';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-exclude-'));
  await mkdir(path.join(work, 'bookinfo/src/mongodb'), { recursive: true });
  await mkdir(path.join(work, 'bookinfo/platform/kube'), { recursive: true });
  await writeFile(
    path.join(work, 'bookinfo/platform/kube/services.yaml'),
    await readFile(path.join(ROOT, 'fixtures/rules/service-port-naming/fail-unnamed.yaml'), 'utf8'),
  );
  // mongoimport's input: one document per line, which is not one JSON value.
  await writeFile(path.join(work, STRAY), '{"rating": 5}\n{"rating": 4}\n');
});

function scan(args: readonly string[]) {
  return runMeshready(['scan', '--snapshot', 'bookinfo', '--json', '--fail-on', 'never', ...args], {
    cwd: work,
  });
}

describe('--exclude-path', () => {
  it('a stray file stops the scan with exit 2, naming file, line and how to leave it out', () => {
    const run = scan([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `meshready: ${STRAY}:2:1: malformed JSON: Unexpected non-whitespace character after JSON at position 14 (line 2 column 1); ` +
        'if src/mongodb/ratings_data.json is not part of the snapshot, leave it out with ' +
        '--exclude-path src/mongodb/ratings_data.json (or excludePaths in meshready.yaml)\n',
    );
  });

  it('names no exclusion for a file given by name', () => {
    const run = runMeshready(['scan', '--snapshot', STRAY, '--json'], { cwd: work });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^meshready: bookinfo\/src\/mongodb\/ratings_data\.json:2:1: malformed JSON/);
    expect(run.stderr).not.toContain('--exclude-path');
  });

  it.each([
    ['the path within the directory', 'src/mongodb/ratings_data.json'],
    ['a glob', 'src/*/*.json'],
    ['a file name at any depth', 'ratings_data.json'],
    ['the path as named from the working directory', 'bookinfo/src/**'],
  ])('leaves the file out by %s, and lists it as skipped', (_, glob) => {
    const run = scan(['--exclude-path', glob, '--exclude-path', 'nothing/*.yaml']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.source.skipped).toEqual([
      { file: STRAY, reason: `excluded by --exclude-path/excludePaths ${JSON.stringify(glob)}` },
    ]);
    // The rest of the directory is still read.
    expect(report.results.find((r: { ruleId: string }) => r.ruleId === 'service-port-naming').status).toBe(
      'fail',
    );
  });

  it('excludePaths in meshready.yaml does the same, and both apply', async () => {
    await writeFile(path.join(work, 'meshready.yaml'), 'excludePaths:\n  - "**/mongodb/*.json"\n');
    try {
      const run = scan([]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).source.skipped).toEqual([
        { file: STRAY, reason: 'excluded by --exclude-path/excludePaths "**/mongodb/*.json"' },
      ]);
      await writeFile(path.join(work, 'meshready.yaml'), 'excludePaths: "src/mongodb/*.json"\n');
      const bad = scan([]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^meshready: .*meshready\.yaml:1: excludePaths: .*expected array/);
    } finally {
      await writeFile(path.join(work, 'meshready.yaml'), '{}\n');
    }
  });

  it('needs --snapshot', () => {
    const run = runMeshready(['scan', '--context', 'prod', '--exclude-path', 'x.json'], { cwd: work });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--exclude-path leaves files of a --snapshot directory out; it needs --snapshot',
    );
  });
});
