import { fix } from '../src/engine/fixes.ts';
import { isOlderIstio } from '../src/engine/istio-version.ts';
import { defineRule, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { MeshProxy, WorkloadRef } from '../src/engine/snapshot-index.ts';
import { isAsmTarget } from '../src/engine/vocabulary.ts';

/** Controllers `kubectl rollout restart` works on; any other owner needs its pods re-created by hand. */
const RESTARTABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

interface OutdatedWorkload {
  readonly workload: WorkloadRef;
  readonly proxies: MeshProxy[];
}

function versionsOf(proxies: readonly MeshProxy[]): string {
  const versions = [...new Set(proxies.map((p) => p.version?.text ?? '?'))].sort();
  return versions.join(', ');
}

function findingFor({ workload, proxies }: OutdatedWorkload, current: string, revision: string): RuleFinding {
  const pods = proxies.length;
  const where = `${workload.kind} ${workload.namespace}/${workload.name}`;
  const podWord = `${pods} pod${pods === 1 ? '' : 's'}`;
  const what =
    workload.kind === 'Pod'
      ? `${where} runs istio-proxy ${versionsOf(proxies)}`
      : `${where}: ${podWord} run${pods === 1 ? 's' : ''} istio-proxy ${versionsOf(proxies)}`;
  const remedy = RESTARTABLE.has(workload.kind)
    ? `Restart it (kubectl rollout restart) once namespace ${workload.namespace} points at revision ${revision}.`
    : workload.kind === 'Pod'
      ? `It has no controller: re-create it once namespace ${workload.namespace} points at revision ${revision}.`
      : `Delete its pods (${proxies.map((p) => p.pod.metadata.name).join(', ')}) so that the ${workload.kind} ` +
        `re-creates them once namespace ${workload.namespace} points at revision ${revision}.`;
  const firstPod = proxies[0]?.pod;
  return {
    message: `${what}, older than the ${current} control plane (revision ${revision}). ${remedy}`,
    resource: {
      apiVersion: workload.apiVersion,
      kind: workload.kind,
      namespace: workload.namespace,
      name: workload.name,
    },
    origin: workload.object?.origin ?? firstPod?.origin,
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
    summary: 'Pods still run an istio-proxy older than the 1.6 control plane; restart their workloads.',
    checks:
      'Compares the image tag of every `istio-proxy` container outside istio-system (running or pending pods) ' +
      'with the version of the current istiod: the image tag of the ready istiod revision namespaces should ' +
      'point at (for ASM targets an `asm-*` revision when one runs). Versions compare numerically ' +
      '(1.4.10-gke.4 < 1.6.11-gke.0; a gke and an asm build of the same release are not ordered). Pods are ' +
      'grouped by owning workload through ownerReferences (uids first, then names): Pod -> ReplicaSet -> ' +
      'Deployment, StatefulSet, DaemonSet, other controllers, and bare pods; one finding per workload gives ' +
      'its pod count and proxy versions. Not applicable when no pod has a sidecar or no 1.6 istiod is ready ' +
      '(there is no current version to compare with; `istiod-revision-ready` reports that). Unknown when a ' +
      'proxy or istiod image tag is not a version.',
    why:
      'Relabelling a namespace does not change running pods: a pod gets the 1.6 proxy only when it is ' +
      're-created ("Upgrading to Istio 1.6 with the operator", "Migrating namespaces to 1.6", steps 3-5). Until then it is served by the 1.4 ' +
      'control plane, which cannot be retired.',
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
    const proxies = index.meshProxies();
    if (proxies.length === 0) return notApplicable('no pod outside istio-system has an istio-proxy sidecar');
    const current = index.currentControlPlane(isAsmTarget(target));
    if (!current) {
      return notApplicable(
        'no Istio 1.6 control plane (istiod with an istio.io/rev label) is ready yet, so there is no current ' +
          'version to compare the proxies with',
      );
    }
    if (!current.version) {
      return unknown(
        `istiod revision ${current.revision} runs image tag "${current.versionText ?? '(none)'}", which is not an ` +
          'Istio version',
      );
    }
    const currentVersion = current.version;
    const outdated = new Map<string, OutdatedWorkload>();
    const unreadable: MeshProxy[] = [];
    for (const proxy of proxies) {
      if (!proxy.version) {
        unreadable.push(proxy);
        continue;
      }
      if (!isOlderIstio(proxy.version, currentVersion)) continue;
      const workload = index.workloadOf(proxy.pod);
      const key = `${workload.kind}\u0000${workload.namespace}\u0000${workload.name}`;
      const group = outdated.get(key);
      if (group) group.proxies.push(proxy);
      else outdated.set(key, { workload, proxies: [proxy] });
    }
    if (outdated.size === 0 && unreadable.length > 0) {
      const examples = unreadable
        .slice(0, 3)
        .map((p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name} (${p.image ?? 'no image'})`);
      return unknown(
        `the istio-proxy image of ${unreadable.length} pod${unreadable.length > 1 ? 's' : ''} has no version tag: ` +
          `${examples.join(', ')}${unreadable.length > 3 ? ', …' : ''}`,
      );
    }
    return [...outdated.values()].map((group) => findingFor(group, currentVersion.text, current.revision));
  },
});
