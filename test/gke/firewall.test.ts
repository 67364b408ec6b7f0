import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateIngress,
  type IngressQuery,
  isGkeMasterRule,
  isGkeNodeTag,
  knownGkeNodeTag,
  networkName,
  networkProject,
  nodeTargets,
  parseIpv4Cidr,
  permissionCoversTcp,
  permissionItems,
  portSpecCovers,
  rangeContains,
  rangesOverlap,
  sameNetwork,
  targetsNodes,
} from '../../src/gke/firewall.ts';
import type { FirewallRule } from '../../src/snapshot/model.ts';

const NETWORK_URL = 'https://www.googleapis.com/compute/v1/projects/acme-prod/global/networks/default';

function cidr(text: string) {
  const range = parseIpv4Cidr(text);
  if (!range) throw new Error(`bad test CIDR ${text}`);
  return range;
}

function rule(overrides: Partial<FirewallRule> = {}): FirewallRule {
  return {
    name: 'allow-webhook',
    network: NETWORK_URL,
    direction: 'INGRESS',
    priority: 1000,
    sourceRanges: ['172.16.0.0/28'],
    allowed: [{ IPProtocol: 'tcp', ports: ['15017'] }],
    ...overrides,
  };
}

const nodes = nodeTargets('shop-prod', [
  { tags: ['web'], serviceAccount: 'nodes@acme-prod.iam.gserviceaccount.com' },
]);
const query: IngressQuery = { network: 'default', source: cidr('172.16.0.0/28'), port: 15017, nodes };

describe('IPv4 CIDRs', () => {
  it('parses CIDRs and bare addresses', () => {
    expect(parseIpv4Cidr('10.0.0.0/8')).toEqual({ first: 10 * 2 ** 24, last: 11 * 2 ** 24 - 1 });
    expect(parseIpv4Cidr('172.16.0.5')).toEqual(parseIpv4Cidr('172.16.0.5/32'));
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ first: 0, last: 2 ** 32 - 1 });
  });

  it('normalises host bits away', () => {
    expect(parseIpv4Cidr('172.16.0.7/28')).toEqual(parseIpv4Cidr('172.16.0.0/28'));
  });

  it.each(['::/0', '10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', 'default', ''])('rejects %j', (text) => {
    expect(parseIpv4Cidr(text)).toBeUndefined();
  });

  it('a source CIDR containing the control-plane CIDR contains it, a narrower one does not', () => {
    expect(rangeContains(cidr('172.16.0.0/16'), cidr('172.16.0.0/28'))).toBe(true);
    expect(rangeContains(cidr('172.16.0.0/28'), cidr('172.16.0.0/28'))).toBe(true);
    expect(rangeContains(cidr('172.16.0.0/29'), cidr('172.16.0.0/28'))).toBe(false);
    expect(rangesOverlap(cidr('172.16.0.0/29'), cidr('172.16.0.0/28'))).toBe(true);
    expect(rangesOverlap(cidr('172.16.1.0/29'), cidr('172.16.0.0/28'))).toBe(false);
  });

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));

  it('contains exactly the prefixes at least as long (property)', () => {
    fc.assert(
      fc.property(ipv4, fc.nat(32), fc.nat(32), (address, a, b) => {
        const outer = cidr(`${address}/${Math.min(a, b)}`);
        const inner = cidr(`${address}/${Math.max(a, b)}`);
        expect(rangeContains(outer, inner)).toBe(true);
        expect(rangeContains(inner, outer)).toBe(a === b);
        expect(rangesOverlap(inner, outer)).toBe(true);
      }),
    );
  });

  it('containment is transitive (property)', () => {
    fc.assert(
      fc.property(ipv4, fc.nat(32), fc.nat(32), fc.nat(32), (address, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((m, n) => m - n).map((p) => cidr(`${address}/${p}`)) as [
          ReturnType<typeof cidr>,
          ReturnType<typeof cidr>,
          ReturnType<typeof cidr>,
        ];
        if (rangeContains(a, b) && rangeContains(b, c)) expect(rangeContains(a, c)).toBe(true);
      }),
    );
  });
});

describe('ports and protocols', () => {
  it.each([
    ['15017', true],
    ['15000-16000', true],
    ['15017-15017', true],
    ['443', false],
    ['15018-15020', false],
    ['1-15016', false],
    ['abc', false],
  ])('port spec %j covers 15017: %s', (spec, covers) => {
    expect(portSpecCovers(spec, 15017)).toBe(covers);
  });

  it('a range covers exactly the ports between its bounds (property)', () => {
    fc.assert(
      fc.property(fc.nat(65535), fc.nat(65535), fc.nat(65535), (a, b, port) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(portSpecCovers(`${low}-${high}`, port)).toBe(low <= port && port <= high);
      }),
    );
  });

  it('empty ports mean every port; protocol all covers TCP; udp does not', () => {
    expect(permissionCoversTcp({ IPProtocol: 'tcp' }, 15017)).toBe(true);
    expect(permissionCoversTcp({ IPProtocol: 'tcp', ports: [] }, 15017)).toBe(true);
    expect(permissionCoversTcp({ IPProtocol: 'all' }, 15017)).toBe(true);
    expect(permissionCoversTcp({ IPProtocol: '6', ports: ['15017'] }, 15017)).toBe(true);
    expect(permissionCoversTcp({ IPProtocol: 'udp' }, 15017)).toBe(false);
    expect(permissionCoversTcp({ IPProtocol: 'tcp', ports: ['443', '10250'] }, 15017)).toBe(false);
  });

  it('prints permissions as gcloud --allow items', () => {
    expect(permissionItems([{ IPProtocol: 'tcp', ports: ['443', '10250'] }, { IPProtocol: 'icmp' }])).toEqual(
      ['tcp:443', 'tcp:10250', 'icmp'],
    );
  });
});

describe('networks', () => {
  it('matches a full URL, a partial path and a short name by network name', () => {
    expect(networkName(NETWORK_URL)).toBe('default');
    expect(sameNetwork(NETWORK_URL, 'default')).toBe(true);
    expect(sameNetwork('projects/host/global/networks/shared-vpc', 'shared-vpc')).toBe(true);
    expect(sameNetwork(NETWORK_URL.replace('default', 'other'), 'default')).toBe(false);
    expect(sameNetwork(undefined, 'default')).toBe(false);
  });

  it('reads the project of a network URL', () => {
    expect(networkProject(NETWORK_URL)).toBe('acme-prod');
    expect(networkProject('default')).toBeUndefined();
  });
});

describe('targets', () => {
  it("recognises GKE's node tag and master rule by pattern", () => {
    expect(isGkeNodeTag('gke-shop-prod-3f2a9c1b-node', 'shop-prod')).toBe(true);
    expect(isGkeNodeTag('gke-shop-prod-3f2a9c1b-node', 'shop')).toBe(false);
    expect(isGkeNodeTag('gke-shop-prod-3f2a9c1b-master', 'shop-prod')).toBe(false);
    expect(isGkeMasterRule(rule({ name: 'gke-shop-prod-3f2a9c1b-master' }), 'shop-prod')).toBe(true);
    expect(isGkeMasterRule(rule({ name: 'gke-shop-prod-3f2a9c1b-all' }), 'shop-prod')).toBe(false);
  });

  it('does not treat regex characters of a cluster name as patterns', () => {
    expect(isGkeNodeTag('gke-aXb-12-node', 'a.b')).toBe(false);
  });

  it('targetTags empty, matching a pool tag, the GKE node tag, or foreign', () => {
    expect(targetsNodes(rule(), nodes)).toBe(true);
    expect(targetsNodes(rule({ targetTags: [] }), nodes)).toBe(true);
    expect(targetsNodes(rule({ targetTags: ['web'] }), nodes)).toBe(true);
    expect(targetsNodes(rule({ targetTags: ['gke-shop-prod-3f2a9c1b-node'] }), nodes)).toBe(true);
    expect(targetsNodes(rule({ targetTags: ['bastion'] }), nodes)).toBe(false);
    expect(targetsNodes(rule({ targetTags: ['gke-other-3f2a9c1b-node'] }), nodes)).toBe(false);
  });

  it("targetServiceAccounts match the pools' accounts, case-insensitively", () => {
    expect(
      targetsNodes(rule({ targetServiceAccounts: ['Nodes@acme-prod.iam.gserviceaccount.com'] }), nodes),
    ).toBe(true);
    expect(
      targetsNodes(rule({ targetServiceAccounts: ['other@acme-prod.iam.gserviceaccount.com'] }), nodes),
    ).toBe(false);
  });

  it('a pool without a service account runs as the default compute account', () => {
    const defaultNodes = nodeTargets('shop-prod', [{ tags: [] }, { serviceAccount: 'default' }]);
    expect(defaultNodes.usesDefaultServiceAccount).toBe(true);
    const toDefault = rule({ targetServiceAccounts: ['123456789012-compute@developer.gserviceaccount.com'] });
    expect(targetsNodes(toDefault, defaultNodes)).toBe(true);
    expect(targetsNodes(toDefault, nodes)).toBe(false);
  });

  it("finds GKE's node tag among the network's rules", () => {
    expect(
      knownGkeNodeTag([rule(), rule({ targetTags: ['gke-shop-prod-3f2a9c1b-node'] })], 'shop-prod'),
    ).toBe('gke-shop-prod-3f2a9c1b-node');
    expect(knownGkeNodeTag([rule()], 'shop-prod')).toBeUndefined();
  });
});

describe('ingress evaluation (SPEC §6)', () => {
  it('is open with a matching allow', () => {
    const verdict = evaluateIngress([rule()], query);
    expect(verdict.open).toBe(true);
    expect(verdict.allows.map((r) => r.name)).toEqual(['allow-webhook']);
  });

  it('ignores disabled rules, egress rules and other networks', () => {
    expect(evaluateIngress([rule({ disabled: true })], query).open).toBe(false);
    expect(evaluateIngress([rule({ direction: 'EGRESS' })], query).open).toBe(false);
    expect(evaluateIngress([rule({ network: NETWORK_URL.replace('default', 'other') })], query).open).toBe(
      false,
    );
  });

  it('treats a missing direction as INGRESS and a missing priority as 1000', () => {
    const { direction: _direction, priority: _priority, ...bare } = rule();
    const deny = rule({ name: 'deny', allowed: undefined, denied: [{ IPProtocol: 'all' }], priority: 1000 });
    expect(evaluateIngress([bare], query).open).toBe(true);
    expect(evaluateIngress([bare, deny], query).blockingDeny?.name).toBe('deny');
  });

  it('a DENY with a lower priority number blocks; one with a higher number does not', () => {
    const deny = (priority: number) =>
      rule({ name: `deny-${priority}`, allowed: undefined, denied: [{ IPProtocol: 'tcp' }], priority });
    expect(evaluateIngress([rule(), deny(900)], query)).toMatchObject({ open: false });
    expect(evaluateIngress([rule(), deny(1100)], query)).toMatchObject({ open: true });
  });

  it('a DENY wins a priority tie', () => {
    const deny = rule({
      name: 'deny-tie',
      allowed: undefined,
      denied: [{ IPProtocol: 'tcp', ports: ['15017'] }],
    });
    const verdict = evaluateIngress([rule(), deny], query);
    expect(verdict.open).toBe(false);
    expect(verdict.blockingDeny?.name).toBe('deny-tie');
  });

  it('a DENY overlapping only part of the control-plane CIDR still blocks', () => {
    const deny = rule({
      name: 'deny-part',
      allowed: undefined,
      denied: [{ IPProtocol: 'all' }],
      sourceRanges: ['172.16.0.8/29'],
    });
    expect(evaluateIngress([rule(), deny], query).open).toBe(false);
  });

  it('a DENY on other ports or other targets does not block', () => {
    const otherPort = rule({
      name: 'deny-ssh',
      allowed: undefined,
      denied: [{ IPProtocol: 'tcp', ports: ['22'] }],
    });
    const otherTarget = rule({
      name: 'deny-db',
      allowed: undefined,
      denied: [{ IPProtocol: 'all' }],
      targetTags: ['db'],
    });
    expect(evaluateIngress([rule(), otherPort, otherTarget], query).open).toBe(true);
  });

  it('a better allow outranks a DENY that only beats a worse allow', () => {
    const deny = rule({ name: 'deny', allowed: undefined, denied: [{ IPProtocol: 'tcp' }], priority: 500 });
    expect(evaluateIngress([rule({ priority: 400 }), deny], query).open).toBe(true);
  });

  it('an allow from a narrower source range does not open the port', () => {
    expect(evaluateIngress([rule({ sourceRanges: ['172.16.0.0/29'] })], query).open).toBe(false);
  });

  it('an allow with source tags only does not come from the control plane', () => {
    expect(evaluateIngress([rule({ sourceRanges: undefined, sourceTags: ['bastion'] })], query).open).toBe(
      false,
    );
  });

  it('an allow with no source at all applies to every source', () => {
    expect(evaluateIngress([rule({ sourceRanges: undefined })], query).open).toBe(true);
  });

  it('allows through a port range, protocol all, or tcp with empty ports', () => {
    expect(
      evaluateIngress([rule({ allowed: [{ IPProtocol: 'tcp', ports: ['15000-15100'] }] })], query).open,
    ).toBe(true);
    expect(evaluateIngress([rule({ allowed: [{ IPProtocol: 'all' }] })], query).open).toBe(true);
    expect(evaluateIngress([rule({ allowed: [{ IPProtocol: 'tcp', ports: [] }] })], query).open).toBe(true);
    expect(
      evaluateIngress([rule({ allowed: [{ IPProtocol: 'tcp', ports: ['443', '10250'] }] })], query).open,
    ).toBe(false);
  });

  it('open iff the best allow has a lower priority number than every matching deny (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 4 }),
        (allowPriorities, denyPriorities) => {
          const rules = [
            ...allowPriorities.map((priority, i) => rule({ name: `allow-${i}`, priority })),
            ...denyPriorities.map((priority, i) =>
              rule({ name: `deny-${i}`, priority, allowed: undefined, denied: [{ IPProtocol: 'tcp' }] }),
            ),
          ];
          const expected =
            allowPriorities.length > 0 &&
            (denyPriorities.length === 0 || Math.min(...allowPriorities) < Math.min(...denyPriorities));
          expect(evaluateIngress(rules, query).open).toBe(expected);
        },
      ),
    );
  });
});
