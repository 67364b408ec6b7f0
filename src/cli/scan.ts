/** `meshready scan`: load a snapshot, run the catalogue, write the reports, decide the exit code. */
import path from 'node:path';
import { RULES } from '../../rules/index.ts';
import { loadConfig } from '../config/load.ts';
import { scanPolicy } from '../config/policy.ts';
import type { MeshreadyConfig } from '../config/schema.ts';
import { type ScanSettings, scanSettings } from '../config/settings.ts';
import { POLICIES_FILE_NAME, scanPoliciesYaml } from '../convert/findings.ts';
import type { Report } from '../engine/report-model.ts';
import { runRules } from '../engine/runner.ts';
import { type Severity, severityRank, type Target } from '../engine/vocabulary.ts';
import { UsageError } from '../errors.ts';
import { parseGkeVersion } from '../gke/version.ts';
import { TOOL_VERSION } from '../package-root.ts';
import { customOverlays } from '../remediate/overlays.ts';
import { withRemediation } from '../remediate/report-commands.ts';
import { renderRemediationScript, SCRIPT_FILE_NAME } from '../remediate/script.ts';
import { withBaseline } from '../report/diff.ts';
import { FORMATTERS, type Format } from '../report/formats.ts';
import { RenderWorker, renderWorkerAllowed, startRendering } from '../report/parallel-render.ts';
import { readSavedReport } from '../report/read-saved.ts';
import type { ClusterSnapshot } from '../snapshot/model.ts';
import { type CliIO, useColour, wrapWidth } from './io.ts';
import { collectGarbage } from './memory.ts';
import { ensureDirectory, writeOutputFile } from './output-files.ts';
import { Progress } from './progress.ts';
import { RULE_CATALOGUE } from './rule-catalogue.ts';
import { type LiveFlags, readSnapshot, snapshotSourceOf } from './source.ts';
import { terminalSummary } from './summary.ts';
import { PhaseTimer } from './timing.ts';

export type FailOn = Severity | 'never';

export interface ScanOptions {
  readonly snapshot: readonly string[];
  /** Live source options (--context, --kubeconfig, --in-cluster, GKE identity and endpoints). */
  readonly live?: LiveFlags | undefined;
  /** Undefined when not given on the command line: the config file or the default decides. */
  readonly target?: Target | undefined;
  readonly upgradeTo?: string | undefined;
  /** --config FILE; without it ./meshready.yaml is read when present. */
  readonly config?: string | undefined;
  /** --baseline OLD.json: mark findings new/unchanged and list the resolved ones. */
  readonly baseline?: string | undefined;
  /** --fail-on-new: only new findings (needs --baseline) decide the exit code. */
  readonly failOnNew?: boolean | undefined;
  /** False with --no-annotation-exemptions; undefined when not given. */
  readonly annotationExemptions?: boolean | undefined;
  readonly formats: readonly Format[];
  readonly outputDir: string;
  /** False when --json was given without --output-dir or --format: then no file is written. */
  readonly writeFiles: boolean;
  readonly json: boolean;
  readonly failOn: FailOn;
  readonly quiet: boolean;
  readonly sarifRoot?: string | undefined;
  readonly sarifCategory?: string | undefined;
  /** --exclude-path GLOB (repeatable): files of a --snapshot directory not to read. */
  readonly excludePaths?: readonly string[] | undefined;
}

/**
 * Exit code 1 when an unsuppressed finding is at or above the --fail-on level (with
 * --fail-on-new, only a finding the baseline did not have), or when the verdict is `unknown`: a
 * rule that gates the migration could not be checked, and a scheduled scan that could not see is
 * not a green one (SPEC §1). Only --fail-on never exits 0 whatever the scan found.
 */
export function exitCodeFor(report: Report, failOn: FailOn, onlyNew = false): 0 | 1 {
  if (failOn === 'never') return 0;
  if (report.verdict === 'unknown') return 1;
  const threshold = severityRank(failOn);
  const failing = report.results.some((r) =>
    r.findings.some(
      (f) => !f.suppressed && severityRank(f.severity) >= threshold && (!onlyNew || f.baseline === 'new'),
    ),
  );
  return failing ? 1 : 0;
}

/**
 * Writes the reports, the install_asm overlays, remediate.sh and the v1beta1 policies (when there
 * are v1alpha1 ones) into the output directory; returns the files as the user would name them.
 */
export async function writeReports(
  report: Report,
  options: Pick<ScanOptions, 'formats' | 'outputDir' | 'sarifRoot' | 'sarifCategory'>,
  io: CliIO,
  policiesYaml: string | undefined,
  big: { readonly renderWorker?: RenderWorker | undefined; readonly freeSnapshot?: boolean } = {},
): Promise<string[]> {
  const outputDir = path.resolve(io.cwd, options.outputDir);
  await ensureDirectory(outputDir, options.outputDir);
  const written: string[] = [];
  const write = async (name: string, content: Parameters<typeof writeOutputFile>[2], mode?: number) => {
    const file = path.join(outputDir, name);
    // Named as the user gave the directory: `out/x.html`, `/tmp/out/x.html`, never this machine's
    // absolute path for a relative directory, nor `../../tmp/…` for an absolute one.
    const shown = path.join(options.outputDir, name);
    await writeOutputFile(file, shown, content, mode === undefined ? {} : { mode });
    return shown;
  };
  const context = {
    rules: RULE_CATALOGUE,
    sarifRoot: path.resolve(io.cwd, options.sarifRoot ?? '.'),
    sarifCategory: options.sarifCategory,
    workingDirectory: io.cwd,
    htmlReport: options.formats.includes('html'),
  };
  // The big formats render in workers meanwhile. Files are listed in this order whatever order
  // they finish in; the first one that fails (in this order) is the error.
  const renderings = startRendering(report, options.formats, context, { worker: big.renderWorker });
  // While the worker renders: the snapshot is no longer referenced, and collecting it now keeps
  // the peak memory of a big scan under that of the bare parse of its input.
  if (big.freeSnapshot) collectGarbage();
  const pending: Promise<string>[] = [];
  const start = (task: () => Promise<string>) => {
    const done = task();
    done.catch(() => {});
    pending.push(done);
  };
  for (const format of options.formats) {
    const rendering = renderings.get(format);
    if (rendering) start(async () => write(FORMATTERS[format].fileName, (await rendering()).content));
  }
  for (const overlay of customOverlays(report)) start(() => write(overlay.file, overlay.text));
  const reportFile = options.formats.includes('json') ? FORMATTERS.json.fileName : undefined;
  start(async () => write(SCRIPT_FILE_NAME, renderRemediationScript(report, { reportFile }), 0o755));
  // The v1beta1 equivalents of the v1alpha1 policies, which the findings and remediate.sh name.
  if (policiesYaml !== undefined) start(() => write(POLICIES_FILE_NAME, policiesYaml));
  for (const done of pending) written.push(await done);
  return written;
}

/**
 * From this many Kubernetes objects, the render worker is started before the rules run, and the
 * snapshot is collected before the reports are written.
 */
const BIG_SNAPSHOT_OBJECTS = 100_000;

/**
 * The report of a snapshot: the rules' findings with their commands, the suppressions applied
 * and the baseline compared. The snapshot is referenced from here only, so it can be freed while
 * the reports are written (at 150,000 pods it is most of the heap).
 */
async function assembleReport(
  snapshot: ClusterSnapshot,
  scan: {
    readonly config: MeshreadyConfig | undefined;
    readonly settings: ScanSettings;
    readonly baseline: Report | undefined;
    readonly now: Date;
    /** Whether to convert the v1alpha1 policies for the output directory. */
    readonly withPolicies: boolean;
    /** The formats to be written, if any. */
    readonly formats: readonly Format[];
  },
  progress: Progress,
): Promise<{
  report: Report;
  policiesYaml: string | undefined;
  renderWorker: RenderWorker | undefined;
  big: boolean;
}> {
  progress.update('running rules…', true);
  // A big cluster makes a big report: the render worker loads the formatters while the rules run.
  const objects = Object.values(snapshot.kube).reduce((sum, objects) => sum + objects.length, 0);
  const big = objects >= BIG_SNAPSHOT_OBJECTS;
  const renderWorker =
    scan.formats.length > 0 && big && renderWorkerAllowed() ? RenderWorker.start() : undefined;
  const { settings, now } = scan;
  const policy = scanPolicy(scan.config, snapshot, {
    now,
    annotationExemptions: settings.annotationExemptions,
  });
  // The rules give findings with `fix` data; the report's commands are rendered from it.
  let report = withRemediation(
    runRules(policy.snapshot, {
      rules: RULES,
      target: settings.target,
      upgradeTo: settings.upgradeTo,
      toolVersion: TOOL_VERSION,
      now,
      ...policy.runOptions,
    }),
  );
  if (policy.expiredSuppressions.length > 0) report.expiredSuppressions = policy.expiredSuppressions;
  if (scan.baseline) report = withBaseline(report, scan.baseline);
  return {
    report,
    policiesYaml: scan.withPolicies ? scanPoliciesYaml(policy.snapshot) : undefined,
    renderWorker,
    big,
  };
}

export async function scan(options: ScanOptions, io: CliIO): Promise<number> {
  const source = snapshotSourceOf(options.snapshot, options.live);
  if (source.kind === 'live' && (options.excludePaths ?? []).length > 0) {
    throw new UsageError('--exclude-path leaves files of a --snapshot directory out; it needs --snapshot');
  }
  if (options.failOnNew && options.baseline === undefined) {
    throw new UsageError('--fail-on-new needs --baseline OLD.json (the report to compare with)');
  }
  const loaded = await loadConfig({
    explicit: options.config,
    cwd: io.cwd,
    knownRuleIds: new Set(RULES.map((rule) => rule.id)),
  });
  const settings = scanSettings(options, loaded?.config);
  const baseline =
    options.baseline === undefined ? undefined : await readSavedReport(options.baseline, io.cwd);
  if (options.upgradeTo !== undefined && !parseGkeVersion(options.upgradeTo)) {
    throw new UsageError(`--upgrade-to "${options.upgradeTo}" is not a GKE version (e.g. 1.17.12-gke.1501)`);
  }
  const progress = new Progress(io);
  const timer = PhaseTimer.from(io);
  const { report, policiesYaml, renderWorker, big } = await assembleReport(
    // The globs of the command line and of the configuration file both apply. Not kept in a
    // variable here: assembleReport must hold the only reference, to free it (see there).
    await readSnapshot(source, io, progress, [
      ...(options.excludePaths ?? []),
      ...(loaded?.config.excludePaths ?? []),
    ]).finally(() => timer?.phase('read the snapshot')),
    {
      config: loaded?.config,
      settings,
      baseline,
      now: io.now(),
      withPolicies: options.writeFiles,
      formats: options.writeFiles ? options.formats : [],
    },
    progress,
  );
  progress.done();
  timer?.phase('rules and commands');
  const written = options.writeFiles
    ? await writeReports(report, options, io, policiesYaml, { renderWorker, freeSnapshot: big })
    : [];
  timer?.phase('write the files');
  if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  if (!options.quiet) {
    // SPEC §1: the summary goes to stdout, unless stdout carries the JSON report.
    const stream = options.json ? 'stderr' : 'stdout';
    io[stream].write(
      terminalSummary(report, written, { colour: useColour(io, stream), width: wrapWidth(io, stream) }),
    );
  }
  timer?.report();
  return exitCodeFor(report, options.failOn, options.failOnNew === true);
}
