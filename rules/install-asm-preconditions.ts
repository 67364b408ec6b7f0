import { defineRule, findingAbout, notApplicable, type RuleFinding } from '../src/engine/rule.ts';
import { customOverlay } from '../src/istio/custom-overlay.ts';
import { ISTIO_SYSTEM, REVISION_LABEL } from '../src/istio/names.ts';
import { isAsmRevision } from '../src/istio/revisions.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { IstioOperator, KubeObject } from '../src/snapshot/model.ts';

export const OVERLAY_FILE = 'asm-custom-overlay.yaml';

/** Operator profiles that mean the install step has run: the operator was handed over to ASM. */
const HANDED_OVER = new Set(['disabled', 'empty']);

function isIstiod(object: KubeObject): boolean {
  return object.metadata.labels?.app === 'istiod';
}

/** One overlay file per customised operator; the usual single one gets the plain name. */
function overlayFile(operator: IstioOperator, customised: number): string {
  if (customised === 1) return OVERLAY_FILE;
  const safe = operator.metadata.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return `asm-custom-overlay-${safe}.yaml`;
}

export default defineRule({
  id: 'install-asm-preconditions',
  title: "The cluster meets what the guide's plain install_asm --mode migrate command assumes",
  phase: 'asm-install',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  needs: ['istiooperators', 'pods', 'deployments'],
  docs: {
    summary:
      'The Istio installation is customised, or not where install_asm expects it, so the plain migration command would lose settings or fail.',
    checks:
      'Reads the IstioOperators in istio-system: one with `spec.meshConfig`, `spec.values` (other than ' +
      '`values.gateways`) or a `k8s` block on a component other than the gateways (settings equal to Istio 1.6 defaults, such as ' +
      '`values.global.proxy.clusterDomain: cluster.local`, do not count) is a warning, and `meshready scan` ' +
      'writes those settings as an IstioOperator overlay (`asm-custom-overlay.yaml`) next to the reports, which ' +
      "the script's install step passes as `--custom_overlay`. An istiod (label `app=istiod`) running outside " +
      'istio-system is an error, and so is an `asm-*` istiod revision already installed while the operator still ' +
      'manages the control plane (profile neither `disabled` nor `empty`). Not applicable when there is neither ' +
      'an IstioOperator in istio-system nor an istiod.',
    why:
      'The guide\'s `install_asm --mode migrate --ca citadel` command is for "installations that were not ' +
      'customised": install_asm installs its own control plane from its own manifests, so the operator\'s mesh ' +
      'settings (access logs, tracing, resources, autoscaling…) are lost unless passed with `--custom_overlay`. ' +
      'install_asm expects istiod in istio-system, and migrate mode is for a cluster without Anthos Service Mesh.',
    fix:
      'Review the generated `asm-custom-overlay.yaml` and pass it to install_asm (`--custom_overlay ' +
      'asm-custom-overlay.yaml`). Move a control plane outside istio-system back before migrating. With an ' +
      '`asm-*` revision already installed, use install_asm `--mode upgrade` instead of `migrate`, or remove the ' +
      'partial installation first.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Anthos Service Mesh: enabling optional features (custom overlays)',
        url: 'https://cloud.google.com/service-mesh/docs/enable-optional-features',
      },
    ],
  },
  check(snapshot) {
    const operators = snapshot.kube.istiooperators.filter((o) => o.metadata.namespace === ISTIO_SYSTEM);
    const istiods: KubeObject[] = [
      ...snapshot.kube.deployments.filter(isIstiod),
      ...snapshot.kube.pods.filter(
        (pod) => isIstiod(pod) && pod.phase !== 'Succeeded' && pod.phase !== 'Failed',
      ),
    ];
    if (operators.length === 0 && istiods.length === 0) {
      return notApplicable(
        'no IstioOperator in istio-system and no istiod: there is no Istio 1.6 installation to migrate',
      );
    }
    const findings: RuleFinding[] = [];

    const overlays = operators.flatMap((operator) => {
      const overlay = customOverlay(operator);
      return overlay ? [{ operator, overlay }] : [];
    });
    for (const { operator, overlay } of overlays) {
      const file = overlayFile(operator, overlays.length);
      findings.push(
        findingAbout(
          operator,
          `IstioOperator ${ISTIO_SYSTEM}/${operator.metadata.name} is customised beyond its gateways ` +
            `(${overlay.settings.join(', ')}): the guide's plain \`install_asm --mode migrate\` command drops ` +
            `these settings. meshready wrote them to ${file}; review it and pass \`--custom_overlay ${file}\` ` +
            'to install_asm (the install step of remediate.sh does).',
          {
            fix: fix('write-custom-overlay', {
              operator: operator.metadata.name,
              namespace: ISTIO_SYSTEM,
              file,
              overlay: overlay.yaml,
              settings: [...overlay.settings],
            }),
          },
        ),
      );
    }

    // Deployments first: one finding per control plane, its pods only when no Deployment is known.
    const reported = new Set<string>();
    const key = (o: KubeObject) =>
      `${o.metadata.namespace ?? ''}\u0000${o.metadata.labels?.[REVISION_LABEL] ?? ''}`;
    for (const istiod of istiods) {
      if (istiod.metadata.namespace === ISTIO_SYSTEM || reported.has(key(istiod))) continue;
      reported.add(key(istiod));
      findings.push(
        findingAbout(
          istiod,
          `istiod runs in namespace ${istiod.metadata.namespace ?? '(none)'} (${istiod.kind} ` +
            `${istiod.metadata.name}), not in istio-system: install_asm installs and migrates the control plane ` +
            'in istio-system only. Move this control plane back to istio-system, or migrate it by hand.',
          { severity: 'error', key: 'outside-istio-system' },
        ),
      );
    }
    const handedOver = operators.some((o) => HANDED_OVER.has(o.profile ?? ''));
    if (!handedOver) {
      for (const istiod of istiods) {
        const revision = istiod.metadata.labels?.[REVISION_LABEL];
        if (
          istiod.metadata.namespace !== ISTIO_SYSTEM ||
          !(revision !== undefined && isAsmRevision(revision))
        )
          continue;
        if (reported.has(key(istiod))) continue;
        reported.add(key(istiod));
        findings.push(
          findingAbout(
            istiod,
            `Anthos Service Mesh revision ${revision} is already installed (${istiod.kind} ` +
              `${istiod.metadata.name}) while the IstioOperator still manages the control plane: ` +
              '`install_asm --mode migrate` is for a cluster without Anthos Service Mesh. Finish or remove that ' +
              'installation first, or use `--mode upgrade`.',
            { severity: 'error', key: 'asm-revision-installed' },
          ),
        );
      }
    }
    return findings;
  },
});
