/** cluster-vcpu-capacity: grow a pool to `nodes` nodes per zone, or raise its autoscaling minimum. */
import { z } from 'zod';
import { defineFixAction, type Step } from '../step.ts';
import { clusterScope, gcloudScope, name } from './common.ts';

export default defineFixAction({
  action: 'resize-node-pool',
  params: z.object({
    ...clusterScope,
    pool: name,
    nodes: z.number().int().positive(),
    autoscaling: z.boolean(),
  }),
  order: 140,
  summary: 'Grow a node pool (asks first)',
  title: (p) =>
    p.autoscaling
      ? `Raise the autoscaling minimum of node pool ${p.pool} to ${p.nodes} nodes per zone (ASM needs 8 vCPUs)`
      : `Grow node pool ${p.pool} to ${p.nodes} nodes per zone (ASM needs 8 vCPUs)`,
  steps: ([p]): Step[] => {
    if (!p) return [];
    const scope = gcloudScope(p);
    const nodes = String(p.nodes);
    const argv = p.autoscaling
      ? [
          'gcloud',
          'container',
          'clusters',
          'update',
          p.cluster,
          '--node-pool',
          p.pool,
          '--enable-autoscaling',
          '--min-nodes',
          nodes,
          '--max-nodes',
          `MAX_NODES(at least ${nodes})`,
          ...scope,
          '--quiet',
        ]
      : [
          'gcloud',
          'container',
          'clusters',
          'resize',
          p.cluster,
          '--node-pool',
          p.pool,
          '--num-nodes',
          nodes,
          ...scope,
          '--quiet',
        ];
    return [
      {
        kind: 'call',
        fn: 'resize_node_pool',
        args: [p.cluster, p.pool, nodes, String(p.autoscaling), ...scope],
        shows: [{ kind: 'run', argv }],
      },
    ];
  },
});
