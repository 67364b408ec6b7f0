import { describe, expect, it } from 'vitest';
import rule from '../../rules/envoyfilter-usage.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { istioObject, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

const filter = (ns: string, name: string, options: Parameters<typeof istioObject>[5] = {}) =>
  istioObject('networking.istio.io/v1alpha3', 'EnvoyFilter', ns, name, {}, options);
const istioSystem = namespace('istio-system');

ruleTester(rule, {
  pass: [
    { name: 'Istio installed, no EnvoyFilter', documents: [istioSystem, namespace('shop')] },
    { name: "only the 1.6 operator's telemetry filters (fixture)", fixtures: ['pass-operator-filters.yaml'] },
    {
      name: 'owned through an ownerReference to an IstioOperator',
      documents: [
        istioSystem,
        filter('istio-system', 'tcp-stats-filter-1.6', {
          ownerReferences: [
            { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', name: 'istio-1-6-11-gke-0' },
          ],
        }),
      ],
    },
    {
      name: 'installed by the add-on manager or the 1.4 Helm charts',
      documents: [
        istioSystem,
        filter('istio-system', 'addon-filter', {
          labels: { 'addonmanager.kubernetes.io/mode': 'Reconcile' },
        }),
        filter('istio-system', 'helm-filter', { labels: { release: 'istio', app: 'pilot' } }),
      ],
    },
  ],
  fail: [
    {
      name: "a user's Lua filter beside the operator's (fixture)",
      fixtures: ['fail-user-filter.yaml'],
      findings: [
        {
          severity: 'warning',
          message:
            'EnvoyFilter search/search-lua-headers patches Envoy configuration directly and is tied to the proxy ' +
            'version: check that it still applies, and still does what it should, with Istio 1.6 proxies before ' +
            'moving the workloads it selects.',
          resource: { kind: 'EnvoyFilter', namespace: 'search', name: 'search-lua-headers' },
          fix: { action: 'review-envoyfilter', params: { namespace: 'search', name: 'search-lua-headers' } },
        },
      ],
    },
    {
      name: 'one finding per user-created EnvoyFilter, in istio-system too',
      documents: [
        istioSystem,
        filter('istio-system', 'gateway-hsts'),
        filter('shop', 'cart-timeout', { labels: { app: 'cart', release: 'shop' } }),
      ],
      findings: [
        { resource: { kind: 'EnvoyFilter', namespace: 'istio-system', name: 'gateway-hsts' } },
        { resource: { kind: 'EnvoyFilter', namespace: 'shop', name: 'cart-timeout' } },
      ],
    },
    {
      name: 'a filter written without a namespace (kubectl applies it to default) is named there',
      documents: [
        istioSystem,
        {
          apiVersion: 'networking.istio.io/v1alpha3',
          kind: 'EnvoyFilter',
          metadata: { name: 'loose' },
          spec: {},
        },
      ],
      findings: [
        {
          message: /^EnvoyFilter default\/loose patches Envoy configuration/,
          resource: { kind: 'EnvoyFilter', name: 'loose' },
          fix: { action: 'review-envoyfilter', params: { namespace: 'default', name: 'loose' } },
        },
      ],
    },
    {
      name: 'an ownerReference to something other than an IstioOperator is not ownership',
      documents: [
        istioSystem,
        filter('shop', 'from-a-controller', {
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }],
        }),
      ],
      findings: [{ resource: { name: 'from-a-controller' } }],
    },
  ],
  notApplicable: [
    { name: 'Istio is not installed', documents: [namespace('default')], reason: 'Istio is not installed' },
  ],
  unknown: [
    {
      name: 'EnvoyFilters not collected',
      documents: [istioSystem],
      notCollected: { envoyfilters: 'forbidden (403)' },
      reason: 'EnvoyFilters not collected: forbidden (403)',
    },
  ],
});

describe('envoyfilter-usage remediation', () => {
  it('shows the filter and what to check', async () => {
    const input = { name: 'commands', fixtures: ['fail-user-filter.yaml'] };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'kubectl get envoyfilter -n search search-lua-headers -o yaml',
    ]);
    // What to check is the step's guidance and TODO text, not a command.
    const script = renderPlanStep(await plannedStep(rule, input, 'review-envoyfilter'));
    expect(script).toContain(
      '# Human decision: EnvoyFilter patches reach into Envoy internals that change between versions.',
    );
    expect(script).toContain('match.proxy.proxyVersion');
    expect(script).toContain(
      "todo 'Check that this EnvoyFilter works with the 1.6 proxy (or add a 1.6 copy matched by proxyVersion) before moving its workloads'",
    );
  });
});
