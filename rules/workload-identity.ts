import { defineRule, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import { istioAddonDisabledReason, nodePoolResource } from '../src/gke/node-pool.ts';
import { clusterResource, clusterScope } from '../src/gke/resources.ts';
import { fix } from '../src/remediate/actions/index.ts';
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
    summary: 'Workload Identity is off on the cluster; installing ASM turns it on.',
    checks:
      'Reads `workloadIdentityConfig.workloadPool` of the GKE cluster and `config.workloadMetadataConfig` of ' +
      'every node pool (`mode: GKE_METADATA`, or v1beta1 `nodeMetadata: GKE_METADATA_SERVER`). When the ' +
      'cluster has no workload pool: one warning on the cluster, whose fix enables it on the cluster only. ' +
      'When the cluster has one: an info finding per node pool not on GKE_METADATA, without a fix (advice: ' +
      'it holds nothing back). Not applicable when the Istio add-on is disabled; unknown without cluster data.',
    why:
      'install_asm enables Workload Identity on the cluster ("Upgrading to Istio 1.6 with the operator", ' +
      "migrating to Anthos Service Mesh, and install_asm's own cluster preparation); it does not switch the " +
      "existing node pools' metadata mode, so their pods keep reaching Google APIs as the node. Switching a " +
      'pool to GKE_METADATA re-creates its nodes and makes its pods reach Google APIs as the Google service ' +
      'account bound to their Kubernetes service account, so workloads that call Google APIs break unless ' +
      'they are bound first: a decision for later, not a migration step.',
    fix:
      'Enable it on the cluster when you choose, rather than during install_asm: `gcloud container clusters ' +
      'update CLUSTER --workload-pool=PROJECT_ID.svc.id.goog`. Switching a pool (`gcloud container node-pools ' +
      'update POOL --cluster CLUSTER --workload-metadata=GKE_METADATA`, which re-creates its nodes) is ' +
      'optional: bind the Kubernetes service accounts of workloads that call Google APIs ' +
      '(`roles/iam.workloadIdentityUser`) first.',
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
      return [
        {
          message:
            `Workload Identity is not enabled on cluster ${cluster.name} (no workloadIdentityConfig.workloadPool): ` +
            'the ASM install enables it. Existing node pools keep their metadata mode (install_asm does not ' +
            'switch them), so their pods still reach Google APIs as the node; enable it on the cluster first to ' +
            'choose the moment.',
          resource: clusterResource(cluster),
          origin: cluster.origin,
          fix: fix('enable-workload-identity', {
            ...scope,
            workloadPool: `${cluster.project ?? 'PROJECT_ID'}.svc.id.goog`,
            clusterEnabled: false,
            pools: [],
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
          `although the cluster has workload pool ${workloadPool}: its pods reach Google APIs as the node. ` +
          'install_asm does not change that and ASM does not need it; switching the pool to GKE_METADATA ' +
          're-creates its nodes and changes the identity its pods use, so bind their service accounts first ' +
          'if you do.',
        resource: nodePoolResource(pool),
        origin: cluster.origin,
        severity: 'info',
      }),
    );
  },
});
