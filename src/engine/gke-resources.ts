import type { GkeCluster } from '../snapshot/model.ts';
import type { ResourceRef } from './vocabulary.ts';

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
