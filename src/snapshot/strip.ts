/**
 * Turns raw API objects (as kubectl, gcloud or the API server return them) into the stripped
 * snapshot shapes. Used by the offline loader and the live collector alike, so both produce the
 * same snapshot. Every read is defensive: input is untrusted and often partial.
 */
import type {
  ClusterRole,
  Container,
  FirewallPermission,
  FirewallRule,
  GkeCluster,
  IstioOperator,
  KubeKind,
  KubeObject,
  MachineType,
  NodePool,
  ObjectMetadata,
  Origin,
  OwnerReference,
  PolicyRule,
  ServicePort,
} from './model.ts';

type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function record(value: unknown): Raw {
  return isRecord(value) ? value : {};
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}
function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string');
}
function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  for (const key in value) {
    if (typeof value[key] !== 'string') return coercedStringMap(value);
  }
  // Already a map of strings (the usual case): keep the parsed object rather than copy it.
  return value as Record<string, string>;
}
function coercedStringMap(value: Raw): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
  }
  return out;
}
/** The object without its undefined properties (copied, not deleted: `delete` slows objects down). */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

/** The API group of an apiVersion: "" for the core group. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

const WORKLOAD_GROUPS = new Set(['apps', 'extensions']);
const V1ALPHA1_SECURITY: Readonly<Record<string, readonly string[]>> = {
  'authentication.istio.io': ['Policy', 'MeshPolicy'],
  'rbac.istio.io': ['ServiceRole', 'ServiceRoleBinding', 'RbacConfig', 'ClusterRbacConfig'],
};

/**
 * Which snapshot part a Kubernetes kind belongs to, or undefined when no rule reads it.
 * The caller must never keep Secrets: they are not in this table.
 */
export function kubeKindOf(apiVersion: string, kind: string): KubeKind | undefined {
  const group = apiGroup(apiVersion);
  if (group === '') {
    switch (kind) {
      case 'Namespace':
        return 'namespaces';
      case 'Node':
        return 'nodes';
      case 'Service':
        return 'services';
      case 'Pod':
        return 'pods';
      case 'ConfigMap':
        return 'configmaps';
      default:
        return undefined;
    }
  }
  if (WORKLOAD_GROUPS.has(group)) {
    switch (kind) {
      case 'Deployment':
        return 'deployments';
      case 'StatefulSet':
        return 'statefulsets';
      case 'DaemonSet':
        return 'daemonsets';
      case 'ReplicaSet':
        return 'replicasets';
      default:
        return undefined;
    }
  }
  if (group === 'admissionregistration.k8s.io') {
    if (kind === 'ValidatingWebhookConfiguration') return 'validatingwebhookconfigurations';
    if (kind === 'MutatingWebhookConfiguration') return 'mutatingwebhookconfigurations';
    return undefined;
  }
  if (group === 'rbac.authorization.k8s.io') return kind === 'ClusterRole' ? 'clusterroles' : undefined;
  if (group === 'install.istio.io') return kind === 'IstioOperator' ? 'istiooperators' : undefined;
  if (group === 'networking.istio.io') {
    if (kind === 'EnvoyFilter') return 'envoyfilters';
    if (kind === 'VirtualService') return 'virtualservices';
    return undefined;
  }
  if (group === 'config.istio.io') return 'mixerconfigs';
  if (group === 'security.istio.io')
    return kind === 'AuthorizationPolicy' ? 'authorizationpolicies' : undefined;
  if (group === 'networking.k8s.io') return kind === 'NetworkPolicy' ? 'networkpolicies' : undefined;
  if (group === 'cloud.google.com') return kind === 'BackendConfig' ? 'backendconfigs' : undefined;
  if (V1ALPHA1_SECURITY[group]?.includes(kind) && apiVersion.endsWith('/v1alpha1')) return 'securitypolicies';
  return undefined;
}

/**
 * API groups Kubernetes itself serves: the core group, the unqualified ones and `*.k8s.io`.
 * Any other group (cloud.google.com, networking.gke.io, cert-manager.io, *.istio.io, …) is
 * served by a CustomResourceDefinition or an aggregated API someone installed.
 */
export function isBuiltInGroup(group: string): boolean {
  return (
    group === '' ||
    ['apps', 'extensions', 'batch', 'autoscaling', 'policy'].includes(group) ||
    group === 'k8s.io' ||
    group.endsWith('.k8s.io')
  );
}

/**
 * The part an object goes into: its kind's (kubeKindOf), or, for a namespaced object in
 * istio-system of a group that is not built in, `customresources` (only its name is kept: the
 * backup before a 1.16 master upgrade must name every custom resource there).
 */
export function kubePartOf(
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
): KubeKind | undefined {
  const part = kubeKindOf(apiVersion, kind);
  if (part) return part;
  if (namespace === 'istio-system' && kind !== '' && !isBuiltInGroup(apiGroup(apiVersion))) {
    return 'customresources';
  }
  return undefined;
}

/**
 * Objects a part keeps. ConfigMaps only matter in istio-system and ClusterRoles only when they
 * belong to Istio, so the others are dropped (the live collector does the same).
 */
export function isKeptObject(kind: KubeKind, metadata: ObjectMetadata): boolean {
  if (kind === 'configmaps') return metadata.namespace === 'istio-system';
  if (kind === 'clusterroles') return metadata.name.includes('istio');
  if (kind === 'customresources') return metadata.namespace === 'istio-system';
  return true;
}

function stripOwnerReferences(value: unknown): OwnerReference[] | undefined {
  const refs = list(value)
    .filter(isRecord)
    .map((ref) =>
      compact({
        apiVersion: str(ref.apiVersion),
        kind: str(ref.kind) ?? '',
        name: str(ref.name) ?? '',
        uid: str(ref.uid),
        controller: bool(ref.controller),
      }),
    )
    .filter((ref) => ref.kind !== '' && ref.name !== '');
  return refs.length > 0 ? refs : undefined;
}

function stripManagers(value: unknown): string[] | undefined {
  const managers = new Set<string>();
  for (const entry of list(value)) {
    const manager = str(record(entry).manager);
    if (manager) managers.add(manager);
  }
  return managers.size > 0 ? [...managers].sort() : undefined;
}

export function stripMetadata(value: unknown): ObjectMetadata | undefined {
  const meta = record(value);
  const name = str(meta.name);
  if (name === undefined || name === '') return undefined;
  // Built property by property (no undefined keys, no deletes): this runs once per object.
  const out: { -readonly [K in keyof ObjectMetadata]: ObjectMetadata[K] } = { name };
  const namespace = str(meta.namespace);
  if (namespace !== undefined) out.namespace = namespace;
  const uid = str(meta.uid);
  if (uid !== undefined) out.uid = uid;
  const labels = stringMap(meta.labels);
  if (labels !== undefined) out.labels = labels;
  const annotations = stringMap(meta.annotations);
  if (annotations !== undefined) out.annotations = annotations;
  const ownerReferences = stripOwnerReferences(meta.ownerReferences);
  if (ownerReferences !== undefined) out.ownerReferences = ownerReferences;
  const managers = stripManagers(meta.managedFields);
  if (managers !== undefined) out.managers = managers;
  return out;
}

function stripContainers(podSpec: unknown): Container[] {
  const containers: Container[] = [];
  for (const c of list(record(podSpec).containers)) {
    if (!isRecord(c)) continue;
    const image = str(c.image);
    containers.push(image === undefined ? { name: str(c.name) ?? '' } : { name: str(c.name) ?? '', image });
  }
  return containers;
}

function stripServicePorts(value: unknown): ServicePort[] {
  return list(value)
    .filter(isRecord)
    .map((p) =>
      compact({
        name: str(p.name),
        port: num(p.port) ?? 0,
        protocol: str(p.protocol),
        appProtocol: str(p.appProtocol),
        targetPort: num(p.targetPort) ?? str(p.targetPort),
      }),
    );
}

function stripPolicyRules(value: unknown): PolicyRule[] {
  return list(value)
    .filter(isRecord)
    .map((r) =>
      compact({
        apiGroups: strings(r.apiGroups),
        resources: strings(r.resources),
        resourceNames: strings(r.resourceNames),
        verbs: strings(r.verbs) ?? [],
      }),
    );
}

/** Components whose settings install_asm carries over itself (it installs its own gateways). */
const GATEWAY_COMPONENTS = new Set(['ingressGateways', 'egressGateways']);

function nonEmptyRecord(value: unknown): Raw | undefined {
  return isRecord(value) && Object.keys(value).length > 0 ? value : undefined;
}

/** An IstioOperator's meshConfig, values and non-gateway component k8s settings, when set. */
function operatorCustomSettings(spec: Raw): IstioOperator['customSettings'] {
  const componentK8s: Record<string, Raw> = {};
  for (const [component, settings] of Object.entries(record(spec.components))) {
    if (GATEWAY_COMPONENTS.has(component)) continue;
    const k8s = nonEmptyRecord(record(settings).k8s);
    if (k8s) componentK8s[component] = k8s;
  }
  const custom = compact({
    meshConfig: nonEmptyRecord(spec.meshConfig),
    values: nonEmptyRecord(spec.values),
    componentK8s: Object.keys(componentK8s).length > 0 ? componentK8s : undefined,
  });
  return Object.keys(custom).length > 0 ? custom : undefined;
}

/** rootNamespace from the mesh config text (YAML), read with a line match: nothing else is kept. */
function meshRootNamespace(mesh: unknown): string | undefined {
  if (typeof mesh !== 'string') return undefined;
  const match = /^rootNamespace:[ \t]*["']?([a-z0-9]([-a-z0-9]*[a-z0-9])?)["']?[ \t]*$/m.exec(mesh);
  return match?.[1];
}

function podReady(status: Raw): boolean {
  return list(status.conditions).some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

/**
 * Strips a raw Kubernetes object of a known kind. Returns undefined when the object has no name
 * (not a valid object) so the caller can report it as skipped.
 */
export function stripKubeObject(kind: KubeKind, raw: Raw, origin?: Origin): KubeObject | undefined {
  const metadata = stripMetadata(raw.metadata);
  if (!metadata) return undefined;
  const base = {
    apiVersion: str(raw.apiVersion) ?? '',
    kind: str(raw.kind) ?? '',
    metadata,
    ...(origin ? { origin } : {}),
  };
  const spec = record(raw.spec);
  const status = record(raw.status);
  switch (kind) {
    case 'nodes':
      return compact({
        ...base,
        cpuCapacity: str(record(status.capacity).cpu) ?? num(record(status.capacity).cpu)?.toString(),
        kubeletVersion: str(record(status.nodeInfo).kubeletVersion),
      });
    case 'services':
      return compact({
        ...base,
        type: str(spec.type),
        ports: stripServicePorts(spec.ports),
        selector: stringMap(spec.selector),
      });
    case 'pods': {
      const phase = str(status.phase);
      const pod = { ...base, containers: stripContainers(spec), ready: podReady(status) };
      return phase === undefined ? pod : { ...pod, phase };
    }
    case 'deployments':
    case 'statefulsets':
    case 'daemonsets': {
      const template = record(spec.template);
      const replicas = kind === 'daemonsets' ? num(status.desiredNumberScheduled) : num(spec.replicas);
      const readyReplicas = kind === 'daemonsets' ? num(status.numberReady) : num(status.readyReplicas);
      return compact({
        ...base,
        replicas,
        readyReplicas,
        templateLabels: stringMap(record(template.metadata).labels),
        containers: stripContainers(template.spec),
      });
    }
    case 'validatingwebhookconfigurations':
    case 'mutatingwebhookconfigurations':
      return {
        ...base,
        webhooks: list(raw.webhooks)
          .map((w) => str(record(w).name))
          .filter((n): n is string => n !== undefined),
      };
    case 'clusterroles':
      return { ...base, rules: stripPolicyRules(raw.rules) } satisfies ClusterRole;
    case 'istiooperators': {
      const gateways = list(record(spec.components).ingressGateways)
        .filter(isRecord)
        .map((g) => compact({ name: str(g.name), enabled: bool(g.enabled) }));
      return compact({
        ...base,
        profile: str(spec.profile),
        revision: str(spec.revision),
        tag: str(spec.tag),
        ingressGateways: isRecord(spec.components) ? gateways : undefined,
        status: str(status.status),
        customSettings: operatorCustomSettings(spec),
      });
    }
    case 'virtualservices':
    case 'authorizationpolicies':
    case 'networkpolicies':
    case 'backendconfigs':
    case 'securitypolicies':
      // `meshready convert` reads the whole spec of the v1alpha1 policies (they are few and small).
      return { ...base, spec: raw.spec };
    case 'configmaps':
      return metadata.name === 'istio'
        ? compact({ ...base, meshRootNamespace: meshRootNamespace(record(raw.data).mesh) })
        : base;
    default:
      return base;
  }
}

// ---- Google Cloud documents -------------------------------------------------------------

/** A gcloud/REST GKE Cluster resource (v1 or v1beta1). */
export function looksLikeGkeCluster(value: Raw): boolean {
  return typeof value.name === 'string' && ('currentMasterVersion' in value || 'nodePools' in value);
}

/** The last path segment of a Google resource URL or path, e.g. a network or zone name. */
export function lastSegment(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || undefined;
}

function projectFromSelfLink(selfLink: string | undefined): string | undefined {
  return selfLink ? /\/projects\/([^/]+)\//.exec(selfLink)?.[1] : undefined;
}

function stripNodePool(raw: Raw): NodePool {
  const config = record(raw.config);
  const autoscaling = record(raw.autoscaling);
  const workloadMetadata = record(config.workloadMetadataConfig);
  return compact({
    name: str(raw.name) ?? '',
    machineType: str(config.machineType),
    initialNodeCount: num(raw.initialNodeCount),
    locations: strings(raw.locations),
    autoscaling: isRecord(raw.autoscaling)
      ? compact({
          enabled: bool(autoscaling.enabled),
          minNodeCount: num(autoscaling.minNodeCount),
          maxNodeCount: num(autoscaling.maxNodeCount),
          totalMinNodeCount: num(autoscaling.totalMinNodeCount),
          totalMaxNodeCount: num(autoscaling.totalMaxNodeCount),
        })
      : undefined,
    // v1 says `mode: GKE_METADATA`, v1beta1 also `nodeMetadata: GKE_METADATA_SERVER`.
    workloadMetadataMode: str(workloadMetadata.mode) ?? str(workloadMetadata.nodeMetadata),
    tags: strings(config.tags),
    version: str(raw.version),
    serviceAccount: str(config.serviceAccount),
  });
}

export function stripGkeCluster(raw: Raw, origin?: Origin): GkeCluster {
  const privateConfig = record(raw.privateClusterConfig);
  const networkConfig = record(raw.networkConfig);
  const istioConfig = record(record(raw.addonsConfig).istioConfig);
  const hasIstioConfig = isRecord(record(raw.addonsConfig).istioConfig);
  const identity = record(raw.workloadIdentityConfig);
  const privateNodes =
    bool(privateConfig.enablePrivateNodes) === true ||
    bool(raw.privateCluster) === true ||
    bool(networkConfig.defaultEnablePrivateNodes) === true;
  return compact({
    name: str(raw.name) ?? '',
    project: projectFromSelfLink(str(raw.selfLink)),
    location: str(raw.location) ?? str(raw.zone),
    locations: strings(raw.locations),
    currentMasterVersion: str(raw.currentMasterVersion),
    currentNodeVersion: str(raw.currentNodeVersion),
    network: str(raw.network) ?? lastSegment(str(networkConfig.network)),
    subnetwork: str(raw.subnetwork) ?? lastSegment(str(networkConfig.subnetwork)),
    privateNodes,
    controlPlaneCidr: str(privateConfig.masterIpv4CidrBlock) ?? str(raw.masterIpv4CidrBlock),
    workloadPool: str(identity.workloadPool) ?? str(identity.identityNamespace),
    istioAddon: hasIstioConfig
      ? compact({ enabled: bool(istioConfig.disabled) !== true, auth: str(istioConfig.auth) })
      : undefined,
    nodePools: list(raw.nodePools).filter(isRecord).map(stripNodePool),
    origin,
  });
}

export function looksLikeFirewall(value: Raw): boolean {
  return (
    value.kind === 'compute#firewall' || ('direction' in value && ('allowed' in value || 'denied' in value))
  );
}

export function looksLikeMachineType(value: Raw): boolean {
  return value.kind === 'compute#machineType' || ('guestCpus' in value && 'name' in value);
}

function stripPermissions(value: unknown): FirewallPermission[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isRecord).map((p) =>
    compact({
      // The REST API spells it IPProtocol; some client libraries say IPProtocol or I_p_protocol.
      IPProtocol: (str(p.IPProtocol) ?? str(p.ipProtocol) ?? str(p.I_p_protocol) ?? '').toLowerCase(),
      ports: strings(p.ports),
    }),
  );
}

export function stripFirewall(raw: Raw, origin?: Origin): FirewallRule {
  return compact({
    name: str(raw.name) ?? '',
    network: str(raw.network),
    direction: str(raw.direction),
    priority: num(raw.priority),
    disabled: bool(raw.disabled),
    sourceRanges: strings(raw.sourceRanges),
    sourceTags: strings(raw.sourceTags),
    targetTags: strings(raw.targetTags),
    targetServiceAccounts: strings(raw.targetServiceAccounts),
    allowed: stripPermissions(raw.allowed),
    denied: stripPermissions(raw.denied),
    origin,
  });
}

export function stripMachineType(raw: Raw, origin?: Origin): MachineType {
  return compact({
    name: str(raw.name) ?? '',
    zone: lastSegment(str(raw.zone)),
    guestCpus: num(raw.guestCpus) ?? 0,
    isSharedCpu: bool(raw.isSharedCpu),
    origin,
  });
}
