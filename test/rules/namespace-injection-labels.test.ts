import rule from '../../rules/namespace-injection-labels.ts';
import { istiod, namespace } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const rev = (revision: string) => ({ 'istio.io/rev': revision });
const injection = { 'istio-injection': 'enabled' };

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
  ],
  fail: [
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
          message: 'Namespace staging still uses istio-injection=enabled',
          severity: 'warning',
          resource: { kind: 'Namespace', name: 'staging' },
        },
      ],
    },
    {
      name: 'before any 1.6 istiod: namespaces on istio-injection are not migrated yet (warning)',
      documents: [namespace('istio-system'), namespace('shop', injection)],
      findings: [
        {
          message:
            /^Namespace shop still uses istio-injection=enabled: it has not been moved to the 1\.6 control plane yet\.$/,
          severity: 'warning',
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
