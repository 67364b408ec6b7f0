/**
 * sidecar-proxy-version: restart workloads so that their pods get the proxy of their namespace's
 * revision (guide: migrating namespaces, step 3, `kubectl rollout restart deployment -n
 * NAMESPACE`). The workloads of one kind in one namespace make one step and one command; a bare
 * pod has no controller to re-create it, so it is a TODO.
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../../step.ts';
import { name } from '../common.ts';

const TYPES: Readonly<Record<string, string>> = {
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
};
/** Above this many workloads a step lists them only in its command, not once more in comments. */
const DETAIL_LIMIT = 20;

export default defineFixAction({
  action: 'restart-workload',
  params: z.object({
    kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Pod']),
    namespace: name,
    name,
    pods: z.number().int().nonnegative(),
  }),
  order: 180,
  functions: ['restart_workloads', 'wait_for_rollouts'],
  summary: 'Restart workloads (only once their namespace selects the revision)',
  title: (p) =>
    p.kind === 'Pod'
      ? 'Re-create pods without a controller so that they get the new proxy (guide: migrating namespaces, step 3)'
      : 'Restart them so that their pods get the new proxy (guide: migrating namespaces, step 3)',
  group: (p) => `${p.namespace}\u0000${p.kind}`,
  steps: (group, context) => {
    const first = group[0];
    if (!first) return [];
    const type = TYPES[first.kind];
    if (!type) {
      return [
        {
          kind: 'comment',
          text: 'Human decision: a bare pod has no controller that would re-create it.',
          once: true,
        },
        {
          kind: 'todo',
          text: 'Once the namespace is relabelled, delete these pods and create them again from their manifests (or run them under a Deployment)',
          commands: group.flatMap((p, index) => [
            { argv: ['kubectl', 'get', 'pod', '-n', p.namespace, p.name, '-o', 'yaml'], for: [index] },
            { argv: ['kubectl', 'delete', 'pod', '-n', p.namespace, p.name], for: [index] },
          ]),
        },
      ];
    }
    const names = group.map((p) => p.name);
    const detail: Step[] =
      group.length <= DETAIL_LIMIT
        ? group.map((p) => ({
            kind: 'comment',
            text: `  ${p.kind} ${p.name}: ${p.pods} pod(s) on an older proxy`,
          }))
        : [
            {
              kind: 'comment',
              text: `  ${group.length} ${first.kind}s, ${group.reduce((sum, p) => sum + p.pods, 0)} pods on an older proxy (the report lists each)`,
            },
          ];
    return [
      ...detail,
      {
        kind: 'withhold-unless',
        check: 'namespace-selects-revision',
        says: `namespace ${first.namespace} selects a ready revision ${context.targetRevision} (else a restart brings back the same proxy)`,
        args: [first.namespace, context.targetRevision],
      },
      {
        kind: 'call',
        fn: 'restart_workloads',
        args: [type, first.namespace, ...names],
        shows: [
          { kind: 'run', argv: ['kubectl', 'rollout', 'restart', type, '-n', first.namespace, ...names] },
        ],
      },
    ];
  },
});
