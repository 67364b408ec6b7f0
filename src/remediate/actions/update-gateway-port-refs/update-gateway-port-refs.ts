/**
 * gateway-port-changes: add the 1.6 gateway ports beside the 1.4 ones where the gateway's traffic
 * is allowed or checked (a TODO; the step that enables the 1.6 gateway checks it at run time).
 * `resource` is the kubectl resource name (or `firewall-rules`), `replacements` say what changes,
 * `allow` is a firewall rule's new `--allow`.
 */
import { z } from 'zod';
import { IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION } from '../../../engine/vocabulary.ts';
import { defineFixAction, type Step } from '../../step.ts';
import { name, namespaceArgs, optionalText } from '../common.ts';

export default defineFixAction({
  action: 'update-gateway-port-refs',
  params: z.object({
    kind: name,
    resource: name,
    namespace: optionalText,
    name,
    project: optionalText,
    replacements: z.array(z.string()),
    allow: z.array(z.string()),
  }),
  order: 190,
  functions: [],
  summary: 'Add the 1.6 gateway ports beside the 1.4 ones (TODO)',
  title: () =>
    'Add the 1.6 gateway ports (8080/8443, status 15021) beside the 1.4 ones (80/443, 15020) for the gateway',
  steps: ([p]) => {
    if (!p) return [];
    return [
      {
        kind: 'comment',
        text: 'Human decision: before the gateway moves, add the new port beside the old one (1.4 and 1.6',
        once: true,
      },
      {
        kind: 'comment',
        text: 'gateway pods run side by side); remove the old one only in retire-old-control-plane. The step',
        once: true,
      },
      {
        kind: 'comment',
        text: 'that enables the 1.6 gateway checks these again and stops the phase while one is open. Changes:',
        once: true,
      },
      ...p.replacements.map((line): Step => ({ kind: 'comment', text: `  ${line}` })),
      p.kind === 'Firewall'
        ? {
            kind: 'todo',
            text: `Add tcp:15021 to firewall rule ${p.name}, keeping tcp:15020 until no 1.4 gateway pod is left`,
            commands: [
              {
                argv: [
                  'gcloud',
                  'compute',
                  'firewall-rules',
                  'update',
                  p.name,
                  '--allow',
                  p.allow.join(','),
                  ...(p.project ? ['--project', p.project] : []),
                ],
              },
            ],
          }
        : p.kind === 'BackendConfig'
          ? {
              kind: 'todo',
              text: `Keep BackendConfig ${p.name} on 15020 while both gateways run and acknowledge it; switch it to 15021 only in retire-old-control-plane`,
              commands: [
                ...(p.replacements.some((line) => line.includes('requestPath'))
                  ? [{ argv: ['kubectl', 'edit', p.resource, ...namespaceArgs(p.namespace), p.name] }]
                  : []),
                {
                  argv: [
                    'kubectl',
                    'annotate',
                    p.resource,
                    ...namespaceArgs(p.namespace),
                    p.name,
                    `${IGNORE_ANNOTATION}=gateway-port-changes`,
                    `${IGNORE_REASON_ANNOTATION}=15020 answers for the 1.4 and the 1.6 gateway pods; switch to 15021 once 1.4 is retired`,
                  ],
                },
              ],
            }
          : {
              kind: 'todo',
              text: `Edit ${p.kind} ${p.name}: ${p.replacements.join('; ')}`,
              commands: [{ argv: ['kubectl', 'edit', p.resource, ...namespaceArgs(p.namespace), p.name] }],
            },
    ];
  },
});
