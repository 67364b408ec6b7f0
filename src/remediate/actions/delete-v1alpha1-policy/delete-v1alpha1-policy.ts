/**
 * v1alpha1-security-policy, phase retire-old-control-plane: a v1alpha1 policy whose replacement
 * exists. Backed up and deleted only once no namespace selects the 1.4 injector, no pod runs a
 * 1.4 proxy or gateway (they read only v1alpha1) and each replacement still exists, all checked
 * again at run time; one step for every such policy.
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../../step.ts';
import { namespaceArgs, OLD_MESH_GONE } from '../common.ts';
import { policyIdentity, replacementChecks } from '../migrate-v1alpha1-policy/migrate-v1alpha1-policy.ts';

export default defineFixAction({
  action: 'delete-v1alpha1-policy',
  params: z.object(policyIdentity),
  // After the scale-down (210): both wait for the last 1.4 proxy.
  order: 215,
  functions: ['delete_v1alpha1_policy'],
  summary: 'Back up and delete the v1alpha1 policies (only once no 1.4 proxy or gateway runs)',
  title: () =>
    'Back up, then delete the v1alpha1 policies: no 1.4 proxy or gateway is left to read them (guide, step 3)',
  group: () => 'all',
  resource: (group) => {
    const [first] = group;
    if (group.length === 1 && first) {
      return `${first.kind} ${first.namespace ? `${first.namespace}/` : ''}${first.name}`;
    }
    return `${group.length} v1alpha1 policies`;
  },
  steps: (group, context) => {
    if (group.length === 0) return [];
    const checks = group.flatMap(replacementChecks);
    return [
      ...OLD_MESH_GONE,
      {
        kind: 'withhold-unless',
        check: 'v1beta1-replacements-exist',
        says: 'each v1beta1 replacement exists',
        args: checks,
      },
      ...group.map((p, index): Step<'delete_v1alpha1_policy'> => {
        const file = context.backup(p.kind.toLowerCase(), p.namespace, p.name);
        const object = [p.resource, ...namespaceArgs(p.namespace), p.name];
        return {
          kind: 'call',
          fn: 'delete_v1alpha1_policy',
          args: [file, p.resource, p.namespace ?? '', p.name],
          shows: [
            { kind: 'backup', file, argv: ['kubectl', 'get', ...object, '-o', 'yaml'], for: [index] },
            { kind: 'run', argv: ['kubectl', 'delete', ...object, '--ignore-not-found'], for: [index] },
          ],
        };
      }),
    ];
  },
});
