import { defineRule } from '../src/engine/rule.ts';
import {
  hasIstio16Operator,
  ISTIO16_MINIMUM,
  isMinor116,
  nextMinor,
  RECOMMENDED_UPGRADE,
  skipsMinor,
  upgradeDeletesCustomResources,
} from '../src/gke/gates.ts';
import { clusterMasterVersion, clusterResource, clusterScope } from '../src/gke/resources.ts';
import { formatGkeVersion, type GkeVersion, parseGkeVersion } from '../src/gke/version.ts';
import { fix } from '../src/remediate/actions/index.ts';

/**
 * The `--upgrade-to` version when it is a safe next hop from `master` (no skipped minor, has the
 * operator, keeps istio-system's custom resources from 1.16), else undefined.
 */
function safeChosenVersion(master: GkeVersion, upgradeTo: string | undefined): GkeVersion | undefined {
  const chosen = upgradeTo === undefined ? undefined : parseGkeVersion(upgradeTo);
  if (!chosen || skipsMinor(master, chosen) || !hasIstio16Operator(chosen)) return undefined;
  if (isMinor116(master) && upgradeDeletesCustomResources(chosen)) return undefined;
  return chosen;
}

export default defineRule({
  id: 'gke-version-istio16',
  title: 'GKE master version ships the Istio 1.6 operator',
  phase: 'cluster-upgrade',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['gkeCluster'],
  docs: {
    summary: 'The GKE master version does not include the Istio 1.6 operator.',
    checks:
      'Reads `currentMasterVersion` of the GKE cluster. It passes from 1.17.9-gke.6300 on, within 1.17.7 from ' +
      '1.17.7-gke.8, within 1.17.8 from 1.17.8-gke.6, and on every 1.18 or later version. The suggested ' +
      'upgrade never skips a minor version: from 1.16 or 1.17 it is 1.17.12-gke.1501 (or `--upgrade-to` when ' +
      'that is a safe next hop); from 1.15 or earlier it is the next minor version first, without a scripted ' +
      'fix. A `--upgrade-to` that skips a minor version is named in the message. A version that is not ' +
      '`MAJOR.MINOR.PATCH-gke.N` makes the rule unknown. Not applicable when the cluster data says the Istio ' +
      'on GKE add-on is disabled.',
    why:
      'The add-on installs the Istio 1.6 operator and control plane beside the 1.4 one only when the cluster ' +
      'is upgraded to a GKE version that contains it ("Upgrading to Istio 1.6 with the operator", step 1). ' +
      'Until then there is nothing to migrate to. GKE upgrades a master one minor version at a time, and from ' +
      '1.16 a 1.17 version below 1.17.12-gke.1501 deletes the custom resources in istio-system (see ' +
      '`gke-upgrade-cr-deletion`), so the hop from 1.16 is 1.17.12-gke.1501 or later.',
    fix:
      'Upgrade the master to a version that contains Istio 1.6, one minor version at a time. From 1.16 or ' +
      '1.17, choose 1.17.12-gke.1501 or later: `gcloud container clusters upgrade CLUSTER --master ' +
      '--cluster-version VERSION`. From 1.15, upgrade to 1.16 first.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE)',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      { title: 'GKE release notes', url: 'https://cloud.google.com/kubernetes-engine/docs/release-notes' },
      {
        title: 'GKE: upgrading a cluster (one minor version at a time)',
        url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/upgrading-a-cluster',
      },
    ],
  },
  check(snapshot, { upgradeTo }) {
    const master = clusterMasterVersion(snapshot);
    if ('status' in master) return master;
    const { cluster, version, text } = master;
    if (hasIstio16Operator(version)) return [];
    const chosen = upgradeTo === undefined ? undefined : parseGkeVersion(upgradeTo);
    const skipNote =
      chosen && upgradeTo !== undefined && skipsMinor(version, chosen)
        ? ` --upgrade-to ${upgradeTo} skips a minor version, which GKE refuses: masters upgrade one minor ` +
          'version at a time.'
        : '';
    if (version.major === 1 && version.minor < 16) {
      const hop = nextMinor(version);
      return [
        {
          message:
            `GKE master version ${text} has no Istio 1.6 operator. GKE upgrades a master one minor version at a ` +
            `time: upgrade it to ${hop} first (\`gcloud container clusters upgrade ${cluster.name} --master ` +
            `--cluster-version ${hop}\`), then on to ${formatGkeVersion(RECOMMENDED_UPGRADE)} or later ` +
            `(${formatGkeVersion(ISTIO16_MINIMUM)} is the first with the operator; from 1.16 the hop must be ` +
            `${formatGkeVersion(RECOMMENDED_UPGRADE)} or later to keep the custom resources in istio-system).` +
            skipNote,
          resource: clusterResource(cluster),
          origin: cluster.origin,
        },
      ];
    }
    const suggested = safeChosenVersion(version, upgradeTo) ?? RECOMMENDED_UPGRADE;
    return [
      {
        message:
          `GKE master version ${text} has no Istio 1.6 operator: upgrade the master to ` +
          `${formatGkeVersion(ISTIO16_MINIMUM)} or later (meshready proposes ${formatGkeVersion(suggested)}, ` +
          `the next hop that also avoids the 1.16 upgrade bug).${skipNote}`,
        resource: clusterResource(cluster),
        origin: cluster.origin,
        fix: fix('upgrade-master', {
          ...clusterScope(cluster),
          version: formatGkeVersion(suggested),
          from: text,
        }),
      },
    ];
  },
});
