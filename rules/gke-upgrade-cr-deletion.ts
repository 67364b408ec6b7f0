import { defineRule, type RuleContext, unknown } from '../src/engine/rule.ts';
import {
  CR_DELETION_FIXED_117,
  CR_DELETION_FIXED_118,
  isMinor116,
  nextMinor,
  skipsMinor,
  upgradeDeletesCustomResources,
} from '../src/gke/gates.ts';
import { clusterMasterVersion, clusterResource, clusterScope } from '../src/gke/resources.ts';
import { formatGkeVersion, malformedVersionReason, parseGkeVersion } from '../src/gke/version.ts';
import { ISTIO_SYSTEM } from '../src/istio/names.ts';
import { isAddonManaged, kindSlashName, kubectlResourceName } from '../src/istio/objects.ts';
import { fix } from '../src/remediate/actions/index.ts';
import { type ClusterSnapshot, type KubeKind, type KubeObject, PART_LABELS } from '../src/snapshot/model.ts';

/**
 * The custom resources of istio-system: the Istio kinds meshready reads, and every other
 * namespaced custom resource there (`customresources`: BackendConfig, ManagedCertificate,
 * cert-manager objects, Istio Gateways, …).
 */
const CUSTOM_RESOURCE_PARTS: readonly KubeKind[] = [
  'istiooperators',
  'envoyfilters',
  'virtualservices',
  'mixerconfigs',
  'securitypolicies',
  'authorizationpolicies',
  'peerauthentications',
  'requestauthentications',
  'backendconfigs',
  'customresources',
];
/** How many objects a message names before it says "and N more" (the fix lists them all). */
const LISTED_IN_MESSAGE = 10;

const SAFE_MINIMUMS = `${formatGkeVersion(CR_DELETION_FIXED_117)} (1.17) or ${formatGkeVersion(CR_DELETION_FIXED_118)} (1.18)`;

interface IstioSystemCustomResources {
  readonly objects: readonly KubeObject[];
  /** Why the list may be incomplete: parts that were not collected. */
  readonly missing: readonly string[];
}

/**
 * Custom resources a user created in istio-system. Objects the add-on manager owns are left
 * out: it re-creates them after the upgrade, so they need no backup.
 */
function istioSystemCustomResources(
  snapshot: ClusterSnapshot,
  context: RuleContext,
): IstioSystemCustomResources {
  const objects: KubeObject[] = [];
  const missing: string[] = [];
  for (const part of CUSTOM_RESOURCE_PARTS) {
    const reason = context.index.missing(part);
    if (reason) {
      missing.push(reason);
      continue;
    }
    const coverage = snapshot.coverage[part];
    if (part === 'customresources' && coverage.collected && coverage.note) {
      missing.push(`${PART_LABELS[part]}: ${coverage.note}`);
    }
    for (const object of snapshot.kube[part]) {
      if (object.metadata.namespace === ISTIO_SYSTEM && !isAddonManaged(object)) objects.push(object);
    }
  }
  objects.sort((a, b) => kindSlashName(a).localeCompare(kindSlashName(b)));
  return { objects, missing };
}

function describeBackupList({ objects, missing }: IstioSystemCustomResources): string {
  const names = objects.map(kindSlashName);
  const shown = names.slice(0, LISTED_IN_MESSAGE).join(', ');
  const more = names.length > LISTED_IN_MESSAGE ? ` and ${names.length - LISTED_IN_MESSAGE} more` : '';
  const listed =
    names.length > 0
      ? `Custom resources in istio-system to back up: ${shown}${more}.`
      : 'meshready found no user-created custom resource in istio-system.';
  const gaps = missing.length > 0 ? ` The list may be incomplete: ${missing.join('; ')}.` : '';
  return `${listed}${gaps} The backup step also saves every namespaced custom resource kind the cluster serves.`;
}

export default defineRule({
  id: 'gke-upgrade-cr-deletion',
  title: 'The GKE upgrade from 1.16 keeps the custom resources in istio-system',
  phase: 'cluster-upgrade',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  // Only the master version decides pass or fail. The custom resources listed in the finding are
  // read when collected; when they are not, the finding says its list may be incomplete instead
  // of hiding the upgrade risk behind `unknown`.
  needs: ['gkeCluster'],
  docs: {
    summary: 'Upgrading this 1.16 master to the chosen version deletes the custom resources in istio-system.',
    checks:
      'Reads the master version and `--upgrade-to`. Error when the master is 1.16.x and `--upgrade-to` is a 1.17 ' +
      'version below 1.17.12-gke.1501 or a 1.18 version below 1.18.9-gke.1501, or when `--upgrade-to` skips a ' +
      'minor version (1.16 -> 1.18.x, whatever its patch; 1.15 -> 1.17.x): the suggested hop is then ' +
      '1.17.12-gke.1501 from 1.16, and 1.16 first from 1.15. When the master is 1.16.x and no `--upgrade-to` ' +
      'is given, a warning names the safe hop (1.17.12-gke.1501 or later) and lists, as `Kind/name`, every ' +
      'namespaced custom resource found in istio-system, of any group that Kubernetes does not serve itself ' +
      '(IstioOperators, EnvoyFilters, VirtualServices, Gateways, Mixer objects, v1alpha1 policies, ' +
      'BackendConfigs, ManagedCertificates, cert-manager objects, …), leaving out those the add-on manager ' +
      'owns (label `addonmanager.kubernetes.io/mode`), which it re-creates. A live scan reads only the kinds ' +
      'meshready knows (its role stays least-privilege), so its list says it may be incomplete; a snapshot ' +
      'file holding the other kinds lists them all. Passes when the master is 1.17 or later, below 1.16 ' +
      'without a skipped minor (that upgrade is checked once the master is on 1.16), or when `--upgrade-to` ' +
      'is safe. Unknown when either version is not `MAJOR.MINOR.PATCH-gke.N` (a leading `v` is accepted). ' +
      'Not applicable when the cluster data says the Istio add-on is disabled.',
    why:
      '"Upgrading to Istio 1.6 with the operator" warns that upgrading GKE 1.16 clusters released before R33 ' +
      'to 1.17 or 1.18 deletes the custom resources created in the istio-system namespace, which must then ' +
      'be re-created by hand; the fix ships in 1.17.12-gke.1501 and 1.18.9-gke.1501. GKE upgrades a master ' +
      'one minor version at a time (GKE documentation, "Upgrading a cluster": the control plane cannot skip ' +
      'minor versions), so from 1.16 the only hop is a 1.17 version, which must itself be 1.17.12-gke.1501 or ' +
      'later; 1.18.9-gke.1501 is only reachable from 1.17. The guide speaks of every custom resource you ' +
      'created in istio-system, not only Istio ones.',
    fix:
      'Upgrade to 1.17.12-gke.1501 or later and pass it as `--upgrade-to` so meshready can check it; from ' +
      '1.15, upgrade to 1.16 first. Before upgrading, back up every custom resource in istio-system, for ' +
      'example `kubectl get -n istio-system backendconfigs.cloud.google.com,virtualservices.networking.istio.io,' +
      '... -o yaml > backup.yaml`; the remediation also loops over every namespaced CustomResourceDefinition ' +
      'of the cluster, so kinds the scan did not list are saved too.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE): known upgrade issue',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      { title: 'GKE release notes', url: 'https://cloud.google.com/kubernetes-engine/docs/release-notes' },
      {
        title: 'GKE: upgrading a cluster (one minor version at a time)',
        url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/upgrading-a-cluster',
      },
    ],
  },
  check(snapshot, context) {
    const current = clusterMasterVersion(snapshot);
    if ('status' in current) return current;
    const { cluster, version: master, text: masterText } = current;
    const targetText = context.upgradeTo;
    const target = targetText === undefined ? undefined : parseGkeVersion(targetText);
    if (targetText !== undefined && !target)
      return unknown(malformedVersionReason('--upgrade-to', targetText));
    const below116 = master.major === 1 && master.minor < 16;
    if (below116) {
      // That upgrade is checked once the master is on 1.16, but a skipped minor fails now.
      if (!target || targetText === undefined || !skipsMinor(master, target)) return [];
      const hop = nextMinor(master);
      return [
        {
          message:
            `--upgrade-to ${targetText} skips a minor version: GKE masters upgrade one minor version at a time, ` +
            `so from ${masterText} the next hop is ${hop}. Upgrade to ${hop} first; from 1.16 the hop to 1.17 ` +
            `must be ${formatGkeVersion(CR_DELETION_FIXED_117)} or later, or the custom resources in istio-system ` +
            'are deleted.',
          resource: clusterResource(cluster),
          origin: cluster.origin,
        },
      ];
    }
    if (!isMinor116(master)) return [];
    const skipped = target !== undefined && skipsMinor(master, target);
    if (target && !skipped && !upgradeDeletesCustomResources(target)) return [];

    const customResources = istioSystemCustomResources(snapshot, context);
    // GKE masters move one minor at a time: from 1.16 the safe hop is always a fixed 1.17.
    const safeVersion = CR_DELETION_FIXED_117;
    const backupFix = fix('backup-istio-system-crs', {
      ...clusterScope(cluster),
      version: formatGkeVersion(safeVersion),
      resources: [...new Set(customResources.objects.map(kubectlResourceName))].sort(),
      objects: customResources.objects.map(kindSlashName),
    });
    const backupList = describeBackupList(customResources);
    if (target && targetText !== undefined && skipped) {
      return [
        {
          message:
            `--upgrade-to ${targetText} skips a minor version: GKE masters upgrade one minor version at a time, so ` +
            `from ${masterText} the next hop is 1.17, and it must be ${formatGkeVersion(safeVersion)} or later ` +
            `(earlier 1.17 versions delete the custom resources created in istio-system). Upgrade to ` +
            `${formatGkeVersion(safeVersion)} first. ${backupList}`,
          resource: clusterResource(cluster),
          origin: cluster.origin,
          fix: backupFix,
        },
      ];
    }
    if (target && targetText !== undefined) {
      return [
        {
          message:
            `Upgrading the master from ${masterText} to ${targetText} deletes the custom resources created in ` +
            `istio-system (fixed from ${SAFE_MINIMUMS}): upgrade to ${formatGkeVersion(safeVersion)} or later ` +
            `instead. ${backupList}`,
          resource: clusterResource(cluster),
          origin: cluster.origin,
          fix: backupFix,
        },
      ];
    }
    return [
      {
        message:
          `The master runs ${masterText}: upgrading it to a 1.17 version below ${formatGkeVersion(CR_DELETION_FIXED_117)} ` +
          'deletes the custom resources created in istio-system, and GKE masters upgrade one minor version at a ' +
          `time, so the safe next hop is ${formatGkeVersion(safeVersion)} or later: pass it as --upgrade-to. ` +
          backupList,
        resource: clusterResource(cluster),
        origin: cluster.origin,
        severity: 'warning',
        fix: backupFix,
      },
    ];
  },
});
