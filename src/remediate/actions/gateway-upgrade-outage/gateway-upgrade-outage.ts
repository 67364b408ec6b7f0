/** ingress-gateway-upgrade-disruption: the master upgrade restarts the add-on gateway and loses its edits. */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name, untilMasterUpgraded } from '../common.ts';

export default defineFixAction({
  action: 'gateway-upgrade-outage',
  /** `editors` are the field managers seen on the gateway Deployment. */
  params: z.object({ namespace: name, name, editors: z.array(z.string()) }),
  order: 20,
  functions: [],
  summary: 'Back up the add-on ingress gateway before the master upgrade',
  title: () => 'Before the master upgrade: the add-on ingress gateway will restart',
  steps: ([p], context) => {
    if (!p) return [];
    return [
      ...untilMasterUpgraded(context),
      {
        kind: 'note',
        text: 'While the cluster upgrades, the add-on istio-ingressgateway is unavailable for about 5 minutes, and edits made to its Deployment are lost (the add-on manager restores its own manifest). To avoid both, install and manage your own gateway first (Istio on GKE: adding gateways).',
      },
      ...(p.editors.length > 0
        ? [{ kind: 'note', text: `Edits found on it (field managers): ${p.editors.join(', ')}` } as const]
        : []),
      {
        kind: 'backup',
        file: context.backup('deployment', p.namespace, p.name),
        argv: ['kubectl', 'get', 'deployment', '-n', p.namespace, p.name, '-o', 'yaml'],
      },
      { kind: 'note', text: 'The backup above keeps those edits, to re-apply by hand after the upgrade.' },
    ];
  },
});
