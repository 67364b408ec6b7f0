/**
 * Every output format, in one map (STYLE §6). A formatter is a pure function of the report.
 */
import type { Report } from './model.ts';

export interface FormatContext {
  /** Directory SARIF artifact URIs are made relative to. */
  readonly sarifRoot: string;
  readonly sarifCategory?: string | undefined;
}

export interface Formatter {
  /** File name written into --output-dir. */
  readonly fileName: string;
  readonly render: (report: Report, context: FormatContext) => string;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const FORMATS = ['json'] as const;
export type Format = (typeof FORMATS)[number];

export const FORMATTERS: Readonly<Record<Format, Formatter>> = {
  json: { fileName: 'meshready-report.json', render: renderJson },
};
export const DEFAULT_FORMATS: readonly Format[] = ['json'];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}
