/** What a conversion produces: v1beta1 objects, each tied to the v1alpha1 objects it came from. */
import type { V1beta1Object } from './v1beta1.ts';

/** A v1alpha1 object, by kind, namespace (none for cluster-scoped kinds) and name. */
export interface SourceRef {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

export interface ConvertedObject {
  readonly object: V1beta1Object;
  /** The v1alpha1 objects it replaces (a binding's object also names its role). */
  readonly sources: readonly SourceRef[];
  /** Why the object exists, for the comment above it (e.g. "deny by default: mode ON"). */
  readonly purpose: string;
}

/** A v1alpha1 object that was not converted because no faithful v1beta1 equivalent exists. */
export interface ConversionProblem {
  readonly source: SourceRef;
  readonly reason: string;
}

export interface ConversionResult {
  readonly objects: readonly ConvertedObject[];
  readonly problems: readonly ConversionProblem[];
  /** Objects intentionally left without output (e.g. not enforced in 1.4), with the reason. */
  readonly skipped: readonly ConversionProblem[];
  /**
   * Converted objects with something the reader must know: a part 1.4 ignored (a short service
   * name, a service the source lacks) or a documented difference of 1.6 (docs/convert.md).
   */
  readonly warnings: readonly ConversionProblem[];
}

export interface ConvertOptions {
  /** Where mesh-wide objects go: the mesh config's rootNamespace, else istio-system. */
  readonly rootNamespace: string;
  /** Convert ServiceRoles even without a ClusterRbacConfig (1.4 did not enforce them). */
  readonly allowNoClusterRbacConfig: boolean;
  /**
   * Convert objects with fields (or constraint and property keys) 1.4 did not know, reading them
   * as 1.4 did: without those parts. Off by default: an unknown field is usually a typo.
   */
  readonly ignoreUnknownFields?: boolean | undefined;
}

export function describeSource(source: SourceRef): string {
  return `${source.kind} ${source.namespace ? `${source.namespace}/` : ''}${source.name}`;
}

const keyOf = (ref: SourceRef) => `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

/** What a converter collects besides its objects: refusals (one per source), skips and warnings (each once). */
export class ConversionReports {
  readonly problems = new Map<string, ConversionProblem>();
  readonly skipped: ConversionProblem[] = [];
  readonly warnings: ConversionProblem[] = [];

  refuse(ref: SourceRef, reason: string): void {
    if (!this.problems.has(keyOf(ref))) this.problems.set(keyOf(ref), { source: ref, reason });
  }
  warn(ref: SourceRef, reason: string): void {
    if (!this.warnings.some((w) => keyOf(w.source) === keyOf(ref) && w.reason === reason)) {
      this.warnings.push({ source: ref, reason });
    }
  }
  refused(ref: SourceRef): boolean {
    return this.problems.has(keyOf(ref));
  }
}

/** A failed conversion step: carries the reason up to the object being converted. */
export class NotConvertible extends Error {
  override name = 'NotConvertible';
}

/** What the conversion of one v1alpha1 object reports besides its output. */
export class Notes {
  readonly warnings: string[] = [];
  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }
}
