/**
 * istio-operator-profile: set spec.profile of an IstioOperator: `disabled` before ASM is installed
 * (the operator leaves the ASM gateway alone), `empty` once ASM runs (the operator removes what it
 * had installed). The bash function decides again at run time (SPEC §4): once an asm-* istiod is
 * ready, `empty` only when nothing selects or runs on the operator's revision, else `disabled`;
 * never from `empty` back to `disabled`.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name, patchOperatorSteps } from '../common.ts';

export default defineFixAction({
  action: 'set-operator-profile',
  params: z.object({
    operator: name,
    profile: z.enum(['disabled', 'empty']),
    /** The ready asm-* revision the scan found, when ASM was installed: install_asm is done. */
    asmRevision: z.string().optional(),
  }),
  order: 220,
  functions: ['set_operator_profile'],
  summary: (p) =>
    `Back up and set the IstioOperator profile to ${p.profile}${p.profile === 'empty' ? ' (only once no namespace or pod uses its revision)' : ''}`,
  title: (p) =>
    p.profile === 'empty'
      ? 'After the migration: set the IstioOperator profile to empty, so the operator removes what it had installed (guide: after the migration)'
      : 'Disable the operator (profile: disabled) so that it leaves the ASM gateway alone (guide: disabling the operator)',
  steps: ([p], context) => {
    if (!p) return [];
    const file = context.backup('istiooperator', p.operator, p.profile);
    return [
      {
        kind: 'call',
        fn: 'set_operator_profile',
        args: [p.operator, p.profile, file],
        shows: patchOperatorSteps(
          p.operator,
          file,
          'merge',
          JSON.stringify({ spec: { profile: p.profile } }),
        ),
      },
    ];
  },
});
