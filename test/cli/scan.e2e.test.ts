import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULES } from '../../rules/index.ts';
import { reportSchema } from '../../src/engine/report-model.ts';
import { ROOT, runMeshready } from '../helpers/cli.ts';

const schema = JSON.parse(await readFile(path.join(ROOT, 'schemas', 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-cli-'));
});

describe('meshready scan (real CLI)', () => {
  it('prints, with --json, one line of JSON on stdout that validates against the shipped schema', () => {
    const run = runMeshready(['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--json']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] ?? '');
    const valid = validate(report);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
    expect(reportSchema.parse(report)).toBeTruthy();
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'meshready' },
      target: 'istio-1.6',
      cluster: { name: 'shop-prod', project: 'acme-shop', masterVersion: '1.16.15-gke.4300' },
      source: { kind: 'snapshot', inputs: ['fixtures/demo/addon-1.4'] },
      verdict: 'not-ready',
    });
    expect(report.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(
      RULES.filter((r) => r.targets.includes('istio-1.6')).map((r) => r.id),
    );
    // The summary goes to stderr, never to stdout.
    expect(run.stderr).toMatch(/^NOT READY: /m);
  });

  it('validates for every demo snapshot, and for the whole fixtures/demo directory', () => {
    for (const input of ['fixtures/demo', 'fixtures/demo/mid-migration', 'fixtures/demo/asm-candidate']) {
      const run = runMeshready(['scan', '--snapshot', input, '--json', '--quiet', '--target', 'asm-1.7']);
      expect(run.code, input).toBe(1);
      expect(validate(JSON.parse(run.stdout)), JSON.stringify(validate.errors)).toBe(true);
      expect(run.stderr).toBe('');
    }
  });

  it('writes the report files into --output-dir and names them in the summary', async () => {
    const out = path.join(work, 'reports');
    const run = runMeshready([
      'scan',
      '--snapshot',
      'fixtures/demo/mid-migration',
      '--output-dir',
      out,
      '--format',
      'json',
    ]);
    expect(run.code).toBe(1);
    // Without --json the summary is the output: on stdout, so `scan > out.txt` captures it.
    expect(run.stderr).toBe('');
    const report = JSON.parse(await readFile(path.join(out, 'meshready-report.json'), 'utf8'));
    expect(validate(report)).toBe(true);
    expect(run.stdout).toContain('meshready-report.json');
    expect(run.stdout).toMatch(/Next step: /);
    expect(run.stdout).not.toContain('\x1b['); // not a terminal: no colour
  });

  it('writes report files with --json only when --output-dir or --format asks, and says so', async () => {
    const demo = path.join(ROOT, 'fixtures/demo/addon-1.4');
    const plain = runMeshready(['scan', '--snapshot', demo, '--json'], { cwd: work });
    expect(plain.stderr).toMatch(/… and \d+ more in the reports, which --output-dir DIR writes\n/);
    expect(plain.stderr).not.toContain('Wrote:');
    const out = path.join(work, 'json-and-files');
    await mkdir(out);
    const both = runMeshready(['scan', '--snapshot', demo, '--json', '--format', 'sarif'], {
      cwd: out,
    });
    expect(JSON.parse(both.stdout).verdict).toBe('not-ready');
    expect(both.stderr).toMatch(/… and \d+ more in the report\n/);
    expect(both.stderr).toContain(
      'Wrote: meshready-report/meshready-report.sarif, meshready-report/remediate.sh',
    );
    expect(
      JSON.parse(await readFile(path.join(out, 'meshready-report', 'meshready-report.sarif'), 'utf8'))
        .version,
    ).toBe('2.1.0');
  });

  it('ends quietly when stdout is closed early (| head)', async () => {
    const reportFile = path.join(work, 'for-head.json');
    await writeFile(
      reportFile,
      runMeshready(['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--json']).stdout,
    );
    const main = path.join(ROOT, 'src', 'cli', 'main.ts');
    const piped = spawnSync(
      'bash',
      [
        '-c',
        'set -o pipefail; "$0" "$1" report "$2" --format sarif | head -1',
        process.execPath,
        main,
        reportFile,
      ],
      { encoding: 'utf8' },
    );
    expect(piped.stdout).toBe('{\n');
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
  });

  it('writes the install_asm custom overlay of a customised IstioOperator next to the reports, and the script uses it', async () => {
    const out = path.join(work, 'asm-reports');
    const run = runMeshready([
      'scan',
      '--snapshot',
      'fixtures/demo/asm-candidate',
      '--target',
      'asm-1.7',
      '--output-dir',
      out,
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('asm-custom-overlay.yaml');
    const overlay = parse(await readFile(path.join(out, 'asm-custom-overlay.yaml'), 'utf8'));
    expect(overlay).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      spec: {
        meshConfig: { accessLogFile: '/dev/stdout' },
        components: { pilot: { k8s: { resources: { requests: { cpu: '500m', memory: '2Gi' } } } } },
      },
    });
    const script = await readFile(path.join(out, 'remediate.sh'), 'utf8');
    expect(script).toContain('--enable_apis --custom_overlay asm-custom-overlay.yaml');
    // Without a customised operator there is no overlay file, and no --custom_overlay.
    const plain = path.join(work, 'plain-reports');
    runMeshready([
      'scan',
      '--snapshot',
      'fixtures/demo/mid-migration',
      '--target',
      'asm-1.7',
      '--output-dir',
      plain,
      '--fail-on',
      'never',
    ]);
    await expect(readFile(path.join(plain, 'asm-custom-overlay.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(plain, 'remediate.sh'), 'utf8')).not.toContain('--custom_overlay');
  });

  it('exits 0 with --fail-on never and 1 on warnings with --fail-on warning', () => {
    expect(
      runMeshready(['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--json', '--fail-on', 'never']).code,
    ).toBe(0);
    // Two warnings, and the GKE cluster the gating version rules read.
    const warnings = [
      '--snapshot',
      path.join(ROOT, 'fixtures/rules/service-port-naming/fail-unnamed.yaml'),
      '--snapshot',
      path.join(ROOT, 'fixtures/rules/gke-version-istio16/pass-cluster-1.17.json'),
    ];
    expect(runMeshready(['scan', ...warnings, '--json', '--fail-on', 'error', '-q']).code).toBe(0);
    expect(runMeshready(['scan', ...warnings, '--json', '--fail-on', 'warning', '-q']).code).toBe(1);
  });

  it('exits 1 on an UNKNOWN verdict (a gating rule could not be checked) unless --fail-on never', () => {
    // No GKE cluster data: the GKE version rules, which gate the migration, are unknown.
    const noGke = ['--snapshot', path.join(ROOT, 'fixtures/rules/service-port-naming/pass-named.yaml')];
    const run = runMeshready(['scan', ...noGke, '--json', '--fail-on', 'error']);
    const report = JSON.parse(run.stdout);
    expect(report.verdict).toBe('unknown');
    expect(report.summary.findings.error).toBe(0);
    expect(run.stderr).toMatch(/^UNKNOWN: \d+ gating rules? could not be checked \(cluster-upgrade/m);
    expect(run.code).toBe(1);
    expect(runMeshready(['scan', ...noGke, '--json', '--fail-on', 'info', '-q']).code).toBe(1);
    expect(runMeshready(['scan', ...noGke, '--json', '--fail-on', 'never', '-q']).code).toBe(0);
  });

  it('exits 2 naming file and line for malformed YAML, without a stack trace', async () => {
    const file = path.join(work, 'broken.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "unterminated\n');
    const run = runMeshready(['scan', '--snapshot', file, '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^meshready: ${file.replaceAll('/', '\\/')}:\\d+: malformed YAML`));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 naming file and line for malformed JSON', async () => {
    const file = path.join(work, 'broken.json');
    await writeFile(file, '{\n  "kind": "List",\n  "items": [,]\n}\n');
    const run = runMeshready(['scan', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.json:3:13: malformed JSON: Unexpected token ','\n$/);
  });

  it('exits 2 with one line when nothing in the snapshot is Kubernetes, GKE or Compute data', async () => {
    const empty = await mkdtemp(path.join(work, 'empty-'));
    const unrelated = await mkdtemp(path.join(work, 'unrelated-'));
    await writeFile(path.join(unrelated, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n');
    await writeFile(path.join(unrelated, 'ci.yml'), 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n');
    for (const [dir, what] of [
      [empty, 'no .yaml, .yml or .json file found'],
      [unrelated, 'nothing recognised as Kubernetes, GKE or Compute data in 2 files'],
    ] as const) {
      const run = runMeshready(['scan', '--snapshot', dir, '--json']);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`meshready: ${dir}: ${what}`);
      expect(lines[0]).toContain('(expected Kubernetes objects or lists from kubectl -o yaml/json');
    }
  });

  it('shows the stack of an input error only with --verbose', async () => {
    const file = path.join(work, 'broken2.json');
    await writeFile(file, '[');
    expect(runMeshready(['scan', '--snapshot', file, '--verbose']).stderr).toMatch(/\n\s+at /);
  });

  it.each([
    [
      ['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--target', 'istio-1.7'],
      /argument 'istio-1.7' is invalid/,
    ],
    [
      ['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--upgrade-to', '1.17'],
      /--upgrade-to "1.17" is not a GKE version/,
    ],
    [['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--format', 'pdf'], /unknown format "pdf"/],
    [['scan', '--snapshot', 'no/such/dir'], /no\/such\/dir: no such file or directory/],
    [['scan', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['rules', 'no-such-rule'], /unknown rule "no-such-rule"; `meshready rules` lists them/],
    [['rules', 'service-port'], /unknown rule "service-port" \(did you mean service-port-naming\?\)/],
    [['rules', 'workload-identiy'], /\(did you mean workload-identity\?\)/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 on usage errors: %j', (args, message) => {
    const run = runMeshready(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints --version and --help with exit 0', () => {
    const version = runMeshready(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = runMeshready(['scan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--snapshot <path>');
  });

  it.each([
    [[], /meshready scan --snapshot/],
    [['scan'], /meshready scan --snapshot \.\/snapshot/],
    [['collect'], /meshready collect --output/],
    [['rules'], /meshready rules service-port-naming/],
    [['report'], /meshready report .* --format markdown/],
    [['diff'], /meshready diff --fail-on-new --fail-on warning last\.json tonight\.json/],
    [['manifests'], /meshready manifests .*\| kubectl apply -f -/],
  ])('help of %j shows examples and exit codes, and no internal default values', (command, example) => {
    const help = runMeshready([...command, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('\nExamples:\n');
    expect(help.stdout).toMatch(example);
    expect(help.stdout).toMatch(/\nExit codes:\n {2}0 /);
    expect(help.stdout).not.toContain('(default: [])');
  });

  it('marks required options and uses one error style', () => {
    expect(runMeshready(['collect', '--help']).stdout).toMatch(/--output <file>\s+\(required\)/);
    expect(runMeshready(['report', '--help']).stdout).toMatch(/--format <format>\s+\(required\)/);
    for (const args of [['scna'], ['collect'], ['scan', '--format', 'htm', '--snapshot', 'x']]) {
      const run = runMeshready(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^meshready: /);
      expect(run.stderr).not.toMatch(/^error: /m);
    }
    expect(runMeshready(['scna']).stderr).toContain('(Did you mean scan?)');
  });
});

describe('meshready rules (real CLI)', () => {
  it('lists every rule with phase, severity and targets', () => {
    const run = runMeshready(['rules']);
    expect(run.code).toBe(0);
    for (const rule of RULES) expect(run.stdout).toMatch(new RegExp(`^${rule.id}\\s+${rule.phase}\\s`, 'm'));
    expect(run.stdout).toContain(`${RULES.length} rules.`);
    // Aligned: every title starts in the column of the TITLE header.
    const lines = run.stdout.split('\n');
    const column = lines[0]?.indexOf('TITLE') ?? -1;
    expect(column).toBeGreaterThan(0);
    for (const rule of RULES) {
      const line = lines.find((l) => l.startsWith(`${rule.id} `));
      expect(line?.slice(column)).toBe(rule.title);
    }
  });

  it('explains one rule and prints the catalogue as JSON', () => {
    const one = runMeshready(['rules', 'service-port-naming']);
    expect(one.stdout).toMatch(/^service-port-naming — Service ports declare their protocol/);
    expect(one.stdout).toContain('How to fix:');
    const json = JSON.parse(runMeshready(['rules', '--format', 'json']).stdout);
    expect(json.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
  });
});
