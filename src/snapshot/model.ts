/**
 * The ClusterSnapshot: everything a rule may read, for live and offline scans alike.
 *
 * Objects are stripped to the fields rules need as soon as they are read (see strip.ts), so a
 * snapshot of a very large cluster stays small. These zod schemas are the single definition of
 * that stripped shape: TypeScript types are inferred from them, and the bundle written by
 * `meshready collect` is validated against them when it is read back.
 */
import { z } from 'zod';

export const originSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
});
export type Origin = z.infer<typeof originSchema>;

export const ownerReferenceSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  uid: z.string().optional(),
  controller: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof ownerReferenceSchema>;

const stringMap = z.record(z.string(), z.string());

export const metadataSchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
  /** Names of the field managers in metadata.managedFields (who edited the object). */
  managers: z.array(z.string()).optional(),
});
export type ObjectMetadata = z.infer<typeof metadataSchema>;

/** What every stripped Kubernetes object has. */
const kubeObject = {
  apiVersion: z.string(),
  kind: z.string(),
  metadata: metadataSchema,
  origin: originSchema.optional(),
};

export const containerSchema = z.object({ name: z.string(), image: z.string().optional() });
export type Container = z.infer<typeof containerSchema>;

export const namespaceSchema = z.object({ ...kubeObject });
export const nodeSchema = z.object({
  ...kubeObject,
  cpuCapacity: z.string().optional(),
  kubeletVersion: z.string().optional(),
});
export const servicePortSchema = z.object({
  name: z.string().optional(),
  port: z.number().int(),
  protocol: z.string().optional(),
  appProtocol: z.string().optional(),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
});
export type ServicePort = z.infer<typeof servicePortSchema>;
export const serviceSchema = z.object({
  ...kubeObject,
  type: z.string().optional(),
  ports: z.array(servicePortSchema),
  /** spec.selector: the workload labels behind the Service (read by `meshready convert`). */
  selector: stringMap.optional(),
});
export const podSchema = z.object({
  ...kubeObject,
  containers: z.array(containerSchema),
  phase: z.string().optional(),
  ready: z.boolean(),
});
export const workloadSchema = z.object({
  ...kubeObject,
  replicas: z.number().int().optional(),
  readyReplicas: z.number().int().optional(),
  templateLabels: stringMap.optional(),
  containers: z.array(containerSchema),
});
export const replicaSetSchema = z.object({ ...kubeObject });
export const webhookConfigurationSchema = z.object({
  ...kubeObject,
  webhooks: z.array(z.string()),
});
export const policyRuleSchema = z.object({
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
  verbs: z.array(z.string()),
});
export type PolicyRule = z.infer<typeof policyRuleSchema>;
export const clusterRoleSchema = z.object({ ...kubeObject, rules: z.array(policyRuleSchema) });
export const configMapSchema = z.object({
  ...kubeObject,
  /** The mesh config's rootNamespace, kept from the `istio` ConfigMap only. */
  meshRootNamespace: z.string().optional(),
});
export const gatewayComponentSchema = z.object({
  name: z.string().optional(),
  enabled: z.boolean().optional(),
});
export const istioOperatorSchema = z.object({
  ...kubeObject,
  profile: z.string().optional(),
  revision: z.string().optional(),
  tag: z.string().optional(),
  ingressGateways: z.array(gatewayComponentSchema).optional(),
  status: z.string().optional(),
  /**
   * The settings install_asm's plain migration would drop: `spec.meshConfig`, `spec.values` and
   * the `k8s` settings of components other than gateways, as written (install-asm-preconditions).
   */
  customSettings: z
    .object({
      meshConfig: z.record(z.string(), z.unknown()).optional(),
      values: z.record(z.string(), z.unknown()).optional(),
      componentK8s: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    })
    .optional(),
});
/** Configuration objects whose spec some rule reads in full (there are few of them). */
export const istioConfigSchema = z.object({ ...kubeObject, spec: z.unknown().optional() });

export const kubeKinds = {
  namespaces: namespaceSchema,
  nodes: nodeSchema,
  services: serviceSchema,
  pods: podSchema,
  deployments: workloadSchema,
  statefulsets: workloadSchema,
  daemonsets: workloadSchema,
  replicasets: replicaSetSchema,
  validatingwebhookconfigurations: webhookConfigurationSchema,
  mutatingwebhookconfigurations: webhookConfigurationSchema,
  clusterroles: clusterRoleSchema,
  configmaps: configMapSchema,
  istiooperators: istioOperatorSchema,
  envoyfilters: istioConfigSchema,
  virtualservices: istioConfigSchema,
  mixerconfigs: istioConfigSchema,
  securitypolicies: istioConfigSchema,
  /** Namespaced custom resources in istio-system of any group that is not built in (name only). */
  customresources: z.object({ ...kubeObject }),
  authorizationpolicies: istioConfigSchema,
  networkpolicies: istioConfigSchema,
  backendconfigs: istioConfigSchema,
} as const;

export type KubeKind = keyof typeof kubeKinds;
export const KUBE_KINDS = Object.keys(kubeKinds) as KubeKind[];

export type Namespace = z.infer<typeof namespaceSchema>;
export type Node = z.infer<typeof nodeSchema>;
export type Service = z.infer<typeof serviceSchema>;
export type Pod = z.infer<typeof podSchema>;
export type Workload = z.infer<typeof workloadSchema>;
export type ReplicaSet = z.infer<typeof replicaSetSchema>;
export type WebhookConfiguration = z.infer<typeof webhookConfigurationSchema>;
export type ClusterRole = z.infer<typeof clusterRoleSchema>;
export type ConfigMap = z.infer<typeof configMapSchema>;
export type IstioOperator = z.infer<typeof istioOperatorSchema>;
export type IstioConfig = z.infer<typeof istioConfigSchema>;
export type KubeObject = z.infer<(typeof kubeKinds)[KubeKind]>;
export type KubeObjects = { readonly [K in KubeKind]: readonly z.infer<(typeof kubeKinds)[K]>[] };

// ---- Google Cloud -------------------------------------------------------------------------

export const nodePoolSchema = z.object({
  name: z.string(),
  machineType: z.string().optional(),
  initialNodeCount: z.number().int().optional(),
  /** Zones of the pool; a regional pool has several and its node count is per zone. */
  locations: z.array(z.string()).optional(),
  autoscaling: z
    .object({
      enabled: z.boolean().optional(),
      minNodeCount: z.number().int().optional(),
      maxNodeCount: z.number().int().optional(),
      totalMinNodeCount: z.number().int().optional(),
      totalMaxNodeCount: z.number().int().optional(),
    })
    .optional(),
  /** GKE_METADATA when the pool serves Workload Identity. */
  workloadMetadataMode: z.string().optional(),
  tags: z.array(z.string()).optional(),
  version: z.string().optional(),
  serviceAccount: z.string().optional(),
});
export type NodePool = z.infer<typeof nodePoolSchema>;

export const gkeClusterSchema = z.object({
  name: z.string(),
  project: z.string().optional(),
  location: z.string().optional(),
  locations: z.array(z.string()).optional(),
  currentMasterVersion: z.string().optional(),
  currentNodeVersion: z.string().optional(),
  network: z.string().optional(),
  subnetwork: z.string().optional(),
  privateNodes: z.boolean(),
  controlPlaneCidr: z.string().optional(),
  workloadPool: z.string().optional(),
  /** From v1beta1 addonsConfig.istioConfig; undefined when the document does not say (v1 API). */
  istioAddon: z.object({ enabled: z.boolean(), auth: z.string().optional() }).optional(),
  nodePools: z.array(nodePoolSchema),
  origin: originSchema.optional(),
});
export type GkeCluster = z.infer<typeof gkeClusterSchema>;

export const firewallPermissionSchema = z.object({
  IPProtocol: z.string(),
  ports: z.array(z.string()).optional(),
});
export type FirewallPermission = z.infer<typeof firewallPermissionSchema>;

export const firewallRuleSchema = z.object({
  name: z.string(),
  network: z.string().optional(),
  direction: z.string().optional(),
  priority: z.number().int().optional(),
  disabled: z.boolean().optional(),
  sourceRanges: z.array(z.string()).optional(),
  sourceTags: z.array(z.string()).optional(),
  targetTags: z.array(z.string()).optional(),
  targetServiceAccounts: z.array(z.string()).optional(),
  allowed: z.array(firewallPermissionSchema).optional(),
  denied: z.array(firewallPermissionSchema).optional(),
  origin: originSchema.optional(),
});
export type FirewallRule = z.infer<typeof firewallRuleSchema>;

export const machineTypeSchema = z.object({
  name: z.string(),
  zone: z.string().optional(),
  guestCpus: z.number().int().nonnegative(),
  isSharedCpu: z.boolean().optional(),
  origin: originSchema.optional(),
});
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
