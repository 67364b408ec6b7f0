import { describe, expect, it } from 'vitest';
import rule from '../../rules/istiod-revision-ready.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { istiod, namespace, pod, workload } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

const istioSystem = namespace('istio-system');
const unrevisioned = workload('Deployment', 'istio-system', 'istiod', {
  labels: { app: 'istiod', istio: 'pilot' },
  readyReplicas: 1,
});

ruleTester(rule, {
  pass: [
    {
      name: 'revisions read from istiod labels: istio-1611 ready',
      documents: [istioSystem, ...istiod('istio-1611', '1.6.11-gke.0')],
    },
    {
      name: 'one ready revision among several (istio-163 not ready, istio-1611 ready)',
      documents: [
        istioSystem,
        ...istiod('istio-163', '1.6.3-gke.0', { ready: false }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
    },
    {
      name: 'revisions read from istiod labels on pods alone (Deployments not collected)',
      documents: [istioSystem, ...istiod('istio-1611', '1.6.11-gke.0')],
      notCollected: { deployments: 'forbidden (403)' },
    },
    { name: 'a ready asm revision', documents: [istioSystem, ...istiod('asm-173-6', '1.7.3-asm.6')] },
    { name: 'a ready istiod pod, from a fixture', fixtures: ['pass-istiod-ready.yaml'] },
  ],
  fail: [
    {
      name: 'revisions read from istiod labels: istio-163 found but not ready (fixture, CrashLoopBackOff)',
      fixtures: ['fail-istiod-crashloop.yaml'],
      findings: [
        {
          severity: 'error',
          message: '(revisions found, none ready: istio-163 (1.6.3-gke.0))',
          resource: { kind: 'Namespace', name: 'istio-system' },
          fix: { action: 'inspect-istiod', params: { revisions: ['istio-163'] } },
        },
      ],
    },
    {
      name: 'only the 1.4 control plane: no istiod at all',
      documents: [
        istioSystem,
        pod(
          'istio-system',
          'istio-pilot-dc558d859-cnrqt',
          [{ name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.4.10-gke.5' }],
          {
            labels: { app: 'pilot', istio: 'pilot' },
          },
        ),
      ],
      findings: [
        {
          // Whole: no "without a label" sentence (the 1.4 pilot is not an istiod).
          message:
            /^No istiod carrying an istio\.io\/rev label runs in istio-system, so there is no 1\.6 control plane to move namespaces to\.$/,
          resource: { kind: 'Namespace', name: 'istio-system' },
          fix: { action: 'inspect-istiod', params: { revisions: [] } },
        },
      ],
    },
    {
      name: 'an istiod without an istio.io/rev label does not count; its Deployment and pods are named',
      documents: [
        istioSystem,
        unrevisioned,
        pod(
          'istio-system',
          'istiod-5d8f-x1',
          [{ name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.6.11-gke.0' }],
          {
            labels: { app: 'istiod' },
          },
        ),
        // Neither is a labelled istiod nor another app's Deployment.
        workload('Deployment', 'istio-system', 'istio-pilot', { labels: { app: 'pilot' } }),
        pod('istio-system', 'unlabelled', [{ name: 'x', image: 'busybox' }]),
      ],
      findings: [
        {
          message:
            'No istiod carrying an istio.io/rev label runs in istio-system, so there is no 1.6 control plane to move ' +
            'namespaces to. istiod without an istio.io/rev label (namespaces cannot select it): Deployment istiod, ' +
            'Pod istiod-5d8f-x1.',
          resource: { kind: 'Namespace', name: 'istio-system' },
        },
      ],
    },
    {
      name: 'istiod Deployment with no ready replicas',
      documents: [
        istioSystem,
        workload('Deployment', 'istio-system', 'istiod-istio-1611', {
          labels: { app: 'istiod', 'istio.io/rev': 'istio-1611' },
          readyReplicas: 0,
          containers: [{ name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.6.11-gke.0' }],
        }),
      ],
      findings: [
        {
          message:
            'No ready istiod with an istio.io/rev label runs in istio-system (revisions found, none ready: istio-1611 ' +
            '(1.6.11-gke.0)), so there is no 1.6 control plane to move namespaces to.',
          resource: { kind: 'Namespace', name: 'istio-system' },
        },
      ],
    },
    {
      name: 'no Namespace object for istio-system (only its pods): the finding still names the namespace',
      documents: istiod('istio-1611', '1.6.11-gke.0', { ready: false }),
      findings: [
        {
          message:
            'No ready istiod with an istio.io/rev label runs in istio-system (revisions found, none ready:',
          resource: { kind: 'Namespace', name: 'istio-system' },
          fix: { action: 'inspect-istiod', params: { revisions: ['istio-1611'] } },
        },
      ],
    },
    {
      name: 'istiod objects outside istio-system are ignored',
      documents: [
        istioSystem,
        {
          ...istiod('istio-1611', '1.6.11-gke.0')[1],
          metadata: {
            name: 'x',
            namespace: 'other',
            labels: { app: 'istiod', 'istio.io/rev': 'istio-1611' },
          },
        },
      ],
      findings: [{ message: 'No istiod carrying', resource: { kind: 'Namespace', name: 'istio-system' } }],
    },
  ],
  notApplicable: [
    {
      name: 'Istio is not installed',
      documents: [namespace('default'), namespace('shop')],
      reason: 'Istio is not installed',
    },
  ],
  unknown: [
    {
      name: 'neither pods nor Deployments collected',
      documents: [istioSystem],
      notCollected: { pods: 'forbidden (403)', deployments: 'forbidden (403)' },
      reason: 'cannot tell which istiod revisions run',
    },
    {
      name: 'Namespaces not collected',
      documents: [...istiod('istio-1611', '1.6.11-gke.0')],
      notCollected: { namespaces: 'forbidden (403)' },
      reason: 'Namespaces not collected',
    },
  ],
});

describe('istiod-revision-ready remediation', () => {
  it('shows the istiod pods, describes those of each revision found and names them', async () => {
    const input = { name: 'commands', fixtures: ['fail-istiod-crashloop.yaml'] };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'kubectl get pods -n istio-system -l app=istiod --show-labels',
      'kubectl describe pods -n istio-system -l app=istiod,istio.io/rev=istio-163',
    ]);
    expect(renderPlanStep(await plannedStep(rule, input, 'inspect-istiod'))).toContain(
      "note 'The scan found these istiod revisions, none of them ready: istio-163'",
    );
  });
});
