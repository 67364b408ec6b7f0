/**
 * `meshready report REPORT.json --format html|sarif|markdown [--output FILE]`: re-render a saved
 * JSON report. The file is read and validated by the one reader of saved reports (read-saved.ts),
 * as `diff` and `scan --baseline` read theirs.
 */
import path from 'node:path';
import { withRemediation } from '../remediate/report-commands.ts';
import { renderRemediationScript } from '../remediate/script.ts';
import { FORMATTERS, type Format } from '../report/formats.ts';
import { readSavedReport } from '../report/read-saved.ts';
import type { CliIO } from './io.ts';
import { writeOutputFile } from './output-files.ts';
import { RULE_CATALOGUE } from './rule-catalogue.ts';

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

export async function renderReport(reportFile: string, options: ReportOptions, io: CliIO): Promise<number> {
  // The commands a saved report shows are rendered again from each finding's `fix`, never taken
  // from the file (SPEC §9): a tampered `remediation.commands` could otherwise put any text in
  // the "copy commands" blocks.
  const report = withRemediation(await readSavedReport(reportFile, io.cwd));
  const rendered = FORMATTERS[options.format].render(report, {
    rules: RULE_CATALOGUE,
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
