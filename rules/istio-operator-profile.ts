import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { SnapshotIndex } from '../src/engine/snapshot-index.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { ISTIO_SYSTEM, REVISION_LABEL } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { ClusterSnapshot, IstioOperator } from '../src/snapshot/model.ts';

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
      '(`default`, unset, …) fails in every state: before ASM for `disabled`; once ASM is installed the operator ' +
      "keeps reconciling beside install_asm's control plane, so it is a finding for `disabled` (phase asm-install) " +
      "while anything selects or runs on the operator's revision, for `empty` (phase asm-cleanup) when nothing " +
      'does; remediate.sh decides again at run time. A profile already `empty` while something still uses the ' +
      'revision is an urgent error (phase asm-migrate-namespaces) that names what still runs there and never ' +
      'advises setting it back to `disabled`; `empty` before ASM is installed is an error too (install_asm ' +
      '--mode migrate needs the istiod it migrates from), urgent when something runs on the revision. One ' +
      'finding per IstioOperator. Not applicable when there is no IstioOperator; unknown when ' +
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
      'with `"profile":"empty"`. Back the CR up first. remediate.sh checks at run time which of the two the ' +
      'cluster needs. Already `empty` too early: setting `disabled` reinstalls nothing; move what still runs ' +
      'on the revision to the `asm-*` revision at once (or, before ASM, restore the IstioOperator from its ' +
      'backup).',
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
    const users: StillOnOperator = operatorRevision
      ? stillOnOperator(snapshot, index, operatorRevision)
      : { status: 'known', namespaces: [], pods: [] };
    const inUse = users.status === 'known' && (users.namespaces.length > 0 || users.pods.length > 0);
    const using = users.status === 'known' ? usersText(users) : '';
    const findings: RuleFinding[] = [];
    for (const operator of operators) {
      const name = `${ISTIO_SYSTEM}/${operator.metadata.name}`;
      const profile = operator.profile === undefined ? '(unset, i.e. default)' : `"${operator.profile}"`;
      const setProfile = (message: string, wanted: 'disabled' | 'empty', phase?: 'asm-cleanup') =>
        findingAbout(operator, message, {
          ...(phase ? { phase } : {}),
          fix: fix('set-operator-profile', {
            operator: operator.metadata.name,
            profile: wanted,
            ...(asmRevision ? { asmRevision } : {}),
          }),
        });
      if (operator.profile === 'empty') {
        // Never advise setting it back to disabled: that brings nothing back (SPEC §4).
        const finding = emptyTooEarly(operator, name, asmRevision, operatorRevision, users, using);
        if (finding === 'unknown') {
          return unknown(
            `IstioOperator ${name} has profile "empty" and ${asmRevision ? installedText(asmRevision) : 'ASM is not installed'}, ` +
              `but whether anything still uses the operator's revision cannot be told: ${(users as { reason: string }).reason}`,
          );
        }
        if (finding) findings.push(finding);
        continue;
      }
      if (!asmRevision) {
        if (operator.profile === 'disabled') continue;
        findings.push(
          setProfile(
            `IstioOperator ${name} has profile ${profile}: ASM is not installed yet (no ready asm-* istiod ` +
              `revision); it must be "disabled" so that the operator does not reconcile the ` +
              "istio-ingressgateway ASM's installer puts in place.",
            'disabled',
          ),
        );
        continue;
      }
      const installed = installedText(asmRevision);
      if (operator.profile !== 'disabled') {
        // A default-like profile once ASM is installed: the operator keeps reconciling beside it.
        const reconciling =
          `IstioOperator ${name} has profile ${profile}: ${installed}, and the operator keeps reconciling its ` +
          "control plane and gateway beside install_asm's";
        if (users.status === 'unknown' || inUse) {
          findings.push(
            setProfile(
              `${reconciling}. Its revision ${operatorRevision ?? '(unknown)'} is still in use ` +
                `(${users.status === 'unknown' ? `cannot be told: ${users.reason}` : using}), so it must be "disabled" ` +
                'now (not "empty", which would remove its istiod under them); "empty" once every namespace is ' +
                'relabelled to the asm-* revision and its workloads restarted.',
              'disabled',
            ),
          );
        } else {
          findings.push(
            setProfile(
              `${reconciling}. Nothing uses its revision ${operatorRevision ?? '(none found)'} any more (no ` +
                'namespace selects it, no sidecar runs on it): it must be "empty" so that the operator removes ' +
                'the resources it installed, leaving ASM alone.',
              'empty',
              'asm-cleanup',
            ),
          );
        }
        continue;
      }
      if (users.status === 'unknown') {
        return unknown(
          `${installed}, but whether anything still uses the operator's revision ` +
            `${operatorRevision ?? '(unknown)'} cannot be told, so neither "empty" nor "disabled" can be ` +
            `confirmed: ${users.reason}`,
        );
      }
      if (inUse) continue;
      findings.push(
        setProfile(
          `IstioOperator ${name} has profile ${profile}: ${installed} and nothing uses the operator's revision ` +
            `${operatorRevision ?? '(none found)'} any more (no namespace selects it, no sidecar runs on it); it ` +
            'must be "empty" so that the operator removes the resources it installed, leaving ASM alone.',
          'empty',
          'asm-cleanup',
        ),
      );
    }
    return findings;
  },
});

function installedText(asmRevision: string): string {
  return `ASM is installed (istiod revision ${asmRevision} is ready)`;
}

/** "namespace shop still selects it and 1 pod still runs on it (shop/cart-1)". */
function usersText(users: {
  readonly namespaces: readonly string[];
  readonly pods: readonly string[];
}): string {
  return [
    users.namespaces.length > 0
      ? `namespace${users.namespaces.length > 1 ? 's' : ''} ${listed(users.namespaces)} still select${users.namespaces.length > 1 ? '' : 's'} it`
      : '',
    users.pods.length > 0
      ? `${users.pods.length} pod${users.pods.length > 1 ? 's' : ''} still run${users.pods.length > 1 ? '' : 's'} on it (${listed(users.pods)})`
      : '',
  ]
    .filter((part) => part !== '')
    .join(' and ');
}

/**
 * An operator already at `empty`: fine once ASM is installed and nothing uses its revision.
 * Otherwise the operator removes (or removed) its istiod under what still depends on it: a finding
 * naming that, urgent when something still runs on the revision, and never a fix back to
 * `disabled` (which reinstalls nothing). Before ASM is installed it is a finding even with nothing
 * on the revision: install_asm --mode migrate needs the istiod it migrates from.
 */
function emptyTooEarly(
  operator: IstioOperator,
  name: string,
  asmRevision: string | undefined,
  operatorRevision: string | undefined,
  users: StillOnOperator,
  using: string,
): RuleFinding | 'unknown' | undefined {
  if (users.status === 'unknown' && asmRevision) return 'unknown';
  const inUse = users.status === 'known' && (users.namespaces.length > 0 || users.pods.length > 0);
  const revision = operatorRevision ?? '(unknown)';
  if (asmRevision) {
    if (!inUse) return undefined;
    return findingAbout(
      operator,
      `IstioOperator ${name} has profile "empty" and ${installedText(asmRevision)}, but the operator's revision ` +
        `${revision} is still in use (${using}): with "empty" the operator removes its istiod under them, so ` +
        'their proxies lose their control plane and new pods there get no sidecar (or are rejected). Setting the ' +
        `profile to "disabled" brings nothing back: move them to ${asmRevision} now, relabelling each namespace ` +
        `(istio.io/rev=${asmRevision}) and restarting its workloads (namespace-injection-labels, ` +
        'sidecar-proxy-version).',
      { phase: 'asm-migrate-namespaces', urgent: true },
    );
  }
  return findingAbout(
    operator,
    `IstioOperator ${name} has profile "empty" but ASM is not installed yet (no ready asm-* istiod revision): the ` +
      `operator removes its control plane (revision ${revision})` +
      (inUse ? ` while it is still in use (${using})` : '') +
      ', and `install_asm --mode migrate` needs the istiod it migrates from. Setting the profile to "disabled" ' +
      'brings nothing back: restore the IstioOperator from a backup taken before it was emptied (its former ' +
      'profile), then disable it for the ASM install.',
    inUse ? { urgent: true } : {},
  );
}
