/**
 * ingress-gateway-revision: enable ingressGateways[index] (named istio-ingressgateway) of the
 * IstioOperator, only once nothing that lets traffic reach the gateway names only the 1.4 ports
 * (a run-time gate: SPEC §9, gateway-port-changes).
 */
import { z } from 'zod';
import { gatewayPortsGateSteps } from '../../planned-steps.ts';
import { defineFixAction } from '../../step.ts';
import { name, patchOperatorSteps } from '../common.ts';

/** Each pod's name and images (guide: check the gateway image). */
export const POD_IMAGES_JSONPATH =
  'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{range .spec.containers[*]}{.image}{" "}{end}{"\\n"}{end}';

/** The JSON patch enabling entry `index`; the test operation guards the entry's name. */
export function gatewayPatch(index: number): string {
  return JSON.stringify([
    { op: 'test', path: `/spec/components/ingressGateways/${index}/name`, value: 'istio-ingressgateway' },
    { op: 'add', path: `/spec/components/ingressGateways/${index}/enabled`, value: true },
  ]);
}

export default defineFixAction({
  action: 'enable-operator-gateway',
  params: z.object({ operator: name, index: z.number().int().nonnegative() }),
  order: 200,
  functions: ['enable_operator_gateway'],
  summary: 'Enable the 1.6 ingress gateway in the IstioOperator',
  title: () => 'Enable the 1.6 ingress gateway in the IstioOperator (guide: migrating the ingress gateway)',
  steps: ([p], context) => {
    if (!p) return [];
    const file = context.backup('istiooperator', p.operator);
    return [
      ...gatewayPortsGateSteps(context.cluster),
      {
        kind: 'call',
        fn: 'enable_operator_gateway',
        args: [p.operator, String(p.index), file],
        shows: patchOperatorSteps(p.operator, file, 'json', gatewayPatch(p.index)),
      },
      {
        kind: 'check',
        argv: [
          'kubectl',
          'get',
          'pods',
          '-n',
          'istio-system',
          '-l',
          'app=istio-ingressgateway',
          '-o',
          POD_IMAGES_JSONPATH,
        ],
      },
      {
        kind: 'note',
        text: 'The gateway pods should be re-created with a 1.6 image (the operator may take a minute).',
      },
    ];
  },
});
