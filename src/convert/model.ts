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
}

export interface ConvertOptions {
  /** Where mesh-wide objects go: the mesh config's rootNamespace, else istio-system. */
  readonly rootNamespace: string;
  /** Convert ServiceRoles even without a ClusterRbacConfig (1.4 did not enforce them). */
  readonly allowNoClusterRbacConfig: boolean;
}

export function describeSource(source: SourceRef): string {
  return `${source.kind} ${source.namespace ? `${source.namespace}/` : ''}${source.name}`;
}

/** A failed conversion step: carries the reason up to the object being converted. */
export class NotConvertible extends Error {
  override name = 'NotConvertible';
}

export type Raw = Record<string, unknown>;
export function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
export function rawOf(value: unknown): Raw {
  return isRaw(value) ? value : {};
}
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
/** A list of strings; numbers are kept as their decimal text (ports). */
export function textsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => (typeof v === 'string' ? [v] : typeof v === 'number' ? [String(v)] : []));
}
export function listOf(value: unknown): Raw[] {
  return Array.isArray(value) ? value.filter(isRaw) : [];
}
