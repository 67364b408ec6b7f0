import type { ResourceRef } from '../engine/vocabulary.ts';
import type { GkeCluster, NodePool } from '../snapshot/model.ts';

/**
 * The reference to a node pool, for findings about it. The name alone identifies it within the
 * scanned cluster, which keeps fingerprints stable whatever the cluster is called.
 */
export function nodePoolResource(pool: NodePool): ResourceRef {
  return { apiVersion: 'container.googleapis.com/v1', kind: 'NodePool', name: pool.name };
}

/** The reason the GKE-side ASM checks do not apply, when the cluster data says the add-on is off. */
export function istioAddonDisabledReason(cluster: GkeCluster): string | undefined {
  return cluster.istioAddon?.enabled === false
    ? 'the Istio on GKE add-on is disabled on this cluster: there is nothing to migrate'
    : undefined;
}
