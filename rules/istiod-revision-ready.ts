import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { SnapshotIndex } from '../src/engine/snapshot-index.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { ISTIO_SYSTEM, REVISION_LABEL } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { KubeObject } from '../src/snapshot/model.ts';

/** istiod Deployments and pods without a revision label: a control plane namespaces cannot select. */
function unrevisionedIstiod(index: SnapshotIndex): string[] {
  const isUnrevisionedIstiod = (object: KubeObject) =>
    object.metadata.labels?.app === 'istiod' && !object.metadata.labels[REVISION_LABEL];
  const deployments = (index.deploymentsByNamespace().get(ISTIO_SYSTEM) ?? []).filter(isUnrevisionedIstiod);
  const pods = (index.podsByNamespace().get(ISTIO_SYSTEM) ?? []).filter(isUnrevisionedIstiod);
  return [
    ...deployments.map((d) => `Deployment ${d.metadata.name}`),
    ...pods.map((p) => `Pod ${p.metadata.name}`),
  ];
}

export default defineRule({
  id: 'istiod-revision-ready',
  title: 'A revisioned Istio 1.6 istiod is running',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  // Revisions are read from istiod pods and Deployments; either one is enough, so the rule checks
  // them itself (MeshIndex.istiodRevisionsUnknown) instead of requiring both.
  needs: ['namespaces'],
  docs: {
    summary: 'No ready istiod with an `istio.io/rev` label runs in istio-system.',
    checks:
      'Reads the `istio.io/rev` label of the pods and Deployments labelled `app=istiod` in istio-system (as ' +
      '`kubectl -n istio-system get pods -l app=istiod --show-labels` shows it). Passes when at least one ' +
      'revision is ready: one of its pods is Ready, or its Deployment reports ready replicas. Otherwise the ' +
      'finding reports the revisions found (for example `istio-163` or `istio-1611`, not ready) and any istiod ' +
      'without a revision label. Not applicable when Istio is not installed (no istio-system); unknown when ' +
      'neither pods nor Deployments were collected.',
    why:
      'The guide "Upgrading to Istio 1.6 with the operator" (step 2) checks that the 1.6 istiod runs beside the 1.4 control plane before anything ' +
      'else; its revision (`istio.io/rev`) is the value every namespace is relabelled with. Without a ready ' +
      'revisioned istiod, relabelled namespaces get no sidecar at all.',
    fix:
      'Upgrade the master to a GKE version that ships Istio 1.6 (see `gke-version-istio16`); then check ' +
      'istiod with `kubectl -n istio-system get pods -l app=istiod --show-labels` and `kubectl -n istio-system ' +
      'describe pods -l app=istiod` (scheduling, image pulls, crash loops), and the IstioOperator status ' +
      '(see `istio-operator-health`).',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE), step 2',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      { title: 'Istio canary upgrades', url: 'https://istio.io/latest/docs/setup/upgrade/canary/' },
    ],
  },
  check(_snapshot, { index }) {
    const mesh = meshIndex(index);
    if (!mesh.istioSystemExists()) return notApplicable('Istio is not installed (no istio-system namespace)');
    const revisionsUnknown = mesh.istiodRevisionsUnknown();
    if (revisionsUnknown) return unknown(`cannot tell which istiod revisions run: ${revisionsUnknown}`);
    const revisions = mesh.istiodRevisions();
    if (revisions.some((r) => r.ready)) return [];

    const unrevisioned = unrevisionedIstiod(index);
    const withoutLabel =
      unrevisioned.length > 0
        ? ` istiod without an ${REVISION_LABEL} label (namespaces cannot select it): ${unrevisioned.join(', ')}.`
        : '';
    // Say what was found once: none at all, or revisions that are not ready.
    const what =
      revisions.length > 0
        ? `No ready istiod with an ${REVISION_LABEL} label runs in ${ISTIO_SYSTEM} (revisions found, none ready: ${revisions.map((r) => `${r.revision}${r.version ? ` (${r.version})` : ''}`).join(', ')})`
        : `No istiod carrying an ${REVISION_LABEL} label runs in ${ISTIO_SYSTEM}`;
    const message = `${what}, so there is no 1.6 control plane to move namespaces to.${withoutLabel}`;
    const inspect = fix('inspect-istiod', { revisions: revisions.map((r) => r.revision) });
    const istioSystem = index.namespacesByName().get(ISTIO_SYSTEM);
    const finding: RuleFinding = istioSystem
      ? findingAbout(istioSystem, message, { fix: inspect })
      : { message, resource: { apiVersion: 'v1', kind: 'Namespace', name: ISTIO_SYSTEM }, fix: inspect };
    return [finding];
  },
});
