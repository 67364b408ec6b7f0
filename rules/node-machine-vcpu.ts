import { defineRule, type RuleFinding, unknown } from '../src/engine/rule.ts';
import { installAsmFilterKeeps, installAsmVcpus } from '../src/gke/install-asm-node-pools.ts';
import { nodePoolResource } from '../src/gke/node-pool.ts';
import { clusterPoolCapacities } from '../src/gke/pool-capacities.ts';
import { clusterScope } from '../src/gke/resources.ts';
import {
  countsTowardRequirement,
  describeVcpuSource,
  MIN_VCPUS_PER_MACHINE,
  suggestMachineType,
} from '../src/gke/vcpu.ts';
import { fix } from '../src/remediate/actions/index.ts';

export default defineRule({
  id: 'node-machine-vcpu',
  title: 'Node pools use machine types with at least 4 vCPUs',
  phase: 'prepare',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'info',
  // Machine types and Nodes are optional, better sources of vCPUs: the rule reads them when the
  // snapshot has them and falls back on the machine type's name, so they are not listed here.
  needs: ['gkeCluster'],
  docs: {
    summary: 'A node pool has a machine type with fewer than 4 vCPUs; it does not count toward ASM capacity.',
    checks:
      'For every node pool of the GKE cluster, finds the vCPUs of its machine type: `guestCpus` from Compute ' +
      "machine type data when the snapshot has it, else the pool's Nodes' `status.capacity.cpu` (nodes are " +
      'matched by the `cloud.google.com/gke-nodepool` label), else a built-in table of common predefined ' +
      'types, or the middle number of a custom type name (`custom-4-16384` has 4 vCPUs). Shared-core types ' +
      '(e2-micro, e2-small, e2-medium, f1-micro, g1-small) always count as fewer than 4. One info finding ' +
      "per pool below 4 vCPUs. Unknown when a pool's vCPUs cannot be told and no pool is found below 4; not " +
      'applicable when the cluster data says the Istio add-on is disabled.',
    why:
      'Anthos Service Mesh requires machine types with at least 4 vCPUs, such as e2-standard-4 ("Upgrading to Istio 1.6 with the operator", ' +
      '"Requirements"). Smaller pools can stay, but their vCPUs do not count toward the 8 vCPUs ASM needs ' +
      '(see `cluster-vcpu-capacity`), and istiod and the proxies compete for their CPU.',
    fix:
      'Move the workloads to a node pool with a larger machine type: create a pool of e.g. `e2-standard-4`, ' +
      'cordon and drain the old pool\'s nodes, then delete the old pool (GKE documentation, "Migrating ' +
      'workloads to different machine types"). For ASM 1.6, when another pool already has a machine type of ' +
      'at least 4 vCPUs, move the workloads onto that pool instead: install_asm 1.6 counts a single pool and ' +
      'refuses a second (see `cluster-vcpu-capacity`).',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Migrating workloads to different machine types',
        url: 'https://cloud.google.com/kubernetes-engine/docs/tutorials/migrating-node-pool',
      },
    ],
  },
  check(snapshot, { index, target }) {
    const pools = clusterPoolCapacities(snapshot, index);
    if ('status' in pools) return pools;
    const { cluster, capacities } = pools;
    // install_asm 1.6 counts a single pool (cluster-vcpu-capacity): a new one beside a pool that
    // already qualifies would make it refuse, so the workloads go to that pool instead.
    const qualifying =
      target === 'asm-1.6'
        ? capacities.find(
            (c) =>
              c.machine !== undefined &&
              countsTowardRequirement(c.machine) &&
              installAsmFilterKeeps(c.pool.machineType) &&
              installAsmVcpus(c.pool.machineType ?? '') !== undefined,
          )?.pool.name
        : undefined;
    const findings: RuleFinding[] = [];
    const unresolved: string[] = [];
    for (const { pool, machine } of capacities) {
      if (!machine) {
        unresolved.push(`${pool.name} (${pool.machineType ?? 'no machine type'})`);
        continue;
      }
      if (countsTowardRequirement(machine)) continue;
      const type = pool.machineType ?? 'its machine type';
      const shared = machine.sharedCore ? ', shared-core' : '';
      const suggested = suggestMachineType(pool.machineType);
      findings.push({
        message:
          `Node pool ${pool.name} uses ${type} (${machine.vcpus} vCPU${machine.vcpus === 1 ? '' : 's'}${shared}, ` +
          `from ${describeVcpuSource(machine.source)}): ASM needs machine types with at least ` +
          `${MIN_VCPUS_PER_MACHINE} vCPUs, so this pool does not count toward its capacity. ` +
          (qualifying
            ? `Consider moving its workloads onto node pool ${qualifying}: install_asm 1.6 counts a single ` +
              `pool, so a new pool of ${suggested} beside it would make install_asm refuse (see cluster-vcpu-capacity).`
            : `Consider moving its workloads to a pool of ${suggested}.`),
        resource: nodePoolResource(pool),
        origin: cluster.origin,
        fix: fix('replace-node-pool', {
          ...clusterScope(cluster),
          pool: pool.name,
          machineType: pool.machineType ?? 'unknown',
          suggestedMachineType: suggested,
          into: qualifying,
        }),
      });
    }
    if (findings.length === 0 && unresolved.length > 0) {
      return unknown(
        `cannot tell the vCPUs of node pool${unresolved.length > 1 ? 's' : ''} ${unresolved.join(', ')}: add ` +
          '`gcloud compute machine-types list --format=json` or the Nodes to the snapshot',
      );
    }
    return findings;
  },
});
