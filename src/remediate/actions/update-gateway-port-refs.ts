/**
 * gateway-port-changes: move what names the 1.4 gateway ports to the 1.6 ones (a TODO).
 * `resource` is the kubectl resource name (or `firewall-rules`), `replacements` say what changes,
 * `allow` is a firewall rule's new `--allow`.
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../step.ts';
import { name, namespaceArgs, optionalText } from './common.ts';

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
  summary: 'Move an object off the 1.4 gateway ports (TODO)',
  title: () =>
    'Move what names the 1.4 gateway ports (80/443, status 15020) to the 1.6 ones (8080/8443, 15021)',
  steps: ([p]): Step[] => {
    if (!p) return [];
    return [
      {
        kind: 'comment',
        text: 'Human decision: do it before the gateway moves, listing the new port next to the old one',
        once: true,
      },
      { kind: 'comment', text: 'while 1.4 and 1.6 gateway pods run side by side. Changes:', once: true },
      ...p.replacements.map((line): Step => ({ kind: 'comment', text: `  ${line}` })),
      p.kind === 'Firewall'
        ? {
            kind: 'todo',
            text: `Add tcp:15021 to firewall rule ${p.name}`,
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
