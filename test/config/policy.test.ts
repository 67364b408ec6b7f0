import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { anyGlob, globMatcher } from '../../src/config/glob.ts';
import { scanPolicy } from '../../src/config/policy.ts';
import type { MeshreadyConfig } from '../../src/config/schema.ts';
import { isExpired, utcDay } from '../../src/config/suppressions.ts';
import type { Finding, Report } from '../../src/engine/report-model.ts';
import { runRules } from '../../src/engine/runner.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { gkeCluster, namespace, service } from '../helpers/objects.ts';

const NOW = new Date('2026-11-25T10:00:00Z');

const DOCUMENTS = [
  gkeCluster(),
  namespace('shop', { 'istio-injection': 'enabled' }),
  namespace('sandbox-1', { 'istio-injection': 'enabled' }),
  namespace('legacy'),
  service('shop', 'cart', [{ port: 8080 }]),
  service('shop', 'search', [{ name: 'web', port: 9200 }]),
  service('sandbox-1', 'web', [{ name: 'web', port: 80 }]),
  service('legacy', 'soap', [{ name: 'soap', port: 8081 }], {
    annotations: {
      'meshready.dev/ignore': 'namespace-injection-labels, service-port-naming',
      'meshready.dev/ignore-reason': 'SOAP gateway retired in Q1',
    },
  }),
  service('legacy', 'ftp', [{ name: 'ftp', port: 21 }], {
    annotations: { 'meshready.dev/ignore': 'service-port-naming' },
  }),
];

function scan(config: MeshreadyConfig | undefined, options: { now?: Date; annotations?: boolean } = {}) {
  const policy = scanPolicy(config, snapshotFromDocuments({ documents: DOCUMENTS }), {
    now: options.now ?? NOW,
    annotationExemptions: options.annotations ?? true,
  });
  const report = runRules(policy.snapshot, {
    rules: RULES,
    target: 'istio-1.6',
    toolVersion: 'test',
    now: options.now ?? NOW,
    ...policy.runOptions,
  });
  return { policy, report };
}

function findingsOf(report: Report, ruleId: string): Finding[] {
  return report.results.find((r) => r.ruleId === ruleId)?.findings ?? [];
}

function names(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.resource.namespace ?? ''}/${f.resource.name}`);
}

describe('globs', () => {
  it('matches * and ? and nothing else specially', () => {
    expect(globMatcher('sandbox-*')('sandbox-1')).toBe(true);
    expect(globMatcher('sandbox-*')('sandbox-')).toBe(true);
    expect(globMatcher('sandbox-*')('my-sandbox-1')).toBe(false);
    expect(globMatcher('team-?')('team-a')).toBe(true);
    expect(globMatcher('team-?')('team-ab')).toBe(false);
    expect(globMatcher('a.b')('axb')).toBe(false);
    expect(globMatcher('(x)+')('(x)+')).toBe(true);
    expect(globMatcher('Service')('service')).toBe(false);
    expect(globMatcher('a*a')('a')).toBe(false);
    expect(globMatcher('*')('')).toBe(true);
    expect(globMatcher('**')('x')).toBe(true);
    expect(anyGlob([])('anything')).toBe(false);
    expect(anyGlob(['a', 'b*'])('bee')).toBe(true);
  });

  it('agrees with the equivalent regular expression on every short glob and name', () => {
    const alphabet = ['a', 'b', '*', '?'];
    const words = (length: number, letters: readonly string[]): string[] =>
      length === 0 ? [''] : words(length - 1, letters).flatMap((w) => letters.map((l) => w + l));
    const globs = [0, 1, 2, 3, 4].flatMap((n) => words(n, alphabet));
    const names = [0, 1, 2, 3, 4, 5].flatMap((n) => words(n, ['a', 'b']));
    for (const glob of globs) {
      const regExp = new RegExp(`^${glob.replaceAll('*', '.*').replaceAll('?', '.')}$`);
      const matches = globMatcher(glob);
      for (const name of names) expect(matches(name), `${glob} ~ ${name}`).toBe(regExp.test(name));
    }
  });

  it('matches a backtracking-bomb glob against a long name at once (no ReDoS)', () => {
    const started = performance.now();
    const glob = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
    expect(globMatcher(glob)('a'.repeat(60))).toBe(false);
    expect(globMatcher(glob)('a'.repeat(100_000))).toBe(false);
    expect(anyGlob([glob])(`${'a'.repeat(59)}b`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('expiry uses the scan clock, through the whole expiry day in UTC', () => {
  const entry = { rule: 'service-port-naming', reason: 'r', expires: '2026-11-25' };
  it('applies on the expiry day and expires the day after', () => {
    expect(utcDay(new Date('2026-11-25T23:59:59Z'))).toBe('2026-11-25');
    expect(isExpired(entry, new Date('2026-11-25T23:59:59Z'))).toBe(false);
    expect(isExpired(entry, new Date('2026-11-26T00:00:00Z'))).toBe(true);
    expect(isExpired({ rule: 'x', reason: 'no date' }, new Date('2999-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('scanPolicy with the runner', () => {
  it('without configuration, only annotation exemptions suppress', () => {
    const { report } = scan(undefined);
    const ports = findingsOf(report, 'service-port-naming');
    expect(names(ports)).toEqual(['legacy/ftp', 'legacy/soap', 'sandbox-1/web', 'shop/cart', 'shop/search']);
    const suppressed = ports.filter((f) => f.suppressed);
    expect(names(suppressed)).toEqual(['legacy/ftp', 'legacy/soap']);
    expect(suppressed[1]?.suppressed).toEqual({ reason: 'SOAP gateway retired in Q1', source: 'annotation' });
    // No ignore-reason annotation: still exempt, and the report says that no reason was given.
    expect(suppressed[0]?.suppressed?.reason).toMatch(/no reason given/);
    expect(report.summary.suppressed).toBe(2);
  });

  it('--no-annotation-exemptions makes annotated objects count again', () => {
    const { report } = scan(undefined, { annotations: false });
    expect(findingsOf(report, 'service-port-naming').filter((f) => f.suppressed)).toEqual([]);
    expect(report.summary.suppressed).toBe(0);
  });

  it('an annotation exempts only the rules it names, and only on its own object', () => {
    const { report } = scan(undefined);
    // legacy has no injection label: the annotation on a Service cannot exempt a Namespace finding.
    const namespaces = findingsOf(report, 'namespace-injection-labels');
    expect(names(namespaces)).toEqual(['/sandbox-1', '/shop']);
    expect(namespaces.every((f) => f.suppressed === undefined)).toBe(true);
  });

  it('excludeNamespaces removes the objects before the rules run, Namespace objects included', () => {
    const { report, policy } = scan({ excludeNamespaces: ['sandbox-*'] });
    expect(names(findingsOf(report, 'service-port-naming'))).not.toContain('sandbox-1/web');
    expect(names(findingsOf(report, 'namespace-injection-labels'))).toEqual(['/shop']);
    expect(policy.snapshot.kube.services.map((s) => s.metadata.name)).not.toContain('web');
    expect(policy.snapshot.kube.namespaces.map((n) => n.metadata.name)).toEqual(['shop', 'legacy']);
  });

  it('a severity override changes the rule and its findings; off removes the rule', () => {
    const { report } = scan({
      rules: { 'service-port-naming': 'error', 'namespace-injection-labels': 'off' },
    });
    expect(report.results.map((r) => r.ruleId)).not.toContain('namespace-injection-labels');
    const ports = report.results.find((r) => r.ruleId === 'service-port-naming');
    expect(ports?.severity).toBe('error');
    expect(ports?.findings.filter((f) => !f.suppressed).every((f) => f.severity === 'error')).toBe(true);
    expect(report.verdict).toBe('not-ready');
  });

  it('suppressions match rule and namespace/kind/name globs, and carry reason, owner and expiry', () => {
    const { report, policy } = scan({
      suppressions: [
        {
          rule: 'service-port-naming',
          namespace: 'shop',
          kind: 'Serv*',
          name: 'c?rt',
          reason: 'TCP-only legacy service',
          owner: 'team-shop@example.com',
          expires: '2026-12-31',
        },
        { rule: 'namespace-injection-labels', namespace: 'sandbox-*', reason: 'sandboxes move last' },
        // The right object but the wrong rule: suppresses nothing.
        { rule: 'namespace-injection-labels', name: 'search', reason: 'wrong rule' },
      ],
    });
    expect(policy.expiredSuppressions).toEqual([]);
    const cart = findingsOf(report, 'service-port-naming').find((f) => f.resource.name === 'cart');
    expect(cart?.suppressed).toEqual({
      reason: 'TCP-only legacy service',
      owner: 'team-shop@example.com',
      expires: '2026-12-31',
      source: 'config',
    });
    const search = findingsOf(report, 'service-port-naming').find((f) => f.resource.name === 'search');
    expect(search?.suppressed).toBeUndefined();
    // A Namespace counts as being in itself, so `namespace:` globs select Namespace findings too.
    const sandbox = findingsOf(report, 'namespace-injection-labels').find(
      (f) => f.resource.name === 'sandbox-1',
    );
    expect(sandbox?.suppressed?.reason).toBe('sandboxes move last');
  });

  it('suppressed findings do not count toward the verdict', () => {
    const config: MeshreadyConfig = {
      rules: { 'service-port-naming': 'off' },
      suppressions: [{ rule: 'namespace-injection-labels', reason: 'accepted for now' }],
    };
    const { report } = scan(config);
    expect(findingsOf(report, 'namespace-injection-labels').every((f) => f.suppressed)).toBe(true);
    expect(report.summary.findings).toEqual({ error: 0, warning: 0, info: 0 });
    expect(report.verdict).toBe('ready');
  });

  it('config suppressions win over annotations (they carry owner and expiry)', () => {
    const { report } = scan({
      suppressions: [
        { rule: 'service-port-naming', namespace: 'legacy', reason: 'from config', owner: 'ops' },
      ],
    });
    const soap = findingsOf(report, 'service-port-naming').find((f) => f.resource.name === 'soap');
    expect(soap?.suppressed).toMatchObject({ reason: 'from config', owner: 'ops', source: 'config' });
  });

  it('an expired suppression stops applying and is reported', () => {
    const config: MeshreadyConfig = {
      suppressions: [
        {
          rule: 'service-port-naming',
          name: 'cart',
          reason: 'until end of year',
          owner: 'shop',
          expires: '2026-12-31',
        },
      ],
    };
    const before = scan(config, { now: new Date('2026-12-31T23:00:00Z') });
    expect(before.policy.expiredSuppressions).toEqual([]);
    expect(
      findingsOf(before.report, 'service-port-naming').find((f) => f.resource.name === 'cart')?.suppressed,
    ).toBeDefined();
    const after = scan(config, { now: new Date('2027-01-01T00:00:01Z') });
    expect(after.policy.expiredSuppressions).toEqual([
      { rule: 'service-port-naming', reason: 'until end of year', owner: 'shop', expires: '2026-12-31' },
    ]);
    expect(
      findingsOf(after.report, 'service-port-naming').find((f) => f.resource.name === 'cart')?.suppressed,
    ).toBeUndefined();
  });
});
