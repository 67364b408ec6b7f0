/**
 * `meshready report`, `meshready diff` and `scan --baseline` read saved reports through one
 * reader: the same bad file gives all three the same one-line message, with file and line (and
 * column), exit code 2 and no stack trace. Runs the real CLI as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runMeshready } from '../helpers/cli.ts';

const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

const EXPECTED = '(expected a JSON report written by `meshready scan`, schemaVersion 1)';

let work: string;
let goodText: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-saved-'));
  const run = runMeshready([
    'scan',
    '--snapshot',
    path.join(ROOT, 'fixtures/demo/addon-1.4'),
    '--json',
    '--quiet',
  ]);
  expect(run.code, run.stderr).toBe(1);
  goodText = JSON.stringify(JSON.parse(run.stdout), null, 2);
  await writeFile(path.join(work, 'good.json'), goodText);
  await mkdir(path.join(work, 'a-directory.json'));
}, 60_000);

/** The three ways to read a saved report, each given `file` as the saved report. */
const COMMANDS = {
  report: (file: string) => ['report', file, '--format', 'markdown'],
  'diff (old side)': (file: string) => ['diff', file, 'good.json'],
  'diff (new side)': (file: string) => ['diff', 'good.json', file],
  'scan --baseline': (file: string) => [
    'scan',
    '--snapshot',
    path.join(ROOT, 'fixtures/demo/addon-1.4'),
    '--baseline',
    file,
  ],
};
type Command = keyof typeof COMMANDS;
const THREE: readonly Command[] = ['report', 'diff (old side)', 'scan --baseline'];

/** Runs the real CLI (a child process), several at once: the machine has few cores and each run is mostly start-up. */
function runAsync(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function expectSameFailure(file: string, message: string, commands = THREE): Promise<void> {
  const runs = await Promise.all(commands.map((name) => runAsync(COMMANDS[name](file))));
  for (const [i, run] of runs.entries()) {
    expect({ name: commands[i], code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      name: commands[i],
      code: 2,
      stdout: '',
      stderr: `meshready: ${message}\n`,
    });
  }
}

describe('one reader of saved reports: report, diff and scan --baseline fail alike', {
  timeout: 120_000,
}, () => {
  it('a missing file, or a directory', async () => {
    await expectSameFailure('nope.json', 'nope.json: cannot read the report: no such file');
    await expectSameFailure(
      'a-directory.json',
      'a-directory.json: cannot read the report: it is a directory',
      ['report'],
    );
  });

  it('malformed JSON, at the line and column V8 names', async () => {
    await writeFile(path.join(work, 'colon.json'), '{\n  "schemaVersion": 1,\n  "tool" {}\n}\n');
    await expectSameFailure(
      'colon.json',
      `colon.json:3:10: malformed JSON: Expected ':' after property name ${EXPECTED}`,
    );
  });

  it('malformed JSON where V8 names no place: the validating parser finds it', async () => {
    // Cut the real report in the middle of a finding and close it early: `"message": }`.
    const lines = goodText.split('\n');
    const at = lines.findIndex((line) => line.trimStart().startsWith('"message": '));
    lines[at] = lines[at]?.replace(/"message": .*/, '"message": }') ?? '';
    await writeFile(path.join(work, 'token.json'), lines.join('\n'));
    const column = (lines[at]?.indexOf('}') ?? 0) + 1;
    await expectSameFailure(
      'token.json',
      `token.json:${at + 1}:${column}: malformed JSON: Unexpected token '}' ${EXPECTED}`,
    );
  });

  it('a truncated report, at its end', async () => {
    const text = goodText.slice(0, goodText.indexOf('"results": [') + '"results": ['.length);
    await writeFile(path.join(work, 'cut.json'), text);
    const lines = text.split('\n');
    const position = `${lines.length}:${(lines.at(-1)?.length ?? 0) + 1}`;
    await expectSameFailure(
      'cut.json',
      `cut.json:${position}: malformed JSON: Unexpected end of JSON input ${EXPECTED}`,
    );
  });

  it('valid JSON that is not a report: the JSON path, line and column of the first bad field', async () => {
    await writeFile(
      path.join(work, 'list.json'),
      '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": []\n}\n',
    );
    await expectSameFailure(
      'list.json',
      `list.json:1:1: not a meshready report: schemaVersion: Invalid input: expected 1 ${EXPECTED}`,
    );
    const report = JSON.parse(goodText);
    const resultIndex = report.results.findIndex((r: { findings: unknown[] }) => r.findings.length > 0);
    report.results[resultIndex].findings[0].severity = 'fatal';
    const text = JSON.stringify(report, null, 2);
    await writeFile(path.join(work, 'fatal.json'), text);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('"severity": "fatal"'));
    const column = (lines[line]?.indexOf('"severity"') ?? 0) + 1;
    await expectSameFailure(
      'fatal.json',
      `fatal.json:${line + 1}:${column}: not a meshready report: results[${resultIndex}].findings[0].severity: ` +
        `Invalid option: expected one of "error"|"warning"|"info" ${EXPECTED}`,
      ['report'],
    );
  });

  it('a report of a newer schemaVersion says so, pointing at the field', async () => {
    const report = JSON.parse(goodText);
    await writeFile(
      path.join(work, 'newer.json'),
      JSON.stringify({ ...report, schemaVersion: 2, tool: { name: 'meshready', version: '9.0.0' } }, null, 2),
    );
    await expectSameFailure(
      'newer.json',
      'newer.json:2:3: written by meshready 9.0.0 with schemaVersion 2; this meshready reads schemaVersion 1: ' +
        'read it with that meshready or a later one',
    );
  });

  it('a byte order mark is no error, in `report` or in a baseline', async () => {
    await writeFile(
      path.join(work, 'bom.json'),
      `\ufeff${await readFile(path.join(work, 'good.json'), 'utf8')}`,
    );
    const [rendered, baseline] = await Promise.all([
      runAsync(COMMANDS.report('bom.json')),
      runAsync(COMMANDS['scan --baseline']('bom.json')),
    ]);
    expect(rendered.code).toBe(0);
    expect(baseline.stderr).toBe('');
    expect(baseline.stdout).toContain('Baseline: 0 new');
  });
});
