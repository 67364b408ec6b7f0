/**
 * Renderings of a report diff: terminal text, JSON ({new, resolved, unchanged, unverified}) and
 * GitHub-flavoured Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY. Pure functions;
 * every cluster-provided string is escaped for its medium, and every line of the text and
 * Markdown renderings (both end up on a terminal) is made printable.
 */

import type { Report } from '../engine/report-model.ts';
import type { ResourceRef } from '../engine/vocabulary.ts';
import { printable } from '../text/printable.ts';
import type { DiffEntry, ReportDiff } from './diff.ts';

export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** The two sides of the diff: where they came from and the reports themselves. */
export interface DiffSides {
  readonly oldFile: string;
  readonly newFile: string;
  readonly old: Report;
  readonly current: Report;
}

/** Rows per Markdown section: a PR comment must stay well under GitHub's 65,536 characters. */
export const MARKDOWN_ROWS_PER_SECTION = 25;
const MESSAGE_LIMIT = 240;

function clamp(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export function describeResource(resource: ResourceRef): string {
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
}

/** The message without a leading "Kind ns/name: " that only repeats the resource shown beside it. */
function messageAfterResource(entry: DiffEntry): string {
  const prefix = `${describeResource(entry.resource)}: `;
  return entry.message.startsWith(prefix) ? entry.message.slice(prefix.length) : entry.message;
}

function counts(diff: ReportDiff): string {
  const parts = [
    `${diff.new.length} new`,
    `${diff.resolved.length} resolved`,
    `${diff.unchanged.length} unchanged`,
  ];
  if (diff.unverified.length > 0) parts.push(`${diff.unverified.length} not re-checked`);
  return parts.join(', ');
}

function sideLine(label: string, file: string, report: Report): string {
  const cluster = report.cluster.name ?? report.cluster.context ?? 'unnamed cluster';
  return `  ${label}: ${file} (${report.generatedAt}, ${cluster}, target ${report.target})`;
}

/** Comparing scans of different clusters or targets is allowed but almost always a mistake. */
export function diffWarnings(sides: DiffSides): string[] {
  const warnings: string[] = [];
  const { old, current } = sides;
  if ((old.cluster.name ?? '') !== (current.cluster.name ?? '')) {
    warnings.push(
      `the reports are about different clusters (${old.cluster.name ?? 'unnamed'} and ${current.cluster.name ?? 'unnamed'})`,
    );
  }
  if (old.target !== current.target) {
    warnings.push(`the reports are for different targets (${old.target} and ${current.target})`);
  }
  return warnings;
}

export function renderDiffText(diff: ReportDiff, sides: DiffSides): string {
  const line = (mark: string, entry: DiffEntry) =>
    printable(
      `  ${mark} ${entry.severity.padEnd(7)} ${entry.urgent ? 'URGENT ' : ''}${entry.ruleId}  ${describeResource(entry.resource)}: ${messageAfterResource(entry)}` +
        (entry.suppressed ? ` [suppressed: ${entry.suppressed.reason}]` : ''),
    );
  const lines = [
    `meshready diff: ${counts(diff)}`,
    printable(sideLine('old', sides.oldFile, sides.old)),
    printable(sideLine('new', sides.newFile, sides.current)),
  ];
  for (const warning of diffWarnings(sides)) lines.push(printable(`warning: ${warning}`));
  const section = (title: string, mark: string, entries: readonly DiffEntry[]) => {
    if (entries.length === 0) return;
    lines.push(`${title}:`);
    for (const entry of urgentFirst(entries)) lines.push(line(mark, entry));
  };
  section('New findings', '+', diff.new);
  section('Resolved findings', '-', diff.resolved);
  section('Not re-checked (the new scan could not evaluate their rule)', '?', diff.unverified);
  return `${lines.map(printable).join('\n')}\n`;
}

export function renderDiffJson(diff: ReportDiff): string {
  return `${JSON.stringify(diff)}\n`;
}

/**
 * Escapes text for a GFM table cell: no HTML, no links or emphasis, no table breaks, and no
 * @-mentions (a word joiner after `@` keeps GitHub from notifying anyone from a PR comment).
 */
export function markdownCell(text: string): string {
  return clamp(text.replace(/\s+/g, ' ').trim(), MESSAGE_LIMIT)
    .replace(/[\\`*_[\]<>|#!~&$]/g, '\\$&')
    .replace(/@/g, '@\u2060');
}

/** Urgent findings (harm already live) first, in their order; then the rest in theirs. */
function urgentFirst(entries: readonly DiffEntry[]): DiffEntry[] {
  return [...entries.filter((e) => e.urgent), ...entries.filter((e) => !e.urgent)];
}

function markdownTable(entries: readonly DiffEntry[]): string[] {
  const rows = urgentFirst(entries)
    .slice(0, MARKDOWN_ROWS_PER_SECTION)
    .map((entry) => {
      const suppressed = entry.suppressed ? ` _(suppressed: ${markdownCell(entry.suppressed.reason)})_` : '';
      return `| ${entry.urgent ? '🚨 urgent ' : ''}${entry.severity} | \`${entry.ruleId}\` | ${markdownCell(describeResource(entry.resource))} | ${markdownCell(messageAfterResource(entry))}${suppressed} |`;
    });
  const lines = ['| Severity | Rule | Resource | Finding |', '|---|---|---|---|', ...rows];
  const hidden = entries.length - rows.length;
  if (hidden > 0) lines.push('', `_… and ${hidden} more: see \`meshready diff --json\`._`);
  return lines;
}

export function renderDiffMarkdown(diff: ReportDiff, sides: DiffSides): string {
  const { old, current } = sides;
  const cluster = current.cluster.name ?? current.cluster.context ?? 'unnamed cluster';
  const lines = [
    `## meshready: ${counts(diff)}`,
    '',
    `Cluster ${markdownCell(cluster)}, target \`${current.target}\`: this scan (${markdownCell(current.generatedAt)}) ` +
      `compared with the baseline (${markdownCell(old.generatedAt)}).`,
  ];
  for (const warning of diffWarnings(sides)) lines.push('', `> **Warning:** ${markdownCell(warning)}`);
  const openNew = diff.new.filter((entry) => !entry.suppressed);
  lines.push(
    '',
    openNew.length > 0
      ? `**${openNew.length} new finding${openNew.length === 1 ? '' : 's'} to look at.**`
      : '**No new findings.**',
  );
  const section = (title: string, entries: readonly DiffEntry[], collapsed: boolean) => {
    if (entries.length === 0) return;
    const heading = `${title} (${entries.length})`;
    if (collapsed) lines.push('', `<details><summary>${heading}</summary>`, '');
    else lines.push('', `### ${heading}`, '');
    lines.push(...markdownTable(entries));
    if (collapsed) lines.push('', '</details>');
  };
  section('New findings', diff.new, false);
  section('Resolved findings', diff.resolved, false);
  section('Not re-checked: their rule could not be evaluated in this scan', diff.unverified, true);
  section('Unchanged findings', diff.unchanged, true);
  return `${lines.map(printable).join('\n')}\n`;
}

export const DIFF_RENDERERS: Readonly<Record<DiffFormat, (diff: ReportDiff, sides: DiffSides) => string>> = {
  text: renderDiffText,
  json: (diff) => renderDiffJson(diff),
  markdown: renderDiffMarkdown,
};
