/**
 * gke-upgrade-cr-deletion: back up the custom resources of istio-system before the master
 * upgrade, which on affected versions deletes them. The upgrade itself is upgrade-master's step,
 * to the highest version proposed.
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../../step.ts';
import { clusterScope, name, untilMasterUpgraded } from '../common.ts';

/** The names of the namespaced custom resource definitions, space-separated. */
export const NAMESPACED_CRDS_JSONPATH =
  'jsonpath={range .items[?(@.spec.scope=="Namespaced")]}{.metadata.name}{" "}{end}';

export default defineFixAction({
  action: 'backup-istio-system-crs',
  /** `resources` are `kubectl get` resource names; `objects` are `Kind/name` for display. */
  params: z.object({
    ...clusterScope,
    version: name,
    resources: z.array(z.string()),
    objects: z.array(z.string()),
  }),
  order: 10,
  functions: ['backup_namespaced_custom_resources'],
  summary: 'Back up the custom resources in istio-system',
  title: () => 'Back up the custom resources in istio-system before the master upgrade',
  steps: ([p], context) => {
    if (!p) return [];
    return [
      {
        kind: 'comment',
        text: 'Upgrading a 1.16 master to 1.17 before 1.17.12-gke.1501, or to 1.18 before 1.18.9-gke.1501,',
        once: true,
      },
      {
        kind: 'comment',
        text: 'deletes the custom resources created in istio-system. The scan found:',
        once: true,
      },
      ...p.objects.map((object): Step => ({ kind: 'comment', text: `  ${object}` })),
      ...untilMasterUpgraded(context),
      ...(p.resources.length > 0
        ? [
            {
              kind: 'note',
              text: 'Keep these copies: an upgrade to an affected version deletes custom resources in istio-system.',
            } as const,
            ...p.resources.map(
              (resource): Step => ({
                kind: 'backup',
                file: context.backup('istio-system', resource),
                argv: ['kubectl', 'get', resource, '-n', 'istio-system', '-o', 'yaml'],
              }),
            ),
          ]
        : [{ kind: 'note', text: 'The scan listed no custom resource types in istio-system.' } as const]),
      // Kinds the scan did not list (BackendConfig, ManagedCertificate, cert-manager, ...) too.
      {
        kind: 'call',
        fn: 'backup_namespaced_custom_resources',
        args: [context.backup('istio-system', 'every-namespaced-kind')],
        shows: [
          {
            kind: 'check',
            argv: ['kubectl', 'get', 'customresourcedefinitions', '-o', NAMESPACED_CRDS_JSONPATH],
          },
        ],
      },
    ];
  },
});
