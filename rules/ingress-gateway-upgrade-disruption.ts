import { defineRule, findingAbout, notApplicable } from '../src/engine/rule.ts';
import { clusterMasterVersion } from '../src/gke/resources.ts';
import { ISTIO_SYSTEM } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';

const GATEWAY = 'istio-ingressgateway';

/**
 * Field managers that are not user edits. The GKE add-on manager applies the add-on's manifests
 * (`kube-addon-manager`; `addon-manager` on some versions); `kube-controller-manager` writes the
 * Deployment's status and revision annotation.
 */
const NOT_USER_EDITS: ReadonlySet<string> = new Set([
  'kube-addon-manager',
  'addon-manager',
  'kube-controller-manager',
]);
/**
 * kubectl before 1.18 recorded every command (apply, edit, patch, ...) under this one name,
 * including the kubectl the upstream addon manager script runs, so it may not be a user edit.
 */
const AMBIGUOUS_KUBECTL = 'kubectl';

function describeEdits(managers: readonly string[] | undefined): string {
  if (managers === undefined) {
    return (
      'meshready cannot tell whether it was edited: the snapshot has no managedFields ' +
      '(kubectl 1.21+ hides them; dump it with `kubectl get --show-managed-fields -o yaml`).'
    );
  }
  const editors = managers.filter((manager) => !NOT_USER_EDITS.has(manager));
  if (editors.length === 0) return 'No edits by other field managers were found.';
  const caveat = editors.includes(AMBIGUOUS_KUBECTL)
    ? ` (\`${AMBIGUOUS_KUBECTL}\` may also be the add-on manager's own apply on older versions)`
    : '';
  return `Edits detected (field managers other than the add-on manager): ${editors.join(', ')}${caveat}; they will be lost.`;
}

export default defineRule({
  id: 'ingress-gateway-upgrade-disruption',
  title: 'The add-on ingress gateway survives the upgrade to 1.17',
  phase: 'cluster-upgrade',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  needs: ['gkeCluster', 'deployments'],
  docs: {
    summary:
      'Upgrading the master to 1.17 makes the add-on ingress gateway unavailable for about 5 minutes and ' +
      'discards edits to its Deployment.',
    checks:
      'Warns when the master version is below 1.17 and the add-on Deployment `istio-ingressgateway` exists in ' +
      "istio-system. The message names the edits detected: the field managers in the Deployment's " +
      '`metadata.managedFields` other than the add-on manager (`kube-addon-manager`) and ' +
      '`kube-controller-manager` (which only writes status), e.g. `kubectl-edit`, `kubectl-patch`, ' +
      '`kubectl-client-side-apply`, `kubectl` or `helm`. Passes on 1.17 or later. Unknown when the master ' +
      'version is not `MAJOR.MINOR.PATCH-gke.N`; not applicable when the add-on is disabled or the gateway ' +
      'Deployment does not exist.',
    why:
      'The guide "Upgrading to Istio 1.6 with the operator" warns that, when the cluster is upgraded to GKE 1.17 or later, the built-in ingress ' +
      'gateway is unavailable for about 5 minutes and user changes to the ingress Deployment are lost: the ' +
      'add-on re-creates it from its own manifest.',
    fix:
      'Plan the upgrade in a maintenance window, save the Deployment (`kubectl get deployment -n istio-system ' +
      'istio-ingressgateway -o yaml`) and re-apply your changes afterwards, or, as the guide recommends, install ' +
      'and manage a separate user-defined gateway and move traffic to it before upgrading.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE)',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Kubernetes: field management (managedFields)',
        url: 'https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management',
      },
    ],
  },
  check(snapshot, { index }) {
    const master = clusterMasterVersion(snapshot);
    if ('status' in master) return master;
    const { version, text } = master;
    if (version.major > 1 || version.minor >= 17) return [];
    const gateway = (index.deploymentsByNamespace().get(ISTIO_SYSTEM) ?? []).find(
      (deployment) => deployment.metadata.name === GATEWAY,
    );
    if (!gateway) return notApplicable(`no ${GATEWAY} Deployment in ${ISTIO_SYSTEM}`);
    const managers = gateway.metadata.managers;
    return [
      findingAbout(
        gateway,
        `Upgrading the master from ${text} to 1.17 or later makes ${GATEWAY} unavailable for about 5 minutes, ` +
          `and the add-on resets its Deployment. ${describeEdits(managers)} Consider serving traffic from a ` +
          'separately installed gateway before the upgrade.',
        {
          fix: fix('gateway-upgrade-outage', {
            namespace: ISTIO_SYSTEM,
            name: GATEWAY,
            editors: (managers ?? []).filter((manager) => !NOT_USER_EDITS.has(manager)),
          }),
        },
      ),
    ];
  },
});
