/**
 * Reads the Google Cloud parts of a live snapshot: the GKE cluster (container v1beta1, the only
 * API that reports `addonsConfig.istioConfig`), the firewall rules of its network and the machine
 * types of its node pools (`guestCpus`).
 *
 * Nothing here stops a scan: missing credentials, a disabled API, a denied permission or an
 * unreachable endpoint leave these parts not collected with a reason, and the Kubernetes part
 * still runs (the rules that need Google data say `unknown`).
 */
import type { SnapshotBuilder } from '../snapshot/builder.ts';
import {
  isRecord,
  lastSegment,
  stripFirewall,
  stripGkeCluster,
  stripMachineType,
} from '../snapshot/strip.ts';
import {
  closeGoogleClients,
  type GoogleClients,
  type GoogleEndpoint,
  makeGoogleClients,
} from './google-clients.ts';
import { gkeClusterType, withoutProtoDefaults } from './proto-json.ts';
import { type RetryDecision, type RetryPolicy, withRetries } from './retry.ts';

type Raw = Record<string, unknown>;

export interface GkeTarget {
  readonly project: string;
  readonly location: string;
  readonly cluster: string;
}

/** gcloud names the contexts it writes `gke_PROJECT_LOCATION_CLUSTER`. */
export function gkeTargetFromContext(context: string): GkeTarget | undefined {
  const match = /^gke_([^_]+)_([^_]+)_(.+)$/.exec(context);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { project: match[1], location: match[2], cluster: match[3] };
}

/**
 * --project/--location/--cluster, each falling back on the context name. Returns the reason the
 * cluster is unknown when something is still missing.
 */
export function resolveGkeTarget(
  flags: { project?: string | undefined; location?: string | undefined; cluster?: string | undefined },
  context: string,
): GkeTarget | { readonly missing: string } {
  const fromContext = gkeTargetFromContext(context);
  const project = flags.project ?? fromContext?.project;
  const location = flags.location ?? fromContext?.location;
  const cluster = flags.cluster ?? fromContext?.cluster;
  if (project && location && cluster) return { project, location, cluster };
  const absent = [!project && '--project', !location && '--location', !cluster && '--cluster'].filter(
    Boolean,
  );
  return {
    missing: `the GKE cluster to read is unknown: give ${absent.join(', ')} (the context "${context}" is not named gke_PROJECT_LOCATION_CLUSTER)`,
  };
}

export interface GoogleCollectOptions {
  readonly target: GkeTarget | { readonly missing: string };
  readonly containerEndpoint?: GoogleEndpoint | undefined;
  readonly computeEndpoint?: GoogleEndpoint | undefined;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
}

// gRPC status codes that google-gax maps HTTP errors to.
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const INTERNAL = 13;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;
const DEADLINE_EXCEEDED = 4;

interface GoogleFailure {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly message: string;
}

function googleFailureOf(error: unknown): GoogleFailure {
  const value = (isRecord(error) ? error : {}) as { code?: unknown; reason?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: typeof value.code === 'number' ? value.code : undefined,
    reason: typeof value.reason === 'string' ? value.reason : undefined,
    // gax prefixes "<code> <STATUS>: "; keep the server's words.
    message: message.replace(/^\d+ [A-Z_]+: /, '').split('\n')[0] ?? message,
  };
}

/**
 * google-gax already retries UNAVAILABLE and DEADLINE_EXCEEDED for the GKE call; add throttling
 * (429) and internal errors (500), which it does not.
 */
function googleRetryDecision(error: unknown): RetryDecision {
  const { code } = googleFailureOf(error);
  return { retry: code === RESOURCE_EXHAUSTED || code === INTERNAL };
}

/** The Compute GETs go through no retrying client: retry all four. */
function computeRetryDecision(error: unknown): RetryDecision {
  const { code } = googleFailureOf(error);
  return {
    retry:
      code === RESOURCE_EXHAUSTED || code === INTERNAL || code === UNAVAILABLE || code === DEADLINE_EXCEEDED,
  };
}

function describeGoogleFailure(
  failure: GoogleFailure,
  call: { api: string; host: string; permission: string; resource: string; project: string },
): string {
  const disabled =
    failure.reason === 'SERVICE_DISABLED' ||
    /has not been used|is disabled|API has not been enabled/i.test(failure.message);
  if (disabled) return `the ${call.api} is disabled in project ${call.project}: ${failure.message}`;
  switch (failure.code) {
    case PERMISSION_DENIED:
      return `permission denied: ${call.permission} on ${call.resource} (${failure.message})`;
    case UNAUTHENTICATED:
      return `the Google credentials were rejected by the ${call.api} (${failure.message})`;
    case NOT_FOUND:
      return `${call.resource} was not found (${failure.message})`;
    case UNAVAILABLE:
    case DEADLINE_EXCEEDED:
      return `cannot reach the ${call.api} at ${call.host}: ${failure.message}`;
    default:
      return `reading ${call.resource} (${call.permission}) failed: ${failure.message}`;
  }
}

async function fetchCluster(
  clients: GoogleClients,
  target: GkeTarget,
  options: GoogleCollectOptions,
): Promise<{ raw: Raw } | { failed: string }> {
  const name = `projects/${target.project}/locations/${target.location}/clusters/${target.cluster}`;
  try {
    const [cluster] = await withRetries(
      () => clients.clusters.getCluster({ name }, { timeout: options.requestTimeoutMs }),
      googleRetryDecision,
      options.retry,
    );
    return { raw: withoutProtoDefaults(gkeClusterType(), cluster as unknown as Raw) };
  } catch (error) {
    return {
      failed: describeGoogleFailure(googleFailureOf(error), {
        api: 'Kubernetes Engine API (container.googleapis.com)',
        host: clients.containerHost,
        permission: 'container.clusters.get',
        resource: name,
        project: target.project,
      }),
    };
  }
}

/** The network the cluster's nodes use, and the project that owns it (the host project of a Shared VPC). */
function clusterNetwork(raw: Raw, project: string): { project: string; network: string } | undefined {
  const networkConfig = isRecord(raw.networkConfig) ? raw.networkConfig : {};
  const path = typeof networkConfig.network === 'string' ? networkConfig.network : undefined;
  const hostProject = path ? /projects\/([^/]+)\//.exec(path)?.[1] : undefined;
  const network = lastSegment(path) ?? (typeof raw.network === 'string' ? raw.network : undefined);
  return network ? { project: hostProject ?? project, network } : undefined;
}

async function fetchFirewalls(
  clients: GoogleClients,
  raw: Raw,
  target: GkeTarget,
  options: GoogleCollectOptions,
): Promise<{ rules: Raw[] } | { failed: string }> {
  const where = clusterNetwork(raw, target.project);
  if (!where) return { failed: 'the GKE cluster names no network' };
  // Compute list filters take an RE2 expression that must match the whole field.
  const filter = `network eq ".*/projects/${where.project}/global/networks/${where.network}"`;
  try {
    const rules = await withRetries(
      () => clients.compute.listFirewalls(where.project, filter, options.requestTimeoutMs),
      computeRetryDecision,
      options.retry,
    );
    return { rules };
  } catch (error) {
    return {
      failed: describeGoogleFailure(googleFailureOf(error), {
        api: 'Compute Engine API (compute.googleapis.com)',
        host: clients.computeHost,
        permission: 'compute.firewalls.list',
        resource: `projects/${where.project} (network ${where.network})`,
        project: where.project,
      }),
    };
  }
}

/** Each node pool machine type once, in the first zone the pool (or else the cluster) runs in. */
function machineTypesToRead(raw: Raw): { machineType: string; zone: string }[] {
  const clusterZones = Array.isArray(raw.locations)
    ? raw.locations.filter((z): z is string => typeof z === 'string')
    : [];
  const seen = new Map<string, { machineType: string; zone: string }>();
  for (const pool of Array.isArray(raw.nodePools) ? raw.nodePools.filter(isRecord) : []) {
    const config = isRecord(pool.config) ? pool.config : {};
    const machineType = typeof config.machineType === 'string' ? config.machineType : undefined;
    const poolZones = Array.isArray(pool.locations)
      ? pool.locations.filter((z): z is string => typeof z === 'string')
      : [];
    const zone = poolZones[0] ?? clusterZones[0];
    if (machineType && zone && !seen.has(machineType)) seen.set(machineType, { machineType, zone });
  }
  return [...seen.values()];
}

async function fetchMachineTypes(
  clients: GoogleClients,
  raw: Raw,
  target: GkeTarget,
  options: GoogleCollectOptions,
): Promise<{ types: Raw[]; notes: string[] } | { failed: string }> {
  const types: Raw[] = [];
  const notes: string[] = [];
  for (const { machineType, zone } of machineTypesToRead(raw)) {
    try {
      const type = await withRetries(
        () => clients.compute.getMachineType(target.project, zone, machineType, options.requestTimeoutMs),
        computeRetryDecision,
        options.retry,
      );
      types.push(type);
    } catch (error) {
      const failure = googleFailureOf(error);
      // An unknown type is not a collection failure: the vCPU rules fall back on Nodes and names.
      if (failure.code === NOT_FOUND) {
        notes.push(`machine type ${machineType} not found in ${zone}`);
        continue;
      }
      return {
        failed: describeGoogleFailure(failure, {
          api: 'Compute Engine API (compute.googleapis.com)',
          host: clients.computeHost,
          permission: 'compute.machineTypes.get',
          resource: `projects/${target.project}/zones/${zone}/machineTypes/${machineType}`,
          project: target.project,
        }),
      };
    }
  }
  return { types, notes };
}

const NEEDS_CLUSTER = 'it is read from the GKE cluster (network, node pools), which was not collected';

export async function collectGoogle(builder: SnapshotBuilder, options: GoogleCollectOptions): Promise<void> {
  const { target } = options;
  if ('missing' in target) {
    builder.setCoverage('gkeCluster', { collected: false, reason: target.missing });
    builder.setCoverage('firewalls', { collected: false, reason: target.missing });
    builder.setCoverage('machineTypes', { collected: false, reason: target.missing });
    return;
  }
  const made = await makeGoogleClients({
    container: options.containerEndpoint,
    compute: options.computeEndpoint,
  });
  const { clients } = made;
  try {
    if (made.containerCredentialsProblem) {
      builder.setCoverage('gkeCluster', { collected: false, reason: made.containerCredentialsProblem });
      builder.setCoverage('firewalls', { collected: false, reason: NEEDS_CLUSTER });
      builder.setCoverage('machineTypes', { collected: false, reason: NEEDS_CLUSTER });
      return;
    }
    const cluster = await fetchCluster(clients, target, options);
    if ('failed' in cluster) {
      builder.setCoverage('gkeCluster', { collected: false, reason: cluster.failed });
      builder.setCoverage('firewalls', { collected: false, reason: NEEDS_CLUSTER });
      builder.setCoverage('machineTypes', { collected: false, reason: NEEDS_CLUSTER });
      return;
    }
    builder.setGkeCluster(stripGkeCluster(cluster.raw), 'GKE API');
    if (made.computeCredentialsProblem) {
      builder.setCoverage('firewalls', { collected: false, reason: made.computeCredentialsProblem });
      builder.setCoverage('machineTypes', { collected: false, reason: made.computeCredentialsProblem });
      return;
    }
    const [firewalls, machineTypes] = await Promise.all([
      fetchFirewalls(clients, cluster.raw, target, options),
      fetchMachineTypes(clients, cluster.raw, target, options),
    ]);
    if ('failed' in firewalls)
      builder.setCoverage('firewalls', { collected: false, reason: firewalls.failed });
    else builder.addFirewalls(firewalls.rules.map((rule) => stripFirewall(rule)));
    if ('failed' in machineTypes) {
      builder.setCoverage('machineTypes', { collected: false, reason: machineTypes.failed });
    } else {
      builder.addMachineTypes(machineTypes.types.map((type) => stripMachineType(type)));
      if (machineTypes.notes.length > 0) {
        builder.setCoverage('machineTypes', { collected: true, note: machineTypes.notes.join('; ') });
      }
    }
  } finally {
    await closeGoogleClients(clients);
  }
}
