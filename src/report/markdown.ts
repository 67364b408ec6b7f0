/**
 * The Markdown summary for $GITHUB_STEP_SUMMARY or a pull-request comment: verdict, phase,
 * failing rules, the top findings and what to run next. It is bounded (lists are cut, long text
 * shortened) so it stays well under GitHub's 65,536-character comment limit however big the
 * cluster. The template is compiled without HTML escaping because Markdown needs its own: every
 * report value goes through one of the Markdown helpers (md, code, fence, url).
 */

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Report } from '../engine/report-model.ts';
import { severityRank } from '../engine/vocabulary.ts';
import { templatePath } from '../package-root.ts';
import { commentLine } from '../text/printable.ts';
import type { FormatContext } from './formats.ts';
import { markdownCode, markdownFence, markdownText, markdownUrl } from './markdown-text.ts';
import { buildReportView, type FindingView, type RuleRowView } from './report-view.ts';

export const MARKDOWN_LIMITS = {
  failingRules: 25,
  topFindings: 10,
  urgentFindings: 10,
  nextFindings: 5,
  commandLines: 20,
  commandLength: 400,
  unknownRules: 10,
  messageLength: 300,
} as const;

const VERDICT_ICONS: Readonly<Record<Report['verdict'], string>> = {
  ready: '✅',
  'not-ready': '❌',
  unknown: '❔',
};
const PHASE_ICONS: Readonly<Record<Report['phases'][number]['status'], string>> = {
  done: '✅',
  todo: '🔴',
  blocked: '⏸️',
  unknown: '❔',
};

function optionalLength(options: unknown): number | undefined {
  return typeof options === 'number' ? options : undefined;
}

let compiled: Handlebars.TemplateDelegate | undefined;

function template(): Handlebars.TemplateDelegate {
  if (compiled) return compiled;
  const handlebars = Handlebars.create();
  handlebars.registerHelper('md', (value: unknown, max: unknown) => markdownText(value, optionalLength(max)));
  handlebars.registerHelper('code', (value: unknown, max: unknown) =>
    markdownCode(value, optionalLength(max)),
  );
  handlebars.registerHelper('fence', (lines: unknown) =>
    markdownFence(Array.isArray(lines) ? lines.map(String) : [String(lines)], 'sh'),
  );
  handlebars.registerHelper('url', (value: unknown) => markdownUrl(value));
  handlebars.registerHelper('verdictIcon', (verdict: Report['verdict']) => VERDICT_ICONS[verdict] ?? '');
  handlebars.registerHelper(
    'phaseIcon',
    (status: Report['phases'][number]['status']) => PHASE_ICONS[status] ?? '',
  );
  compiled = handlebars.compile(readFileSync(templatePath('report.md.hbs'), 'utf8'), { noEscape: true });
  return compiled;
}

/** The commands to run next: those of the first open findings of the current phase, bounded. */
function nextCommands(
  report: Report,
  findings: readonly FindingView[],
): { lines: string[]; omitted: number } {
  const phase = report.currentPhase;
  const inPhase = findings.filter(
    (f) => report.results.find((r) => r.ruleId === f.ruleId)?.phase === phase && f.commands.length > 0,
  );
  const lines: string[] = [];
  let omitted = 0;
  for (const finding of inPhase.slice(0, MARKDOWN_LIMITS.nextFindings)) {
    const commands = finding.commands.filter((command) => command.length <= MARKDOWN_LIMITS.commandLength);
    if (
      commands.length < finding.commands.length ||
      lines.length + commands.length > MARKDOWN_LIMITS.commandLines
    ) {
      omitted++;
      continue;
    }
    lines.push(
      commentLine(`${finding.ruleId}: ${finding.resource}`).slice(0, MARKDOWN_LIMITS.commandLength),
      ...commands,
    );
  }
  return { lines, omitted: omitted + Math.max(0, inPhase.length - MARKDOWN_LIMITS.nextFindings) };
}

export function renderMarkdown(report: Report, context: Pick<FormatContext, 'rules' | 'htmlReport'>): string {
  const view = buildReportView(report, context.rules);
  const open = view.ruleGroups.flatMap((group) => group.namespaces.flatMap((ns) => ns.findings));
  // Urgent findings (harm already live) first, whatever their phase; then by severity.
  const ranked = [...open].sort(
    (a, b) => Number(b.urgent) - Number(a.urgent) || severityRank(b.severity) - severityRank(a.severity),
  );
  // As in the HTML: a rule with only info notes is not failing.
  const failing: RuleRowView[] = view.rules.filter((rule) => rule.shownStatus === 'fail');
  const next = nextCommands(report, open);
  return template()({
    ...view,
    failingRules: failing.slice(0, MARKDOWN_LIMITS.failingRules),
    moreFailingRules: Math.max(0, failing.length - MARKDOWN_LIMITS.failingRules),
    urgentShown: view.urgentFindings.slice(0, MARKDOWN_LIMITS.urgentFindings),
    moreUrgent: Math.max(0, view.urgentFindings.length - MARKDOWN_LIMITS.urgentFindings),
    topFindings: ranked.slice(0, MARKDOWN_LIMITS.topFindings),
    moreFindings: Math.max(0, ranked.length - MARKDOWN_LIMITS.topFindings),
    nextCommands: next.lines,
    omittedNext: next.omitted,
    unknownShown: view.unknownRules.slice(0, MARKDOWN_LIMITS.unknownRules),
    moreUnknown: Math.max(0, view.unknownRules.length - MARKDOWN_LIMITS.unknownRules),
    limits: MARKDOWN_LIMITS,
    elsewhere:
      context.htmlReport === true
        ? 'in the HTML report'
        : 'not listed here (the HTML report, --format html, lists them all)',
  });
}
