/**
 * The one reader of saved JSON reports, for `meshready report`, `meshready diff` and
 * `scan --baseline`: read the file, parse it, check it against the report contract (SPEC §3,
 * schemaVersion 1) and return the typed report. Every problem is an InputError naming the file,
 * and `line:column` when there is a place to point at, so the three commands fail alike: one
 * line on stderr, exit code 2.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathText } from '../config/source-positions.ts';
import { type Report, reportSchema } from '../engine/report-model.ts';
import { InputError } from '../errors.ts';
import { jsonPathPosition, malformedJsonError } from '../snapshot/json-errors.ts';

/** The schemaVersion this meshready writes and reads. */
const SCHEMA_VERSION = 1;

export const SAVED_REPORT_EXPECTED = `a JSON report written by \`meshready scan\`, schemaVersion ${SCHEMA_VERSION}`;

const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** Reads, parses and validates the report at `file` (relative to `cwd`). */
export async function readSavedReport(file: string, cwd: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = (code && READ_FAILURES[code]) ?? (code ? `error ${code}` : (error as Error).message);
    throw new InputError(file, undefined, `cannot read the report: ${why}`);
  }
  return await parseSavedReport(file, text);
}

/** A newer meshready's report: said plainly, instead of as a schema mismatch. */
function newerSchemaVersion(value: unknown): { version: number; writer: string } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { schemaVersion, tool } = value as { schemaVersion?: unknown; tool?: { version?: unknown } };
  if (typeof schemaVersion !== 'number' || schemaVersion <= SCHEMA_VERSION) return undefined;
  const writer = typeof tool?.version === 'string' ? `meshready ${tool.version}` : 'a newer meshready';
  return { version: schemaVersion, writer };
}

/** Parses and validates the text of a saved report; `file` is only for messages. */
export async function parseSavedReport(file: string, text: string): Promise<Report> {
  // Editors on Windows may save JSON with a byte order mark, which JSON.parse refuses.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw malformedJsonError(file, json, error, SAVED_REPORT_EXPECTED);
  }
  const newer = newerSchemaVersion(value);
  if (newer) {
    throw new InputError(
      file,
      await jsonPathPosition(json, ['schemaVersion']),
      `written by ${newer.writer} with schemaVersion ${newer.version}; this meshready reads schemaVersion ${SCHEMA_VERSION}: read it with that meshready or a later one`,
    );
  }
  const parsed = reportSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${pathText(issue.path)}: ` : '';
  throw new InputError(
    file,
    await jsonPathPosition(json, issue?.path ?? []),
    `not a meshready report: ${where}${issue?.message ?? 'invalid'}`,
    SAVED_REPORT_EXPECTED,
  );
}
