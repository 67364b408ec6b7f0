/**
 * The stripped form of a representative raw object per kind: which fields are kept (and under
 * which name), that everything else is dropped, and that the schema derived from the same
 * declaration accepts every stripped object unchanged.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../src/errors.ts';
import { snapshotToBundle } from '../../src/snapshot/bundle.ts';
import { KIND_TABLE } from '../../src/snapshot/kinds.ts';
import { namedObject } from '../../src/snapshot/kube-shapes.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import {
  gkeClusterSchema,
  KUBE_KINDS,
  type KubeKind,
  kubeKinds,
  kubeShapes,
} from '../../src/snapshot/model.ts';
import { computed, integer, isRecord, shape, text } from '../../src/snapshot/shape.ts';
import {
  kubePartOf,
  stripFirewall,
  stripGkeCluster,
  stripKubeObject,
  stripMachineType,
  unrepresentableNumberPath,
} from '../../src/snapshot/strip.ts';
import { rawKubeObjectsFromFiles } from '../helpers/kube-api-server.ts';

type Raw = Record<string, unknown>;
const ORIGIN = { file: 'dump.yaml', line: 12 };

/** Fields every kubectl object carries and no rule reads. */
const NOISE_METADATA = {
  resourceVersion: '12345',
  creationTimestamp: '2020-09-01T10:00:00Z',
  generation: 3,
  selfLink: '/api/v1/x',
};

function metadata(name: string, namespace: string | undefined, extra: Raw = {}): Raw {
  return { name, ...(namespace ? { namespace } : {}), uid: `uid-${name}`, ...NOISE_METADATA, ...extra };
}
function keptMetadata(name: string, namespace: string | undefined, extra: Raw = {}): Raw {
  return { name, ...(namespace ? { namespace } : {}), uid: `uid-${name}`, ...extra };
}

const podSpec = {
  containers: [
    {
      name: 'app',
      image: 'shop/cart:1.2',
      ports: [{ containerPort: 8080 }],
      resources: { limits: { cpu: '1' } },
    },
    { name: 'istio-proxy', image: 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4', args: ['proxy'] },
  ],
  nodeName: 'gke-pool-1',
  volumes: [{ name: 'token', secret: { secretName: 'token' } }],
};
const keptContainers = [
  { name: 'app', image: 'shop/cart:1.2' },
  { name: 'istio-proxy', image: 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4' },
];

interface Case {
  readonly kind: KubeKind;
  readonly raw: Raw;
  readonly stripped: Raw;
}

const CASES: readonly Case[] = [
  {
    kind: 'namespaces',
    raw: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: metadata('shop', undefined, { labels: { 'istio-injection': 'enabled' } }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    },
    stripped: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: keptMetadata('shop', undefined, { labels: { 'istio-injection': 'enabled' } }),
      origin: ORIGIN,
    },
  },
  {
    kind: 'nodes',
    raw: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: metadata('gke-pool-1', undefined, {
        labels: { 'cloud.google.com/gke-nodepool': 'pool', version: 1 },
        managedFields: [
          { manager: 'kubelet' },
          { manager: 'kube-controller-manager' },
          { manager: 'kubelet' },
        ],
      }),
      spec: { podCIDR: '10.0.0.0/24' },
      status: {
        capacity: { cpu: 4, memory: '15Gi' },
        allocatable: { cpu: '3920m' },
        nodeInfo: { kubeletVersion: 'v1.16.15-gke.6000', osImage: 'COS' },
      },
    },
    stripped: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: keptMetadata('gke-pool-1', undefined, {
        // A number in hand-written YAML reads as text.
        labels: { 'cloud.google.com/gke-nodepool': 'pool', version: '1' },
        managers: ['kube-controller-manager', 'kubelet'],
      }),
      origin: ORIGIN,
      cpuCapacity: '4',
      kubeletVersion: 'v1.16.15-gke.6000',
    },
  },
  {
    kind: 'services',
    raw: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata('cart', 'shop'),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.1.2.3',
        selector: { app: 'cart' },
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: '8080', nodePort: 30080 },
          { port: '9090', appProtocol: 'grpc', targetPort: 'grpc-port' },
          'not an object',
        ],
      },
      status: { loadBalancer: {} },
    },
    stripped: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: keptMetadata('cart', 'shop'),
      origin: ORIGIN,
      type: 'ClusterIP',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { port: 9090, appProtocol: 'grpc', targetPort: 'grpc-port' },
      ],
      selector: { app: 'cart' },
    },
  },
  {
    kind: 'pods',
    raw: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: metadata('cart-1', 'shop', {
        labels: { app: 'cart' },
        annotations: { 'sidecar.istio.io/status': '{}' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'cart-7d',
            uid: 'rs-1',
            controller: true,
            blockOwnerDeletion: true,
          },
          { kind: '', name: 'dropped-without-kind' },
        ],
      }),
      spec: podSpec,
      status: {
        phase: 'Running',
        podIP: '10.4.0.7',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True', lastTransitionTime: '2020-09-01T10:00:00Z' },
        ],
        containerStatuses: [{ name: 'app', ready: true }],
      },
    },
    stripped: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: keptMetadata('cart-1', 'shop', {
        labels: { app: 'cart' },
        annotations: { 'sidecar.istio.io/status': '{}' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-7d', uid: 'rs-1', controller: true },
        ],
      }),
      origin: ORIGIN,
      containers: keptContainers,
      ready: true,
      phase: 'Running',
    },
  },
  {
    kind: 'deployments',
    raw: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata('cart', 'shop'),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'cart' } },
        strategy: { type: 'RollingUpdate' },
        template: { metadata: { labels: { app: 'cart' }, annotations: { a: 'b' } }, spec: podSpec },
      },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3 },
    },
    stripped: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: keptMetadata('cart', 'shop'),
      origin: ORIGIN,
      replicas: 3,
      readyReplicas: 2,
      templateLabels: { app: 'cart' },
      containers: keptContainers,
    },
  },
  {
    kind: 'daemonsets',
    raw: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: metadata('node-agent', 'kube-system'),
      spec: { replicas: 99, template: { metadata: { labels: { app: 'agent' } }, spec: podSpec } },
      status: { desiredNumberScheduled: 4, numberReady: 3, readyReplicas: 99 },
    },
    stripped: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: keptMetadata('node-agent', 'kube-system'),
      origin: ORIGIN,
      // A DaemonSet's counts come from desiredNumberScheduled and numberReady.
      replicas: 4,
      readyReplicas: 3,
      templateLabels: { app: 'agent' },
      containers: keptContainers,
    },
  },
  {
    kind: 'replicasets',
    raw: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: metadata('cart-7d', 'shop'),
      spec: { replicas: 3, template: { spec: podSpec } },
      status: { replicas: 3 },
    },
    stripped: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: keptMetadata('cart-7d', 'shop'),
      origin: ORIGIN,
    },
  },
  {
    kind: 'validatingwebhookconfigurations',
    raw: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: metadata('istio-galley', undefined),
      webhooks: [
        { name: 'pilot.validation.istio.io', clientConfig: { caBundle: 'LS0t' }, rules: [] },
        { clientConfig: {} },
      ],
    },
    stripped: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: keptMetadata('istio-galley', undefined),
      origin: ORIGIN,
      webhooks: ['pilot.validation.istio.io'],
    },
  },
  {
    kind: 'clusterroles',
    raw: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: metadata('istio-galley-istio-system', undefined),
      rules: [
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          verbs: ['*'],
        },
        { nonResourceURLs: ['/metrics'], resourceNames: ['x'] },
      ],
      aggregationRule: { clusterRoleSelectors: [] },
    },
    stripped: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: keptMetadata('istio-galley-istio-system', undefined),
      origin: ORIGIN,
      rules: [
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          verbs: ['*'],
        },
        { resourceNames: ['x'], verbs: [] },
      ],
    },
  },
  {
    kind: 'configmaps',
    raw: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata('istio', 'istio-system'),
      data: { mesh: 'enableTracing: true\nrootNamespace: istio-config\n', meshNetworks: 'networks: {}' },
    },
    stripped: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: keptMetadata('istio', 'istio-system'),
      origin: ORIGIN,
      meshRootNamespace: 'istio-config',
    },
  },
  {
    kind: 'configmaps',
    raw: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata('istio-sidecar-injector', 'istio-system'),
      data: { mesh: 'rootNamespace: not-read-here\n', config: 'policy: enabled' },
    },
    stripped: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: keptMetadata('istio-sidecar-injector', 'istio-system'),
      origin: ORIGIN,
    },
  },
  {
    kind: 'istiooperators',
    raw: {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: metadata('istio-1611', 'istio-system'),
      spec: {
        profile: 'asm-gcp',
        revision: 'asm-1611',
        hub: 'gcr.io/gke-release/asm',
        meshConfig: { accessLogFile: '/dev/stdout' },
        values: {},
        components: {
          pilot: { k8s: { resources: { requests: { cpu: '500m' } } } },
          cni: { enabled: true },
          ingressGateways: [
            { name: 'istio-ingressgateway', enabled: true, k8s: { service: { type: 'LoadBalancer' } } },
          ],
          egressGateways: [{ name: 'istio-egressgateway', k8s: { hpaSpec: {} } }],
        },
      },
      status: { status: 'HEALTHY', componentStatus: { Pilot: { status: 'HEALTHY' } } },
    },
    stripped: {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: keptMetadata('istio-1611', 'istio-system'),
      origin: ORIGIN,
      profile: 'asm-gcp',
      revision: 'asm-1611',
      ingressGateways: [{ name: 'istio-ingressgateway', enabled: true }],
      status: 'HEALTHY',
      customSettings: {
        meshConfig: { accessLogFile: '/dev/stdout' },
        componentK8s: { pilot: { resources: { requests: { cpu: '500m' } } } },
      },
    },
  },
  {
    kind: 'envoyfilters',
    raw: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: metadata('lua', 'shop'),
      spec: { configPatches: [{ applyTo: 'HTTP_FILTER' }] },
    },
    stripped: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: keptMetadata('lua', 'shop'),
      origin: ORIGIN,
    },
  },
  {
    kind: 'virtualservices',
    raw: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: metadata('cart', 'shop'),
      spec: { hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart' } }] }] },
      status: { conditions: [] },
    },
    stripped: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: keptMetadata('cart', 'shop'),
      origin: ORIGIN,
      // The whole spec, as written.
      spec: { hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart' } }] }] },
    },
  },
];

describe('stripping keeps the declared fields of each kind and drops the rest', () => {
  it.each(CASES.map((c) => [`${c.raw.kind} ${(c.raw.metadata as Raw).name}`, c] as const))('%s', (_, c) => {
    const stripped = stripKubeObject(c.kind, c.raw, ORIGIN);
    expect(stripped).toStrictEqual(c.stripped);
    // Keys in the declared order (the bundle and the worker threads' JSON keep it).
    expect(JSON.stringify(stripped)).toBe(JSON.stringify(c.stripped));
  });

  it('covers every shape that keeps more than the common fields (kinds of one shape share its case)', () => {
    const coveredShapes = new Set(CASES.map((c) => KIND_TABLE[c.kind].kept));
    expect(
      KUBE_KINDS.filter((kind) => {
        const kept = KIND_TABLE[kind].kept;
        return kept !== namedObject && !coveredShapes.has(kept);
      }),
    ).toEqual([]);
  });

  it('drops an object without a name, and reads fields of the wrong type as absent', () => {
    expect(
      stripKubeObject('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: '' } }),
    ).toBeUndefined();
    expect(stripKubeObject('pods', { apiVersion: 'v1', kind: 'Pod', metadata: ['x'] })).toBeUndefined();
    expect(
      stripKubeObject('pods', {
        kind: 7,
        metadata: { name: 'p', namespace: 3, labels: 'app=x', ownerReferences: {} },
        spec: { containers: { app: {} } },
        status: { phase: ['Running'], conditions: 'Ready' },
      }),
    ).toStrictEqual({ apiVersion: '', kind: '', metadata: { name: 'p' }, containers: [], ready: false });
  });
});

describe('Google Cloud documents', () => {
  it('a GKE cluster (v1beta1, with the Istio add-on and a regional autoscaled pool)', () => {
    const raw = {
      name: 'prod',
      selfLink: 'https://container.googleapis.com/v1beta1/projects/acme/locations/europe-west1/clusters/prod',
      location: 'europe-west1',
      zone: 'ignored-when-location-is-set',
      locations: ['europe-west1-b', 'europe-west1-c'],
      currentMasterVersion: '1.16.15-gke.6000',
      currentNodeVersion: '1.16.15-gke.6000',
      networkConfig: {
        network: 'projects/acme/global/networks/vpc',
        subnetwork: 'projects/acme/regions/r/subnetworks/sub',
      },
      privateClusterConfig: {
        enablePrivateNodes: true,
        masterIpv4CidrBlock: '172.16.0.0/28',
        peeringName: 'p',
      },
      workloadIdentityConfig: { identityNamespace: 'acme.svc.id.goog' },
      addonsConfig: { istioConfig: { auth: 'MTLS_PERMISSIVE' }, httpLoadBalancing: {} },
      nodePools: [
        {
          name: 'pool',
          config: {
            machineType: 'e2-standard-4',
            tags: ['gke-prod'],
            serviceAccount: 'default',
            workloadMetadataConfig: { nodeMetadata: 'GKE_METADATA_SERVER' },
            diskSizeGb: 100,
          },
          initialNodeCount: '3',
          autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 5 },
          version: '1.16.15-gke.6000',
          status: 'RUNNING',
        },
      ],
      endpoint: '34.1.2.3',
    };
    const stripped = stripGkeCluster(raw, ORIGIN);
    expect(stripped).toStrictEqual({
      name: 'prod',
      project: 'acme',
      location: 'europe-west1',
      locations: ['europe-west1-b', 'europe-west1-c'],
      currentMasterVersion: '1.16.15-gke.6000',
      currentNodeVersion: '1.16.15-gke.6000',
      network: 'vpc',
      subnetwork: 'sub',
      privateNodes: true,
      controlPlaneCidr: '172.16.0.0/28',
      workloadPool: 'acme.svc.id.goog',
      istioAddon: { enabled: true, auth: 'MTLS_PERMISSIVE' },
      nodePools: [
        {
          name: 'pool',
          machineType: 'e2-standard-4',
          initialNodeCount: 3,
          autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 5 },
          workloadMetadataMode: 'GKE_METADATA_SERVER',
          tags: ['gke-prod'],
          version: '1.16.15-gke.6000',
          serviceAccount: 'default',
        },
      ],
      origin: ORIGIN,
    });
    expect(gkeClusterSchema.parse(stripped)).toStrictEqual(stripped);
  });

  it('a v1 cluster document says nothing about the add-on, and has public nodes', () => {
    const stripped = stripGkeCluster({ name: 'dev', zone: 'us-central1-a', nodePools: [] });
    expect(stripped).toStrictEqual({
      name: 'dev',
      location: 'us-central1-a',
      privateNodes: false,
      nodePools: [],
    });
  });

  it('a firewall rule and a machine type', () => {
    expect(
      stripFirewall({
        kind: 'compute#firewall',
        name: 'gke-prod-master',
        network: 'https://www.googleapis.com/compute/v1/projects/acme/global/networks/vpc',
        direction: 'INGRESS',
        priority: 1000,
        sourceRanges: ['172.16.0.0/28'],
        targetTags: ['gke-prod'],
        allowed: [{ IPProtocol: 'TCP', ports: ['443', '10250'] }, { ipProtocol: 'udp' }],
        creationTimestamp: '2020-01-01',
        logConfig: { enable: false },
      }),
    ).toStrictEqual({
      name: 'gke-prod-master',
      network: 'https://www.googleapis.com/compute/v1/projects/acme/global/networks/vpc',
      direction: 'INGRESS',
      priority: 1000,
      sourceRanges: ['172.16.0.0/28'],
      targetTags: ['gke-prod'],
      allowed: [{ IPProtocol: 'tcp', ports: ['443', '10250'] }, { IPProtocol: 'udp' }],
    });
    expect(
      stripMachineType(
        {
          kind: 'compute#machineType',
          name: 'e2-medium',
          zone: 'https://www.googleapis.com/compute/v1/projects/acme/zones/europe-west1-b',
          guestCpus: 2,
          isSharedCpu: true,
          memoryMb: 4096,
        },
        ORIGIN,
      ),
    ).toStrictEqual({
      name: 'e2-medium',
      zone: 'europe-west1-b',
      guestCpus: 2,
      isSharedCpu: true,
      origin: ORIGIN,
    });
  });
});

// ---- the schema and the picker of a kind agree ----------------------------------------------

const ROOT = path.resolve(import.meta.dirname, '../..');
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return /\.(ya?ml|json)$/.test(name) ? [full] : [];
  });
}
function kubeObjectsIn(value: unknown): Raw[] {
  if (Array.isArray(value)) return value.flatMap(kubeObjectsIn);
  if (!isRecord(value)) return [];
  if (Array.isArray(value.items)) return value.items.filter(isRecord);
  return [value];
}

describe('the schema derived from a declaration accepts what its picker produces', () => {
  it('for every Kubernetes object in fixtures/, unchanged', () => {
    let count = 0;
    const kinds = new Set<KubeKind>();
    for (const file of filesUnder(path.join(ROOT, 'fixtures'))) {
      const text = readFileSync(file, 'utf8');
      const documents = file.endsWith('.json')
        ? [JSON.parse(text)]
        : parseAllDocuments(text).flatMap((doc) => ('toJS' in doc ? [doc.toJS()] : []));
      for (const raw of kubeObjectsIn(documents)) {
        const meta = isRecord(raw.metadata) ? raw.metadata : {};
        const kind = kubePartOf(
          String(raw.apiVersion ?? ''),
          String(raw.kind ?? ''),
          typeof meta.namespace === 'string' ? meta.namespace : undefined,
        );
        if (!kind) continue;
        const stripped = stripKubeObject(kind, raw, ORIGIN);
        if (!stripped) continue;
        expect(kubeKinds[kind].parse(stripped), `${path.relative(ROOT, file)} ${kind}`).toStrictEqual(
          stripped,
        );
        kinds.add(kind);
        count++;
      }
    }
    expect(count).toBeGreaterThan(500);
    expect(kinds.size).toBeGreaterThan(15);
  });
});

describe('shape()', () => {
  const probe = shape({
    id: text('meta.id').notEmpty().required(),
    size: integer('spec.size').or(0),
    note: text('note', 'comment'),
    twice: computed(z.number(), (raw) => (typeof raw.n === 'number' ? raw.n * 2 : undefined)),
  });

  it('drops the object without a required field, fills fallbacks and leaves optional fields out', () => {
    expect(probe.pick({ meta: { id: '' } })).toBeUndefined();
    expect(probe.pick({ meta: { id: 'a' } })).toStrictEqual({ id: 'a', size: 0 });
    expect(probe.pick({ meta: { id: 'a' }, spec: { size: '12' }, comment: 'c', n: 2 })).toStrictEqual({
      id: 'a',
      size: 12,
      note: 'c',
      twice: 4,
    });
    expect(probe.schema.safeParse({ id: 'a' }).success).toBe(false);
    expect(probe.schema.parse({ id: 'a', size: 1 })).toStrictEqual({ id: 'a', size: 1 });
  });

  it('refuses a field name that is not an identifier (pickers are compiled from the names)', () => {
    expect(() => shape({ 'a-b': text('a') })).toThrow(/field name "a-b" is not an identifier/);
    expect(() => shape({ 'x; globalThis.y = 1; //': text('a') })).toThrow(/is not an identifier/);
  });
});

describe('a bundle is read back through the derived schemas', () => {
  const DEMO = path.join(ROOT, 'fixtures/demo/asm-candidate');

  it('keeps every stripped object and GKE document of a demo unchanged', async () => {
    const original = await loadSnapshot([DEMO]);
    const dir = await mkdtemp(path.join(tmpdir(), 'meshready-bundle-'));
    const file = path.join(dir, 'bundle.json');
    await writeFile(file, JSON.stringify(snapshotToBundle(original, new Date(0), '0.1.0')));
    const loaded = await loadSnapshot([file]);
    for (const kind of KUBE_KINDS) expect(loaded.kube[kind], kind).toEqual(original.kube[kind]);
    expect(loaded.gkeCluster).toEqual(original.gkeCluster);
    expect(loaded.firewalls).toEqual(original.firewalls);
    expect(loaded.machineTypes).toEqual(original.machineTypes);
    expect(original.kube.pods.length).toBeGreaterThan(5);
    expect(original.gkeCluster?.nodePools.length).toBeGreaterThan(0);
  });

  it('names the file, line and field of a stripped field of the wrong type', async () => {
    const original = await loadSnapshot([DEMO]);
    const bundle = JSON.parse(JSON.stringify(snapshotToBundle(original, new Date(0), '0.1.0')));
    bundle.kube.services[0].ports[0].port = 'http';
    const dir = await mkdtemp(path.join(tmpdir(), 'meshready-bundle-'));
    const file = path.join(dir, 'bundle.json');
    await writeFile(file, JSON.stringify(bundle));
    const error = await loadSnapshot([file]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      `${file}:1: invalid meshready snapshot bundle at kube.services.0.ports.0.port: Invalid input: expected number, received string`,
    );
  });
});

describe('numbers JSON cannot carry (issue #25)', () => {
  /** Every raw object of the demo clusters, with its part. */
  const demoObjects = rawKubeObjectsFromFiles(
    readdirSync(path.join(import.meta.dirname, '../../fixtures/demo')).flatMap((demo) => {
      const dir = path.join(import.meta.dirname, '../../fixtures/demo', demo, 'kubectl');
      return readdirSync(dir).map((file) => path.join(dir, file));
    }),
  ).flatMap((raw) => {
    const metadata = isRecord(raw.metadata) ? raw.metadata : {};
    const part = kubePartOf(
      String(raw.apiVersion),
      String(raw.kind),
      metadata.namespace as string | undefined,
    );
    return part ? [[part, raw] as const] : [];
  });

  /** The value with every number replaced. */
  function everyNumber(value: unknown, by: number): unknown {
    if (typeof value === 'number') return by;
    if (Array.isArray(value)) return value.map((item) => everyNumber(item, by));
    if (isRecord(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, everyNumber(v, by)]));
    return value;
  }

  /** Where a value holds a number that is not finite, or -0. */
  function oddNumbers(value: unknown, at = ''): string[] {
    if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? [] : [at];
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([key, child]) => oddNumbers(child, `${at}.${key}`));
  }

  it('reach a stripped object only through the fields that keep raw values, which the walk finds', () => {
    const kinds = new Set(demoObjects.map(([kind]) => kind));
    expect(kinds.size).toBeGreaterThan(12);
    for (const by of [Number.POSITIVE_INFINITY, Number.NaN, -0]) {
      for (const [kind, raw] of demoObjects) {
        const object = stripKubeObject(kind, everyNumber(raw, by) as Raw);
        if (!object) continue;
        const { rawFields } = kubeShapes[kind];
        const typed = Object.fromEntries(Object.entries(object).filter(([key]) => !rawFields.includes(key)));
        expect(oddNumbers(typed), `${kind} ${by}`).toEqual([]);
        const odd = oddNumbers(object);
        const found = unrepresentableNumberPath(kind, object);
        if (Object.is(by, -0)) {
          expect(found).toBeUndefined();
          // ... and -0 became 0 on the way.
          expect(oddNumbers(object)).toEqual([]);
        } else expect(found !== undefined, `${kind}: ${odd.join(', ')}`).toBe(odd.length > 0);
      }
    }
  });
});
