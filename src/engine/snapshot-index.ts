/**
 * Indexes and mesh facts over a snapshot, computed once on first use and shared by every rule
 * (kube-linter's prepared context), so each rule stays linear in the objects it reads.
 */
import type {
  ClusterSnapshot,
  KubeObject,
  Namespace,
  Pod,
  SnapshotPart,
  Workload,
} from '../snapshot/model.ts';
import { PART_LABELS } from '../snapshot/model.ts';

export const ISTIO_SYSTEM = 'istio-system';
export const REVISION_LABEL = 'istio.io/rev';
export const INJECTION_LABEL = 'istio-injection';

export interface IstiodRevision {
  readonly revision: string;
  readonly ready: boolean;
  /** The image tag of istiod's discovery container, e.g. 1.6.11-gke.0. */
  readonly version: string | undefined;
}

function lazy<T>(compute: () => T): () => T {
  let value: T;
  let done = false;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The tag of an image reference (`repo/name:tag@digest` -> tag), if any. */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : withoutDigest.slice(colon + 1) || undefined;
}

export class SnapshotIndex {
  readonly snapshot: ClusterSnapshot;

  constructor(snapshot: ClusterSnapshot) {
    this.snapshot = snapshot;
  }

  /** Why a part is missing, or undefined when it was collected. */
  missing(part: SnapshotPart): string | undefined {
    const coverage = this.snapshot.coverage[part];
    return coverage.collected ? undefined : `${PART_LABELS[part]} not collected: ${coverage.reason}`;
  }

  readonly namespacesByName = lazy(
    () => new Map<string, Namespace>(this.snapshot.kube.namespaces.map((ns) => [ns.metadata.name, ns])),
  );

  /** Whether istio-system exists. Reads Namespaces, falling back on objects found in it. */
  readonly istioSystemExists = lazy(
    () =>
      this.namespacesByName().has(ISTIO_SYSTEM) ||
      this.snapshot.kube.deployments.some((d) => d.metadata.namespace === ISTIO_SYSTEM),
  );

  readonly podsByNamespace = lazy(() =>
    groupBy(this.snapshot.kube.pods, (pod) => pod.metadata.namespace ?? ''),
  );

  readonly deploymentsByNamespace = lazy(() =>
    groupBy(this.snapshot.kube.deployments, (d) => d.metadata.namespace ?? ''),
  );

  /** Every object with a uid, by uid, for resolving ownerReferences. */
  readonly objectsByUid = lazy(() => {
    const byUid = new Map<string, KubeObject>();
    const { replicasets, deployments, statefulsets, daemonsets } = this.snapshot.kube;
    for (const objects of [replicasets, deployments, statefulsets, daemonsets]) {
      for (const object of objects) if (object.metadata.uid) byUid.set(object.metadata.uid, object);
    }
    return byUid;
  });

  /** istio-system pods and Deployments labelled app=istiod. */
  private readonly istiodObjects = lazy(() => {
    const isIstiod = (o: KubeObject) => o.metadata.labels?.app === 'istiod';
    return {
      pods: (this.podsByNamespace().get(ISTIO_SYSTEM) ?? []).filter(isIstiod) as Pod[],
      deployments: (this.deploymentsByNamespace().get(ISTIO_SYSTEM) ?? []).filter(isIstiod) as Workload[],
    };
  });

  /**
   * The istiod revisions running in istio-system, read from the `istio.io/rev` label of istiod
   * Deployments and pods (seed: `kubectl -n istio-system get pods -lapp=istiod --show-labels`).
   * A revision is ready when one of its pods is Ready or its Deployment reports ready replicas.
   */
  readonly istiodRevisions = lazy((): IstiodRevision[] => {
    const revisions = new Map<string, { ready: boolean; version: string | undefined }>();
    const note = (object: KubeObject, ready: boolean, image: string | undefined) => {
      const revision = object.metadata.labels?.[REVISION_LABEL];
      if (!revision) return;
      const known = revisions.get(revision);
      revisions.set(revision, {
        ready: (known?.ready ?? false) || ready,
        version: known?.version ?? imageTag(image),
      });
    };
    const { pods, deployments } = this.istiodObjects();
    for (const deployment of deployments) {
      note(deployment, (deployment.readyReplicas ?? 0) > 0, discoveryImage(deployment.containers));
    }
    for (const pod of pods) note(pod, pod.ready && pod.phase !== 'Failed', discoveryImage(pod.containers));
    return [...revisions]
      .map(([revision, facts]) => ({ revision, ...facts }))
      .sort((a, b) => a.revision.localeCompare(b.revision));
  });

  /** Why istiod revisions cannot be known, or undefined when they can. */
  istiodRevisionsUnknown(): string | undefined {
    const pods = this.missing('pods');
    const deployments = this.missing('deployments');
    return pods && deployments ? `${pods}; ${deployments}` : undefined;
  }
}

function discoveryImage(
  containers: readonly { name: string; image?: string | undefined }[],
): string | undefined {
  return (containers.find((c) => c.name === 'discovery') ?? containers[0])?.image;
}

/**
 * The revision namespaces should point at for a target: a ready asm-* revision for ASM targets
 * when one runs, otherwise the newest ready Istio revision; undefined when none is ready.
 */
export function preferredRevision(revisions: readonly IstiodRevision[], asm: boolean): string | undefined {
  const ready = revisions.filter((r) => r.ready);
  const asmRevisions = ready.filter((r) => r.revision.startsWith('asm-'));
  const candidates =
    asm && asmRevisions.length > 0 ? asmRevisions : ready.filter((r) => !r.revision.startsWith('asm-'));
  const pool = candidates.length > 0 ? candidates : ready;
  return pool
    .map((r) => r.revision)
    .sort(compareRevisionNames)
    .at(-1);
}

/** Orders revision names so that istio-1611 comes after istio-163 (numeric parts compare as numbers). */
export function compareRevisionNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
