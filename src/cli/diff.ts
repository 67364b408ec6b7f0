/**
 * `meshready diff OLD.json NEW.json`: which findings are new, resolved or unchanged between two
 * saved JSON reports, as text, JSON or Markdown (a PR comment). Also home of readReportFile,
 * which `scan --baseline` uses too.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathText, sourcePositionsOf } from '../config/source-positions.ts';
import { type Severity, severityRank } from '../engine/vocabulary.ts';
import { InputError } from '../errors.ts';
import { diffReports } from '../report/diff.ts';
import { DIFF_RENDERERS, type DiffFormat, diffWarnings } from '../report/diff-format.ts';
import { type Report, reportSchema } from '../report/model.ts';
import { jsonErrorLine } from '../snapshot/json-lines.ts';
import type { CliIO } from './io.ts';

/** Reads and validates a saved JSON report; problems name the file and the line. */
export async function readReportFile(file: string, io: CliIO): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, code === 'ENOENT' ? 'no such file' : `cannot read (${code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, jsonErrorLine(text), `malformed JSON: ${(error as Error).message}`);
  }
  const parsed = reportSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? pathText(issue.path) : '';
    const line = issue ? sourcePositionsOf(text).lineAt(issue.path) : undefined;
    throw new InputError(
      file,
      line,
      `not a meshready JSON report${where ? ` at ${where}` : ''}: ${issue?.message ?? 'invalid'}`,
      'a report written by `meshready scan --format json` (schemaVersion 1)',
    );
  }
  return parsed.data;
}

export interface DiffOptions {
  readonly format: DiffFormat;
  /** Exit 1 when a new unsuppressed finding is at or above this level. */
  readonly failOnNew?: Severity | undefined;
}

export async function diff(
  oldFile: string,
  newFile: string,
  options: DiffOptions,
  io: CliIO,
): Promise<number> {
  const old = await readReportFile(oldFile, io);
  const current = await readReportFile(newFile, io);
  const sides = { oldFile, newFile, old, current };
  const result = diffReports(old, current);
  // Text carries its warnings inline; with data on stdout they go to stderr.
  if (options.format !== 'text') {
    for (const warning of diffWarnings(sides)) io.stderr.write(`meshready: warning: ${warning}\n`);
  }
  io.stdout.write(DIFF_RENDERERS[options.format](result, sides));
  const threshold = options.failOnNew;
  if (threshold === undefined) return 0;
  const failing = result.new.some(
    (entry) => !entry.suppressed && severityRank(entry.severity) >= severityRank(threshold),
  );
  return failing ? 1 : 0;
}
