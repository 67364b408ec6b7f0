/**
 * What the live collector reads from the Kubernetes API, one entry per list call. This table is
 * also the source of the read-only ClusterRole and Roles that `meshready manifests` prints, so the
 * RBAC always covers exactly what the collector requests (and never Secrets).
 */
import type { KubeKind } from '../snapshot/model.ts';

export interface CollectedResource {
  /** The snapshot part the objects go into. */
  readonly part: KubeKind;
  /** API group, "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Versions to list instead, in order, when the cluster does not serve `version`. */
  readonly olderVersions?: readonly string[];
  /** Plural resource name; `*` means every resource the group serves (found by discovery). */
  readonly resource: string;
  /** The kind of the objects (list items of built-in types do not carry it); empty for `*`. */
  readonly kind: string;
  /** Only this namespace is listed, when set. */
  readonly namespace?: string;
  /**
   * For a `*` row: the resources RBAC grants (a role must not use a wildcard). The collector still
   * lists what discovery finds; a resource outside this list is then forbidden and its part
   * reported as not collected, never guessed.
   */
  readonly grantedResources?: readonly string[];
}

/** The Mixer kinds (`config.istio.io`) Istio 1.4 installs: its CRDs, as the add-on ships them. */
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

export const COLLECTED_RESOURCES: readonly CollectedResource[] = [
  { part: 'namespaces', group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace' },
  { part: 'nodes', group: '', version: 'v1', resource: 'nodes', kind: 'Node' },
  { part: 'services', group: '', version: 'v1', resource: 'services', kind: 'Service' },
  { part: 'pods', group: '', version: 'v1', resource: 'pods', kind: 'Pod' },
  { part: 'deployments', group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' },
  { part: 'statefulsets', group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet' },
  { part: 'daemonsets', group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet' },
  { part: 'replicasets', group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet' },
  {
    part: 'validatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
  },
  {
    part: 'mutatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
  },
  {
    part: 'clusterroles',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
  },
  {
    part: 'configmaps',
    group: '',
    version: 'v1',
    resource: 'configmaps',
    kind: 'ConfigMap',
    namespace: 'istio-system',
  },
  {
    part: 'istiooperators',
    group: 'install.istio.io',
    version: 'v1alpha1',
    resource: 'istiooperators',
    kind: 'IstioOperator',
  },
  {
    part: 'envoyfilters',
    group: 'networking.istio.io',
    version: 'v1alpha3',
    resource: 'envoyfilters',
    kind: 'EnvoyFilter',
  },
  {
    part: 'virtualservices',
    group: 'networking.istio.io',
    version: 'v1alpha3',
    resource: 'virtualservices',
    kind: 'VirtualService',
  },
  {
    part: 'mixerconfigs',
    group: 'config.istio.io',
    version: 'v1alpha2',
    resource: '*',
    kind: '',
    grantedResources: MIXER_RESOURCES_14,
  },
  {
    part: 'securitypolicies',
    group: 'authentication.istio.io',
    version: 'v1alpha1',
    resource: 'policies',
    kind: 'Policy',
  },
  {
    part: 'securitypolicies',
    group: 'authentication.istio.io',
    version: 'v1alpha1',
    resource: 'meshpolicies',
    kind: 'MeshPolicy',
  },
  {
    part: 'securitypolicies',
    group: 'rbac.istio.io',
    version: 'v1alpha1',
    resource: 'serviceroles',
    kind: 'ServiceRole',
  },
  {
    part: 'securitypolicies',
    group: 'rbac.istio.io',
    version: 'v1alpha1',
    resource: 'servicerolebindings',
    kind: 'ServiceRoleBinding',
  },
  {
    part: 'securitypolicies',
    group: 'rbac.istio.io',
    version: 'v1alpha1',
    resource: 'rbacconfigs',
    kind: 'RbacConfig',
  },
  {
    part: 'securitypolicies',
    group: 'rbac.istio.io',
    version: 'v1alpha1',
    resource: 'clusterrbacconfigs',
    kind: 'ClusterRbacConfig',
  },
  {
    part: 'authorizationpolicies',
    group: 'security.istio.io',
    version: 'v1beta1',
    resource: 'authorizationpolicies',
    kind: 'AuthorizationPolicy',
  },
  {
    part: 'peerauthentications',
    group: 'security.istio.io',
    version: 'v1beta1',
    resource: 'peerauthentications',
    kind: 'PeerAuthentication',
  },
  {
    part: 'requestauthentications',
    group: 'security.istio.io',
    version: 'v1beta1',
    resource: 'requestauthentications',
    kind: 'RequestAuthentication',
  },
  {
    part: 'networkpolicies',
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
  },
  {
    // v1 from GKE 1.16.8-gke.3 on; older masters serve v1beta1 only.
    part: 'backendconfigs',
    group: 'cloud.google.com',
    version: 'v1',
    olderVersions: ['v1beta1'],
    resource: 'backendconfigs',
    kind: 'BackendConfig',
  },
];
