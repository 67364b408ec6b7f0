import rule from '../../rules/namespace-injection-labels.ts';
import { istiod, namespace } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const rev = (revision: string) => ({ 'istio.io/rev': revision });
const injection = { 'istio-injection': 'enabled' };
const operator16 = istiod('istio-1611', '1.6.11-gke.0');
/** ASM installed next to the operator's control plane. */
const asmInstalled = [...operator16, ...istiod('asm-173-6', '1.7.3-asm.6')];
const webhook = (name: string, labels?: Record<string, string>) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingWebhookConfiguration',
  metadata: { name, ...(labels ? { labels } : {}) },
  webhooks: [{ name: 'sidecar-injector.istio.io' }],
});

ruleTester(rule, {
  pass: [
    {
      name: 'namespaces on a running revision, an opted-out namespace (fixture)',
      fixtures: ['pass-migrated.yaml'],
    },
    {
      name: 'two running revisions, each used',
      documents: [
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-173-6', '1.7.3-asm.6'),
        namespace('a', rev('istio-1611')),
        namespace('b', rev('asm-173-6')),
      ],
    },
    {
      name: 'asm-1.7 before ASM is installed: namespaces on the operator revision istio-1611 are migrated',
      target: 'asm-1.7',
      documents: [
        ...operator16,
        ...istiod('asm-173-6', '1.7.3-asm.6', { ready: false }),
        namespace('shop', rev('istio-1611')),
      ],
    },
    {
      name: 'asm-1.7 with ASM installed and every namespace moved to asm-173-6',
      target: 'asm-1.7',
      documents: [...asmInstalled, namespace('shop', rev('asm-173-6')), namespace('batch', rev('asm-173-6'))],
    },
  ],
  fail: [
    {
      name: 'asm-1.7, ASM installed, namespaces still on the operator revision istio-1611: relabel to asm in asm-migrate-namespaces',
      target: 'asm-1.7',
      documents: [...asmInstalled, namespace('shop', rev('istio-1611')), namespace('web', rev('asm-173-6'))],
      findings: [
        {
          message:
            "Namespace shop still selects revision istio-1611, the operator's control plane: ASM is installed (istiod " +
            'revision asm-173-6 is ready) and the namespace has not been moved to it yet (label it ' +
            'istio.io/rev=asm-173-6, then restart its workloads).',
          severity: 'warning',
          phase: 'asm-migrate-namespaces',
          resource: { kind: 'Namespace', name: 'shop' },
          fix: { action: 'relabel-namespace', params: { namespace: 'shop', revision: 'asm-173-6' } },
        },
      ],
    },
    {
      name: 'asm-1.6, ASM installed: a namespace still on istio-injection=enabled stays in migrate-namespaces',
      target: 'asm-1.6',
      documents: [...asmInstalled, namespace('legacy', injection), namespace('shop', rev('istio-1611'))],
      findings: [
        { resource: { name: 'legacy' }, severity: 'warning', phase: 'migrate-namespaces' },
        { resource: { name: 'shop' }, severity: 'warning', phase: 'asm-migrate-namespaces' },
      ],
    },
    {
      name: 'asm-1.7, ASM installed: a namespace on an asm revision that does not run is an error of the ASM move',
      target: 'asm-1.7',
      documents: [...asmInstalled, namespace('shop', rev('asm-173-7'))],
      findings: [
        {
          message: 'has istio.io/rev=asm-173-7, but no istiod runs that revision',
          severity: 'error',
          phase: 'asm-migrate-namespaces',
          fix: { action: 'relabel-namespace', params: { revision: 'asm-173-6' } },
        },
      ],
    },
    {
      name: 'both labels, a revision that does not run, a namespace not migrated (fixture)',
      fixtures: ['fail-mid-migration.yaml'],
      findings: [
        {
          message: 'Namespace catalog has both istio-injection=enabled and istio.io/rev=istio-1611',
          severity: 'error',
          fix: { action: 'relabel-namespace', params: { namespace: 'catalog', revision: 'istio-1611' } },
        },
        {
          message:
            'Namespace search has istio.io/rev=istio-163, but no istiod runs that revision (running: istio-1611)',
          severity: 'error',
          fix: { action: 'relabel-namespace', params: { namespace: 'search', revision: 'istio-1611' } },
        },
        {
          message:
            'Namespace staging still uses istio-injection=enabled: it has not been moved to the 1.6 control plane ' +
            'yet (label it istio.io/rev=istio-1611).',
          severity: 'warning',
          resource: { kind: 'Namespace', name: 'staging' },
        },
      ],
    },
    {
      name: 'both labels: new pods get the 1.4 sidecar now (istio-injection=enabled) or none (disabled): urgent',
      documents: [
        ...operator16,
        namespace('catalog', { ...injection, ...rev('istio-1611') }),
        namespace('tools', { 'istio-injection': 'disabled', ...rev('istio-1611') }),
      ],
      findings: [
        {
          message:
            "Namespace catalog has both istio-injection=enabled and istio.io/rev=istio-1611: the revisioned injector skips it, so new pods there get the 1.4 injector's sidecar now.",
          severity: 'error',
          urgent: true,
        },
        {
          message: 'the revisioned injector skips it, so new pods there get no sidecar now.',
          severity: 'error',
          urgent: true,
        },
      ],
    },
    {
      name: 'a revision without istiod whose injection webhook is still registered: every new pod is rejected now, urgent',
      documents: [
        ...operator16,
        namespace('search', rev('istio-163')),
        // Found by its name (no label), by its label (another name); not a webhook of another revision.
        webhook('istio-sidecar-injector-istio-163'),
        webhook('injector-163-canary', rev('istio-163')),
        webhook('istio-sidecar-injector-istio-1611', rev('istio-1611')),
      ],
      findings: [
        {
          message:
            'Namespace search has istio.io/rev=istio-163, but no istiod runs that revision (running: istio-1611): its ' +
            'injection webhook istio-sidecar-injector-istio-163, injector-163-canary is still registered and fails ' +
            'closed, so every pod created there is rejected now.',
          severity: 'error',
          urgent: true,
          fix: { action: 'relabel-namespace', params: { namespace: 'search', revision: 'istio-1611' } },
        },
      ],
    },
    {
      name: 'a revision without istiod or webhook: new pods start without a sidecar, urgent',
      documents: [...operator16, namespace('search', rev('istio-163'))],
      findings: [
        {
          message: 'no injection webhook selects it, so new pods there start without a sidecar.',
          urgent: true,
        },
      ],
    },
    {
      name: 'a revision without istiod, webhooks not collected: says both outcomes, urgent',
      documents: [...operator16, namespace('search', rev('istio-163'))],
      notCollected: { mutatingwebhookconfigurations: 'forbidden' },
      findings: [
        {
          message:
            'new pods there are rejected (while its injection webhook is still registered: it fails closed) or start without a sidecar.',
          urgent: true,
        },
      ],
    },
    {
      name: 'during the move: a namespace selects a revision whose istiod is not ready: new pods are rejected now, urgent',
      documents: [
        ...istiod('istio-1611', '1.6.11-gke.0', { ready: false }),
        namespace('shop', rev('istio-1611')),
        namespace('web', injection),
      ],
      findings: [
        {
          message:
            'Namespace shop selects revision istio-1611, whose istiod is not ready: its injection webhook fails closed ' +
            '(failurePolicy: Fail), so every pod created there is rejected now. Find out why: kubectl -n istio-system ' +
            'get pods -l app=istiod,istio.io/rev=istio-1611.',
          severity: 'error',
          urgent: true,
          resource: { kind: 'Namespace', name: 'shop' },
        },
        { resource: { name: 'web' }, severity: 'warning', urgent: false },
      ],
    },
    {
      name: 'no istiod at all: the revision is unknown, and the message says none runs',
      documents: [namespace('istio-system'), namespace('search', rev('istio-163'))],
      findings: [
        {
          message:
            'Namespace search has istio.io/rev=istio-163, but no istiod runs that revision (running: none): no ' +
            'injection webhook selects it, so new pods there start without a sidecar.',
          resource: { kind: 'Namespace', name: 'search' },
        },
      ],
    },
    {
      name: 'both labels and a revision without istiod: two findings, the second leaves what new pods get to the first',
      documents: [...operator16, namespace('tools', { 'istio-injection': 'disabled', ...rev('istio-163') })],
      findings: [
        {
          message:
            /^Namespace tools has istio\.io\/rev=istio-163, but no istiod runs that revision \(running: istio-1611\)\.$/,
          resource: { kind: 'Namespace', name: 'tools' },
        },
        {
          message: 'Namespace tools has both istio-injection=disabled and istio.io/rev=istio-163',
          urgent: true,
        },
      ],
    },
    {
      name: 'both labels on a revision whose istiod is not ready: only the both-labels finding (the 1.4 injector serves it)',
      documents: [
        ...istiod('istio-1611', '1.6.11-gke.0', { ready: false }),
        namespace('shop', { ...injection, ...rev('istio-1611') }),
      ],
      findings: [
        {
          message: 'Namespace shop has both istio-injection=enabled and istio.io/rev=istio-1611',
          urgent: true,
        },
      ],
    },
    {
      name: 'asm-1.7, ASM installed, both labels: with injection disabled it is the ASM move; no "not on asm" finding besides',
      target: 'asm-1.7',
      documents: [
        ...asmInstalled,
        namespace('tools', { 'istio-injection': 'disabled', ...rev('istio-1611') }),
        namespace('legacy', { ...injection, ...rev('istio-1611') }),
      ],
      findings: [
        { message: 'Namespace legacy has both', phase: 'migrate-namespaces' },
        { message: 'Namespace tools has both', phase: 'asm-migrate-namespaces' },
      ],
    },
    {
      name: 'istiod revisions not collected: a namespace with both labels is still a finding (no istiod needed to see it)',
      documents: [namespace('shop', { ...injection, ...rev('istio-1611') })],
      notCollected: { pods: 'pods is forbidden', deployments: 'deployments.apps is forbidden' },
      findings: [
        {
          message: 'Namespace shop has both istio-injection=enabled and istio.io/rev=istio-1611',
          urgent: true,
        },
      ],
    },
    {
      name: 'asm-1.7: an asm revision installed but not ready (so ASM does not count as installed), selected by a namespace: urgent',
      target: 'asm-1.7',
      documents: [
        ...operator16,
        ...istiod('asm-173-6', '1.7.3-asm.6', { ready: false }),
        namespace('shop', rev('asm-173-6')),
      ],
      findings: [{ message: 'whose istiod is not ready', urgent: true, phase: 'migrate-namespaces' }],
    },
    {
      name: 'before any 1.6 istiod: namespaces on istio-injection are not migrated yet (warning)',
      documents: [namespace('istio-system'), namespace('shop', injection)],
      findings: [
        {
          message:
            /^Namespace shop still uses istio-injection=enabled: it has not been moved to the 1\.6 control plane yet\.$/,
          severity: 'warning',
          urgent: false,
          fix: { action: 'relabel-namespace', params: { revision: '' } },
        },
      ],
    },
    {
      name: 'a revision whose istiod is not ready still exists; the suggested revision must be ready',
      documents: [...istiod('istio-1611', '1.6.11-gke.0', { ready: false }), namespace('shop', injection)],
      findings: [{ severity: 'warning', fix: { action: 'relabel-namespace', params: { revision: '' } } }],
    },
    {
      name: 'an asm target suggests the asm revision',
      target: 'asm-1.7',
      documents: [
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-173-6', '1.7.3-asm.6'),
        namespace('shop', injection),
      ],
      findings: [{ fix: { action: 'relabel-namespace', params: { revision: 'asm-173-6' } } }],
    },
    {
      name: 'istio-1611 sorts after istio-163 when suggesting the newest revision',
      documents: [
        ...istiod('istio-163', '1.6.3-gke.0'),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        namespace('shop', injection),
      ],
      findings: [{ fix: { action: 'relabel-namespace', params: { revision: 'istio-1611' } } }],
    },
  ],
  notApplicable: [
    {
      name: 'no namespace carries either label',
      documents: [namespace('default'), namespace('shop')],
      reason: 'no namespace carries',
    },
  ],
  unknown: [
    {
      name: 'Namespaces not collected',
      documents: [namespace('a')],
      notCollected: { namespaces: 'forbidden' },
      reason: 'Namespaces not collected',
    },
    {
      name: 'istio.io/rev set but neither pods nor Deployments collected',
      documents: [namespace('shop', rev('istio-1611'))],
      notCollected: { pods: 'forbidden: list pods', deployments: 'forbidden: list deployments' },
      reason: 'cannot tell which istiod revisions run',
    },
  ],
});
