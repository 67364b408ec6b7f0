/**
 * The read-only RBAC rules that cover exactly what the collector lists (COLLECTED_RESOURCES):
 * `list` only (no `get` by name, no `watch`: the collector does neither), never a wildcard, never
 * Secrets. A row limited to one namespace is granted by a Role in that namespace, not cluster-wide.
 */
import { COLLECTED_RESOURCES, type CollectedResource } from './resources.ts';

export interface RbacRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

/** The collector only lists (GET on a collection): it never reads one object by name, never watches. */
export const READ_VERBS = ['list'];

/** One rule per API group, resources sorted, so the role is stable and reviewable. */
function rulesFor(rows: readonly CollectedResource[]): RbacRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const row of rows) {
    const resources = byGroup.get(row.group) ?? new Set<string>();
    for (const resource of row.resource === '*' ? (row.grantedResources ?? []) : [row.resource]) {
      resources.add(resource);
    }
    byGroup.set(row.group, resources);
  }
  return [...byGroup]
    .filter(([, resources]) => resources.size > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, resources]) => ({
      apiGroups: [group],
      resources: [...resources].sort(),
      verbs: [...READ_VERBS],
    }));
}

/** The ClusterRole's rules: what the collector lists in every namespace or cluster-wide. */
export function collectorRbacRules(): RbacRule[] {
  return rulesFor(COLLECTED_RESOURCES.filter((row) => row.namespace === undefined));
}

/** The rules of one Role per namespace the collector reads on its own (ConfigMaps in istio-system). */
export function collectorNamespacedRbacRules(): Map<string, RbacRule[]> {
  const namespaces = [...new Set(COLLECTED_RESOURCES.flatMap((row) => row.namespace ?? []))].sort();
  return new Map(
    namespaces.map((namespace) => [
      namespace,
      rulesFor(COLLECTED_RESOURCES.filter((row) => row.namespace === namespace)),
    ]),
  );
}
