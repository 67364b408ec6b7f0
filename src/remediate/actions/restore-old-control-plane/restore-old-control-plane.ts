/**
 * old-control-plane-scaledown, urgent: the 1.4 control plane was scaled down while 1.4 proxies or
 * gateway pods still run (SPEC §3). Scale istio-pilot and istio-citadel back to 1 replica first
 * thing: the bash function checks again that a 1.4 proxy still needs them and that they are at 0.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';

/** The Deployments of every finding, each once. */
function deploymentsOf(group: readonly { readonly deployments: readonly string[] }[]): string[] {
  return [...new Set(group.flatMap((p) => p.deployments))];
}

export default defineFixAction({
  action: 'restore-old-control-plane',
  params: z.object({ deployments: z.array(z.string()).min(1) }),
  // First in its phase: 1.4 proxies are without their control plane now.
  order: 35,
  functions: ['restore_old_control_plane'],
  summary: 'Scale the 1.4 control plane back up: 1.4 proxies still depend on it (urgent)',
  title: () =>
    'Scale the 1.4 istio-pilot and istio-citadel back to 1 replica: 1.4 proxies and gateways still depend on them',
  group: () => 'all',
  resource: (group) => `Deployments istio-system/${deploymentsOf(group).join(',')}`,
  steps: (group) => {
    const deployments = deploymentsOf(group);
    return [
      {
        kind: 'call',
        fn: 'restore_old_control_plane',
        args: deployments,
        shows: [
          {
            kind: 'run',
            argv: ['kubectl', 'scale', 'deployment', '-n', 'istio-system', '--replicas=1', ...deployments],
          },
        ],
      },
    ];
  },
});
