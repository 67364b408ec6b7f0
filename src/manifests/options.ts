/**
 * What `meshready manifests` takes, checked before anything is generated: every value ends up
 * in YAML a cluster admin applies, so each one must be exactly the kind of value it claims to be.
 */
import type { Severity, Target } from '../engine/vocabulary.ts';

export interface KubeMinorVersion {
  readonly major: number;
  readonly minor: number;
}

export interface InClusterOptions {
  readonly namespace: string;
  /** Print the Namespace object too (off when deploying into an existing namespace). */
  readonly createNamespace: boolean;
  readonly image: string;
  readonly schedule: string;
  /** The cluster's Kubernetes version: picks the CronJob API and how seccomp is requested. */
  readonly kubeVersion: KubeMinorVersion;
  /** Google service account for Workload Identity (iam.gke.io/gcp-service-account). */
  readonly gcpServiceAccount?: string | undefined;
  readonly project?: string | undefined;
  readonly location?: string | undefined;
  readonly cluster?: string | undefined;
  readonly target?: Target | undefined;
  readonly failOn?: Severity | 'never' | undefined;
  /** An existing PersistentVolumeClaim the reports are written to. */
  readonly outputClaim?: string | undefined;
  /** meshready.yaml contents, shipped in a ConfigMap and passed with --config. */
  readonly configText?: string | undefined;
}

export const DEFAULT_NAMESPACE = 'meshready';
/** Nightly, at an hour when few people change clusters. */
export const DEFAULT_SCHEDULE = '0 2 * * *';
/**
 * The oldest Kubernetes this migration meets: GKE 1.16 masters still ran the Istio add-on.
 * batch/v1beta1 CronJobs and the seccomp annotation work from 1.16 to 1.24.
 */
export const DEFAULT_KUBE_VERSION = '1.16';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** repo[:tag][@digest], no spaces or shell characters. */
const IMAGE = /^[a-z0-9]+([._\-/:][a-zA-Z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const GCP_SERVICE_ACCOUNT =
  /^[a-z]([-a-z0-9]{4,28}[a-z0-9])@[a-z0-9][-a-z0-9.:]*\.iam\.gserviceaccount\.com$/;
const GCP_NAME = /^[a-z0-9][-a-z0-9.:]{0,98}[a-z0-9]$/;
const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const CRON_FIELD = /^[\d*?/,\-A-Za-z]+$/;

export function parseKubeVersion(text: string): KubeMinorVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(\.\d+)?([-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** batch/v1 CronJob is served from Kubernetes 1.21; batch/v1beta1 until 1.24. */
export function cronJobApiVersion(version: KubeMinorVersion): 'batch/v1' | 'batch/v1beta1' {
  return version.major > 1 || version.minor >= 21 ? 'batch/v1' : 'batch/v1beta1';
}

/** securityContext.seccompProfile exists from 1.19; before, only the pod annotation works. */
export function hasSeccompField(version: KubeMinorVersion): boolean {
  return version.major > 1 || version.minor >= 19;
}

export function isCronSchedule(schedule: string): boolean {
  const text = schedule.trim();
  if (CRON_MACROS.includes(text)) return true;
  const fields = text.split(/\s+/);
  return fields.length === 5 && fields.every((field) => CRON_FIELD.test(field));
}

/** Every problem with the options, as messages naming the flag; empty when all is well. */
export function optionProblems(options: InClusterOptions): string[] {
  const problems: string[] = [];
  if (!DNS_LABEL.test(options.namespace))
    problems.push(`--namespace "${options.namespace}" is not a valid namespace name`);
  if (!IMAGE.test(options.image))
    problems.push(`--image "${options.image}" is not an image reference (e.g. registry/meshready:0.1.0)`);
  if (!isCronSchedule(options.schedule))
    problems.push(`--schedule "${options.schedule}" is not a cron schedule (five fields, e.g. "0 2 * * *")`);
  if (options.gcpServiceAccount !== undefined && !GCP_SERVICE_ACCOUNT.test(options.gcpServiceAccount)) {
    problems.push(
      `--gcp-service-account "${options.gcpServiceAccount}" is not a Google service account (NAME@PROJECT.iam.gserviceaccount.com)`,
    );
  }
  for (const [flag, value] of [
    ['--project', options.project],
    ['--location', options.location],
    ['--cluster', options.cluster],
  ] as const) {
    if (value !== undefined && !GCP_NAME.test(value)) problems.push(`${flag} "${value}" is not a valid name`);
  }
  if (options.outputClaim !== undefined && !DNS_SUBDOMAIN.test(options.outputClaim)) {
    problems.push(`--output-claim "${options.outputClaim}" is not a valid PersistentVolumeClaim name`);
  }
  return problems;
}
