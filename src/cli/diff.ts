/**
 * `meshready diff OLD.json NEW.json`: which findings are new, resolved or unchanged between two
 * saved JSON reports (read by read-saved.ts, as `report` and `scan --baseline` read theirs), as
 * text, JSON or Markdown (a PR comment).
 */
import { type Severity, severityRank } from '../engine/vocabulary.ts';
import { diffReports } from '../report/diff.ts';
import { DIFF_RENDERERS, type DiffFormat, diffWarnings } from '../report/diff-format.ts';
import { readSavedReport } from '../report/read-saved.ts';
import type { CliIO } from './io.ts';

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
  const old = await readSavedReport(oldFile, io.cwd);
  const current = await readSavedReport(newFile, io.cwd);
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
