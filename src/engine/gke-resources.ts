import type { GkeCluster } from '../snapshot/model.ts';
import type { ResourceRef } from './vocabulary.ts';

/** The reference to the GKE cluster itself, for findings about the cluster. */
export function clusterResource(cluster: GkeCluster): ResourceRef {
  return { apiVersion: 'container.googleapis.com/v1', kind: 'Cluster', name: cluster.name };
}

/** The gcloud scope of the cluster (for fixes), with only what is known. */
export function clusterScope(cluster: GkeCluster): Record<string, string> {
  const scope: Record<string, string> = { cluster: cluster.name };
  if (cluster.location) scope.location = cluster.location;
  if (cluster.project) scope.project = cluster.project;
  return scope;
}
