/**
 * Every output format, in one map (STYLE §6). A formatter is a pure function of the report.
 */
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './model.ts';
import { renderSarif } from './sarif.ts';

export interface FormatContext {
  /** Directory SARIF artifact URIs are made relative to. */
  readonly sarifRoot: string;
  readonly sarifCategory?: string | undefined;
  /** Directory relative file paths in the report are relative to (the scan's); default sarifRoot. */
  readonly workingDirectory?: string | undefined;
}

export interface Formatter {
  /** File name written into --output-dir. */
  readonly fileName: string;
  readonly render: (report: Report, context: FormatContext) => string;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const FORMATS = ['html', 'json', 'sarif', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export const FORMATTERS: Readonly<Record<Format, Formatter>> = {
  html: { fileName: 'meshready-report.html', render: renderHtml },
  json: { fileName: 'meshready-report.json', render: renderJson },
  sarif: { fileName: 'meshready-report.sarif', render: renderSarif },
  markdown: { fileName: 'meshready-report.md', render: renderMarkdown },
};
export const DEFAULT_FORMATS: readonly Format[] = ['html', 'json', 'sarif'];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}
