/**
 * Every Kubernetes kind meshready reads, declared once (STYLE §14; kube-linter's pkg/objectkinds
 * registers each kind once, with its matcher). One row per snapshot part: its API resources
 * (group, version and the older versions the collector falls back to, plural, kind, scope), the
 * namespace it is limited to, which of its objects are kept, the fields kept (kube-shapes.ts) and
 * the raw fields checked before stripping (raw-fields.ts).
 *
 * Everything else is derived from this table: the snapshot model's types and part list
 * (model.ts), the kind lookup of the loader and the collector and which objects are kept
 * (strip.ts), the raw-object check (raw-schema.ts), the collector's list calls
 * (collect/resources.ts), the RBAC of `meshready manifests` (collect/rbac.ts), and the "what is
 * read" tables of docs/live.md and docs/snapshots.md (scripts/generate-kind-docs.ts). Which rules
 * need a part is said once, by each rule's `needs`; test/snapshot/kinds.test.ts proves that every
 * part a rule needs is collected, stripped, checked and granted, and that nothing else is granted.
 *
 * Adding a kind: one row here (with a new part, or a new resource of an existing part), and the
 * rule that reads it.
 */
import {
  clusterRole,
  configMap,
  daemonSet,
  istioConfig,
  istioOperator,
  namedObject,
  node,
  type ObjectMetadata,
  pod,
  service,
  webhookConfiguration,
  workload,
} from './kube-shapes.ts';
import {
  AUTHORIZATION_POLICY_FIELDS,
  BACKEND_CONFIG_FIELDS,
  CLUSTER_ROLE_FIELDS,
  DAEMON_SET_FIELDS,
  ISTIO_OPERATOR_FIELDS,
  NETWORK_POLICY_FIELDS,
  NODE_FIELDS,
  POD_FIELDS,
  type RawShape,
  SERVICE_FIELDS,
  VIRTUAL_SERVICE_FIELDS,
  WEBHOOK_CONFIGURATION_FIELDS,
  WORKLOAD_FIELDS,
} from './raw-fields.ts';
import type { Shape } from './shape.ts';

export type Scope = 'Namespaced' | 'Cluster';

/** One API resource: what the collector lists, what RBAC grants, what the loader recognises. */
export interface ApiResource {
  /** API group, "" for the core group. */
  readonly group: string;
  /** The version the collector lists. */
  readonly version: string;
  /** Versions the collector lists instead, in order, when the cluster does not serve `version`. */
  readonly olderVersions: readonly string[];
  /** Plural resource name; `*` means every resource the group serves (found by discovery). */
  readonly resource: string;
  /** The kind of the objects; `*` (with resource `*`) means any kind of the group. */
  readonly kind: string;
  readonly scope: Scope;
  /** Other API groups the loader also takes this kind from (dumps of older clusters). */
  readonly alsoLoadedFrom: readonly string[];
  /** The only versions the loader takes; undefined: any version of the group. */
  readonly loadedVersions: readonly string[] | undefined;
  /**
   * For a `*` resource: the resources RBAC grants (a role must not use a wildcard). The collector
   * still lists what discovery finds; a resource outside this list is then forbidden and its part
   * reported as not collected, never guessed.
   */
  readonly grantedResources: readonly string[] | undefined;
}

/** A snapshot part: the objects of its API resources, as the rules read them. */
export interface KindDeclaration<S extends Shape<unknown> = Shape<unknown>> {
  /** Human name, for reasons such as "Pods not collected". */
  readonly label: string;
  /** The API resources whose objects go into this part; none: it is read from snapshot files only. */
  readonly resources: readonly ApiResource[];
  /** What is kept of each object: its stripper and its schema in the snapshot (kube-shapes.ts). */
  readonly kept: S;
  /** The raw fields the rules decide on, checked before stripping (raw-fields.ts); metadata always is. */
  readonly checked?: RawShape;
  /** Only objects in this namespace are listed (granted by a Role there) and kept. */
  readonly namespace?: string;
  /** Only the objects this accepts are kept (the collector lists them all); `says` is for the docs. */
  readonly keepOnly?: { readonly test: (metadata: ObjectMetadata) => boolean; readonly says: string };
  /**
   * The part takes the namespaced objects, in `namespace`, of every API group Kubernetes does not
   * serve itself (strip.ts isBuiltInGroup) that no other part takes.
   */
  readonly catchesOtherCustomKinds?: true;
  /**
   * A rule reads who edited these objects (`managers`, from metadata.managedFields), which
   * kubectl 1.21+ leaves out of a dump unless asked (`--show-managed-fields`).
   */
  readonly readsFieldManagers?: true;
  /** Why a live scan lists none of this part (it has no resources); the part is then collected with this note. */
  readonly notListedLive?: string;
}

interface ResourceOptions {
  readonly olderVersions?: readonly string[];
  readonly alsoLoadedFrom?: readonly string[];
  readonly loadedVersions?: readonly string[];
  readonly grantedResources?: readonly string[];
}

/** `api('apps/v1', 'deployments', 'Deployment', 'Namespaced')`, as `kubectl api-resources` says it. */
function api(
  groupVersion: string,
  resource: string,
  kind: string,
  scope: Scope,
  options: ResourceOptions = {},
): ApiResource {
  const slash = groupVersion.lastIndexOf('/');
  return {
    group: slash < 0 ? '' : groupVersion.slice(0, slash),
    version: groupVersion.slice(slash + 1),
    olderVersions: options.olderVersions ?? [],
    resource,
    kind,
    scope,
    alsoLoadedFrom: options.alsoLoadedFrom ?? [],
    loadedVersions: options.loadedVersions,
    grantedResources: options.grantedResources,
  };
}

/** Keeps the row's shape type exact, so the snapshot's types follow from the table. */
function kind<S extends Shape<unknown>>(declaration: KindDeclaration<S>): KindDeclaration<S> {
  return declaration;
}

/** Offline dumps of clusters before Kubernetes 1.16 may hold workloads as extensions/v1beta1. */
const WORKLOAD_OPTIONS: ResourceOptions = { alsoLoadedFrom: ['extensions'] };

/**
 * The Mixer kinds (`config.istio.io`) Istio 1.4 installs: its CRDs, as the add-on ships them
 * (Istio 1.4.10 install/kubernetes/helm/istio-init/files/crd-10.yaml:21,1387,1479,3148,3227,3399,
 * 4711,4742,4773,4804; all Namespaced).
 */
export const MIXER_RESOURCES_14: readonly string[] = [
  'adapters',
  'attributemanifests',
  'handlers',
  'httpapispecbindings',
  'httpapispecs',
  'instances',
  'quotaspecbindings',
  'quotaspecs',
  'rules',
  'templates',
];

/**
 * The v1alpha1 security kinds of Istio 1.4 (crd-10.yaml; MeshPolicy and ClusterRbacConfig are
 * cluster-scoped, crd-10.yaml:1692 and :96). Only v1alpha1 is read: it is the only version they had.
 */
const V1ALPHA1_ONLY: ResourceOptions = { loadedVersions: ['v1alpha1'] };

/**
 * The table. Its order is the order of the parts everywhere (coverage, bundles, the collector's
 * lists, the docs).
 */
export const KIND_TABLE = {
  namespaces: kind({
    label: 'Namespaces',
    resources: [api('v1', 'namespaces', 'Namespace', 'Cluster')],
    kept: namedObject,
  }),
  nodes: kind({
    label: 'Nodes',
    resources: [api('v1', 'nodes', 'Node', 'Cluster')],
    kept: node,
    checked: NODE_FIELDS,
  }),
  services: kind({
    label: 'Services',
    resources: [api('v1', 'services', 'Service', 'Namespaced')],
    kept: service,
    checked: SERVICE_FIELDS,
  }),
  pods: kind({
    label: 'Pods',
    resources: [api('v1', 'pods', 'Pod', 'Namespaced')],
    kept: pod,
    checked: POD_FIELDS,
  }),
  deployments: kind({
    label: 'Deployments',
    resources: [api('apps/v1', 'deployments', 'Deployment', 'Namespaced', WORKLOAD_OPTIONS)],
    kept: workload,
    checked: WORKLOAD_FIELDS,
    // ingress-gateway-upgrade-disruption names the edits the add-on manager will undo.
    readsFieldManagers: true,
  }),
  statefulsets: kind({
    label: 'StatefulSets',
    resources: [api('apps/v1', 'statefulsets', 'StatefulSet', 'Namespaced', WORKLOAD_OPTIONS)],
    kept: workload,
    checked: WORKLOAD_FIELDS,
  }),
  daemonsets: kind({
    label: 'DaemonSets',
    resources: [api('apps/v1', 'daemonsets', 'DaemonSet', 'Namespaced', WORKLOAD_OPTIONS)],
    kept: daemonSet,
    checked: DAEMON_SET_FIELDS,
  }),
  replicasets: kind({
    label: 'ReplicaSets',
    resources: [api('apps/v1', 'replicasets', 'ReplicaSet', 'Namespaced', WORKLOAD_OPTIONS)],
    kept: namedObject,
  }),
  validatingwebhookconfigurations: kind({
    label: 'ValidatingWebhookConfigurations',
    resources: [
      api(
        'admissionregistration.k8s.io/v1',
        'validatingwebhookconfigurations',
        'ValidatingWebhookConfiguration',
        'Cluster',
      ),
    ],
    kept: webhookConfiguration,
    checked: WEBHOOK_CONFIGURATION_FIELDS,
  }),
  mutatingwebhookconfigurations: kind({
    label: 'MutatingWebhookConfigurations',
    resources: [
      api(
        'admissionregistration.k8s.io/v1',
        'mutatingwebhookconfigurations',
        'MutatingWebhookConfiguration',
        'Cluster',
      ),
    ],
    kept: webhookConfiguration,
    checked: WEBHOOK_CONFIGURATION_FIELDS,
  }),
  clusterroles: kind({
    label: 'ClusterRoles',
    resources: [api('rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', 'Cluster')],
    kept: clusterRole,
    checked: CLUSTER_ROLE_FIELDS,
    keepOnly: { test: (metadata) => metadata.name.includes('istio'), says: 'whose name contains `istio`' },
  }),
  configmaps: kind({
    label: 'ConfigMaps',
    resources: [api('v1', 'configmaps', 'ConfigMap', 'Namespaced')],
    kept: configMap,
    namespace: 'istio-system',
  }),
  istiooperators: kind({
    label: 'IstioOperators',
    // Istio 1.6.0 manifests/charts/base/crds/crd-operator.yaml:29.
    resources: [api('install.istio.io/v1alpha1', 'istiooperators', 'IstioOperator', 'Namespaced')],
    kept: istioOperator,
    checked: ISTIO_OPERATOR_FIELDS,
  }),
  /** Kept by name: the rules list them, none reads their spec. */
  envoyfilters: kind({
    label: 'EnvoyFilters',
    resources: [api('networking.istio.io/v1alpha3', 'envoyfilters', 'EnvoyFilter', 'Namespaced')],
    kept: namedObject,
  }),
  virtualservices: kind({
    label: 'VirtualServices',
    resources: [api('networking.istio.io/v1alpha3', 'virtualservices', 'VirtualService', 'Namespaced')],
    kept: istioConfig,
    checked: VIRTUAL_SERVICE_FIELDS,
  }),
  mixerconfigs: kind({
    label: 'Mixer configuration (config.istio.io)',
    resources: [
      api('config.istio.io/v1alpha2', '*', '*', 'Namespaced', { grantedResources: MIXER_RESOURCES_14 }),
    ],
    kept: namedObject,
  }),
  securitypolicies: kind({
    label: 'v1alpha1 security policies',
    resources: [
      api('authentication.istio.io/v1alpha1', 'policies', 'Policy', 'Namespaced', V1ALPHA1_ONLY),
      api('authentication.istio.io/v1alpha1', 'meshpolicies', 'MeshPolicy', 'Cluster', V1ALPHA1_ONLY),
      api('rbac.istio.io/v1alpha1', 'serviceroles', 'ServiceRole', 'Namespaced', V1ALPHA1_ONLY),
      api('rbac.istio.io/v1alpha1', 'servicerolebindings', 'ServiceRoleBinding', 'Namespaced', V1ALPHA1_ONLY),
      api('rbac.istio.io/v1alpha1', 'rbacconfigs', 'RbacConfig', 'Namespaced', V1ALPHA1_ONLY),
      api('rbac.istio.io/v1alpha1', 'clusterrbacconfigs', 'ClusterRbacConfig', 'Cluster', V1ALPHA1_ONLY),
    ],
    kept: istioConfig,
  }),
  /** Namespaced custom resources in istio-system of any group that is not built in (name only). */
  customresources: kind({
    label: 'Custom resources in istio-system',
    resources: [],
    kept: namedObject,
    namespace: 'istio-system',
    catchesOtherCustomKinds: true,
    // Listing every custom group live would need a role that can read everything, Secrets included.
    notListedLive:
      'a live scan lists only the kinds meshready reads, under a least-privilege role; list the others with ' +
      '`kubectl api-resources --namespaced -o name` or scan a snapshot that holds them',
  }),
  authorizationpolicies: kind({
    label: 'AuthorizationPolicies (security.istio.io)',
    // Istio 1.4.10 install/kubernetes/helm/istio-init/files/crd-14.yaml:17.
    resources: [
      api('security.istio.io/v1beta1', 'authorizationpolicies', 'AuthorizationPolicy', 'Namespaced'),
    ],
    kept: istioConfig,
    checked: AUTHORIZATION_POLICY_FIELDS,
  }),
  peerauthentications: kind({
    label: 'PeerAuthentications (security.istio.io)',
    // Istio 1.6.0 manifests/charts/base/crds/crd-all.gen.yaml:4737.
    resources: [api('security.istio.io/v1beta1', 'peerauthentications', 'PeerAuthentication', 'Namespaced')],
    kept: istioConfig,
  }),
  requestauthentications: kind({
    label: 'RequestAuthentications (security.istio.io)',
    // Istio 1.6.0 manifests/charts/base/crds/crd-all.gen.yaml:4819.
    resources: [
      api('security.istio.io/v1beta1', 'requestauthentications', 'RequestAuthentication', 'Namespaced'),
    ],
    kept: istioConfig,
  }),
  networkpolicies: kind({
    label: 'NetworkPolicies',
    resources: [api('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', 'Namespaced')],
    kept: istioConfig,
    checked: NETWORK_POLICY_FIELDS,
  }),
  backendconfigs: kind({
    label: 'BackendConfigs (cloud.google.com)',
    // v1 from GKE 1.16.8-gke.3 on; older masters serve v1beta1 only.
    resources: [
      api('cloud.google.com/v1', 'backendconfigs', 'BackendConfig', 'Namespaced', {
        olderVersions: ['v1beta1'],
      }),
    ],
    kept: istioConfig,
    checked: BACKEND_CONFIG_FIELDS,
  }),
};

export type KubeKind = keyof typeof KIND_TABLE;
