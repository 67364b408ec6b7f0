/**
 * Each fault the Kubernetes API can throw at a collection, and the documented behaviour: retried
 * (429, 5xx, timeouts, dropped connections), restarted (410 on a continue token), absent (404),
 * not collected with a reason naming the permission (403), or the scan cannot run at all
 * (unreachable server, rejected credentials: exit 3).
 */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { collectLiveSnapshot } from '../../src/collect/live.ts';
import { runRules } from '../../src/engine/runner.ts';
import { CollectError } from '../../src/errors.ts';
import type { ClusterSnapshot, SnapshotPart } from '../../src/snapshot/model.ts';
import type { Fault } from '../helpers/kube-api-server.ts';
import { type DemoCluster, runChild, runInProcess, startDemoCluster } from './demo-cluster.ts';

/** Quick retries; a timeout generous enough for a loaded CI machine. */
const FAST = { retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 40 }, requestTimeoutMs: 5_000 };
/** For the slow-response cases: answers come after SLOW_MS, past this timeout. */
const SHORT_TIMEOUT = { ...FAST, requestTimeoutMs: 1_000 };
const SLOW_MS = 3_000;
const PODS = '/api/v1/pods';
const FIXTURE_PODS = 39;

let cluster: DemoCluster;
beforeEach(async () => {
  cluster = await startDemoCluster('asm-candidate');
});
afterEach(async () => {
  await cluster.close();
});

async function collectWith(faults: readonly Fault[], tuning: object = FAST): Promise<ClusterSnapshot> {
  for (const fault of faults) cluster.kube.addFault(fault);
  return collectLiveSnapshot(
    {
      kubeconfig: cluster.kubeconfig,
      containerApiEndpoint: cluster.google.url,
      computeApiEndpoint: cluster.google.url,
    },
    { env: {}, tuning },
  );
}

function podRequests(): { continued: boolean; status: number }[] {
  return cluster.kube.requests
    .filter((r) => r.path === PODS)
    .map((r) => ({ continued: r.query.continue !== undefined, status: r.status }));
}

/** Every rule of the target that needs the part: all `unknown`, with the reason given. */
function expectRulesUnknown(snapshot: ClusterSnapshot, part: SnapshotPart, reason: RegExp): void {
  const report = runRules(snapshot, {
    rules: RULES,
    target: 'istio-1.6',
    toolVersion: '0.0.0',
    now: new Date(),
  });
  const needing = RULES.filter((rule) => rule.needs.includes(part) && rule.targets.includes('istio-1.6'));
  expect(needing.length).toBeGreaterThan(0);
  for (const rule of needing) {
    const result = report.results.find((r) => r.ruleId === rule.id);
    expect(result?.status, rule.id).toBe('unknown');
    expect(result?.reason, rule.id).toMatch(reason);
  }
  expect(report.source.notCollected.map((n) => n.part)).toContain(part);
}

describe('403 Forbidden', () => {
  it('leaves the part not collected, names verb, API group and resource, and every rule needing it is unknown', async () => {
    const snapshot = await collectWith([{ path: PODS, status: 403 }]);
    expect(snapshot.coverage.pods).toEqual({
      collected: false,
      reason: expect.stringContaining(
        'permission denied (HTTP 403) to list pods (verb "list", API group "", resource "pods")',
      ),
    });
    expect(snapshot.kube.pods).toEqual([]);
    expectRulesUnknown(
      snapshot,
      'pods',
      /^Pods not collected: permission denied .*verb "list", API group "", resource "pods"/,
    );
    // Forbidden is final: no retry.
    expect(podRequests()).toEqual([{ continued: false, status: 403 }]);
    // Everything else was still collected.
    expect(snapshot.coverage.services).toEqual({ collected: true });
    expect(snapshot.coverage.gkeCluster).toEqual({ collected: true });
  });

  it('on a custom resource names its API group too', async () => {
    const snapshot = await collectWith([
      { path: '/apis/install.istio.io/v1alpha1/istiooperators', status: 403 },
    ]);
    expect(snapshot.coverage.istiooperators).toMatchObject({
      collected: false,
      reason: expect.stringContaining('verb "list", API group "install.istio.io", resource "istiooperators"'),
    });
    expectRulesUnknown(
      snapshot,
      'istiooperators',
      /API group "install\.istio\.io", resource "istiooperators"/,
    );
  });

  it('on the discovery of config.istio.io leaves the Mixer configuration not collected', async () => {
    const snapshot = await collectWith([{ path: '/apis/config.istio.io/v1alpha2', status: 403 }]);
    expect(snapshot.coverage.mixerconfigs).toMatchObject({
      collected: false,
      reason: expect.stringMatching(/^discovery of config\.istio\.io\/v1alpha2 .*HTTP 403/),
    });
  });

  it('is a partial scan through the CLI: a report with unknowns, not exit 3', async () => {
    cluster.kube.addFault({ path: PODS, status: 403 });
    const run = await runInProcess(['scan', ...cluster.liveArgs, '--json', '--fail-on', 'never']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.source.notCollected).toEqual([
      { part: 'pods', reason: expect.stringContaining('resource "pods"') },
    ]);
    expect(report.results.find((r: { ruleId: string }) => r.ruleId === 'sidecar-proxy-version').status).toBe(
      'unknown',
    );
  });
});

describe('404 Not Found', () => {
  it('means the kind is absent: collected, with no objects and a note', async () => {
    const snapshot = await collectWith([
      { path: '/apis/networking.istio.io/v1alpha3/virtualservices', status: 404 },
    ]);
    expect(snapshot.coverage.virtualservices).toEqual({
      collected: true,
      note: 'virtualservices.networking.istio.io is not installed (HTTP 404)',
    });
    expect(snapshot.kube.virtualservices).toEqual([]);
  });

  it('is not even requested when discovery says the API group is not served', async () => {
    const snapshot = await collectWith([]);
    expect(snapshot.coverage.securitypolicies).toMatchObject({
      collected: true,
      note: expect.stringContaining('not served'),
    });
    expect(cluster.kube.requests.filter((r) => r.path.startsWith('/apis/rbac.istio.io/'))).toEqual([]);
  });
});

describe('410 Gone (expired continue token)', () => {
  it('restarts that list from the beginning and keeps every object once', async () => {
    const snapshot = await collectWith([{ path: PODS, status: 410, onlyContinue: true, times: 1 }], {
      ...FAST,
      pageSize: 10,
    });
    expect(podRequests()).toEqual([
      { continued: false, status: 200 },
      { continued: true, status: 410 },
      { continued: false, status: 200 },
      { continued: true, status: 200 },
      { continued: true, status: 200 },
      { continued: true, status: 200 },
    ]);
    expect(snapshot.kube.pods).toHaveLength(FIXTURE_PODS);
    expect(new Set(snapshot.kube.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).size).toBe(
      FIXTURE_PODS,
    );
    expect(snapshot.coverage.pods).toEqual({ collected: true });
  });

  it('gives up after a few restarts when the list keeps expiring', async () => {
    const snapshot = await collectWith([{ path: PODS, status: 410, onlyContinue: true }], {
      ...FAST,
      pageSize: 10,
    });
    expect(snapshot.coverage.pods).toMatchObject({
      collected: false,
      reason: expect.stringContaining('kept expiring (HTTP 410 Gone, 4 times)'),
    });
  });
});

describe('transient failures are retried with backoff', () => {
  it.each<[string, Fault]>([
    ['429 Too Many Requests', { path: PODS, status: 429, retryAfterSeconds: 0, times: 2 }],
    ['500 Internal Server Error', { path: PODS, status: 500, times: 2 }],
    ['a slow response (beyond the request timeout)', { path: PODS, delayMs: SLOW_MS, times: 1 }],
    ['a dropped connection', { path: PODS, drop: true, times: 2 }],
  ])('%s: retried, then collected in full', async (_name, fault) => {
    const snapshot = await collectWith([fault], fault.delayMs ? SHORT_TIMEOUT : FAST);
    expect(snapshot.coverage.pods).toEqual({ collected: true });
    expect(snapshot.kube.pods).toHaveLength(FIXTURE_PODS);
    expect(podRequests().length).toBe((fault.times ?? 0) + 1);
  });

  it('honours Retry-After (capped by the backoff maximum)', async () => {
    const started = performance.now();
    await collectWith([{ path: PODS, status: 429, retryAfterSeconds: 1, times: 1 }], {
      ...FAST,
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5_000 },
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(podRequests().map((r) => r.status)).toEqual([429, 200]);
  });

  it.each<[string, Fault, RegExp]>([
    ['500', { path: PODS, status: 500 }, /^listing pods failed \(4 attempts\): HTTP 500: InternalError/],
    [
      'slow',
      { path: PODS, delayMs: SLOW_MS },
      /^listing pods failed \(4 attempts\): no answer within the request timeout/,
    ],
    [
      'dropped',
      { path: PODS, drop: true },
      /^listing pods failed \(4 attempts\): .*(other side closed|socket|reset)/i,
    ],
  ])('persistent %s: not collected after the retries, with the cause', async (_name, fault, reason) => {
    const snapshot = await collectWith([fault], fault.delayMs ? SHORT_TIMEOUT : FAST);
    expect(snapshot.coverage.pods).toMatchObject({ collected: false, reason: expect.stringMatching(reason) });
    expect(podRequests()).toHaveLength(4);
    expectRulesUnknown(snapshot, 'pods', /^Pods not collected: listing pods failed/);
  });
});

describe('bounded concurrency', () => {
  it('keeps at most `concurrency` lists in flight, and uses them', async () => {
    await cluster.close();
    cluster = await startDemoCluster('asm-candidate', { kube: { latencyMs: 20 } });
    await collectWith([], { ...FAST, concurrency: 2 });
    expect(cluster.kube.maxInFlight).toBe(2);
  });
});

describe('the scan cannot run (exit 3)', () => {
  it('when the API server rejects the credentials: one line naming the context and the server', async () => {
    await cluster.kube.writeKubeconfig(cluster.kubeconfig, {
      context: cluster.context,
      token: 'wrong-token',
    });
    await expect(collectWith([])).rejects.toThrow(CollectError);
    const run = await runInProcess(['scan', ...cluster.liveArgs, '--json']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `meshready: the Kubernetes API server ${cluster.kube.url} (context ${cluster.context}) rejected the credentials (HTTP 401 Unauthorized)\n`,
    );
  });

  it('when the API server is unreachable (real CLI): exit 3, one line, no stack trace', async () => {
    const port = await closedPort();
    const kubeconfig = cluster.kubeconfig.replace(/kubeconfig\.yaml$/, 'unreachable.yaml');
    await cluster.kube.writeKubeconfig(kubeconfig, { context: 'gke_acme-shop_europe-west1_gone' });
    const { readFile, writeFile } = await import('node:fs/promises');
    const text = await readFile(kubeconfig, 'utf8');
    await writeFile(kubeconfig, text.replace(cluster.kube.url, `https://127.0.0.1:${port}`));
    const run = await runChild([
      'scan',
      '--kubeconfig',
      kubeconfig,
      '--container-api-endpoint',
      cluster.google.url,
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      `meshready: cannot reach the Kubernetes API server https://127.0.0.1:${port} (context gke_acme-shop_europe-west1_gone): connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
    // The same for collect.
    const collect = await runChild(['collect', '--kubeconfig', kubeconfig, '--output', `${kubeconfig}.json`]);
    expect(collect.code).toBe(3);
    expect(collect.stderr).toMatch(/^meshready: cannot reach the Kubernetes API server/);
  });
});

describe('answers that cannot be trusted or never come (exit 3, never READY)', () => {
  it('discovery without the core group: the scan cannot run (exit 3), not "Istio is not installed"', async () => {
    await cluster.close();
    cluster = await startDemoCluster('asm-candidate', { kube: { coreVersions: [] } });
    await expect(collectWith([])).rejects.toThrow(/without the core API group/);
    const run = await runChild(['scan', ...cluster.liveArgs, '--output-dir', `${cluster.kubeconfig}-out`]);
    expect(run.code).toBe(3);
    expect(run.stdout).not.toMatch(/READY/);
    expect(run.stderr.trim().split('\n')).toEqual([
      `meshready: the Kubernetes API server ${cluster.kube.url} (context ${cluster.context}) answered API discovery without the core API group (GET /api lists no v1): the scan cannot run`,
    ]);
  }, 60_000);

  it('a server that accepts the connection and never answers: exit 3 after --request-timeout, naming the request', async () => {
    let connections = 0;
    const silent = createServer(() => {
      connections++; // Accept, read, never answer.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const kubeconfig = cluster.kubeconfig.replace(/kubeconfig\.yaml$/, 'silent.yaml');
      await cluster.kube.writeKubeconfig(kubeconfig, { context: 'gke_acme-shop_europe-west1_silent' });
      const { readFile, writeFile } = await import('node:fs/promises');
      const text = await readFile(kubeconfig, 'utf8');
      await writeFile(kubeconfig, text.replace(cluster.kube.url, `https://127.0.0.1:${port}`));
      const started = Date.now();
      const run = await runChild([
        'scan',
        '--kubeconfig',
        kubeconfig,
        '--container-api-endpoint',
        cluster.google.url,
        '--request-timeout',
        '1s',
      ]);
      expect(run.code).toBe(3);
      // One request, not retried: a silent server used to cost five full timeouts.
      expect(connections).toBe(1);
      expect(Date.now() - started).toBeLessThan(55_000);
      expect(run.stderr.trim().split('\n')).toEqual([
        `meshready: the Kubernetes API server https://127.0.0.1:${port} (context gke_acme-shop_europe-west1_silent) did not answer GET /api within 1 s (--request-timeout sets the limit)`,
      ]);
    } finally {
      silent.close();
    }
  }, 60_000);

  it('an object that breaks the Kubernetes schema leaves its kind not collected, never read as absent', async () => {
    await cluster.close();
    cluster = await startDemoCluster('asm-candidate', {
      extraObjects: [
        {
          apiVersion: 'install.istio.io/v1alpha1',
          kind: 'IstioOperator',
          metadata: { name: 'hostile', namespace: 'istio-system', uid: 'hostile-operator' },
          spec: { components: { ingressGateways: { a: { name: 'x', enabled: true } } } },
        },
      ],
    });
    const snapshot = await collectWith([]);
    expect(snapshot.coverage.istiooperators).toEqual({
      collected: false,
      reason: expect.stringMatching(
        /^istiooperators\.install\.istio\.io: the API server returned an invalid object: IstioOperator istio-system\/hostile: spec\.components\.ingressGateways: .*expected array/,
      ),
    });
    expectRulesUnknown(snapshot, 'istiooperators', /invalid object/);
  }, 60_000);

  it('rejects a --request-timeout that is not a duration (exit 2)', async () => {
    const run = await runChild(['scan', ...cluster.liveArgs, '--request-timeout', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--request-timeout "soon": expected a duration/);
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}
