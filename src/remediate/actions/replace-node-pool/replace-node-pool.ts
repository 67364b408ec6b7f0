/**
 * node-machine-vcpu: move workloads to a pool of machines with 4 vCPUs or more (a TODO): a new pool
 * of `suggestedMachineType`, or, with `into` (asm-1.6, where install_asm counts a single pool), the
 * pool that already qualifies.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { clusterScope, gcloudScope, name, optionalText } from '../common.ts';

export default defineFixAction({
  action: 'replace-node-pool',
  params: z.object({
    ...clusterScope,
    pool: name,
    machineType: name,
    suggestedMachineType: name,
    into: optionalText,
  }),
  order: 130,
  functions: [],
  summary: 'Move workloads to a node pool with 4 vCPUs or more (TODO)',
  title: (p) => `Move workloads off node pool ${p.pool} (${p.machineType}, fewer than 4 vCPUs)`,
  steps: ([p]) => {
    if (!p) return [];
    const scope = gcloudScope(p);
    // Node pool names have at most 40 characters.
    const newPool = `${p.pool.slice(0, 34).replace(/-+$/, '')}-4vcpu`;
    const selector = `cloud.google.com/gke-nodepool=${p.pool}`;
    const create = {
      argv: [
        'gcloud',
        'container',
        'node-pools',
        'create',
        newPool,
        '--cluster',
        p.cluster,
        '--machine-type',
        p.suggestedMachineType,
        '--num-nodes',
        'NODES',
        ...scope,
      ],
    };
    return [
      {
        kind: 'comment',
        text: 'Human decision: ASM only counts machine types with 4 or more vCPUs. Moving workloads to another',
        once: true,
      },
      {
        kind: 'comment',
        text: 'pool (cordon and drain the old nodes, delete the old pool) reschedules every pod on',
        once: true,
      },
      {
        kind: 'comment',
        text: 'them and changes the bill; choose the node count and the moment yourself.',
        once: true,
      },
      {
        kind: 'comment',
        text: 'kubectl drain --delete-local-data: the flag of a kubectl matching a 1.17/1.18 master (1.20 renamed it).',
        once: true,
      },
      {
        kind: 'todo',
        text: p.into
          ? `Move the workloads of ${p.pool} onto node pool ${p.into} (install_asm 1.6 counts a single pool: no new one), then delete ${p.pool}`
          : `Create a pool of ${p.suggestedMachineType}, cordon and drain the nodes of ${p.pool}, then delete ${p.pool} (GKE: migrating workloads to different machine types)`,
        commands: [
          ...(p.into ? [] : [create]),
          { argv: ['kubectl', 'cordon', '-l', selector] },
          { argv: ['kubectl', 'drain', '-l', selector, '--ignore-daemonsets', '--delete-local-data'] },
          { argv: ['gcloud', 'container', 'node-pools', 'delete', p.pool, '--cluster', p.cluster, ...scope] },
        ],
      },
    ];
  },
});
