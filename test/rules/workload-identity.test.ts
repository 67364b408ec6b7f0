import rule from '../../rules/workload-identity.ts';
import { gkeCluster, namespace } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

type Pool = Record<string, unknown>;
const pool = (name: string, workloadMetadataConfig?: Record<string, string>): Pool => ({
  name,
  initialNodeCount: 3,
  config: { machineType: 'e2-standard-4', ...(workloadMetadataConfig ? { workloadMetadataConfig } : {}) },
});
const enabled = { workloadIdentityConfig: { workloadPool: 'acme-prod.svc.id.goog' } };

ruleTester(rule, {
  pass: [
    {
      name: 'workload pool set, pools on GKE_METADATA and v1beta1 GKE_METADATA_SERVER (fixture)',
      fixtures: ['pass-gke-metadata.json'],
    },
    {
      name: 'v1beta1 nodeMetadata GKE_METADATA_SERVER counts as GKE_METADATA',
      documents: [
        gkeCluster({ ...enabled, nodePools: [pool('a', { nodeMetadata: 'GKE_METADATA_SERVER' })] }),
      ],
    },
    {
      name: 'v1beta1 identityNamespace instead of workloadPool',
      documents: [
        gkeCluster({
          workloadIdentityConfig: { identityNamespace: 'acme-prod.svc.id.goog' },
          nodePools: [pool('a', { mode: 'GKE_METADATA' })],
        }),
      ],
    },
  ],
  fail: [
    {
      name: 'no workload pool: one finding on the cluster naming the pools to switch (fixture)',
      target: 'asm-1.7',
      fixtures: ['fail-no-workload-pool.json'],
      findings: [
        {
          message:
            /^Workload Identity is not enabled on cluster shop-prod .*Node pools default-pool \(unset, .*\), batch/,
          severity: 'warning',
          resource: { kind: 'Cluster', name: 'shop-prod' },
          fix: {
            action: 'enable-workload-identity',
            params: {
              cluster: 'shop-prod',
              project: 'acme-shop',
              location: 'europe-west1-b',
              workloadPool: 'acme-shop.svc.id.goog',
              clusterEnabled: false,
              pools: ['default-pool', 'batch'],
            },
          },
        },
      ],
    },
    {
      name: 'workload pool set, one pool on GKE_METADATA and one on GCE_METADATA: one finding per pool',
      documents: [
        gkeCluster({
          ...enabled,
          nodePools: [
            pool('good', { mode: 'GKE_METADATA' }),
            pool('legacy', { mode: 'GCE_METADATA' }),
            pool('unset'),
          ],
        }),
      ],
      findings: [
        {
          message: 'Node pool legacy does not serve Workload Identity (workload metadata: GCE_METADATA)',
          resource: { kind: 'NodePool', name: 'legacy' },
          fix: {
            action: 'enable-workload-identity',
            params: { workloadPool: 'acme-prod.svc.id.goog', clusterEnabled: true, pools: ['legacy'] },
          },
        },
        { message: 'Node pool unset does not serve Workload Identity (workload metadata: unset' },
      ],
    },
    {
      name: 'no project known: the workload pool is a placeholder',
      documents: [gkeCluster({ selfLink: undefined, nodePools: [pool('a', { mode: 'GKE_METADATA' })] })],
      findings: [
        {
          fix: {
            action: 'enable-workload-identity',
            params: { workloadPool: 'PROJECT_ID.svc.id.goog', pools: [] },
          },
        },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'the Istio add-on is disabled',
      documents: [gkeCluster({ addonsConfig: { istioConfig: { disabled: true } } })],
      reason: 'add-on is disabled',
    },
  ],
  unknown: [
    { name: 'no GKE cluster data', documents: [namespace('shop')], reason: 'no GKE cluster data' },
    {
      name: 'workload pool set but the document lists no node pools',
      documents: [gkeCluster({ ...enabled, nodePools: [] })],
      reason: 'lists no node pools',
    },
  ],
});
