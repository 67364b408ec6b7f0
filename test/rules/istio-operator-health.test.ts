import { describe, expect, it } from 'vitest';
import rule from '../../rules/istio-operator-health.ts';
import { istioOperator, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

ruleTester(rule, {
  pass: [
    {
      name: 'IstioOperator status.status HEALTHY',
      documents: [istioOperator('istio-1-6-11-gke-0', { status: 'HEALTHY' })],
    },
    {
      name: 'IstioOperator status.status HEALTHY, with an istioctl installed-state record that has no status (fixture)',
      fixtures: ['pass-operator-healthy.yaml'],
    },
    {
      name: 'an IstioOperator outside istio-system is not the add-on one',
      documents: [
        istioOperator('istio-1-6-11-gke-0', { status: 'HEALTHY' }),
        istioOperator('team-gateways', { namespace: 'gateways', status: 'ERROR' }),
      ],
    },
  ],
  fail: [
    {
      name: 'IstioOperator status.status ERROR (fixture)',
      fixtures: ['fail-operator-error.yaml'],
      findings: [
        {
          severity: 'error',
          message: 'IstioOperator istio-1-6-11-gke-0 in istio-system reports ERROR, not HEALTHY.',
          resource: { kind: 'IstioOperator', namespace: 'istio-system', name: 'istio-1-6-11-gke-0' },
          fix: {
            action: 'inspect-operator',
            params: { namespace: 'istio-system', name: 'istio-1-6-11-gke-0', status: 'ERROR' },
          },
        },
      ],
    },
    {
      name: 'IstioOperator status.status RECONCILING',
      documents: [istioOperator('istio-1-6-11-gke-0', { status: 'RECONCILING' })],
      findings: [{ message: 'reports RECONCILING, not HEALTHY' }],
    },
    {
      name: 'IstioOperator status.status compares exactly (healthy in lower case is not HEALTHY)',
      documents: [istioOperator('istio-1-6-11-gke-0', { status: 'healthy' })],
      findings: [{ message: 'reports healthy' }],
    },
    {
      name: 'IstioOperator without status.status (never reconciled)',
      documents: [istioOperator('istio-1-6-11-gke-0')],
      findings: [
        {
          message: 'has no status',
          fix: { action: 'inspect-operator', params: { name: 'istio-1-6-11-gke-0' } },
        },
      ],
    },
    {
      name: 'one finding per unhealthy IstioOperator',
      documents: [
        istioOperator('istio-1-6-11-gke-0', { status: 'HEALTHY' }),
        istioOperator('a-broken', { status: 'ERROR' }),
        istioOperator('b-updating', { status: 'UPDATING' }),
      ],
      findings: [{ resource: { name: 'a-broken' } }, { resource: { name: 'b-updating' } }],
    },
  ],
  notApplicable: [
    {
      name: 'no IstioOperator exists (Istio 1.4 add-on only)',
      documents: [namespace('istio-system')],
      reason: 'no IstioOperator in istio-system',
    },
    {
      name: 'only istioctl installed-state records',
      documents: [istioOperator('installed-state')],
      reason: 'no IstioOperator in istio-system',
    },
  ],
  unknown: [
    {
      name: 'IstioOperators not collected',
      documents: [namespace('istio-system')],
      notCollected: { istiooperators: 'forbidden (403)' },
      reason: 'IstioOperators not collected: forbidden (403)',
    },
    {
      name: 'no Kubernetes objects in the snapshot',
      documents: [],
      reason: 'no Kubernetes objects in the snapshot',
    },
  ],
});

describe('istio-operator-health remediation', () => {
  it('lists the IstioOperators and the operator pods, describes the failing one and says its status', async () => {
    const input = { name: 'commands', fixtures: ['fail-operator-error.yaml'] };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'kubectl get istiooperators -n istio-system',
      'kubectl get pods --all-namespaces -l name=istio-operator',
      'kubectl describe istiooperator -n istio-system istio-1-6-11-gke-0',
    ]);
    // The status and where to look are the TODO's text.
    const todo = (await plannedStep(rule, input, 'inspect-operator')).steps.find((s) => s.kind === 'todo');
    expect(todo?.kind === 'todo' && todo.text).toBe(
      "IstioOperator istio-system/istio-1-6-11-gke-0 reports status ERROR: find out why (its events, the operator's logs) and fix it before moving namespaces",
    );
  });
});
