import { describe, expect, it } from 'vitest';
import rule from '../../rules/istio-operator-profile.ts';
import { istiod, istioOperator, namespace, sidecarPod } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

const NEW = '1.6.11-gke.0';
const operator = (profile: string | undefined) =>
  istioOperator('istio-1-6-11-gke-0', {
    spec: { ...(profile === undefined ? {} : { profile }), revision: 'istio-1611' },
    status: 'HEALTHY',
  });
const beforeAsm = istiod('istio-1611', NEW);
const afterAsm = [...beforeAsm, ...istiod('asm-173-6', '1.7.3-asm.6')];
const ASM = '1.7.3-asm.6';
/** ASM installed, but workloads not moved yet: a namespace and its pods still on the operator's istio-1611. */
const asmInstalledWorkloadsOnOperator = [
  ...afterAsm,
  namespace('shop', { 'istio.io/rev': 'istio-1611' }),
  sidecarPod('shop', 'cart-7d4b9c-x2x1z', NEW, { labels: { 'istio.io/rev': 'istio-1611' } }),
];
/** Every namespace relabelled and its workloads restarted onto asm-173-6. */
const asmInstalledWorkloadsMoved = [
  ...afterAsm,
  namespace('shop', { 'istio.io/rev': 'asm-173-6' }),
  sidecarPod('shop', 'cart-7d4b9c-a8k2m', ASM, { labels: { 'istio.io/rev': 'asm-173-6' } }),
];

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
    {
      name: 'ASM installed, workloads still on istio-1611 (namespace label and pods): disabled passes, no empty advice',
      target: 'asm-1.7',
      documents: [...asmInstalledWorkloadsOnOperator, operator('disabled')],
    },
    {
      name: 'ASM installed, namespace relabelled but pods not restarted yet (still labelled istio-1611): disabled passes',
      documents: [
        ...afterAsm,
        namespace('shop', { 'istio.io/rev': 'asm-173-6' }),
        sidecarPod('shop', 'cart-7d4b9c-x2x1z', NEW, { labels: { 'istio.io/rev': 'istio-1611' } }),
        operator('disabled'),
      ],
    },
    {
      name: 'ASM installed, a namespace still selects istio-1611 with no pod running: disabled passes',
      documents: [...afterAsm, namespace('batch', { 'istio.io/rev': 'istio-1611' }), operator('disabled')],
    },
    {
      name: 'ASM installed, an unlabelled 1.6 gke proxy (no istio.io/rev) counts as on the operator: disabled passes',
      documents: [...afterAsm, namespace('shop'), sidecarPod('shop', 'legacy', NEW), operator('disabled')],
    },
    {
      name: 'ASM installed and every workload moved: empty passes',
      documents: [...asmInstalledWorkloadsMoved, operator('empty')],
    },
  ],
  fail: [
    {
      name: 'ASM installed, workloads still on istio-1611, profile already empty: urgent, names them, never "back to disabled"',
      documents: [...asmInstalledWorkloadsOnOperator, operator('empty')],
      findings: [
        {
          message:
            'the operator\'s revision istio-1611 is still in use (namespace shop still selects it and 1 pod still runs on it (shop/cart-7d4b9c-x2x1z)): with "empty" the operator removes its istiod under them',
          phase: 'asm-migrate-namespaces',
          urgent: true,
        },
      ],
    },
    {
      name: 'ASM installed, workloads still on istio-1611, profile default: disabled, never empty',
      documents: [...asmInstalledWorkloadsOnOperator, operator('default')],
      findings: [
        {
          message:
            "the operator keeps reconciling its control plane and gateway beside install_asm's. Its revision istio-1611 is still in use (namespace shop still selects it",
          phase: 'asm-install',
          urgent: false,
          fix: { action: 'set-operator-profile', params: { profile: 'disabled', asmRevision: 'asm-173-6' } },
        },
      ],
    },
    {
      name: 'ASM installed (install_asm run without disabling first), nothing on istio-1611, profile default: empty in asm-cleanup',
      documents: [...asmInstalledWorkloadsMoved, operator('default')],
      findings: [
        {
          message:
            "the operator keeps reconciling its control plane and gateway beside install_asm's. Nothing uses its revision istio-1611",
          phase: 'asm-cleanup',
          fix: { action: 'set-operator-profile', params: { profile: 'empty', asmRevision: 'asm-173-6' } },
        },
      ],
    },
    {
      name: 'ASM installed and every workload moved, profile disabled: empty, in asm-cleanup',
      target: 'asm-1.6',
      documents: [...asmInstalledWorkloadsMoved, operator('disabled')],
      findings: [
        {
          message: "nothing uses the operator's revision istio-1611 any more",
          phase: 'asm-cleanup',
          fix: { action: 'set-operator-profile', params: { profile: 'empty' } },
        },
      ],
    },
    {
      name: 'before ASM: spec.profile default (fixture)',
      fixtures: ['fail-default-profile-before-asm.yaml'],
      findings: [
        {
          message:
            'IstioOperator istio-system/istio-1-6-11-gke-0 has profile "default": ASM is not installed yet (no ready asm-* istiod revision); it must be "disabled"',
          severity: 'error',
          resource: { kind: 'IstioOperator', namespace: 'istio-system', name: 'istio-1-6-11-gke-0' },
          phase: 'asm-install',
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
          message: 'ASM is installed (istiod revision asm-173-6 is ready) and nothing uses',
          phase: 'asm-cleanup',
          fix: { action: 'set-operator-profile', params: { profile: 'empty' } },
        },
      ],
    },
    {
      name: 'after ASM (told by Deployments alone), pods not collected, profile default: disabled',
      documents: [...afterAsm, operator('default')],
      notCollected: { pods: 'pods is forbidden' },
      findings: [
        { phase: 'asm-install', fix: { action: 'set-operator-profile', params: { profile: 'disabled' } } },
      ],
    },
    {
      name: 'before ASM with no istiod at all: empty is wrong too, and the advice restores rather than disables',
      documents: [namespace('istio-system'), operator('empty')],
      findings: [
        {
          message:
            'has profile "empty" but ASM is not installed yet (no ready asm-* istiod revision): the operator removes its control plane (revision istio-1611), and `install_asm --mode migrate` needs the istiod it migrates from',
          urgent: false,
        },
      ],
    },
    {
      name: 'before ASM, profile empty while workloads run on istio-1611: urgent',
      documents: [
        ...beforeAsm,
        namespace('shop', { 'istio.io/rev': 'istio-1611' }),
        sidecarPod('shop', 'cart-7d4b9c-x2x1z', NEW, { labels: { 'istio.io/rev': 'istio-1611' } }),
        operator('empty'),
      ],
      findings: [
        {
          message: 'while it is still in use (namespace shop still selects it and 1 pod still runs on it',
          phase: 'asm-install',
          urgent: true,
        },
      ],
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
      name: 'ASM installed (told by Deployments), pods not collected: cannot tell whether empty is safe',
      documents: [...afterAsm, operator('disabled')],
      notCollected: { pods: 'pods is forbidden' },
      reason: "whether anything still uses the operator's revision istio-1611 cannot be told",
    },
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

describe('a profile already empty too early is never advised back to disabled (SPEC §4)', () => {
  it.each([
    [
      'ASM installed, workloads on the operator revision',
      [...asmInstalledWorkloadsOnOperator, operator('empty')],
    ],
    ['before ASM, no istiod left', [namespace('istio-system'), operator('empty')]],
  ])('%s: no fix, no command, no "back to disabled"', async (_name, documents) => {
    const result = await evaluateRule(rule, { name: 'empty too early', documents });
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.fix).toBeUndefined();
    expect(finding?.remediation).toBeUndefined();
    expect(finding?.message).not.toMatch(/set it back to "disabled"|back to disabled until/);
    expect(finding?.message).toContain('Setting the profile to "disabled" brings nothing back');
  });
});
