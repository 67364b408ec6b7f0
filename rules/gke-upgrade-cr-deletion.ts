import { fix } from '../src/engine/fixes.ts';
import { clusterMasterVersion, clusterResource, clusterScope } from '../src/engine/gke-resources.ts';
import { isAddonManaged, kindSlashName, kubectlResourceName } from '../src/engine/istio-objects.ts';
import { defineRule, type RuleContext, unknown } from '../src/engine/rule.ts';
import { ISTIO_SYSTEM } from '../src/engine/snapshot-index.ts';
import {
  CR_DELETION_FIXED_117,
  CR_DELETION_FIXED_118,
  isMinor116,
  upgradeDeletesCustomResources,
} from '../src/gke/gates.ts';
import { formatGkeVersion, malformedVersionReason, parseGkeVersion, sameMinor } from '../src/gke/version.ts';
import type { ClusterSnapshot, KubeKind, KubeObject } from '../src/snapshot/model.ts';

/** The Istio custom resources meshready reads (SPEC §2); the backup command covers every Istio kind. */
const CUSTOM_RESOURCE_PARTS: readonly KubeKind[] = [
  'istiooperators',
  'envoyfilters',
  'virtualservices',
  'mixerconfigs',
  'securitypolicies',
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
      : 'meshready found no user-created custom resource of the kinds it reads in istio-system.';
  const gaps = missing.length > 0 ? ` The list may be incomplete: ${missing.join('; ')}.` : '';
  return `${listed}${gaps} Back up Gateways, DestinationRules and ServiceEntries there too (meshready does not read them).`;
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
      'version below 1.17.12-gke.1501 or a 1.18 version below 1.18.9-gke.1501. When the master is 1.16.x and ' +
      'no `--upgrade-to` is given, a warning names those safe minimums and lists, as `Kind/name`, the custom ' +
      'resources found in istio-system: IstioOperators, EnvoyFilters, VirtualServices, Mixer ' +
      '(`config.istio.io`) objects and v1alpha1 security policies, leaving out those the add-on manager owns ' +
      '(label `addonmanager.kubernetes.io/mode`), which it re-creates. Passes when the master is 1.17 or ' +
      'later, or below 1.16 (that upgrade is checked once the master is on 1.16), or when `--upgrade-to` is ' +
      'safe. Unknown when either version is not `MAJOR.MINOR.PATCH-gke.N` (a leading `v` is accepted). Not ' +
      'applicable when the cluster data says the Istio add-on is disabled.',
    why:
      'The guide "Upgrading to Istio 1.6 with the operator" warns that upgrading GKE 1.16 clusters released before R33 to 1.17 or 1.18 deletes the ' +
      'custom resources created in the istio-system namespace; they must then be re-created by hand. The fix ' +
      'ships in 1.17.12-gke.1501 and 1.18.9-gke.1501, so upgrade only to those versions or later.',
    fix:
      'Upgrade to 1.17.12-gke.1501 or later (or 1.18.9-gke.1501 or later) and pass it as `--upgrade-to` so ' +
      'meshready can check it. Before upgrading, back up every Istio custom resource in istio-system, for ' +
      'example `kubectl get -n istio-system virtualservices.networking.istio.io,... -o yaml > backup.yaml`; the ' +
      'remediation also loops over every `*.istio.io` resource type so kinds meshready does not read ' +
      '(Gateways, DestinationRules, ServiceEntries) are saved too.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE): known upgrade issue',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      { title: 'GKE release notes', url: 'https://cloud.google.com/kubernetes-engine/docs/release-notes' },
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
    if (!isMinor116(master)) return [];
    if (target && !upgradeDeletesCustomResources(target)) return [];

    const customResources = istioSystemCustomResources(snapshot, context);
    const safeVersion = target && sameMinor(target, 1, 18) ? CR_DELETION_FIXED_118 : CR_DELETION_FIXED_117;
    const backupFix = fix('backup-istio-system-crs', {
      ...clusterScope(cluster),
      version: formatGkeVersion(safeVersion),
      resources: [...new Set(customResources.objects.map(kubectlResourceName))].sort(),
      objects: customResources.objects.map(kindSlashName),
    });
    const backupList = describeBackupList(customResources);
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
          `or a 1.18 version below ${formatGkeVersion(CR_DELETION_FIXED_118)} deletes the custom resources ` +
          `created in istio-system. Choose ${SAFE_MINIMUMS} or later and pass it as --upgrade-to. ${backupList}`,
        resource: clusterResource(cluster),
        origin: cluster.origin,
        severity: 'warning',
        fix: backupFix,
      },
    ];
  },
});
