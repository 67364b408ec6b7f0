/**
 * The report as the HTML and Markdown templates see it (src/report/report-view.ts): groupings,
 * orderings, counts and labels, on small reports built by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOGUE } from '../../src/cli/rule-catalogue.ts';
import type { Finding } from '../../src/engine/report-model.ts';
import {
  buildReportView,
  CLUSTER_SCOPE_LABEL,
  DEFERRED_BLOCK_FINDINGS,
  describeResource,
  highestSeverity,
  type NamespaceGroupView,
  SHOWN_FINDINGS_PER_RULE,
  SHOWN_NAMESPACE_ROWS,
  standaloneMessage,
  withPeriod,
} from '../../src/report/report-view.ts';
import { failing, makeFinding, reportFrom } from './reports.ts';

const SUPPRESSION = {
  reason: 'legacy TCP service',
  owner: 'team-shop@example.com',
  source: 'config' as const,
};

function port(
  namespace: string,
  name: string,
  extra: Partial<Parameters<typeof makeFinding>[1]> = {},
): Finding {
  return makeFinding('service-port-naming', { namespace, name, ...extra });
}

function label(name: string, severity: 'error' | 'warning' | 'info' = 'error'): Finding {
  return makeFinding('namespace-injection-labels', {
    kind: 'Namespace',
    name,
    severity,
    message: `Namespace ${name} still uses istio-injection=enabled.`,
  });
}

/** shop: 2 open + 1 suppressed port findings, legacy: 1 error; three cluster-scoped namespaces. */
function smallReport() {
  return reportFrom([
    failing('service-port-naming', [
      port('shop', 'cart', { commands: ['kubectl edit service -n shop cart', '# port 80: name it'] }),
      port('legacy', 'soap', { severity: 'error', file: 'snapshot/services.yaml', line: 42 }),
      port('shop', 'web', { severity: 'info' }),
      port('shop', 'tcp-db', { suppressed: SUPPRESSION }),
    ]),
    failing(
      'namespace-injection-labels',
      [label('shop'), label('legacy'), label('batch', 'warning')],
      'error',
    ),
    failing('mixer-custom-config', []),
  ]);
}

const ids = (groups: readonly NamespaceGroupView[]) => groups.map((g) => g.namespace);

describe('buildReportView', () => {
  it('counts open and suppressed findings and keeps suppressed ones out of the rule groups', () => {
    const view = buildReportView(smallReport(), RULE_CATALOGUE);
    expect(view.totalFindings).toBe(7);
    expect(view.openFindings).toBe(6);
    expect(view.suppressed.map((f) => f.resource)).toEqual(['Service shop/tcp-db']);
    expect(view.suppressed[0]?.suppressed?.reason).toBe('legacy TCP service');
    const ports = view.ruleGroups.find((g) => g.ruleId === 'service-port-naming');
    expect(ports?.findingCount).toBe(3);
    expect(ports?.namespaces.flatMap((g) => g.findings.map((f) => f.resource))).not.toContain(
      'Service shop/tcp-db',
    );
  });

  it('has a rule group only for rules with open findings, in report order', () => {
    const view = buildReportView(smallReport(), RULE_CATALOGUE);
    expect(view.ruleGroups.map((g) => g.ruleId)).toEqual([
      'service-port-naming',
      'namespace-injection-labels',
    ]);
    expect(view.rules.map((r) => r.ruleId)).toEqual([
      'service-port-naming',
      'namespace-injection-labels',
      'mixer-custom-config',
    ]);
    expect(view.rules[2]?.findingsAnchor).toBeUndefined();
    expect(view.rules[0]?.findingsAnchor).toBe(view.ruleGroups[0]?.anchor);
  });

  it('groups a rule’s findings by namespace in the order each namespace first appears', () => {
    const [ports, labels] = buildReportView(smallReport(), RULE_CATALOGUE).ruleGroups;
    expect(ids(ports?.namespaces ?? [])).toEqual(['shop', 'legacy']);
    expect(ports?.namespaces[0]?.findings.map((f) => f.resource)).toEqual([
      'Service shop/cart',
      'Service shop/web',
    ]);
    // Namespaces themselves are cluster-scoped objects.
    expect(ids(labels?.namespaces ?? [])).toEqual([CLUSTER_SCOPE_LABEL]);
    const anchors = [ports, labels].flatMap((g) => [
      g?.anchor,
      ...(g?.namespaces ?? []).map((n) => n.anchor),
    ]);
    expect(new Set(anchors).size).toBe(anchors.length);
    for (const anchor of anchors) expect(anchor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('badges a group with its highest open severity and lists the severities present', () => {
    const [ports, labels] = buildReportView(smallReport(), RULE_CATALOGUE).ruleGroups;
    expect(ports?.badgeSeverity).toBe('error');
    expect([...(ports?.severities ?? [])].sort()).toEqual(['error', 'info', 'warning']);
    expect(labels?.badgeSeverity).toBe('error');
  });

  it('orders the namespace table by errors, then total, then name, with per-severity counts', () => {
    const view = buildReportView(
      reportFrom([
        failing('service-port-naming', [
          port('b', 's1'),
          port('b', 's2'),
          port('a', 's1'),
          port('a', 's2'),
          port('c', 's1', { severity: 'error' }),
          port('d', 's1', { severity: 'info' }),
        ]),
      ]),
      RULE_CATALOGUE,
    );
    expect(view.namespaceRows.map((r) => r.namespace)).toEqual(['c', 'a', 'b', 'd']);
    expect(view.namespaceRows.map((r) => [r.error, r.warning, r.info, r.total])).toEqual([
      [1, 0, 0, 1],
      [0, 2, 0, 2],
      [0, 2, 0, 2],
      [0, 0, 1, 1],
    ]);
    const a = view.namespaceRows[1];
    expect(a?.rules).toEqual([
      { ruleId: 'service-port-naming', anchor: view.ruleGroups[0]?.namespaces[1]?.anchor, findings: 2 },
    ]);
    // The filter's namespace list is alphabetical.
    expect(view.namespaces).toEqual(['a', 'b', 'c', 'd']);
  });

  it('sums a namespace over rules in the namespace table', () => {
    const view = buildReportView(
      reportFrom([
        failing('service-port-naming', [port('shop', 'cart')]),
        failing(
          'v1alpha1-security-policy',
          [
            makeFinding('v1alpha1-security-policy', {
              kind: 'Policy',
              namespace: 'shop',
              name: 'p',
              severity: 'error',
            }),
          ],
          'error',
        ),
      ]),
      RULE_CATALOGUE,
    );
    expect(view.namespaceRows).toHaveLength(1);
    expect(view.namespaceRows[0]).toMatchObject({ namespace: 'shop', error: 1, warning: 1, total: 2 });
    expect(view.namespaceRows[0]?.rules.map((r) => r.ruleId)).toEqual([
      'service-port-naming',
      'v1alpha1-security-policy',
    ]);
  });

  it('shows fail, note (info only), suppressed (all suppressed) and mutes the severity of rules with nothing open', () => {
    const view = buildReportView(
      reportFrom([
        failing('service-port-naming', [port('shop', 'web', { severity: 'info' })]),
        failing('namespace-injection-labels', [label('shop')], 'error'),
        failing('v1alpha1-security-policy', [
          makeFinding('v1alpha1-security-policy', {
            kind: 'Policy',
            namespace: 'x',
            name: 'p',
            suppressed: SUPPRESSION,
          }),
        ]),
        failing('mixer-custom-config', []),
      ]),
      RULE_CATALOGUE,
    );
    const row = (id: string) => view.rules.find((r) => r.ruleId === id);
    expect(row('service-port-naming')).toMatchObject({ shownStatus: 'note', statusLabel: 'note', open: 1 });
    expect(row('namespace-injection-labels')).toMatchObject({ shownStatus: 'fail', badgeSeverity: 'error' });
    expect(row('v1alpha1-security-policy')).toMatchObject({
      status: 'fail',
      shownStatus: 'suppressed',
      open: 0,
      suppressed: 1,
      severityMuted: true,
    });
    expect(row('mixer-custom-config')).toMatchObject({ shownStatus: 'pass', severityMuted: true });
    expect(row('namespace-injection-labels')?.severityMuted).toBe(false);
    expect(row('mixer-custom-config')?.helpUri).toBe('#doc-mixer-custom-config');
  });

  it('lists unknown and not-applicable rules apart, and counts open findings per phase', () => {
    const report = reportFrom([
      failing('service-port-naming', [port('shop', 'a'), port('shop', 'b', { suppressed: SUPPRESSION })]),
      { ...failing('mixer-custom-config', []), status: 'unknown', reason: 'no ConfigMaps in the snapshot' },
      { ...failing('istiod-revision-ready', []), status: 'not-applicable' },
    ]);
    const view = buildReportView(report, RULE_CATALOGUE);
    expect(view.unknownRules.map((r) => [r.ruleId, r.reason])).toEqual([
      ['mixer-custom-config', 'no ConfigMaps in the snapshot'],
    ]);
    expect(view.notApplicableRules.map((r) => r.ruleId)).toEqual(['istiod-revision-ready']);
    const prepare = view.phases.find((p) => p.id === 'prepare');
    expect(prepare?.open).toBe(1);
    expect(view.phases.map((p) => p.position)).toEqual(view.phases.map((_, i) => i + 1));
    expect(view.currentPhase?.id).toBe(report.currentPhase);
    expect(view.phases.filter((p) => p.current)).toHaveLength(report.currentPhase ? 1 : 0);
  });

  it('describes each finding: headline, location, commands and search text', () => {
    const [ports] = buildReportView(smallReport(), RULE_CATALOGUE).ruleGroups;
    const [cart, web] = ports?.namespaces[0]?.findings ?? [];
    const soap = ports?.namespaces[1]?.findings[0];
    expect(cart?.commandsText).toBe('kubectl edit service -n shop cart\n# port 80: name it');
    expect(web?.commands).toEqual([]);
    expect(soap?.location).toBe('snapshot/services.yaml:42');
    expect(cart?.location).toBeUndefined();
    expect(soap?.searchText).toContain('service-port-naming');
    expect(soap?.searchText).toContain('snapshot/services.yaml:42');
    expect(soap?.searchText).toBe(soap?.searchText.toLowerCase());
    expect(new Set([cart?.id, web?.id, soap?.id]).size).toBe(3);
  });

  it('expands the rule groups only when there are few findings', () => {
    const many = Array.from({ length: 201 }, (_, i) => port('shop', `s-${i}`));
    expect(
      buildReportView(reportFrom([failing('service-port-naming', many.slice(0, 200))]), RULE_CATALOGUE)
        .expandGroups,
    ).toBe(true);
    expect(
      buildReportView(reportFrom([failing('service-port-naming', many)]), RULE_CATALOGUE).expandGroups,
    ).toBe(false);
  });

  it('counts the findings new since the baseline and describes the resolved ones', () => {
    const view = buildReportView(
      reportFrom(
        [
          failing('service-port-naming', [
            { ...port('shop', 'a'), baseline: 'new' },
            { ...port('shop', 'b'), baseline: 'unchanged' },
          ]),
        ],
        {
          resolved: [{ ...port('gone', 'old'), ruleId: 'service-port-naming' }],
        },
      ),
      RULE_CATALOGUE,
    );
    expect(view.baseline?.newFindings).toBe(1);
    expect(view.baseline?.resolved.map((f) => [f.resource, f.ruleTitle])).toEqual([
      ['Service gone/old', view.rules[0]?.title],
    ]);
    expect(buildReportView(smallReport(), RULE_CATALOGUE).baseline).toBeUndefined();
  });
});

describe('buildReportView: rule metadata comes from the catalogue it is given', () => {
  it('shows the docs, help anchors and titles of the catalogue passed in, not of a registry', () => {
    const ports = RULE_CATALOGUE.get('service-port-naming');
    if (!ports) throw new Error('service-port-naming is not in the catalogue');
    const renamed = { ...ports, docs: { ...ports.docs, summary: 'Summary from the given catalogue.' } };
    const view = buildReportView(smallReport(), new Map([['service-port-naming', renamed]]));
    expect(view.ruleDocs.map((doc) => [doc.ruleId, doc.summary])).toEqual([
      ['service-port-naming', 'Summary from the given catalogue.'],
    ]);
    expect(view.ruleGroups.map((group) => [group.ruleId, group.summary])).toEqual([
      ['service-port-naming', 'Summary from the given catalogue.'],
      ['namespace-injection-labels', undefined],
    ]);
    expect(view.rules.map((row) => row.helpUri)).toEqual(['#doc-service-port-naming', undefined, undefined]);
  });

  it('builds the view again for another catalogue of the same report', () => {
    const report = smallReport();
    const full = buildReportView(report, RULE_CATALOGUE);
    expect(buildReportView(report, RULE_CATALOGUE)).toBe(full);
    const empty = buildReportView(report, new Map());
    expect(empty.ruleDocs).toEqual([]);
    expect(full.ruleDocs.map((doc) => doc.ruleId)).toEqual([
      'service-port-naming',
      'namespace-injection-labels',
      'mixer-custom-config',
    ]);
  });
});

describe('buildReportView: what the HTML page shows up front', () => {
  it('shows every finding when a rule has few', () => {
    const [ports] = buildReportView(smallReport(), RULE_CATALOGUE).ruleGroups;
    expect(ports?.deferredCount).toBe(0);
    expect(ports?.deferredBlocks).toEqual([]);
    expect(ports?.shownNamespaces).toEqual(ports?.namespaces);
    for (const group of ports?.namespaces ?? []) expect(group.shown).toEqual(group.findings);
  });

  it('shows the first SHOWN_FINDINGS_PER_RULE findings of a rule and defers the rest, by namespace', () => {
    // 60 namespaces of 7 findings: the cut falls inside the 15th namespace.
    const findings = Array.from({ length: 60 * 7 }, (_, i) =>
      port(`ns-${String(Math.floor(i / 7)).padStart(2, '0')}`, `svc-${i}`, {
        severity: i % 7 === 6 ? 'error' : 'warning',
      }),
    );
    const [group] = buildReportView(
      reportFrom([failing('service-port-naming', findings)]),
      RULE_CATALOGUE,
    ).ruleGroups;
    expect(SHOWN_FINDINGS_PER_RULE).toBe(100);
    const shown = group?.namespaces.reduce((sum, g) => sum + g.shown.length, 0);
    expect(shown).toBe(100);
    expect(group?.deferredCount).toBe(320);
    expect(group?.findingCount).toBe(420);
    expect(group?.shownNamespaces).toHaveLength(15);
    // The other 45 namespaces, in blocks of at least DEFERRED_BLOCK_FINDINGS findings (15 × 7 = 105).
    expect(DEFERRED_BLOCK_FINDINGS).toBe(100);
    expect(group?.deferredBlocks.map((b) => [b.namespaces.length, b.findingCount])).toEqual([
      [15, 105],
      [15, 105],
      [15, 105],
    ]);
    expect(group?.deferredBlocks[0]?.severities).toEqual(['error', 'warning']);
    expect(group?.deferredBlocks.flatMap((b) => b.namespaces.map((n) => n.namespace))).toEqual(
      group?.namespaces.slice(15).map((n) => n.namespace),
    );
    // The shown findings are the first ones, in order.
    expect(group?.shownNamespaces.flatMap((g) => g.shown.map((f) => f.resource))).toEqual(
      findings.slice(0, 100).map((f) => describeResource(f.resource)),
    );
    const cut = group?.shownNamespaces[14];
    expect(cut?.namespace).toBe('ns-14');
    expect(cut?.shown).toHaveLength(2);
    expect(cut?.deferred).toHaveLength(5);
    expect(cut?.deferredStart).toBe(3);
    expect(cut?.deferredSeverities).toEqual(['error', 'warning']);
    const later = group?.deferredBlocks[0]?.namespaces[0];
    expect(later?.shown).toEqual([]);
    expect(later?.deferred).toEqual(later?.findings);
    expect(later?.deferredStart).toBe(1);
    expect(group?.shownNamespaces[0]?.deferred).toEqual([]);
    expect(group?.shownNamespaces[0]?.deferredSeverities).toEqual([]);
  });

  it('closes the last deferred block however few findings it has', () => {
    const findings = Array.from({ length: 103 }, (_, i) => port(`ns-${String(i).padStart(3, '0')}`, 'svc'));
    const [group] = buildReportView(
      reportFrom([failing('service-port-naming', findings)]),
      RULE_CATALOGUE,
    ).ruleGroups;
    expect(group?.deferredBlocks.map((b) => b.findingCount)).toEqual([3]);
    expect(group?.deferredCount).toBe(3);
  });

  it('counts shown findings per rule: each rule starts a new budget', () => {
    const ports = Array.from({ length: 150 }, (_, i) => port('shop', `svc-${i}`));
    const labels = Array.from({ length: 150 }, (_, i) => label(`ns-${i}`));
    const [a, b] = buildReportView(
      reportFrom([
        failing('service-port-naming', ports),
        failing('namespace-injection-labels', labels, 'error'),
      ]),
      RULE_CATALOGUE,
    ).ruleGroups;
    for (const group of [a, b]) {
      expect(group?.namespaces[0]?.shown).toHaveLength(100);
      expect(group?.namespaces[0]?.deferred).toHaveLength(50);
      expect(group?.namespaces[0]?.deferredStart).toBe(101);
    }
  });

  it('shows the first SHOWN_NAMESPACE_ROWS rows of the namespace table and defers the rest', () => {
    const findings = Array.from({ length: SHOWN_NAMESPACE_ROWS + 20 }, (_, i) =>
      port(`ns-${String(i).padStart(3, '0')}`, 'svc', { severity: i >= 110 ? 'error' : 'warning' }),
    );
    const view = buildReportView(reportFrom([failing('service-port-naming', findings)]), RULE_CATALOGUE);
    expect(view.namespaceRows).toHaveLength(120);
    expect(view.shownNamespaceRows).toEqual(view.namespaceRows.slice(0, 100));
    expect(view.deferredNamespaceRows).toEqual(view.namespaceRows.slice(100));
    // Most errors first: the ten namespaces with an error lead the shown rows.
    expect(view.shownNamespaceRows.slice(0, 10).every((row) => row.error === 1)).toBe(true);
  });
});

describe('finding text helpers', () => {
  it('leads the message with the object when the first sentence does not name it', () => {
    const named = makeFinding('service-port-naming', {
      namespace: 'shop',
      name: 'cart',
      message: 'Service shop/cart: port 80 has no protocol',
    });
    expect(standaloneMessage(named)).toBe('Service shop/cart: port 80 has no protocol.');
    const unnamed = makeFinding('service-port-naming', {
      namespace: 'shop',
      name: 'cart',
      message: 'Port 80 has no protocol. Rename it to cart-http.',
    });
    expect(standaloneMessage(unnamed)).toBe(
      'Service shop/cart: Port 80 has no protocol. Rename it to cart-http.',
    );
    const spaced = makeFinding('service-port-naming', {
      name: 'cart',
      message: '  cart\n  has   no port names!',
    });
    expect(standaloneMessage(spaced)).toBe('cart has no port names!');
  });

  it('reads the first sentence as splitting at every white space after . ! ? would (fast-check)', () => {
    // The definition the faster code must keep: white space collapsed, then the text up to the
    // first sentence end that a white space follows.
    const reference = (finding: Finding): string => {
      const text = finding.message.trim().replace(/\s+/g, ' ');
      const first = text.split(/(?<=[.!?])\s/)[0] ?? text;
      return withPeriod(
        first.includes(finding.resource.name) ? text : `${describeResource(finding.resource)}: ${text}`,
      );
    };
    const pieces = fc.constantFrom(
      ' ',
      '  ',
      '\t',
      '\n',
      '\u00a0',
      '\u2028',
      '\u3000',
      '.',
      '!',
      '?',
      '. ',
      'cart',
      'car',
      'shop',
      'x',
    );
    const text = fc.array(pieces, { maxLength: 14 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom('cart', 'shop', 'x.y', '!'), (message, name) => {
        const finding = makeFinding('service-port-naming', { namespace: 'shop', name, message });
        expect(standaloneMessage(finding)).toBe(reference(finding));
      }),
      { numRuns: 2000 },
    );
  });

  it('describes resources with and without a namespace, and ends sentences once', () => {
    expect(describeResource({ apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'cart' })).toBe(
      'Service shop/cart',
    );
    expect(describeResource({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBe('Namespace shop');
    expect(withPeriod('done')).toBe('done.');
    expect(withPeriod('done?')).toBe('done?');
  });

  it('finds the highest severity, or none', () => {
    expect(highestSeverity([{ severity: 'info' }, { severity: 'error' }, { severity: 'warning' }])).toBe(
      'error',
    );
    expect(highestSeverity([{ severity: 'info' }])).toBe('info');
    expect(highestSeverity([])).toBeUndefined();
  });
});
