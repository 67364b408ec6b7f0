/** What several fix actions share: parameter shapes and how a gcloud command is scoped. */
import { z } from 'zod';
import type { Argv, CommandStep, PlanContext, Step } from '../step.ts';

export const name = z.string().min(1);
export const optionalText = z.string().optional();
/** Where a gcloud command must point: the cluster, its location and project when known. */
export const clusterScope = { cluster: name, location: optionalText, project: optionalText };

/** gcloud's `--location L --project P`, when known. */
export function gcloudScope(params: { readonly location?: string; readonly project?: string }): string[] {
  const scope: string[] = [];
  if (params.location) scope.push('--location', params.location);
  if (params.project) scope.push('--project', params.project);
  return scope;
}

/** kubectl's `-n NAMESPACE` for a namespaced object, nothing for a cluster-scoped one. */
export function namespaceArgs(namespace: string | undefined): string[] {
  return namespace ? ['-n', namespace] : [];
}

/** `kubectl get … -o yaml` of one object, for a backup or a TODO. */
export function getYaml(resource: string, namespace: string | undefined, objectName: string): Argv {
  return ['kubectl', 'get', resource, ...namespaceArgs(namespace), objectName, '-o', 'yaml'];
}

/** Back up an IstioOperator of istio-system, then patch it (`type`: json or merge). */
export function patchOperatorSteps(
  operator: string,
  file: string,
  type: 'json' | 'merge',
  patch: string,
): CommandStep[] {
  return [
    {
      kind: 'backup',
      file,
      argv: ['kubectl', 'get', 'istiooperator', '-n', 'istio-system', operator, '-o', 'yaml'],
    },
    {
      kind: 'run',
      argv: [
        'kubectl',
        'patch',
        'istiooperator',
        '-n',
        'istio-system',
        operator,
        `--type=${type}`,
        '-p',
        patch,
      ],
    },
  ];
}

/** A step that only matters before the master upgrade the phase plans: nothing to do once it is done. */
export function untilMasterUpgraded(context: PlanContext): Step[] {
  const upgrade = context.upgrade;
  return upgrade
    ? [
        {
          kind: 'done-unless',
          check: 'master-below',
          args: [upgrade.version, upgrade.cluster, ...upgrade.scope],
        },
      ]
    : [];
}

/**
 * What must hold before anything 1.4 needs is taken away (its control plane, its v1alpha1
 * policies): no namespace selects the 1.4 injector and no pod runs a 1.4 proxy, an ingress
 * gateway pod included. Checked again at run time; the step is withheld while either is false.
 */
export const OLD_MESH_GONE: readonly Step[] = [
  {
    kind: 'withhold-unless',
    check: 'no-namespace-on-old-injector',
    says: 'no namespace selects the 1.4 injector',
    args: [],
  },
  {
    kind: 'withhold-unless',
    check: 'no-pod-on-old-proxy',
    says: 'no pod runs a 1.4 proxy (workload or ingress gateway)',
    args: [],
  },
];
