import rule from '../../rules/istio-operator-profile.ts';
import { istiod, istioOperator, namespace } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const NEW = '1.6.11-gke.0';
const operator = (profile: string | undefined) =>
  istioOperator('istio-1-6-11-gke-0', {
    spec: { ...(profile === undefined ? {} : { profile }), revision: 'istio-1611' },
    status: 'HEALTHY',
  });
const beforeAsm = istiod('istio-1611', NEW);
const afterAsm = [...beforeAsm, ...istiod('asm-173-6', '1.7.3-asm.6')];

ruleTester(rule, {
  pass: [
    {
      name: 'after ASM: an asm-* revision runs and spec.profile is empty; installed-state ignored (fixture)',
      fixtures: ['pass-empty-after-asm.yaml'],
    },
    { name: 'before ASM: spec.profile is disabled', documents: [...beforeAsm, operator('disabled')] },
    {
      name: 'an asm-* istiod that is not ready yet: still before ASM, disabled is right',
      documents: [
        ...beforeAsm,
        ...istiod('asm-173-6', '1.7.3-asm.6', { ready: false }),
        operator('disabled'),
      ],
    },
  ],
  fail: [
    {
      name: 'before ASM: spec.profile default (fixture)',
      fixtures: ['fail-default-profile-before-asm.yaml'],
      findings: [
        {
          message:
            'IstioOperator istio-system/istio-1-6-11-gke-0 has profile "default": ASM is not installed yet (no ready asm-* istiod revision); it must be "disabled"',
          severity: 'error',
          resource: { kind: 'IstioOperator', namespace: 'istio-system', name: 'istio-1-6-11-gke-0' },
          fix: {
            action: 'set-operator-profile',
            params: { operator: 'istio-1-6-11-gke-0', profile: 'disabled' },
          },
        },
      ],
    },
    {
      name: 'before ASM: spec.profile unset (the default profile)',
      documents: [...beforeAsm, operator(undefined)],
      findings: [
        {
          message: 'has profile (unset, i.e. default)',
          fix: { action: 'set-operator-profile', params: { profile: 'disabled' } },
        },
      ],
    },
    {
      name: 'after an asm-* revision appears: spec.profile still disabled must become empty',
      target: 'asm-1.7',
      documents: [...afterAsm, operator('disabled')],
      findings: [
        {
          message: 'ASM is installed (istiod revision asm-173-6 is ready); it must be "empty"',
          fix: { action: 'set-operator-profile', params: { profile: 'empty' } },
        },
      ],
    },
    {
      name: 'after ASM, told by Deployments alone when pods were not collected',
      documents: [...afterAsm, operator('disabled')],
      notCollected: { pods: 'pods is forbidden' },
      findings: [{ fix: { action: 'set-operator-profile', params: { profile: 'empty' } } }],
    },
    {
      name: 'before ASM with no istiod at all: empty is wrong too',
      documents: [namespace('istio-system'), operator('empty')],
      findings: [{ fix: { action: 'set-operator-profile', params: { profile: 'disabled' } } }],
    },
  ],
  notApplicable: [
    {
      name: 'no IstioOperator in istio-system',
      documents: [...beforeAsm],
      reason: 'no IstioOperator in istio-system',
    },
    {
      name: "only istioctl's installed-state copy",
      documents: [...afterAsm, istioOperator('installed-state-asm-173-6', { spec: { profile: 'asm-gcp' } })],
      reason: 'no IstioOperator in istio-system',
    },
  ],
  unknown: [
    {
      name: 'IstioOperators not collected',
      documents: [...beforeAsm],
      notCollected: { istiooperators: 'the API group install.istio.io is forbidden' },
      reason: 'IstioOperators not collected',
    },
    {
      name: 'neither pods nor Deployments collected: cannot tell whether ASM runs',
      fixtures: ['fail-default-profile-before-asm.yaml'],
      notCollected: { pods: 'pods is forbidden', deployments: 'deployments.apps is forbidden' },
      reason: 'cannot tell whether ASM is installed: Pods not collected: pods is forbidden',
    },
  ],
});
