import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOGUE } from '../../src/cli/rule-catalogue.ts';
import type { Report } from '../../src/engine/report-model.ts';
import { MARKDOWN_LIMITS, renderMarkdown } from '../../src/report/markdown.ts';
import { markdownCode, markdownFence, markdownText, markdownUrl } from '../../src/report/markdown-text.ts';
import {
  demoReport,
  failing,
  HOSTILE,
  hostileReport,
  largeReport,
  makeFinding,
  REPO_ROOT,
  reportFrom,
  scanDocuments,
} from './reports.ts';

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`### ${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const next = markdown.indexOf('\n### ', start + 4);
  return markdown.slice(start, next < 0 ? undefined : next);
}

describe('Markdown summary', () => {
  it('gives the verdict, the phase, the failing rules, the top findings and what to run next', async () => {
    const report = await demoReport();
    const markdown = renderMarkdown(report, { rules: RULE_CATALOGUE, htmlReport: true });
    expect(markdown).toMatch(
      /^## ❌ NOT READY: 1 error blocks phase cluster-upgrade \(and \d+ in later phases\)\n\nmeshready: shop-prod to istio-1\.6\. /,
    );
    expect(markdown).not.toContain('Urgent');
    expect(section(markdown, 'Phase')).toContain('🔴 Upgrade the GKE cluster → ⏸️ Prepare the cluster');
    expect(section(markdown, 'Phase')).toContain(`**Next step:** ${markdownText(report.nextStep)}`);
    const rules = section(markdown, 'Failing rules');
    for (const result of report.results.filter((r) => r.status === 'fail')) {
      expect(rules).toContain(`| \`${result.ruleId}\` `);
    }
    expect(rules).not.toContain('vpc-sc-mesh-ca');
    const top = section(markdown, 'Top findings');
    expect(top.match(/^1\. /gm)).toHaveLength(MARKDOWN_LIMITS.topFindings);
    expect(top.indexOf('**error**')).toBeLessThan(top.indexOf('**warning**'));
    const open = report.results.flatMap((r) => r.findings.filter((f) => !f.suppressed)).length;
    expect(top).toContain(
      `…and ${open - MARKDOWN_LIMITS.topFindings} more open findings in the HTML report.`,
    );
    const next = section(markdown, 'What to run next');
    expect(next).toContain(
      '```sh\n# gke-version-istio16: Cluster shop-prod\ngcloud container clusters upgrade shop-prod --master',
    );
    expect(next).toContain('remediate.sh');
    expect(markdown).not.toContain('](http');
  });

  it('does not send readers to an HTML report that was not written', async () => {
    const markdown = renderMarkdown(await demoReport(), { rules: RULE_CATALOGUE });
    expect(markdown).not.toContain('HTML report.');
    expect(section(markdown, 'Top findings')).toContain(
      'more open findings not listed here (the HTML report, --format html, lists them all).',
    );
  });

  it('stays bounded however big the cluster and however long the messages', () => {
    const big = largeReport(10_000);
    const huge: Report = {
      ...big,
      results: big.results.map((r) => ({
        ...r,
        findings: r.findings.map((f) => ({
          ...f,
          message: `${f.message} ${'very long detail '.repeat(500)}`,
          remediation: { phase: 'prepare', commands: ['kubectl annotate x '.repeat(40), 'kubectl get pods'] },
        })),
      })),
    };
    const markdown = renderMarkdown(huge, { rules: RULE_CATALOGUE });
    expect(markdown.length).toBeLessThan(20_000);
    expect(renderMarkdown(big, { rules: RULE_CATALOGUE }).length).toBeLessThan(10_000);
    expect(markdown).toContain(
      '…and 9990 more open findings not listed here (the HTML report, --format html, lists them all).',
    );
    for (const line of section(markdown, 'Top findings').split('\n')) {
      expect(line.length).toBeLessThan(MARKDOWN_LIMITS.messageLength * 2);
    }
  });

  it('shows hostile names as text: no HTML, no links, no table breaks, no mentions', () => {
    const report = hostileReport();
    const markdown = renderMarkdown(report, { rules: RULE_CATALOGUE });
    const outsideFences = markdown.replace(/^(`{3,})sh\n[\s\S]*?\n\1$/gm, '');
    expect(outsideFences).not.toMatch(/(?<!\\)<(script|img|svg|iframe|textarea|b)\b/);
    expect(outsideFences).not.toMatch(/(?<!\\)\[x(?<!\\)\]\(javascript:/);
    expect(outsideFences).toContain(markdownText(HOSTILE.namespace));
    for (const row of section(markdown, 'Failing rules')
      .split('\n')
      .filter((line) => line.startsWith('| ['))) {
      expect(row.match(/(?<!\\)\|/g)).toHaveLength(6);
    }
    const mention = renderMarkdown(
      reportFrom([
        failing('service-port-naming', [
          makeFinding('service-port-naming', {
            namespace: 'shop',
            name: 'cart',
            message: 'Owned by @platform-team: rename the port.',
          }),
        ]),
      ]),
      { rules: RULE_CATALOGUE },
    );
    expect(mention).toContain('Owned by @\u200bplatform-team');
  });

  it('says what is new and resolved since the baseline, when there is one', async () => {
    const report = await demoReport();
    expect(renderMarkdown(report, { rules: RULE_CATALOGUE })).not.toContain('Since the baseline');
    const [first, ...rest] = report.results;
    const compared: Report = {
      ...report,
      results: [
        {
          ...(first as Report['results'][number]),
          findings: (first?.findings ?? []).map((f) => ({ ...f, baseline: 'new' as const })),
        },
        ...rest,
      ],
      resolved: [],
    };
    const newCount = first?.findings.filter((f) => !f.suppressed).length;
    expect(renderMarkdown(compared, { rules: RULE_CATALOGUE })).toContain(
      `**Since the baseline:** ${newCount} new, 0 resolved.`,
    );
  });

  it('puts every report value through a Markdown helper', () => {
    const template = readFileSync(path.join(REPO_ROOT, 'templates/report.md.hbs'), 'utf8');
    const expressions = [...template.matchAll(/\{\{(?!!)([^}]*)\}\}/g)].map((m) => (m[1] ?? '').trim());
    const allowed = /^(?:[#/](?:if|each|unless)\b|else$|(?:md|code|fence|url|verdictIcon|phaseIcon) )/;
    expect(expressions.filter((expression) => !allowed.test(expression))).toEqual([]);
    expect(template).not.toContain('{{{');
  });

  it('says what could not be evaluated, and that nothing fails, for an empty scan', () => {
    const report = scanDocuments([]);
    const markdown = renderMarkdown(report, { rules: RULE_CATALOGUE });
    expect(markdown).toMatch(/^## ❔ UNKNOWN: \d+ gating rules could not be checked \(cluster-upgrade/);
    expect(section(markdown, 'Failing rules')).toContain('No rule fails.');
    expect(markdown).toContain('<details><summary>Rules that could not be evaluated</summary>');
    const unknown = report.results.filter((r) => r.status === 'unknown');
    expect(markdown.match(/^- `[a-z0-9-]+` \(/gm)).toHaveLength(
      Math.min(unknown.length, MARKDOWN_LIMITS.unknownRules),
    );
    if (unknown.length > MARKDOWN_LIMITS.unknownRules) {
      expect(markdown).toContain(`- …and ${unknown.length - MARKDOWN_LIMITS.unknownRules} more.`);
    }
  });
});

describe('Markdown urgent findings', () => {
  it('lists urgent findings first, in their own section before the phase, and marks them in the top findings', () => {
    const calm = Array.from({ length: 3 }, (_, i) =>
      makeFinding('gke-version-istio16', {
        kind: 'Cluster',
        name: `c${i}`,
        severity: 'error',
        message: `calm ${i}`,
      }),
    );
    const live = {
      ...makeFinding('namespace-injection-labels', {
        kind: 'Namespace',
        name: 'search',
        severity: 'warning',
        message: 'Namespace search selects revision istio-163, which no istiod runs.',
      }),
      urgent: true as const,
    };
    const markdown = renderMarkdown(
      reportFrom([
        failing('gke-version-istio16', calm, 'error'),
        failing('namespace-injection-labels', [live]),
      ]),
      { rules: RULE_CATALOGUE },
    );
    const urgent = section(markdown, '🚨 Urgent: harm already live');
    expect(urgent).toContain(
      '1. 🚨 **warning** `namespace-injection-labels` Namespace search selects revision',
    );
    expect(markdown.indexOf('### 🚨 Urgent')).toBeLessThan(markdown.indexOf('### Phase'));
    const top = section(markdown, 'Top findings')
      .split('\n')
      .filter((line) => line.startsWith('1. '));
    expect(top[0]).toMatch(/^1\. 🚨 \*\*warning\*\* `namespace-injection-labels`/);
    expect(top.slice(1).every((line) => line.startsWith('1. **error**'))).toBe(true);
  });
});

describe('Markdown escaping helpers', () => {
  it('escapes inline markup and keeps text on one line', () => {
    expect(markdownText('a|b *c* _d_ [e](f) <g> `h` ~i~ & \\')).toBe(
      'a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<g\\> \\`h\\` \\~i\\~ \\& \\\\',
    );
    expect(markdownText('line one\nline two')).toBe('line one line two');
    expect(markdownText('see https://evil.example and www.evil.example')).toBe(
      'see https:\\/\\/evil.example and www\\.evil.example',
    );
    expect(markdownText('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('fences code longer than any backtick run inside it', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`start')).toBe('`` `start ``');
    expect(markdownCode('a|b')).toBe('`a\\|b`');
    expect(markdownFence(['echo ```', 'ls'], 'sh')).toBe('````sh\necho ```\nls\n````');
  });

  it('lets only http(s) links through', () => {
    expect(markdownUrl('javascript:alert(1)')).toBe('#');
    expect(markdownUrl('https://x.example/a b)(c')).toBe('https://x.example/a%20b%29%28c');
  });
});
