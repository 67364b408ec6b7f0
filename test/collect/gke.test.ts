/**
 * The GKE and Compute side of a live collection, through the real Google clients against the
 * local REST endpoints: which cluster is read, how API failures and missing credentials leave
 * only the Google parts not collected, and how the client's default-filled objects are turned
 * back into the REST shape the rules (and the offline loader) read.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gkeTargetFromContext, resolveGkeTarget } from '../../src/collect/gke.ts';
import { parseGoogleEndpoint } from '../../src/collect/google-clients.ts';
import { collectLiveSnapshot, type LiveSourceOptions } from '../../src/collect/live.ts';
import { gkeClusterType, withoutProtoDefaults } from '../../src/collect/proto-json.ts';
import { UsageError } from '../../src/errors.ts';
import type { ClusterSnapshot } from '../../src/snapshot/model.ts';
import { stripFirewall, stripGkeCluster, stripMachineType } from '../../src/snapshot/strip.ts';
import type { GoogleFault } from '../helpers/google-api-server.ts';
import { DEMOS, type DemoCluster, runInProcess, startDemoCluster } from './demo-cluster.ts';

const FAST = { retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 }, requestTimeoutMs: 5_000 };
const CLUSTER_PATH = '/v1beta1/projects/acme-shop/locations/europe-west1/clusters/shop-prod';
const FIREWALLS_PATH = '/compute/v1/projects/acme-shop/global/firewalls';

let cluster: DemoCluster;
beforeEach(async () => {
  cluster = await startDemoCluster('asm-candidate');
});
afterEach(async () => {
  await cluster.close();
  vi.unstubAllEnvs();
});

function collect(
  faults: readonly GoogleFault[] = [],
  options: Partial<LiveSourceOptions> = {},
  tuning: { requestTimeoutMs?: number } = {},
): Promise<ClusterSnapshot> {
  for (const fault of faults) cluster.google.addFault(fault);
  return collectLiveSnapshot(
    {
      kubeconfig: cluster.kubeconfig,
      containerApiEndpoint: cluster.google.url,
      computeApiEndpoint: cluster.google.url,
      ...options,
    },
    { env: {}, tuning: { ...FAST, ...tuning } },
  );
}

function googleParts(snapshot: ClusterSnapshot) {
  return {
    gkeCluster: snapshot.coverage.gkeCluster,
    firewalls: snapshot.coverage.firewalls,
    machineTypes: snapshot.coverage.machineTypes,
  };
}

describe('which GKE cluster', () => {
  it('comes from a context named gke_PROJECT_LOCATION_CLUSTER, as gcloud names them', () => {
    expect(gkeTargetFromContext('gke_acme-prod_europe-west1-b_shop-prod')).toEqual({
      project: 'acme-prod',
      location: 'europe-west1-b',
      cluster: 'shop-prod',
    });
    expect(gkeTargetFromContext('minikube')).toBeUndefined();
    expect(gkeTargetFromContext('gke_only_two')).toBeUndefined();
  });

  it('takes --project/--location/--cluster over the context name, and says what is missing', () => {
    expect(resolveGkeTarget({ cluster: 'other' }, 'gke_p_l_c')).toEqual({
      project: 'p',
      location: 'l',
      cluster: 'other',
    });
    expect(resolveGkeTarget({ project: 'p' }, 'prod-admin')).toEqual({
      missing: expect.stringMatching(
        /^the GKE cluster to read is unknown: give --location, --cluster \(the context "prod-admin"/,
      ),
    });
  });

  it('without an identity, the Google parts are not collected and the Kubernetes part still is', async () => {
    await cluster.kube.writeKubeconfig(cluster.kubeconfig, { context: 'prod-admin' });
    const snapshot = await collect();
    expect(snapshot.coverage.gkeCluster).toMatchObject({
      collected: false,
      reason: expect.stringContaining('--project'),
    });
    expect(snapshot.coverage.pods).toEqual({ collected: true });
    expect(cluster.google.requests).toEqual([]);
    // With the flags, the same context works.
    const flagged = await collect([], {
      project: 'acme-shop',
      location: 'europe-west1',
      cluster: 'shop-prod',
    });
    expect(flagged.coverage.gkeCluster).toEqual({ collected: true });
    expect(flagged.identity).toEqual({
      context: 'prod-admin',
      name: 'shop-prod',
      project: 'acme-shop',
      location: 'europe-west1',
    });
  });
});

describe('Google API failures leave only the Google parts not collected', () => {
  it('the Kubernetes Engine API disabled in the project', async () => {
    const snapshot = await collect([
      {
        path: CLUSTER_PATH,
        status: 403,
        reason: 'SERVICE_DISABLED',
        message:
          'Kubernetes Engine API has not been used in project acme-shop before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/container.googleapis.com/overview?project=acme-shop then retry.',
      },
    ]);
    expect(googleParts(snapshot)).toEqual({
      gkeCluster: {
        collected: false,
        reason: expect.stringMatching(
          /^the Kubernetes Engine API \(container\.googleapis\.com\) is disabled in project acme-shop: /,
        ),
      },
      firewalls: { collected: false, reason: expect.stringContaining('read from the GKE cluster') },
      machineTypes: { collected: false, reason: expect.stringContaining('read from the GKE cluster') },
    });
    expect(snapshot.coverage.namespaces).toEqual({ collected: true });
    expect(snapshot.kube.pods.length).toBeGreaterThan(0);
  });

  it('container.clusters.get denied', async () => {
    const snapshot = await collect([
      { path: CLUSTER_PATH, status: 403, message: "Required 'container.clusters.get' permission" },
    ]);
    expect(snapshot.coverage.gkeCluster).toMatchObject({
      collected: false,
      reason: expect.stringMatching(
        /^permission denied: container\.clusters\.get on projects\/acme-shop\/locations\/europe-west1\/clusters\/shop-prod/,
      ),
    });
  });

  it('compute.firewalls.list denied: only the firewall rules are missing', async () => {
    const snapshot = await collect([
      { path: FIREWALLS_PATH, status: 403, message: "Required 'compute.firewalls.list' permission" },
    ]);
    expect(googleParts(snapshot)).toEqual({
      gkeCluster: { collected: true },
      firewalls: {
        collected: false,
        reason: expect.stringMatching(/^permission denied: compute\.firewalls\.list on projects\/acme-shop/),
      },
      machineTypes: { collected: true },
    });
  });

  it('a throttled (429) or failing (500) call is retried', async () => {
    const snapshot = await collect([
      { path: CLUSTER_PATH, status: 429, times: 1 },
      { path: FIREWALLS_PATH, status: 500, times: 1 },
    ]);
    expect(googleParts(snapshot)).toEqual({
      gkeCluster: { collected: true },
      firewalls: { collected: true },
      machineTypes: { collected: true },
    });
    expect(cluster.google.requests.filter((r) => r.path === CLUSTER_PATH).map((r) => r.status)).toEqual([
      429, 200,
    ]);
  });

  it('an unreachable GKE endpoint', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // google-gax retries an unavailable endpoint until the call's deadline.
    const snapshot = await collect(
      [],
      { containerApiEndpoint: `http://127.0.0.1:${port}` },
      { requestTimeoutMs: 1_500 },
    );
    expect(snapshot.coverage.gkeCluster).toMatchObject({
      collected: false,
      reason: expect.stringMatching(
        new RegExp(
          `^cannot reach the Kubernetes Engine API \\(container\\.googleapis\\.com\\) at http://127\\.0\\.0\\.1:${port}: `,
        ),
      ),
    });
    expect(snapshot.coverage.pods).toEqual({ collected: true });
  });

  it('the firewall list is read page by page (nextPageToken) with the network filter', async () => {
    await cluster.close();
    cluster = await startDemoCluster('asm-candidate', { google: { maxPageSize: 1 } });
    const paged = await collect();
    const pages = cluster.google.requests.filter((r) => r.path === FIREWALLS_PATH);
    expect(pages.length).toBe(paged.firewalls.length);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.map((r) => r.query.pageToken)).toEqual([
      undefined,
      ...pages.slice(1).map((_, i) => String(i + 1)),
    ]);
    expect(new Set(pages.map((r) => r.query.filter))).toEqual(
      new Set(['network eq ".*/projects/acme-shop/global/networks/shop-vpc"']),
    );
    // A loopback endpoint gets no credentials.
    expect(pages.every((r) => r.authorization === undefined)).toBe(true);
    await cluster.close();
    cluster = await startDemoCluster('asm-candidate');
    expect((await collect()).firewalls).toEqual(paged.firewalls);
  });

  it('an unreachable Compute endpoint is retried, then only the Compute parts are missing', async () => {
    const snapshot = await collect([
      { path: /\/machineTypes\//, drop: true },
      { path: FIREWALLS_PATH, status: 503, times: 1 },
    ]);
    expect(googleParts(snapshot)).toEqual({
      gkeCluster: { collected: true },
      firewalls: { collected: true },
      machineTypes: {
        collected: false,
        reason: expect.stringMatching(
          /^cannot reach the Compute Engine API \(compute\.googleapis\.com\) at http:\/\/127\.0\.0\.1:\d+: /,
        ),
      },
    });
    // FAST allows two retries: three attempts at the first machine type.
    expect(cluster.google.requests.filter((r) => r.path.includes('/machineTypes/')).length).toBe(3);
    expect(cluster.google.requests.filter((r) => r.path === FIREWALLS_PATH).map((r) => r.status)).toEqual([
      503, 200,
    ]);
  });

  it('an unknown machine type is a note, not a failure', async () => {
    const snapshot = await collect([{ path: /\/machineTypes\/e2-medium$/, status: 404 }]);
    expect(snapshot.coverage.machineTypes).toEqual({
      collected: true,
      note: 'machine type e2-medium not found in europe-west1-b',
    });
    expect(snapshot.machineTypes.map((m) => m.name)).toEqual(['e2-standard-4']);
  });

  it('missing Application Default Credentials (real endpoints): a clear reason, and the scan still runs', async () => {
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', path.join(DEMOS, 'no-such-credentials.json'));
    const snapshot = await collect([], { containerApiEndpoint: undefined, computeApiEndpoint: undefined });
    expect(snapshot.coverage.gkeCluster).toMatchObject({
      collected: false,
      reason: expect.stringMatching(
        /^no usable Google credentials \(Application Default Credentials: .*gcloud auth application-default login/,
      ),
    });
    expect(snapshot.coverage.pods).toEqual({ collected: true });
    const run = await runInProcess([
      'scan',
      '--kubeconfig',
      cluster.kubeconfig,
      '--json',
      '--fail-on',
      'never',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.results.find((r: { ruleId: string }) => r.ruleId === 'gke-version-istio16')).toMatchObject({
      status: 'unknown',
      reason: expect.stringContaining('no usable Google credentials'),
    });
  });
});

describe('Google endpoints', () => {
  it('accept https anywhere and plain http only on loopback', () => {
    expect(parseGoogleEndpoint('--container-api-endpoint', 'http://127.0.0.1:8085')).toMatchObject({
      host: '127.0.0.1',
      port: 8085,
      protocol: 'http',
      loopback: true,
    });
    expect(parseGoogleEndpoint('--compute-api-endpoint', 'private.googleapis.com')).toMatchObject({
      host: 'private.googleapis.com',
      port: 443,
      protocol: 'https',
      loopback: false,
    });
    expect(() => parseGoogleEndpoint('--compute-api-endpoint', 'http://10.0.0.8:8080')).toThrow(UsageError);
    expect(() => parseGoogleEndpoint('--compute-api-endpoint', 'ftp://127.0.0.1')).toThrow(UsageError);
  });

  it('a bad endpoint is a usage error before any request', async () => {
    const run = await runInProcess([
      'scan',
      '--kubeconfig',
      cluster.kubeconfig,
      '--container-api-endpoint',
      'http://example.com',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--container-api-endpoint: plain HTTP is only allowed to a loopback address/);
    expect(cluster.kube.requests).toEqual([]);
  });
});

describe('the client objects become the REST shape again', () => {
  it('drops the defaults the GKE client fills in, keeps what was set', () => {
    const decoded = {
      name: 'demo',
      description: '',
      initialNodeCount: 0,
      network: 'default',
      addonsConfig: { istioConfig: { disabled: false, auth: 'AUTH_NONE' }, httpLoadBalancing: null },
      privateClusterConfig: null,
      nodePools: [
        {
          name: 'pool',
          config: {
            machineType: 'e2-standard-4',
            tags: [],
            workloadMetadataConfig: { mode: 'MODE_UNSPECIFIED' },
          },
          autoscaling: { enabled: false, minNodeCount: 0 },
          locations: [],
        },
      ],
      resourceLabels: {},
    };
    expect(withoutProtoDefaults(gkeClusterType(), decoded)).toEqual({
      name: 'demo',
      network: 'default',
      addonsConfig: { istioConfig: {} },
      nodePools: [
        {
          name: 'pool',
          config: { machineType: 'e2-standard-4', workloadMetadataConfig: {} },
          autoscaling: {},
        },
      ],
    });
  });

  it('turns every demo cluster document into the same stripped cluster as the offline loader', async () => {
    for (const demo of ['addon-1.4', 'mid-migration', 'asm-candidate']) {
      const file = path.join(DEMOS, demo, 'gcloud', 'cluster.json');
      const rest = JSON.parse(readFileSync(file, 'utf8'));
      await cluster.close();
      cluster = await startDemoCluster(demo);
      const snapshot = await collect();
      expect(snapshot.gkeCluster, demo).toEqual(stripGkeCluster(rest));
    }
  });

  it('the Compute answers are the gcloud JSON: the same stripped firewalls and machine types as offline', async () => {
    const gcloud = path.join(DEMOS, 'asm-candidate', 'gcloud');
    const firewalls = JSON.parse(readFileSync(path.join(gcloud, 'firewall-rules.json'), 'utf8')) as Record<
      string,
      unknown
    >[];
    const machineTypes = JSON.parse(readFileSync(path.join(gcloud, 'machine-types.json'), 'utf8')) as Record<
      string,
      unknown
    >[];
    const snapshot = await collect();
    const network = /networks\/shop-vpc$/;
    const expected = firewalls
      .filter((rule) => network.test(String(rule.network)))
      .map((rule) => stripFirewall(rule));
    expect(expected.length).toBeGreaterThan(0);
    expect(snapshot.firewalls).toEqual(expected);
    expect(snapshot.machineTypes).toEqual(
      ['e2-standard-4', 'e2-medium'].map((name) =>
        stripMachineType(
          machineTypes.find((m) => m.name === name && String(m.zone).endsWith('europe-west1-b')) ?? {},
        ),
      ),
    );
  });
});
