/** mixer-custom-config: replace user Mixer configuration (a TODO); `resource` is the kubectl resource name. */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { getYaml, name, optionalText } from '../common.ts';

export default defineFixAction({
  action: 'review-mixer-config',
  params: z.object({ kind: name, resource: name, namespace: optionalText, name }),
  order: 100,
  functions: [],
  summary: 'Replace Mixer configuration (TODO)',
  title: () => 'Replace user Mixer configuration: deprecated in Istio 1.6, absent from Anthos Service Mesh',
  steps: ([p]) =>
    p
      ? [
          {
            kind: 'comment',
            text: 'Human decision: move what this object does elsewhere (telemetry v2 for metrics, an',
            once: true,
          },
          {
            kind: 'comment',
            text: 'AuthorizationPolicy or an external authorizer for policy checks) before the 1.4 control',
            once: true,
          },
          { kind: 'comment', text: 'plane (istio-policy, istio-telemetry) is turned off.', once: true },
          {
            kind: 'todo',
            text: `Replace what this ${p.kind} does before the 1.4 control plane is turned off, then delete it`,
            commands: [{ argv: getYaml(p.resource, p.namespace, p.name) }],
          },
        ]
      : [],
});
