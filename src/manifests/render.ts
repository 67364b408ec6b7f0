/**
 * The manifests as one multi-document YAML stream for `kubectl apply -f -`, with comments that
 * say how to use them. The comments hold only validated option values (names, never free text).
 */
import { Document } from 'yaml';
import { TOOL_VERSION } from '../package-root.ts';
import { type Manifest, NAMES, REPORTS_DIR, WORKLOAD_IDENTITY_ANNOTATION } from './in-cluster.ts';
import type { InClusterOptions } from './options.ts';

/** The permissions the Google APIs need (SPEC §2: one cluster get, firewall list, machine types). */
export const GCP_PERMISSIONS = [
  'container.clusters.get',
  'compute.firewalls.list',
  'compute.machineTypes.get',
];

/** The verbs the roles below grant, read from them, so the comment cannot claim more or less. */
function grantedVerbs(manifests: readonly Manifest[]): string {
  const verbs = new Set<string>();
  for (const manifest of manifests) {
    if (manifest.kind !== 'ClusterRole' && manifest.kind !== 'Role') continue;
    for (const rule of (manifest.rules ?? []) as { verbs?: string[] }[]) {
      for (const verb of rule.verbs ?? []) verbs.add(verb);
    }
  }
  return [...verbs].sort().join('/');
}

function header(options: InClusterOptions, manifests: readonly Manifest[]): string {
  const { namespace } = options;
  return [
    ` meshready ${TOOL_VERSION}: a scheduled, read-only readiness scan inside the cluster.`,
    '   meshready manifests ... | kubectl apply -f -',
    ` The ClusterRole and the Role grant only ${grantedVerbs(manifests)} on what the scanner reads,` +
      ' no wildcard, never Secrets.',
    ' Each run prints the JSON report as one line on stdout, for log pipelines:',
    `   kubectl -n ${namespace} logs job/<job name>      (kubectl -n ${namespace} get jobs)`,
    ' Exit code 1 (a failed Job) means findings at or above --fail-on, or a rule that gates the',
    ' migration could not be checked (UNKNOWN); 2 a configuration error;',
    ' 3 the scan could not reach an API. Jobs are not retried: the same scan gives the same result.',
    ...(options.outputClaim
      ? [
          ` The reports are also written to the PersistentVolumeClaim ${options.outputClaim} (${REPORTS_DIR}).`,
        ]
      : []),
  ].join('\n');
}

function workloadIdentityComment(options: InClusterOptions): string {
  const member = `serviceAccount:${options.project ?? 'PROJECT_ID'}.svc.id.goog[${options.namespace}/${NAMES.serviceAccount}]`;
  const account = options.gcpServiceAccount ?? 'GSA_NAME@PROJECT_ID.iam.gserviceaccount.com';
  return [
    ' GKE and Compute data (master version, Istio add-on, firewall, machine types) come from Google',
    ' APIs through Workload Identity: the cluster needs a workload pool and the node pool GKE_METADATA.',
    options.gcpServiceAccount
      ? ' The ServiceAccount below is annotated for it; let it act as the Google account:'
      : ` Annotate the ServiceAccount with ${WORKLOAD_IDENTITY_ANNOTATION}: ${account}\n` +
        ' (or rerun with --gcp-service-account) and let it act as the Google account:',
    `   gcloud iam service-accounts add-iam-policy-binding ${account} \\`,
    `     --role roles/iam.workloadIdentityUser --member "${member}"`,
    ` The Google account needs only ${GCP_PERMISSIONS.join(', ')}`,
    ' (a custom role, or roles/container.clusterViewer plus roles/compute.viewer).',
    ' Without it the Kubernetes part still runs and the GKE rules report "unknown".',
  ].join('\n');
}

export function renderManifests(manifests: readonly Manifest[], options: InClusterOptions): string {
  return manifests
    .map((manifest, index) => {
      // Shared objects (the labels) are written out in full, never as YAML anchors.
      const document = new Document(manifest, { aliasDuplicateObjects: false });
      const comments: string[] = [];
      if (index === 0) comments.push(header(options, manifests));
      if (manifest.kind === 'ServiceAccount') comments.push(workloadIdentityComment(options));
      if (comments.length > 0) document.commentBefore = comments.join('\n\n');
      return document.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
