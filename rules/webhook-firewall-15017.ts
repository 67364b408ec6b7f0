import { defineRule, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { SnapshotIndex } from '../src/engine/snapshot-index.ts';
import {
  evaluateIngress,
  type Ipv4Range,
  isGkeMasterRule,
  knownGkeNodeTag,
  networkName,
  networkProject,
  nodeTargets,
  parseIpv4Cidr,
  permissionCoversTcp,
  permissionItems,
  priorityOf,
  rangesOverlap,
  targetsNodes,
  WEBHOOK_PORT,
} from '../src/gke/firewall.ts';
import { istioAddonDisabledReason } from '../src/gke/node-pool.ts';
import { clusterResource } from '../src/gke/resources.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { INJECTION_LABEL, REVISION_LABEL } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { ClusterSnapshot, FirewallRule, GkeCluster } from '../src/snapshot/model.ts';

/** Compute Engine resource names: at most 63 characters. */
const MAX_RULE_NAME = 63;

/** Name of the dedicated rule proposed when there is no GKE master rule to extend. */
function dedicatedRuleName(cluster: GkeCluster): string {
  const suffix = '-istio-webhook-15017';
  return `${cluster.name.slice(0, MAX_RULE_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * Allow rules that would open the port but cover only part of the control-plane range: the
 * usual near miss (a /29 or a single address typed instead of the /28).
 */
function partialAllows(
  rules: readonly FirewallRule[],
  cluster: GkeCluster,
  source: Ipv4Range,
): FirewallRule[] {
  const nodes = nodeTargets(cluster.name, cluster.nodePools);
  return rules.filter(
    (rule) =>
      (rule.sourceRanges ?? []).some((text) => {
        const range = parseIpv4Cidr(text);
        return range !== undefined && rangesOverlap(range, source);
      }) &&
      targetsNodes(rule, nodes) &&
      (rule.allowed ?? []).some((p) => permissionCoversTcp(p, WEBHOOK_PORT)),
  );
}

/** How many namespaces a message names before it says how many more. */
const NAMES_SHOWN = 5;

/**
 * The namespaces whose new pods the blocked webhook rejects right now: those the 1.6 injection
 * webhook of an installed revision selects. Its namespaceSelector (Istio 1.6.0
 * manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:44-51) is
 * `istio.io/rev` In [revision] and `istio-injection` DoesNotExist, and its failurePolicy is Fail
 * (line 28). Empty when namespaces or istiod revisions were not collected: then nothing is
 * claimed to be live.
 */
function namespacesOnBlockedWebhook(
  snapshot: ClusterSnapshot,
  index: SnapshotIndex,
): { readonly namespaces: readonly string[]; readonly revisions: readonly string[] } {
  const mesh = meshIndex(index);
  if (index.missing('namespaces') || mesh.istiodRevisionsUnknown()) return { namespaces: [], revisions: [] };
  const installed = new Set(mesh.istiodRevisions().map((r) => r.revision));
  const namespaces: string[] = [];
  const revisions = new Set<string>();
  for (const ns of snapshot.kube.namespaces) {
    const labels = ns.metadata.labels ?? {};
    const revision = labels[REVISION_LABEL];
    if (revision === undefined || INJECTION_LABEL in labels || !installed.has(revision)) continue;
    namespaces.push(ns.metadata.name);
    revisions.add(revision);
  }
  // Sorted: live listing and snapshot files give namespaces in different orders.
  return { namespaces: namespaces.sort(), revisions: [...revisions].sort() };
}

/** The sentence saying the harm is live, and the urgent mark, when a namespace is affected now. */
function liveHarm(selecting: ReturnType<typeof namespacesOnBlockedWebhook>): Pick<RuleFinding, 'urgent'> & {
  readonly note: string;
} {
  const { namespaces, revisions } = selecting;
  if (namespaces.length === 0) return { note: '' };
  const shown = namespaces.slice(0, NAMES_SHOWN).join(', ');
  const more = namespaces.length > NAMES_SHOWN ? ` and ${namespaces.length - NAMES_SHOWN} more` : '';
  const one = namespaces.length === 1;
  return {
    note:
      ` Namespace${one ? '' : 's'} ${shown}${more} already select${one ? 's' : ''} revision` +
      `${revisions.length === 1 ? '' : 's'} ${revisions.join(', ')}: every pod created there is rejected now.`,
    urgent: true,
  };
}

export default defineRule({
  id: 'webhook-firewall-15017',
  title: 'The control plane of a private cluster can reach the nodes on TCP 15017',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  // Firewall rules are read only for private clusters: the rule checks their coverage itself so
  // that a public cluster is not applicable even when the snapshot has no firewall rules.
  // Namespaces and istiod pods only tell whether the harm is live already (urgent), so they are
  // not listed either.
  needs: ['gkeCluster'],
  docs: {
    summary:
      "A private cluster's firewall blocks the control plane from istiod's injection webhook on TCP 15017.",
    checks:
      'For a private cluster (`privateClusterConfig.enablePrivateNodes`, v1beta1 `privateCluster`, or ' +
      "`networkConfig.defaultEnablePrivateNodes`), looks for an enabled INGRESS rule on the cluster's " +
      'network (full network URLs and short names compare by network name) whose `sourceRanges` contain the ' +
      'control-plane CIDR (`masterIpv4CidrBlock`), whose `targetTags` are empty or include a node pool tag or ' +
      "GKE's node tag `gke-<cluster>-<hash>-node` (or whose `targetServiceAccounts` include a node pool's " +
      'service account; a pool without one runs as the default `NUMBER-compute@developer.gserviceaccount.com`), ' +
      'and which allows `tcp` with no ports or a port or range covering 15017, or protocol `all`. An enabled ' +
      'DENY rule reaching any control-plane address, the nodes and TCP 15017 overrides it when its priority ' +
      'number is lower or equal (DENY wins ties). Urgent when a namespace already selects (`istio.io/rev`, ' +
      'no `istio-injection`) the revision of an istiod in istio-system. Not applicable to public clusters; ' +
      'unknown without firewall ' +
      "data or when the data holds no rule of the cluster's network (for Shared VPC, list the host project's " +
      'rules).',
    why:
      "The 1.6 istiod, the operator's and Anthos Service Mesh's alike, serves its sidecar-injection and " +
      'validation webhooks on port 15017 (Istio 1.6.0 `manifests/charts/istio-control/istio-discovery`, ' +
      "`templates/service.yaml:17-19`: Service port 443, targetPort 15017); 1.4's injector and galley listened " +
      'on 443 itself. In a private cluster the control plane reaches the nodes only through firewall rules, and ' +
      "GKE's own rule opens only 443 and 10250. The injection webhook has `failurePolicy: Fail` " +
      '(`templates/mutatingwebhook.yaml:28`) and selects the namespaces labelled `istio.io/rev=<revision>` ' +
      'without `istio-injection` (lines 44-51): without 15017, every pod created in such a namespace is ' +
      'rejected, so this is an error for every target (the ASM guide also lists the port: "Requirements"; ' +
      '"Opening ports on a private cluster"). The finding is urgent when a namespace already selects an ' +
      'installed revision: its new pods (rollouts, scale-ups, evictions) fail now.',
    fix:
      "Add tcp:15017 to GKE's `gke-<cluster>-<hash>-master` rule, keeping what it already allows: " +
      '`gcloud compute firewall-rules update RULE --allow tcp:443,tcp:10250,tcp:15017`. Without that rule, ' +
      'create one from the control-plane CIDR to the node tag. A DENY rule that wins must be narrowed or ' +
      'outranked by an allow rule with a lower priority number.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Anthos Service Mesh: opening a port on a private cluster',
        url: 'https://cloud.google.com/service-mesh/docs/private-cluster-open-port',
      },
      {
        title: 'Adding firewall rules for specific use cases (private clusters)',
        url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters#add_firewall_rules',
      },
    ],
  },
  check(snapshot, { index }) {
    const cluster = snapshot.gkeCluster;
    if (!cluster) return unknown('no GKE cluster data');
    const disabled = istioAddonDisabledReason(cluster);
    if (disabled) return notApplicable(disabled);
    if (!cluster.privateNodes) {
      return notApplicable(
        'a public cluster: its control plane reaches the nodes without a private-cluster firewall rule',
      );
    }
    const firewallsMissing = index.missing('firewalls');
    if (firewallsMissing) return unknown(firewallsMissing);
    const cidr = cluster.controlPlaneCidr;
    if (!cidr)
      return unknown(
        'the private cluster has no control-plane CIDR (privateClusterConfig.masterIpv4CidrBlock)',
      );
    const source = parseIpv4Cidr(cidr);
    if (!source) return unknown(`the control-plane CIDR "${cidr}" is not an IPv4 CIDR`);
    const network = networkName(cluster.network);
    if (!network) return unknown('the GKE cluster data names no network');

    const verdict = evaluateIngress(snapshot.firewalls, {
      network,
      source,
      port: WEBHOOK_PORT,
      nodes: nodeTargets(cluster.name, cluster.nodePools),
    });
    if (verdict.rulesOnNetwork.length === 0) {
      return unknown(
        `the firewall data holds no enabled ingress rule of network ${network}; for a Shared VPC, list the host ` +
          "project's rules (`gcloud compute firewall-rules list --project HOST_PROJECT --format=json`)",
      );
    }
    if (verdict.open) return [];

    const where = `Private cluster ${cluster.name}: `;
    const { note, ...urgent } = liveHarm(namespacesOnBlockedWebhook(snapshot, index));
    const deny = verdict.blockingDeny;
    const best = verdict.allows[0];
    if (deny && best) {
      return [
        {
          message:
            `${where}DENY rule ${deny.name} (priority ${priorityOf(deny)}) blocks TCP ${WEBHOOK_PORT} from the ` +
            `control plane (${cidr}) to the nodes, overriding allow rule ${best.name} (priority ` +
            `${priorityOf(best)}; a DENY wins a tie), so the API server cannot call the 1.6 istiod's injection ` +
            `webhook, which fails closed.${note} Narrow the DENY rule, or allow the port with a priority ` +
            `number below ${priorityOf(deny)}.`,
          resource: clusterResource(cluster),
          origin: deny.origin ?? cluster.origin,
          ...urgent,
        },
      ];
    }
    const masterRule = verdict.rulesOnNetwork.find((rule) => isGkeMasterRule(rule, cluster.name));
    const nodeTag = knownGkeNodeTag(verdict.rulesOnNetwork, cluster.name);
    const poolTags = [...new Set(cluster.nodePools.flatMap((pool) => pool.tags ?? []))].sort();
    const narrower = partialAllows(verdict.rulesOnNetwork, cluster, source);
    const narrowerNote =
      narrower.length > 0
        ? ` (${narrower.map((r) => `${r.name} allows it from ${(r.sourceRanges ?? []).join(', ')}`).join('; ')}, ` +
          'which does not contain the control-plane CIDR)'
        : '';
    const remedy = masterRule
      ? `Add tcp:${WEBHOOK_PORT} to GKE's rule ${masterRule.name}, keeping ${permissionItems(masterRule.allowed).join(', ') || 'its other permissions'}.`
      : `Create a rule allowing tcp:${WEBHOOK_PORT} from ${cidr} to the nodes.`;
    return [
      {
        message:
          `${where}no enabled ingress rule on network ${network} allows TCP ${WEBHOOK_PORT} from the control plane ` +
          `(${cidr}) to the nodes${narrowerNote}, so the API server cannot call the 1.6 istiod's injection and ` +
          'validation webhooks; the injection webhook fails closed (failurePolicy: Fail), so every pod created in ' +
          `a namespace selecting a 1.6 revision (istio.io/rev) is rejected.${note} ${remedy}`,
        resource: clusterResource(cluster),
        origin: masterRule?.origin ?? cluster.origin,
        ...urgent,
        fix: fix('open-webhook-port', {
          project:
            networkProject(masterRule?.network ?? verdict.rulesOnNetwork[0]?.network) ?? cluster.project,
          network,
          rule: masterRule?.name,
          allowed: permissionItems(masterRule?.allowed),
          newRule: dedicatedRuleName(cluster),
          sourceRange: cidr,
          targetTags: nodeTag ? [nodeTag] : poolTags,
        }),
      },
    ];
  },
});
