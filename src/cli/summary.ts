/**
 * The short terminal summary `scan` prints: on stdout, or on stderr when stdout carries --json.
 * Each line is made printable: finding messages, reasons and names carry cluster text that must
 * not drive the terminal.
 */

import type { Finding, Report } from '../engine/report-model.ts';
import { severityRank } from '../engine/vocabulary.ts';
import { type VerdictKind, verdictLine } from '../report/verdict-line.ts';
import { printable } from '../text/printable.ts';

const TOP_FINDINGS = 5;
/** Urgent findings are all listed, up to this many, even beyond TOP_FINDINGS. */
const MAX_URGENT = 20;

export interface SummaryOptions {
  /** ANSI colour (a terminal without NO_COLOR). */
  readonly colour?: boolean | undefined;
}

type Paint = (code: number | string, text: string) => string;

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

export function terminalSummary(
  report: Report,
  written: readonly string[],
  options: SummaryOptions = {},
): string {
  // Colour codes are added after the text is made printable, so they are the only escapes left.
  const paint: Paint = (code, text) =>
    options.colour ? `\x1b[${code}m${printable(text)}\x1b[0m` : printable(text);
  // Where the rest can be read: the files just written, or how to write them.
  const elsewhere = written.length > 0 ? 'in the report' : 'in the reports, which --output-dir DIR writes';
  const s = report.summary;
  const verdict = verdictLine(report);
  const lines = [
    printable(`meshready ${report.tool.version}: ${clusterLine(report)}, target ${report.target}`),
    `${paint(VERDICT_COLOURS[verdict.kind], verdict.word)}${printable(verdict.rest)}`,
    `Rules: ${s.pass} pass, ${s.fail} fail, ${s['not-applicable']} not applicable, ${s.unknown} unknown`,
    `Findings: ${s.findings.error} error, ${s.findings.warning} warning, ${s.findings.info} info` +
      (s.suppressed > 0 ? `, ${s.suppressed} suppressed` : ''),
    `Phases: ${report.phases.map((p) => `${p.id} ${p.status}`).join(' > ')}`,
  ];
  if (report.nextStep) lines.push(printable(`Next step: ${report.nextStep}`));
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
    lines.push(
      urgent.length > 0
        ? `Top findings (${urgent.length} urgent, listed first: their harm is already live):`
        : 'Top findings:',
    );
    for (const { ruleId, finding } of top.slice(0, shown)) {
      const mark = finding.urgent ? `${paint(URGENT_COLOUR, 'URGENT')} ` : '';
      lines.push(
        `  ${paint(SEVERITY_COLOURS[finding.severity], finding.severity.padEnd(7))} ${mark}${printable(`${ruleId}: ${finding.message}`)}`,
      );
    }
    if (top.length > shown) lines.push(`  … and ${top.length - shown} more ${elsewhere}`);
  }
  const unknowns = report.results.filter((r) => r.status === 'unknown');
  if (unknowns.length > 0) {
    lines.push('Could not evaluate:');
    for (const r of unknowns) lines.push(printable(`  ${r.ruleId}: ${r.reason}`));
  }
  if (report.resolved !== undefined) {
    const all = report.results.flatMap((r) => r.findings);
    const fresh = all.filter((f) => f.baseline === 'new').length;
    lines.push(`Baseline: ${fresh} new, ${all.length - fresh} unchanged, ${report.resolved.length} resolved`);
  }
  for (const expired of report.expiredSuppressions ?? []) {
    lines.push(
      printable(
        `Warning: a suppression of ${expired.rule}${expired.owner ? ` (owner ${expired.owner})` : ''} expired on ` +
          `${expired.expires} and no longer applies; renew or remove it (reason: ${expired.reason})`,
      ),
    );
  }
  if (report.source.skipped.length > 0) {
    lines.push(
      `Skipped ${report.source.skipped.length} input entr${report.source.skipped.length === 1 ? 'y' : 'ies'} (listed ${elsewhere}).`,
    );
  }
  if (written.length > 0) lines.push(printable(`Wrote: ${written.join(', ')}`));
  // Every line above is printable text, plus the colour codes paint() added.
  return `${lines.join('\n')}\n`;
}
