import { fix } from '../src/engine/fixes.ts';
import { clusterResource, clusterScope } from '../src/engine/gke-resources.ts';
import { defineRule, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import { istioAddonDisabledReason, nodePoolResource } from '../src/gke/node-pool.ts';
import type { NodePool } from '../src/snapshot/model.ts';

/** Workload metadata modes that serve Workload Identity: v1 `GKE_METADATA`, v1beta1 `GKE_METADATA_SERVER`. */
const WORKLOAD_IDENTITY_MODES: ReadonlySet<string> = new Set(['GKE_METADATA', 'GKE_METADATA_SERVER']);

function servesWorkloadIdentity(pool: NodePool): boolean {
  return pool.workloadMetadataMode !== undefined && WORKLOAD_IDENTITY_MODES.has(pool.workloadMetadataMode);
}

function describeMode(pool: NodePool): string {
  return pool.workloadMetadataMode ?? 'unset, i.e. the Compute Engine metadata server';
}

export default defineRule({
  id: 'workload-identity',
  title: 'Workload Identity is enabled on the cluster and its node pools',
  phase: 'prepare',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  needs: ['gkeCluster'],
  docs: {
    summary: 'Workload Identity is off on the cluster or a node pool; installing ASM turns it on.',
    checks:
      'Reads `workloadIdentityConfig.workloadPool` of the GKE cluster and `config.workloadMetadataConfig` of ' +
      'every node pool (`mode: GKE_METADATA`, or v1beta1 `nodeMetadata: GKE_METADATA_SERVER`). When the ' +
      'cluster has no workload pool, one finding on the cluster lists the pools to switch as well; when only ' +
      'pools are not on GKE_METADATA, one finding per pool. Not applicable when the Istio add-on is disabled.',
    why:
      'install_asm enables Workload Identity on the cluster ("Upgrading to Istio 1.6 with the operator", "Requirements"). It changes how pods ' +
      "reach Google APIs: on GKE_METADATA nodes a pod no longer gets the node's service account from the " +
      'metadata server but the Google service account bound to its Kubernetes service account, so workloads ' +
      'that call Google APIs break unless they are bound first.',
    fix:
      'Bind the Kubernetes service accounts of workloads that call Google APIs to Google service accounts ' +
      '(`roles/iam.workloadIdentityUser`), then `gcloud container clusters update CLUSTER ' +
      '--workload-pool=PROJECT_ID.svc.id.goog` and `gcloud container node-pools update POOL --cluster CLUSTER ' +
      '--workload-metadata=GKE_METADATA` for each pool (this recreates the nodes).',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Using Workload Identity',
        url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity',
      },
    ],
  },
  check(snapshot) {
    const cluster = snapshot.gkeCluster;
    if (!cluster) return unknown('no GKE cluster data');
    const disabled = istioAddonDisabledReason(cluster);
    if (disabled) return notApplicable(disabled);
    const pools = cluster.nodePools.filter((pool) => !servesWorkloadIdentity(pool));
    const scope = clusterScope(cluster);
    const workloadPool = cluster.workloadPool;
    if (!workloadPool) {
      const poolNote =
        pools.length > 0
          ? ` Node pool${pools.length > 1 ? 's' : ''} ${pools.map((p) => `${p.name} (${describeMode(p)})`).join(', ')} ` +
            'must then be switched to GKE_METADATA too.'
          : '';
      return [
        {
          message:
            `Workload Identity is not enabled on cluster ${cluster.name} (no workloadIdentityConfig.workloadPool). ` +
            'The ASM install enables it, and pods on GKE_METADATA nodes then reach Google APIs as the Google ' +
            'service account bound to their Kubernetes service account, not as the node.' +
            poolNote,
          resource: clusterResource(cluster),
          origin: cluster.origin,
          fix: fix('enable-workload-identity', {
            ...scope,
            workloadPool: `${cluster.project ?? 'PROJECT_ID'}.svc.id.goog`,
            clusterEnabled: false,
            pools: pools.map((p) => p.name),
          }),
        },
      ];
    }
    if (cluster.nodePools.length === 0) {
      return unknown('the GKE cluster data lists no node pools, so their metadata mode cannot be checked');
    }
    return pools.map(
      (pool): RuleFinding => ({
        message:
          `Node pool ${pool.name} does not serve Workload Identity (workload metadata: ${describeMode(pool)}), ` +
          `although the cluster has workload pool ${workloadPool}. Its pods still reach Google APIs as ` +
          'the node until the pool is switched to GKE_METADATA.',
        resource: nodePoolResource(pool),
        origin: cluster.origin,
        fix: fix('enable-workload-identity', {
          ...scope,
          workloadPool,
          clusterEnabled: true,
          pools: [pool.name],
        }),
      }),
    );
  },
});
