import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { WorkloadRef } from '../src/engine/snapshot-index.ts';
import { type MeshProxy, meshIndex, proxyVersionsText } from '../src/istio/mesh-index.ts';
import { INGRESS_GATEWAY_APP, ISTIO_SYSTEM } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { IstioOperator } from '../src/snapshot/model.ts';

/** Upstream profiles whose defaults enable istio-ingressgateway when the CR does not say. */
const PROFILES_WITH_INGRESS: ReadonlySet<string> = new Set(['default', 'demo', 'preview']);

function gatewayEntry(operator: IstioOperator): number {
  return (operator.ingressGateways ?? []).findIndex((g) => g.name === INGRESS_GATEWAY_APP);
}

/** Whether the operator runs istio-ingressgateway: its list entry says so, else its profile's default. */
function enablesGateway(operator: IstioOperator): boolean {
  const entry = operator.ingressGateways?.[gatewayEntry(operator)];
  if (entry?.enabled !== undefined) return entry.enabled;
  return PROFILES_WITH_INGRESS.has(operator.profile ?? 'default');
}

function podCount(proxies: readonly MeshProxy[]): string {
  return `${proxies.length} pod${proxies.length === 1 ? '' : 's'}`;
}

function operatorFinding(operator: IstioOperator, oldGateways: readonly MeshProxy[]): RuleFinding {
  const index = gatewayEntry(operator);
  const entry = operator.ingressGateways?.[index];
  const state =
    index < 0
      ? `has no ingressGateways entry named ${INGRESS_GATEWAY_APP} (profile ${operator.profile ?? 'default'} does not enable it)`
      : `has ingressGateways[${index}] (${INGRESS_GATEWAY_APP}) with enabled: ${entry?.enabled ?? 'unset'}`;
  const running =
    oldGateways.length > 0
      ? ` The gateway still runs the 1.4 add-on's (${podCount(oldGateways)} on ${proxyVersionsText(oldGateways)}).`
      : '';
  const remedy =
    index < 0
      ? ` Add {name: ${INGRESS_GATEWAY_APP}, enabled: true} under spec.components.ingressGateways.`
      : ` Set spec.components.ingressGateways[${index}].enabled to true.`;
  return findingAbout(
    operator,
    `IstioOperator ${ISTIO_SYSTEM}/${operator.metadata.name} ${state}, so the ingress gateway is not moved to ` +
      `Istio 1.6.${running}${remedy}`,
    index < 0
      ? { key: 'gateway-disabled' }
      : {
          key: 'gateway-disabled',
          fix: fix('enable-operator-gateway', { operator: operator.metadata.name, index }),
        },
  );
}

export default defineRule({
  id: 'ingress-gateway-revision',
  title: 'The ingress gateway runs on Istio 1.6',
  phase: 'migrate-gateway',
  targets: ['istio-1.6'],
  defaultSeverity: 'warning',
  needs: ['istiooperators', 'pods'],
  docs: {
    summary:
      'The IstioOperator does not enable the 1.6 ingress gateway, or gateway pods still run a 1.4 image.',
    checks:
      'Looks at the IstioOperators in istio-system (not the `installed-state*` copies istioctl keeps). Fails ' +
      'when none enables `spec.components.ingressGateways[name=istio-ingressgateway]` (an entry without ' +
      '`enabled` follows its profile: default, demo and preview enable it), one finding per IstioOperator. ' +
      'When one enables it, fails for each workload whose gateway pods (`app=istio-ingressgateway` in ' +
      'istio-system) still run an `istio-proxy` image older than 1.6. Not applicable when there is no ' +
      'IstioOperator (the 1.6 operator is not installed yet); unknown when a gateway image tag is not a version.',
    why:
      'To keep using the add-on, the gateway moves to 1.6 by enabling it in the IstioOperator CR; the operator ' +
      'then re-creates the gateway pods with the 1.6 image ("Upgrading to Istio 1.6 with the operator", migrating the ingress gateway, steps ' +
      '1-3). Until then the gateway depends on the 1.4 control plane.',
    fix:
      '`kubectl edit istiooperators -n istio-system OPERATOR` and set `enabled: true` on the ' +
      '`istio-ingressgateway` entry of `spec.components.ingressGateways`, then check the image with ' +
      '`kubectl get pods -n istio-system -l app=istio-ingressgateway -o yaml | grep image`. First add the 1.6 ' +
      'gateway ports beside the 1.4 ones wherever `gateway-port-changes` finds them missing: remediate.sh ' +
      'checks that again at run time and does not enable the gateway (it stops, exit 1) while one is open.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating the ingress gateway',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'IstioOperator options',
        url: 'https://istio.io/v1.6/docs/reference/config/istio.operator.v1alpha1/',
      },
    ],
  },
  check(_snapshot, { index }) {
    const mesh = meshIndex(index);
    const operators = mesh.controlPlaneOperators();
    if (operators.length === 0) {
      return notApplicable('no IstioOperator in istio-system: the Istio 1.6 operator is not installed yet');
    }
    const oldGateways = mesh.proxiesOn14().gateways;
    const enabling = operators.find(enablesGateway);
    if (!enabling) return operators.map((op) => operatorFinding(op, oldGateways));

    const byWorkload = new Map<string, { workload: WorkloadRef; proxies: MeshProxy[] }>();
    for (const proxy of oldGateways) {
      const workload = index.workloadOf(proxy.pod);
      const key = `${workload.kind}\u0000${workload.name}`;
      const group = byWorkload.get(key);
      if (group) group.proxies.push(proxy);
      else byWorkload.set(key, { workload, proxies: [proxy] });
    }
    const entryIndex = gatewayEntry(enabling);
    const findings = [...byWorkload.values()].map(
      ({ workload, proxies }): RuleFinding => ({
        message:
          `${workload.kind} ${workload.namespace}/${workload.name}: ${podCount(proxies)} of the ingress gateway ` +
          `still run${proxies.length === 1 ? 's' : ''} ${proxyVersionsText(proxies)} although IstioOperator ` +
          `${enabling.metadata.name} enables the 1.6 gateway. Check that the operator is healthy and has ` +
          're-created the gateway pods.',
        resource: {
          apiVersion: workload.apiVersion,
          kind: workload.kind,
          namespace: workload.namespace,
          name: workload.name,
        },
        origin: workload.object?.origin ?? proxies[0]?.pod.origin,
        key: 'gateway-pods-on-1.4',
        ...(entryIndex >= 0
          ? { fix: fix('enable-operator-gateway', { operator: enabling.metadata.name, index: entryIndex }) }
          : {}),
      }),
    );
    const unreadableGateways = mesh.ingressGatewayPods().filter((p) => p.version === undefined);
    if (findings.length === 0 && unreadableGateways.length > 0) {
      return unknown(
        `the image of ingress gateway pod ${unreadableGateways.map((p) => p.pod.metadata.name).join(', ')} ` +
          'has no version tag',
      );
    }
    return findings;
  },
});
