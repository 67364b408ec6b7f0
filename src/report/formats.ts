/**
 * Every output format, in one map (STYLE §6). A formatter is a pure function of the report.
 */

import type { Report } from '../engine/report-model.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import type { RuleCatalogue } from './rule-docs.ts';
import { renderSarif } from './sarif.ts';

/** What a formatter is given besides the report (as Spectral gives its formatters the ruleset). */
export interface FormatContext {
  /** The rules' titles and docs, by id: the caller's registry (src/report imports no rules). */
  readonly rules: RuleCatalogue;
  /** Directory SARIF artifact URIs are made relative to. */
  readonly sarifRoot: string;
  readonly sarifCategory?: string | undefined;
  /** Directory relative file paths in the report are relative to (the scan's); default sarifRoot. */
  readonly workingDirectory?: string | undefined;
  /** An HTML report is written beside this one, so the Markdown can send readers there. */
  readonly htmlReport?: boolean | undefined;
}

export interface Formatter {
  /** File name written into --output-dir. */
  readonly fileName: string;
  readonly render: (report: Report, context: FormatContext) => string;
  /** The same text in pieces, for outputs large enough to be worth streaming to the file. */
  readonly chunks?: (report: Report, context: FormatContext) => Iterable<string>;
}

/** Below this depth arrays and objects are written member by member; deeper values in one piece. */
const STREAMED_DEPTH = 4;

/**
 * Pretty JSON (as `JSON.stringify(value, null, 2)`) in pieces: the report, its results and their
 * findings are emitted one member at a time, so a report with a very large number of findings
 * is never one string in memory.
 */
function* prettyJson(value: unknown, pad: string, depth: number): Generator<string> {
  if (depth >= STREAMED_DEPTH || value === null || typeof value !== 'object') {
    yield (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${pad}`);
    return;
  }
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield inner;
      yield* prettyJson(value[i] ?? null, inner, depth + 1);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield `${pad}]`;
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [key, member] = entries[i] as [string, unknown];
    yield `${inner}${JSON.stringify(key)}: `;
    yield* prettyJson(member, inner, depth + 1);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${pad}}`;
}

export function* jsonChunks(report: Report): Generator<string> {
  yield* prettyJson(report, '', 0);
  yield '\n';
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const FORMATS = ['html', 'json', 'sarif', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export const FORMATTERS: Readonly<Record<Format, Formatter>> = {
  html: { fileName: 'meshready-report.html', render: renderHtml },
  json: { fileName: 'meshready-report.json', render: renderJson, chunks: jsonChunks },
  sarif: { fileName: 'meshready-report.sarif', render: renderSarif },
  markdown: { fileName: 'meshready-report.md', render: renderMarkdown },
};
/** A format's text: in pieces when its formatter streams (JSON), else whole. */
export function renderFormat(
  format: Format,
  report: Report,
  context: FormatContext,
): string | Iterable<string> {
  const formatter = FORMATTERS[format];
  return formatter.chunks ? formatter.chunks(report, context) : formatter.render(report, context);
}

export const DEFAULT_FORMATS: readonly Format[] = ['html', 'json', 'sarif'];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}
