/**
 * old-control-plane-scaledown: scale the 1.4 Deployments to 0 (guide: turning off the old control
 * plane), only once no namespace selects the 1.4 injector, no pod runs a 1.4 proxy (a 1.4 ingress
 * gateway pod included, on every target) and the 1.4 galley webhook is gone, checked again at run time.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { OLD_MESH_GONE } from '../common.ts';

/** The Deployments of every finding, each once. */
function deploymentsOf(group: readonly { readonly deployments: readonly string[] }[]): string[] {
  return [...new Set(group.flatMap((p) => p.deployments))];
}

export default defineFixAction({
  action: 'scale-down-old-control-plane',
  params: z.object({ deployments: z.array(z.string()) }),
  order: 210,
  functions: ['scale_down_old_control_plane'],
  summary: 'Back up and scale the 1.4 control plane to 0 (only once no namespace or pod uses it)',
  title: () => 'Scale the 1.4 control plane down to 0 replicas (guide: turning off the old control plane)',
  /** Every finding asks for its Deployments: one step scales them all. */
  group: () => 'all',
  resource: (group) => `Deployments istio-system/${deploymentsOf(group).join(',')}`,
  steps: (group, context) => {
    const deployments = deploymentsOf(group);
    if (deployments.length === 0) return [];
    const file = context.backup('istio-system', 'old-control-plane-deployments');
    return [
      ...OLD_MESH_GONE,
      {
        kind: 'withhold-unless',
        check: 'galley-webhook-gone',
        says: 'the 1.4 galley webhook is gone',
        args: [],
      },
      {
        kind: 'call',
        fn: 'scale_down_old_control_plane',
        args: [file, ...deployments],
        shows: [
          {
            kind: 'backup',
            file,
            argv: ['kubectl', 'get', 'deployment', '-n', 'istio-system', ...deployments, '-o', 'yaml'],
          },
          {
            kind: 'run',
            argv: ['kubectl', 'scale', 'deployment', '-n', 'istio-system', '--replicas=0', ...deployments],
          },
        ],
      },
    ];
  },
});
