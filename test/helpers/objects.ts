/**
 * Small builders for the raw documents rule tests feed in, shaped as kubectl and gcloud print
 * them. Only what a case needs; anything else can be spread in.
 */
type Labels = Record<string, string>;
type Raw = Record<string, unknown>;

interface MetaOptions {
  labels?: Labels;
  annotations?: Labels;
  uid?: string;
  ownerReferences?: Raw[];
  managedFields?: Raw[];
}

function meta(name: string, namespace: string | undefined, options: MetaOptions = {}): Raw {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(options.uid ? { uid: options.uid } : {}),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
    ...(options.ownerReferences ? { ownerReferences: options.ownerReferences } : {}),
    ...(options.managedFields ? { managedFields: options.managedFields } : {}),
  };
}

export function namespace(name: string, labels?: Labels, options: MetaOptions = {}): Raw {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(name, undefined, { ...options, labels }) };
}

export function service(ns: string, name: string, ports: Raw[], options: MetaOptions = {}): Raw {
  return { apiVersion: 'v1', kind: 'Service', metadata: meta(name, ns, options), spec: { ports } };
}

export interface ContainerSpec {
  name: string;
  image: string;
}

export function pod(
  ns: string,
  name: string,
  containers: ContainerSpec[],
  options: MetaOptions & { ready?: boolean; phase?: string } = {},
): Raw {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, ns, options),
    spec: { containers },
    status: {
      phase: options.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    },
  };
}

export function workload(
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet',
  ns: string,
  name: string,
  options: MetaOptions & {
    replicas?: number;
    readyReplicas?: number;
    containers?: ContainerSpec[];
    templateLabels?: Labels;
  } = {},
): Raw {
  const replicas = options.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: meta(name, ns, options),
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas }),
      template: {
        metadata: { labels: options.templateLabels ?? {} },
        spec: { containers: options.containers ?? [] },
      },
    },
    status:
      kind === 'DaemonSet'
        ? { desiredNumberScheduled: replicas, numberReady: options.readyReplicas ?? replicas }
        : { replicas, readyReplicas: options.readyReplicas ?? replicas },
  };
}

/** An istiod Deployment and its pod, as the operator installs them (as in the guide: istiod-istio-163-…). */
export function istiod(revision: string, version: string, options: { ready?: boolean } = {}): Raw[] {
  const labels = { app: 'istiod', istio: 'istiod', 'istio.io/rev': revision };
  const containers = [{ name: 'discovery', image: `gcr.io/gke-release/istio/pilot:${version}` }];
  const ready = options.ready ?? true;
  return [
    workload('Deployment', 'istio-system', `istiod-${revision}`, {
      labels,
      containers,
      readyReplicas: ready ? 1 : 0,
      templateLabels: labels,
    }),
    pod('istio-system', `istiod-${revision}-5fccfcf4dd-2p9c8`, containers, { labels, ready }),
  ];
}

export function list(items: Raw[]): Raw {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}

/** A GKE cluster as `gcloud beta container clusters describe --format=json` prints it (trimmed). */
export function gkeCluster(overrides: Raw = {}): Raw {
  return {
    name: 'demo',
    location: 'europe-west1-b',
    locations: ['europe-west1-b'],
    selfLink:
      'https://container.googleapis.com/v1beta1/projects/acme-prod/zones/europe-west1-b/clusters/demo',
    currentMasterVersion: '1.17.12-gke.1501',
    currentNodeVersion: '1.17.12-gke.1501',
    network: 'default',
    addonsConfig: { istioConfig: { disabled: false, auth: 'AUTH_MUTUAL_TLS' } },
    nodePools: [
      {
        name: 'default-pool',
        initialNodeCount: 3,
        locations: ['europe-west1-b'],
        config: { machineType: 'e2-standard-4', tags: [] },
        version: '1.17.12-gke.1501',
      },
    ],
    ...overrides,
  };
}

/** A namespaced Istio configuration object (VirtualService, EnvoyFilter, Mixer handler, …). */
export function istioObject(
  apiVersion: string,
  kind: string,
  ns: string,
  name: string,
  spec: unknown = {},
  options: MetaOptions = {},
): Raw {
  return { apiVersion, kind, metadata: meta(name, ns, options), spec };
}

/** An IstioOperator as the GKE add-on installs it (as in the guide: istio-1-6-11-gke-0, revision istio-1611). */
export function istioOperator(
  name: string,
  options: MetaOptions & { status?: string; namespace?: string; spec?: Raw } = {},
): Raw {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: meta(name, options.namespace ?? 'istio-system', options),
    spec: options.spec ?? { profile: 'default', revision: 'istio-1611', tag: '1.6.11-gke.0' },
    ...(options.status === undefined ? {} : { status: { status: options.status } }),
  };
}

export function clusterRole(name: string, rules: Raw[], options: MetaOptions = {}): Raw {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta(name, undefined, options),
    rules,
  };
}

export function validatingWebhook(name: string, webhooks: string[] = [], options: MetaOptions = {}): Raw {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: meta(name, undefined, options),
    webhooks: webhooks.map((webhook) => ({ name: webhook })),
  };
}

/** A managedFields entry as the API server records it (only what meshready reads matters). */
export function managedField(manager: string, operation: 'Update' | 'Apply' = 'Update'): Raw {
  return { manager, operation, apiVersion: 'apps/v1', fieldsType: 'FieldsV1', time: '2020-10-02T09:14:07Z' };
}

/** A Node as `kubectl get nodes -o json` prints it (trimmed), in GKE node pool `pool`. */
export function node(name: string, pool: string | undefined, cpu = '4'): Raw {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(name, undefined, pool ? { labels: { 'cloud.google.com/gke-nodepool': pool } } : {}),
    status: {
      capacity: { cpu, memory: '16393516Ki', pods: '110' },
      nodeInfo: { kubeletVersion: 'v1.17.12-gke.1501' },
    },
  };
}

/** A Compute firewall rule as `gcloud compute firewall-rules list --format=json` prints it. */
export function firewallRule(name: string, overrides: Raw = {}): Raw {
  return {
    kind: 'compute#firewall',
    name,
    network: 'https://www.googleapis.com/compute/v1/projects/acme-prod/global/networks/default',
    direction: 'INGRESS',
    priority: 1000,
    disabled: false,
    sourceRanges: ['172.16.0.0/28'],
    allowed: [{ IPProtocol: 'tcp', ports: ['443', '10250'] }],
    selfLink: `https://www.googleapis.com/compute/v1/projects/acme-prod/global/firewalls/${name}`,
    ...overrides,
  };
}

/** A Compute machine type as `gcloud compute machine-types list --format=json` prints it (trimmed). */
export function machineType(name: string, guestCpus: number, isSharedCpu = false): Raw {
  return {
    kind: 'compute#machineType',
    name,
    guestCpus,
    isSharedCpu,
    memoryMb: guestCpus * 4096,
    zone: 'europe-west1-b',
  };
}

/** A workload pod with an injected sidecar of Istio `version` (as in the guide: gcr.io/gke-release/istio/proxyv2:1.6.3-gke.0). */
export function sidecarPod(
  ns: string,
  name: string,
  version: string,
  options: MetaOptions & { ready?: boolean; phase?: string } = {},
): Raw {
  return pod(
    ns,
    name,
    [
      { name: 'app', image: 'gcr.io/acme-prod/app:2.3.1' },
      { name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2:${version}` },
    ],
    options,
  );
}
