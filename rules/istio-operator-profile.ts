import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { SnapshotIndex } from '../src/engine/snapshot-index.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { ISTIO_SYSTEM, REVISION_LABEL } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { ClusterSnapshot } from '../src/snapshot/model.ts';

const GUIDE_URL = 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator';
/** How many namespaces or pods a message names before it says "and N more". */
const LISTED = 5;

function listed(names: readonly string[]): string {
  const more = names.length > LISTED ? ` and ${names.length - LISTED} more` : '';
  return `${names.slice(0, LISTED).join(', ')}${more}`;
}

type StillOnOperator =
  | { readonly status: 'known'; readonly namespaces: string[]; readonly pods: string[] }
  | { readonly status: 'unknown'; readonly reason: string };

/**
 * What still depends on the operator's revision: namespaces that select it (`istio.io/rev`) and
 * live sidecars outside istio-system that run on it (their `istio.io/rev` label, or, without the
 * label, a 1.6+ proxy image that is not an ASM build).
 */
function stillOnOperator(snapshot: ClusterSnapshot, index: SnapshotIndex, revision: string): StillOnOperator {
  const missing = [index.missing('namespaces'), index.missing('pods')].filter((m) => m !== undefined);
  if (missing.length > 0) return { status: 'unknown', reason: missing.join('; ') };
  const namespaces = snapshot.kube.namespaces
    .filter((ns) => ns.metadata.labels?.[REVISION_LABEL] === revision)
    .map((ns) => ns.metadata.name)
    .sort();
  const pods = meshIndex(index)
    .meshProxies()
    .filter((proxy) => {
      const label = proxy.pod.metadata.labels?.[REVISION_LABEL];
      if (label !== undefined) return label === revision;
      const version = proxy.version;
      return version !== undefined && (version.major > 1 || version.minor >= 6) && version.flavour !== 'asm';
    })
    .map((proxy) => `${proxy.pod.metadata.namespace}/${proxy.pod.metadata.name}`)
    .sort();
  return { status: 'known', namespaces, pods };
}

export default defineRule({
  id: 'istio-operator-profile',
  title: 'The Istio operator is disabled for the ASM install, and emptied once nothing uses it',
  phase: 'asm-install',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  // istiod revisions come from pods or Deployments, whichever was collected (see below).
  needs: ['istiooperators'],
  docs: {
    summary:
      "The IstioOperator's spec.profile is not `disabled` for the ASM install, or not `empty` once nothing uses the operator's control plane.",
    checks:
      'Reads `spec.profile` of the IstioOperators in istio-system (not the `installed-state*` copies istioctl ' +
      'keeps). ASM counts as installed when a ready istiod carries an `istio.io/rev` label starting with ' +
      "`asm-`. The operator's revision is the IstioOperator's `spec.revision` (else the ready istiod revision " +
      'that is not `asm-*`, e.g. `istio-1611`). Before ASM is installed, every IstioOperator must have profile ' +
      '`disabled` (finding in phase asm-install). Once ASM is installed, `disabled` still passes while any ' +
      "namespace selects the operator's revision (`istio.io/rev`) or any sidecar outside istio-system runs on " +
      "it (its pod's `istio.io/rev` label; without the label, a 1.6+ proxy image that is not an `asm` build); " +
      'only when nothing does is `empty` asked for (finding in phase asm-cleanup). A profile that is neither ' +
      "is a finding for `disabled` in every state, and so is `empty` while something still uses the operator's " +
      'revision. One finding per IstioOperator. Not applicable when there is no IstioOperator; unknown when ' +
      'neither pods nor Deployments were collected (no way to tell which istiod revisions run), or when ASM ' +
      'is installed and Namespaces or Pods were not collected (no way to tell whether the operator is still used).',
    why:
      'The operator would reconcile the istio-ingressgateway that ASM installs, so it must be disabled before ' +
      'install_asm runs ("Upgrading to Istio 1.6 with the operator", migrating to Anthos Service Mesh: ' +
      '"disable the operator"). The guide then has you enable sidecar injection for the ASM revision and ' +
      'redeploy the workloads, and only after that sets the profile to `empty`: `empty` re-enables the ' +
      'operator so that it removes everything it installed, its istiod (`istiod-istio-1611`) included, leaving ' +
      "install_asm's control plane and gateways alone. Emptying it while namespaces or pods still use its " +
      'revision cuts those proxies off from their control plane and new pods there get no sidecar.',
    fix:
      'Before and during the ASM move: `kubectl patch -n istio-system istiooperator NAME -p ' +
      '\'{"spec":{"profile":"disabled"}}\' --type=merge`. Once every namespace is relabelled to the `asm-*` ' +
      'revision and its workloads restarted (`namespace-injection-labels`, `sidecar-proxy-version`): the same ' +
      'with `"profile":"empty"`. Back the CR up first.',
    references: [
      { title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh', url: GUIDE_URL },
    ],
  },
  check(snapshot, { index }) {
    const mesh = meshIndex(index);
    const operators = mesh.controlPlaneOperators();
    if (operators.length === 0) return notApplicable('no IstioOperator in istio-system');
    const revisionsUnknown = mesh.istiodRevisionsUnknown();
    if (revisionsUnknown) return unknown(`cannot tell whether ASM is installed: ${revisionsUnknown}`);
    const asmRevision = mesh.readyAsmRevision();
    const operatorRevision = mesh.operatorRevision();
    const users =
      asmRevision && operatorRevision
        ? stillOnOperator(snapshot, index, operatorRevision)
        : ({ status: 'known', namespaces: [], pods: [] } as const);
    const inUse = users.status === 'known' && (users.namespaces.length > 0 || users.pods.length > 0);
    const findings: RuleFinding[] = [];
    for (const operator of operators) {
      const name = `${ISTIO_SYSTEM}/${operator.metadata.name}`;
      const profile = operator.profile === undefined ? '(unset, i.e. default)' : `"${operator.profile}"`;
      const disable = (message: string) =>
        findingAbout(operator, message, {
          fix: fix('set-operator-profile', { operator: operator.metadata.name, profile: 'disabled' }),
        });
      if (!asmRevision) {
        if (operator.profile === 'disabled') continue;
        findings.push(
          disable(
            `IstioOperator ${name} has profile ${profile}: ASM is not installed yet (no ready asm-* istiod ` +
              `revision); it must be "disabled" so that the operator does not reconcile the ` +
              "istio-ingressgateway ASM's installer puts in place.",
          ),
        );
        continue;
      }
      const installed = `ASM is installed (istiod revision ${asmRevision} is ready)`;
      if (users.status === 'unknown') {
        if (operator.profile !== 'disabled' && operator.profile !== 'empty') {
          findings.push(
            disable(`IstioOperator ${name} has profile ${profile}: ${installed}; it must be "disabled".`),
          );
          continue;
        }
        if (operator.profile === 'disabled') {
          return unknown(
            `${installed}, but whether anything still uses the operator's revision ` +
              `${operatorRevision ?? '(unknown)'} cannot be told, so neither "empty" nor "disabled" can be ` +
              `confirmed: ${users.reason}`,
          );
        }
        return unknown(
          `IstioOperator ${name} has profile "empty" and ${installed}, but whether anything still uses the ` +
            `operator's revision cannot be told: ${users.reason}`,
        );
      }
      if (inUse) {
        if (operator.profile === 'disabled') continue;
        const using = [
          users.namespaces.length > 0
            ? `namespace${users.namespaces.length > 1 ? 's' : ''} ${listed(users.namespaces)} still select${users.namespaces.length > 1 ? '' : 's'} it`
            : '',
          users.pods.length > 0
            ? `${users.pods.length} pod${users.pods.length > 1 ? 's' : ''} still run${users.pods.length > 1 ? '' : 's'} on it (${listed(users.pods)})`
            : '',
        ]
          .filter((part) => part !== '')
          .join(' and ');
        const danger =
          operator.profile === 'empty'
            ? 'with "empty" the operator removes its istiod while they depend on it; set it back to "disabled" ' +
              'until every namespace is relabelled to the asm-* revision and its workloads restarted'
            : 'it must be "disabled" until every namespace is relabelled to the asm-* revision and its ' +
              'workloads restarted; only then "empty"';
        findings.push(
          disable(
            `IstioOperator ${name} has profile ${profile}: ${installed}, but the operator's revision ` +
              `${operatorRevision} is still in use (${using}); ${danger}.`,
          ),
        );
        continue;
      }
      if (operator.profile === 'empty') continue;
      findings.push(
        findingAbout(
          operator,
          `IstioOperator ${name} has profile ${profile}: ${installed} and nothing uses the operator's revision ` +
            `${operatorRevision ?? '(none found)'} any more (no namespace selects it, no sidecar runs on it); it ` +
            'must be "empty" so that the operator removes the resources it installed, leaving ASM alone.',
          {
            phase: 'asm-cleanup',
            fix: fix('set-operator-profile', { operator: operator.metadata.name, profile: 'empty' }),
          },
        ),
      );
    }
    return findings;
  },
});
