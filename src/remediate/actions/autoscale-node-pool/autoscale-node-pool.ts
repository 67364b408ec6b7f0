/**
 * cluster-vcpu-capacity: enable autoscaling on a node pool, or raise its limits, to at least
 * `minNodes`..`maxNodes` nodes per zone; never lowers them (the script reads them again). This
 * changes what install_asm reads of the pool (`autoscaling.maxNodeCount`, src/gke/install-asm-node-pools.ts),
 * which a resize never does; the minimum keeps the autoscaler from shrinking the pool below it.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { clusterScope, gcloudScope, name } from '../common.ts';

export default defineFixAction({
  action: 'autoscale-node-pool',
  params: z
    .object({
      ...clusterScope,
      pool: name,
      minNodes: z.number().int().nonnegative(),
      maxNodes: z.number().int().positive(),
    })
    .refine((p) => p.minNodes <= p.maxNodes, { message: 'minNodes must not exceed maxNodes' }),
  order: 140,
  functions: ['autoscale_node_pool'],
  summary: 'Enable or raise the autoscaling limits of a node pool (asks first)',
  title: (p) =>
    `Autoscale node pool ${p.pool}: minimum ${p.minNodes}, maximum ${p.maxNodes} nodes per zone (limits never lowered)`,
  steps: ([p]) => {
    if (!p) return [];
    const scope = gcloudScope(p);
    const [min, max] = [String(p.minNodes), String(p.maxNodes)];
    return [
      {
        kind: 'call',
        fn: 'autoscale_node_pool',
        args: [p.cluster, p.pool, min, max, ...scope],
        shows: [
          {
            kind: 'run',
            argv: [
              'gcloud',
              'container',
              'clusters',
              'update',
              p.cluster,
              '--node-pool',
              p.pool,
              '--enable-autoscaling',
              '--min-nodes',
              min,
              '--max-nodes',
              max,
              ...scope,
              '--quiet',
            ],
          },
        ],
      },
    ];
  },
});
