/**
 * namespace-injection-labels: point a namespace at the 1.6 (or asm-*) revision (guide: migrating
 * namespaces, step 2). `revision` is empty when no istiod revision ran at scan time: then there is
 * nothing to run, and every such namespace shares one instruction.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name } from '../common.ts';

export default defineFixAction({
  action: 'relabel-namespace',
  params: z.object({ namespace: name, revision: z.string() }),
  order: 170,
  functions: ['relabel_namespace'],
  summary: 'Relabel the namespace (only once the revision is ready)',
  title: (p) =>
    p.revision
      ? 'Point the namespace at the new control plane (guide: migrating namespaces, step 2)'
      : 'Point the namespaces at the new control plane, once it runs (guide: migrating namespaces, step 2)',
  group: (p) => (p.revision ? JSON.stringify([p.namespace, p.revision]) : ''),
  steps: (group) => {
    const p = group[0];
    if (!p) return [];
    if (!p.revision) {
      return [
        {
          kind: 'comment',
          text: 'No ready istiod revision existed when the scan was taken: there is no revision to label with.',
        },
        {
          kind: 'todo',
          text: `Once a 1.6 istiod runs, find its revision and relabel ${group.length === 1 ? 'this namespace' : `these ${group.length} namespaces`} with it (or scan again)`,
          commands: [
            { argv: ['kubectl', '-n', 'istio-system', 'get', 'pods', '-l', 'app=istiod', '--show-labels'] },
            ...group.map((q, index) => ({
              argv: [
                'kubectl',
                'label',
                'namespace',
                q.namespace,
                'istio-injection-',
                'istio.io/rev=REVISION',
                '--overwrite',
              ],
              for: [index],
            })),
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
            argv: [
              'kubectl',
              'label',
              'namespace',
              p.namespace,
              'istio-injection-',
              `istio.io/rev=${p.revision}`,
              '--overwrite',
            ],
          },
        ],
      },
    ];
  },
});
