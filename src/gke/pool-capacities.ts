/**
 * The node pools of the cluster with their vCPUs and node counts, as the two vCPU rules read
 * them, or why they cannot be read.
 */

import { type NotApplicable, notApplicable, type Unknown, unknown } from '../engine/rule.ts';
import type { SnapshotIndex } from '../engine/snapshot-index.ts';
import type { ClusterSnapshot, GkeCluster } from '../snapshot/model.ts';
import { istioAddonDisabledReason } from './node-pool.ts';
import { type PoolCapacity, poolCapacities } from './vcpu.ts';

/** The label GKE puts on every node with the name of its node pool. */
export const NODE_POOL_LABEL = 'cloud.google.com/gke-nodepool';

export function clusterPoolCapacities(
  snapshot: ClusterSnapshot,
  index: SnapshotIndex,
): { readonly cluster: GkeCluster; readonly capacities: PoolCapacity[] } | NotApplicable | Unknown {
  const cluster = snapshot.gkeCluster;
  if (!cluster) return unknown('no GKE cluster data');
  const disabled = istioAddonDisabledReason(cluster);
  if (disabled) return notApplicable(disabled);
  if (cluster.nodePools.length === 0) return unknown('the GKE cluster data lists no node pools');
  const capacities = poolCapacities({
    pools: cluster.nodePools,
    clusterZones: cluster.locations,
    machineTypes: index.missing('machineTypes') ? undefined : snapshot.machineTypes,
    nodes: index.missing('nodes') ? undefined : snapshot.kube.nodes,
    poolLabel: NODE_POOL_LABEL,
  });
  return { cluster, capacities };
}
