/**
 * namespace-injection-labels: point a namespace at the 1.6 (or asm-*) revision (guide: migrating
 * namespaces, step 2). `revision` is empty when no istiod revision ran at scan time: then a TODO.
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../step.ts';
import { name } from './common.ts';

export default defineFixAction({
  action: 'relabel-namespace',
  params: z.object({ namespace: name, revision: z.string() }),
  order: 170,
  summary: 'Relabel the namespace (only once the revision is ready)',
  title: () => 'Point the namespace at the new control plane (guide: migrating namespaces, step 2)',
  steps: ([p]): Step[] => {
    if (!p) return [];
    if (!p.revision) {
      return [
        { kind: 'comment', text: 'No ready istiod revision existed when the scan was taken: there is no revision to label with.' },
        {
          kind: 'todo',
          text: 'Once a 1.6 istiod runs, find its revision and relabel this namespace with it (or scan again)',
          commands: [
            { argv: ['kubectl', '-n', 'istio-system', 'get', 'pods', '-l', 'app=istiod', '--show-labels'] },
            { argv: ['kubectl', 'label', 'namespace', p.namespace, 'istio-injection-', 'istio.io/rev=REVISION', '--overwrite'] },
          ],
        },
      ];
    }
    return [
      {
        kind: 'call',
        fn: 'relabel_namespace',
        args: [p.namespace, p.revision],
        shows: [
          {
            kind: 'run',
            argv: ['kubectl', 'label', 'namespace', p.namespace, 'istio-injection-', `istio.io/rev=${p.revision}`, '--overwrite'],
          },
        ],
      },
    ];
  },
});
