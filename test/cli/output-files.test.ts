/**
 * Writing reports: never through a planted link, never half a file, and a destination that
 * cannot be written is a clear exit 2 (never a stack trace, never a spin).
 */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDirectory, writeOutputFile } from '../../src/cli/output-files.ts';
import { InputError } from '../../src/errors.ts';
import { runMeshready } from '../helpers/cli.ts';

const work = mkdtempSync(path.join(tmpdir(), 'meshready-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const DEMO = 'fixtures/demo/addon-1.4';

function expectCleanExit2(run: ReturnType<typeof runMeshready>, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('scan --output-dir', () => {
  it('replaces a planted symbolic link instead of writing through it; the target is untouched', () => {
    const victim = path.join(work, 'victim');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    const out = path.join(work, 'planted');
    mkdirSync(out);
    symlinkSync('../victim', path.join(out, 'remediate.sh'));
    symlinkSync('../victim', path.join(out, 'meshready-report.json'));
    const run = runMeshready(['scan', '--snapshot', DEMO, '--output-dir', out, '--quiet']);
    expect(run.code, run.stderr).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(statSync(victim).mode & 0o777).toBe(0o600);
    expect(lstatSync(path.join(out, 'remediate.sh')).isSymbolicLink()).toBe(false);
    expect(statSync(path.join(out, 'remediate.sh')).mode & 0o777).toBe(0o755);
    expect(JSON.parse(readFileSync(path.join(out, 'meshready-report.json'), 'utf8')).schemaVersion).toBe(1);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('is exit 2 with one clear line when it names a file, or a path through a file', () => {
    const file = path.join(work, 'a-file');
    writeFileSync(file, 'x');
    expectCleanExit2(
      runMeshready(['scan', '--snapshot', DEMO, '--output-dir', file]),
      /a-file: cannot use it as the output directory: it exists and is not a directory/,
    );
    expectCleanExit2(
      runMeshready(['scan', '--snapshot', DEMO, '--output-dir', path.join(file, 'sub')]),
      /is not a directory/,
    );
  });

  it('is exit 2 at once for a directory that cannot be created under /proc (no spin)', () => {
    const started = Date.now();
    expectCleanExit2(
      runMeshready(['scan', '--snapshot', DEMO, '--output-dir', '/proc/meshready-x/y']),
      /\/proc\/meshready-x\/y: cannot create the output directory/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('report --output replaces a planted link too', () => {
    const out = path.join(work, 'report-out');
    mkdirSync(out);
    const json = path.join(out, 'r.json');
    writeFileSync(json, runMeshready(['scan', '--snapshot', DEMO, '--json']).stdout);
    const victim = path.join(work, 'victim2');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, path.join(out, 'r.md'));
    const run = runMeshready(['report', json, '--format', 'markdown', '--output', path.join(out, 'r.md')]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(path.join(out, 'r.md'), 'utf8')).toContain('meshready');
  });
});

describe('writeOutputFile', () => {
  it('leaves the previous file whole when writing fails half-way, and no temporary file', async () => {
    const dir = path.join(work, 'atomic');
    mkdirSync(dir);
    const target = path.join(dir, 'report.json');
    writeFileSync(target, '{"previous": true}\n');
    function* failing(): Generator<string> {
      yield 'x'.repeat(200_000);
      throw new Error('killed');
    }
    await expect(writeOutputFile(target, 'report.json', failing())).rejects.toThrow(InputError);
    expect(readFileSync(target, 'utf8')).toBe('{"previous": true}\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('names the destination when its directory is not writable', async () => {
    const dir = path.join(work, 'readonly');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    try {
      if (process.getuid?.() === 0) return; // root writes anywhere; nothing to check
      await expect(writeOutputFile(path.join(dir, 'r.json'), 'readonly/r.json', 'x')).rejects.toThrow(
        /readonly\/r\.json: cannot write the file: permission denied/,
      );
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('creates missing levels and refuses a file in the way', async () => {
    await ensureDirectory(path.join(work, 'a', 'b', 'c'), 'a/b/c');
    expect(statSync(path.join(work, 'a', 'b', 'c')).isDirectory()).toBe(true);
    writeFileSync(path.join(work, 'a', 'f'), '');
    await expect(ensureDirectory(path.join(work, 'a', 'f', 'g'), 'a/f/g')).rejects.toThrow(
      /a\/f\/g: cannot use it as the output directory: .*not a directory/,
    );
  });
});
