/**
 * Helpers for the conversion table tests: a case is v1alpha1 input (with the Services it names)
 * and the v1beta1 objects expected, compared the way the upstream tools' expectations are: per
 * namespace, as a set of objects, names ignored, every list compared as a set.
 */
import { parseAllDocuments } from 'yaml';
import { convertSnapshot } from '../../src/convert/index.ts';
import type { ConversionResult, ConvertOptions } from '../../src/convert/model.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';

export function documents(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS())
    .filter((doc) => doc !== null && doc !== undefined);
}

export function convertText(text: string, options: Partial<ConvertOptions> = {}): ConversionResult {
  const snapshot = snapshotFromDocuments({ documents: documents(text) });
  return convertSnapshot(snapshot, {
    rootNamespace: options.rootNamespace ?? 'istio-system',
    allowNoClusterRbacConfig: options.allowNoClusterRbacConfig ?? false,
    ignoreUnknownFields: options.ignoreUnknownFields ?? false,
  });
}

/** A canonical text for a value: object keys sorted, arrays sorted (lists are sets). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

interface AnyObject {
  kind: string;
  metadata: { namespace: string };
  spec: unknown;
}

/** namespace -> sorted canonical texts of (kind, spec): comparable with toEqual. */
export function objectSet(objects: readonly AnyObject[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const object of objects) {
    const list = out[object.metadata.namespace] ?? [];
    list.push(canonical({ kind: object.kind, spec: object.spec ?? {} }));
    out[object.metadata.namespace] = list;
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

export function expectedSet(text: string): Record<string, string[]> {
  return objectSet(documents(text) as AnyObject[]);
}

export function resultSet(result: ConversionResult): Record<string, string[]> {
  return objectSet(result.objects.map((o) => o.object));
}
