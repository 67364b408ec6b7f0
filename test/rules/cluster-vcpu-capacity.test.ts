import rule from '../../rules/cluster-vcpu-capacity.ts';
import { gkeCluster, list, machineType, namespace, node } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

type Pool = Record<string, unknown>;
const zone = ['europe-west1-b'];
const regional = ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'];
const pool = (name: string, type: string, initialNodeCount: number, extra: Pool = {}): Pool => ({
  name,
  initialNodeCount,
  locations: zone,
  config: { machineType: type },
  ...extra,
});
const withPools = (...pools: Pool[]) => gkeCluster({ nodePools: pools });

ruleTester(rule, {
  pass: [
    {
      name: "install_asm's own count is enough too: 2 nodes per zone in a regional pool",
      documents: [
        gkeCluster({
          locations: regional,
          nodePools: [pool('default-pool', 'e2-standard-4', 2, { locations: regional })],
        }),
      ],
    },
    {
      name: 'exactly 2 nodes of a 4-vCPU type',
      documents: [withPools(pool('default-pool', 'e2-standard-4', 2))],
    },
    { name: 'one node of an 8-vCPU type', documents: [withPools(pool('default-pool', 'n1-standard-8', 1))] },
    {
      name: 'custom-4-16384 counts 4 vCPUs per node, never 16384',
      documents: [withPools(pool('custom', 'custom-4-16384', 2))],
    },
    {
      name: 'guestCpus data: an unknown type with 8 guest CPUs, one node',
      documents: [withPools(pool('future', 'zz-future-8', 1)), [machineType('zz-future-8', 8)]],
    },
    {
      name: 'autoscaling whose minimum keeps 8 vCPUs (2 per zone)',
      documents: [
        withPools(
          pool('auto', 'e2-standard-4', 3, {
            autoscaling: { enabled: true, minNodeCount: 2, maxNodeCount: 5 },
          }),
        ),
      ],
    },
    {
      name: 'enough counted vCPUs make an unresolvable extra pool irrelevant',
      documents: [withPools(pool('default-pool', 'e2-standard-8', 1), pool('gpu', 'a2-highgpu-1g', 1))],
    },
  ],
  fail: [
    {
      name: "current Nodes win over initialNodeCount: 1 e2-standard-4 node left, e2-small doesn't count (fixture)",
      fixtures: ['fail-one-node-left'],
      findings: [
        {
          message:
            /^The node pools that count toward ASM's requirement have 4 vCPUs \(default-pool: 1 x 4 vCPUs\): ASM needs at least 8 vCPUs/,
          severity: 'error',
          resource: { kind: 'Cluster', name: 'shop-prod' },
          fix: {
            action: 'resize-node-pool',
            params: {
              cluster: 'shop-prod',
              project: 'acme-shop',
              pool: 'default-pool',
              nodes: 2,
              autoscaling: false,
            },
          },
        },
      ],
    },
    {
      name: 'a single 4-vCPU node from initialNodeCount',
      documents: [withPools(pool('default-pool', 'e2-standard-4', 1))],
      findings: [
        {
          message: 'Node counts are initialNodeCount x zones',
          fix: { action: 'resize-node-pool', params: { nodes: 2, autoscaling: false } },
        },
      ],
    },
    {
      name: 'only shared-core and small types: nothing counts, no pool to resize',
      documents: [withPools(pool('a', 'e2-medium', 6), pool('b', 'n1-standard-2', 4))],
      findings: [{ message: /^No node pool has a machine type with at least 4 vCPUs/, severity: 'error' }],
    },
    {
      name: 'Node capacity: 3 nodes of a type only the Nodes describe, 2 vCPUs each',
      documents: [
        withPools(pool('odd', 'zz-2', 3), pool('four', 'zz-4', 1)),
        list([node('a', 'odd', '2'), node('b', 'odd', '2'), node('c', 'odd', '2'), node('d', 'four', '4')]),
      ],
      findings: [
        {
          message: 'have 4 vCPUs (four: 1 x 4 vCPUs)',
          fix: { action: 'resize-node-pool', params: { pool: 'four', nodes: 2 } },
        },
      ],
    },
    {
      name: 'a regional pool resized per zone: 1 node x 1 zone of 4 vCPUs -> 2 per zone',
      documents: [gkeCluster({ locations: regional, nodePools: [pool('default-pool', 'e2-standard-4', 1)] })],
      findings: [{ fix: { action: 'resize-node-pool', params: { nodes: 2 } } }],
    },
    {
      name: 'autoscaling minimum too low => warning on the pool, raise its minimum',
      documents: [
        withPools(
          pool('auto', 'e2-standard-4', 3, {
            autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 5 },
          }),
        ),
      ],
      findings: [
        {
          message: /^Autoscaling may shrink the node pools that count toward ASM's requirement to 4 vCPUs/,
          severity: 'warning',
          resource: { kind: 'NodePool', name: 'auto' },
          fix: { action: 'resize-node-pool', params: { pool: 'auto', nodes: 2, autoscaling: true } },
        },
      ],
    },
    {
      name: 'autoscaling total minimum (totalMinNodeCount) too low in a regional pool => warning',
      documents: [
        withPools(
          pool('auto', 'e2-standard-4', 1, {
            locations: regional,
            autoscaling: { enabled: true, totalMinNodeCount: 1, totalMaxNodeCount: 9 },
          }),
        ),
      ],
      findings: [
        { severity: 'warning', message: "install_asm's own validation would refuse the cluster" },
        {
          severity: 'warning',
          message: 'to 4 vCPUs (auto: 1 x 4 vCPUs)',
          fix: { action: 'resize-node-pool', params: { nodes: 1 } },
        },
      ],
    },
    {
      name: 'a regional pool, 1 node x 3 zones of e2-standard-4 = 12 vCPUs, but install_asm counts 1 x 4 (fixture)',
      fixtures: ['fail-regional-pool-install-asm.json'],
      findings: [
        {
          severity: 'warning',
          resource: { kind: 'Cluster' },
          message:
            "have the 12 vCPUs ASM needs (default-pool: 3 x 4 vCPUs), but install_asm's own validation would refuse the " +
            'cluster: it takes only the single pool with the most nodes per zone and multiplies that node count by the ' +
            'last number of its machine type name, needing at least 8; it counts 4 (node pool default-pool: 1 node per ' +
            'zone x 4, the last number of e2-standard-4). Run `install_asm --only_validate`',
          fix: { action: 'resize-node-pool', params: { pool: 'default-pool', nodes: 2, autoscaling: false } },
        },
      ],
    },
    {
      name: 'two 1-node e2-standard-4 pools: 8 vCPUs, but install_asm counts one pool: 4',
      documents: [withPools(pool('pool-a', 'e2-standard-4', 1), pool('pool-b', 'e2-standard-4', 1))],
      findings: [{ severity: 'warning', message: 'it counts 4 (node pool pool-a: 1 node per zone x 4' }],
    },
    {
      name: 'below 8 now in an autoscaled pool: error, and the fix raises the autoscaling minimum',
      documents: [
        withPools(
          pool('auto', 'e2-standard-4', 1, {
            autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 3 },
          }),
        ),
      ],
      findings: [
        {
          severity: 'error',
          message: 'Raise the autoscaling minimum of node pool auto to 2 nodes per zone',
          fix: { action: 'resize-node-pool', params: { nodes: 2, autoscaling: true } },
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
    { name: 'no GKE cluster data', documents: [namespace('istio-system')], reason: 'no GKE cluster data' },
    {
      name: 'short of 8 counted vCPUs while a pool cannot be resolved',
      documents: [withPools(pool('default-pool', 'e2-standard-4', 1), pool('gpu', 'a2-highgpu-1g', 1))],
      reason: 'these cannot be counted: gpu (vCPUs of a2-highgpu-1g)',
    },
    {
      name: 'no Nodes and no initialNodeCount',
      documents: [withPools({ name: 'default-pool', config: { machineType: 'e2-standard-4' } })],
      reason: 'default-pool (node count)',
    },
    {
      name: 'a cluster document without node pools',
      documents: [withPools()],
      reason: 'lists no node pools',
    },
  ],
});
