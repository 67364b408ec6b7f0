/**
 * A live, read-only collection: the Kubernetes API (through the kubeconfig context or the pod's
 * service account) and the GKE and Compute APIs, into the same ClusterSnapshot the offline loader
 * builds. Throws CollectError only when the Kubernetes API server cannot be used at all; anything
 * less is a partial snapshot whose missing parts carry their reason.
 */
import { TOOL_VERSION } from '../package-root.ts';
import { SnapshotBuilder } from '../snapshot/builder.ts';
import type { ClusterSnapshot } from '../snapshot/model.ts';
import { collectGoogle, resolveGkeTarget } from './gke.ts';
import { gkeTargetFromMetadata } from './gke-metadata.ts';
import { parseGoogleEndpoint } from './google-clients.ts';
import { KubeApi } from './kube-api.ts';
import { type KubeSourceOptions, loadKubeTarget } from './kubeconfig.ts';
import {
  collectKubernetes,
  discoverServedVersions,
  type KubeCollectTuning,
  type KubeProgress,
} from './kubernetes.ts';
import { DEFAULT_RETRY_POLICY } from './retry.ts';

export interface LiveSourceOptions extends KubeSourceOptions {
  readonly project?: string | undefined;
  readonly location?: string | undefined;
  readonly cluster?: string | undefined;
  readonly containerApiEndpoint?: string | undefined;
  readonly computeApiEndpoint?: string | undefined;
  /** Per-request deadline of every Kubernetes and Google API request (--request-timeout). */
  readonly requestTimeoutMs?: number | undefined;
}

export const DEFAULT_TUNING: KubeCollectTuning = {
  concurrency: 4,
  pageSize: 500,
  requestTimeoutMs: 30_000,
  retry: DEFAULT_RETRY_POLICY,
  maxListRestarts: 3,
  maxListObjects: 1_000_000,
};

export interface LiveProgress extends KubeProgress {
  readonly google: 'pending' | 'done';
}

export interface CollectRun {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly tuning?: Partial<KubeCollectTuning>;
  readonly onProgress?: (progress: LiveProgress) => void;
}

export async function collectLiveSnapshot(
  options: LiveSourceOptions,
  run: CollectRun,
): Promise<ClusterSnapshot> {
  const tuning: KubeCollectTuning = {
    ...DEFAULT_TUNING,
    ...run.tuning,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  };
  // Flags are checked before any request, so a typo is a usage error, not a half-done scan.
  const containerEndpoint =
    options.containerApiEndpoint === undefined
      ? undefined
      : parseGoogleEndpoint('--container-api-endpoint', options.containerApiEndpoint);
  const computeEndpoint =
    options.computeApiEndpoint === undefined
      ? undefined
      : parseGoogleEndpoint('--compute-api-endpoint', options.computeApiEndpoint);
  const kube = loadKubeTarget(options, run.env);
  let gkeTarget = resolveGkeTarget(options, kube.context);
  if ('missing' in gkeTarget && options.inCluster) {
    const fromMetadata = await gkeTargetFromMetadata(run.env);
    gkeTarget = resolveGkeTarget(
      {
        project: options.project ?? fromMetadata.project,
        location: options.location ?? fromMetadata.location,
        cluster: options.cluster ?? fromMetadata.cluster,
      },
      kube.context,
    );
  }
  const api = new KubeApi(kube.kubeConfig, {
    requestTimeoutMs: tuning.requestTimeoutMs,
    userAgent: `meshready/${TOOL_VERSION}`,
  });

  const builder = new SnapshotBuilder();
  builder.mergeIdentity({
    context: kube.context,
    ...('missing' in gkeTarget
      ? {}
      : { project: gkeTarget.project, location: gkeTarget.location, name: gkeTarget.cluster }),
  });

  // Discovery first: if the API server is unreachable or rejects us, nothing else is worth doing.
  const served = await discoverServedVersions(api, kube, tuning.retry, tuning.requestTimeoutMs);

  let kubeProgress: KubeProgress = { listsDone: 0, listsTotal: 0, objects: 0 };
  let google: LiveProgress['google'] = 'pending';
  const report = () => run.onProgress?.({ ...kubeProgress, google });
  await Promise.all([
    collectKubernetes(builder, api, served, tuning, (progress) => {
      kubeProgress = progress;
      report();
    }),
    collectGoogle(builder, {
      target: gkeTarget,
      containerEndpoint,
      computeEndpoint,
      requestTimeoutMs: tuning.requestTimeoutMs,
      retry: tuning.retry,
    }).then(() => {
      google = 'done';
      report();
    }),
  ]);

  const inputs = [`Kubernetes context ${kube.context} (${kube.server})`];
  if (!('missing' in gkeTarget)) {
    inputs.push(
      `GKE cluster projects/${gkeTarget.project}/locations/${gkeTarget.location}/clusters/${gkeTarget.cluster}`,
    );
  }
  return builder.build({
    source: { kind: 'live', inputs },
    missingReason: () => ({ collected: false, reason: 'not collected' }),
  });
}
