import { defineRule, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { WorkloadRef } from '../src/engine/snapshot-index.ts';
import { isAsmTarget, type Phase } from '../src/engine/vocabulary.ts';
import { type MeshProxy, meshIndex, proxyVersionsText } from '../src/istio/mesh-index.ts';
import { PROXY_CONTAINER, REVISION_LABEL } from '../src/istio/names.ts';
import { isAsmRevision } from '../src/istio/revisions.ts';
import { ISTIO_16, type IstioVersion, isOlderIstio, isPreIstio16 } from '../src/istio/version.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { Workload } from '../src/snapshot/model.ts';

/** Controllers `kubectl rollout restart` works on; any other owner needs its pods re-created by hand. */
const RESTARTABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

interface OutdatedWorkload {
  readonly workload: WorkloadRef;
  readonly proxies: MeshProxy[];
  /** Set when the findings belong to asm-migrate-namespaces rather than the rule's phase. */
  readonly phase: Phase | undefined;
  /** A gateway Deployment whose istio-proxy is part of its own template (not injected). */
  readonly gateway: boolean;
}

/** The control plane proxies should be on: its revision and, for unlabelled proxies, its version. */
interface TargetControlPlane {
  readonly revision: string;
  readonly version: IstioVersion;
}

function revisionOf(proxy: MeshProxy): string | undefined {
  return proxy.pod.metadata.labels?.[REVISION_LABEL];
}

/**
 * Whether a proxy is on the target control plane. Its pod's `istio.io/rev` label decides (every
 * 1.6+ injector sets it); without the label (a 1.4 proxy, a manual injection) the image version is
 * compared, and for an ASM control plane a proxy that is not an `asm` build is not on it.
 */
function isOnTarget(proxy: MeshProxy, target: TargetControlPlane): boolean {
  const revision = revisionOf(proxy);
  if (revision !== undefined) return revision === target.revision;
  const version = proxy.version as IstioVersion;
  if (isOlderIstio(version, target.version)) return false;
  return target.version.flavour !== 'asm' || version.flavour === 'asm';
}

/**
 * A gateway that is not injected: a Deployment whose own template holds istio-proxy as the
 * gateway container (its only container, or pods labelled `istio: …gateway`). Without the
 * Deployment in the snapshot, the pod alone: the same shape and no injector's status annotation.
 */
function isUninjectedGateway(workload: WorkloadRef, proxy: MeshProxy): boolean {
  const pod = proxy.pod;
  const looksLikeGateway = (containers: readonly { name: string }[]) =>
    /gateway$/.test(pod.metadata.labels?.istio ?? '') ||
    (containers.length === 1 && containers[0]?.name === PROXY_CONTAINER);
  const owner = workload.object as Workload | undefined;
  if (owner?.kind === 'Deployment' && Array.isArray(owner.containers)) {
    return owner.containers.some((c) => c.name === PROXY_CONTAINER) && looksLikeGateway(owner.containers);
  }
  return !('sidecar.istio.io/status' in (pod.metadata.annotations ?? {})) && looksLikeGateway(pod.containers);
}

function findingFor(group: OutdatedWorkload, current: string, revision: string): RuleFinding {
  const { workload, proxies, gateway } = group;
  const pods = proxies.length;
  const where = `${workload.kind} ${workload.namespace}/${workload.name}`;
  const podWord = `${pods} pod${pods === 1 ? '' : 's'}`;
  const what =
    workload.kind === 'Pod'
      ? `${where} runs istio-proxy ${proxyVersionsText(proxies)}`
      : `${where}: ${podWord} run${pods === 1 ? 's' : ''} istio-proxy ${proxyVersionsText(proxies)}`;
  const labels = [...new Set(proxies.map(revisionOf).filter((r) => r !== undefined))].sort();
  const relation =
    labels.length > 0
      ? ` on revision ${labels.join(', ')}, not the target revision ${revision} (the ${current} control plane)`
      : `, older than the ${current} control plane (revision ${revision})`;
  const firstPod = proxies[0]?.pod;
  const resource = {
    apiVersion: workload.apiVersion,
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
  };
  const origin = workload.object?.origin ?? firstPod?.origin;
  const phase = group.phase === undefined ? {} : { phase: group.phase };
  if (gateway) {
    return {
      message:
        `${what}${relation}. It is a gateway whose istio-proxy container is part of its own Deployment, not ` +
        'injected: a rollout restart brings back the same image. Redeploy it with the proxy image of revision ' +
        `${revision} (for example from the gateway manifests of the new version).`,
      resource,
      origin,
      key: 'gateway',
      ...phase,
    };
  }
  const remedy = RESTARTABLE.has(workload.kind)
    ? `Restart it (kubectl rollout restart) once namespace ${workload.namespace} points at revision ${revision}.`
    : workload.kind === 'Pod'
      ? `It has no controller: re-create it once namespace ${workload.namespace} points at revision ${revision}.`
      : `Delete its pods (${proxies.map((p) => p.pod.metadata.name).join(', ')}) so that the ${workload.kind} ` +
        `re-creates them once namespace ${workload.namespace} points at revision ${revision}.`;
  return {
    message: `${what}${relation}. ${remedy}`,
    resource,
    origin,
    // Findings of the ASM move are a separate step from the 1.6 move for the same workload.
    ...(group.phase === undefined ? {} : { key: group.phase, phase: group.phase }),
    ...(RESTARTABLE.has(workload.kind) || workload.kind === 'Pod'
      ? {
          fix: fix('restart-workload', {
            kind: workload.kind as 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Pod',
            namespace: workload.namespace,
            name: workload.name,
            pods,
          }),
        }
      : {}),
  };
}

export default defineRule({
  id: 'sidecar-proxy-version',
  title: "Sidecar proxies run the 1.6 control plane's version",
  phase: 'migrate-namespaces',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  // istiod revisions can be read from pods alone, and controllers only name the owners: without
  // them pods are grouped by their owner references (and pod-template-hash), so only pods are required.
  needs: ['pods'],
  docs: {
    summary: 'Pods are not yet on the target control plane (istio.io/rev); restart their workloads.',
    checks:
      'Looks at every `istio-proxy` container outside istio-system (running or pending pods) and decides ' +
      "whether its pod is on the target control plane by the pod's `istio.io/rev` label, which every 1.6+ " +
      'injector sets: the target revision is the ready operator revision (e.g. `istio-1611`) for istio-1.6, ' +
      'and for ASM targets the ready `asm-*` revision once one runs (before that, the operator revision). Only ' +
      "a pod without the label (a 1.4 proxy has none) is judged by its image tag against the target istiod's " +
      'version: older releases are behind (1.4.10-gke.4 < 1.6.11-gke.0, compared numerically), and against an ' +
      'ASM istiod so is any proxy that is not an `asm` build. Once an `asm-*` istiod is ready, findings about ' +
      'pods already on 1.6 are in phase asm-migrate-namespaces; pods still on 1.4 stay in migrate-namespaces. ' +
      'Pods are grouped by owning workload through ownerReferences (uids first, then names): Pod -> ReplicaSet ' +
      '-> Deployment, StatefulSet, DaemonSet, other controllers, and bare pods; one finding per workload gives ' +
      'its pod count, proxy versions and revisions. A gateway Deployment outside istio-system whose own ' +
      'template holds `istio-proxy` as the gateway container (not injected) is reported apart, without a ' +
      'restart. Not applicable when no pod has a sidecar or no 1.6 istiod is ready (`istiod-revision-ready` ' +
      'reports that). Unknown when an unlabelled proxy or the istiod it is compared with has an image tag that ' +
      'is not a version.',
    why:
      'Relabelling a namespace does not change running pods: a pod gets the new proxy only when it is ' +
      're-created ("Upgrading to Istio 1.6 with the operator", "Migrating namespaces to 1.6", steps 3-5, and ' +
      'for ASM "enable sidecar injection and redeploy the workloads"). Until then it is served by the control ' +
      'plane that injected it, which cannot be retired or emptied. Image versions cannot answer which one that ' +
      "is: ASM 1.6's istiod is 1.6.8-asm.9 while the operator's proxies are 1.6.11-gke.0, a higher patch on the " +
      'old control plane; the `istio.io/rev` label the injector sets names it (Istio canary upgrades). A ' +
      'gateway whose Deployment carries its own istio-proxy container is not injected, so a restart brings ' +
      "back the same image: it must be redeployed with the new version's image.",
    fix:
      'After relabelling the namespace (`namespace-injection-labels`), restart each workload: ' +
      '`kubectl rollout restart deployment NAME -n NAMESPACE` (also `statefulset`, `daemonset`). Bare pods ' +
      'and pods of other controllers must be deleted and re-created. Check with `kubectl describe pod` that ' +
      'istio-proxy runs the new image.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating namespaces',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      { title: 'Istio canary upgrades', url: 'https://istio.io/latest/docs/setup/upgrade/canary/' },
    ],
  },
  check(_snapshot, { index, target }) {
    const mesh = meshIndex(index);
    const proxies = mesh.meshProxies();
    if (proxies.length === 0) return notApplicable('no pod outside istio-system has an istio-proxy sidecar');
    const current = mesh.currentControlPlane(isAsmTarget(target));
    if (!current) {
      return notApplicable(
        'no Istio 1.6 control plane (istiod with an istio.io/rev label) is ready yet, so there is no current ' +
          'version to compare the proxies with',
      );
    }
    const unlabelled = proxies.filter((proxy) => revisionOf(proxy) === undefined);
    if (!current.version && unlabelled.length > 0) {
      return unknown(
        `istiod revision ${current.revision} runs image tag "${current.versionText ?? '(none)'}", which is not an ` +
          'Istio version',
      );
    }
    const targetPlane: TargetControlPlane = {
      revision: current.revision,
      version: current.version ?? ISTIO_16,
    };
    const currentText = current.versionText ?? current.revision;
    // Once an asm-* istiod is ready, moving to it is asm-migrate-namespaces; only what still runs
    // 1.4 stays in migrate-namespaces (SPEC §4).
    const asmInstalled = isAsmTarget(target) && isAsmRevision(current.revision);
    const outdated = new Map<string, OutdatedWorkload>();
    const unreadable: MeshProxy[] = [];
    for (const proxy of proxies) {
      const label = revisionOf(proxy);
      if (label === undefined && !proxy.version) {
        unreadable.push(proxy);
        continue;
      }
      if (isOnTarget(proxy, targetPlane)) continue;
      const on14 = label === undefined && proxy.version !== undefined && isPreIstio16(proxy.version);
      const phase: Phase | undefined = asmInstalled && !on14 ? 'asm-migrate-namespaces' : undefined;
      const workload = index.workloadOf(proxy.pod);
      const gateway = isUninjectedGateway(workload, proxy);
      const key = `${workload.kind}\u0000${workload.namespace}\u0000${workload.name}\u0000${phase ?? ''}`;
      const group = outdated.get(key);
      if (group) group.proxies.push(proxy);
      else outdated.set(key, { workload, proxies: [proxy], phase, gateway });
    }
    if (outdated.size === 0 && unreadable.length > 0) {
      const examples = unreadable
        .slice(0, 3)
        .map((p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name} (${p.image ?? 'no image'})`);
      return unknown(
        `the istio-proxy image of ${unreadable.length} pod${unreadable.length > 1 ? 's' : ''} has no version tag: ` +
          `${examples.join(', ')}${unreadable.length > 3 ? ', …' : ''} (and no ${REVISION_LABEL} label says which ` +
          'control plane injected it)',
      );
    }
    return [...outdated.values()].map((group) => findingFor(group, currentText, current.revision));
  },
});
