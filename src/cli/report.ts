/**
 * `meshready report REPORT.json --format html|sarif|markdown [--output FILE]`: re-render a saved
 * JSON report. The file is validated against the report schema first; a malformed one is an
 * InputError naming the file, the line and what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.ts';
import { withRemediation } from '../remediate/report-commands.ts';
import { renderRemediationScript } from '../remediate/script.ts';
import { FORMATTERS, type Format } from '../report/formats.ts';
import { type Report, reportSchema } from '../report/model.ts';
import type { CliIO } from './io.ts';
import { writeOutputFile } from './output-files.ts';

export const RENDERABLE_FORMATS = ['html', 'sarif', 'markdown'] as const satisfies readonly Format[];
export type RenderableFormat = (typeof RENDERABLE_FORMATS)[number];

export interface ReportOptions {
  readonly format: RenderableFormat;
  readonly output?: string | undefined;
  readonly sarifRoot?: string | undefined;
  readonly sarifCategory?: string | undefined;
  /** Also write remediate.sh, generated from the same report, to this file. */
  readonly remediationScript?: string | undefined;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function failsBeforeEnd(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch (error) {
    // A truncated but valid beginning fails at its very end: "end of JSON input", or a position equal to its length.
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    return !/end of JSON input/.test(message) && !(position && Number(position[1]) >= text.length);
  }
}

/**
 * Where JSON.parse failed. V8 names the line for some errors only; otherwise find the shortest
 * prefix that fails for another reason than ending early (a valid beginning only runs out).
 */
function syntaxErrorLine(text: string, message: string): number | undefined {
  const fromMessage = /\(line (\d+) column \d+\)/.exec(message);
  if (fromMessage) return Number(fromMessage[1]);
  if (!failsBeforeEnd(text)) return lineAt(text, text.length);
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsBeforeEnd(text.slice(0, middle + 1))) high = middle;
    else low = middle + 1;
  }
  return lineAt(text, low);
}

/** The 1-based line of the value at a JSON path, found through yaml's source positions (JSON is YAML). */
function lineOfPath(text: string, jsonPath: readonly PropertyKey[]): number | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  for (let depth = jsonPath.length; depth >= 0; depth--) {
    const node = document.getIn(jsonPath.slice(0, depth) as unknown[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

function pathText(jsonPath: readonly PropertyKey[]): string {
  return jsonPath
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

export function parseReport(file: string, text: string): Report {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new InputError(
      file,
      syntaxErrorLine(text, message),
      `not valid JSON: ${message.replace(/\s+/g, ' ').slice(0, 200)}`,
      'a meshready JSON report (meshready-report.json)',
    );
  }
  const parsed = reportSchema.safeParse(json);
  if (parsed.success)
    // The commands a saved report shows are rendered again from each finding's `fix`, never
    // taken from the file (SPEC §9): a tampered `remediation.commands` could otherwise put any
    // text in the "copy commands" blocks.
    return withRemediation(parsed.data);
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const where = issue.path.length > 0 ? `${pathText(issue.path)}: ` : '';
  throw new InputError(
    file,
    lineOfPath(text, issue.path),
    `not a meshready report: ${where}${issue.message}`,
    'a JSON report written by `meshready scan` (schemaVersion 1)',
  );
}

export async function renderReport(reportFile: string, options: ReportOptions, io: CliIO): Promise<number> {
  const absolute = path.resolve(io.cwd, reportFile);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new InputError(reportFile, undefined, `cannot read the report: ${(error as Error).message}`);
  }
  const report = parseReport(reportFile, text);
  const rendered = FORMATTERS[options.format].render(report, {
    sarifRoot: path.resolve(io.cwd, options.sarifRoot ?? '.'),
    sarifCategory: options.sarifCategory,
    workingDirectory: io.cwd,
  });
  if (options.output === undefined) {
    io.stdout.write(rendered);
  } else {
    await writeOutputFile(path.resolve(io.cwd, options.output), options.output, rendered);
  }
  if (options.remediationScript !== undefined) {
    const script = path.resolve(io.cwd, options.remediationScript);
    const reportName = path.basename(reportFile);
    await writeOutputFile(
      script,
      options.remediationScript,
      renderRemediationScript(report, { reportFile: reportName }),
      { mode: 0o755 },
    );
  }
  return 0;
}
