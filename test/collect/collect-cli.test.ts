/** `meshready collect` and the live source options of `scan`, through the CLI. */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundleSchema } from '../../src/snapshot/bundle.ts';
import { type DemoCluster, ROOT, runInProcess, startDemoCluster } from './demo-cluster.ts';

let cluster: DemoCluster;
let work: string;
beforeAll(async () => {
  cluster = await startDemoCluster('addon-1.4');
  work = await mkdtemp(path.join(tmpdir(), 'meshready-collect-cli-'));
});
afterAll(async () => {
  await cluster.close();
});

describe('meshready collect', () => {
  it('writes a YAML bundle with the collection metadata, and what failed', async () => {
    cluster.kube.addFault({ path: '/apis/apps/v1/replicasets', status: 403, times: 1 });
    const file = path.join(work, 'nested', 'dir', 'cluster.yaml');
    const run = await runInProcess(['collect', ...cluster.liveArgs, '--output', file]);
    expect(run.code, run.stderr).toBe(0);
    const bundle = bundleSchema.parse(parse(await readFile(file, 'utf8')));
    expect(bundle.metadata.failures).toEqual([
      { part: 'replicasets', reason: expect.stringContaining('resource "replicasets"') },
    ]);
    expect(bundle.coverage.replicasets).toMatchObject({ collected: false });
    expect(bundle.kube.pods?.length).toBeGreaterThan(0);
    expect(bundle.gkeCluster?.name).toBe('shop-prod');
    // The summary says what is missing; no temporary file is left behind.
    expect(run.stderr).toMatch(
      /Not collected \(rules that need these will say unknown\):\n {2}ReplicaSets: permission denied/,
    );
    expect(await readdir(path.dirname(file))).toEqual(['cluster.yaml']);
  });

  it('refuses an output name `scan --snapshot` would not recognise, before any request', async () => {
    const before = cluster.kube.requests.length;
    const run = await runInProcess([
      'collect',
      ...cluster.liveArgs,
      '--output',
      path.join(work, 'bundle.tar'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/name the bundle \*\.json, \*\.yaml or \*\.yml \(add \.gz to compress\)/);
    expect(cluster.kube.requests.length).toBe(before);
  });

  it('needs --output', async () => {
    const run = await runInProcess(['collect', ...cluster.liveArgs]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/required option '--output <file>' not specified/);
  });
});

describe('scan sources', () => {
  it('takes exactly one kind of source', async () => {
    const both = await runInProcess(['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--context', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /give either --snapshot \(offline files\) or live options, not both \(got --snapshot and --context\)/,
    );
    // No source: the current context of the default kubeconfig, which this HOME does not have.
    const none = await runInProcess(['scan'], { env: { HOME: path.join(ROOT, 'no-such-home') } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no kubeconfig at .*no-such-home\/\.kube\/config: give --snapshot PATH/);
  });

  it('lists the live options in --help', async () => {
    const help = await runInProcess(['scan', '--help']);
    for (const flag of [
      '--context <name>',
      '--kubeconfig <file>',
      '--in-cluster',
      '--project <project>',
      '--location <location>',
      '--cluster <name>',
      '--container-api-endpoint <url>',
      '--compute-api-endpoint <url>',
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    const tty = await runInProcess(['scan', ...cluster.liveArgs, '--json', '--quiet'], { tty: true });
    // One self-overwriting line: carriage return, erase line, text.
    expect(tty.stderr).toContain('\r\u001b[2Kcollecting: ');
    expect(tty.stderr).toMatch(/collecting: \d+\/\d+ kinds listed, \d+ objects, GKE\/Compute (pending|done)/);
    expect(tty.stderr).toMatch(/collecting: (\d+)\/\1 kinds listed/);
    const pipe = await runInProcess(['scan', ...cluster.liveArgs, '--json', '--quiet']);
    expect(pipe.stderr).toBe('');
    expect(JSON.parse(pipe.stdout).source.kind).toBe('live');
  });

  it('writes the reports of a live scan like those of an offline scan', async () => {
    const outputDir = path.join(work, 'reports');
    const run = await runInProcess([
      'scan',
      ...cluster.liveArgs,
      '--output-dir',
      outputDir,
      '--format',
      'json',
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^NOT READY: /m);
    const report = JSON.parse(await readFile(path.join(outputDir, 'meshready-report.json'), 'utf8'));
    expect(report.source.kind).toBe('live');
  });
});
