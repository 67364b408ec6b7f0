import { describe, expect, it } from 'vitest';
import rule from '../../rules/ingress-gateway-upgrade-disruption.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { gkeCluster, managedField, namespace, workload } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

const master = (version: string) => gkeCluster({ currentMasterVersion: version });
const gateway = (managers?: string[]) =>
  workload('Deployment', 'istio-system', 'istio-ingressgateway', {
    labels: {
      'addonmanager.kubernetes.io/mode': 'Reconcile',
      app: 'istio-ingressgateway',
      istio: 'ingressgateway',
    },
    ...(managers ? { managedFields: managers.map((manager) => managedField(manager)) } : {}),
  });
const addonOnly = ['kube-addon-manager', 'kube-controller-manager'];

ruleTester(rule, {
  pass: [
    { name: 'master on 1.17', documents: [master('1.17.12-gke.1501'), gateway(addonOnly)] },
    {
      name: 'master on 1.18, gateway edited',
      documents: [master('1.18.9-gke.1501'), gateway(['kubectl-edit'])],
    },
    {
      name: 'GKE versions with a v prefix (v1.17.9-gke.6300)',
      documents: [master('v1.17.9-gke.6300'), gateway()],
    },
    { name: 'master upgraded, from a fixture', fixtures: ['pass-upgraded-1.17.yaml'] },
  ],
  fail: [
    {
      name: 'managedFields managers other than the add-on manager count as user edits (fixture: kubectl-edit)',
      fixtures: ['fail-edited-gateway.yaml'],
      findings: [
        {
          severity: 'warning',
          message:
            /from 1\.16\.13-gke\.401 to 1\.17 or later makes istio-ingressgateway unavailable for about 5 minutes.*Edits detected \(field managers other than the add-on manager\): kubectl-edit; they will be lost/,
          resource: { kind: 'Deployment', namespace: 'istio-system', name: 'istio-ingressgateway' },
          fix: { action: 'gateway-upgrade-outage', params: { editors: ['kubectl-edit'] } },
        },
      ],
    },
    {
      name: 'only the add-on manager and the controller manager wrote it: no edits',
      documents: [master('1.16.15-gke.4300'), gateway(addonOnly)],
      findings: [
        {
          message: 'No edits by other field managers were found.',
          fix: { action: 'gateway-upgrade-outage', params: { namespace: 'istio-system', editors: [] } },
        },
      ],
    },
    {
      name: 'managedFields managers other than the add-on manager count as user edits (patch, client-side apply, helm)',
      documents: [
        master('1.16.15-gke.4300'),
        gateway([...addonOnly, 'kubectl-patch', 'kubectl-client-side-apply', 'helm']),
      ],
      findings: [
        {
          message:
            'Edits detected (field managers other than the add-on manager): helm, kubectl-client-side-apply, kubectl-patch;',
          fix: {
            action: 'gateway-upgrade-outage',
            params: { editors: ['helm', 'kubectl-client-side-apply', 'kubectl-patch'] },
          },
        },
      ],
    },
    {
      name: 'plain kubectl (pre-1.18 clients) counts as an edit, with a caveat',
      documents: [master('1.16.15-gke.4300'), gateway(['kube-addon-manager', 'kubectl'])],
      findings: [
        { message: /Edits detected .*: kubectl \(`kubectl` may also be the add-on manager's own apply/ },
      ],
    },
    {
      name: 'no managedFields in the dump: says it cannot tell',
      documents: [master('1.16.15-gke.4300'), gateway()],
      findings: [{ message: 'the snapshot has no managedFields' }],
    },
    {
      name: 'GKE versions with a v prefix (v1.16.15-gke.4300)',
      documents: [master('v1.16.15-gke.4300'), gateway(addonOnly)],
      findings: [
        {
          severity: 'warning',
          message: 'Upgrading the master from v1.16.15-gke.4300 to 1.17 or later makes istio-ingressgateway',
          resource: { kind: 'Deployment', namespace: 'istio-system', name: 'istio-ingressgateway' },
        },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'no add-on ingress gateway Deployment',
      documents: [master('1.16.15-gke.4300'), namespace('istio-system')],
      reason: 'no istio-ingressgateway Deployment in istio-system',
    },
    {
      name: 'a gateway of that name outside istio-system is not the add-on one',
      documents: [
        master('1.16.15-gke.4300'),
        workload('Deployment', 'gateways', 'istio-ingressgateway', {
          managedFields: [managedField('kubectl-edit')],
        }),
      ],
      reason: 'no istio-ingressgateway Deployment',
    },
    {
      name: 'the Istio add-on is disabled',
      documents: [
        gkeCluster({
          currentMasterVersion: '1.16.15-gke.4300',
          addonsConfig: { istioConfig: { disabled: true } },
        }),
        gateway(),
      ],
      reason: 'add-on is disabled',
    },
  ],
  unknown: [
    { name: 'no GKE cluster data', documents: [gateway()], reason: 'no GKE cluster data in the snapshot' },
    {
      name: 'malformed versions => unknown',
      documents: [master('1.16'), gateway()],
      reason: 'master version "1.16"',
    },
    {
      name: 'Deployments not collected',
      documents: [master('1.16.15-gke.4300'), namespace('istio-system')],
      notCollected: { deployments: 'forbidden (403)' },
      reason: 'Deployments not collected: forbidden (403)',
    },
  ],
});

describe('ingress-gateway-upgrade-disruption remediation', () => {
  it('saves the Deployment and names the editors in a note', async () => {
    const input = { name: 'commands', fixtures: ['fail-edited-gateway.yaml'] };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'kubectl get deployment -n istio-system istio-ingressgateway -o yaml > deployment-istio-system-istio-ingressgateway.yaml',
    ]);
    const step = await plannedStep(rule, input, 'gateway-upgrade-outage');
    expect(step.steps.filter((s) => s.kind === 'backup')).toHaveLength(1);
    const script = renderPlanStep(step);
    expect(script).toContain('unavailable for about 5 minutes, and edits made to its Deployment are lost');
    expect(script).toContain("note 'Edits found on it (field managers): kubectl-edit'");
    expect(script).toContain(
      'backup deployment-istio-system-istio-ingressgateway.yaml kubectl get deployment -n istio-system istio-ingressgateway -o yaml',
    );
    expect(script).toContain('to re-apply by hand after the upgrade');
  });
});
