/** istiod revisions: what one is, how their names order, and which one namespaces should select. */
import { INJECTION_LABEL, REVISION_LABEL } from './names.ts';

export interface IstiodRevision {
  readonly revision: string;
  readonly ready: boolean;
  /** The image tag of istiod's discovery container, e.g. 1.6.11-gke.0. */
  readonly version: string | undefined;
}

/**
 * The revision namespaces should point at for a target: a ready asm-* revision for ASM targets
 * when one runs, otherwise the newest ready Istio revision; undefined when none is ready.
 */
export function preferredRevision(revisions: readonly IstiodRevision[], asm: boolean): string | undefined {
  const ready = revisions.filter((r) => r.ready);
  const asmRevisions = ready.filter((r) => isAsmRevision(r.revision));
  const candidates =
    asm && asmRevisions.length > 0 ? asmRevisions : ready.filter((r) => !isAsmRevision(r.revision));
  const pool = candidates.length > 0 ? candidates : ready;
  return pool
    .map((r) => r.revision)
    .sort(compareRevisionNames)
    .at(-1);
}

/** install_asm names the revisions it installs `asm-<version>` (e.g. `asm-173-6`); the operator's are `istio-*`. */
export function isAsmRevision(revision: string): boolean {
  return revision.startsWith('asm-');
}

/** Orders revision names so that istio-1611 comes after istio-163 (numeric parts compare as numbers). */
export function compareRevisionNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The revision whose injector a namespace with these labels selects: its `istio.io/rev`, as long
 * as it has no `istio-injection` label at all. That is the namespaceSelector of a revision's
 * injection webhook (Istio 1.6.0 manifests/charts/istio-control/istio-discovery/templates/
 * mutatingwebhook.yaml:44-51: `istio-injection` DoesNotExist, `istio.io/rev` In [revision]), so
 * `istio-injection=enabled` leaves the namespace to the 1.4 injector and `istio-injection=disabled`
 * to none. Undefined when it selects no revision.
 *
 * remediate.sh decides it again at run time, before it restarts a namespace's workloads
 * (`selected_revision`, src/remediate/checks/revisions.sh.hbs); one table of cases,
 * test/conformance/revision-selection.json, runs through both.
 */
export function selectedRevision(labels: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!labels || Object.hasOwn(labels, INJECTION_LABEL) || !Object.hasOwn(labels, REVISION_LABEL)) {
    return undefined;
  }
  return labels[REVISION_LABEL];
}

/**
 * Whether `revision` matches `pattern`: a revision, or a pattern whose only wildcard is `*`
 * (`asm-*` in asm-migrate-namespaces, `*` for any), the rest compared character by character.
 */
export function revisionMatches(revision: string, pattern: string): boolean {
  const parts = pattern.split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's').test(revision);
}

/** Whether a namespace with these labels selects a revision matching `pattern` (see above). */
export function selectsRevision(
  labels: Readonly<Record<string, string>> | undefined,
  pattern: string,
): boolean {
  const revision = selectedRevision(labels);
  return revision !== undefined && revisionMatches(revision, pattern);
}
