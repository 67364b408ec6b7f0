/** virtualservice-removed-fields: rewrite fields Istio 1.6 rejects (a TODO); `fields` are JSON paths. */
import { z } from 'zod';
import { replacementFor } from '../../../istio/virtualservice-fields.ts';
import { defineFixAction, type Step } from '../../step.ts';
import { name } from '../common.ts';

export default defineFixAction({
  action: 'fix-virtualservice-fields',
  params: z.object({ namespace: name, name, fields: z.array(z.string()) }),
  order: 110,
  functions: [],
  summary: 'Rewrite VirtualService fields 1.6 rejects (TODO)',
  title: () => 'Remove fields Istio 1.6 no longer accepts from a VirtualService',
  steps: ([p]) =>
    p
      ? [
          { kind: 'comment', text: 'Human decision: each field found, and what replaces it in Istio 1.6:' },
          ...p.fields.map(
            (field): Step => ({ kind: 'comment', text: `  ${field} -> ${replacementFor(field)}` }),
          ),
          {
            kind: 'todo',
            text: `Rewrite these fields: ${p.fields.join(', ')}`,
            commands: [{ argv: ['kubectl', 'edit', 'virtualservice', '-n', p.namespace, p.name] }],
          },
        ]
      : [],
});
