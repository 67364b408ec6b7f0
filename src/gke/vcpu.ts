/**
 * vCPUs of node pools and how many nodes they have (SPEC §8), for the ASM capacity requirement
 * ("Upgrading to Istio 1.6 with the operator", "Requirements": machine types with at least 4 vCPUs, at least 8 vCPUs in all).
 *
 * Sources, best first: Compute MachineType `guestCpus`, the pool's Nodes' `status.capacity.cpu`,
 * then a built-in table of common predefined types and the custom type names. A custom name's
 * vCPUs are its MIDDLE number (`custom-4-16384` has 4 vCPUs and 16384 MB): install_asm read the
 * last number and took such pools for 16384-vCPU machines.
 */
import type { MachineType, Node, NodePool } from '../snapshot/model.ts';

/** ASM's minimum: a machine type counts toward capacity only from 4 vCPUs, and the pools need 8 in all. */
export const MIN_VCPUS_PER_MACHINE = 4;
export const MIN_CLUSTER_VCPUS = 8;

export type VcpuSource = 'machine-type-data' | 'node-capacity' | 'built-in-table' | 'custom-type-name';

export interface MachineVcpus {
  readonly vcpus: number;
  /** Shared-core types (e2-micro/small/medium, f1-micro, g1-small) never count toward the requirement. */
  readonly sharedCore: boolean;
  readonly source: VcpuSource;
}

/** Shared-core machine types and the vCPUs the guest sees (a fraction of them is guaranteed). */
const SHARED_CORE: Readonly<Record<string, number>> = {
  'e2-micro': 2,
  'e2-small': 2,
  'e2-medium': 2,
  'f1-micro': 1,
  'g1-small': 1,
};

/**
 * Common predefined types: for these families and classes the last number of the name is the
 * vCPU count, but only for the sizes listed (a2-highgpu-1g's last number counts GPUs, so nothing
 * outside this table is guessed).
 */
const PREDEFINED_SIZES: Readonly<Record<string, readonly number[]>> = {
  'e2-standard': [2, 4, 8, 16, 32],
  'e2-highmem': [2, 4, 8, 16],
  'e2-highcpu': [2, 4, 8, 16, 32],
  'n1-standard': [1, 2, 4, 8, 16, 32, 64, 96],
  'n1-highmem': [2, 4, 8, 16, 32, 64, 96],
  'n1-highcpu': [2, 4, 8, 16, 32, 64, 96],
  'n2-standard': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128],
  'n2-highmem': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128],
  'n2-highcpu': [2, 4, 8, 16, 32, 48, 64, 80, 96],
  'n2d-standard': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224],
  'n2d-highmem': [2, 4, 8, 16, 32, 48, 64, 80, 96],
  'n2d-highcpu': [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224],
  'c2-standard': [4, 8, 16, 30, 60],
  'm1-ultramem': [40, 80, 160],
  'm1-megamem': [96],
};

/** `custom-4-16384`, `n2-custom-8-32768`, `e2-custom-4-8192`, `n2d-custom-4-16384-ext`. */
const CUSTOM_TYPE = /^(?:[a-z][a-z0-9]*-)?custom-(\d{1,4})-\d+(?:-ext)?$/;
/** E2 shared-core custom types: `e2-custom-medium-4096`. */
const SHARED_CUSTOM_TYPE = /^e2-custom-(micro|small|medium)-\d+$/;

/** vCPUs told by the machine type's name alone: the built-in table or a custom type name. */
export function vcpusFromMachineTypeName(name: string): MachineVcpus | undefined {
  const type = name.trim().toLowerCase();
  const shared = SHARED_CORE[type];
  if (shared !== undefined) return { vcpus: shared, sharedCore: true, source: 'built-in-table' };
  const sharedCustom = SHARED_CUSTOM_TYPE.exec(type);
  if (sharedCustom) {
    return { vcpus: SHARED_CORE[`e2-${sharedCustom[1]}`] ?? 2, sharedCore: true, source: 'custom-type-name' };
  }
  const custom = CUSTOM_TYPE.exec(type);
  if (custom) {
    const vcpus = Number(custom[1]);
    return vcpus > 0 ? { vcpus, sharedCore: false, source: 'custom-type-name' } : undefined;
  }
  const lastDash = type.lastIndexOf('-');
  const sizes = PREDEFINED_SIZES[type.slice(0, lastDash)];
  const size = Number(type.slice(lastDash + 1));
  if (sizes?.includes(size)) return { vcpus: size, sharedCore: false, source: 'built-in-table' };
  return undefined;
}

/**
 * A Kubernetes CPU quantity as whole CPUs: `4` -> 4, `3920m` -> 3.92. Undefined when it is not
 * a plain or milli quantity.
 */
export function parseCpuQuantity(quantity: string): number | undefined {
  const text = quantity.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const milli = /^(\d+)m$/.exec(text);
  return milli ? Number(milli[1]) / 1000 : undefined;
}

/** Whether the vCPUs count toward the ASM requirement. */
export function countsTowardRequirement(machine: MachineVcpus): boolean {
  return !machine.sharedCore && machine.vcpus >= MIN_VCPUS_PER_MACHINE;
}

/** Where a pool's node count comes from. */
export type NodeCountSource = 'nodes' | 'initial-node-count';

export interface PoolCapacity {
  readonly pool: NodePool;
  /** Undefined when no source tells the machine type's vCPUs. */
  readonly machine: MachineVcpus | undefined;
  /** Undefined when neither Nodes nor initialNodeCount tell it. */
  readonly nodes: number | undefined;
  readonly nodeSource: NodeCountSource | undefined;
  /** Zones of the pool (1 for a zonal pool); node counts in gcloud resize and autoscaling are per zone. */
  readonly zones: number;
  /** The smallest total node count the autoscaler may shrink the pool to, when autoscaling is on. */
  readonly autoscalingMinimum: number | undefined;
}

export interface CapacityInputs {
  readonly pools: readonly NodePool[];
  /** The cluster's zones, for pools that do not list their own. */
  readonly clusterZones: readonly string[] | undefined;
  /** Compute MachineTypes, when the snapshot has them. */
  readonly machineTypes: readonly MachineType[] | undefined;
  /** Nodes, when the snapshot has them. */
  readonly nodes: readonly Node[] | undefined;
  /** The label naming a node's pool (cloud.google.com/gke-nodepool). */
  readonly poolLabel: string;
}

function guestCpusByName(machineTypes: readonly MachineType[]): Map<string, MachineType> {
  const byName = new Map<string, MachineType>();
  for (const type of machineTypes) {
    // guestCpus 0 means the document did not say; a real type has at least one.
    if (type.guestCpus > 0 && !byName.has(type.name)) byName.set(type.name, type);
  }
  return byName;
}

/**
 * Node counts and vCPUs of every pool. Nodes are "known" when at least one Node carries the pool
 * label: a pool with none of them then has 0 nodes right now (e.g. scaled to zero). Otherwise the
 * count is initialNodeCount x the pool's zones, which is what GKE creates for a regional or
 * multi-zone pool.
 */
export function poolCapacities(inputs: CapacityInputs): PoolCapacity[] {
  const machineTypes = guestCpusByName(inputs.machineTypes ?? []);
  const nodesByPool = new Map<string, Node[]>();
  for (const node of inputs.nodes ?? []) {
    const pool = node.metadata.labels?.[inputs.poolLabel];
    if (pool === undefined) continue;
    const list = nodesByPool.get(pool);
    if (list) list.push(node);
    else nodesByPool.set(pool, [node]);
  }
  const nodesKnown = nodesByPool.size > 0;
  return inputs.pools.map((pool) => {
    const zones = Math.max(1, (pool.locations ?? inputs.clusterZones ?? []).length);
    const poolNodes = nodesByPool.get(pool.name) ?? [];
    const machine = machineVcpus(pool.machineType, machineTypes, poolNodes);
    const nodes = nodesKnown
      ? poolNodes.length
      : pool.initialNodeCount === undefined
        ? undefined
        : pool.initialNodeCount * zones;
    return {
      pool,
      machine,
      nodes,
      nodeSource: nodesKnown ? 'nodes' : nodes === undefined ? undefined : 'initial-node-count',
      zones,
      autoscalingMinimum: autoscalingMinimum(pool, zones),
    };
  });
}

function machineVcpus(
  machineType: string | undefined,
  machineTypes: ReadonlyMap<string, MachineType>,
  poolNodes: readonly Node[],
): MachineVcpus | undefined {
  const byName = machineType === undefined ? undefined : vcpusFromMachineTypeName(machineType);
  const data = machineType === undefined ? undefined : machineTypes.get(machineType);
  if (data) {
    return {
      vcpus: data.guestCpus,
      sharedCore: data.isSharedCpu === true || byName?.sharedCore === true,
      source: 'machine-type-data',
    };
  }
  for (const node of poolNodes) {
    const cpus = node.cpuCapacity === undefined ? undefined : parseCpuQuantity(node.cpuCapacity);
    if (cpus !== undefined && cpus > 0) {
      // Capacity cannot tell a shared-core e2-medium (2 vCPUs) from a dedicated 2-vCPU type; the name can.
      return { vcpus: cpus, sharedCore: byName?.sharedCore === true, source: 'node-capacity' };
    }
  }
  return byName;
}

function autoscalingMinimum(pool: NodePool, zones: number): number | undefined {
  const autoscaling = pool.autoscaling;
  if (autoscaling?.enabled !== true) return undefined;
  if (autoscaling.totalMinNodeCount !== undefined) return autoscaling.totalMinNodeCount;
  return (autoscaling.minNodeCount ?? 0) * zones;
}

/** Human wording of where a pool's vCPUs came from. */
export function describeVcpuSource(source: VcpuSource): string {
  switch (source) {
    case 'machine-type-data':
      return 'Compute machine type data';
    case 'node-capacity':
      return "its Nodes' CPU capacity";
    case 'built-in-table':
      return "meshready's table of predefined machine types";
    case 'custom-type-name':
      return 'the custom machine type name';
  }
}

/**
 * A machine type with at least 4 vCPUs close to `machineType`: the same family and class when
 * that size exists (n1-highmem-2 -> n1-highmem-4), else e2-standard-4.
 */
export function suggestMachineType(machineType: string | undefined): string {
  const fallback = 'e2-standard-4';
  if (!machineType) return fallback;
  const type = machineType.toLowerCase();
  const custom = /^((?:[a-z][a-z0-9]*-)?custom)-(\d+)-(\d+)(-ext)?$/.exec(type);
  if (custom) {
    // Keep the memory per vCPU (custom types bound it), in the 256 MB steps custom memory takes.
    const [, prefix, vcpus, memory, extended] = custom;
    const scaled = (Number(memory) * MIN_VCPUS_PER_MACHINE) / Math.max(1, Number(vcpus));
    const memoryMb = Math.max(Number(memory), Math.ceil(scaled / 256) * 256);
    return `${prefix}-${MIN_VCPUS_PER_MACHINE}-${memoryMb}${extended ?? ''}`;
  }
  const familyClass = type.slice(0, type.lastIndexOf('-'));
  if (PREDEFINED_SIZES[familyClass]?.includes(MIN_VCPUS_PER_MACHINE)) {
    return `${familyClass}-${MIN_VCPUS_PER_MACHINE}`;
  }
  const family = type.split('-')[0] ?? '';
  if (PREDEFINED_SIZES[`${family}-standard`]?.includes(MIN_VCPUS_PER_MACHINE)) {
    return `${family}-standard-${MIN_VCPUS_PER_MACHINE}`;
  }
  return fallback;
}
