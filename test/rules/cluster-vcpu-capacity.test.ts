import { describe, expect, it } from 'vitest';
import rule from '../../rules/cluster-vcpu-capacity.ts';
import { gkeCluster, list, machineType, namespace, node } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

type Pool = Record<string, unknown>;
const zone = ['europe-west1-b'];
const regional = ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'];
const pool = (name: string, type: string, initialNodeCount: number | undefined, extra: Pool = {}): Pool => ({
  name,
  ...(initialNodeCount === undefined ? {} : { initialNodeCount }),
  locations: zone,
  config: { machineType: type },
  ...extra,
});
const autoscaled = (min: number, max: number) => ({
  autoscaling: { enabled: true, minNodeCount: min, maxNodeCount: max },
});
const withPools = (...pools: Pool[]) => gkeCluster({ nodePools: pools });
const regionalCluster = (...pools: Pool[]) => gkeCluster({ locations: regional, nodePools: pools });
/** `count` Nodes of a pool, with `cpu` vCPUs each. */
const nodesOf = (pool: string, count: number, cpu = '4') =>
  Array.from({ length: count }, (_, i) => node(`${pool}-${i}`, pool, cpu));

ruleTester(rule, {
  pass: [
    {
      name: "install_asm's own count is enough too: 2 nodes per zone in a regional pool",
      documents: [regionalCluster(pool('default-pool', 'e2-standard-4', 2, { locations: regional }))],
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
      documents: [withPools(pool('auto', 'e2-standard-4', 3, autoscaled(2, 5)))],
    },
    {
      name: 'enough counted vCPUs make an unresolvable extra pool irrelevant (a2-highgpu-1g: "1g" < "4", not kept)',
      documents: [withPools(pool('default-pool', 'e2-standard-8', 1), pool('gpu', 'a2-highgpu-1g', 1))],
    },
    {
      name: 'asm-1.6, after the fix: a regional pool of 1 node per zone autoscaled to 2: install_asm reads maxNodeCount 2 x 4',
      documents: [
        regionalCluster(
          pool('default-pool', 'e2-standard-4', 1, { locations: regional, ...autoscaled(1, 2) }),
        ),
      ],
    },
    {
      name: 'asm-1.7: the demo pools: regional, initialNodeCount 1 but maxNodeCount 4 per zone (16), then an e2-medium pool',
      target: 'asm-1.7',
      documents: [
        regionalCluster(
          pool('default-pool', 'e2-standard-4', 1, { locations: regional, ...autoscaled(1, 4) }),
          pool('tools-pool', 'e2-medium', 1, { locations: regional }),
        ),
        list([...nodesOf('default-pool', 3), ...nodesOf('tools-pool', 3, '2')]),
      ],
    },
    {
      name: 'asm-1.7: two qualifying pools, one autoscaled up to 3: install_asm 1.7 takes the largest product (3 x 4)',
      target: 'asm-1.7',
      documents: [
        withPools(pool('pool-a', 'e2-standard-4', 1, autoscaled(1, 3)), pool('pool-b', 'e2-standard-4', 1)),
        list([...nodesOf('pool-a', 2), ...nodesOf('pool-b', 1)]),
      ],
    },
    {
      name: 'asm-1.6, after consolidating: pool-a alone qualifies, autoscaled 2..2 (reads 2 x 4); an n1-standard-2 pool stays',
      documents: [
        withPools(pool('pool-a', 'e2-standard-4', 1, autoscaled(2, 2)), pool('batch', 'n1-standard-2', 3)),
        list([...nodesOf('pool-a', 2), ...nodesOf('batch', 3, '2')]),
      ],
    },
  ],
  fail: [
    {
      name: "current Nodes win over initialNodeCount: 1 e2-standard-4 node left; asm-1.6 must retire e2-small too (kept by install_asm's filter as text) (fixture)",
      fixtures: ['fail-one-node-left'],
      findings: [
        {
          message:
            /^The node pools that count toward ASM's requirement have 4 vCPUs \(default-pool: 1 x 4 vCPUs\): ASM needs at least 8 vCPUs.* install_asm 1\.6 would refuse it too: it reads default-pool: initialNodeCount 3 x 4 = 12; small: "small", the end of e2-small, is no number, so jq stops there; a jq error ends install_asm 1\.6 \(set -e\)\. Add node pool asm-pool of 2 nodes e2-standard-4, and, since install_asm 1\.6 counts a single pool, move the workloads off default-pool, small and delete them\./,
          severity: 'error',
          resource: { kind: 'Cluster', name: 'shop-prod' },
          fix: {
            action: 'consolidate-node-pools',
            params: {
              cluster: 'shop-prod',
              project: 'acme-shop',
              keep: 'asm-pool',
              newPoolMachineType: 'e2-standard-4',
              newPoolNodes: 2,
              retire: ['default-pool', 'small'],
            },
          },
        },
      ],
    },
    {
      name: 'asm-1.7: the same shortage: one new pool, sized for the real vCPUs only (install_asm 1.7 only warns)',
      target: 'asm-1.7',
      fixtures: ['fail-one-node-left'],
      findings: [
        {
          message:
            /install_asm 1\.7's own check would not stop the install: it takes the largest of default-pool: initialNodeCount 3 x 4 = 12;.* Add node pool asm-pool of 1 node e2-standard-4\. A new pool is both real nodes/,
          fix: {
            action: 'add-node-pool',
            params: { pool: 'asm-pool', machineType: 'e2-standard-4', nodes: 1, soleQualifying: false },
          },
        },
      ],
    },
    {
      name: 'asm-1.7: a single 4-vCPU node from initialNodeCount: a new pool, never a resize',
      target: 'asm-1.7',
      documents: [withPools(pool('default-pool', 'e2-standard-4', 1))],
      findings: [
        {
          // Whole messages here and below: each sentence is a decision of the rule.
          message:
            "The node pools that count toward ASM's requirement have 4 vCPUs (default-pool: 1 x 4 vCPUs): ASM needs " +
            'at least 8 vCPUs on machine types with at least 4 vCPUs (4-vCPU types need at least 2 nodes, 8-vCPU ' +
            'types 1). install_asm 1.7 would only warn (it takes the largest of default-pool: initialNodeCount 1 x 4 ' +
            '= 4, needing at least 8) and install anyway. Add node pool asm-pool of 1 node e2-standard-4. A new pool ' +
            'is both real nodes and an initialNodeCount install_asm reads; a resize adds nodes but changes nothing ' +
            'install_asm reads (initialNodeCount, autoscaling.maxNodeCount). Node counts are initialNodeCount x ' +
            'zones (no Nodes in the snapshot).',
          fix: { action: 'add-node-pool', params: { nodes: 1, soleQualifying: false } },
        },
      ],
    },
    {
      name: 'only shared-core and small types: nothing counts; asm-1.6 retires e2-medium, kept as text',
      documents: [withPools(pool('a', 'e2-medium', 6), pool('b', 'n1-standard-2', 4))],
      findings: [
        {
          message: /^No node pool has a machine type with at least 4 vCPUs/,
          severity: 'error',
          fix: {
            action: 'consolidate-node-pools',
            params: { keep: 'asm-pool', newPoolMachineType: 'e2-standard-4', newPoolNodes: 2, retire: ['a'] },
          },
        },
      ],
    },
    {
      name: 'asm-1.6: only a 2-vCPU type, which install_asm does not keep either: a new pool, the only one it will count',
      documents: [withPools(pool('b', 'n1-standard-2', 4))],
      findings: [
        {
          message:
            /^No node pool has a machine type with at least 4 vCPUs.* Add node pool asm-pool of 2 nodes n1-standard-4\./,
          fix: {
            action: 'add-node-pool',
            params: { machineType: 'n1-standard-4', nodes: 2, soleQualifying: true },
          },
        },
      ],
    },
    {
      name: 'asm-1.7: nothing counts: a new pool of 2 x e2-standard-4',
      target: 'asm-1.7',
      documents: [withPools(pool('a', 'e2-medium', 6), pool('b', 'n1-standard-2', 4))],
      findings: [
        {
          message:
            'No node pool has a machine type with at least 4 vCPUs, so the cluster has 0 of the vCPUs ASM counts: ASM ' +
            'needs at least 8 vCPUs on machine types with at least 4 vCPUs (4-vCPU types need at least 2 nodes, ' +
            '8-vCPU types 1). install_asm 1.7 would only warn (it takes the largest of a: "medium", the end of ' +
            'e2-medium, is no number, so jq stops there, needing at least 8) and install anyway. Add node pool ' +
            'asm-pool of 2 nodes e2-standard-4. A new pool is both real nodes and an initialNodeCount install_asm ' +
            'reads; a resize adds nodes but changes nothing install_asm reads (initialNodeCount, ' +
            'autoscaling.maxNodeCount). Pools below 4 vCPUs do not count: a (e2-medium), b (n1-standard-2).',
          fix: {
            action: 'add-node-pool',
            params: { pool: 'asm-pool', nodes: 2, machineType: 'e2-standard-4' },
          },
        },
      ],
    },
    {
      name: 'Node capacity: 3 nodes of a type only the Nodes describe, 2 vCPUs each',
      target: 'asm-1.7',
      documents: [
        withPools(pool('odd', 'zz-2', 3), pool('four', 'zz-4', 1)),
        list([...nodesOf('odd', 3, '2'), ...nodesOf('four', 1)]),
      ],
      findings: [
        {
          message:
            "The node pools that count toward ASM's requirement have 4 vCPUs (four: 1 x 4 vCPUs): ASM needs at least " +
            '8 vCPUs on machine types with at least 4 vCPUs (4-vCPU types need at least 2 nodes, 8-vCPU types 1). ' +
            'install_asm 1.7 would only warn (it takes the largest of four: initialNodeCount 1 x 4 = 4, needing at ' +
            'least 8) and install anyway. Add node pool asm-pool of 1 node e2-standard-4. A new pool is both real ' +
            'nodes and an initialNodeCount install_asm reads; a resize adds nodes but changes nothing install_asm ' +
            'reads (initialNodeCount, autoscaling.maxNodeCount). Pools below 4 vCPUs do not count: odd (zz-2).',
          fix: { action: 'add-node-pool', params: { machineType: 'e2-standard-4', nodes: 1 } },
        },
      ],
    },
    {
      name: 'a regional cluster with a zonal pool (1 x 4 vCPUs): asm-1.6 sizes the new pool per zone for install_asm (2 in each of 3 zones)',
      documents: [regionalCluster(pool('default-pool', 'e2-standard-4', 1))],
      findings: [
        {
          message: 'Add node pool asm-pool of 2 nodes e2-standard-4 in each of its 3 zones',
          fix: { action: 'consolidate-node-pools', params: { newPoolNodes: 2, retire: ['default-pool'] } },
        },
      ],
    },
    {
      name: 'a custom machine type: custom-4-16384 x 1 has 4 real vCPUs, while install_asm reads 16384 and would not stop it',
      target: 'asm-1.7',
      documents: [withPools(pool('custom', 'custom-4-16384', 1))],
      findings: [
        {
          message:
            /have 4 vCPUs \(custom: 1 x 4 vCPUs\).*install_asm 1\.7's own check would not stop the install: it takes the largest of custom: initialNodeCount 1 x 16384 = 16384/,
          severity: 'error',
          fix: { action: 'add-node-pool', params: { machineType: 'custom-4-16384', nodes: 1 } },
        },
      ],
    },
    {
      name: 'asm-1.6, custom-4-16384 x 1: the new pool replaces it (install_asm 1.6 counts one pool)',
      documents: [withPools(pool('custom', 'custom-4-16384', 1))],
      findings: [
        {
          message:
            "install_asm 1.6's own check would not stop the install: it reads custom: initialNodeCount 1 x 16384 = 16384",
          fix: {
            action: 'consolidate-node-pools',
            params: { newPoolMachineType: 'custom-4-16384', newPoolNodes: 2, retire: ['custom'] },
          },
        },
      ],
    },
    {
      name: 'autoscaling minimum too low => warning on the pool, raise its minimum, keep its maximum',
      documents: [withPools(pool('auto', 'e2-standard-4', 3, autoscaled(1, 5)))],
      findings: [
        {
          message: /^Autoscaling may shrink the node pools that count toward ASM's requirement to 4 vCPUs/,
          severity: 'warning',
          resource: { kind: 'NodePool', name: 'auto' },
          fix: { action: 'autoscale-node-pool', params: { pool: 'auto', minNodes: 2, maxNodes: 5 } },
        },
      ],
    },
    {
      name: 'autoscaled by total limits only (totalMinNodeCount/totalMaxNodeCount): no maxNodeCount, so install_asm 1.6 stops',
      documents: [
        withPools(
          pool('auto', 'e2-standard-4', 1, {
            locations: regional,
            autoscaling: { enabled: true, totalMinNodeCount: 1, totalMaxNodeCount: 9 },
          }),
        ),
      ],
      findings: [
        {
          severity: 'error',
          message:
            'install_asm 1.6 would refuse the cluster: it reads auto: autoscaling without maxNodeCount (only a total limit), so jq stops there',
          fix: { action: 'autoscale-node-pool', params: { pool: 'auto', minNodes: 1, maxNodes: 3 } },
        },
        {
          severity: 'warning',
          message: 'to 4 vCPUs (auto: 1 x 4 vCPUs)',
          fix: { action: 'autoscale-node-pool', params: { minNodes: 1, maxNodes: 3 } },
        },
      ],
    },
    {
      name: 'a regional pool, 1 node x 3 zones of e2-standard-4 = 12 vCPUs, but install_asm 1.6 reads initialNodeCount 1 x 4 (fixture)',
      fixtures: ['fail-regional-pool-install-asm.json'],
      findings: [
        {
          severity: 'error',
          resource: { kind: 'Cluster' },
          message:
            'The node pools have the 12 vCPUs ASM needs (default-pool: 3 x 4 vCPUs), but install_asm 1.6 would refuse the ' +
            'cluster: it reads default-pool: initialNodeCount 1 x 4 = 4, needing at least 8. Autoscale node pool ' +
            'default-pool with --min-nodes 1 and --max-nodes 2: install_asm then reads 2 x 4 = 8. A resize changes ' +
            'neither initialNodeCount nor autoscaling.maxNodeCount',
          fix: { action: 'autoscale-node-pool', params: { pool: 'default-pool', minNodes: 1, maxNodes: 2 } },
        },
      ],
    },
    {
      name: 'asm-1.7, the same regional pool: install_asm 1.7 only warns (info, nothing to do)',
      target: 'asm-1.7',
      fixtures: ['fail-regional-pool-install-asm.json'],
      findings: [
        {
          severity: 'info',
          message:
            "but install_asm 1.7 will warn that the cluster does not meet ASM's requirement and go on after 2 seconds: " +
            'it takes the largest of default-pool: initialNodeCount 1 x 4 = 4, needing at least 8. Nothing to do',
        },
      ],
    },
    {
      name: 'asm-1.6, two 1-node e2-standard-4 pools: keep one, autoscaled to hold both, retire the other',
      documents: [withPools(pool('pool-a', 'e2-standard-4', 1), pool('pool-b', 'e2-standard-4', 1))],
      findings: [
        {
          severity: 'error',
          message:
            'The node pools have the 8 vCPUs ASM needs (pool-a: 1 x 4 vCPUs; pool-b: 1 x 4 vCPUs), but install_asm ' +
            '1.6 would refuse the cluster: it reads pool-a: initialNodeCount 1 x 4 = 4; pool-b: initialNodeCount 1 x ' +
            '4 = 4, and compares that whole list as one number, which bash rejects: it refuses whenever two or more ' +
            'pools qualify. Leave it one pool to count: keep pool-a, autoscaled up to 2 nodes per zone (install_asm ' +
            "then reads 2 x 4, and the pool can grow to hold the others' pods), and move the workloads off pool-b and " +
            "delete it. Or target ASM 1.7, which the guide recommends: install_asm 1.7 takes the largest pool's " +
            'product and would count 4 and only warn (scan with --target asm-1.7).',
          fix: {
            action: 'consolidate-node-pools',
            params: { keep: 'pool-a', minNodes: 1, maxNodes: 2, retire: ['pool-b'] },
          },
        },
      ],
    },
    {
      name: 'asm-1.6, two qualifying pools that each pass alone (2 x e2-standard-4 each): still refused; ASM 1.7 would pass',
      documents: [withPools(pool('pool-a', 'e2-standard-4', 2), pool('pool-b', 'n1-standard-8', 1))],
      findings: [
        {
          message:
            /pool-a: initialNodeCount 2 x 4 = 8; pool-b: initialNodeCount 1 x 8 = 8, and compares that whole list as one number.*keep pool-a.*Or target ASM 1\.7, .* would count 8 and pass/,
          fix: { action: 'consolidate-node-pools', params: { keep: 'pool-a', retire: ['pool-b'] } },
        },
      ],
    },
    {
      name: 'asm-1.6, during the consolidation: the new pool exists but the old one is not retired yet',
      documents: [withPools(pool('default-pool', 'e2-standard-4', 1), pool('asm-pool', 'e2-standard-4', 2))],
      findings: [
        {
          severity: 'error',
          fix: { action: 'consolidate-node-pools', params: { keep: 'asm-pool', retire: ['default-pool'] } },
        },
      ],
    },
    {
      name: 'asm-1.6, the demo pools: jq stops at e2-medium ("medium" passes the filter as text) and ends install_asm 1.6',
      documents: [
        regionalCluster(
          pool('default-pool', 'e2-standard-4', 1, { locations: regional, ...autoscaled(1, 4) }),
          pool('tools-pool', 'e2-medium', 1, { locations: regional }),
        ),
        list([...nodesOf('default-pool', 3), ...nodesOf('tools-pool', 3, '2')]),
      ],
      findings: [
        {
          severity: 'error',
          message:
            'it reads default-pool: autoscaling.maxNodeCount 4 x 4 = 16; tools-pool: "medium", the end of e2-medium, ' +
            'is no number, so jq stops there; a jq error ends install_asm 1.6 (set -e). Leave it one pool to count: ' +
            "keep default-pool (install_asm reads 4 x 4 = 16 of it, and its autoscaling can grow it to hold the others' pods), and move the workloads off tools-pool and delete it.",
          // Already autoscaled within what it needs: the TODO changes nothing on the pool kept.
          fix: { action: 'consolidate-node-pools', params: { keep: 'default-pool', retire: ['tools-pool'] } },
        },
      ],
    },
    {
      name: 'asm-1.7: e2-medium listed first: jq stops before the e2-standard-8 pool, so install_asm 1.7 counts 0 and warns',
      target: 'asm-1.7',
      documents: [withPools(pool('default-pool', 'e2-medium', 3), pool('big', 'e2-standard-8', 1))],
      findings: [
        {
          severity: 'info',
          message:
            'The node pools have the 8 vCPUs ASM needs (big: 1 x 8 vCPUs), but install_asm 1.7 will warn that the ' +
            "cluster does not meet ASM's requirement and go on after 2 seconds: it takes the largest of default-pool: " +
            '"medium", the end of e2-medium, is no number, so jq stops there; big: initialNodeCount 1 x 8 = 8, ' +
            'needing at least 8. Nothing to do: the real capacity is enough (copies of install_asm 1.7 from before ' +
            '2021-01-29 refused instead).',
        },
      ],
    },
    {
      name: 'autoscaled pool, max < min < current differ: 3 Nodes and initialNodeCount 3, but install_asm reads maxNodeCount 1 x 4',
      documents: [withPools(pool('auto', 'e2-standard-4', 3, autoscaled(0, 1))), list(nodesOf('auto', 3))],
      findings: [
        {
          severity: 'error',
          message:
            'it reads auto: autoscaling.maxNodeCount 1 x 4 = 4, needing at least 8. Autoscale node pool auto with --min-nodes 0 and --max-nodes 2',
          fix: { action: 'autoscale-node-pool', params: { pool: 'auto', minNodes: 0, maxNodes: 2 } },
        },
        {
          severity: 'warning',
          message: 'to 0 vCPUs (auto: 0 x 4 vCPUs)',
          fix: { action: 'autoscale-node-pool', params: { minNodes: 2, maxNodes: 2 } },
        },
      ],
    },
    {
      name: 'a pool created with 0 nodes has no initialNodeCount: jq stops on null; autoscaling at its current size fixes it',
      documents: [withPools(pool('big', 'e2-standard-8', undefined)), list(nodesOf('big', 1, '8'))],
      findings: [
        {
          message:
            'The node pools have the 8 vCPUs ASM needs (big: 1 x 8 vCPUs), but install_asm 1.6 would refuse the ' +
            'cluster: it reads big: no initialNodeCount (the API leaves 0 out), so jq stops there; a jq error ends ' +
            'install_asm 1.6 (set -e). Autoscale node pool big with --min-nodes 1 (its size now: the autoscaler can ' +
            'then neither add nor remove nodes) and --max-nodes 1: install_asm then reads 1 x 8 = 8. A resize ' +
            'changes neither initialNodeCount nor autoscaling.maxNodeCount, which is all it reads.',
          fix: { action: 'autoscale-node-pool', params: { pool: 'big', minNodes: 1, maxNodes: 1 } },
        },
      ],
    },
    {
      name: 'asm-1.7: a pool already named asm-pool is too small: the new pool is asm-pool-2',
      target: 'asm-1.7',
      documents: [withPools(pool('asm-pool', 'e2-standard-4', 1))],
      findings: [
        {
          message: 'Add node pool asm-pool-2 of 1 node e2-standard-4.',
          fix: { action: 'add-node-pool', params: { pool: 'asm-pool-2', nodes: 1 } },
        },
      ],
    },
    {
      name: 'asm-1.7: the new pool follows the family of the largest counted type (an 8-vCPU pool with no node now)',
      target: 'asm-1.7',
      documents: [
        withPools(pool('small4', 'n1-standard-4', 1), pool('big8', 'e2-standard-8', 1)),
        list(nodesOf('small4', 1)),
      ],
      findings: [
        {
          message: 'have 4 vCPUs (small4: 1 x 4 vCPUs; big8: 0 x 8 vCPUs)',
          fix: { action: 'add-node-pool', params: { machineType: 'e2-standard-4', nodes: 1 } },
        },
      ],
    },
    {
      name: 'autoscaling minimum of one pool beside a fixed one: the minimum makes up the rest only',
      target: 'asm-1.7',
      documents: [
        withPools(pool('fixed', 'e2-standard-4', 1), pool('auto', 'e2-standard-4', 2, autoscaled(0, 3))),
      ],
      findings: [
        {
          message:
            "Autoscaling may shrink the node pools that count toward ASM's requirement to 4 vCPUs (fixed: 1 x 4 " +
            'vCPUs; auto: 0 x 4 vCPUs), below the 8 ASM needs. Raise the autoscaling minimum of node pool auto to 1 ' +
            'node per zone.',
          severity: 'warning',
          resource: { kind: 'NodePool', name: 'auto' },
          fix: { action: 'autoscale-node-pool', params: { pool: 'auto', minNodes: 1, maxNodes: 3 } },
        },
      ],
    },
    {
      name: 'asm-1.6: enough real vCPUs outside what install_asm keeps, two pools it keeps as text: a new pool, both retired',
      documents: [
        withPools(
          pool('gpu', 'a2-highgpu-1g', 1),
          pool('tools', 'e2-medium', 3),
          pool('misc', 'e2-small', 1),
        ),
        [machineType('a2-highgpu-1g', 12), machineType('e2-medium', 2), machineType('e2-small', 2)],
      ],
      findings: [
        {
          message:
            'The node pools have the 12 vCPUs ASM needs (gpu: 1 x 12 vCPUs), but install_asm 1.6 would refuse the ' +
            'cluster: it reads tools: "medium", the end of e2-medium, is no number, so jq stops there; misc: ' +
            '"small", the end of e2-small, is no number, so jq stops there; a jq error ends install_asm 1.6 (set ' +
            '-e). Leave it one pool to count: add node pool asm-pool of 2 nodes e2-standard-4 (install_asm reads ' +
            'its initialNodeCount), and move the workloads off tools, misc and delete them. Or target ASM 1.7, ' +
            "which the guide recommends: install_asm 1.7 takes the largest pool's product and would count 0 and " +
            'only warn (scan with --target asm-1.7).',
          fix: {
            action: 'consolidate-node-pools',
            params: {
              keep: 'asm-pool',
              newPoolMachineType: 'e2-standard-4',
              newPoolNodes: 2,
              retire: ['tools', 'misc'],
            },
          },
        },
      ],
    },
    {
      name: 'asm-1.6, enough real vCPUs on a type install_asm does not keep (a2-highgpu-1g, 12 vCPUs): one new pool it counts',
      documents: [withPools(pool('gpu', 'a2-highgpu-1g', 1)), [machineType('a2-highgpu-1g', 12)]],
      findings: [
        {
          message:
            'no node pool has a machine type whose name ends in a number of at least 4, so it counts nothing',
          fix: {
            action: 'add-node-pool',
            params: { pool: 'asm-pool', machineType: 'e2-standard-4', nodes: 2, soleQualifying: true },
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

describe('cluster-vcpu-capacity, consolidating for install_asm 1.6', () => {
  it('leaves a kept pool alone when it already autoscales within what is needed', async () => {
    const result = await evaluateRule(rule, {
      name: 'kept pool already autoscaled',
      documents: [
        withPools(pool('default-pool', 'e2-standard-4', 1, autoscaled(2, 4)), pool('tools', 'e2-medium', 1)),
        list([...nodesOf('default-pool', 2), ...nodesOf('tools', 1, '2')]),
      ],
    });
    const finding = result.findings[0];
    expect(finding?.fix?.params).toEqual({
      cluster: 'demo',
      location: 'europe-west1-b',
      project: 'acme-prod',
      keep: 'default-pool',
      retire: ['tools'],
    });
    expect(finding?.remediation?.commands.some((c) => c.includes('--enable-autoscaling'))).toBe(false);
  });
});
