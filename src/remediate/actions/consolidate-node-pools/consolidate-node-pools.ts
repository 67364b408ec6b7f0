/**
 * cluster-vcpu-capacity, asm-1.6: leave install_asm 1.6 exactly one pool to read (a TODO: moving
 * workloads between pools is a person's decision). `keep` is the pool that stays, created first
 * when `newPoolMachineType` is set, or given autoscaling limits when `maxNodes` is; every pool in
 * `retire` is cordoned, drained and deleted (GKE: migrating workloads to different machine types).
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { clusterScope, gcloudScope, name } from '../common.ts';

const count = z.number().int().positive();

export default defineFixAction({
  action: 'consolidate-node-pools',
  params: z.object({
    ...clusterScope,
    keep: name,
    newPoolMachineType: name.optional(),
    newPoolNodes: count.optional(),
    minNodes: z.number().int().nonnegative().optional(),
    maxNodes: count.optional(),
    retire: z.array(name).min(1),
  }),
  order: 133,
  functions: [],
  summary: 'Leave install_asm 1.6 one node pool to count (TODO)',
  title: (p) =>
    `Keep node pool ${p.keep} as the only one install_asm 1.6 counts; retire ${p.retire.join(', ')}`,
  steps: ([p]) => {
    if (!p) return [];
    const scope = gcloudScope(p);
    const prepare = p.newPoolMachineType
      ? [
          'gcloud',
          'container',
          'node-pools',
          'create',
          p.keep,
          '--cluster',
          p.cluster,
          '--machine-type',
          p.newPoolMachineType,
          '--num-nodes',
          String(p.newPoolNodes ?? 1),
          ...scope,
        ]
      : p.maxNodes !== undefined
        ? [
            'gcloud',
            'container',
            'clusters',
            'update',
            p.cluster,
            '--node-pool',
            p.keep,
            '--enable-autoscaling',
            '--min-nodes',
            String(p.minNodes ?? 0),
            '--max-nodes',
            String(p.maxNodes),
            ...scope,
          ]
        : undefined;
    return [
      {
        kind: 'comment',
        text: 'Human decision: install_asm 1.6 passes only when exactly one node pool has a machine type whose',
        once: true,
      },
      {
        kind: 'comment',
        text: 'name ends in a number of 4 or more, and no pool ends in text it cannot multiply (e2-medium passes',
        once: true,
      },
      {
        kind: 'comment',
        text: 'its filter as text, then stops it). Retiring pools reschedules their pods onto the one kept.',
        once: true,
      },
      {
        kind: 'comment',
        text: 'ASM 1.7 has no such limit: its install_asm takes the largest pool (scan with --target asm-1.7),',
        once: true,
      },
      {
        kind: 'comment',
        text: 'and the guide recommends 1.7.',
        once: true,
      },
      {
        kind: 'comment',
        text: 'kubectl drain --delete-local-data: the flag of a kubectl matching a 1.17/1.18 master (1.20 renamed it).',
        once: true,
      },
      {
        kind: 'todo',
        text: `Keep only node pool ${p.keep} for install_asm 1.6: move the workloads off ${p.retire.join(', ')}, then delete ${p.retire.length === 1 ? 'it' : 'them'}`,
        commands: [
          ...(prepare ? [{ argv: prepare }] : []),
          ...p.retire.flatMap((pool) => {
            const selector = `cloud.google.com/gke-nodepool=${pool}`;
            return [
              { argv: ['kubectl', 'cordon', '-l', selector] },
              { argv: ['kubectl', 'drain', '-l', selector, '--ignore-daemonsets', '--delete-local-data'] },
              {
                argv: ['gcloud', 'container', 'node-pools', 'delete', pool, '--cluster', p.cluster, ...scope],
              },
            ];
          }),
        ],
      },
    ];
  },
});
