/**
 * `excludeNamespaces`: objects in an excluded namespace (and the Namespace objects themselves)
 * are removed from the snapshot before any rule runs, so they are not evaluated at all, not
 * merely hidden. GKE and Compute data are cluster-wide and never excluded.
 */
import type { RuleFinding } from '../engine/rule.ts';
import type { ResourceRef } from '../engine/vocabulary.ts';
import { type ClusterSnapshot, KUBE_KINDS, type KubeObject, type KubeObjects } from '../snapshot/model.ts';
import type { NameMatcher } from './glob.ts';

function namespaceOfObject(object: Pick<KubeObject, 'kind' | 'metadata'>): string | undefined {
  return object.kind === 'Namespace' ? object.metadata.name : object.metadata.namespace;
}

/** The namespace a finding is about; a Namespace counts as being in itself. */
export function namespaceOfResource(resource: ResourceRef): string | undefined {
  return resource.kind === 'Namespace' && resource.namespace === undefined
    ? resource.name
    : resource.namespace;
}

export function withoutNamespaces(snapshot: ClusterSnapshot, excluded: NameMatcher): ClusterSnapshot {
  const kube = Object.fromEntries(
    KUBE_KINDS.map((kind) => [
      kind,
      (snapshot.kube[kind] as readonly KubeObject[]).filter((object) => {
        const namespace = namespaceOfObject(object);
        return namespace === undefined || !excluded(namespace);
      }),
    ]),
  ) as unknown as KubeObjects;
  return { ...snapshot, kube };
}

/** Belt and braces for findings a rule derives from other objects but reports about an excluded one. */
export function findingExcluder(excluded: NameMatcher): (finding: RuleFinding) => boolean {
  return (finding) => {
    const namespace = namespaceOfResource(finding.resource);
    return namespace !== undefined && excluded(namespace);
  };
}
