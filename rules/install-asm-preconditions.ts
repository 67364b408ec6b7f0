import { createHash } from 'node:crypto';
import { defineRule, findingAbout, notApplicable, type RuleFinding } from '../src/engine/rule.ts';
import { customOverlay } from '../src/istio/custom-overlay.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { ISTIO_SYSTEM, REVISION_LABEL } from '../src/istio/names.ts';
import { type IstiodRevision, isAsmRevision } from '../src/istio/revisions.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { IstioOperator, KubeObject } from '../src/snapshot/model.ts';

export const OVERLAY_FILE = 'asm-custom-overlay.yaml';

/**
 * Why install_asm is never run again once an `asm-*` revision is installed (anthos-service-mesh-packages,
 * scripts/asm-installer/install_asm): 1.6 knows no `--mode upgrade` (release-1.6-asm:352) and its
 * `--mode migrate` stops at any `asm` control-plane version (release-1.6-asm:695); 1.7's `migrate`
 * stops the same way (release-1.7-asm:1062), and its `upgrade` stops at any control plane that is not
 * ASM, the operator's istiod included (release-1.7-asm:1079), and at an ASM version not below its own
 * (release-1.7-asm:1090).
 */
const NOT_AGAIN =
  'install_asm is not run again: `--mode migrate` refuses once an asm control plane runs, and `--mode ' +
  "upgrade` (1.7 only) refuses while the operator's istiod runs and for the version already installed";

/**
 * An `asm-*` istiod installed in istio-system but not the one ready revision install_asm leaves:
 * not ready (install_asm did not finish, or its istiod fails), or a second `asm-*` revision. One
 * finding per revision, about its Deployment (its pod when no Deployment is known).
 */
function asmInstalledFindings(
  asmIstiods: readonly KubeObject[],
  revisions: readonly IstiodRevision[],
): RuleFinding[] {
  const byRevision = new Map<string, KubeObject>();
  for (const istiod of asmIstiods) {
    const revision = istiod.metadata.labels?.[REVISION_LABEL] as string;
    if (!byRevision.has(revision)) byRevision.set(revision, istiod);
  }
  const names = [...byRevision.keys()].sort();
  return names.map((revision) => {
    const istiod = byRevision.get(revision) as KubeObject;
    const ready = revisions.some((r) => r.revision === revision && r.ready);
    const what = `${istiod.kind} ${ISTIO_SYSTEM}/${istiod.metadata.name}`;
    const message =
      names.length > 1
        ? `Two or more Anthos Service Mesh revisions are installed in istio-system (${names.join(', ')}; this is ` +
          `${what}${ready ? '' : ', not ready'}): install_asm leaves exactly one. Keep the revision your ` +
          'namespaces are to select and remove the other once no namespace selects it and no pod runs on it ' +
          `(istioctl x uninstall --revision REVISION); ${NOT_AGAIN}.`
        : `Anthos Service Mesh revision ${revision} is installed (${what}) but not ready: find out why its istiod ` +
          `does not start (kubectl -n istio-system describe pods -l istio.io/rev=${revision}) and fix that; ` +
          `${NOT_AGAIN}.`;
    return findingAbout(istiod, message, { severity: 'error', key: `asm-revision-${revision}` });
  });
}

function isIstiod(object: KubeObject): boolean {
  return object.metadata.labels?.app === 'istiod';
}

/**
 * One overlay file per customised operator; the usual single one gets the plain name. A name that
 * is not usable as it is (characters unsafe in a file name, or longer than 80) is cut and gets a
 * hash of the whole name, so that two operators never share a file.
 */
function overlayFile(operator: IstioOperator, customised: number): string {
  if (customised === 1) return OVERLAY_FILE;
  const name = operator.metadata.name;
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  if (safe === name && name.length <= 80) return `asm-custom-overlay-${name}.yaml`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `asm-custom-overlay-${safe.slice(0, 71)}-${hash}.yaml`;
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
      'istio-system is an error. Once an `asm-*` istiod is installed in istio-system (Deployment or pod with an ' +
      '`istio.io/rev` label starting with `asm-`): pass when it is the only `asm-*` revision and it is ready ' +
      '(install_asm has nothing left to do, whatever the operator still does: `istio-operator-profile` judges ' +
      'that); an error when it is not ready, or when two or more `asm-*` revisions are installed. Not applicable ' +
      'when there is neither an IstioOperator in istio-system nor an istiod.',
    why:
      'The guide\'s `install_asm --mode migrate --ca citadel` command is for "installations that were not ' +
      'customised": install_asm installs its own control plane from its own manifests, so the operator\'s mesh ' +
      'settings (access logs, tracing, resources, autoscaling…) are lost unless passed with `--custom_overlay`. ' +
      'install_asm expects istiod in istio-system. Once it has installed an `asm-*` revision it cannot be run ' +
      'again: `--mode migrate` stops at any ASM control plane (install_asm on release-1.6-asm line 695, ' +
      "release-1.7-asm line 1062), 1.6 has no `--mode upgrade` (release-1.6-asm line 352), and 1.7's stops while " +
      "the operator's istiod runs and for the version already installed (release-1.7-asm lines 1079 and 1090; " +
      '`scripts/asm-installer/install_asm` of GoogleCloudPlatform/anthos-service-mesh-packages). So remediate.sh ' +
      'never runs it again: it finishes the operator profile, the relabelling, the restarts and the cleanup ' +
      'against the installed revision.',
    fix:
      'Review the generated `asm-custom-overlay.yaml` and pass it to install_asm (`--custom_overlay ' +
      'asm-custom-overlay.yaml`). Move a control plane outside istio-system back before migrating. An `asm-*` ' +
      'istiod that is not ready: find out why (`kubectl -n istio-system describe pods -l istio.io/rev=REVISION`) ' +
      'and fix that, never run install_asm again. Two `asm-*` revisions: keep the one your namespaces are to ' +
      'select and remove the other once nothing selects or runs on it.',
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
  check(snapshot, { index }) {
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
    // Once exactly one asm-* revision is installed in istio-system and ready, install_asm has done its
    // part: nothing here can still matter to it.
    const asmIstiods = istiods.filter((istiod) => {
      const revision = istiod.metadata.labels?.[REVISION_LABEL];
      return istiod.metadata.namespace === ISTIO_SYSTEM && revision !== undefined && isAsmRevision(revision);
    });
    const revisions = meshIndex(index).istiodRevisions();
    const asmRevisions = new Set(asmIstiods.map((istiod) => istiod.metadata.labels?.[REVISION_LABEL]));
    const [onlyRevision] = asmRevisions;
    if (asmRevisions.size === 1 && revisions.some((r) => r.revision === onlyRevision && r.ready)) return [];

    const findings: RuleFinding[] = [];

    // The overlay matters to an install still to run, not to one that ran (even half-way).
    const overlays = (asmIstiods.length > 0 ? [] : operators).flatMap((operator) => {
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
    return [...findings, ...asmInstalledFindings(asmIstiods, revisions)];
  },
});
