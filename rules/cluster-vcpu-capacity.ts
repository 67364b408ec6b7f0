import { defineRule, type RuleFinding, unknown } from '../src/engine/rule.ts';
import {
  describePrediction,
  INSTALL_ASM_TOTAL_MINIMUM,
  type InstallAsmPoolReading,
  type InstallAsmRelease,
  installAsmVcpus,
  predictValidateNodePool,
  type ValidateNodePoolPrediction,
} from '../src/gke/install-asm-node-pools.ts';
import { nodePoolResource } from '../src/gke/node-pool.ts';
import { clusterPoolCapacities } from '../src/gke/pool-capacities.ts';
import { clusterResource, clusterScope } from '../src/gke/resources.ts';
import {
  countsTowardRequirement,
  MIN_CLUSTER_VCPUS,
  MIN_VCPUS_PER_MACHINE,
  type PoolCapacity,
  suggestMachineType,
} from '../src/gke/vcpu.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { GkeCluster } from '../src/snapshot/model.ts';

/** A pool that counts toward the requirement, with everything needed to add up its vCPUs. */
interface CountedPool {
  readonly capacity: PoolCapacity;
  readonly vcpusPerNode: number;
  readonly nodes: number;
}

/** What the rule reads of the cluster, shared by its findings. */
interface Pools {
  readonly cluster: GkeCluster;
  readonly capacities: readonly PoolCapacity[];
  readonly counted: readonly CountedPool[];
  /** The real vCPUs of the counted pools (SPEC §8). */
  readonly current: number;
  readonly prediction: ValidateNodePoolPrediction;
}

const RELEASE_NAME: Readonly<Record<InstallAsmRelease, string>> = {
  'asm-1.6': 'install_asm 1.6',
  'asm-1.7': 'install_asm 1.7',
};

function describePool(pool: CountedPool, nodes = pool.nodes): string {
  return `${pool.capacity.pool.name}: ${nodes} x ${pool.vcpusPerNode} vCPUs`;
}

function total(pools: readonly CountedPool[], nodesOf: (pool: CountedPool) => number): number {
  return pools.reduce((sum, pool) => sum + pool.vcpusPerNode * nodesOf(pool), 0);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The pool with the most vCPUs per node, first in the cluster data on a tie. */
function largestMachine(pools: readonly CountedPool[]): CountedPool | undefined {
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

/** Nodes per zone of a pool now: its Nodes (or initialNodeCount x zones) over its zones. */
function nodesPerZoneNow(capacity: PoolCapacity): number {
  if (capacity.nodes !== undefined) return Math.ceil(capacity.nodes / capacity.zones);
  return capacity.pool.initialNodeCount ?? 0;
}

/** The autoscaling limits per zone a pool has now, when autoscaling is on. */
function autoscalingLimits(capacity: PoolCapacity): { min: number; max: number } | undefined {
  const autoscaling = capacity.pool.autoscaling;
  if (autoscaling?.enabled !== true) return undefined;
  const perZone = (total: number | undefined) =>
    total === undefined ? undefined : Math.ceil(total / capacity.zones);
  return {
    min: autoscaling.minNodeCount ?? perZone(autoscaling.totalMinNodeCount) ?? 0,
    max: autoscaling.maxNodeCount ?? perZone(autoscaling.totalMaxNodeCount) ?? 0,
  };
}

/**
 * Autoscaling limits that make install_asm read at least 8 from `reading`'s pool
 * (maxNodeCount x its last number) and that can absorb `vcpusToHold` real vCPUs, without lowering
 * what the pool has: its minimum stays, or is its current size when autoscaling is off (so the
 * autoscaler removes nothing).
 */
function limitsFor(
  reading: InstallAsmPoolReading,
  capacity: PoolCapacity,
  vcpusPerNode: number | undefined,
  vcpusToHold = 0,
): { minNodes: number; maxNodes: number } {
  const now = autoscalingLimits(capacity);
  const minNodes = now ? now.min : nodesPerZoneNow(capacity);
  const forInstallAsm = Math.ceil(INSTALL_ASM_TOTAL_MINIMUM / Math.max(1, reading.lastNumber ?? 1));
  const toHold = vcpusPerNode ? Math.ceil(vcpusToHold / (vcpusPerNode * capacity.zones)) : 0;
  return { minNodes, maxNodes: Math.max(1, minNodes, now?.max ?? 0, forInstallAsm, toHold) };
}

/** A name for a new pool that no pool of the cluster has (at most 40 characters). */
function newPoolName(cluster: GkeCluster): string {
  const taken = new Set(cluster.nodePools.map((pool) => pool.name));
  let name = 'asm-pool';
  for (let n = 2; taken.has(name); n++) name = `asm-pool-${n}`;
  return name;
}

interface NewPool {
  readonly name: string;
  readonly machineType: string;
  readonly nodes: number;
  readonly zones: number;
}

/**
 * A new pool that, with `others` real vCPUs from the pools that stay, gives the cluster 8 and,
 * for install_asm 1.6 (which counts one pool), alone makes it read at least 8 (initialNodeCount x
 * the last number of its type); install_asm 1.7 only warns, so it is not sized for that. Its type
 * follows the largest counted pool's family (4 vCPUs), else e2-standard-4.
 */
function planNewPool(pools: Pools, others: number): NewPool {
  const model =
    largestMachine(pools.counted)?.capacity.pool.machineType ?? pools.cluster.nodePools[0]?.machineType;
  const machineType = suggestMachineType(model);
  const zones = Math.max(1, pools.cluster.locations?.length ?? 1);
  const lastNumber = installAsmVcpus(machineType) ?? MIN_VCPUS_PER_MACHINE;
  const nodes = Math.max(
    1,
    Math.ceil(Math.max(0, MIN_CLUSTER_VCPUS - others) / (MIN_VCPUS_PER_MACHINE * zones)),
    pools.prediction.release === 'asm-1.6' ? Math.ceil(INSTALL_ASM_TOTAL_MINIMUM / lastNumber) : 1,
  );
  return { name: newPoolName(pools.cluster), machineType, nodes, zones };
}

function describeNewPool(pool: NewPool): string {
  const zones = pool.zones > 1 ? ` in each of its ${pool.zones} zones` : '';
  return `node pool ${pool.name} of ${plural(pool.nodes, 'node')} ${pool.machineType}${zones}`;
}

/** "or target ASM 1.7 ...": what install_asm 1.7 would make of the same pools. */
function asm17Alternative(pools: Pools): string {
  const asm17 = predictValidateNodePool(pools.cluster.nodePools, 'asm-1.7');
  const verdict =
    asm17.verdict === 'passes'
      ? `would count ${asm17.counted} and pass`
      : `would count ${asm17.counted} and only warn`;
  return (
    "Or target ASM 1.7, which the guide recommends: install_asm 1.7 takes the largest pool's product and " +
    `${verdict} (scan with --target asm-1.7).`
  );
}

/** What install_asm would say about a cluster that is short of vCPUs, for the shortage finding. */
function predictionNote(prediction: ValidateNodePoolPrediction): string {
  const name = RELEASE_NAME[prediction.release];
  const why = describePrediction(prediction);
  switch (prediction.verdict) {
    case 'passes':
      return ` ${name}'s own check would not stop the install: ${why}.`;
    case 'refuses':
      return ` ${name} would refuse it too: ${why}.`;
    case 'warns':
      return ` ${name} would only warn (${why}) and install anyway.`;
  }
}

function shortageFinding(pools: Pools, tooSmall: readonly string[]): RuleFinding {
  const { cluster, counted, current, prediction } = pools;
  const requirement =
    `ASM needs at least ${MIN_CLUSTER_VCPUS} vCPUs on machine types with at least ${MIN_VCPUS_PER_MACHINE} ` +
    'vCPUs (4-vCPU types need at least 2 nodes, 8-vCPU types 1)';
  const skipped =
    tooSmall.length > 0
      ? ` Pools below ${MIN_VCPUS_PER_MACHINE} vCPUs do not count: ${tooSmall.join(', ')}.`
      : '';
  const have =
    counted.length === 0
      ? `No node pool has a machine type with at least ${MIN_VCPUS_PER_MACHINE} vCPUs, so the cluster has 0 of the vCPUs ASM counts: ${requirement}.`
      : `The node pools that count toward ASM's requirement have ${current} vCPUs ` +
        `(${counted.map((p) => describePool(p)).join('; ')}): ${requirement}.`;
  const noResize =
    'A new pool is both real nodes and an initialNodeCount install_asm reads; a resize adds nodes but ' +
    'changes nothing install_asm reads (initialNodeCount, autoscaling.maxNodeCount).';
  const retire = prediction.release === 'asm-1.6' ? prediction.kept.map((r) => r.pool.name) : [];
  const retired = new Set(retire);
  const others = total(
    counted.filter((p) => !retired.has(p.capacity.pool.name)),
    (p) => p.nodes,
  );
  const pool = planNewPool(pools, others);
  const base = {
    resource: clusterResource(cluster),
    origin: cluster.origin,
  };
  if (retire.length > 0) {
    return {
      ...base,
      message:
        `${have}${predictionNote(prediction)} Add ${describeNewPool(pool)}, and, since install_asm 1.6 counts ` +
        `a single pool, move the workloads off ${retire.join(', ')} and delete ${retire.length === 1 ? 'it' : 'them'}. ` +
        `${noResize} ${asm17Alternative(pools)}${skipped}${countNote(counted)}`,
      fix: fix('consolidate-node-pools', {
        ...clusterScope(cluster),
        keep: pool.name,
        newPoolMachineType: pool.machineType,
        newPoolNodes: pool.nodes,
        retire,
      }),
    };
  }
  return {
    ...base,
    message: `${have}${predictionNote(prediction)} Add ${describeNewPool(pool)}. ${noResize}${skipped}${countNote(counted)}`,
    fix: fix('add-node-pool', {
      ...clusterScope(cluster),
      pool: pool.name,
      machineType: pool.machineType,
      nodes: pool.nodes,
      soleQualifying: prediction.release === 'asm-1.6',
    }),
  };
}

function autoscalingFinding(pools: Pools, unresolved: readonly string[]): RuleFinding | undefined {
  const { cluster, counted } = pools;
  const autoscaled = counted.filter((p) => p.capacity.autoscalingMinimum !== undefined);
  const minimumOf = (p: CountedPool) => p.capacity.autoscalingMinimum ?? p.nodes;
  const minimum = total(counted, minimumOf);
  if (autoscaled.length === 0 || minimum >= MIN_CLUSTER_VCPUS) return undefined;
  const pool = largestMachine(autoscaled);
  if (!pool) return undefined;
  const others = minimum - pool.vcpusPerNode * minimumOf(pool);
  const nodes = nodesPerZoneNeeded(pool, others, minimumOf(pool));
  const maxNodes = Math.max(nodes, autoscalingLimits(pool.capacity)?.max ?? 0);
  const uncounted =
    unresolved.length > 0 ? ` (not counted, vCPUs or nodes unknown: ${unresolved.join(', ')})` : '';
  return {
    message:
      `Autoscaling may shrink the node pools that count toward ASM's requirement to ${minimum} vCPUs ` +
      `(${counted.map((p) => describePool(p, minimumOf(p))).join('; ')})${uncounted}, below the ` +
      `${MIN_CLUSTER_VCPUS} ASM needs. Raise the autoscaling minimum of node pool ${pool.capacity.pool.name} to ` +
      `${plural(nodes, 'node')} per zone.`,
    resource: nodePoolResource(pool.capacity.pool),
    origin: cluster.origin,
    severity: 'warning',
    fix: fix('autoscale-node-pool', {
      ...clusterScope(cluster),
      pool: pool.capacity.pool.name,
      minNodes: nodes,
      maxNodes,
    }),
  };
}

/**
 * The cluster has the vCPUs, but install_asm's own `validate_node_pool` would not see them
 * (src/gke/install-asm-node-pools.ts): 1.6 refuses to install, 1.7 only warns.
 */
function installAsmFinding(pools: Pools): RuleFinding | undefined {
  const { cluster, capacities, counted, current, prediction } = pools;
  if (prediction.verdict === 'passes') return undefined;
  const have = `The node pools have the ${current} vCPUs ASM needs (${counted.map((p) => describePool(p)).join('; ')})`;
  const why = describePrediction(prediction);
  const base = {
    resource: clusterResource(cluster),
    origin: cluster.origin,
    key: 'install-asm-validation',
  };
  if (prediction.verdict === 'warns') {
    return {
      ...base,
      severity: 'info',
      message:
        `${have}, but install_asm 1.7 will warn that the cluster does not meet ASM's requirement and go on after ` +
        `2 seconds: ${why}. Nothing to do: the real capacity is enough (copies of install_asm 1.7 from before ` +
        '2021-01-29 refused instead).',
    };
  }
  const refuses = `${have}, but install_asm 1.6 would refuse the cluster: ${why}.`;
  const noResize =
    'A resize changes neither initialNodeCount nor autoscaling.maxNodeCount, which is all it reads.';
  const capacityOf = (name: string) => capacities.find((c) => c.pool.name === name) as PoolCapacity;
  const vcpusOf = (name: string) => capacityOf(name).machine?.vcpus;
  const { kept } = prediction;
  const readable = kept.filter((r) => r.lastNumber !== undefined);
  const only = kept.length === 1 ? readable[0] : undefined;
  if (only) {
    const limits = limitsFor(only, capacityOf(only.pool.name), vcpusOf(only.pool.name));
    const fixed = limits.maxNodes * (only.lastNumber ?? 0);
    const still =
      limits.minNodes === limits.maxNodes
        ? ' (its size now: the autoscaler can then neither add nor remove nodes)'
        : '';
    return {
      ...base,
      message:
        `${refuses} Autoscale node pool ${only.pool.name} with --min-nodes ${limits.minNodes}${still} and ` +
        `--max-nodes ${limits.maxNodes}: install_asm then reads ${limits.maxNodes} x ${only.lastNumber} = ${fixed}. ` +
        `${noResize}`,
      fix: fix('autoscale-node-pool', { ...clusterScope(cluster), pool: only.pool.name, ...limits }),
    };
  }
  if (kept.length === 0) {
    const pool = planNewPool(pools, current);
    return {
      ...base,
      message: `${refuses} Add ${describeNewPool(pool)}: install_asm reads its initialNodeCount. ${noResize}`,
      fix: fix('add-node-pool', {
        ...clusterScope(cluster),
        pool: pool.name,
        machineType: pool.machineType,
        nodes: pool.nodes,
        soleQualifying: true,
      }),
    };
  }
  // Two or more pools qualify, or the only one cannot be read: leave install_asm one pool, the
  // readable one with the most real vCPUs, able to grow to hold what the others held.
  const realVcpus = (name: string) => counted.find((p) => p.capacity.pool.name === name);
  const heldByKept = kept.reduce((sum, r) => {
    const pool = realVcpus(r.pool.name);
    return sum + (pool ? pool.vcpusPerNode * pool.nodes : 0);
  }, 0);
  const keep = readable.reduce<InstallAsmPoolReading | undefined>((best, r) => {
    const size = (x: InstallAsmPoolReading) => {
      const pool = realVcpus(x.pool.name);
      return pool ? pool.vcpusPerNode * pool.nodes : 0;
    };
    return best === undefined || size(r) > size(best) ? r : best;
  }, undefined);
  const retire = kept.filter((r) => r !== keep).map((r) => r.pool.name);
  const moveOff = `move the workloads off ${retire.join(', ')} and delete ${retire.length === 1 ? 'it' : 'them'}`;
  if (keep) {
    const capacity = capacityOf(keep.pool.name);
    const limits = limitsFor(keep, capacity, vcpusOf(keep.pool.name), heldByKept);
    const now = autoscalingLimits(capacity);
    // Already autoscaled within these limits: nothing to change on the pool kept.
    const change = !now || now.min < limits.minNodes || now.max < limits.maxNodes;
    const kept = change
      ? `keep ${keep.pool.name}, autoscaled up to ${limits.maxNodes} nodes per zone (install_asm then reads ` +
        `${limits.maxNodes} x ${keep.lastNumber}, and the pool can grow to hold the others' pods)`
      : `keep ${keep.pool.name} (install_asm reads ${keep.count} x ${keep.lastNumber} = ${keep.product} of it, ` +
        "and its autoscaling can grow it to hold the others' pods)";
    return {
      ...base,
      message: `${refuses} Leave it one pool to count: ${kept}, and ${moveOff}. ${asm17Alternative(pools)}`,
      fix: fix('consolidate-node-pools', {
        ...clusterScope(cluster),
        keep: keep.pool.name,
        ...(change ? limits : {}),
        retire,
      }),
    };
  }
  const retiredCounted = counted.filter((p) => retire.includes(p.capacity.pool.name));
  const pool = planNewPool(pools, current - total(retiredCounted, (p) => p.nodes));
  return {
    ...base,
    message:
      `${refuses} Leave it one pool to count: add ${describeNewPool(pool)} (install_asm reads its initialNodeCount), ` +
      `and ${moveOff}. ${asm17Alternative(pools)}`,
    fix: fix('consolidate-node-pools', {
      ...clusterScope(cluster),
      keep: pool.name,
      newPoolMachineType: pool.machineType,
      newPoolNodes: pool.nodes,
      retire,
    }),
  };
}

export default defineRule({
  id: 'cluster-vcpu-capacity',
  title: 'The cluster has the 8 vCPUs ASM needs, and install_asm sees them',
  phase: 'prepare',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  // Machine types and Nodes are optional, better sources of vCPUs and node counts: read when
  // the snapshot has them, so they are not listed here.
  needs: ['gkeCluster'],
  docs: {
    summary:
      "The node pools with at least 4 vCPUs per machine have fewer than 8 vCPUs in all, or install_asm's own check would refuse them.",
    checks:
      'Adds up vCPUs x nodes over the node pools whose machine type has at least 4 vCPUs (not shared-core), ' +
      'and fails below 8: a 4-vCPU type needs 2 nodes, an 8-vCPU type 1. vCPUs come from Compute machine ' +
      "type `guestCpus`, else the pool's Nodes' `status.capacity.cpu`, else the built-in table and custom type " +
      "names (the middle number of `custom-4-16384`). A pool's node count is its current Nodes (label " +
      '`cloud.google.com/gke-nodepool`) when the snapshot has Nodes, else `initialNodeCount` x the number of ' +
      'its zones. When the total is enough but autoscaling may shrink it below 8 vCPUs (its minimum per ' +
      'zone, or total minimum), the finding is a warning.\n\n' +
      "It also predicts install_asm's own `validate_node_pool` (`scripts/asm-installer/install_asm` of " +
      'GoogleCloudPlatform/anthos-service-mesh-packages, release-1.6-asm lines 587-631, release-1.7-asm lines ' +
      "943-994), which counts differently: gcloud's filter keeps the pools whose machine type name ends in a " +
      'number of at least 4 (a non-numeric end compares as text, so `e2-medium` is kept); jq multiplies, per ' +
      'pool in order, `autoscaling.maxNodeCount` when autoscaling is enabled, else `initialNodeCount` (both ' +
      'per zone; never the current size) by that last number (`custom-4-16384` counts 16384), and stops at the ' +
      'first pool it cannot multiply (`medium`, or an absent count). install_asm 1.6 compares the whole list ' +
      'as one number, so it passes only one product of at least 8 and refuses whenever two or more pools ' +
      'qualify, or jq stops: an error. install_asm 1.7 takes the largest product and, below 8, only warns and ' +
      "installs anyway: info. Unknown when the total is short but some pool's vCPUs or node count cannot " +
      'be told; not applicable when the Istio add-on is disabled.',
    why:
      'Anthos Service Mesh needs at least 8 vCPUs on machine types with at least 4 vCPUs ("Upgrading to ' +
      'Istio 1.6 with the operator", "Requirements"). install_asm validates capacity with its own arithmetic, ' +
      'so install_asm 1.6 may refuse a cluster that has the vCPUs, and both accept a `custom-4-16384` pool as ' +
      '16384 vCPUs. Resizing a pool changes neither field install_asm reads, so it never changes its verdict.',
    fix:
      'Short of vCPUs: add one node pool (`gcloud container node-pools create POOL --cluster CLUSTER ' +
      '--machine-type e2-standard-4 --num-nodes N`): real nodes, and an `initialNodeCount` install_asm reads. ' +
      'For ASM 1.6, the new pool must be the only one install_asm keeps: move the workloads off the others ' +
      'and delete them, or target ASM 1.7 (the guide recommends it). Enough vCPUs but install_asm 1.6 ' +
      'refuses: enable autoscaling on the one qualifying pool with `--max-nodes` high enough ' +
      '(`gcloud container clusters update CLUSTER --node-pool POOL --enable-autoscaling --min-nodes NOW ' +
      '--max-nodes M`, M x the last number of its machine type >= 8), or leave it one qualifying pool. Never ' +
      'a resize. `install_asm --only_validate` shows its verdict before anything is installed.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'install_asm 1.6: validate_node_pool',
        url: 'https://github.com/GoogleCloudPlatform/anthos-service-mesh-packages/blob/release-1.6-asm/scripts/asm-installer/install_asm',
      },
      {
        title: 'install_asm 1.7: validate_node_pool',
        url: 'https://github.com/GoogleCloudPlatform/anthos-service-mesh-packages/blob/release-1.7-asm/scripts/asm-installer/install_asm',
      },
      {
        title: 'Autoscaling a cluster',
        url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-autoscaler',
      },
    ],
  },
  check(snapshot, { index, target }) {
    const read = clusterPoolCapacities(snapshot, index);
    if ('status' in read) return read;
    const { cluster, capacities } = read;
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
    const release: InstallAsmRelease = target === 'asm-1.6' ? 'asm-1.6' : 'asm-1.7';
    const pools: Pools = {
      cluster,
      capacities,
      counted,
      current: total(counted, (p) => p.nodes),
      prediction: predictValidateNodePool(cluster.nodePools, release),
    };
    if (pools.current < MIN_CLUSTER_VCPUS) {
      if (unresolved.length > 0) {
        return unknown(
          `the pools that can be counted have ${pools.current} vCPUs, below ${MIN_CLUSTER_VCPUS}, and these cannot be ` +
            `counted: ${unresolved.join(', ')}. Add \`gcloud compute machine-types list --format=json\` or the ` +
            'Nodes to the snapshot',
        );
      }
      return [shortageFinding(pools, tooSmall)];
    }
    return [autoscalingFinding(pools, unresolved), installAsmFinding(pools)].filter(
      (finding): finding is RuleFinding => finding !== undefined,
    );
  },
});
