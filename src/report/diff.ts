/**
 * Baselines and diffs: findings of two reports matched by fingerprint (stable across scans of
 * the same object, SPEC §3). A finding of the old report whose rule could not be evaluated in
 * the new one (unknown, turned off, or not run for this target) is not "resolved": nobody
 * looked. Those are listed apart as `unverified`, so a flaky nightly scan never reports fixes
 * that did not happen.
 */
import type { Finding, Report } from '../engine/report-model.ts';

export type DiffEntry = Finding & { ruleId: string };

export interface ReportDiff {
  readonly new: DiffEntry[];
  readonly resolved: DiffEntry[];
  readonly unchanged: DiffEntry[];
  readonly unverified: DiffEntry[];
}

function entriesOf(report: Report): DiffEntry[] {
  return report.results.flatMap((result) =>
    result.findings.map((finding) => {
      const { baseline: _mark, ...rest } = finding;
      return { ruleId: result.ruleId, ...rest };
    }),
  );
}

/** Rules whose outcome in this report is a fact (pass, fail or not applicable). */
function evaluatedRuleIds(report: Report): Set<string> {
  return new Set(report.results.filter((r) => r.status !== 'unknown').map((r) => r.ruleId));
}

export function diffReports(old: Report, current: Report): ReportDiff {
  const oldEntries = entriesOf(old);
  const currentEntries = entriesOf(current);
  const oldFingerprints = new Set(oldEntries.map((entry) => entry.fingerprint));
  const currentFingerprints = new Set(currentEntries.map((entry) => entry.fingerprint));
  const evaluated = evaluatedRuleIds(current);
  const gone = oldEntries.filter((entry) => !currentFingerprints.has(entry.fingerprint));
  return {
    new: currentEntries.filter((entry) => !oldFingerprints.has(entry.fingerprint)),
    resolved: gone.filter((entry) => evaluated.has(entry.ruleId)),
    unchanged: currentEntries.filter((entry) => oldFingerprints.has(entry.fingerprint)),
    unverified: gone.filter((entry) => !evaluated.has(entry.ruleId)),
  };
}

/**
 * `scan --baseline`: marks every finding `new` or `unchanged` and lists the resolved ones.
 * Returns a new report; the input is not changed.
 */
export function withBaseline(report: Report, baseline: Report): Report {
  const baselineFingerprints = new Set(entriesOf(baseline).map((entry) => entry.fingerprint));
  const results = report.results.map((result) => ({
    ...result,
    findings: result.findings.map((finding) => ({
      ...finding,
      baseline: baselineFingerprints.has(finding.fingerprint) ? ('unchanged' as const) : ('new' as const),
    })),
  }));
  return { ...report, results, resolved: diffReports(baseline, report).resolved };
}
