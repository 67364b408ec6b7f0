import { describe, expect, it } from 'vitest';
import rule from '../../rules/galley-validating-webhook.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { namespace, validatingWebhook, workload } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

const galley = workload('Deployment', 'istio-system', 'istio-galley', { labels: { app: 'galley' } });
const galleyWebhook = validatingWebhook('istio-galley', [
  'pilot.validation.istio.io',
  'mixer.validation.istio.io',
]);

ruleTester(rule, {
  pass: [
    {
      name: 'webhook deleted while the 1.4 galley still runs',
      documents: [namespace('istio-system'), galley],
    },
    {
      name: 'webhook deleted, 1.6 istiod webhook present (fixture)',
      fixtures: ['pass-webhook-deleted.yaml'],
    },
    {
      name: 'galley scaled to 0 after the migration, webhook gone',
      documents: [workload('Deployment', 'istio-system', 'istio-galley', { replicas: 0, readyReplicas: 0 })],
    },
  ],
  fail: [
    {
      name: 'the istio-galley ValidatingWebhookConfiguration still exists (fixture)',
      fixtures: ['fail-galley-webhook.yaml'],
      findings: [
        {
          severity: 'error',
          message:
            'ValidatingWebhookConfiguration istio-galley still exists (webhooks: pilot.validation.istio.io, mixer.validation.istio.io)',
          resource: { kind: 'ValidatingWebhookConfiguration', name: 'istio-galley' },
          fix: { action: 'delete-galley-webhook', params: { name: 'istio-galley' } },
        },
      ],
    },
    {
      name: 'the webhook exists even without a galley Deployment (left behind)',
      // Another Deployment in istio-system is not galley.
      documents: [
        namespace('istio-system'),
        galleyWebhook,
        workload('Deployment', 'istio-system', 'istio-pilot'),
      ],
      findings: [
        {
          message:
            'ValidatingWebhookConfiguration istio-galley still exists (webhooks: pilot.validation.istio.io, ' +
            'mixer.validation.istio.io): the 1.4 galley keeps validating Istio configuration. Delete it, after ' +
            'restricting the galley ClusterRole (galley-webhook-clusterrole) so galley cannot re-create it.',
          resource: { kind: 'ValidatingWebhookConfiguration', name: 'istio-galley' },
          fix: { action: 'delete-galley-webhook', params: { name: 'istio-galley' } },
        },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'no 1.4 control plane: neither the galley Deployment nor the webhook',
      documents: [namespace('istio-system'), validatingWebhook('istiod-istio-1611', ['validation.istio.io'])],
      reason: 'no Istio 1.4 control plane',
    },
    {
      name: 'a galley Deployment outside istio-system is not the 1.4 control plane',
      documents: [workload('Deployment', 'sandbox', 'istio-galley')],
      reason: 'no istio-galley Deployment in istio-system',
    },
  ],
  unknown: [
    {
      name: 'ValidatingWebhookConfigurations not collected',
      documents: [galley],
      notCollected: { validatingwebhookconfigurations: 'forbidden (403)' },
      reason: 'ValidatingWebhookConfigurations not collected: forbidden (403)',
    },
    {
      name: 'Deployments not collected',
      documents: [galleyWebhook],
      notCollected: { deployments: 'request failed' },
      reason: 'Deployments not collected',
    },
  ],
});

describe('galley-validating-webhook remediation', () => {
  it('backs the webhook up before deleting it', async () => {
    const input = { name: 'commands', fixtures: ['fail-galley-webhook.yaml'] };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'kubectl get validatingwebhookconfiguration istio-galley -o yaml > validatingwebhookconfiguration-istio-galley.yaml',
      'kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found',
    ]);
    // The first command is a backup (its output saved to a file), and it comes before the delete.
    const step = await plannedStep(rule, input, 'delete-galley-webhook');
    expect(step.steps.map((s) => s.kind)).toEqual(['done-unless', 'backup', 'run']);
    expect(renderPlanStep(step)).toContain(
      'backup validatingwebhookconfiguration-istio-galley.yaml kubectl get validatingwebhookconfiguration istio-galley -o yaml\n' +
        '  run kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found\n',
    );
  });
});
