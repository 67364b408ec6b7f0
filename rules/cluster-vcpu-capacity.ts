import { defineRule, type RuleFinding, unknown } from '../src/engine/rule.ts';
import { nodePoolResource } from '../src/gke/node-pool.ts';
import { clusterPoolCapacities } from '../src/gke/pool-capacities.ts';
import { clusterResource, clusterScope } from '../src/gke/resources.ts';
import {
  countsTowardRequirement,
  installAsmCount,
  MIN_CLUSTER_VCPUS,
  MIN_VCPUS_PER_MACHINE,
  type PoolCapacity,
} from '../src/gke/vcpu.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { GkeCluster } from '../src/snapshot/model.ts';

/** A pool that counts toward the requirement, with everything needed to add up its vCPUs. */
interface CountedPool {
  readonly capacity: PoolCapacity;
  readonly vcpusPerNode: number;
  readonly nodes: number;
}

function describePool(pool: CountedPool, nodes = pool.nodes): string {
  return `${pool.capacity.pool.name}: ${nodes} x ${pool.vcpusPerNode} vCPUs`;
}

function total(pools: readonly CountedPool[], nodesOf: (pool: CountedPool) => number): number {
  return pools.reduce((sum, pool) => sum + pool.vcpusPerNode * nodesOf(pool), 0);
}

/** The pool to grow: the fewest extra nodes (most vCPUs per node), first in the cluster data on a tie. */
function poolToGrow(pools: readonly CountedPool[]): CountedPool | undefined {
  return pools.reduce<CountedPool | undefined>(
    (best, pool) => (best === undefined || pool.vcpusPerNode > best.vcpusPerNode ? pool : best),
    undefined,
  );
}

/**
 * Nodes per zone `pool` needs so that, with `others` vCPUs from the other pools, the cluster has
 * 8 vCPUs; never fewer than it has per zone now (`currentTotal`).
 */
function nodesPerZoneNeeded(pool: CountedPool, others: number, currentTotal: number): number {
  const needed = Math.ceil(Math.max(0, MIN_CLUSTER_VCPUS - others) / pool.vcpusPerNode);
  const zones = pool.capacity.zones;
  return Math.max(1, Math.ceil(needed / zones), Math.ceil(currentTotal / zones));
}

function countNote(pools: readonly CountedPool[]): string {
  return pools.some((p) => p.capacity.nodeSource === 'initial-node-count')
    ? ' Node counts are initialNodeCount x zones (no Nodes in the snapshot).'
    : '';
}

function capacityFinding(
  cluster: GkeCluster,
  counted: readonly CountedPool[],
  current: number,
  tooSmall: readonly string[],
): RuleFinding {
  const requirement =
    `ASM needs at least ${MIN_CLUSTER_VCPUS} vCPUs on machine types with at least ${MIN_VCPUS_PER_MACHINE} ` +
    'vCPUs (4-vCPU types need at least 2 nodes, 8-vCPU types 1)';
  const skipped =
    tooSmall.length > 0
      ? ` Pools below ${MIN_VCPUS_PER_MACHINE} vCPUs do not count: ${tooSmall.join(', ')}.`
      : '';
  const pool = poolToGrow(counted);
  if (!pool) {
    return {
      message:
        `No node pool has a machine type with at least ${MIN_VCPUS_PER_MACHINE} vCPUs, so the cluster has 0 of ` +
        `the vCPUs ASM counts: ${requirement}. Add a pool of e.g. e2-standard-4 with 2 nodes (see ` +
        `node-machine-vcpu).${skipped}`,
      resource: clusterResource(cluster),
      origin: cluster.origin,
    };
  }
  const others = current - pool.vcpusPerNode * pool.nodes;
  const autoscaling = pool.capacity.autoscalingMinimum !== undefined;
  const nodes = nodesPerZoneNeeded(pool, others, pool.nodes);
  return {
    message:
      `The node pools that count toward ASM's requirement have ${current} vCPUs ` +
      `(${counted.map((p) => describePool(p)).join('; ')}): ${requirement}. ` +
      `${autoscaling ? 'Raise the autoscaling minimum of' : 'Resize'} node pool ${pool.capacity.pool.name} to ` +
      `${nodes} node${nodes === 1 ? '' : 's'} per zone.${skipped}${countNote(counted)}`,
    resource: clusterResource(cluster),
    origin: cluster.origin,
    fix: fix('resize-node-pool', {
      ...clusterScope(cluster),
      pool: pool.capacity.pool.name,
      nodes,
      autoscaling,
    }),
  };
}

function autoscalingFinding(
  cluster: GkeCluster,
  counted: readonly CountedPool[],
  unresolved: readonly string[],
): RuleFinding | undefined {
  const autoscaled = counted.filter((p) => p.capacity.autoscalingMinimum !== undefined);
  const minimumOf = (p: CountedPool) => p.capacity.autoscalingMinimum ?? p.nodes;
  const minimum = total(counted, minimumOf);
  if (autoscaled.length === 0 || minimum >= MIN_CLUSTER_VCPUS) return undefined;
  const pool = poolToGrow(autoscaled);
  if (!pool) return undefined;
  const others = minimum - pool.vcpusPerNode * minimumOf(pool);
  const nodes = nodesPerZoneNeeded(pool, others, minimumOf(pool));
  const uncounted =
    unresolved.length > 0 ? ` (not counted, vCPUs or nodes unknown: ${unresolved.join(', ')})` : '';
  return {
    message:
      `Autoscaling may shrink the node pools that count toward ASM's requirement to ${minimum} vCPUs ` +
      `(${counted.map((p) => describePool(p, minimumOf(p))).join('; ')})${uncounted}, below the ` +
      `${MIN_CLUSTER_VCPUS} ASM needs. Raise the autoscaling minimum of node pool ${pool.capacity.pool.name} to ` +
      `${nodes} node${nodes === 1 ? '' : 's'} per zone.`,
    resource: nodePoolResource(pool.capacity.pool),
    origin: cluster.origin,
    severity: 'warning',
    fix: fix('resize-node-pool', {
      ...clusterScope(cluster),
      pool: pool.capacity.pool.name,
      nodes,
      autoscaling: true,
    }),
  };
}

/**
 * When the cluster has the vCPUs but install_asm's own validation would count fewer than 8: say how
 * it counts, so the refusal is not a surprise, and which pool to grow so that it passes.
 */
function installAsmFinding(
  cluster: GkeCluster,
  capacities: readonly PoolCapacity[],
  counted: readonly CountedPool[],
  current: number,
): RuleFinding | undefined {
  const seen = installAsmCount(capacities);
  const seenTotal = seen ? seen.nodesPerZone * seen.lastNumber : 0;
  if (seenTotal >= MIN_CLUSTER_VCPUS) return undefined;
  const grow = poolToGrow(counted);
  if (!grow) return undefined;
  const lastNumber = Number(/-(\d+)$/.exec(grow.capacity.pool.machineType ?? '')?.[1] ?? grow.vcpusPerNode);
  const perZone = Math.max(
    Math.ceil(MIN_CLUSTER_VCPUS / Math.max(lastNumber, 1)),
    Math.ceil(grow.nodes / grow.capacity.zones),
  );
  const counts = seen
    ? `it counts ${seenTotal} (node pool ${seen.pool.name}: ${seen.nodesPerZone} node${seen.nodesPerZone === 1 ? '' : 's'} per zone x ${seen.lastNumber}, the last number of ${seen.pool.machineType ?? '?'})`
    : 'no pool qualifies for it';
  return {
    message:
      `The node pools have the ${current} vCPUs ASM needs (${counted.map((p) => describePool(p)).join('; ')}), but ` +
      "install_asm's own validation would refuse the cluster: it takes only the single pool with the most nodes per " +
      'zone and multiplies that node count by the last number of its machine type name, needing at least ' +
      `${MIN_CLUSTER_VCPUS}; ${counts}. Run \`install_asm --only_validate\` to see its verdict, and resize node pool ` +
      `${grow.capacity.pool.name} to ${perZone} node${perZone === 1 ? '' : 's'} per zone so that it passes.`,
    resource: clusterResource(cluster),
    origin: cluster.origin,
    severity: 'warning',
    key: 'install-asm-arithmetic',
    fix: fix('resize-node-pool', {
      ...clusterScope(cluster),
      pool: grow.capacity.pool.name,
      nodes: perZone,
      autoscaling: grow.capacity.autoscalingMinimum !== undefined,
    }),
  };
}

export default defineRule({
  id: 'cluster-vcpu-capacity',
  title: 'The cluster has the 8 vCPUs ASM needs',
  phase: 'prepare',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  // Machine types and Nodes are optional, better sources of vCPUs and node counts: read when
  // the snapshot has them, so they are not listed here.
  needs: ['gkeCluster'],
  docs: {
    summary: 'The node pools with at least 4 vCPUs per machine have fewer than 8 vCPUs in all.',
    checks:
      'Adds up vCPUs x nodes over the node pools whose machine type has at least 4 vCPUs (not shared-core), ' +
      'and fails below 8: a 4-vCPU type needs 2 nodes, an 8-vCPU type 1. vCPUs come from Compute machine ' +
      "type `guestCpus`, else the pool's Nodes' `status.capacity.cpu`, else the built-in table and custom type " +
      "names (the middle number of `custom-4-16384`). A pool's node count is its current Nodes (label " +
      '`cloud.google.com/gke-nodepool`) when the snapshot has Nodes, else `initialNodeCount` x the number of ' +
      'its zones. When the total is enough but autoscaling may shrink it below 8 vCPUs (its minimum per ' +
      "zone, or total minimum), the finding is a warning. Also a warning when the total is enough but install_asm's " +
      'own validation would refuse it: install_asm takes the single pool with the most nodes per zone (among those ' +
      'whose machine type name ends in a number of at least 4) and multiplies that node count by the last number ' +
      'of the machine type name, needing at least 8 (two 1-node e2-standard-4 pools count 4; so does a regional ' +
      "pool of one e2-standard-4 node per zone). Unknown when the total is short but some pool's " +
      'vCPUs or node count cannot be told; not applicable when the Istio add-on is disabled.',
    why:
      'Anthos Service Mesh needs at least 8 vCPUs on machine types with at least 4 vCPUs ("Upgrading to ' +
      'Istio 1.6 with the operator", "Requirements"). install_asm validates capacity with its own, different arithmetic, so it may refuse a ' +
      'cluster that has enough vCPUs (and accept a `custom-4-16384` pool as 16384 vCPUs); `install_asm ' +
      '--only_validate` shows its verdict before anything is installed.',
    fix:
      'Resize a pool with at least 4 vCPUs per machine (`gcloud container clusters resize CLUSTER --node-pool ' +
      'POOL --num-nodes N`, N per zone), or raise its autoscaling minimum (`gcloud container clusters update ' +
      'CLUSTER --node-pool POOL --enable-autoscaling --min-nodes N --max-nodes M`). Add a pool of e.g. ' +
      'e2-standard-4 when none qualifies.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Resizing a cluster',
        url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/resizing-a-cluster',
      },
    ],
  },
  check(snapshot, { index }) {
    const pools = clusterPoolCapacities(snapshot, index);
    if ('status' in pools) return pools;
    const { cluster, capacities } = pools;
    const counted: CountedPool[] = [];
    const unresolved: string[] = [];
    const tooSmall: string[] = [];
    for (const capacity of capacities) {
      const { pool, machine, nodes } = capacity;
      if (!machine) unresolved.push(`${pool.name} (vCPUs of ${pool.machineType ?? 'no machine type'})`);
      else if (!countsTowardRequirement(machine)) tooSmall.push(`${pool.name} (${pool.machineType ?? '?'})`);
      else if (nodes === undefined) unresolved.push(`${pool.name} (node count)`);
      else counted.push({ capacity, vcpusPerNode: machine.vcpus, nodes });
    }
    const current = total(counted, (p) => p.nodes);
    if (current < MIN_CLUSTER_VCPUS) {
      if (unresolved.length > 0) {
        return unknown(
          `the pools that can be counted have ${current} vCPUs, below ${MIN_CLUSTER_VCPUS}, and these cannot be ` +
            `counted: ${unresolved.join(', ')}. Add \`gcloud compute machine-types list --format=json\` or the ` +
            'Nodes to the snapshot',
        );
      }
      return [capacityFinding(cluster, counted, current, tooSmall)];
    }
    return [
      autoscalingFinding(cluster, counted, unresolved),
      installAsmFinding(cluster, capacities, counted, current),
    ].filter((finding): finding is RuleFinding => finding !== undefined);
  },
});
