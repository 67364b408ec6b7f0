import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Finding, type Report, type RuleResult, reportSchema } from '../../src/engine/report-model.ts';
import { diffReports, withBaseline } from '../../src/report/diff.ts';
import {
  MARKDOWN_ROWS_PER_SECTION,
  markdownCell,
  renderDiffMarkdown,
  renderDiffText,
} from '../../src/report/diff-format.ts';
import { runInProcess } from '../config/fake-io.ts';

function finding(fingerprint: string, name: string, extra: Partial<Finding> = {}): Finding {
  return {
    fingerprint,
    severity: 'warning',
    message: `Service shop/${name} has a port without protocol`,
    resource: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name },
    ...extra,
  };
}

function result(ruleId: string, findings: Finding[], status?: RuleResult['status']): RuleResult {
  return {
    ruleId,
    title: ruleId,
    phase: 'prepare',
    severity: 'warning',
    status: status ?? (findings.length > 0 ? 'fail' : 'pass'),
    ...(status === 'unknown' ? { reason: 'Services not collected: forbidden' } : {}),
    findings,
  };
}

function report(results: RuleResult[], overrides: Partial<Report> = {}): Report {
  return reportSchema.parse({
    schemaVersion: 1,
    tool: { name: 'meshready', version: '0.1.0' },
    target: 'istio-1.6',
    generatedAt: '2026-11-25T10:00:00Z',
    cluster: { name: 'shop-prod' },
    source: { kind: 'snapshot', inputs: ['snap'], skipped: [], notCollected: [] },
    verdict: 'ready',
    summary: {
      pass: 0,
      fail: 0,
      'not-applicable': 0,
      unknown: 0,
      findings: { error: 0, warning: 0, info: 0 },
      suppressed: 0,
    },
    phases: [],
    results,
    ...overrides,
  });
}

const sides = (old: Report, current: Report) => ({ oldFile: 'old.json', newFile: 'new.json', old, current });

describe('diffReports', () => {
  const old = report([
    result('service-port-naming', [finding('a', 'cart'), finding('b', 'search')]),
    result('envoyfilter-usage', [finding('c', 'filter')]),
    result('mixer-custom-config', [finding('d', 'handler')]),
  ]);
  const current = report([
    result('service-port-naming', [finding('a', 'cart', { message: 'reworded' }), finding('e', 'metrics')]),
    result('envoyfilter-usage', [], 'unknown'),
  ]);

  it('matches by fingerprint: new, resolved, unchanged, and not re-checked apart', () => {
    const diff = diffReports(old, current);
    expect(diff.new.map((e) => e.fingerprint)).toEqual(['e']);
    expect(diff.unchanged.map((e) => e.fingerprint)).toEqual(['a']);
    // The new report's wording wins for findings that are still there.
    expect(diff.unchanged[0]?.message).toBe('reworded');
    expect(diff.resolved.map((e) => `${e.ruleId}:${e.fingerprint}`)).toEqual(['service-port-naming:b']);
    // envoyfilter-usage was unknown and mixer-custom-config did not run: nobody checked them.
    expect(diff.unverified.map((e) => `${e.ruleId}:${e.fingerprint}`)).toEqual([
      'envoyfilter-usage:c',
      'mixer-custom-config:d',
    ]);
  });

  it('withBaseline marks findings and lists only really resolved ones, leaving the input alone', () => {
    const marked = withBaseline(current, old);
    const marks = marked.results.flatMap((r) => r.findings.map((f) => `${f.fingerprint}:${f.baseline}`));
    expect(marks).toEqual(['a:unchanged', 'e:new']);
    expect(marked.resolved?.map((f) => f.fingerprint)).toEqual(['b']);
    expect(reportSchema.safeParse(marked).success).toBe(true);
    expect(current.results[0]?.findings[0]?.baseline).toBeUndefined();
    expect(current.resolved).toBeUndefined();
  });

  it('a baseline equal to the report gives no new and no resolved findings', () => {
    const diff = diffReports(old, old);
    expect(diff.new).toEqual([]);
    expect(diff.resolved).toEqual([]);
    expect(diff.unchanged).toHaveLength(4);
  });

  it('does not carry the old report`s baseline marks into the diff', () => {
    const markedOld = withBaseline(old, old);
    expect(diffReports(markedOld, current).resolved[0]).not.toHaveProperty('baseline');
  });
});

describe('diff renderings', () => {
  const hostile = finding('h', '<img src=x onerror=alert(1)>|@octocat', {
    message: 'ping @security-team: see [here](https://evil.example) `rm -rf` **now** $x$\nsecond line',
  });

  it('escapes cluster strings in Markdown: no HTML, links, mentions, table breaks or math', () => {
    const cell = markdownCell('<b>x</b> | [a](b) @team *y* $m$');
    expect(cell).toBe('\\<b\\>x\\</b\\> \\| \\[a\\](b) @\u2060team \\*y\\* \\$m\\$');
    const markdown = renderDiffMarkdown(
      diffReports(report([]), report([result('r', [hostile])])),
      sides(report([]), report([])),
    );
    // Every < and every ] is backslash-escaped, so they render as text.
    expect(markdown).not.toMatch(/(^|[^\\])</m);
    expect(markdown).not.toMatch(/[^\\]\]\(https/);
    expect(markdown).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(markdown).not.toMatch(/@security-team/);
    expect(markdown).not.toContain('\nsecond line');
    const row = markdown.split('\n').find((line) => line.startsWith('| warning'));
    // The table row keeps exactly its four cells.
    expect(row?.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });

  it('stays bounded for a PR comment however many findings change', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      finding(`f${i}`, `service-${i}`, { message: 'x'.repeat(1000) }),
    );
    const big = report([result('service-port-naming', many)]);
    const markdown = renderDiffMarkdown(diffReports(report([]), big), sides(report([]), big));
    expect(markdown.length).toBeLessThan(65_536);
    expect(markdown).toContain('## meshready: 10000 new, 0 resolved, 0 unchanged');
    expect(markdown).toContain(`… and ${10_000 - MARKDOWN_ROWS_PER_SECTION} more`);
  });

  it('names the resource once, even when the message starts with it', () => {
    const named = finding('d', 'auth', {
      message: 'Deployment auth/auth: its pods run the 1.4 proxy',
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'auth', name: 'auth' },
    });
    const diff = diffReports(report([]), report([result('sidecar-proxy-version', [named])]));
    const text = renderDiffText(diff, sides(report([]), report([])));
    expect(text).toContain('sidecar-proxy-version  Deployment auth/auth: its pods run the 1.4 proxy');
    expect(text).not.toContain('Deployment auth/auth: Deployment auth/auth');
    const markdown = renderDiffMarkdown(diff, sides(report([]), report([])));
    expect(markdown).toContain('| Deployment auth/auth | its pods run the 1.4 proxy |');
  });

  it('lists new urgent findings first and marks them, in text and Markdown', () => {
    const calm = finding('c1', 'cart');
    const live = finding('u1', 'search', { urgent: true, message: 'Service shop/search: harm already live' });
    const diff = diffReports(report([]), report([result('service-port-naming', [calm, live])]));
    const text = renderDiffText(diff, sides(report([]), report([]))).split('\n');
    const start = text.indexOf('New findings:');
    expect(text[start + 1]).toBe(
      '  + warning URGENT service-port-naming  Service shop/search: harm already live',
    );
    expect(text[start + 2]).toMatch(/^ {2}\+ warning service-port-naming {2}Service shop\/cart/);
    const rows = renderDiffMarkdown(diff, sides(report([]), report([])))
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Severity'));
    expect(rows[0]).toMatch(/^\| 🚨 urgent warning \| `service-port-naming` \| Service shop\/search \|/);
    expect(rows[1]).toMatch(/^\| warning \|/);
  });

  it('text never passes control characters to the terminal', () => {
    const evil = finding('t', 'cart', { message: 'boom\u001b[2J\u0007 done' });
    const text = renderDiffText(
      diffReports(report([]), report([result('r', [evil])])),
      sides(report([]), report([])),
    );
    const controls = [...text].filter(
      (c) => c !== '\n' && (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    );
    expect(controls).toEqual([]);
    expect(text).toContain('boom\\u{1b}[2J\\u{7} done');
  });

  it('warns when the reports are about different clusters or targets', () => {
    const other = report([], { cluster: { name: 'billing-prod' }, target: 'asm-1.7' });
    const text = renderDiffText(diffReports(report([]), other), sides(report([]), other));
    expect(text).toContain('warning: the reports are about different clusters (shop-prod and billing-prod)');
    expect(text).toContain('warning: the reports are for different targets (istio-1.6 and asm-1.7)');
  });
});

describe('meshready diff (CLI)', () => {
  it('prints JSON on stdout and warnings on stderr', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'meshready-diff-'));
    const old = report([result('service-port-naming', [finding('a', 'cart')])]);
    const current = report([result('service-port-naming', [finding('b', 'search')])], {
      cluster: { name: 'other' },
    });
    await writeFile(path.join(dir, 'old.json'), JSON.stringify(old));
    await writeFile(path.join(dir, 'new.json'), JSON.stringify(current));
    const run = await runInProcess(['diff', 'old.json', 'new.json', '--json'], dir);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout);
    expect(parsed.new.map((e: Finding) => e.fingerprint)).toEqual(['b']);
    expect(parsed.resolved.map((e: Finding) => e.fingerprint)).toEqual(['a']);
    expect(run.stderr).toContain('warning: the reports are about different clusters');
    const failing = await runInProcess(['diff', 'old.json', 'new.json', '--fail-on-new'], dir);
    // The new finding is a warning: below the default level, error.
    expect(failing.code).toBe(0);
    expect(
      (await runInProcess(['diff', 'old.json', 'new.json', '--fail-on-new', '--fail-on', 'warning'], dir))
        .code,
    ).toBe(1);
    // The flag takes no value, so it cannot swallow OLD.json when it comes first.
    expect(
      (await runInProcess(['diff', '--fail-on-new', '--fail-on', 'warning', 'old.json', 'new.json'], dir))
        .code,
    ).toBe(1);
  });
});
