/**
 * What `scan` says about each v1alpha1 object: the v1beta1 objects meshready wrote for it in
 * v1beta1-policies.yaml, or why it wrote none. Same options as `scan` writes the file with.
 */
import { stringify } from 'yaml';
import type { ClusterSnapshot, IstioConfig } from '../snapshot/model.ts';
import { convertSnapshot, rootNamespaceOf } from './index.ts';
import type { ConversionResult, SourceRef } from './model.ts';
import { POLICIES_FILE_NAME, renderPoliciesYaml } from './yaml.ts';

export interface PolicyConversion {
  /** "Kind namespace/name" of each v1beta1 object written for it. */
  readonly converted: string[];
  /** The v1alpha1 object as meshready read it, and the v1beta1 objects it became (YAML). */
  readonly sourceYaml: string;
  readonly convertedYaml: string;
  /** Why nothing was written for it, when nothing was. */
  readonly notConverted?: string | undefined;
}

const cache = new WeakMap<ClusterSnapshot, ConversionResult>();

/** The conversion `scan` writes (cached per snapshot: the rule and the writer share it). */
export function scanConversion(snapshot: ClusterSnapshot): ConversionResult {
  let result = cache.get(snapshot);
  if (!result) {
    result = convertSnapshot(snapshot, {
      rootNamespace: rootNamespaceOf(snapshot),
      allowNoClusterRbacConfig: false,
    });
    cache.set(snapshot, result);
  }
  return result;
}

/** The v1beta1-policies.yaml `scan` writes, or undefined when there is no v1alpha1 object. */
export function scanPoliciesYaml(snapshot: ClusterSnapshot): string | undefined {
  if (snapshot.kube.securitypolicies.length === 0) return undefined;
  const result = scanConversion(snapshot);
  const refused = result.problems.map(
    (p) => `NOT CONVERTED ${p.source.kind} ${p.source.namespace ?? ''}/${p.source.name}: ${p.reason}`,
  );
  const warned = result.warnings.map(
    (w) => `WARNING ${w.source.kind} ${w.source.namespace ?? ''}/${w.source.name}: ${w.reason}`,
  );
  return renderPoliciesYaml(
    result.objects,
    [
      `${POLICIES_FILE_NAME}: the security.istio.io/v1beta1 equivalents of the v1alpha1 policies (meshready scan).`,
      'Review, then: kubectl apply --dry-run=server -f v1beta1-policies.yaml && kubectl apply -f v1beta1-policies.yaml',
      ...refused,
      ...warned,
    ].join('\n'),
  );
}

const same = (a: SourceRef, object: IstioConfig) =>
  a.kind === object.kind &&
  a.name === object.metadata.name &&
  (a.namespace ?? '') === (object.metadata.namespace ?? '');

export function conversionOf(snapshot: ClusterSnapshot, policy: IstioConfig): PolicyConversion {
  const result = scanConversion(snapshot);
  const objects = result.objects.filter((o) => o.sources.some((s) => same(s, policy)));
  const problem = result.problems.find((p) => same(p.source, policy));
  const skipped = result.skipped.find((p) => same(p.source, policy));
  const notConverted =
    problem !== undefined
      ? `meshready could not convert it: ${problem.reason}`
      : objects.length === 0
        ? `nothing to write for it: ${skipped?.reason ?? 'it has no effect of its own'}`
        : undefined;
  return {
    converted: objects.map(
      (o) => `${o.object.kind} ${o.object.metadata.namespace}/${o.object.metadata.name}`,
    ),
    sourceYaml: stringify(
      {
        apiVersion: policy.apiVersion,
        kind: policy.kind,
        metadata: policy.metadata,
        spec: policy.spec ?? {},
      },
      { lineWidth: 0 },
    ),
    convertedYaml: objects.length > 0 ? renderPoliciesYaml(objects) : '',
    notConverted,
  };
}

export { POLICIES_FILE_NAME };
