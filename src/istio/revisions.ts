/** istiod revisions: what one is, how their names order, and which one namespaces should select. */

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
