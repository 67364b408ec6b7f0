import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOGUE } from '../../src/cli/rule-catalogue.ts';
import { registerHtmlHelpers, renderHtml } from '../../src/report/html.ts';
import {
  failing,
  HOSTILE,
  hostileReport,
  largeReport,
  makeFinding,
  REPO_ROOT,
  reportFrom,
  scanDocuments,
  scanFiles,
} from './reports.ts';

const TEMPLATES = [
  path.join(REPO_ROOT, 'templates/report.html.hbs'),
  ...readdirSync(path.join(REPO_ROOT, 'templates/report'))
    .filter((name) => name.endsWith('.hbs'))
    .map((name) => path.join(REPO_ROOT, 'templates/report', name)),
];

function inline(html: string, tag: 'style' | 'script'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

describe('HTML report (static checks)', () => {
  it('uses triple braces only for our own stylesheet and script', () => {
    for (const file of TEMPLATES) {
      const raw = [...readFileSync(file, 'utf8').matchAll(/\{\{\{\s*([^}]*?)\s*\}\}\}/g)].map((m) => m[1]);
      expect(
        raw.every((expression) => expression === 'assets.css' || expression === 'assets.js'),
        file,
      ).toBe(true);
    }
  });

  it('escapes every cluster-provided string', () => {
    const html = renderHtml(hostileReport(), { rules: RULE_CATALOGUE });
    const [head, body] = html.split('<body>') as [string, string];
    expect(head).not.toContain(HOSTILE.cluster);
    for (const value of Object.values(HOSTILE)) expect(body).not.toContain(value);
    expect(body).toContain('&lt;img src&#x3D;x onerror&#x3D;&quot;window.__xss&#x3D;1&quot;&gt;');
    expect(inline(html, 'script')).toHaveLength(1);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<(img|svg|iframe)\b/);
  });

  it('allows only its own style and script, by hash, and nothing from the network', () => {
    const html = renderHtml(largeReport(10), { rules: RULE_CATALOGUE });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/
      .exec(html)?.[1]
      ?.replaceAll('&#x27;', "'")
      .replaceAll('&#x3D;', '=');
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const [style] = inline(html, 'style');
    const [script] = inline(html, 'script');
    expect(csp).toBe(
      `default-src 'none'; style-src ${hash(style ?? '')}; script-src ${hash(script ?? '')}; img-src 'none'; base-uri 'none'; form-action 'none'`,
    );
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/);
    expect(html).not.toMatch(/\b(src|srcset)=/);
    expect(html).not.toMatch(/url\(/);
  });

  it('is complete without JavaScript: every finding is in the page and the filters start hidden', () => {
    const report = largeReport(300);
    const html = renderHtml(report, { rules: RULE_CATALOGUE });
    expect(html.match(/<li class="finding"/g)).toHaveLength(300);
    expect(html).toContain(
      '<form id="filters" class="filters" role="search" aria-label="Filter findings" hidden>',
    );
    // Many findings: groups start collapsed; few: expanded.
    expect(html).not.toMatch(/<details class="rule-group"[^>]* open>/);
    expect(renderHtml(largeReport(20), { rules: RULE_CATALOGUE })).toMatch(
      /<details class="rule-group"[^>]* open>/,
    );
  });

  it('shows what was not evaluated, not collected or skipped', () => {
    const report = {
      ...scanDocuments([]),
      source: {
        kind: 'snapshot' as const,
        inputs: ['snap/'],
        skipped: [{ file: 'snap/secret.yaml', reason: 'kind Secret is never read' }],
        notCollected: [{ part: 'firewall', reason: 'forbidden: list firewalls' }],
      },
    };
    const html = renderHtml(report, { rules: RULE_CATALOGUE });
    const coverage = html.slice(html.indexOf('<section id="coverage"'));
    expect(coverage).toContain('snap/secret.yaml');
    expect(coverage).toContain('kind Secret is never read');
    expect(coverage).toContain('forbidden: list firewalls');
    const unknown = report.results.find((r) => r.status === 'unknown');
    expect(unknown).toBeDefined();
    expect(coverage).toContain(unknown?.ruleId);
  });
});

describe('HTML report sections', () => {
  const suppressedAndBaseline = () =>
    reportFrom(
      [
        failing('service-port-naming', [
          {
            ...makeFinding('service-port-naming', { namespace: 'shop', name: 'cart' }),
            baseline: 'new' as const,
          },
          makeFinding('service-port-naming', {
            namespace: 'shop',
            name: 'legacy-tcp',
            suppressed: {
              reason: 'TCP only, renamed in Q1',
              owner: 'team-shop@example.com',
              expires: '2026-12-31',
            },
          }),
        ]),
      ],
      {
        resolved: [
          {
            ...makeFinding('service-port-naming', { namespace: 'shop', name: 'old-web' }),
            ruleId: 'service-port-naming',
          },
        ],
      },
    );

  function sectionOf(html: string, id: string): string {
    const start = html.indexOf(`<section id="${id}"`);
    expect(start, id).toBeGreaterThanOrEqual(0);
    return html.slice(start, html.indexOf('</section>', start));
  }

  it('lists suppressed findings in their own section only, with reason, owner and expiry', () => {
    const html = renderHtml(suppressedAndBaseline(), { rules: RULE_CATALOGUE });
    const suppressed = sectionOf(html, 'suppressed');
    expect(suppressed).toContain('Service shop/legacy-tcp');
    expect(suppressed).toContain('TCP only, renamed in Q1');
    expect(suppressed).toContain('team-shop@example.com');
    expect(suppressed).toContain('2026-12-31');
    const findings = sectionOf(html, 'findings');
    expect(findings).toContain('Service shop/cart');
    expect(findings).not.toContain('legacy-tcp');
  });

  it('puts the verdict relative to the phases in the heading and the title', () => {
    const report = reportFrom([
      failing('ingress-gateway-revision', [
        makeFinding('ingress-gateway-revision', { namespace: 'istio-system', name: 'gw' }),
      ]),
    ]);
    const html = renderHtml(report, { rules: RULE_CATALOGUE });
    expect(html).toContain(
      '<h1 class="verdict-line"><span class="verdict-label">READY</span> for phase migrate-gateway (2 phases to go)</h1>',
    );
    expect(html).toContain(
      '<title>meshready: demo to istio-1.6 — READY for phase migrate-gateway (2 phases to go)</title>',
    );
    const done = renderHtml(reportFrom([failing('service-port-naming', [])]), { rules: RULE_CATALOGUE });
    expect(done).toContain('<span class="verdict-label">DONE</span>: every phase is done</h1>');
  });

  it('lists urgent findings first, in a section before the phases, and marks them where they are listed', () => {
    const calm = makeFinding('service-port-naming', { namespace: 'shop', name: 'cart', severity: 'error' });
    const live = {
      ...makeFinding('namespace-injection-labels', {
        kind: 'Namespace',
        name: 'search',
        severity: 'warning',
        message: 'Namespace search selects revision istio-163, which no istiod runs.',
      }),
      urgent: true as const,
    };
    const later = makeFinding('namespace-injection-labels', {
      kind: 'Namespace',
      name: 'a-first',
      severity: 'warning',
    });
    const html = renderHtml(
      reportFrom([
        failing('service-port-naming', [calm], 'error'),
        failing('namespace-injection-labels', [later, live]),
      ]),
      { rules: RULE_CATALOGUE },
    );
    const urgent = sectionOf(html, 'urgent');
    expect(urgent).toContain('Urgent: harm already live (1)');
    expect(urgent).toContain('Namespace search');
    expect(urgent).not.toContain('a-first');
    expect(urgent).not.toContain('shop/cart');
    expect(html.indexOf('id="urgent"')).toBeLessThan(html.indexOf('id="phases"'));
    // The link goes to the finding, which is marked, and listed before the other finding of its rule.
    const target = /<a href="#(f-[\d-]+)">/.exec(urgent)?.[1] ?? '';
    const item =
      new RegExp(`<li class="finding finding-urgent" id="${target}"[^]*?</li>`).exec(html)?.[0] ?? '';
    expect(item).toContain('<span class="urgent-mark"');
    expect(item).toContain('Namespace search');
    expect(html.indexOf(`id="${target}"`)).toBeLessThan(html.indexOf('a-first</span>'));
    expect(html.match(/class="finding finding-urgent"/g)).toHaveLength(1);
    // No urgent finding: no section, no link.
    expect(
      renderHtml(reportFrom([failing('service-port-naming', [calm], 'error')]), { rules: RULE_CATALOGUE }),
    ).not.toContain('id="urgent"');
  });

  it('says what is new and what was resolved since the baseline', () => {
    const html = renderHtml(suppressedAndBaseline(), { rules: RULE_CATALOGUE });
    expect(sectionOf(html, 'findings')).toContain('<span class="baseline baseline-new">new</span>');
    const baseline = sectionOf(html, 'baseline');
    expect(baseline).toContain('1 open finding is new since the baseline');
    expect(baseline).toContain('1 finding was resolved');
    expect(baseline).toContain('Service shop/old-web');
    expect(renderHtml(largeReport(5), { rules: RULE_CATALOGUE })).not.toContain('<section id="baseline"');
  });
});

describe('HTML rule table statuses', () => {
  /** The status and severity badges of one rule's row. */
  function row(html: string, ruleId: string): { status: string; severity: string } {
    const match = new RegExp(
      `<tr data-status="[^"]+" data-severity="[^"]+">\\s*<td><span class="status ([^"]+)">[^<]*</span></td>\\s*<td><a href="#doc-${ruleId}"[\\s\\S]*?<td><span class="(sev [^"]+)"`,
    ).exec(html);
    return { status: match?.[1] ?? 'missing', severity: match?.[2] ?? 'missing' };
  }

  it('shows FAIL only for warning-or-above findings; info-only rules are notes; passing rows are muted', async () => {
    const report = await scanFiles(['fixtures/demo/asm-candidate'], 'asm-1.7');
    const ports = report.results.find((r) => r.ruleId === 'service-port-naming');
    // The redis port proxied as plain TCP: one info finding of a rule whose asm severity is error.
    expect(ports?.status).toBe('fail');
    expect(ports?.severity).toBe('error');
    expect(ports?.findings.map((f) => f.severity)).toEqual(['info']);
    const html = renderHtml(report, { rules: RULE_CATALOGUE });
    expect(row(html, 'service-port-naming')).toEqual({ status: 'status-note', severity: 'sev sev-info' });
    expect(row(html, 'webhook-firewall-15017')).toEqual({ status: 'status-fail', severity: 'sev sev-error' });
    const passing = report.results.find((r) => r.status === 'pass' && r.severity === 'error');
    expect(row(html, passing?.ruleId ?? '')).toEqual({
      status: 'status-pass',
      severity: 'sev sev-error sev-muted',
    });
  });
});

describe('HTML report helpers', () => {
  it('marks up `code` spans of rule documentation and escapes everything else', () => {
    const handlebars = Handlebars.create();
    registerHtmlHelpers(handlebars);
    const render = handlebars.compile('{{docText text}}');
    expect(render({ text: 'Run `kubectl get <x>` & <b>then</b>' })).toBe(
      'Run <code>kubectl get &lt;x&gt;</code> &amp; &lt;b&gt;then&lt;/b&gt;',
    );
  });
});
