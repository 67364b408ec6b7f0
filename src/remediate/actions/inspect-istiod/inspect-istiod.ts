/** istiod-revision-ready: look at istiod (read-only); `revisions` are those found, none ready. */
import { z } from 'zod';
import { defineFixAction, type Step } from '../../step.ts';

export default defineFixAction({
  action: 'inspect-istiod',
  params: z.object({ revisions: z.array(z.string()) }),
  order: 40,
  functions: [],
  summary: 'Check the 1.6 istiod (read-only)',
  title: () => 'Check that the Istio 1.6 control plane (istiod) runs beside 1.4 (guide, step 2)',
  steps: ([p]) => [
    p && p.revisions.length > 0
      ? {
          kind: 'note',
          text: `The scan found these istiod revisions, none of them ready: ${p.revisions.join(', ')}`,
        }
      : {
          kind: 'note',
          text: 'The scan found no istiod with an istio.io/rev label: it comes with the cluster upgrade (GKE 1.17.9-gke.6300 or later).',
        },
    {
      kind: 'check',
      argv: ['kubectl', 'get', 'pods', '-n', 'istio-system', '-l', 'app=istiod', '--show-labels'],
    },
    ...(p?.revisions ?? []).map(
      (revision): Step => ({
        kind: 'check',
        argv: [
          'kubectl',
          'describe',
          'pods',
          '-n',
          'istio-system',
          '-l',
          `app=istiod,istio.io/rev=${revision}`,
        ],
      }),
    ),
    {
      kind: 'note',
      text: 'Namespaces can only move to a revision whose istiod is Running and Ready; the next phase checks it again.',
    },
  ],
});
