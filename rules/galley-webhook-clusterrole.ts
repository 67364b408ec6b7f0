import { defineRule, findingAbout, notApplicable, type RuleFinding } from '../src/engine/rule.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { ClusterRole, PolicyRule } from '../src/snapshot/model.ts';

const CLUSTER_ROLE = 'istio-galley-istio-system';
const GROUP = 'admissionregistration.k8s.io';
const RESOURCE = 'validatingwebhookconfigurations';
/** The webhook configuration the 1.4 galley writes. */
const GALLEY_WEBHOOK = 'istio-galley';
const WILDCARD = '*';

/**
 * Whether an RBAC rule applies to galley's ValidatingWebhookConfiguration, as the API server
 * matches it: `*` matches any group or resource; resourceNames, when set, must name the webhook.
 */
function coversGalleyWebhook(rule: PolicyRule): boolean {
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const names = rule.resourceNames ?? [];
  return (
    (groups.includes(WILDCARD) || groups.includes(GROUP)) &&
    (resources.includes(WILDCARD) || resources.includes(RESOURCE)) &&
    (names.length === 0 || names.includes(GALLEY_WEBHOOK))
  );
}

/** Whether setting the rule's verbs to [get] would narrow only the webhook permission. */
function isScopedToWebhooks(rule: PolicyRule): boolean {
  return (
    (rule.apiGroups ?? []).every((group) => group === GROUP) &&
    (rule.resources ?? []).every((resource) => resource === RESOURCE)
  );
}

function describeScope(rule: PolicyRule): string {
  const list = (values: readonly string[] | undefined) =>
    values && values.length > 0 ? values.join(', ') : '-';
  return `apiGroups [${list(rule.apiGroups)}], resources [${list(rule.resources)}]`;
}

function findingsFor(role: ClusterRole): RuleFinding[] {
  const findings: RuleFinding[] = [];
  role.rules.forEach((rule, ruleIndex) => {
    if (!coversGalleyWebhook(rule)) return;
    const extraVerbs = rule.verbs.filter((verb) => verb !== 'get');
    if (extraVerbs.length === 0) return;
    const base =
      `ClusterRole ${role.metadata.name} rule ${ruleIndex} grants [${extraVerbs.join(', ')}] on ${GROUP} ` +
      `${RESOURCE}: the 1.4 galley can re-create or rewrite its ${GALLEY_WEBHOOK} webhook, which then ` +
      'validates 1.6 configuration with 1.4 rules.';
    if (isScopedToWebhooks(rule)) {
      findings.push(
        findingAbout(role, `${base} Change the verbs of that rule to [get].`, {
          key: `rule-${ruleIndex}`,
          fix: fix('restrict-galley-clusterrole', { name: role.metadata.name, ruleIndex }),
        }),
      );
    } else {
      findings.push(
        findingAbout(
          role,
          `${base} The rule also covers other resources (${describeScope(rule)}), so do not just set its verbs ` +
            `to [get]: edit the ClusterRole so that ${RESOURCE} gets only [get] and the rest keeps its verbs.`,
          { key: `rule-${ruleIndex}` },
        ),
      );
    }
  });
  return findings;
}

export default defineRule({
  id: 'galley-webhook-clusterrole',
  title: 'The 1.4 galley can no longer manage its validating webhook',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['clusterroles'],
  docs: {
    summary:
      'ClusterRole istio-galley-istio-system lets the 1.4 galley do more than `get` ValidatingWebhookConfigurations.',
    checks:
      'Reads ClusterRole `istio-galley-istio-system`. Each rule that applies to `admissionregistration.k8s.io` ' +
      '`validatingwebhookconfigurations` (a `*` in apiGroups or resources counts; a rule limited by ' +
      '`resourceNames` counts only when it names `istio-galley`) and grants any verb other than `get` ' +
      "(including `*`) is one finding, with the rule index. The fix patches that rule's verbs to `[get]` " +
      'when the rule covers only that resource; a broader rule is reported without an automatic fix, since ' +
      'narrowing its verbs would also take other permissions from galley. Not applicable when the ' +
      'ClusterRole does not exist.',
    why:
      'The guide "Upgrading to Istio 1.6 with the operator" (step 4) disables configuration validation in the 1.4 control plane: first the galley ' +
      'ClusterRole is edited so its `*` on validatingwebhookconfigurations becomes `get`, then the ' +
      '`istio-galley` ValidatingWebhookConfiguration is deleted. If galley keeps write access it re-creates ' +
      'the webhook, and the 1.4 validation then rejects configuration meant for 1.6.',
    fix:
      'Back up the ClusterRole, then set the verbs of the offending rule to `get`: `kubectl patch clusterrole ' +
      'istio-galley-istio-system --type=json -p \'[{"op":"replace","path":"/rules/N/verbs","value":["get"]}]\'` ' +
      '(N is the rule index in the finding), or `kubectl edit clusterrole istio-galley-istio-system` as the ' +
      'guide does. Do this before deleting the webhook (`galley-validating-webhook`).',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE), step 4',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Kubernetes RBAC: referring to resources',
        url: 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources',
      },
    ],
  },
  check(snapshot) {
    const role = snapshot.kube.clusterroles.find((r) => r.metadata.name === CLUSTER_ROLE);
    if (!role) return notApplicable(`ClusterRole ${CLUSTER_ROLE} does not exist (no Istio 1.4 galley)`);
    return findingsFor(role);
  },
});
