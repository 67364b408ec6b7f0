/**
 * The read-only RBAC rules that cover exactly what the collector lists (COLLECTED_RESOURCES):
 * `get` and `list` only (`watch` for tools that expect it), never Secrets.
 */
import { COLLECTED_RESOURCES } from './resources.ts';

export interface RbacRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

export const READ_VERBS = ['get', 'list', 'watch'];

/** One rule per API group, resources sorted, so the ClusterRole is stable and reviewable. */
export function collectorRbacRules(): RbacRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const { group, resource } of COLLECTED_RESOURCES) {
    const resources = byGroup.get(group) ?? new Set<string>();
    resources.add(resource);
    byGroup.set(group, resources);
  }
  return [...byGroup]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, resources]) => ({
      apiGroups: [group],
      resources: [...resources].sort(),
      verbs: [...READ_VERBS],
    }));
}
