/**
 * The nightly pattern end to end, through the CLI: scan, accept findings in meshready.yaml,
 * rescan against the first report as baseline, diff; then expiry, bad configuration files and
 * annotation exemptions on and off.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Finding, Report } from '../../src/engine/report-model.ts';
import { InputError, UsageError } from '../../src/errors.ts';
import { runInProcess } from '../config/fake-io.ts';
import { runMeshready } from '../helpers/cli.ts';
import { gkeCluster, namespace, service } from '../helpers/objects.ts';

const BASE_DOCUMENTS = [
  namespace('shop', { 'istio-injection': 'enabled' }),
  namespace('sandbox-1', { 'istio-injection': 'enabled' }),
  namespace('legacy'),
  service('shop', 'cart', [{ port: 8080 }]),
  service('shop', 'search', [{ name: 'web', port: 9200 }]),
  service('sandbox-1', 'web', [{ name: 'web', port: 80 }]),
  service('legacy', 'soap', [{ name: 'soap', port: 8081 }], {
    annotations: {
      'meshready.dev/ignore': 'service-port-naming',
      'meshready.dev/ignore-reason': 'SOAP gateway retired in Q1',
    },
  }),
];

const CONFIG = `# accepted findings, reviewed weekly
excludeNamespaces: ["sandbox-*"]
suppressions:
  - rule: service-port-naming
    namespace: shop
    kind: Service
    reason: "TCP-only legacy services, renamed in Q1"
    owner: team-shop@example.com
    expires: 2026-12-31
  - rule: namespace-injection-labels
    name: shop
    reason: shop moves to the 1.6 control plane in the last wave
    owner: platform@example.com
`;

let work: string;

async function writeSnapshot(dir: string, documents: readonly unknown[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'cluster.json'), JSON.stringify(gkeCluster()));
  await writeFile(
    path.join(dir, 'objects.yaml'),
    documents.map((document) => stringify(document)).join('---\n'),
  );
}

async function scanTo(file: string, args: readonly string[], now?: Date) {
  const run = await runInProcess(['scan', '--json', '--fail-on', 'warning', ...args], work, now);
  await writeFile(path.join(work, file), run.stdout);
  return { ...run, report: JSON.parse(run.stdout) as Report };
}

function allFindings(report: Report): (Finding & { ruleId: string })[] {
  return report.results.flatMap((r) => r.findings.map((f) => ({ ...f, ruleId: r.ruleId })));
}

function label(entry: { ruleId: string; resource: Finding['resource'] }): string {
  return `${entry.ruleId} ${entry.resource.kind} ${entry.resource.namespace ?? ''}/${entry.resource.name}`;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-nightly-'));
  await writeSnapshot(path.join(work, 'monday'), BASE_DOCUMENTS);
  await writeSnapshot(path.join(work, 'tuesday'), [
    ...BASE_DOCUMENTS,
    service('shop', 'metrics', [{ name: 'prom', port: 9090 }]),
  ]);
  await writeFile(path.join(work, 'empty.yaml'), '# no settings\n');
});

describe('scan -> suppress through the config -> rescan -> diff', () => {
  it('runs the nightly pattern', async () => {
    // Night 1: no configuration yet. Only the annotated Service is exempt.
    const first = await scanTo('night-1.json', ['--snapshot', 'monday']);
    expect(first.code).toBe(1);
    const open1 = allFindings(first.report).filter((f) => !f.suppressed);
    expect(open1.map(label)).toEqual([
      'service-port-naming Service sandbox-1/web',
      'service-port-naming Service shop/cart',
      'service-port-naming Service shop/search',
      'namespace-injection-labels Namespace /sandbox-1',
      'namespace-injection-labels Namespace /shop',
    ]);
    expect(
      allFindings(first.report)
        .filter((f) => f.suppressed)
        .map(label),
    ).toEqual(['service-port-naming Service legacy/soap']);

    // The team accepts what it cannot fix yet, in ./meshready.yaml (read without --config).
    await writeFile(path.join(work, 'meshready.yaml'), CONFIG);
    const second = await scanTo('night-2.json', ['--snapshot', 'monday', '--baseline', 'night-1.json']);
    expect(second.code).toBe(0);
    const findings2 = allFindings(second.report);
    expect(findings2.filter((f) => !f.suppressed)).toEqual([]);
    expect(findings2.filter((f) => f.suppressed?.source === 'config').map(label)).toEqual([
      'service-port-naming Service shop/cart',
      'service-port-naming Service shop/search',
      'namespace-injection-labels Namespace /shop',
    ]);
    // Suppressed findings stay visible, marked against the baseline.
    expect(findings2.every((f) => f.baseline === 'unchanged')).toBe(true);
    expect(second.report.summary.suppressed).toBe(4);
    expect(second.report.verdict).toBe('ready');
    // The excluded sandbox is no longer evaluated: its findings are resolved.
    expect((second.report.resolved ?? []).map(label)).toEqual([
      'service-port-naming Service sandbox-1/web',
      'namespace-injection-labels Namespace /sandbox-1',
    ]);
    expect(second.stderr).toContain('Baseline: 0 new, 4 unchanged, 2 resolved');

    const diff = await runInProcess(['diff', 'night-1.json', 'night-2.json', '--json'], work);
    expect(diff.code).toBe(0);
    const parsed = JSON.parse(diff.stdout);
    expect(Object.keys(parsed)).toEqual(['new', 'resolved', 'unchanged', 'unverified']);
    expect(parsed.new).toEqual([]);
    expect(parsed.resolved.map(label)).toEqual([
      'service-port-naming Service sandbox-1/web',
      'namespace-injection-labels Namespace /sandbox-1',
    ]);
    expect(
      parsed.unchanged.map((e: Finding & { ruleId: string }) => `${label(e)} ${e.suppressed?.source}`),
    ).toEqual([
      'service-port-naming Service legacy/soap annotation',
      'service-port-naming Service shop/cart config',
      'service-port-naming Service shop/search config',
      'namespace-injection-labels Namespace /shop config',
    ]);

    // Night 3: someone adds a Service with an unnamed protocol. Only that one is new.
    const third = await scanTo('night-3.json', [
      '--snapshot',
      'tuesday',
      '--baseline',
      'night-2.json',
      '--fail-on-new',
    ]);
    // It is in namespace shop, whose port findings are accepted: new, but suppressed.
    const fresh = allFindings(third.report).filter((f) => f.baseline === 'new');
    expect(fresh.map(label)).toEqual(['service-port-naming Service shop/metrics']);
    expect(fresh[0]?.suppressed?.owner).toBe('team-shop@example.com');
    expect(third.code).toBe(0);

    const text = await runInProcess(['diff', 'night-2.json', 'night-3.json'], work);
    expect(text.stdout).toContain('meshready diff: 1 new, 0 resolved, 4 unchanged');
    expect(text.stdout).toMatch(
      /\+ warning service-port-naming {2}Service shop\/metrics: .*\[suppressed: TCP-only/,
    );
  });

  it('--fail-on-new fails only on findings the baseline did not have', async () => {
    const old = await scanTo('plain-monday.json', ['--snapshot', 'monday', '--config', 'empty.yaml']);
    expect(old.code).toBe(1);
    const same = await scanTo('plain-monday-2.json', [
      '--snapshot',
      'monday',
      '--config',
      'empty.yaml',
      '--baseline',
      'plain-monday.json',
      '--fail-on-new',
    ]);
    expect(same.code).toBe(0);
    const tuesday = await scanTo('plain-tuesday.json', [
      '--snapshot',
      'tuesday',
      '--config',
      'empty.yaml',
      '--baseline',
      'plain-monday.json',
      '--fail-on-new',
    ]);
    expect(tuesday.code).toBe(1);
    const markdown = await runInProcess(
      [
        'diff',
        'plain-monday.json',
        'plain-tuesday.json',
        '--format',
        'markdown',
        '--fail-on-new',
        '--fail-on',
        'warning',
      ],
      work,
    );
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain('## meshready: 1 new, 0 resolved, 6 unchanged');
    expect(markdown.stdout).toContain('**1 new finding to look at.**');
    expect(markdown.stdout).toContain('| warning | `service-port-naming` | Service shop/metrics |');
  });

  it('an expired suppression stops applying, fails the scan and is reported', async () => {
    const late = await scanTo('night-late.json', ['--snapshot', 'monday'], new Date('2027-01-02T03:00:00Z'));
    expect(late.code).toBe(1);
    expect(late.report.expiredSuppressions).toEqual([
      {
        rule: 'service-port-naming',
        reason: 'TCP-only legacy services, renamed in Q1',
        owner: 'team-shop@example.com',
        expires: '2026-12-31',
      },
    ]);
    const cart = allFindings(late.report).find((f) => f.resource.name === 'cart');
    expect(cart?.suppressed).toBeUndefined();
    expect(late.stderr).toMatch(
      /Warning: a suppression of service-port-naming \(owner team-shop@example\.com\) expired on 2026-12-31/,
    );
    // The suppression without a date keeps applying.
    expect(allFindings(late.report).find((f) => f.resource.name === 'shop')?.suppressed).toBeDefined();
  });

  it('annotation exemptions can be turned off by flag or by the configuration', async () => {
    const soapOf = (report: Report) => allFindings(report).find((f) => f.resource.name === 'soap');
    const on = await scanTo('annotations-on.json', ['--snapshot', 'monday', '--config', 'empty.yaml']);
    expect(soapOf(on.report)?.suppressed).toEqual({
      reason: 'SOAP gateway retired in Q1',
      source: 'annotation',
    });
    const flag = await scanTo('annotations-flag.json', [
      '--snapshot',
      'monday',
      '--config',
      'empty.yaml',
      '--no-annotation-exemptions',
    ]);
    expect(soapOf(flag.report)?.suppressed).toBeUndefined();
    await writeFile(path.join(work, 'governed.yaml'), 'annotationExemptions: false\n');
    const governed = await scanTo('annotations-config.json', [
      '--snapshot',
      'monday',
      '--config',
      'governed.yaml',
    ]);
    expect(soapOf(governed.report)?.suppressed).toBeUndefined();
  });

  it('flags win over the configuration file', async () => {
    await writeFile(path.join(work, 'asm.yaml'), 'target: asm-1.6\nupgradeTo: 1.17.12-gke.1501\n');
    const fromFile = await scanTo('asm.json', ['--snapshot', 'monday', '--config', 'asm.yaml']);
    expect(fromFile.report.target).toBe('asm-1.6');
    expect(fromFile.report.upgradeTo).toBe('1.17.12-gke.1501');
    const fromFlag = await scanTo('istio.json', [
      '--snapshot',
      'monday',
      '--config',
      'asm.yaml',
      '--target',
      'istio-1.6',
      '--upgrade-to',
      '1.18.9-gke.1501',
    ]);
    expect(fromFlag.report.target).toBe('istio-1.6');
    expect(fromFlag.report.upgradeTo).toBe('1.18.9-gke.1501');
  });
});

describe('bad configuration and inputs', () => {
  it('exits 2 naming the file and line, without a stack trace (real CLI)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'meshready-badconfig-'));
    await writeSnapshot(path.join(dir, 'snap'), BASE_DOCUMENTS);
    await writeFile(
      path.join(dir, 'meshready.yaml'),
      'target: istio-1.6\nsuppressions:\n  - rule: service-port-naming\n    reasn: typo\n',
    );
    const run = runMeshready(['scan', '--snapshot', 'snap', '--json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    // Every problem, in file order, each with its line.
    // The full path: a bare "meshready.yaml" does not say which directory's file.
    expect(run.stderr).toContain(
      `meshready: ${path.join(dir, 'meshready.yaml')}:3: suppressions[0].reason is required`,
    );
    expect(run.stderr).toContain('meshready.yaml:4: unknown key "reasn" in suppressions[0]');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a --config file that does not exist is an input error', async () => {
    await expect(
      runInProcess(['scan', '--snapshot', 'monday', '--config', 'nope.yaml'], work),
    ).rejects.toThrow(InputError);
    await expect(
      runInProcess(['scan', '--snapshot', 'monday', '--config', 'nope.yaml'], work),
    ).rejects.toThrow(`${path.join(work, 'nope.yaml')}: configuration file not found`);
  });

  it('--fail-on-new needs --baseline', async () => {
    await expect(runInProcess(['scan', '--snapshot', 'monday', '--fail-on-new'], work)).rejects.toThrow(
      UsageError,
    );
  });

  it('a baseline that is not a meshready report names its file and line', async () => {
    await writeFile(
      path.join(work, 'not-a-report.json'),
      '{\n  "schemaVersion": 1,\n  "tool": {"name": "other"}\n}\n',
    );
    const error = await runInProcess(
      ['scan', '--snapshot', 'monday', '--baseline', 'not-a-report.json'],
      work,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^not-a-report\.json:3:12: not a meshready report: tool\.name: /,
    );
    await writeFile(path.join(work, 'broken.json'), '{\n  "schemaVersion": 1,\n  oops\n}\n');
    await expect(runInProcess(['diff', 'broken.json', 'night-1.json'], work)).rejects.toThrow(
      /^broken\.json:3:3: malformed JSON: Expected double-quoted property name /,
    );
  });

  it('keeps the reports it compares intact (the baseline file is only read)', async () => {
    const before = await readFile(path.join(work, 'night-1.json'), 'utf8');
    await runInProcess(['diff', 'night-1.json', 'night-2.json', '--format', 'markdown'], work);
    expect(await readFile(path.join(work, 'night-1.json'), 'utf8')).toBe(before);
  });
});
