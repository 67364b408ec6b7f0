/**
 * Inside a GKE pod (`--in-cluster`), the cluster's project, name and location can be read from
 * the metadata server, which the GKE metadata server of Workload Identity serves too. So the
 * CronJob needs no --project/--location/--cluster. Read-only GETs with a short timeout; any
 * failure just leaves the value unknown (the flags still win, and the reason names them).
 */
import type { GkeTarget } from './gke.ts';

const METADATA_PATHS: Readonly<Record<keyof GkeTarget, string>> = {
  project: 'project/project-id',
  cluster: 'instance/attributes/cluster-name',
  location: 'instance/attributes/cluster-location',
};

const TIMEOUT_MS = 2_000;

async function metadataValue(host: string, path: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://${host}/computeMetadata/v1/${path}`, {
      headers: { 'Metadata-Flavor': 'Google' },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    // A real metadata server always answers with this header; anything else is not one.
    if (!response.ok || response.headers.get('metadata-flavor') !== 'Google') return undefined;
    const value = (await response.text()).trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/** What the metadata server says about the cluster this pod runs in (GCE_METADATA_HOST overrides the host). */
export async function gkeTargetFromMetadata(
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs = TIMEOUT_MS,
): Promise<Partial<GkeTarget>> {
  const host = env.GCE_METADATA_HOST || 'metadata.google.internal';
  const entries = await Promise.all(
    (Object.keys(METADATA_PATHS) as (keyof GkeTarget)[]).map(
      async (key) => [key, await metadataValue(host, METADATA_PATHS[key], timeoutMs)] as const,
    ),
  );
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}
