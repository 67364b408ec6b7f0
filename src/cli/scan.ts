/** `meshready scan`: load a snapshot, run the catalogue, write the reports, decide the exit code. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RULES } from '../../rules/index.ts';
import { runRules } from '../engine/runner.ts';
import { type Severity, severityRank, type Target } from '../engine/vocabulary.ts';
import { UsageError } from '../errors.ts';
import { parseGkeVersion } from '../gke/version.ts';
import { TOOL_VERSION } from '../package-root.ts';
import { FORMATTERS, type Format } from '../report/formats.ts';
import type { Report } from '../report/model.ts';
import { loadSnapshot } from '../snapshot/load.ts';
import type { CliIO } from './io.ts';
import { Progress } from './progress.ts';
import { terminalSummary } from './summary.ts';

export type FailOn = Severity | 'never';

export interface ScanOptions {
  readonly snapshot: readonly string[];
  readonly target: Target;
  readonly upgradeTo?: string | undefined;
  readonly formats: readonly Format[];
  readonly outputDir: string;
  /** False when --json was given without an explicit --output-dir: then nothing is written. */
  readonly writeFiles: boolean;
  readonly json: boolean;
  readonly failOn: FailOn;
  readonly quiet: boolean;
  readonly sarifRoot?: string | undefined;
  readonly sarifCategory?: string | undefined;
}

/** Exit code 1 when an unsuppressed finding is at or above the --fail-on level. */
export function exitCodeFor(report: Report, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const threshold = severityRank(failOn);
  const failing = report.results.some((r) =>
    r.findings.some((f) => !f.suppressed && severityRank(f.severity) >= threshold),
  );
  return failing ? 1 : 0;
}

export async function writeReports(
  report: Report,
  options: Pick<ScanOptions, 'formats' | 'outputDir' | 'sarifRoot' | 'sarifCategory'>,
  io: CliIO,
): Promise<string[]> {
  const outputDir = path.resolve(io.cwd, options.outputDir);
  await mkdir(outputDir, { recursive: true });
  const context = {
    sarifRoot: path.resolve(io.cwd, options.sarifRoot ?? '.'),
    sarifCategory: options.sarifCategory,
  };
  const written: string[] = [];
  for (const format of options.formats) {
    const formatter = FORMATTERS[format];
    const file = path.join(outputDir, formatter.fileName);
    await writeFile(file, formatter.render(report, context));
    written.push(path.relative(io.cwd, file) || file);
  }
  return written;
}

export async function scan(options: ScanOptions, io: CliIO): Promise<number> {
  if (options.snapshot.length === 0) {
    throw new UsageError(
      'nothing to scan: give --snapshot PATH (a file or directory of kubectl/gcloud dumps)',
    );
  }
  if (options.upgradeTo !== undefined && !parseGkeVersion(options.upgradeTo)) {
    throw new UsageError(`--upgrade-to "${options.upgradeTo}" is not a GKE version (e.g. 1.17.12-gke.1501)`);
  }
  const progress = new Progress(io);
  const snapshot = await loadSnapshot(
    // Paths stay as the user wrote them, so messages and report locations name them the same way.
    options.snapshot.map((p) =>
      path.isAbsolute(p) ? p : path.relative(process.cwd(), path.resolve(io.cwd, p)) || '.',
    ),
    {
      onProgress: ({ filesRead, filesTotal, objects }) =>
        progress.update(`reading snapshot: ${filesRead}/${filesTotal} files, ${objects} objects`),
    },
  );
  progress.update('running rules…', true);
  const report = runRules(snapshot, {
    rules: RULES,
    target: options.target,
    upgradeTo: options.upgradeTo,
    toolVersion: TOOL_VERSION,
    now: io.now(),
  });
  progress.done();
  const written = options.writeFiles ? await writeReports(report, options, io) : [];
  if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  if (!options.quiet) io.stderr.write(terminalSummary(report, written));
  return exitCodeFor(report, options.failOn);
}
