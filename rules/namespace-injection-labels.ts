import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import { isAsmTarget } from '../src/engine/vocabulary.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { INJECTION_LABEL, REVISION_LABEL } from '../src/istio/names.ts';
import { isAsmRevision, preferredRevision } from '../src/istio/revisions.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { ClusterSnapshot, Namespace } from '../src/snapshot/model.ts';

/**
 * The injection webhook configurations of a revision (Istio 1.6.0 istio-discovery chart,
 * templates/mutatingwebhook.yaml:5-12: named `istio-sidecar-injector-<revision>` and labelled
 * `istio.io/rev`), or undefined when MutatingWebhookConfigurations were not collected.
 */
function injectionWebhooksOf(
  snapshot: ClusterSnapshot,
  missing: string | undefined,
  revision: string,
): string[] | undefined {
  if (missing) return undefined;
  return snapshot.kube.mutatingwebhookconfigurations
    .filter(
      (w) =>
        w.metadata.labels?.[REVISION_LABEL] === revision ||
        w.metadata.name === `istio-sidecar-injector-${revision}`,
    )
    .map((w) => w.metadata.name);
}

/** What happens now to a new pod in a namespace whose revision has no istiod. */
function withoutIstiod(webhooks: readonly string[] | undefined): string {
  if (webhooks === undefined) {
    return 'new pods there are rejected (while its injection webhook is still registered: it fails closed) or start without a sidecar';
  }
  if (webhooks.length > 0) {
    return `its injection webhook ${webhooks.join(', ')} is still registered and fails closed, so every pod created there is rejected now`;
  }
  return 'no injection webhook selects it, so new pods there start without a sidecar';
}

export default defineRule({
  id: 'namespace-injection-labels',
  title: 'Namespaces select the 1.6 control plane with istio.io/rev',
  phase: 'migrate-namespaces',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['namespaces'],
  docs: {
    summary: 'A namespace has conflicting or stale sidecar-injection labels.',
    checks:
      'Error when a namespace carries both `istio-injection` and `istio.io/rev` (the revisioned injector ' +
      "skips it: new pods get the 1.4 injector's sidecar, or none), when `istio.io/rev` names no istiod " +
      'revision running in istio-system (revisions are read from the `istio.io/rev` label of `app=istiod` ' +
      "pods and Deployments; new pods are rejected while the revision's injection webhook is still " +
      'registered, else start without a sidecar), or when it names a revision whose istiod is not ready (its ' +
      'injection webhook fails closed, so new pods are rejected). These three are urgent: the harm is live ' +
      'for every pod created now. Warning when a namespace is still ' +
      'on `istio-injection=enabled` alone: it has not been migrated yet (phase migrate-namespaces). For ASM ' +
      'targets, once an `asm-*` istiod is ready: a warning in phase asm-migrate-namespaces for each namespace ' +
      "still selecting the operator's revision (e.g. `istio-1611`), with a relabel to the `asm-*` revision; " +
      'findings about `asm-*` labels are in that phase too, and migrate-namespaces then only holds what still ' +
      'selects the 1.4 injector, so the ASM move never reopens it. Not applicable when no namespace carries ' +
      'either label; unknown when a revision must be checked but neither pods nor Deployments were collected.',
    why:
      'The 1.6 control plane injects sidecars only into namespaces labelled `istio.io/rev=<revision>`, and the ' +
      'label must match a running istiod revision ("Upgrading to Istio 1.6 with the operator", "Migrating ' +
      'namespaces to 1.6", steps 1-2). A leftover `istio-injection` label keeps the 1.4 injector in charge. ' +
      'For Anthos Service Mesh the same guide has you enable sidecar injection for the revision install_asm ' +
      "created and redeploy the workloads before the operator's profile is set to `empty`: a namespace still " +
      "selecting the operator's revision would lose its injector when the operator removes its istiod.",
    fix:
      'Relabel each namespace, then restart its workloads: `kubectl label namespace NAMESPACE ' +
      'istio-injection- istio.io/rev=REVISION --overwrite`, where REVISION is the one shown by ' +
      '`kubectl -n istio-system get pods -l app=istiod --show-labels` (for example `istio-1611`, or the ' +
      '`asm-*` revision once ASM is installed).',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating namespaces',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      { title: 'Istio canary upgrades', url: 'https://istio.io/latest/docs/setup/upgrade/canary/' },
    ],
  },
  check(snapshot, { index, target }) {
    const mesh = meshIndex(index);
    const labelled = snapshot.kube.namespaces.filter((ns: Namespace) => {
      const labels = ns.metadata.labels ?? {};
      return REVISION_LABEL in labels || labels[INJECTION_LABEL] === 'enabled' || INJECTION_LABEL in labels;
    });
    if (labelled.length === 0)
      return notApplicable(`no namespace carries ${INJECTION_LABEL} or ${REVISION_LABEL}`);
    const revisionsUnknown = mesh.istiodRevisionsUnknown();
    const revisions = revisionsUnknown ? [] : mesh.istiodRevisions();
    const known = new Set(revisions.map((r) => r.revision));
    const ready = new Set(revisions.filter((r) => r.ready).map((r) => r.revision));
    const webhooksMissing = index.missing('mutatingwebhookconfigurations');
    const targetRevision = revisionsUnknown ? undefined : preferredRevision(revisions, isAsmTarget(target));
    // Once an asm-* istiod is ready, the move to it is its own phase; migrate-namespaces is then
    // judged against the operator's 1.6 revision only, so the ASM move never reopens it (SPEC §4).
    const asmRevision = isAsmTarget(target) && !revisionsUnknown ? mesh.readyAsmRevision() : undefined;
    const asmPhase = asmRevision ? ({ phase: 'asm-migrate-namespaces' } as const) : {};
    const relabel = (ns: Namespace) =>
      fix('relabel-namespace', { namespace: ns.metadata.name, revision: targetRevision ?? '' });
    const findings: RuleFinding[] = [];
    let cannotCheck = false;
    for (const ns of labelled) {
      const labels = ns.metadata.labels ?? {};
      const injection = labels[INJECTION_LABEL];
      const revision = labels[REVISION_LABEL];
      const name = ns.metadata.name;
      if (injection !== undefined && revision !== undefined) {
        findings.push(
          findingAbout(
            ns,
            `Namespace ${name} has both ${INJECTION_LABEL}=${injection} and ${REVISION_LABEL}=${revision}: the ` +
              `revisioned injector skips it, so new pods there get ${injection === 'enabled' ? "the 1.4 injector's sidecar" : 'no sidecar'} now. Remove the ${INJECTION_LABEL} label.`,
            // With istio-injection=enabled the 1.4 injector serves it: that is the 1.6 move.
            {
              key: 'both-labels',
              fix: relabel(ns),
              urgent: true,
              ...(injection === 'enabled' ? {} : asmPhase),
            },
          ),
        );
      }
      if (revision !== undefined) {
        if (revisionsUnknown) cannotCheck = true;
        else if (!known.has(revision)) {
          const running = revisions.length > 0 ? revisions.map((r) => r.revision).join(', ') : 'none';
          // With istio-injection also set, the both-labels finding says what new pods get.
          const now =
            injection === undefined
              ? `: ${withoutIstiod(injectionWebhooksOf(snapshot, webhooksMissing, revision))}`
              : '';
          findings.push(
            findingAbout(
              ns,
              `Namespace ${name} has ${REVISION_LABEL}=${revision}, but no istiod runs that revision ` +
                `(running: ${running})${now}.`,
              {
                key: 'unknown-revision',
                fix: relabel(ns),
                urgent: true,
                ...(isAsmRevision(revision) ? asmPhase : {}),
              },
            ),
          );
        } else if (!ready.has(revision) && injection === undefined) {
          findings.push(
            findingAbout(
              ns,
              `Namespace ${name} selects revision ${revision}, whose istiod is not ready: its injection webhook ` +
                'fails closed (failurePolicy: Fail), so every pod created there is rejected now. Find out why: ' +
                `kubectl -n istio-system get pods -l app=istiod,${REVISION_LABEL}=${revision}.`,
              { key: 'revision-not-ready', urgent: true, ...(isAsmRevision(revision) ? asmPhase : {}) },
            ),
          );
        } else if (asmRevision && !isAsmRevision(revision) && injection === undefined) {
          findings.push(
            findingAbout(
              ns,
              `Namespace ${name} still selects revision ${revision}, the operator's control plane: ASM is ` +
                `installed (istiod revision ${asmRevision} is ready) and the namespace has not been moved to it ` +
                `yet (label it ${REVISION_LABEL}=${asmRevision}, then restart its workloads).`,
              {
                key: 'not-on-asm',
                severity: 'warning',
                phase: 'asm-migrate-namespaces',
                fix: fix('relabel-namespace', { namespace: name, revision: asmRevision }),
              },
            ),
          );
        }
      } else if (injection === 'enabled') {
        findings.push(
          findingAbout(
            ns,
            `Namespace ${name} still uses ${INJECTION_LABEL}=enabled: it has not been moved to the 1.6 control ` +
              `plane yet${targetRevision ? ` (label it ${REVISION_LABEL}=${targetRevision})` : ''}.`,
            { key: 'not-migrated', severity: 'warning', fix: relabel(ns) },
          ),
        );
      }
    }
    if (findings.length === 0 && cannotCheck) {
      return unknown(`cannot tell which istiod revisions run: ${revisionsUnknown}`);
    }
    return findings;
  },
});
