/**
 * What the collector asks the API servers for: only GET, never Secrets, list calls paged with
 * limit/continue, and exactly what the ClusterRole from `meshready manifests` grants. The test
 * server itself is checked against kubectl, so these requests are real protocol.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { collectLiveSnapshot } from '../../src/collect/live.ts';
import {
  collectorNamespacedRbacRules,
  collectorRbacRules,
  type RbacRule,
  READ_VERBS,
} from '../../src/collect/rbac.ts';
import { COLLECTED_RESOURCES } from '../../src/collect/resources.ts';
import { parseResourcePath } from '../helpers/kube-api-server.ts';
import {
  COLLECTED_CUSTOM_RESOURCES,
  type DemoCluster,
  runInProcess,
  startDemoCluster,
  TOKEN,
} from './demo-cluster.ts';

/** The system:discovery ClusterRole every authenticated user has: these need no RBAC of ours. */
function isDiscovery(pathname: string): boolean {
  return /^\/(api|apis)(\/[^/]+){0,2}$/.test(pathname) && parseResourcePath(pathname) === undefined;
}

describe('requests of a live collection (asm-candidate demo, plus a Secret it must never read)', () => {
  let cluster: DemoCluster;
  beforeAll(async () => {
    cluster = await startDemoCluster('asm-candidate', {
      extraObjects: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'istio.default', namespace: 'istio-system' },
          data: { 'key.pem': 'c2VjcmV0' },
        },
      ],
      // Every CRD the collector reads is installed, so every row of its table is requested.
      kube: { resources: COLLECTED_CUSTOM_RESOURCES },
    });
    // Small pages, so that pagination is exercised on a demo-sized cluster.
    await collectLiveSnapshot(
      {
        kubeconfig: cluster.kubeconfig,
        containerApiEndpoint: cluster.google.url,
        computeApiEndpoint: cluster.google.url,
      },
      { env: {}, tuning: { pageSize: 7 } },
    );
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('makes only GET requests, each with the bearer token and a meshready User-Agent', () => {
    expect(cluster.kube.requests.length).toBeGreaterThan(20);
    for (const request of cluster.kube.requests) {
      expect(request.method, request.path).toBe('GET');
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.userAgent).toMatch(/^meshready\/\d+\.\d+\.\d+/);
      expect(request.status, request.path).toBeLessThan(500);
    }
    expect(cluster.google.requests.length).toBeGreaterThan(0);
    for (const request of cluster.google.requests) expect(request.method, request.path).toBe('GET');
  });

  it('never requests Secrets, and sends no Google credentials to a loopback endpoint', () => {
    expect(cluster.kube.requests.filter((r) => /secrets/i.test(r.path))).toEqual([]);
    expect(cluster.google.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
  });

  it('lists in pages of `limit` chained with `continue`, and never watches', () => {
    const pods = cluster.kube.requests.filter((r) => r.path === '/api/v1/pods');
    // 39 pods in pages of 7.
    expect(pods.map((r) => r.query.limit)).toEqual(Array(6).fill('7'));
    expect(pods[0]?.query.continue).toBeUndefined();
    expect(pods.slice(1).every((r) => typeof r.query.continue === 'string')).toBe(true);
    expect(cluster.kube.requests.some((r) => r.query.watch !== undefined)).toBe(false);
    for (const request of cluster.kube.requests.filter((r) => parseResourcePath(r.path))) {
      expect(request.query.limit, request.path).toBe('7');
    }
  });

  it('is covered, request by request, by the ClusterRole of `meshready manifests`, which grants nothing more', async () => {
    const printed = await runInProcess(['manifests']);
    expect(printed.code, printed.stderr).toBe(0);
    const printedObjects = parseAllDocuments(printed.stdout).map((document) => document.toJS());
    const clusterRole = printedObjects.find((object) => object?.kind === 'ClusterRole');
    const rules: RbacRule[] = clusterRole.rules;
    expect(rules).toEqual(collectorRbacRules());
    // Namespace -> the rules of the Role there (ConfigMaps of istio-system).
    const roles = new Map<string, RbacRule[]>(
      printedObjects
        .filter((object) => object?.kind === 'Role')
        .map((role) => [role.metadata.namespace as string, role.rules as RbacRule[]]),
    );
    expect(roles).toEqual(collectorNamespacedRbacRules());
    expect([...roles.keys()]).toEqual(['istio-system']);
    const grantsOf = (namespace: string | undefined) => [
      ...rules,
      ...(namespace ? (roles.get(namespace) ?? []) : []),
    ];
    const requested = new Set<string>();
    for (const request of cluster.kube.requests) {
      if (isDiscovery(request.path)) continue;
      const target = parseResourcePath(request.path);
      expect(target, `${request.path} is neither discovery nor a list`).toBeDefined();
      if (!target) continue;
      // A GET on a collection is the `list` verb; a namespaced one may be granted by that namespace's Role.
      const covering = grantsOf(target.namespace).filter(
        (rule) =>
          rule.verbs.includes('list') &&
          rule.apiGroups.includes(target.group) &&
          rule.resources.includes(target.resource),
      );
      expect(covering, `${request.path} is not granted`).not.toEqual([]);
      requested.add(`${target.namespace ?? ''}/${target.group}/${target.resource}`);
    }
    // Nothing more: every resource a role names was requested (in the Role's namespace for a Role),
    // the verbs are `list` only, and nothing is a wildcard.
    const granted = [
      ...rules.map((rule) => ({ namespace: '', rule })),
      ...[...roles].flatMap(([namespace, namespaceRules]) =>
        namespaceRules.map((rule) => ({ namespace, rule })),
      ),
    ];
    for (const { namespace, rule } of granted) {
      expect(rule.verbs).toEqual(READ_VERBS);
      expect(READ_VERBS).toEqual(['list']);
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const used = namespace
            ? requested.has(`${namespace}/${group}/${resource}`)
            : [...requested].some(
                (key) => key.endsWith(`/${group}/${resource}`) && !key.startsWith('istio-system/'),
              );
          expect(
            used,
            `${namespace || 'the ClusterRole'} grants ${group}/${resource}, which the collector never requested`,
          ).toBe(true);
        }
      }
    }
    expect(granted.flatMap(({ rule }) => rule.resources)).not.toContain('secrets');
    // ConfigMaps only through the Role in istio-system, never cluster-wide.
    expect(rules.flatMap((rule) => rule.resources)).not.toContain('configmaps');
    expect(new Set(granted.flatMap(({ rule }) => rule.apiGroups))).toEqual(
      new Set(COLLECTED_RESOURCES.map((r) => r.group)),
    );
  });

  it('reads the GKE cluster through v1beta1, the firewalls of its network and each node pool machine type once', () => {
    expect(cluster.google.requests.map((r) => r.path).sort()).toEqual([
      '/compute/v1/projects/acme-shop/global/firewalls',
      '/compute/v1/projects/acme-shop/zones/europe-west1-b/machineTypes/e2-medium',
      '/compute/v1/projects/acme-shop/zones/europe-west1-b/machineTypes/e2-standard-4',
      '/v1beta1/projects/acme-shop/locations/europe-west1/clusters/shop-prod',
    ]);
    const firewalls = cluster.google.requests.find((r) => r.path.endsWith('/firewalls'));
    expect(firewalls?.query.filter).toBe('network eq ".*/projects/acme-shop/global/networks/shop-vpc"');
  });
});

describe('the Kubernetes API test server', () => {
  let cluster: DemoCluster;
  beforeAll(async () => {
    cluster = await startDemoCluster('asm-candidate');
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('speaks the real protocol: `kubectl get pods -A --chunk-size=2` lists every fixture pod', async () => {
    const { stdout } = await promisify(execFile)(
      'kubectl',
      ['--kubeconfig', cluster.kubeconfig, 'get', 'pods', '-A', '--chunk-size=2', '--no-headers'],
      { timeout: 60_000 },
    );
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(rows).toHaveLength(39);
    expect(rows).toContainEqual(['istio-system', 'istiod-istio-1611-5fccfcf4dd-ab065']);
    const pages = cluster.kube.requests.filter((r) => r.path === '/api/v1/pods');
    expect(pages).toHaveLength(20);
    expect(pages.every((r) => r.query.limit === '2')).toBe(true);
    // kubectl sent its token over TLS, verified against the CA in the kubeconfig.
    expect(pages.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });
});
