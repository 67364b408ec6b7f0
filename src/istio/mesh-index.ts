/**
 * The Istio queries rules share: istiod revisions and readiness, the operator's and ASM's
 * revisions, the mesh's proxies and gateway pods. Built over the generic SnapshotIndex and kept by
 * it (`meshIndex(context.index)`), so each is computed once per scan however many rules ask.
 */
import { imageTag, isLive, lazy, type SnapshotIndex } from '../engine/snapshot-index.ts';
import type { IstioOperator, KubeObject, Pod, Workload } from '../snapshot/model.ts';
import { INGRESS_GATEWAY_APP, ISTIO_SYSTEM, PROXY_CONTAINER, REVISION_LABEL } from './names.ts';
import { proxyGeneration } from './proxies.ts';
import { compareRevisionNames, type IstiodRevision, isAsmRevision, preferredRevision } from './revisions.ts';
import { type IstioVersion, parseIstioVersion, sortedVersionTexts } from './version.ts';

/** A running pod with an Envoy proxy, and the version its image tag says. */
export interface MeshProxy {
  readonly pod: Pod;
  readonly image: string | undefined;
  /** Undefined when the image has no tag that reads as an Istio version. */
  readonly version: IstioVersion | undefined;
}

/** Proxies still on the add-on's 1.4 control plane (image before 1.6), and those that cannot be told. */
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

/** The Istio queries over a scan's index, the same object for every rule of that scan. */
export function meshIndex(index: SnapshotIndex): MeshIndex {
  return index.view(buildMeshIndex);
}

function buildMeshIndex(index: SnapshotIndex): MeshIndex {
  return new MeshIndex(index);
}

export class MeshIndex {
  private readonly index: SnapshotIndex;

  /** Use meshIndex(index), which builds one per scan; a second MeshIndex would compute everything again. */
  constructor(index: SnapshotIndex) {
    this.index = index;
  }

  /** Whether istio-system exists. Reads Namespaces, falling back on objects found in it. */
  readonly istioSystemExists = lazy(
    () =>
      this.index.namespacesByName().has(ISTIO_SYSTEM) ||
      this.index.snapshot.kube.deployments.some((d) => d.metadata.namespace === ISTIO_SYSTEM),
  );

  /** istio-system pods and Deployments labelled app=istiod. */
  private readonly istiodObjects = lazy(() => {
    const isIstiod = (o: KubeObject) => o.metadata.labels?.app === 'istiod';
    return {
      pods: (this.index.podsByNamespace().get(ISTIO_SYSTEM) ?? []).filter(isIstiod) as Pod[],
      deployments: (this.index.deploymentsByNamespace().get(ISTIO_SYSTEM) ?? []).filter(
        isIstiod,
      ) as Workload[],
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
    const pods = this.index.missing('pods');
    const deployments = this.index.missing('deployments');
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
    this.index.snapshot.kube.istiooperators.filter(
      (op) => op.metadata.namespace === ISTIO_SYSTEM && !op.metadata.name.startsWith('installed-state'),
    ),
  );

  /**
   * Every running or pending pod outside istio-system with an `istio-proxy` container: the
   * workloads' sidecars. istio-system holds the control plane and the gateways, which other
   * rules look at.
   */
  readonly meshProxies = lazy((): MeshProxy[] =>
    this.index.snapshot.kube.pods
      .filter((pod) => pod.metadata.namespace !== ISTIO_SYSTEM && isLive(pod))
      .flatMap((pod) => {
        const proxy = pod.containers.find((c) => c.name === PROXY_CONTAINER);
        return proxy ? [meshProxy(pod, proxy.image)] : [];
      }),
  );

  /** Running or pending ingress gateway pods (app=istio-ingressgateway) in istio-system. */
  readonly ingressGatewayPods = lazy((): MeshProxy[] =>
    (this.index.podsByNamespace().get(ISTIO_SYSTEM) ?? [])
      .filter((pod) => pod.metadata.labels?.app === INGRESS_GATEWAY_APP && isLive(pod))
      .map(gatewayProxy),
  );

  /**
   * Which pods still run a 1.4 proxy, shared by sidecar-proxy-version and
   * old-control-plane-scaledown: sidecars and gateway pods whose image is older than 1.6; and
   * those that cannot be told (no version in the tag, no `istio.io/rev` label): see ./proxies.ts,
   * whose test remediate.sh runs again before it scales the 1.4 control plane down.
   */
  readonly proxiesOn14 = lazy((): ProxiesOn14 => {
    const on14: { sidecars: MeshProxy[]; gateways: MeshProxy[]; unreadable: MeshProxy[] } = {
      sidecars: [],
      gateways: [],
      unreadable: [],
    };
    const sort = (proxies: readonly MeshProxy[], pre16: MeshProxy[]) => {
      for (const proxy of proxies) {
        const generation = proxyGeneration(proxy.image, proxy.pod.metadata.labels?.[REVISION_LABEL]);
        if (generation === 'pre-1.6') pre16.push(proxy);
        else if (generation === 'unknown') on14.unreadable.push(proxy);
      }
    };
    // Sidecars first, then gateways, in each list (the order of the findings).
    sort(this.meshProxies(), on14.sidecars);
    sort(this.ingressGatewayPods(), on14.gateways);
    return on14;
  });
}

/** The versions proxies run, for a message: `1.4.6-gke.0, 1.4.10-gke.4` (`?` for an unreadable tag). */
export function proxyVersionsText(proxies: readonly MeshProxy[]): string {
  return sortedVersionTexts(proxies.map((proxy) => proxy.version?.text ?? '?')).join(', ');
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
