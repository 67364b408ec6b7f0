/** workload-identity: enable it on the cluster (`workloadPool`) and on the listed pools (asks first). */
import { z } from 'zod';
import { defineFixAction, type Step } from '../../step.ts';
import { clusterScope, gcloudScope, name } from '../common.ts';

export default defineFixAction({
  action: 'enable-workload-identity',
  params: z.object({
    ...clusterScope,
    workloadPool: name,
    clusterEnabled: z.boolean(),
    pools: z.array(z.string()),
  }),
  order: 150,
  functions: ['enable_cluster_workload_identity', 'enable_pool_metadata_server'],
  summary: 'Enable Workload Identity (asks first)',
  title: () =>
    'Enable Workload Identity (install_asm would enable it; doing it first lets you choose the moment)',
  steps: ([p]) => {
    if (!p) return [];
    const scope = gcloudScope(p);
    return [
      ...(p.clusterEnabled
        ? []
        : [
            {
              kind: 'call',
              fn: 'enable_cluster_workload_identity',
              args: [p.cluster, p.workloadPool, ...scope],
              shows: [
                {
                  kind: 'run',
                  argv: [
                    'gcloud',
                    'container',
                    'clusters',
                    'update',
                    p.cluster,
                    '--workload-pool',
                    p.workloadPool,
                    ...scope,
                    '--quiet',
                  ],
                },
              ],
            } as const,
          ]),
      ...p.pools.map(
        (pool): Step<'enable_pool_metadata_server'> => ({
          kind: 'call',
          fn: 'enable_pool_metadata_server',
          args: [p.cluster, pool, ...scope],
          shows: [
            {
              kind: 'run',
              argv: [
                'gcloud',
                'container',
                'node-pools',
                'update',
                pool,
                '--cluster',
                p.cluster,
                ...scope,
                '--workload-metadata',
                'GKE_METADATA',
                '--quiet',
              ],
            },
          ],
        }),
      ),
    ];
  },
});
