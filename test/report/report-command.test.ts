import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runMeshready } from '../helpers/cli.ts';

let work: string;
let reports: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-report-'));
  reports = path.join(work, 'all');
  const run = runMeshready([
    'scan',
    '--snapshot',
    'fixtures/demo/addon-1.4',
    '--output-dir',
    reports,
    '--format',
    'html,json,sarif,markdown',
    '--sarif-category',
    'meshready/shop-prod',
  ]);
  expect(run.code, run.stderr).toBe(1);
}, 60_000);

describe('scan --format', () => {
  it('writes all four formats from the demo', async () => {
    for (const file of [
      'meshready-report.html',
      'meshready-report.json',
      'meshready-report.sarif',
      'meshready-report.md',
    ]) {
      expect((await readFile(path.join(reports, file), 'utf8')).length, file).toBeGreaterThan(1000);
    }
  });

  it('writes HTML, JSON and SARIF by default', () => {
    const out = path.join(work, 'default');
    const run = runMeshready([
      'scan',
      '--snapshot',
      'fixtures/demo/addon-1.4',
      '--output-dir',
      out,
      '--quiet',
    ]);
    expect(run.code).toBe(1);
    expect(existsSync(path.join(out, 'meshready-report.html'))).toBe(true);
    expect(existsSync(path.join(out, 'meshready-report.json'))).toBe(true);
    expect(existsSync(path.join(out, 'meshready-report.sarif'))).toBe(true);
    expect(existsSync(path.join(out, 'meshready-report.md'))).toBe(false);
  });
});

describe('meshready report', () => {
  it.each([
    ['sarif', 'meshready-report.sarif', ['--sarif-category', 'meshready/shop-prod']],
    ['html', 'meshready-report.html', []],
    ['markdown', 'meshready-report.md', []],
  ])('re-renders a saved JSON report as %s, identical to what scan wrote', async (format, file, extra) => {
    const run = runMeshready([
      'report',
      path.join(reports, 'meshready-report.json'),
      '--format',
      format,
      ...extra,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const written = await readFile(path.join(reports, file), 'utf8');
    // scan wrote the HTML report beside the Markdown and points there; `report` cannot know of one.
    expect(run.stdout).toBe(
      written.replaceAll(
        'in the HTML report',
        'not listed here (the HTML report, --format html, lists them all)',
      ),
    );
  });

  it('writes to --output instead of stdout, with SARIF locations relative to --sarif-root', async () => {
    const output = path.join(work, 'out.sarif');
    const run = runMeshready([
      'report',
      path.join(reports, 'meshready-report.json'),
      '--format',
      'sarif',
      '--output',
      output,
      '--sarif-root',
      'fixtures/demo',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const sarif = JSON.parse(await readFile(output, 'utf8'));
    const uris = sarif.runs[0].results.map(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri,
    );
    expect(uris.length).toBeGreaterThan(0);
    expect(uris.every((uri: string) => uri.startsWith('addon-1.4/'))).toBe(true);
    // The default category keeps clusters and targets apart.
    expect(sarif.runs[0].automationDetails).toEqual({ id: 'meshready/shop-prod/istio-1.6/' });
  });

  it('rejects malformed JSON with exit 2, naming the file and line, without a stack trace', async () => {
    const file = path.join(work, 'broken.json');
    await writeFile(file, '{\n  "schemaVersion": 1,\n  "tool": }\n');
    const run = runMeshready(['report', file, '--format', 'html']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(`^meshready: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:11: malformed JSON`),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a JSON file that is not a report, naming the line and the field', async () => {
    const report = JSON.parse(await readFile(path.join(reports, 'meshready-report.json'), 'utf8'));
    report.results[2].findings[0].severity = 'fatal';
    const file = path.join(work, 'invalid.json');
    const text = JSON.stringify(report, null, 2);
    await writeFile(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('"fatal"')) + 1;
    const run = runMeshready(['report', file, '--format', 'markdown']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}:${line}:11: not a meshready report: results[2].findings[0].severity:`,
    );
  });

  it('rejects a missing file and a missing or unknown --format with exit 2', () => {
    const missing = runMeshready(['report', path.join(work, 'nope.json'), '--format', 'sarif']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: cannot read the report: no such file');
    const noFormat = runMeshready(['report', path.join(reports, 'meshready-report.json')]);
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toContain("required option '--format <format>' not specified");
    const json = runMeshready(['report', path.join(reports, 'meshready-report.json'), '--format', 'json'], {
      cwd: ROOT,
    });
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('Allowed choices are html, sarif, markdown');
  });
});
