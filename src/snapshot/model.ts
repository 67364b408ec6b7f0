/**
 * The ClusterSnapshot: everything a rule may read, for live and offline scans alike.
 *
 * Objects are stripped to the fields rules need as soon as they are read, so a snapshot of a very
 * large cluster stays small. The declarations below are the single definition of that stripped
 * shape and of where each field is read from in the raw API object (see shape.ts): the zod
 * schemas (TypeScript types, the validation of the bundle written by `meshready collect`) and the
 * strippers strip.ts runs are both derived from them.
 */
import { z } from 'zod';
import {
  at,
  computed,
  copied,
  flag,
  integer,
  isRecord,
  items,
  nested,
  num,
  origin,
  type Raw,
  shape,
  stringMap,
  text,
  texts,
} from './shape.ts';

export const originSchema = origin().value;
export type Origin = z.infer<typeof originSchema>;

const ownerReference = shape({
  apiVersion: text('apiVersion'),
  kind: text('kind').notEmpty().required(),
  name: text('name').notEmpty().required(),
  uid: text('uid'),
  controller: flag('controller'),
});
export type OwnerReference = z.infer<typeof ownerReference.schema>;

/** The field managers named in metadata.managedFields, sorted and without repeats. */
function managerNames(metadata: Raw): string[] | undefined {
  const managedFields = metadata.managedFields;
  if (!Array.isArray(managedFields)) return undefined;
  const managers = new Set<string>();
  for (const entry of managedFields) {
    const manager = isRecord(entry) ? entry.manager : undefined;
    if (typeof manager === 'string' && manager !== '') managers.add(manager);
  }
  return managers.size > 0 ? [...managers].sort() : undefined;
}

const metadata = shape({
  name: text('name').notEmpty().required(),
  namespace: text('namespace'),
  uid: text('uid'),
  labels: stringMap('labels'),
  annotations: stringMap('annotations'),
  ownerReferences: items('ownerReferences', ownerReference).notEmpty(),
  /** Names of the field managers in metadata.managedFields (who edited the object). */
  managers: computed(z.array(z.string()), managerNames),
});
export const metadataSchema = metadata.schema;
export type ObjectMetadata = z.infer<typeof metadataSchema>;

/** What every stripped Kubernetes object has; an object without metadata.name is dropped. */
const kubeObject = {
  apiVersion: text('apiVersion').or(''),
  kind: text('kind').or(''),
  metadata: nested('metadata', metadata).required(),
  origin: origin(),
};

const container = shape({ name: text('name').or(''), image: text('image') });
export type Container = z.infer<typeof container.schema>;

const servicePort = shape({
  name: text('name'),
  port: integer('port').or(0),
  protocol: text('protocol'),
  appProtocol: text('appProtocol'),
  targetPort: computed(z.union([z.number().int(), z.string()]), (port) => {
    const value = port.targetPort;
    return num(value) ?? (typeof value === 'string' ? value : undefined);
  }),
});
export type ServicePort = z.infer<typeof servicePort.schema>;

const policyRule = shape({
  apiGroups: texts('apiGroups'),
  resources: texts('resources'),
  resourceNames: texts('resourceNames'),
  verbs: texts('verbs').orEmpty(),
});
export type PolicyRule = z.infer<typeof policyRule.schema>;

const podConditions = at('status.conditions');
function podReady(pod: Raw): boolean {
  const conditions = podConditions(pod);
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True')
  );
}

const capacityCpu = at('status.capacity.cpu');
/** status.capacity.cpu: a quantity, as text ("4", "3920m") or a bare number. */
function cpuCapacity(node: Raw): string | undefined {
  const cpu = capacityCpu(node);
  return typeof cpu === 'string' ? cpu : num(cpu)?.toString();
}

const objectName = at('metadata.name');
const meshConfigText = at('data.mesh');
/** rootNamespace from the `istio` ConfigMap's mesh config text, read with a line match: nothing else is kept. */
function meshRootNamespace(configMap: Raw): string | undefined {
  if (objectName(configMap) !== 'istio') return undefined;
  const mesh = meshConfigText(configMap);
  if (typeof mesh !== 'string') return undefined;
  const match = /^rootNamespace:[ \t]*["']?([a-z0-9]([-a-z0-9]*[a-z0-9])?)["']?[ \t]*$/m.exec(mesh);
  return match?.[1];
}

/** Components whose settings install_asm carries over itself (it installs its own gateways). */
const GATEWAY_COMPONENTS = new Set(['ingressGateways', 'egressGateways']);

function nonEmptyRecord(value: unknown): Raw | undefined {
  return isRecord(value) && Object.keys(value).length > 0 ? value : undefined;
}

const customSettingsSchema = z.object({
  meshConfig: z.record(z.string(), z.unknown()).optional(),
  values: z.record(z.string(), z.unknown()).optional(),
  componentK8s: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

/** An IstioOperator's meshConfig, values and non-gateway component k8s settings, when set. */
function operatorCustomSettings(operator: Raw): z.infer<typeof customSettingsSchema> | undefined {
  const spec = isRecord(operator.spec) ? operator.spec : {};
  const components = isRecord(spec.components) ? spec.components : {};
  const componentK8s: Record<string, Raw> = {};
  for (const [component, settings] of Object.entries(components)) {
    if (GATEWAY_COMPONENTS.has(component)) continue;
    const k8s = nonEmptyRecord(isRecord(settings) ? settings.k8s : undefined);
    if (k8s) componentK8s[component] = k8s;
  }
  const custom: z.infer<typeof customSettingsSchema> = {};
  const meshConfig = nonEmptyRecord(spec.meshConfig);
  if (meshConfig) custom.meshConfig = meshConfig;
  const values = nonEmptyRecord(spec.values);
  if (values) custom.values = values;
  if (Object.keys(componentK8s).length > 0) custom.componentK8s = componentK8s;
  return Object.keys(custom).length > 0 ? custom : undefined;
}

const gatewayComponent = shape({ name: text('name'), enabled: flag('enabled') });

/** spec.components.ingressGateways; absent when spec.components is not set. */
const ingressGateways = items('spec.components.ingressGateways', gatewayComponent).orEmpty();
const operatorComponents = at('spec.components');
function operatorIngressGateways(operator: Raw): z.infer<typeof gatewayComponent.schema>[] | undefined {
  return isRecord(operatorComponents(operator)) ? ingressGateways.read(operator, undefined) : undefined;
}

/** Kinds of which rules read only what every object has (names, labels, owners). */
const namedObject = shape({ ...kubeObject });
const node = shape({
  ...kubeObject,
  cpuCapacity: computed(z.string(), cpuCapacity),
  kubeletVersion: text('status.nodeInfo.kubeletVersion'),
});
const service = shape({
  ...kubeObject,
  type: text('spec.type'),
  ports: items('spec.ports', servicePort).orEmpty(),
  /** spec.selector: the workload labels behind the Service (read by `meshready convert`). */
  selector: stringMap('spec.selector'),
});
const pod = shape({
  ...kubeObject,
  containers: items('spec.containers', container).orEmpty(),
  ready: computed(z.boolean(), podReady).or(false),
  phase: text('status.phase'),
});
/** Deployments and StatefulSets; DaemonSets read their counts from other fields. */
const workloadFields = {
  ...kubeObject,
  replicas: integer('spec.replicas'),
  readyReplicas: integer('status.readyReplicas'),
  templateLabels: stringMap('spec.template.metadata.labels'),
  containers: items('spec.template.spec.containers', container).orEmpty(),
};
const workload = shape(workloadFields);
const daemonSet = shape({
  ...workloadFields,
  replicas: integer('status.desiredNumberScheduled'),
  readyReplicas: integer('status.numberReady'),
});
const webhookConfiguration = shape({
  ...kubeObject,
  /** The webhooks' names. */
  webhooks: items('webhooks', text('name')).orEmpty(),
});
const clusterRole = shape({ ...kubeObject, rules: items('rules', policyRule).orEmpty() });
const configMap = shape({
  ...kubeObject,
  /** The mesh config's rootNamespace, kept from the `istio` ConfigMap only. */
  meshRootNamespace: computed(z.string(), meshRootNamespace),
});
const istioOperator = shape({
  ...kubeObject,
  profile: text('spec.profile'),
  revision: text('spec.revision'),
  tag: text('spec.tag'),
  ingressGateways: computed(ingressGateways.value, operatorIngressGateways),
  status: text('status.status'),
  /**
   * The settings install_asm's plain migration would drop: `spec.meshConfig`, `spec.values` and
   * the `k8s` settings of components other than gateways, as written (install-asm-preconditions).
   */
  customSettings: computed(customSettingsSchema, operatorCustomSettings, { raw: true }),
});
/** Configuration objects whose spec some rule (or `meshready convert`) reads in full: they are few and small. */
const istioConfig = shape({ ...kubeObject, spec: copied('spec') });

/** Each part's declaration; `kubeKinds` below holds their schemas. */
export const kubeShapes = {
  namespaces: namedObject,
  nodes: node,
  services: service,
  pods: pod,
  deployments: workload,
  statefulsets: workload,
  daemonsets: daemonSet,
  replicasets: namedObject,
  validatingwebhookconfigurations: webhookConfiguration,
  mutatingwebhookconfigurations: webhookConfiguration,
  clusterroles: clusterRole,
  configmaps: configMap,
  istiooperators: istioOperator,
  /** Kept by name: the rules list them, none reads their spec. */
  envoyfilters: namedObject,
  virtualservices: istioConfig,
  mixerconfigs: namedObject,
  securitypolicies: istioConfig,
  /** Namespaced custom resources in istio-system of any group that is not built in (name only). */
  customresources: namedObject,
  authorizationpolicies: istioConfig,
  peerauthentications: istioConfig,
  requestauthentications: istioConfig,
  networkpolicies: istioConfig,
  backendconfigs: istioConfig,
} as const;

export type KubeKind = keyof typeof kubeShapes;
export const KUBE_KINDS = Object.keys(kubeShapes) as KubeKind[];
export const kubeKinds = Object.fromEntries(KUBE_KINDS.map((kind) => [kind, kubeShapes[kind].schema])) as {
  readonly [K in KubeKind]: (typeof kubeShapes)[K]['schema'];
};

export type Namespace = z.infer<typeof namedObject.schema>;
export type Node = z.infer<typeof node.schema>;
export type Service = z.infer<typeof service.schema>;
export type Pod = z.infer<typeof pod.schema>;
export type Workload = z.infer<typeof workload.schema>;
export type ReplicaSet = z.infer<typeof namedObject.schema>;
export type WebhookConfiguration = z.infer<typeof webhookConfiguration.schema>;
export type ClusterRole = z.infer<typeof clusterRole.schema>;
export type ConfigMap = z.infer<typeof configMap.schema>;
export type IstioOperator = z.infer<typeof istioOperator.schema>;
export type IstioConfig = z.infer<typeof istioConfig.schema>;
export type KubeObject = z.infer<(typeof kubeKinds)[KubeKind]>;
export type KubeObjects = { readonly [K in KubeKind]: readonly z.infer<(typeof kubeKinds)[K]>[] };

// ---- Google Cloud -------------------------------------------------------------------------

/** The last path segment of a Google resource URL or path, e.g. a network or zone name. */
export function lastSegment(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || undefined;
}

/** The text at `path`, else the last segment of the text at `urlPath`. */
function textOrLastSegment(path: string, urlPath: string) {
  const direct = text(path);
  const url = text(urlPath);
  return computed(z.string(), (raw) => direct.read(raw, undefined) ?? lastSegment(url.read(raw, undefined)));
}

const nodePool = shape({
  name: text('name').or(''),
  machineType: text('config.machineType'),
  initialNodeCount: integer('initialNodeCount'),
  /** Zones of the pool; a regional pool has several and its node count is per zone. */
  locations: texts('locations'),
  autoscaling: nested(
    'autoscaling',
    shape({
      enabled: flag('enabled'),
      minNodeCount: integer('minNodeCount'),
      maxNodeCount: integer('maxNodeCount'),
      totalMinNodeCount: integer('totalMinNodeCount'),
      totalMaxNodeCount: integer('totalMaxNodeCount'),
    }),
  ),
  /**
   * GKE_METADATA when the pool serves Workload Identity: v1 says `mode: GKE_METADATA`,
   * v1beta1 also `nodeMetadata: GKE_METADATA_SERVER`.
   */
  workloadMetadataMode: text(
    'config.workloadMetadataConfig.mode',
    'config.workloadMetadataConfig.nodeMetadata',
  ),
  tags: texts('config.tags'),
  version: text('version'),
  serviceAccount: text('config.serviceAccount'),
});
export type NodePool = z.infer<typeof nodePool.schema>;

const privateNodeFlags = [
  flag('privateClusterConfig.enablePrivateNodes'),
  flag('privateCluster'),
  flag('networkConfig.defaultEnablePrivateNodes'),
];

/** A gcloud/REST GKE Cluster resource (v1 or v1beta1). */
export const gkeCluster = shape({
  name: text('name').or(''),
  project: computed(z.string(), (raw) =>
    typeof raw.selfLink === 'string' ? /\/projects\/([^/]+)\//.exec(raw.selfLink)?.[1] : undefined,
  ),
  location: text('location', 'zone'),
  locations: texts('locations'),
  currentMasterVersion: text('currentMasterVersion'),
  currentNodeVersion: text('currentNodeVersion'),
  network: textOrLastSegment('network', 'networkConfig.network'),
  subnetwork: textOrLastSegment('subnetwork', 'networkConfig.subnetwork'),
  privateNodes: computed(z.boolean(), (raw) =>
    privateNodeFlags.some((privateFlag) => privateFlag.read(raw, undefined) === true),
  ).or(false),
  controlPlaneCidr: text('privateClusterConfig.masterIpv4CidrBlock', 'masterIpv4CidrBlock'),
  workloadPool: text('workloadIdentityConfig.workloadPool', 'workloadIdentityConfig.identityNamespace'),
  /** From v1beta1 addonsConfig.istioConfig; undefined when the document does not say (v1 API). */
  istioAddon: nested(
    'addonsConfig.istioConfig',
    shape({
      enabled: computed(z.boolean(), (istioConfig) => istioConfig.disabled !== true).or(true),
      auth: text('auth'),
    }),
  ),
  nodePools: items('nodePools', nodePool).orEmpty(),
  origin: origin(),
});
export const gkeClusterSchema = gkeCluster.schema;
export type GkeCluster = z.infer<typeof gkeClusterSchema>;

const firewallProtocol = text('IPProtocol', 'ipProtocol', 'I_p_protocol');
const firewallPermission = shape({
  /** The REST API spells it IPProtocol; some client libraries ipProtocol or I_p_protocol. Lower case. */
  IPProtocol: computed(z.string(), (permission) =>
    (firewallProtocol.read(permission, undefined) ?? '').toLowerCase(),
  ).or(''),
  ports: texts('ports'),
});
export type FirewallPermission = z.infer<typeof firewallPermission.schema>;

export const firewallRule = shape({
  name: text('name').or(''),
  network: text('network'),
  direction: text('direction'),
  priority: integer('priority'),
  disabled: flag('disabled'),
  sourceRanges: texts('sourceRanges'),
  sourceTags: texts('sourceTags'),
  targetTags: texts('targetTags'),
  targetServiceAccounts: texts('targetServiceAccounts'),
  allowed: items('allowed', firewallPermission),
  denied: items('denied', firewallPermission),
  origin: origin(),
});
export const firewallRuleSchema = firewallRule.schema;
export type FirewallRule = z.infer<typeof firewallRuleSchema>;

export const machineType = shape({
  name: text('name').or(''),
  zone: computed(z.string(), (raw) => lastSegment(typeof raw.zone === 'string' ? raw.zone : undefined)),
  guestCpus: computed(z.number().int().nonnegative(), (raw) => num(raw.guestCpus)).or(0),
  isSharedCpu: flag('isSharedCpu'),
  origin: origin(),
});
export const machineTypeSchema = machineType.schema;
export type MachineType = z.infer<typeof machineTypeSchema>;

// ---- parts and coverage -------------------------------------------------------------------

export const GOOGLE_PARTS = ['gkeCluster', 'firewalls', 'machineTypes'] as const;
export type GooglePart = (typeof GOOGLE_PARTS)[number];
export type SnapshotPart = KubeKind | GooglePart;
export const SNAPSHOT_PARTS: readonly SnapshotPart[] = [...KUBE_KINDS, ...GOOGLE_PARTS];
export const snapshotPartSchema = z.enum(SNAPSHOT_PARTS as [SnapshotPart, ...SnapshotPart[]]);

/** Whether a part was collected. "Collected with no objects" and "not collected" are different facts. */
export const partCoverageSchema = z.union([
  z.object({ collected: z.literal(true), note: z.string().optional() }),
  z.object({ collected: z.literal(false), reason: z.string() }),
]);
export type PartCoverage = z.infer<typeof partCoverageSchema>;

export const clusterIdentitySchema = z.object({
  name: z.string().optional(),
  project: z.string().optional(),
  location: z.string().optional(),
  context: z.string().optional(),
});
export type ClusterIdentity = z.infer<typeof clusterIdentitySchema>;

export interface SkippedInput {
  readonly file: string;
  readonly reason: string;
}

export interface ClusterSnapshot {
  readonly source: { readonly kind: 'snapshot' | 'live'; readonly inputs: readonly string[] };
  readonly identity: ClusterIdentity;
  readonly coverage: Readonly<Record<SnapshotPart, PartCoverage>>;
  readonly kube: KubeObjects;
  readonly gkeCluster: GkeCluster | undefined;
  readonly firewalls: readonly FirewallRule[];
  readonly machineTypes: readonly MachineType[];
  readonly skipped: readonly SkippedInput[];
}

/** Human names of the parts, for reasons such as "Pods were not collected". */
export const PART_LABELS: Readonly<Record<SnapshotPart, string>> = {
  namespaces: 'Namespaces',
  nodes: 'Nodes',
  services: 'Services',
  pods: 'Pods',
  deployments: 'Deployments',
  statefulsets: 'StatefulSets',
  daemonsets: 'DaemonSets',
  replicasets: 'ReplicaSets',
  validatingwebhookconfigurations: 'ValidatingWebhookConfigurations',
  mutatingwebhookconfigurations: 'MutatingWebhookConfigurations',
  clusterroles: 'ClusterRoles',
  configmaps: 'ConfigMaps',
  istiooperators: 'IstioOperators',
  envoyfilters: 'EnvoyFilters',
  virtualservices: 'VirtualServices',
  mixerconfigs: 'Mixer configuration (config.istio.io)',
  securitypolicies: 'v1alpha1 security policies',
  customresources: 'Custom resources in istio-system',
  authorizationpolicies: 'AuthorizationPolicies (security.istio.io)',
  peerauthentications: 'PeerAuthentications (security.istio.io)',
  requestauthentications: 'RequestAuthentications (security.istio.io)',
  networkpolicies: 'NetworkPolicies',
  backendconfigs: 'BackendConfigs (cloud.google.com)',
  gkeCluster: 'GKE cluster data',
  firewalls: 'Compute firewall rules',
  machineTypes: 'Compute machine types',
};

export function emptyKubeObjects(): { [K in KubeKind]: z.infer<(typeof kubeKinds)[K]>[] } {
  return Object.fromEntries(KUBE_KINDS.map((kind) => [kind, []])) as unknown as {
    [K in KubeKind]: z.infer<(typeof kubeKinds)[K]>[];
  };
}
