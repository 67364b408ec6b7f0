/**
 * VPC firewall evaluation for one question: can the private cluster's control plane reach the
 * nodes on TCP 15017, the port of istiod's sidecar-injection webhook (SPEC §6)?
 *
 * The model follows Compute Engine's firewall semantics: only enabled INGRESS rules of the
 * cluster's network apply; an ALLOW matches when one of its source ranges contains the whole
 * control-plane CIDR, it targets the nodes and it allows the port; a DENY blocks that traffic when
 * it reaches any of the control-plane addresses, targets the nodes, covers the port, and has a
 * priority number lower than or equal to the allow's (DENY wins ties).
 */
import type { FirewallPermission, FirewallRule } from '../snapshot/model.ts';

export const WEBHOOK_PORT = 15017;
/** Compute Engine's default rule priority, when a document leaves it out. */
export const DEFAULT_PRIORITY = 1000;

// ---- IPv4 ranges ------------------------------------------------------------------------

/** An IPv4 range as inclusive first and last addresses (unsigned 32-bit numbers). */
export interface Ipv4Range {
  readonly first: number;
  readonly last: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** Parses `10.0.0.0/28` (or a bare address, a /32). Undefined for IPv6 or anything malformed. */
export function parseIpv4Cidr(text: string): Ipv4Range | undefined {
  const match = IPV4.exec(text.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (prefix > 32) return undefined;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

export function rangeContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

// ---- protocols and ports ----------------------------------------------------------------

/** Whether one `ports` entry (`15017` or `15000-16000`) covers the port. */
export function portSpecCovers(spec: string, port: number): boolean {
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(spec);
  if (!match) return false;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : Number(match[2]);
  return low <= port && port <= high;
}

/**
 * Whether a permission covers TCP on the port: protocol `tcp` (or its number, 6) with no ports
 * (all of them) or a port entry covering it, or protocol `all`.
 */
export function permissionCoversTcp(permission: FirewallPermission, port: number): boolean {
  const protocol = permission.IPProtocol.toLowerCase();
  if (protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const ports = permission.ports ?? [];
  return ports.length === 0 || ports.some((spec) => portSpecCovers(spec, port));
}

/** A rule's permissions as gcloud `--allow`/`--rules` items: `tcp:443`, `tcp`, `all`. */
export function permissionItems(permissions: readonly FirewallPermission[] | undefined): string[] {
  return (permissions ?? []).flatMap((p) =>
    p.ports && p.ports.length > 0 ? p.ports.map((port) => `${p.IPProtocol}:${port}`) : [p.IPProtocol],
  );
}

// ---- networks ---------------------------------------------------------------------------

/**
 * The network's name from a full URL (`https://www.googleapis.com/compute/v1/projects/p/global/
 * networks/default`), a partial path (`projects/p/global/networks/default`) or a short name.
 * Projects are not compared: with Shared VPC the network (and its rules) live in the host
 * project, not in the cluster's.
 */
export function networkName(network: string | undefined): string | undefined {
  if (network === undefined) return undefined;
  const trimmed = network.trim().replace(/\/+$/, '');
  const name = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return name === '' ? undefined : name;
}

export function sameNetwork(a: string | undefined, b: string | undefined): boolean {
  const left = networkName(a);
  return left !== undefined && left === networkName(b);
}

/** The project named in a network URL or path, if any. */
export function networkProject(network: string | undefined): string | undefined {
  return network ? /(?:^|\/)projects\/([^/]+)\//.exec(network)?.[1] : undefined;
}

// ---- targets ----------------------------------------------------------------------------

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * GKE tags every node `gke-<cluster>-<hash>-node` and names its control-plane rule
 * `gke-<cluster>-<hash>-master`. The hash is not in the cluster data, so any hexadecimal hash
 * is accepted.
 */
export function isGkeNodeTag(tag: string, clusterName: string): boolean {
  return new RegExp(`^gke-${escapeRegExp(clusterName)}-[0-9a-f]+-node$`).test(tag);
}

export function isGkeMasterRule(rule: FirewallRule, clusterName: string): boolean {
  return new RegExp(`^gke-${escapeRegExp(clusterName)}-[0-9a-f]+-master$`).test(rule.name);
}

/** The default Compute Engine service account, `PROJECT_NUMBER-compute@developer.gserviceaccount.com`. */
const DEFAULT_COMPUTE_SERVICE_ACCOUNT = /^\d+-compute@developer\.gserviceaccount\.com$/i;

/**
 * What identifies the cluster's nodes to the firewall. A pool without a service account (or
 * `default`) runs as the project's default Compute Engine service account; its project number is
 * not in the cluster data, so any `NUMBER-compute@developer.gserviceaccount.com` matches it.
 */
export interface NodeTargets {
  readonly clusterName: string;
  /** The node pools' network tags (GKE's own `gke-<cluster>-<hash>-node` is matched by pattern). */
  readonly tags: ReadonlySet<string>;
  /** The node pools' service accounts, lower-cased, other than the default one. */
  readonly serviceAccounts: ReadonlySet<string>;
  readonly usesDefaultServiceAccount: boolean;
}

export function nodeTargets(
  clusterName: string,
  pools: readonly { tags?: readonly string[] | undefined; serviceAccount?: string | undefined }[],
): NodeTargets {
  const tags = new Set<string>();
  const serviceAccounts = new Set<string>();
  let usesDefaultServiceAccount = false;
  for (const pool of pools) {
    for (const tag of pool.tags ?? []) tags.add(tag);
    const account = pool.serviceAccount?.trim().toLowerCase();
    if (account === undefined || account === '' || account === 'default') usesDefaultServiceAccount = true;
    else serviceAccounts.add(account);
  }
  return { clusterName, tags, serviceAccounts, usesDefaultServiceAccount };
}

/** Whether a rule applies to (some of) the cluster's nodes. Empty targets apply to every instance. */
export function targetsNodes(rule: FirewallRule, nodes: NodeTargets): boolean {
  const tags = rule.targetTags ?? [];
  const accounts = rule.targetServiceAccounts ?? [];
  if (tags.length === 0 && accounts.length === 0) return true;
  if (tags.some((tag) => nodes.tags.has(tag) || isGkeNodeTag(tag, nodes.clusterName))) return true;
  return accounts.some((raw) => {
    const account = raw.trim().toLowerCase();
    return (
      nodes.serviceAccounts.has(account) ||
      (nodes.usesDefaultServiceAccount && DEFAULT_COMPUTE_SERVICE_ACCOUNT.test(account))
    );
  });
}

/** GKE's node tag as some rule of the network targets it, for a new rule aimed at the nodes. */
export function knownGkeNodeTag(rules: readonly FirewallRule[], clusterName: string): string | undefined {
  for (const rule of rules) {
    const tag = (rule.targetTags ?? []).find((t) => isGkeNodeTag(t, clusterName));
    if (tag) return tag;
  }
  return undefined;
}

// ---- evaluation -------------------------------------------------------------------------

export interface IngressQuery {
  readonly network: string;
  /** The control-plane CIDR, e.g. 172.16.0.0/28. */
  readonly source: Ipv4Range;
  readonly port: number;
  readonly nodes: NodeTargets;
}

export interface IngressVerdict {
  readonly open: boolean;
  /** Enabled ALLOW rules that match the traffic, lowest priority number first. */
  readonly allows: readonly FirewallRule[];
  /** When no allow wins: the DENY that overrides the best matching allow. */
  readonly blockingDeny: FirewallRule | undefined;
  /** Enabled INGRESS rules of the network that were considered. */
  readonly rulesOnNetwork: readonly FirewallRule[];
}

export function priorityOf(rule: FirewallRule): number {
  return rule.priority ?? DEFAULT_PRIORITY;
}

export function isIngress(rule: FirewallRule): boolean {
  return (rule.direction ?? 'INGRESS').toUpperCase() === 'INGRESS';
}

export function isActive(rule: FirewallRule): boolean {
  return rule.disabled !== true;
}

/** Source ranges of an ingress rule; none and no source tags means every source. */
function sourceRanges(rule: FirewallRule): Ipv4Range[] {
  const ranges = rule.sourceRanges ?? [];
  if (ranges.length === 0 && (rule.sourceTags ?? []).length === 0) return [{ first: 0, last: 2 ** 32 - 1 }];
  return ranges.map(parseIpv4Cidr).filter((r): r is Ipv4Range => r !== undefined);
}

function allowMatches(rule: FirewallRule, query: IngressQuery): boolean {
  return (
    sourceRanges(rule).some((range) => rangeContains(range, query.source)) &&
    targetsNodes(rule, query.nodes) &&
    (rule.allowed ?? []).some((p) => permissionCoversTcp(p, query.port))
  );
}

function denyMatches(rule: FirewallRule, query: IngressQuery): boolean {
  return (
    sourceRanges(rule).some((range) => rangesOverlap(range, query.source)) &&
    targetsNodes(rule, query.nodes) &&
    (rule.denied ?? []).some((p) => permissionCoversTcp(p, query.port))
  );
}

/** Whether the control plane can reach the nodes on the port, and which rules decide it. */
export function evaluateIngress(rules: readonly FirewallRule[], query: IngressQuery): IngressVerdict {
  const rulesOnNetwork = rules.filter(
    (rule) => isActive(rule) && isIngress(rule) && sameNetwork(rule.network, query.network),
  );
  const byPriority = (a: FirewallRule, b: FirewallRule) =>
    priorityOf(a) - priorityOf(b) || a.name.localeCompare(b.name);
  const allows = rulesOnNetwork.filter((rule) => allowMatches(rule, query)).sort(byPriority);
  const denies = rulesOnNetwork.filter((rule) => denyMatches(rule, query)).sort(byPriority);
  const best = allows[0];
  const firstDeny = denies[0];
  const blockingDeny = best && firstDeny && priorityOf(firstDeny) <= priorityOf(best) ? firstDeny : undefined;
  return { open: best !== undefined && blockingDeny === undefined, allows, blockingDeny, rulesOnNetwork };
}
