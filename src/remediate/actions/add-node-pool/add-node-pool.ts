/**
 * cluster-vcpu-capacity: create one node pool of `machineType` with `nodes` nodes per zone (asks
 * first). Its `initialNodeCount` is what install_asm reads of it. With `soleQualifying` (the
 * asm-1.6 target), the script first asks gcloud, with install_asm's own filter, whether another
 * pool qualifies, and creates nothing when one does: install_asm 1.6 refuses two.
 */
import { z } from 'zod';
import { INSTALL_ASM_POOL_FILTER } from '../../../gke/install-asm-node-pools.ts';
import { defineFixAction } from '../../step.ts';
import { clusterScope, gcloudScope, name } from '../common.ts';

export default defineFixAction({
  action: 'add-node-pool',
  params: z.object({
    ...clusterScope,
    pool: name,
    machineType: name,
    nodes: z.number().int().positive(),
    soleQualifying: z.boolean(),
  }),
  order: 136,
  functions: ['add_node_pool'],
  summary: 'Add a node pool for the vCPUs ASM needs (asks first)',
  title: (p) => `Add node pool ${p.pool}: ${p.nodes} x ${p.machineType} per zone (ASM needs 8 vCPUs)`,
  steps: ([p]) => {
    if (!p) return [];
    const scope = gcloudScope(p);
    const nodes = String(p.nodes);
    return [
      {
        kind: 'call',
        fn: 'add_node_pool',
        args: [
          p.cluster,
          p.pool,
          p.machineType,
          nodes,
          p.soleQualifying ? INSTALL_ASM_POOL_FILTER : '',
          ...scope,
        ],
        shows: [
          {
            kind: 'run',
            argv: [
              'gcloud',
              'container',
              'node-pools',
              'create',
              p.pool,
              '--cluster',
              p.cluster,
              '--machine-type',
              p.machineType,
              '--num-nodes',
              nodes,
              ...scope,
              '--quiet',
            ],
          },
        ],
      },
    ];
  },
});
