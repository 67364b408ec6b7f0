/**
 * The objects `meshready manifests` prints for a scheduled in-cluster scan: an optional
 * Namespace, a ServiceAccount, a read-only ClusterRole covering exactly what the collector lists
 * (collectorRbacRules: list only, no wildcard, never Secrets), its binding, a Role and RoleBinding
 * per namespace the collector reads on its own (ConfigMaps in istio-system), an optional ConfigMap with
 * meshready.yaml, and the CronJob. Plain objects, in the order `kubectl apply` needs them.
 */
import { collectorNamespacedRbacRules, collectorRbacRules } from '../collect/rbac.ts';
import { FORMATS } from '../report/formats.ts';
import { cronJobApiVersion, hasSeccompField, type InClusterOptions } from './options.ts';

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string };

export const NAMES = {
  serviceAccount: 'meshready',
  clusterRole: 'meshready-reader',
  configMap: 'meshready-config',
  cronJob: 'meshready-scan',
} as const;

/** The image's user (node:24-slim's `node`); the pod refuses to run as root regardless. */
export const RUN_AS_USER = 1000;
export const REPORTS_DIR = '/reports';
export const CONFIG_DIR = '/etc/meshready';
export const WORKLOAD_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';

const LABELS = { 'app.kubernetes.io/name': 'meshready', 'app.kubernetes.io/component': 'scanner' };

/** `meshready scan` as the CronJob runs it: one JSON line on stdout, nothing else. */
export function scanArguments(options: InClusterOptions): string[] {
  const args = ['scan', '--in-cluster', '--json', '--quiet'];
  if (options.target) args.push('--target', options.target);
  if (options.failOn) args.push('--fail-on', options.failOn);
  if (options.project) args.push('--project', options.project);
  if (options.location) args.push('--location', options.location);
  if (options.cluster) args.push('--cluster', options.cluster);
  if (options.configText !== undefined) args.push('--config', `${CONFIG_DIR}/meshready.yaml`);
  if (options.outputClaim) args.push('--output-dir', REPORTS_DIR, '--format', FORMATS.join(','));
  return args;
}

/**
 * IfNotPresent for an image pinned by digest or by a version tag; Always for `:latest` or no tag,
 * whose content changes under the same name (Kubernetes' own default for those).
 */
export function pullPolicyFor(image: string): 'IfNotPresent' | 'Always' {
  if (image.includes('@sha256:')) return 'IfNotPresent';
  const tag = /:([\w][\w.-]*)$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function cronJob(options: InClusterOptions): Manifest {
  const seccompField = hasSeccompField(options.kubeVersion);
  const runtimeDefault = { seccompProfile: { type: 'RuntimeDefault' } };
  const volumeMounts: Record<string, unknown>[] = [{ name: 'tmp', mountPath: '/tmp' }];
  const volumes: Record<string, unknown>[] = [{ name: 'tmp', emptyDir: {} }];
  if (options.configText !== undefined) {
    volumeMounts.push({ name: 'config', mountPath: CONFIG_DIR, readOnly: true });
    volumes.push({ name: 'config', configMap: { name: NAMES.configMap } });
  }
  if (options.outputClaim) {
    volumeMounts.push({ name: 'reports', mountPath: REPORTS_DIR });
    volumes.push({ name: 'reports', persistentVolumeClaim: { claimName: options.outputClaim } });
  }
  const podAnnotations: Record<string, string> = {
    // A sidecar would keep the Job's pod running after the scan ends.
    'sidecar.istio.io/inject': 'false',
    ...(seccompField ? {} : { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' }),
  };
  return {
    apiVersion: cronJobApiVersion(options.kubeVersion),
    kind: 'CronJob',
    metadata: { name: NAMES.cronJob, namespace: options.namespace, labels: LABELS },
    spec: {
      schedule: options.schedule,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: LABELS },
        spec: {
          // Exit 1 means findings, not a crash: running the scan again would not change them.
          backoffLimit: 0,
          activeDeadlineSeconds: 1800,
          template: {
            metadata: { labels: LABELS, annotations: podAnnotations },
            spec: {
              serviceAccountName: NAMES.serviceAccount,
              automountServiceAccountToken: true,
              restartPolicy: 'Never',
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS_USER,
                runAsGroup: RUN_AS_USER,
                ...(options.outputClaim ? { fsGroup: RUN_AS_USER } : {}),
                ...(seccompField ? runtimeDefault : {}),
              },
              containers: [
                {
                  name: 'meshready',
                  image: options.image,
                  imagePullPolicy: pullPolicyFor(options.image),
                  command: ['meshready'],
                  args: scanArguments(options),
                  resources: {
                    requests: { cpu: '100m', memory: '256Mi' },
                    limits: { cpu: '1', memory: '1Gi' },
                  },
                  securityContext: {
                    runAsNonRoot: true,
                    privileged: false,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                    ...(seccompField ? runtimeDefault : {}),
                  },
                  volumeMounts,
                },
              ],
              volumes,
            },
          },
        },
      },
    },
  };
}

export function inClusterManifests(options: InClusterOptions): Manifest[] {
  const { namespace } = options;
  const manifests: Manifest[] = [];
  if (options.createNamespace) {
    manifests.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      // No sidecar injection here: the scanner talks only to the API servers.
      metadata: { name: namespace, labels: { ...LABELS, 'istio-injection': 'disabled' } },
    });
  }
  manifests.push({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: NAMES.serviceAccount,
      namespace,
      labels: LABELS,
      ...(options.gcpServiceAccount
        ? { annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: options.gcpServiceAccount } }
        : {}),
    },
  });
  manifests.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: NAMES.clusterRole, labels: LABELS },
    rules: collectorRbacRules(),
  });
  manifests.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: NAMES.clusterRole, labels: LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAMES.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: NAMES.serviceAccount, namespace }],
  });
  for (const [roleNamespace, rules] of collectorNamespacedRbacRules()) {
    const metadata = { name: NAMES.clusterRole, namespace: roleNamespace, labels: LABELS };
    manifests.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules });
    manifests.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMES.clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: NAMES.serviceAccount, namespace }],
    });
  }
  if (options.configText !== undefined) {
    manifests.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: NAMES.configMap, namespace, labels: LABELS },
      data: { 'meshready.yaml': options.configText },
    });
  }
  manifests.push(cronJob(options));
  return manifests;
}
