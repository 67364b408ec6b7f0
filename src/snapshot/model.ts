/**
 * The ClusterSnapshot: everything a rule may read, for live and offline scans alike.
 *
 * Objects are stripped to the fields rules need as soon as they are read, so a snapshot of a very
 * large cluster stays small. The Kubernetes parts come from the table in kinds.ts (one row per
 * kind: its API resources, what is kept, what is checked) and their stripped shapes from
 * kube-shapes.ts; the Google Cloud documents are declared below. Each declaration says where each
 * field is read from in the raw API object (see shape.ts): the zod schemas (TypeScript types, the
 * validation of the bundle written by `meshready collect`) and the strippers strip.ts runs are
 * both derived from them.
 */
import { z } from 'zod';
import { KIND_TABLE, type KubeKind } from './kinds.ts';
import type {
  clusterRole,
  configMap,
  istioConfig,
  istioOperator,
  namedObject,
  node,
  pod,
  service,
  webhookConfiguration,
  workload,
} from './kube-shapes.ts';
import { computed, flag, integer, items, nested, num, origin, shape, text, texts } from './shape.ts';

export type { KubeKind } from './kinds.ts';
export {
  type Container,
  metadataSchema,
  type ObjectMetadata,
  type OwnerReference,
  type PolicyRule,
  type ServicePort,
} from './kube-shapes.ts';

export const originSchema = origin().value;
export type Origin = z.infer<typeof originSchema>;

/** Each part's stripped shape (from the table); `kubeKinds` below holds their schemas. */
export const kubeShapes = Object.fromEntries(
  Object.entries(KIND_TABLE).map(([kind, declaration]) => [kind, declaration.kept]),
) as { readonly [K in KubeKind]: (typeof KIND_TABLE)[K]['kept'] };

export const KUBE_KINDS = Object.keys(KIND_TABLE) as KubeKind[];
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
  ...(Object.fromEntries(KUBE_KINDS.map((kind) => [kind, KIND_TABLE[kind].label])) as Record<
    KubeKind,
    string
  >),
  gkeCluster: 'GKE cluster data',
  firewalls: 'Compute firewall rules',
  machineTypes: 'Compute machine types',
};

export function emptyKubeObjects(): { [K in KubeKind]: z.infer<(typeof kubeKinds)[K]>[] } {
  return Object.fromEntries(KUBE_KINDS.map((kind) => [kind, []])) as unknown as {
    [K in KubeKind]: z.infer<(typeof kubeKinds)[K]>[];
  };
}
