import { type NotApplicable, notApplicable, type Unknown, unknown } from '../engine/rule.ts';
import type { ResourceRef } from '../engine/vocabulary.ts';
import type { ClusterSnapshot, GkeCluster } from '../snapshot/model.ts';
import { istioAddonDisabledReason } from './node-pool.ts';
import { type GkeVersion, malformedVersionReason, parseGkeVersion } from './version.ts';

/** The reference to the GKE cluster itself, for findings about the cluster. */
export function clusterResource(cluster: GkeCluster): ResourceRef {
  return { apiVersion: 'container.googleapis.com/v1', kind: 'Cluster', name: cluster.name };
}

/** The gcloud scope of the cluster (for fixes), with only what is known. */
export function clusterScope(cluster: GkeCluster): { cluster: string; location?: string; project?: string } {
  return {
    cluster: cluster.name,
    ...(cluster.location ? { location: cluster.location } : {}),
    ...(cluster.project ? { project: cluster.project } : {}),
  };
}

/**
 * The cluster and its parsed master version, as the version rules read them; not applicable
 * when the cluster data says the Istio add-on is off, unknown when the version is missing or
 * malformed.
 */
export function clusterMasterVersion(
  snapshot: ClusterSnapshot,
):
  | { readonly cluster: GkeCluster; readonly version: GkeVersion; readonly text: string }
  | NotApplicable
  | Unknown {
  const cluster = snapshot.gkeCluster;
  if (!cluster) return unknown('no GKE cluster data');
  const disabled = istioAddonDisabledReason(cluster);
  if (disabled) return notApplicable(disabled);
  const text = cluster.currentMasterVersion;
  if (!text) return unknown('the GKE cluster data has no currentMasterVersion');
  const version = parseGkeVersion(text);
  if (!version) return unknown(malformedVersionReason('master version', text));
  return { cluster, version, text };
}
