/**
 * gateway-port-changes: add the 1.6 gateway ports beside the 1.4 ones where the gateway's traffic
 * is allowed or checked (a TODO; the step that enables the 1.6 gateway checks it at run time).
 * `resource` is the kubectl resource name (or `firewall-rules`), `replacements` say what changes,
 * `allow` is a firewall rule's new `--allow`.
 */
import { z } from 'zod';
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
        : {
            kind: 'todo',
            text: `Edit ${p.kind} ${p.name}: ${p.replacements.join('; ')}`,
            commands: [{ argv: ['kubectl', 'edit', p.resource, ...namespaceArgs(p.namespace), p.name] }],
          },
    ];
  },
});
