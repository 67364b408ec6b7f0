/**
 * What the live collector reads from the Kubernetes API, one entry per list call. This table is
 * also the source of the read-only ClusterRole that `meshready manifests` prints, so the RBAC
 * always covers exactly what the collector requests (and never Secrets).
 */
import type { KubeKind } from '../snapshot/model.ts';

export interface CollectedResource {
  /** The snapshot part the objects go into. */
  readonly part: KubeKind;
  /** API group, "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name; `*` means every resource the group serves (found by discovery). */
  readonly resource: string;
  /** Only this namespace is listed, when set. */
  readonly namespace?: string;
}

export const COLLECTED_RESOURCES: readonly CollectedResource[] = [
  { part: 'namespaces', group: '', version: 'v1', resource: 'namespaces' },
  { part: 'nodes', group: '', version: 'v1', resource: 'nodes' },
  { part: 'services', group: '', version: 'v1', resource: 'services' },
  { part: 'pods', group: '', version: 'v1', resource: 'pods' },
  { part: 'deployments', group: 'apps', version: 'v1', resource: 'deployments' },
  { part: 'statefulsets', group: 'apps', version: 'v1', resource: 'statefulsets' },
  { part: 'daemonsets', group: 'apps', version: 'v1', resource: 'daemonsets' },
  { part: 'replicasets', group: 'apps', version: 'v1', resource: 'replicasets' },
  {
    part: 'validatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'validatingwebhookconfigurations',
  },
  {
    part: 'mutatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'mutatingwebhookconfigurations',
  },
  { part: 'clusterroles', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' },
  { part: 'configmaps', group: '', version: 'v1', resource: 'configmaps', namespace: 'istio-system' },
  { part: 'istiooperators', group: 'install.istio.io', version: 'v1alpha1', resource: 'istiooperators' },
  { part: 'envoyfilters', group: 'networking.istio.io', version: 'v1alpha3', resource: 'envoyfilters' },
  { part: 'virtualservices', group: 'networking.istio.io', version: 'v1alpha3', resource: 'virtualservices' },
  { part: 'mixerconfigs', group: 'config.istio.io', version: 'v1alpha2', resource: '*' },
  { part: 'securitypolicies', group: 'authentication.istio.io', version: 'v1alpha1', resource: 'policies' },
  {
    part: 'securitypolicies',
    group: 'authentication.istio.io',
    version: 'v1alpha1',
    resource: 'meshpolicies',
  },
  { part: 'securitypolicies', group: 'rbac.istio.io', version: 'v1alpha1', resource: 'serviceroles' },
  { part: 'securitypolicies', group: 'rbac.istio.io', version: 'v1alpha1', resource: 'servicerolebindings' },
  { part: 'securitypolicies', group: 'rbac.istio.io', version: 'v1alpha1', resource: 'rbacconfigs' },
  { part: 'securitypolicies', group: 'rbac.istio.io', version: 'v1alpha1', resource: 'clusterrbacconfigs' },
];
