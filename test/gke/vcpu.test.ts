import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countsTowardRequirement,
  parseCpuQuantity,
  poolCapacities,
  suggestMachineType,
  vcpusFromMachineTypeName,
} from '../../src/gke/vcpu.ts';
import type { MachineType, Node, NodePool } from '../../src/snapshot/model.ts';

const POOL_LABEL = 'cloud.google.com/gke-nodepool';

function node(name: string, pool: string | undefined, cpu?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(pool ? { labels: { [POOL_LABEL]: pool } } : {}) },
    ...(cpu ? { cpuCapacity: cpu } : {}),
  };
}

function machineType(name: string, guestCpus: number, isSharedCpu?: boolean): MachineType {
  return { name, zone: 'europe-west1-b', guestCpus, ...(isSharedCpu === undefined ? {} : { isSharedCpu }) };
}

function capacities(
  pools: NodePool[],
  options: { nodes?: Node[]; machineTypes?: MachineType[]; zones?: string[] } = {},
) {
  return poolCapacities({
    pools,
    clusterZones: options.zones,
    machineTypes: options.machineTypes,
    nodes: options.nodes,
    poolLabel: POOL_LABEL,
  });
}

describe('vCPUs from machine type names (SPEC §8)', () => {
  it.each([
    ['e2-standard-4', 4],
    ['e2-standard-8', 8],
    ['n1-standard-8', 8],
    ['n1-highmem-2', 2],
    ['n2-highcpu-16', 16],
    ['n2d-standard-224', 224],
    ['c2-standard-30', 30],
    ['m1-ultramem-40', 40],
  ])('the built-in table gives %s %i vCPUs', (name, vcpus) => {
    expect(vcpusFromMachineTypeName(name)).toEqual({ vcpus, sharedCore: false, source: 'built-in-table' });
  });

  it.each([
    ['custom-4-16384', 4],
    ['n2-custom-8-32768', 8],
    ['e2-custom-4-8192', 4],
    ['n2d-custom-2-8192', 2],
    ['custom-6-23040-ext', 6],
  ])('a custom type name %s has its middle number (%i) of vCPUs, never the last', (name, vcpus) => {
    expect(vcpusFromMachineTypeName(name)).toEqual({ vcpus, sharedCore: false, source: 'custom-type-name' });
  });

  it('custom-4-16384 counts 4 vCPUs, not 16384 (install_asm bug)', () => {
    expect(vcpusFromMachineTypeName('custom-4-16384')?.vcpus).toBe(4);
  });

  it.each(['e2-micro', 'e2-small', 'e2-medium', 'f1-micro', 'g1-small', 'e2-custom-medium-4096'])(
    'the shared-core type %s counts as fewer than 4 vCPUs',
    (name) => {
      const machine = vcpusFromMachineTypeName(name);
      expect(machine?.sharedCore).toBe(true);
      expect(machine && countsTowardRequirement(machine)).toBe(false);
    },
  );

  it.each(['a2-highgpu-1g', 'n1-standard-3', 'e2-standard', 'weird', 'custom-0-1024', ''])(
    'does not guess %j',
    (name) => {
      expect(vcpusFromMachineTypeName(name)).toBeUndefined();
    },
  );

  it('reads any custom name as its middle number, whatever the memory (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', 'n2-', 'n2d-', 'e2-', 'n1-'),
        fc.integer({ min: 1, max: 96 }),
        fc.integer({ min: 256, max: 1_000_000 }),
        fc.boolean(),
        (family, vcpus, memory, extended) => {
          const name = `${family}custom-${vcpus}-${memory}${extended ? '-ext' : ''}`;
          const machine = vcpusFromMachineTypeName(name);
          expect(machine?.vcpus).toBe(vcpus);
          expect(machine && countsTowardRequirement(machine)).toBe(vcpus >= 4);
        },
      ),
    );
  });
});

describe('CPU quantities', () => {
  it.each([
    ['4', 4],
    ['2', 2],
    ['3920m', 3.92],
    ['0.5', 0.5],
  ])('parses %j', (text, cpus) => {
    expect(parseCpuQuantity(text)).toBe(cpus);
  });
  it.each(['', '4Ki', 'four', '-1'])('rejects %j', (text) => {
    expect(parseCpuQuantity(text)).toBeUndefined();
  });
});

describe('pool capacities', () => {
  const pool = (overrides: Partial<NodePool> = {}): NodePool => ({
    name: 'default-pool',
    machineType: 'e2-standard-4',
    initialNodeCount: 3,
    locations: ['europe-west1-b'],
    ...overrides,
  });

  it('prefers guestCpus from machine type data over the name', () => {
    const [capacity] = capacities([pool({ machineType: 'custom-4-16384' })], {
      machineTypes: [machineType('custom-4-16384', 4)],
    });
    expect(capacity?.machine).toEqual({ vcpus: 4, sharedCore: false, source: 'machine-type-data' });
  });

  it('takes isSharedCpu from machine type data', () => {
    const [capacity] = capacities([pool({ machineType: 'e2-medium' })], {
      machineTypes: [machineType('e2-medium', 2, true)],
    });
    expect(capacity?.machine?.sharedCore).toBe(true);
  });

  it('ignores machine type data without guestCpus and uses Node capacity next', () => {
    const [capacity] = capacities([pool({ machineType: 'odd-type' })], {
      machineTypes: [machineType('odd-type', 0)],
      nodes: [node('n1', 'default-pool', '8')],
    });
    expect(capacity?.machine).toEqual({ vcpus: 8, sharedCore: false, source: 'node-capacity' });
  });

  it('keeps e2-medium shared-core when only Node capacity (2) tells its vCPUs', () => {
    const [capacity] = capacities([pool({ machineType: 'e2-medium' })], {
      nodes: [node('n1', 'default-pool', '2')],
    });
    expect(capacity?.machine).toEqual({ vcpus: 2, sharedCore: true, source: 'node-capacity' });
  });

  it('falls back on the built-in table, and leaves an unknown type unresolved', () => {
    const [known, unknownType] = capacities([pool(), pool({ name: 'gpu', machineType: 'a2-highgpu-1g' })]);
    expect(known?.machine?.source).toBe('built-in-table');
    expect(unknownType?.machine).toBeUndefined();
  });

  it('counts current Nodes per pool when Nodes are known, 0 for a pool without any', () => {
    const result = capacities([pool(), pool({ name: 'spare' })], {
      nodes: [node('a', 'default-pool'), node('b', 'default-pool'), node('c', undefined)],
    });
    expect(result.map((c) => [c.nodes, c.nodeSource])).toEqual([
      [2, 'nodes'],
      [0, 'nodes'],
    ]);
  });

  it('uses initialNodeCount x zones for regional pools when no Node carries a pool label', () => {
    const regional = pool({
      initialNodeCount: 1,
      locations: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    });
    const [capacity] = capacities([regional], { nodes: [node('unlabelled', undefined)] });
    expect(capacity).toMatchObject({ nodes: 3, nodeSource: 'initial-node-count', zones: 3 });
  });

  it("uses the cluster's zones for a pool that lists none", () => {
    const [capacity] = capacities([pool({ locations: undefined, initialNodeCount: 2 })], {
      zones: ['us-central1-a', 'us-central1-b'],
    });
    expect(capacity?.nodes).toBe(4);
  });

  it('leaves the node count unknown without Nodes or initialNodeCount', () => {
    const [capacity] = capacities([pool({ initialNodeCount: undefined })]);
    expect(capacity?.nodes).toBeUndefined();
    expect(capacity?.nodeSource).toBeUndefined();
  });

  it('computes the autoscaling minimum per zone, or the total minimum', () => {
    const [perZone, totalMin, off] = capacities([
      pool({
        name: 'a',
        locations: ['z1', 'z2'],
        autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 5 },
      }),
      pool({ name: 'b', autoscaling: { enabled: true, totalMinNodeCount: 4 } }),
      pool({ name: 'c', autoscaling: { enabled: false, minNodeCount: 0 } }),
    ]);
    expect(perZone?.autoscalingMinimum).toBe(2);
    expect(totalMin?.autoscalingMinimum).toBe(4);
    expect(off?.autoscalingMinimum).toBeUndefined();
  });

  it('node count = initialNodeCount x number of zones (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 4 }), (initial, zoneCount) => {
        const zones = Array.from({ length: zoneCount }, (_, i) => `zone-${i}`);
        const [capacity] = capacities([pool({ initialNodeCount: initial, locations: zones })]);
        expect(capacity?.nodes).toBe(initial * zoneCount);
      }),
    );
  });
});

describe('suggested machine types', () => {
  it.each([
    ['e2-medium', 'e2-standard-4'],
    ['n1-highmem-2', 'n1-highmem-4'],
    ['n1-standard-1', 'n1-standard-4'],
    ['g1-small', 'e2-standard-4'],
    ['custom-2-4096', 'custom-4-8192'],
    ['n2-custom-2-2048', 'n2-custom-4-4096'],
    [undefined, 'e2-standard-4'],
  ])('suggests for %s: %s', (type, suggestion) => {
    expect(suggestMachineType(type)).toBe(suggestion);
  });

  it('always suggests a type with at least 4 vCPUs (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(
            'e2-micro',
            'e2-small',
            'e2-medium',
            'f1-micro',
            'g1-small',
            'n1-standard-1',
            'n2-highcpu-2',
          ),
          fc
            .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 64 }))
            .map(([vcpus, gb]) => `custom-${vcpus}-${gb * 1024}`),
        ),
        (type) => {
          const suggested = vcpusFromMachineTypeName(suggestMachineType(type));
          expect(suggested && countsTowardRequirement(suggested)).toBe(true);
        },
      ),
    );
  });
});
