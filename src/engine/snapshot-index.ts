/**
 * Generic Kubernetes indexes over a snapshot, computed once on first use and shared by every rule
 * (kube-linter's prepared context), so each rule stays linear in the objects it reads. Domain
 * queries (src/istio's MeshIndex) are views built over this index and kept by it, so they too are
 * built once per scan while the engine knows nothing of them.
 */
import type {
  ClusterSnapshot,
  KubeObject,
  Namespace,
  OwnerReference,
  Pod,
  SnapshotPart,
} from '../snapshot/model.ts';
import { PART_LABELS } from '../snapshot/model.ts';

/** What owns a pod, for one remedy per workload: a Deployment, StatefulSet, DaemonSet, other controller, or the pod itself. */
export interface WorkloadRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The owning object when the snapshot holds it (for its origin). */
  readonly object: KubeObject | undefined;
}

/** Builds a domain view over the generic index; the index keeps one per builder (see SnapshotIndex.view). */
export type IndexView<T> = (index: SnapshotIndex) => T;

/** A value computed on first call and then remembered. */
export function lazy<T>(compute: () => T): () => T {
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

/** The tag of an image reference (`repo/name:tag@digest` -> tag), if any. */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const at = image.indexOf('@');
  const withoutDigest = at < 0 ? image : image.slice(0, at);
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : withoutDigest.slice(colon + 1) || undefined;
}

export class SnapshotIndex {
  readonly snapshot: ClusterSnapshot;
  private readonly views = new Map<IndexView<unknown>, unknown>();

  constructor(snapshot: ClusterSnapshot) {
    this.snapshot = snapshot;
  }

  /**
   * The view `build` makes of this index, built on first use and then the same object for every
   * rule of the scan: how domain folders add their cached queries without the engine knowing them.
   */
  view<T>(build: IndexView<T>): T {
    if (!this.views.has(build)) this.views.set(build, build(this));
    return this.views.get(build) as T;
  }

  /** Why a part is missing, or undefined when it was collected. */
  missing(part: SnapshotPart): string | undefined {
    const coverage = this.snapshot.coverage[part];
    return coverage.collected ? undefined : `${PART_LABELS[part]} not collected: ${coverage.reason}`;
  }

  readonly namespacesByName = lazy(
    () => new Map<string, Namespace>(this.snapshot.kube.namespaces.map((ns) => [ns.metadata.name, ns])),
  );

  readonly podsByNamespace = lazy(() =>
    Map.groupBy(this.snapshot.kube.pods, (pod) => pod.metadata.namespace ?? ''),
  );

  readonly deploymentsByNamespace = lazy(() =>
    Map.groupBy(this.snapshot.kube.deployments, (d) => d.metadata.namespace ?? ''),
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

  /** ReplicaSets, Deployments, StatefulSets and DaemonSets by kind, namespace and name (owner fallback without uids). */
  private readonly controllersByName = lazy(() => {
    const byName = new Map<string, KubeObject>();
    const { replicasets, deployments, statefulsets, daemonsets } = this.snapshot.kube;
    for (const objects of [replicasets, deployments, statefulsets, daemonsets]) {
      for (const object of objects) {
        byName.set(controllerKey(object.kind, object.metadata.namespace ?? '', object.metadata.name), object);
      }
    }
    return byName;
  });

  private resolveOwner(reference: OwnerReference, namespace: string): KubeObject | undefined {
    const byUid = reference.uid ? this.objectsByUid().get(reference.uid) : undefined;
    return byUid ?? this.controllersByName().get(controllerKey(reference.kind, namespace, reference.name));
  }

  /**
   * The workload a pod belongs to: Pod -> ReplicaSet -> Deployment, Pod -> StatefulSet or
   * DaemonSet, any other controller as itself, and a bare pod as the pod. Owners are matched by
   * uid, then by kind and name. When the ReplicaSet is not in the snapshot, a Deployment named
   * like the ReplicaSet minus the pod's `pod-template-hash` is its owner.
   */
  workloadOf(pod: Pod): WorkloadRef {
    const namespace = pod.metadata.namespace ?? '';
    const reference = controllerReference(pod.metadata.ownerReferences);
    if (!reference) {
      return { apiVersion: pod.apiVersion, kind: pod.kind, namespace, name: pod.metadata.name, object: pod };
    }
    const owner = this.resolveOwner(reference, namespace);
    if (reference.kind === 'ReplicaSet') {
      const deployment = owner
        ? this.deploymentOwning(owner, namespace)
        : this.deploymentByTemplateHash(pod, reference.name, namespace);
      if (deployment) return deployment;
    }
    return owner ? refOf(owner, namespace) : referenceOnly(reference, namespace);
  }

  private deploymentOwning(replicaSet: KubeObject, namespace: string): WorkloadRef | undefined {
    const reference = controllerReference(replicaSet.metadata.ownerReferences);
    if (reference?.kind !== 'Deployment') return undefined;
    const deployment = this.resolveOwner(reference, namespace);
    return deployment ? refOf(deployment, namespace) : referenceOnly(reference, namespace);
  }

  private deploymentByTemplateHash(
    pod: Pod,
    replicaSetName: string,
    namespace: string,
  ): WorkloadRef | undefined {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (!hash || !replicaSetName.endsWith(`-${hash}`)) return undefined;
    const name = replicaSetName.slice(0, -hash.length - 1);
    const deployment = this.controllersByName().get(controllerKey('Deployment', namespace, name));
    return deployment ? refOf(deployment, namespace) : undefined;
  }
}

function controllerKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

/** The managing controller of an object: the reference marked controller, else the only one. */
function controllerReference(references: readonly OwnerReference[] | undefined): OwnerReference | undefined {
  if (!references || references.length === 0) return undefined;
  return (
    references.find((r) => r.controller === true) ?? (references.length === 1 ? references[0] : undefined)
  );
}

function refOf(object: KubeObject, namespace: string): WorkloadRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace ?? namespace,
    name: object.metadata.name,
    object,
  };
}

/** An owner the snapshot does not hold, known only from the reference to it. */
function referenceOnly(reference: OwnerReference, namespace: string): WorkloadRef {
  return {
    apiVersion: reference.apiVersion ?? 'apps/v1',
    kind: reference.kind,
    namespace,
    name: reference.name,
    object: undefined,
  };
}

/**
 * Whether a pod is running or pending (not finished): completed Job pods and evicted pods keep
 * their old image, but nothing runs in them.
 */
export function isLive(pod: Pod): boolean {
  return pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
}
