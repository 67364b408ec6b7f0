/**
 * Turns raw API objects (as kubectl, gcloud or the API server return them) into the stripped
 * snapshot shapes, with the pickers derived from model.ts's declarations. Used by the offline
 * loader, its worker threads and the live collector alike, so all produce the same snapshot.
 */
import {
  type FirewallRule,
  firewallRule,
  type GkeCluster,
  gkeCluster,
  type KubeKind,
  type KubeObject,
  kubeShapes,
  type MachineType,
  machineType,
  type ObjectMetadata,
  type Origin,
} from './model.ts';
import type { Raw } from './shape.ts';

export { lastSegment } from './model.ts';
export { isRecord } from './shape.ts';

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
  if (group === 'security.istio.io') {
    if (kind === 'AuthorizationPolicy') return 'authorizationpolicies';
    if (kind === 'PeerAuthentication') return 'peerauthentications';
    if (kind === 'RequestAuthentication') return 'requestauthentications';
    return undefined;
  }
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

/**
 * Strips a raw Kubernetes object of a known kind. Returns undefined when the object has no name
 * (not a valid object) so the caller can report it as skipped.
 */
export function stripKubeObject(kind: KubeKind, raw: Raw, origin?: Origin): KubeObject | undefined {
  return kubeShapes[kind].pick(raw, origin);
}

/**
 * Where a stripped object holds a number JSON cannot carry, or undefined: JSON.parse reads `1e999`
 * as Infinity (and YAML has `.inf` and `.nan`), which the snapshot's JSON (a bundle, the parallel
 * loader's transfer between threads) would turn into `null`, so such an input is refused rather
 * than read two ways. Only the fields that keep raw values are walked (Field.raw): every other
 * number was read by shape.ts's `num`, which keeps finite numbers only. On the way, -0 becomes 0
 * (as `num` does): JSON has one zero, and the transfer would make it 0 on one path only.
 */
export function unrepresentableNumberPath(kind: KubeKind, object: KubeObject): string | undefined {
  const fields = kubeShapes[kind].rawFields;
  for (const name of fields) {
    const found = numberPathIn((object as unknown as Raw)[name], name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Iterative, so a spec nested a million levels deep is walked like any other. */
function numberPathIn(value: unknown, path: string): string | undefined {
  const pending: [unknown, string][] = [[value, path]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [holder, at] = next;
    if (typeof holder !== 'object' || holder === null) continue;
    const isArray = Array.isArray(holder);
    const record = holder as Raw;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === 'number') {
        if (!Number.isFinite(child)) return isArray ? `${at}[${key}]` : `${at}.${key}`;
        if (child === 0) record[key] = 0;
      } else if (typeof child === 'object' && child !== null) {
        pending.push([child, isArray ? `${at}[${key}]` : `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

// ---- Google Cloud documents -------------------------------------------------------------

/** A gcloud/REST GKE Cluster resource (v1 or v1beta1). */
export function looksLikeGkeCluster(value: Raw): boolean {
  return typeof value.name === 'string' && ('currentMasterVersion' in value || 'nodePools' in value);
}

export function stripGkeCluster(raw: Raw, origin?: Origin): GkeCluster {
  return gkeCluster.pick(raw, origin);
}

export function looksLikeFirewall(value: Raw): boolean {
  return (
    value.kind === 'compute#firewall' || ('direction' in value && ('allowed' in value || 'denied' in value))
  );
}

export function looksLikeMachineType(value: Raw): boolean {
  return value.kind === 'compute#machineType' || ('guestCpus' in value && 'name' in value);
}

export function stripFirewall(raw: Raw, origin?: Origin): FirewallRule {
  return firewallRule.pick(raw, origin);
}

export function stripMachineType(raw: Raw, origin?: Origin): MachineType {
  return machineType.pick(raw, origin);
}
