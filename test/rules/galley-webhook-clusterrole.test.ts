import { describe, expect, it } from 'vitest';
import rule from '../../rules/galley-webhook-clusterrole.ts';
import { clusterRole, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

const NAME = 'istio-galley-istio-system';
const webhooks = (verbs: string[], extra: Record<string, unknown> = {}) => ({
  apiGroups: ['admissionregistration.k8s.io'],
  resources: ['validatingwebhookconfigurations'],
  verbs,
  ...extra,
});
const readConfig = { apiGroups: ['networking.istio.io'], resources: ['*'], verbs: ['get', 'list', 'watch'] };

ruleTester(rule, {
  pass: [
    {
      name: 'verbs already [get] (guide step 4.2 done)',
      documents: [clusterRole(NAME, [readConfig, webhooks(['get'])])],
    },
    { name: 'after the edit, from a fixture', fixtures: ['pass-restricted-to-get.yaml'] },
    {
      name: 'no rule on validatingwebhookconfigurations at all',
      documents: [clusterRole(NAME, [readConfig])],
    },
    {
      name: 'resourceNames that do not include istio-galley do not reach its webhook',
      documents: [clusterRole(NAME, [webhooks(['*'], { resourceNames: ['some-other-webhook'] })])],
    },
    {
      name: 'another group with a resource of the same name is not admissionregistration.k8s.io',
      documents: [
        clusterRole(NAME, [
          { apiGroups: ['example.com'], resources: ['validatingwebhookconfigurations'], verbs: ['*'] },
        ]),
      ],
    },
    {
      name: 'other ClusterRoles are not checked',
      documents: [
        clusterRole(NAME, [webhooks(['get'])]),
        clusterRole('istio-reader-istio-system', [webhooks(['*'])]),
      ],
    },
  ],
  fail: [
    {
      name: "the add-on's '*' on validatingwebhookconfigurations (fixture, rule index 1)",
      fixtures: ['fail-addon-clusterrole.yaml'],
      findings: [
        {
          severity: 'error',
          message:
            /^ClusterRole istio-galley-istio-system rule 1 grants \[\*\] on admissionregistration\.k8s\.io validatingwebhookconfigurations: .*Change the verbs of that rule to \[get\]\.$/,
          resource: { kind: 'ClusterRole', name: NAME },
          fix: { action: 'restrict-galley-clusterrole', params: { name: NAME, ruleIndex: 1 } },
        },
      ],
    },
    {
      name: 'any verb other than get counts (get, list, watch, update)',
      documents: [clusterRole(NAME, [webhooks(['get', 'list', 'watch', 'update'])])],
      findings: [
        {
          message:
            'ClusterRole istio-galley-istio-system rule 0 grants [list, watch, update] on admissionregistration.k8s.io ' +
            'validatingwebhookconfigurations: the 1.4 galley can re-create or rewrite its istio-galley webhook, which ' +
            'then validates 1.6 configuration with 1.4 rules. Change the verbs of that rule to [get].',
          resource: { kind: 'ClusterRole', name: NAME },
          fix: { action: 'restrict-galley-clusterrole', params: { ruleIndex: 0 } },
        },
      ],
    },
    {
      name: "'*' apiGroups and resources cover the webhooks, reported without an automatic fix",
      documents: [clusterRole(NAME, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }])],
      findings: [
        {
          message:
            /also covers other resources \(apiGroups \[\*\], resources \[\*\]\), so do not just set its verbs/,
        },
      ],
    },
    {
      name: 'a rule also covering mutatingwebhookconfigurations is not patched blindly',
      documents: [
        clusterRole(NAME, [
          {
            apiGroups: ['admissionregistration.k8s.io'],
            resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
            verbs: ['create', 'update'],
          },
        ]),
      ],
      findings: [
        {
          message:
            'The rule also covers other resources (apiGroups [admissionregistration.k8s.io], resources ' +
            '[validatingwebhookconfigurations, mutatingwebhookconfigurations]), so do not just set its verbs to ' +
            '[get]: edit the ClusterRole so that validatingwebhookconfigurations gets only [get] and the rest keeps ' +
            'its verbs.',
          resource: { kind: 'ClusterRole', name: NAME },
        },
      ],
    },
    {
      name: 'a rule over the webhooks and other groups (no resource list given): reported without an automatic fix',
      documents: [
        clusterRole(NAME, [
          { apiGroups: ['admissionregistration.k8s.io', 'apps'], resources: ['*'], verbs: ['update'] },
          { apiGroups: ['*'], verbs: ['update'] },
        ]),
      ],
      findings: [
        {
          message:
            'also covers other resources (apiGroups [admissionregistration.k8s.io, apps], resources [*])',
          resource: { kind: 'ClusterRole', name: NAME },
        },
      ],
    },
    {
      name: 'a rule on the webhooks that also names another API group is not patched blindly (its verbs would go too)',
      documents: [
        clusterRole(NAME, [
          {
            apiGroups: ['admissionregistration.k8s.io', 'apps'],
            resources: ['validatingwebhookconfigurations'],
            verbs: ['update'],
          },
        ]),
      ],
      findings: [
        {
          message:
            'also covers other resources (apiGroups [admissionregistration.k8s.io, apps], resources ' +
            '[validatingwebhookconfigurations]), so do not just set its verbs to [get]',
          resource: { kind: 'ClusterRole', name: NAME },
          fix: null,
        },
      ],
    },
    {
      name: 'resourceNames naming istio-galley still count',
      documents: [clusterRole(NAME, [webhooks(['update', 'patch'], { resourceNames: ['istio-galley'] })])],
      findings: [{ message: 'grants [update, patch]', fix: { action: 'restrict-galley-clusterrole' } }],
    },
    {
      name: 'one finding per offending rule, with its index',
      documents: [clusterRole(NAME, [webhooks(['*']), readConfig, webhooks(['create'])])],
      findings: [
        {
          message: 'rule 0 grants [*]',
          fix: { action: 'restrict-galley-clusterrole', params: { ruleIndex: 0 } },
        },
        {
          message: 'rule 2 grants [create]',
          fix: { action: 'restrict-galley-clusterrole', params: { ruleIndex: 2 } },
        },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'the galley ClusterRole does not exist',
      documents: [namespace('istio-system'), clusterRole('istio-reader-istio-system', [readConfig])],
      reason: 'ClusterRole istio-galley-istio-system does not exist',
    },
  ],
  unknown: [
    {
      name: 'ClusterRoles not collected',
      documents: [namespace('istio-system')],
      notCollected: { clusterroles: 'forbidden (403)' },
      reason: 'ClusterRoles not collected: forbidden (403)',
    },
  ],
});

describe('galley-webhook-clusterrole remediation', () => {
  it('backs the ClusterRole up, then patches the verbs of the offending rule to [get]', async () => {
    const input = { name: 'commands', fixtures: ['fail-addon-clusterrole.yaml'] };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'kubectl get clusterrole istio-galley-istio-system -o yaml > clusterrole-istio-galley-istio-system.yaml',
      `kubectl patch clusterrole istio-galley-istio-system --type=json -p '[{"op":"test","path":"/rules/1/apiGroups","value":["admissionregistration.k8s.io"]},{"op":"test","path":"/rules/1/resources","value":["validatingwebhookconfigurations"]},{"op":"replace","path":"/rules/1/verbs","value":["get"]}]'`,
    ]);
    // The get is the backup the library function saves before it patches.
    const [call] = (await plannedStep(rule, input, 'restrict-galley-clusterrole')).steps;
    expect(call?.kind === 'call' && call.shows.map((shown) => shown.kind)).toEqual(['backup', 'run']);
  });

  it('has distinct fingerprints for two offending rules of one ClusterRole', async () => {
    const result = await evaluateRule(rule, {
      name: 'fingerprints',
      documents: [clusterRole(NAME, [webhooks(['*']), webhooks(['create'])])],
    });
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).toBe(2);
  });
});
