import { fix } from '../src/engine/fixes.ts';
import { defineRule, findingAbout, notApplicable, unknown } from '../src/engine/rule.ts';
import { ISTIO_SYSTEM } from '../src/engine/snapshot-index.ts';

export default defineRule({
  id: 'istio-operator-profile',
  title: 'The Istio operator is disabled for the ASM install, and emptied after it',
  phase: 'asm-install',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  // istiod revisions come from pods or Deployments, whichever was collected (see below).
  needs: ['istiooperators'],
  docs: {
    summary:
      "The IstioOperator's spec.profile is not `disabled` before the ASM install, or not `empty` after it.",
    checks:
      'Reads `spec.profile` of the IstioOperators in istio-system (not the `installed-state*` copies istioctl ' +
      'keeps). ASM counts as installed when a ready istiod carries an `istio.io/rev` label starting with ' +
      '`asm-`. Before that, every IstioOperator must have profile `disabled`; after it, profile `empty`. One ' +
      'finding per IstioOperator. Not applicable when there is no IstioOperator; unknown when neither pods nor ' +
      'Deployments were collected (no way to tell which istiod revisions run).',
    why:
      'The operator would reconcile the istio-ingressgateway that ASM installs, so it must be disabled before ' +
      'install_asm runs ("Upgrading to Istio 1.6 with the operator", "Disabling the operator"). After the migration, the `empty` profile ' +
      "re-enables it so it removes what it installed earlier, leaving ASM's control plane and gateways alone " +
      '("Upgrading to Istio 1.6 with the operator", "After migrating").',
    fix:
      'Before ASM: `kubectl patch -n istio-system istiooperator NAME -p \'{"spec":{"profile":"disabled"}}\' ' +
      '--type=merge`. After ASM: the same with `"profile":"empty"`. Back the CR up first.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
    ],
  },
  check(_snapshot, { index }) {
    const operators = index.controlPlaneOperators();
    if (operators.length === 0) return notApplicable('no IstioOperator in istio-system');
    const revisionsUnknown = index.istiodRevisionsUnknown();
    if (revisionsUnknown) return unknown(`cannot tell whether ASM is installed: ${revisionsUnknown}`);
    const asmRevision = index
      .istiodRevisions()
      .find((r) => r.ready && r.revision.startsWith('asm-'))?.revision;
    const wanted = asmRevision ? 'empty' : 'disabled';
    const stage = asmRevision
      ? `ASM is installed (istiod revision ${asmRevision} is ready)`
      : 'ASM is not installed yet (no ready asm-* istiod revision)';
    const why = asmRevision
      ? 'so that the operator removes the resources it installed, leaving ASM alone'
      : "so that the operator does not reconcile the istio-ingressgateway ASM's installer puts in place";
    return operators
      .filter((operator) => operator.profile !== wanted)
      .map((operator) =>
        findingAbout(
          operator,
          `IstioOperator ${ISTIO_SYSTEM}/${operator.metadata.name} has profile ` +
            `${operator.profile === undefined ? '(unset, i.e. default)' : `"${operator.profile}"`}: ${stage}; it ` +
            `must be "${wanted}" ${why}.`,
          { fix: fix('set-operator-profile', { operator: operator.metadata.name, profile: wanted }) },
        ),
      );
  },
});
