import { defineRule, findingAbout, notApplicable } from '../src/engine/rule.ts';
import { ISTIO_SYSTEM } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { IstioOperator } from '../src/snapshot/model.ts';

const HEALTHY = 'HEALTHY';
/**
 * `istioctl install` (and install_asm, which runs it) saves what it installed as an IstioOperator
 * named `installed-state[-<revision>]`. No controller reconciles it, so it never has a status.
 */
const ISTIOCTL_RECORD_PREFIX = 'installed-state';

function isIstioctlRecord(operator: IstioOperator): boolean {
  return operator.metadata.name.startsWith(ISTIOCTL_RECORD_PREFIX);
}

export default defineRule({
  id: 'istio-operator-health',
  title: 'The IstioOperator reports HEALTHY',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['istiooperators'],
  docs: {
    summary: 'An IstioOperator in istio-system does not report `status.status: HEALTHY`.',
    checks:
      'Reads `status.status` of every IstioOperator in istio-system (the STATUS column of `kubectl get ' +
      'istiooperators -n istio-system`); anything but `HEALTHY` fails: `RECONCILING`, `UPDATING`, `ERROR`, ' +
      '`NONE`, or no status at all (the operator has not reconciled it). The `installed-state*` records that ' +
      '`istioctl install` writes are skipped: no controller ever sets their status. Not applicable when no ' +
      'IstioOperator (other than those records) exists in istio-system.',
    why:
      'With the add-on on 1.6, the Istio operator installs and updates the 1.6 control plane from this ' +
      'custom resource ("Upgrading to Istio 1.6 with the operator", "Benefits of the Istio Operator"). An operator that is not HEALTHY has not ' +
      'finished installing istiod or the gateways, so the namespaces and the gateway cannot be moved yet.',
    fix:
      'Inspect the resource (`kubectl get istiooperators -n istio-system NAME -o yaml`): ' +
      '`status.componentStatus` names the failing component and its error; the operator pod logs say why. ' +
      'Fix the cause (often a recent edit of the CR), then wait for `HEALTHY`.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE)',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Istio operator install',
        url: 'https://istio.io/v1.6/docs/setup/install/standalone-operator/',
      },
    ],
  },
  check(snapshot) {
    const operators = snapshot.kube.istiooperators.filter(
      (operator) => operator.metadata.namespace === ISTIO_SYSTEM && !isIstioctlRecord(operator),
    );
    if (operators.length === 0) return notApplicable(`no IstioOperator in ${ISTIO_SYSTEM}`);
    return operators
      .filter((operator) => operator.status !== HEALTHY)
      .map((operator) => {
        const state =
          operator.status === undefined
            ? 'has no status: the operator has not reconciled it (is the operator running?)'
            : `reports ${operator.status}, not ${HEALTHY}`;
        return findingAbout(
          operator,
          `IstioOperator ${operator.metadata.name} in ${ISTIO_SYSTEM} ${state}. The 1.6 control plane it ` +
            'installs may be incomplete: read status.componentStatus for the failing component.',
          {
            fix: fix('inspect-operator', {
              namespace: ISTIO_SYSTEM,
              name: operator.metadata.name,
              status: operator.status,
            }),
          },
        );
      });
  },
});
