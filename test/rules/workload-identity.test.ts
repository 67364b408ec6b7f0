import { describe, expect, it } from 'vitest';
import rule from '../../rules/workload-identity.ts';
import { runRules } from '../../src/engine/runner.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
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
      name: 'no workload pool: a warning on the cluster, whose fix enables it on the cluster only, no pool switched (fixture)',
      target: 'asm-1.7',
      fixtures: ['fail-no-workload-pool.json'],
      findings: [
        {
          message:
            /^Workload Identity is not enabled on cluster shop-prod .*the ASM install enables it\. Existing node pools keep their metadata mode \(install_asm does not switch them\)/,
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
              pools: [],
            },
          },
        },
      ],
    },
    {
      name: 'workload pool set, pools not on GKE_METADATA: info per pool, no fix (install_asm does not switch them)',
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
          severity: 'info',
          resource: { kind: 'NodePool', name: 'legacy' },
        },
        {
          message: 'Node pool unset does not serve Workload Identity (workload metadata: unset',
          severity: 'info',
        },
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

describe('workload-identity pools are advice', () => {
  it('offers no pool switch (it re-creates nodes) and does not hold prepare back', () => {
    const report = runRules(
      snapshotFromDocuments({
        documents: [gkeCluster({ ...enabled, nodePools: [pool('legacy', { mode: 'GCE_METADATA' })] })],
      }),
      { rules: [rule], target: 'asm-1.7', toolVersion: '0.0.0-test', now: new Date('2026-11-25T10:00:00Z') },
    );
    const finding = report.results[0]?.findings[0];
    expect(finding?.severity).toBe('info');
    expect(finding?.fix).toBeUndefined();
    expect(report.phases.find((p) => p.id === 'prepare')?.status).toBe('done');
  });
});
