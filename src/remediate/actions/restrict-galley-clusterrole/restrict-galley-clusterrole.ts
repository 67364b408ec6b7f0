/**
 * galley-webhook-clusterrole: let the 1.4 galley only get validatingwebhookconfigurations, so it
 * cannot re-create its webhook (guide, step 4). With --apply the rule entries are read again.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name } from '../common.ts';

/** The JSON patch restricting entry `index` to get; the test operations guard the entry's identity. */
export function galleyPatch(index: number): string {
  return JSON.stringify([
    { op: 'test', path: `/rules/${index}/apiGroups`, value: ['admissionregistration.k8s.io'] },
    { op: 'test', path: `/rules/${index}/resources`, value: ['validatingwebhookconfigurations'] },
    { op: 'replace', path: `/rules/${index}/verbs`, value: ['get'] },
  ]);
}

export default defineFixAction({
  action: 'restrict-galley-clusterrole',
  params: z.object({ name, ruleIndex: z.number().int().nonnegative() }),
  order: 70,
  functions: ['restrict_galley_clusterrole'],
  summary: 'Restrict the 1.4 galley ClusterRole to get',
  title: () =>
    'Let the 1.4 galley only get validatingwebhookconfigurations, so it cannot re-create its webhook (guide, step 4)',
  steps: ([p], context) => {
    if (!p) return [];
    const file = context.backup('clusterrole', p.name);
    return [
      {
        kind: 'call',
        fn: 'restrict_galley_clusterrole',
        args: [p.name, String(p.ruleIndex), file],
        shows: [
          { kind: 'backup', file, argv: ['kubectl', 'get', 'clusterrole', p.name, '-o', 'yaml'] },
          {
            kind: 'run',
            argv: ['kubectl', 'patch', 'clusterrole', p.name, '--type=json', '-p', galleyPatch(p.ruleIndex)],
          },
        ],
      },
    ];
  },
});
