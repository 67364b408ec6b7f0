/**
 * Live scans through the real clients over real HTTP: the demo clusters served by the test API
 * servers must give the same report as an offline scan of the same files, and `collect` followed
 * by `scan --snapshot` must give the same report as the live scan.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSchema } from '../../src/snapshot/bundle.ts';
import { comparable, type DemoCluster, runInProcess, startDemoCluster } from './demo-cluster.ts';

type Raw = Record<string, unknown>;

function reportOf(run: { code: number; stdout: string; stderr: string }): Raw {
  expect(run.code, run.stderr).not.toBeGreaterThan(1);
  return JSON.parse(run.stdout);
}

describe.each(['addon-1.4', 'mid-migration', 'asm-candidate'])('live scan of the %s demo', (demo) => {
  let cluster: DemoCluster;
  let work: string;
  beforeAll(async () => {
    cluster = await startDemoCluster(demo);
    work = await mkdtemp(path.join(tmpdir(), 'meshready-collect-'));
  });
  afterAll(async () => {
    await cluster.close();
  });

  it.each(['istio-1.6', 'asm-1.7'])(
    'gives the same %s report as the offline scan of the same files',
    async (target) => {
      const live = reportOf(await runInProcess(['scan', ...cluster.liveArgs, '--target', target, '--json']));
      const offline = reportOf(
        await runInProcess([
          'scan',
          ...cluster.offlineInputs.flatMap((p) => ['--snapshot', p]),
          '--target',
          target,
          '--json',
        ]),
      );
      expect(live.source).toMatchObject({ kind: 'live', notCollected: [] });
      expect((live.source as { inputs: string[] }).inputs).toEqual([
        `Kubernetes context ${cluster.context} (${cluster.kube.url})`,
        expect.stringMatching(
          /^GKE cluster projects\/acme-shop\/locations\/europe-west1(-b)?\/clusters\/shop-prod$/,
        ),
      ]);
      expect(live.cluster).toMatchObject({
        context: cluster.context,
        name: 'shop-prod',
        project: 'acme-shop',
      });
      // One known difference: the offline files hold custom resources of kinds the live collector
      // does not list in istio-system (its role stays least-privilege), so on a 1.16 master
      // gke-upgrade-cr-deletion lists fewer objects live and says its list may be incomplete.
      const crDeletion = (report: Raw) =>
        (report.results as { ruleId: string; findings: { message: string }[] }[]).find(
          (r) => r.ruleId === 'gke-upgrade-cr-deletion',
        );
      const liveCrDeletion = crDeletion(live);
      if (liveCrDeletion && liveCrDeletion.findings.length > 0) {
        expect(liveCrDeletion.findings[0]?.message).toContain(
          'The list may be incomplete: Custom resources in istio-system: a live scan lists only the kinds meshready reads',
        );
      }
      const withoutCrDeletion = (report: Raw) => {
        const rest = comparable(report);
        return {
          ...rest,
          results: (rest.results as { ruleId: string }[]).filter(
            (r) => r.ruleId !== 'gke-upgrade-cr-deletion',
          ),
        };
      };
      expect(withoutCrDeletion(live)).toEqual(withoutCrDeletion(offline));
      expect(crDeletion(live)?.findings.length).toBe(crDeletion(offline)?.findings.length);
      // The comparison means something: the demo has findings, and every rule was evaluated.
      const results = live.results as { status: string; findings: unknown[] }[];
      expect(results.some((r) => r.findings.length > 0)).toBe(true);
    },
  );

  it('collects a bundle that scans to the same report as the live scan', async () => {
    const bundleFile = path.join(work, `${demo}.json.gz`);
    const collected = await runInProcess(['collect', ...cluster.liveArgs, '--output', bundleFile]);
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stdout).toBe('');
    expect(collected.stderr).toMatch(/collected \d+ objects from Kubernetes context gke_acme-shop_/);
    const bundle = bundleSchema.parse(JSON.parse(gunzipSync(await readFile(bundleFile)).toString('utf8')));
    expect(bundle.metadata).toMatchObject({
      collectedAt: '2026-11-25T10:00:00.000Z',
      toolVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      identity: { context: cluster.context, name: 'shop-prod', project: 'acme-shop' },
      failures: [],
    });
    for (const target of ['istio-1.6', 'asm-1.7']) {
      const live = reportOf(await runInProcess(['scan', ...cluster.liveArgs, '--target', target, '--json']));
      const fromBundle = reportOf(
        await runInProcess(['scan', '--snapshot', bundleFile, '--target', target, '--json']),
      );
      expect(fromBundle.source).toMatchObject({ kind: 'snapshot', inputs: [bundleFile] });
      const { source: _a, generatedAt: _b, ...liveRest } = live;
      const { source: _c, generatedAt: _d, ...bundleRest } = fromBundle;
      // Nothing else differs, not even the kube context: the bundle keeps the cluster identity.
      expect(bundleRest).toEqual(liveRest);
    }
  });
});

describe('live scan through an http:// kubeconfig (kubectl proxy)', () => {
  let cluster: DemoCluster;
  let kubeconfig: string;
  beforeAll(async () => {
    // As `kubectl proxy` serves it: plain HTTP, no credentials, no TLS settings in the kubeconfig.
    cluster = await startDemoCluster('mid-migration', { kube: { tls: false, token: undefined } });
    kubeconfig = path.join(await mkdtemp(path.join(tmpdir(), 'meshready-proxy-')), 'config');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: ${cluster.context}`,
        '  cluster:',
        `    server: ${cluster.kube.url}`,
        'users:',
        '- name: proxy',
        '  user: {}',
        'contexts:',
        `- name: ${cluster.context}`,
        '  context:',
        `    cluster: ${cluster.context}`,
        '    user: proxy',
        `current-context: ${cluster.context}`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('scans the current context with no source option and equals the offline scan', async () => {
    expect(cluster.kube.url).toMatch(/^http:\/\//);
    const google = [
      '--container-api-endpoint',
      cluster.google.url,
      '--compute-api-endpoint',
      cluster.google.url,
    ];
    // No --context or --kubeconfig: the cluster is the current context of $KUBECONFIG.
    const live = await runInProcess(['scan', ...google, '--json'], { env: { KUBECONFIG: kubeconfig } });
    const offline = await runInProcess([
      'scan',
      ...cluster.offlineInputs.flatMap((p) => ['--snapshot', p]),
      '--json',
    ]);
    const liveReport = reportOf(live);
    expect(liveReport.source).toMatchObject({ kind: 'live', notCollected: [] });
    expect(liveReport.cluster).toMatchObject({ context: cluster.context, name: 'shop-prod' });
    expect(comparable(liveReport)).toEqual(comparable(reportOf(offline)));
    // It went over plain HTTP to this server, with GET requests only.
    expect(cluster.kube.requests.length).toBeGreaterThan(10);
    expect(new Set(cluster.kube.requests.map((r) => r.method))).toEqual(new Set(['GET']));
  });
});
