/**
 * The short terminal summary `scan` prints: on stdout, or on stderr when stdout carries --json.
 * Each line is made printable: finding messages, reasons and names carry cluster text that must
 * not drive the terminal.
 */

import type { Finding, Report } from '../engine/report-model.ts';
import { severityRank } from '../engine/vocabulary.ts';
import { type VerdictKind, verdictLine } from '../report/verdict-line.ts';
import { printable } from '../text/printable.ts';
import { wrapText } from '../text/wrap.ts';

const TOP_FINDINGS = 5;
/** Urgent findings are all listed, up to this many, even beyond TOP_FINDINGS. */
const MAX_URGENT = 20;

export interface SummaryOptions {
  /** ANSI colour (a terminal without NO_COLOR). */
  readonly colour?: boolean | undefined;
  /** Wrap to this many columns (a terminal); undefined: no wrapping. */
  readonly width?: number | undefined;
}

const VERDICT_COLOURS: Readonly<Record<VerdictKind, number>> = {
  done: 32,
  ready: 32,
  'not-ready': 31,
  unknown: 33,
};
/** Bold red. */
const URGENT_COLOUR = '1;31';
const SEVERITY_COLOURS: Readonly<Record<Finding['severity'], number>> = { error: 31, warning: 33, info: 36 };

function clusterLine(report: Report): string {
  const { cluster } = report;
  const name = cluster.name ?? cluster.context ?? 'unnamed cluster';
  const where = [cluster.project, cluster.location].filter(Boolean).join('/');
  const version = cluster.masterVersion ? `, master ${cluster.masterVersion}` : '';
  return `${name}${where ? ` (${where})` : ''}${version}`;
}

/** A line of the summary: printable text, the spans of its first line to colour, how it wraps. */
interface SummaryLine {
  readonly text: string;
  readonly paints?: readonly { readonly from: number; readonly to: number; readonly code: number | string }[];
  /** How far a wrapped line continues to the right of the line's own indentation. */
  readonly hang?: number;
}

export function terminalSummary(
  report: Report,
  written: readonly string[],
  options: SummaryOptions = {},
): string {
  // Where the rest can be read: the files just written, or how to write them.
  const elsewhere = written.length > 0 ? 'in the report' : 'in the reports, which --output-dir DIR writes';
  const s = report.summary;
  const verdict = verdictLine(report);
  const lines: SummaryLine[] = [
    { text: printable(`meshready ${report.tool.version}: ${clusterLine(report)}, target ${report.target}`) },
    {
      text: printable(verdict.text),
      paints: [{ from: 0, to: verdict.word.length, code: VERDICT_COLOURS[verdict.kind] }],
    },
    {
      text: `Rules: ${s.pass} pass, ${s.fail} fail, ${s['not-applicable']} not applicable, ${s.unknown} unknown`,
    },
    {
      text:
        `Findings: ${s.findings.error} error, ${s.findings.warning} warning, ${s.findings.info} info` +
        (s.suppressed > 0 ? `, ${s.suppressed} suppressed` : ''),
    },
    { text: `Phases: ${report.phases.map((p) => `${p.id} ${p.status}`).join(' > ')}` },
  ];
  const add = (text: string) => lines.push({ text: printable(text) });
  if (report.nextStep) add(`Next step: ${report.nextStep}`);
  // Urgent findings (harm already live) first, whatever their phase; then by severity.
  const open = report.results.flatMap((r) =>
    r.findings.filter((f) => !f.suppressed).map((finding) => ({ ruleId: r.ruleId, finding })),
  );
  const bySeverity = (a: (typeof open)[number], b: (typeof open)[number]) =>
    severityRank(b.finding.severity) - severityRank(a.finding.severity);
  const urgent = open.filter((entry) => entry.finding.urgent).sort(bySeverity);
  const top = [...urgent, ...open.filter((entry) => !entry.finding.urgent).sort(bySeverity)];
  const shown = Math.max(TOP_FINDINGS, Math.min(urgent.length, MAX_URGENT));
  if (top.length > 0) {
    add(
      urgent.length > 0
        ? `Top findings (${urgent.length} urgent, listed first: their harm is already live):`
        : 'Top findings:',
    );
    for (const { ruleId, finding } of top.slice(0, shown)) {
      // `  error   URGENT rule: message`: a wrapped message continues under the rule id.
      const severity = `  ${finding.severity.padEnd(7)} `;
      const mark = finding.urgent ? 'URGENT ' : '';
      lines.push({
        text: `${severity}${mark}${printable(`${ruleId}: ${finding.message}`)}`,
        paints: [
          { from: 2, to: 9, code: SEVERITY_COLOURS[finding.severity] },
          ...(mark ? [{ from: severity.length, to: severity.length + 6, code: URGENT_COLOUR }] : []),
        ],
        hang: severity.length - 2,
      });
    }
    if (top.length > shown) add(`  … and ${top.length - shown} more ${elsewhere}`);
  }
  const unknowns = report.results.filter((r) => r.status === 'unknown');
  if (unknowns.length > 0) {
    add('Could not evaluate:');
    for (const r of unknowns) add(`  ${r.ruleId}: ${r.reason}`);
  }
  if (report.resolved !== undefined) {
    const all = report.results.flatMap((r) => r.findings);
    const fresh = all.filter((f) => f.baseline === 'new').length;
    add(`Baseline: ${fresh} new, ${all.length - fresh} unchanged, ${report.resolved.length} resolved`);
  }
  for (const expired of report.expiredSuppressions ?? []) {
    add(
      `Warning: a suppression of ${expired.rule}${expired.owner ? ` (owner ${expired.owner})` : ''} expired on ` +
        `${expired.expires} and no longer applies; renew or remove it (reason: ${expired.reason})`,
    );
  }
  if (report.source.skipped.length > 0) {
    add(
      `Skipped ${report.source.skipped.length} input entr${report.source.skipped.length === 1 ? 'y' : 'ies'} (listed ${elsewhere}).`,
    );
  }
  if (written.length > 0) add(`Wrote: ${written.join(', ')}`);
  // Every line is printable text; it is wrapped first (on a terminal), then coloured, so the
  // colour codes are the only escapes and take no columns.
  const paint = (line: string, spans: SummaryLine['paints'] = []) =>
    [...spans]
      .sort((a, b) => b.from - a.from)
      .reduce(
        (text, span) =>
          `${text.slice(0, span.from)}\x1b[${span.code}m${text.slice(span.from, span.to)}\x1b[0m${text.slice(span.to)}`,
        line,
      );
  const rendered = lines.map((line) => {
    const [first = '', ...rest] = wrapText(line.text, options.width, line.hang).split('\n');
    return [options.colour ? paint(first, line.paints) : first, ...rest].join('\n');
  });
  return `${rendered.join('\n')}\n`;
}
