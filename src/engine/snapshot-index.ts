/**
 * Indexes and mesh facts over a snapshot, computed once on first use and shared by every rule
 * (kube-linter's prepared context), so each rule stays linear in the objects it reads.
 */

import { type IstioVersion, isPreIstio16, parseIstioVersion } from '../istio/version.ts';
import type {
  ClusterSnapshot,
  IstioOperator,
  KubeObject,
  Namespace,
  OwnerReference,
  Pod,
  SnapshotPart,
  Workload,
} from '../snapshot/model.ts';
import { PART_LABELS } from '../snapshot/model.ts';
import { groupBy } from './group-by.ts';

export const ISTIO_SYSTEM = 'istio-system';
export const REVISION_LABEL = 'istio.io/rev';
export const INJECTION_LABEL = 'istio-injection';

export interface IstiodRevision {
  readonly revision: string;
  readonly ready: boolean;
  /** The image tag of istiod's discovery container, e.g. 1.6.11-gke.0. */
  readonly version: string | undefined;
}

/** The sidecar container the injector adds, and the proxy container of gateway pods. */
export const PROXY_CONTAINER = 'istio-proxy';
/** The `app` label of the ingress gateway pods (add-on and operator alike). */
export const INGRESS_GATEWAY_APP = 'istio-ingressgateway';
/** The label GKE puts on every node with the name of its node pool. */
export const NODE_POOL_LABEL = 'cloud.google.com/gke-nodepool';

/** What owns a pod, for one remedy per workload: a Deployment, StatefulSet, DaemonSet, other controller, or the pod itself. */
export interface WorkloadRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The owning object when the snapshot holds it (for its origin). */
  readonly object: KubeObject | undefined;
}

/** A running pod with an Envoy proxy, and the version its image tag says. */
export interface MeshProxy {
  readonly pod: Pod;
  readonly image: string | undefined;
  /** Undefined when the image has no tag that reads as an Istio version. */
  readonly version: IstioVersion | undefined;
}

/** Proxies still on the add-on's 1.4 control plane (image before 1.6), and those whose version cannot be read. */
export interface ProxiesOn14 {
  readonly sidecars: readonly MeshProxy[];
  readonly gateways: readonly MeshProxy[];
  readonly unreadable: readonly MeshProxy[];
}

/** The control plane proxies should run: a ready istiod revision and its version. */
export interface CurrentControlPlane {
  readonly revision: string;
  /** The istiod image tag, undefined when istiod's image has none. */
  readonly versionText: string | undefined;
  /** Undefined when the tag is not an Istio version. */
  readonly version: IstioVersion | undefined;
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
   * Deployments and pods (the upgrade guide: `kubectl -n istio-system get pods -lapp=istiod --show-labels`).
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

  /**
   * The ready istiod revision proxies should move to (see preferredRevision) with its version,
   * or undefined when no revision is ready.
   */
  currentControlPlane(asm: boolean): CurrentControlPlane | undefined {
    const revisions = this.istiodRevisions();
    const revision = preferredRevision(revisions, asm);
    const versionText = revisions.find((r) => r.revision === revision)?.version;
    if (revision === undefined) return undefined;
    return {
      revision,
      versionText,
      version: versionText === undefined ? undefined : parseIstioVersion(versionText),
    };
  }

  /** The newest ready istiod revision that is (or is not) an `asm-*` one. */
  private newestReadyRevision(asm: boolean): string | undefined {
    return this.istiodRevisions()
      .filter((r) => r.ready && isAsmRevision(r.revision) === asm)
      .map((r) => r.revision)
      .sort(compareRevisionNames)
      .at(-1);
  }

  /** The newest ready `asm-*` istiod revision: ASM counts as installed once there is one. */
  readonly readyAsmRevision = lazy((): string | undefined => this.newestReadyRevision(true));

  /**
   * The revision of the operator's 1.6 control plane (e.g. `istio-1611`): the `spec.revision` of
   * the IstioOperator in istio-system, else the newest ready istiod revision that is not `asm-*`.
   */
  readonly operatorRevision = lazy((): string | undefined => {
    const fromOperator = this.controlPlaneOperators()
      .map((op) => op.revision)
      .find((r) => r !== undefined && r !== '');
    if (fromOperator) return fromOperator;
    return this.newestReadyRevision(false);
  });

  /**
   * The IstioOperators that configure the 1.6 control plane: those in istio-system, without the
   * `installed-state*` copies `istioctl install` stores of what it installed.
   */
  readonly controlPlaneOperators = lazy((): IstioOperator[] =>
    this.snapshot.kube.istiooperators.filter(
      (op) => op.metadata.namespace === ISTIO_SYSTEM && !op.metadata.name.startsWith('installed-state'),
    ),
  );

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

  /**
   * Every running or pending pod outside istio-system with an `istio-proxy` container: the
   * workloads' sidecars. istio-system holds the control plane and the gateways, which other
   * rules look at.
   */
  readonly meshProxies = lazy((): MeshProxy[] =>
    this.snapshot.kube.pods
      .filter((pod) => pod.metadata.namespace !== ISTIO_SYSTEM && isLive(pod))
      .flatMap((pod) => {
        const proxy = pod.containers.find((c) => c.name === PROXY_CONTAINER);
        return proxy ? [meshProxy(pod, proxy.image)] : [];
      }),
  );

  /** Running or pending ingress gateway pods (app=istio-ingressgateway) in istio-system. */
  readonly ingressGatewayPods = lazy((): MeshProxy[] =>
    (this.podsByNamespace().get(ISTIO_SYSTEM) ?? [])
      .filter((pod) => pod.metadata.labels?.app === INGRESS_GATEWAY_APP && isLive(pod))
      .map(gatewayProxy),
  );

  /**
   * Which pods still run a 1.4 proxy, shared by sidecar-proxy-version and
   * old-control-plane-scaledown: sidecars and gateway pods whose image is older than 1.6.
   */
  readonly proxiesOn14 = lazy((): ProxiesOn14 => {
    const sidecars = this.meshProxies();
    const gateways = this.ingressGatewayPods();
    const isOld = (proxy: MeshProxy) => proxy.version !== undefined && isPreIstio16(proxy.version);
    return {
      sidecars: sidecars.filter(isOld),
      gateways: gateways.filter(isOld),
      unreadable: [...sidecars, ...gateways].filter((proxy) => proxy.version === undefined),
    };
  });
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

/** Pods that still run: completed Job pods and evicted pods keep their old image but no proxy runs. */
/** Whether a pod is running or pending (not finished). */
export function isLive(pod: Pod): boolean {
  return pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
}

function meshProxy(pod: Pod, image: string | undefined): MeshProxy {
  const tag = imageTag(image);
  return { pod, image, version: tag === undefined ? undefined : parseIstioVersion(tag) };
}

/** A gateway pod's proxy: its istio-proxy container, else its only one (the 1.4 gateway's). */
export function gatewayProxy(pod: Pod): MeshProxy {
  const proxy = pod.containers.find((c) => c.name === PROXY_CONTAINER) ?? pod.containers[0];
  return meshProxy(pod, proxy?.image);
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
  const asmRevisions = ready.filter((r) => isAsmRevision(r.revision));
  const candidates =
    asm && asmRevisions.length > 0 ? asmRevisions : ready.filter((r) => !isAsmRevision(r.revision));
  const pool = candidates.length > 0 ? candidates : ready;
  return pool
    .map((r) => r.revision)
    .sort(compareRevisionNames)
    .at(-1);
}

/** install_asm names the revisions it installs `asm-<version>` (e.g. `asm-173-6`); the operator's are `istio-*`. */
export function isAsmRevision(revision: string): boolean {
  return revision.startsWith('asm-');
}

/** Orders revision names so that istio-1611 comes after istio-163 (numeric parts compare as numbers). */
export function compareRevisionNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
