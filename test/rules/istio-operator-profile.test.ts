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
const OPERATOR = 'IstioOperator istio-system/istio-1-6-11-gke-0';
const INSTALLED = 'ASM is installed (istiod revision asm-173-6 is ready)';
const RECONCILING = `${INSTALLED}, and the operator keeps reconciling its control plane and gateway beside install_asm's.`;
/** The advice for a default-like profile while the operator's revision is (or may be) in use. */
const disabledNow = (profile: string, using: string) =>
  `${OPERATOR} has profile ${profile}: ${RECONCILING} Its revision istio-1611 is still in use (${using}), so it ` +
  'must be "disabled" now (not "empty", which would remove its istiod under them); "empty" once every namespace ' +
  'is relabelled to the asm-* revision and its workloads restarted.';
/** The urgent finding for a profile emptied after ASM while the operator's revision is in use. */
const emptiedUnder = (using: string) =>
  `${OPERATOR} has profile "empty" and ${INSTALLED}, but the operator's revision istio-1611 is still in use ` +
  `(${using}): with "empty" the operator removes its istiod under them, so their proxies lose their control ` +
  'plane and new pods there get no sidecar (or are rejected). Setting the profile to "disabled" brings nothing ' +
  'back: move them to asm-173-6 now, relabelling each namespace (istio.io/rev=asm-173-6) and restarting its ' +
  'workloads (namespace-injection-labels, sidecar-proxy-version).';
/** The finding for a profile emptied before ASM is installed (`inUse`: what still runs on the revision). */
const emptiedBeforeAsm = (revision: string, inUse?: string) =>
  `${OPERATOR} has profile "empty" but ASM is not installed yet (no ready asm-* istiod revision): the operator ` +
  `removes its control plane (revision ${revision})${inUse ? ` while it is still in use (${inUse})` : ''}, and ` +
  '`install_asm --mode migrate` needs the istiod it migrates from. Setting the profile to "disabled" brings ' +
  'nothing back: restore the IstioOperator from a backup taken before it was emptied (its former profile), then ' +
  'disable it for the ASM install.';
/** An IstioOperator without spec.revision (its revision then comes from a ready non-asm istiod, if any). */
const operatorWithoutRevision = (name: string, profile: string) =>
  istioOperator(name, { spec: { profile }, status: 'HEALTHY' });
/** Six namespaces and five pods on istio-1611, listed out of order. */
const manyOnOperator = [
  ...['ns-f', 'ns-c', 'ns-a', 'ns-e', 'ns-b', 'ns-d'].map((ns) =>
    namespace(ns, { 'istio.io/rev': 'istio-1611' }),
  ),
  ...[
    ['ns-b', 'web-2'],
    ['ns-a', 'web-1'],
    ['ns-d', 'web-4'],
    ['ns-c', 'web-3'],
    ['ns-a', 'api-0'],
  ].map(([ns, name]) =>
    sidecarPod(ns as string, name as string, NEW, { labels: { 'istio.io/rev': 'istio-1611' } }),
  ),
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
    {
      name: 'ASM installed, an unlabelled proxy of a later major (2.0.0) counts as 1.6+ on the operator: disabled passes',
      documents: [...afterAsm, namespace('shop'), sidecarPod('shop', 'next', '2.0.0'), operator('disabled')],
    },
  ],
  fail: [
    {
      name: 'ASM installed, workloads still on istio-1611, profile already empty: urgent, names them, never "back to disabled"',
      documents: [...asmInstalledWorkloadsOnOperator, operator('empty')],
      findings: [
        {
          message: emptiedUnder(
            'namespace shop still selects it and 1 pod still runs on it (shop/cart-7d4b9c-x2x1z)',
          ),
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
          message: disabledNow(
            '"default"',
            'namespace shop still selects it and 1 pod still runs on it (shop/cart-7d4b9c-x2x1z)',
          ),
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
            `${OPERATOR} has profile "default": ${RECONCILING} Nothing uses its revision istio-1611 any more (no ` +
            'namespace selects it, no sidecar runs on it): it must be "empty" so that the operator removes the ' +
            'resources it installed, leaving ASM alone.',
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
          message:
            `${OPERATOR} has profile "disabled": ${INSTALLED} and nothing uses the operator's revision istio-1611 ` +
            'any more (no namespace selects it, no sidecar runs on it); it must be "empty" so that the operator ' +
            'removes the resources it installed, leaving ASM alone.',
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
            `${OPERATOR} has profile "default": ASM is not installed yet (no ready asm-* istiod revision); it must ` +
            'be "disabled" so that the operator does not reconcile the istio-ingressgateway ASM\'s installer puts ' +
            'in place.',
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
        {
          message: disabledNow('"default"', 'cannot be told: Pods not collected: pods is forbidden'),
          phase: 'asm-install',
          fix: { action: 'set-operator-profile', params: { profile: 'disabled' } },
        },
      ],
    },
    {
      name: 'before ASM with no istiod at all: empty is wrong too, and the advice restores rather than disables',
      documents: [namespace('istio-system'), operator('empty')],
      findings: [
        {
          message: emptiedBeforeAsm('istio-1611'),
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
          message: emptiedBeforeAsm(
            'istio-1611',
            'namespace shop still selects it and 1 pod still runs on it (shop/cart-7d4b9c-x2x1z)',
          ),
          phase: 'asm-install',
          urgent: true,
        },
      ],
    },
    {
      name: 'before ASM, profile empty, only a pod (no namespace label) still on istio-1611: urgent, names the pod',
      documents: [
        ...beforeAsm,
        namespace('shop'),
        sidecarPod('shop', 'cart-1', NEW, { labels: { 'istio.io/rev': 'istio-1611' } }),
        operator('empty'),
      ],
      findings: [
        {
          message: emptiedBeforeAsm('istio-1611', '1 pod still runs on it (shop/cart-1)'),
          urgent: true,
          fix: null,
        },
      ],
    },
    {
      name: 'before ASM, profile empty, pods not collected: a finding all the same, not urgent (no one known on it)',
      documents: [...beforeAsm, operator('empty')],
      notCollected: { pods: 'pods is forbidden' },
      findings: [{ message: emptiedBeforeAsm('istio-1611'), phase: 'asm-install', urgent: false }],
    },
    {
      name: 'before ASM, no istiod and no spec.revision, profile empty: the revision is unknown',
      documents: [namespace('istio-system'), operatorWithoutRevision('istio-1-6-11-gke-0', 'empty')],
      findings: [{ message: emptiedBeforeAsm('(unknown)'), urgent: false }],
    },
    {
      name: 'ASM installed, profile empty, only a namespace (no pod) still selects istio-1611: urgent',
      documents: [...afterAsm, namespace('batch', { 'istio.io/rev': 'istio-1611' }), operator('empty')],
      findings: [
        {
          message: emptiedUnder('namespace batch still selects it'),
          phase: 'asm-migrate-namespaces',
          urgent: true,
          fix: null,
        },
      ],
    },
    {
      name: 'ASM installed, profile default, six namespaces and five pods on istio-1611: sorted, five named, the rest counted',
      documents: [...afterAsm, ...manyOnOperator, operator('default')],
      findings: [
        {
          message: disabledNow(
            '"default"',
            'namespaces ns-a, ns-b, ns-c, ns-d, ns-e and 1 more still select it and 5 pods still run on it ' +
              '(ns-a/api-0, ns-a/web-1, ns-b/web-2, ns-c/web-3, ns-d/web-4)',
          ),
          phase: 'asm-install',
          fix: { action: 'set-operator-profile', params: { profile: 'disabled' } },
        },
      ],
    },
    {
      name: 'ASM installed, profile disabled: unlabelled 1.4, asm and untagged proxies and a pod labelled asm-173-6 do not count as on the operator',
      documents: [
        ...afterAsm,
        namespace('shop'),
        sidecarPod('shop', 'old', '1.4.10-gke.4'),
        sidecarPod('shop', 'moved', ASM),
        sidecarPod('shop', 'custom', 'dev'),
        sidecarPod('shop', 'relabelled', NEW, { labels: { 'istio.io/rev': 'asm-173-6' } }),
        operator('disabled'),
      ],
      findings: [
        {
          message: "nothing uses the operator's revision istio-1611 any more",
          phase: 'asm-cleanup',
          fix: { action: 'set-operator-profile', params: { profile: 'empty' } },
        },
      ],
    },
    {
      name: 'ASM installed, no spec.revision and no other istiod: nothing can use the revision, one finding per operator',
      documents: [
        ...istiod('asm-173-6', ASM),
        namespace('shop', { 'istio.io/rev': 'asm-173-6' }),
        operatorWithoutRevision('istio-1-6-11-gke-0', 'disabled'),
        operatorWithoutRevision('istio-controlplane', 'default'),
      ],
      findings: [
        {
          message:
            `${OPERATOR} has profile "disabled": ${INSTALLED} and nothing uses the operator's revision (none ` +
            'found) any more (no namespace selects it, no sidecar runs on it); it must be "empty" so that the ' +
            'operator removes the resources it installed, leaving ASM alone.',
          resource: { name: 'istio-1-6-11-gke-0' },
          phase: 'asm-cleanup',
          fix: {
            action: 'set-operator-profile',
            params: { operator: 'istio-1-6-11-gke-0', profile: 'empty' },
          },
        },
        {
          message:
            `IstioOperator istio-system/istio-controlplane has profile "default": ${RECONCILING} Nothing uses its ` +
            'revision (none found) any more (no namespace selects it, no sidecar runs on it): it must be "empty" so ' +
            'that the operator removes the resources it installed, leaving ASM alone.',
          resource: { name: 'istio-controlplane' },
          phase: 'asm-cleanup',
          fix: {
            action: 'set-operator-profile',
            params: { operator: 'istio-controlplane', profile: 'empty' },
          },
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
      reason:
        `${INSTALLED}, but whether anything still uses the operator's revision istio-1611 cannot be told, so ` +
        'neither "empty" nor "disabled" can be confirmed: Pods not collected: pods is forbidden',
    },
    {
      name: 'ASM installed, neither Namespaces nor Pods collected: both reasons given',
      documents: [...afterAsm, operator('disabled')],
      notCollected: { namespaces: 'namespaces is forbidden', pods: 'pods is forbidden' },
      reason:
        'can be confirmed: Namespaces not collected: namespaces is forbidden; Pods not collected: pods is forbidden',
    },
    {
      name: 'ASM installed, profile already empty, pods not collected: cannot tell whether emptying was too early',
      documents: [...afterAsm, operator('empty')],
      notCollected: { pods: 'pods is forbidden' },
      reason:
        `${OPERATOR} has profile "empty" and ${INSTALLED}, but whether anything still uses the operator's ` +
        'revision cannot be told: Pods not collected: pods is forbidden',
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
