/**
 * The runner: everything around the rules (STYLE §2). Target filtering, `unknown` for missing
 * parts, severity overrides, fingerprints, suppressions, remediation attachment, deterministic
 * ordering, phases and the verdict.
 */

import type { ClusterSnapshot } from '../snapshot/model.ts';
import { fingerprintOf } from './fingerprint.ts';
import type { Finding, PhaseStatus, Report, RuleResult, Suppression } from './report-model.ts';
import {
  phaseFor,
  type Rule,
  type RuleContext,
  type RuleFinding,
  type RuleOutcome,
  severityFor,
} from './rule.ts';
import { SnapshotIndex } from './snapshot-index.ts';
import {
  type Phase,
  phasesFor,
  type Severity,
  type Status,
  severityRank,
  type Target,
} from './vocabulary.ts';

export type SeverityOverride = Severity | 'off';

export interface SuppressionQuery {
  readonly ruleId: string;
  readonly finding: Finding;
}

export interface RunOptions {
  readonly rules: readonly Rule[];
  readonly target: Target;
  readonly upgradeTo?: string | undefined;
  readonly toolVersion: string;
  readonly now: Date;
  readonly severityOverrides?: Readonly<Record<string, SeverityOverride>>;
  /** Decides whether a finding is suppressed (configuration, annotations). */
  readonly suppressionFor?: (query: SuppressionQuery) => Suppression | undefined;
  /** Drops findings about objects the user excluded (e.g. excludeNamespaces). */
  readonly isExcluded?: (finding: RuleFinding) => boolean;
}

export function rulesForTarget(rules: readonly Rule[], target: Target): Rule[] {
  return rules.filter((rule) => rule.targets.includes(target));
}

function runCheck(rule: Rule, snapshot: ClusterSnapshot, context: RuleContext): RuleOutcome {
  const missing = rule.needs.map((part) => context.index.missing(part)).filter((m) => m !== undefined);
  if (missing.length > 0) return { status: 'unknown', reason: missing.join('; ') };
  try {
    return rule.check(snapshot, context);
  } catch (error) {
    return { status: 'unknown', reason: `the rule could not run: ${(error as Error).message}` };
  }
}

function compareFindings(a: Finding, b: Finding): number {
  const ra = a.resource;
  const rb = b.resource;
  return (
    (ra.namespace ?? '').localeCompare(rb.namespace ?? '') ||
    ra.kind.localeCompare(rb.kind) ||
    ra.name.localeCompare(rb.name) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

function toFinding(
  rule: Rule,
  found: RuleFinding,
  severity: Severity,
  override: boolean,
  rulePhase: Phase,
): Finding {
  const phase = found.phase ?? rulePhase;
  const finding: Finding = {
    fingerprint: fingerprintOf(rule.id, found.resource, found.key),
    // An override sets the rule's level; a finding the rule already rated lower stays at most there.
    severity:
      found.severity === undefined
        ? severity
        : override && severityRank(severity) < severityRank(found.severity)
          ? severity
          : found.severity,
    message: found.message,
    resource: found.resource,
    phase,
  };
  if (found.urgent) finding.urgent = true;
  if (found.origin) finding.location = { file: found.origin.file, line: found.origin.line };
  if (found.fix) finding.fix = found.fix;
  return finding;
}

function evaluate(
  rule: Rule,
  snapshot: ClusterSnapshot,
  context: RuleContext,
  options: RunOptions,
): RuleResult {
  const override = options.severityOverrides?.[rule.id];
  const severity = override && override !== 'off' ? override : severityFor(rule, options.target);
  const phase = phaseFor(rule, options.target);
  const base = { ruleId: rule.id, title: rule.title, phase, severity };
  const outcome = runCheck(rule, snapshot, context);
  if ('status' in outcome) return { ...base, status: outcome.status, reason: outcome.reason, findings: [] };
  const kept = options.isExcluded ? outcome.filter((f) => !options.isExcluded?.(f)) : outcome;
  const findings = kept.map((found) => toFinding(rule, found, severity, override !== undefined, phase));
  const unique = [...new Map(findings.map((f) => [f.fingerprint, f])).values()];
  for (const finding of unique) {
    const suppressed = options.suppressionFor?.({ ruleId: rule.id, finding });
    if (suppressed) finding.suppressed = suppressed;
  }
  unique.sort(compareFindings);
  const status: Status = unique.length > 0 ? 'fail' : 'pass';
  return { ...base, status, findings: unique };
}

function isOpen(finding: Finding): boolean {
  return finding.suppressed === undefined;
}

/** The phase a finding belongs to (findings of a rule spanning two phases carry their own). */
export function findingPhase(finding: Finding, result: RuleResult): Phase {
  return finding.phase ?? result.phase;
}

/** Whether a rule's result keeps `phase` from being done. */
function holdsPhase(
  phase: Phase,
  result: RuleResult,
  rule: Rule | undefined,
): 'todo' | 'unknown' | undefined {
  const open = result.findings.filter((f) => isOpen(f) && findingPhase(f, result) === phase);
  if (open.some((f) => f.severity !== 'info' || rule?.isStep)) return 'todo';
  if (result.phase === phase && result.status === 'unknown' && result.severity !== 'info') return 'unknown';
  return undefined;
}

/** The rules with a part in `phase`: their own phase, or a finding that belongs to it. */
function resultsInPhase(phase: Phase, results: readonly RuleResult[]): RuleResult[] {
  return results.filter((r) => r.phase === phase || r.findings.some((f) => findingPhase(f, r) === phase));
}

/**
 * Each phase of the target, in order: `done` when none of its rules holds it back, `todo` or
 * `unknown` for the first phase that is not done, and `blocked` for every phase after it
 * (nothing there can be finished before the earlier phase is).
 */
export function phaseStatuses(
  target: Target,
  results: readonly RuleResult[],
  rulesById: ReadonlyMap<string, Rule>,
): { id: Phase; status: PhaseStatus; rules: string[] }[] {
  let earlierNotDone = false;
  return phasesFor(target).map((phase) => {
    const inPhase = resultsInPhase(phase, results);
    const holds = inPhase.map((r) => holdsPhase(phase, r, rulesById.get(r.ruleId)));
    let status: PhaseStatus = holds.includes('todo')
      ? 'todo'
      : holds.includes('unknown')
        ? 'unknown'
        : 'done';
    if (earlierNotDone) status = 'blocked';
    if (status !== 'done') earlierNotDone = true;
    return { id: phase, status, rules: inPhase.map((r) => r.ruleId) };
  });
}

/** "GKE master version ships…" -> "GKE master version ships…"; "No v1alpha1 …" -> "no v1alpha1 …". */
function inSentence(title: string): string {
  const [first = ''] = title.split(' ');
  return /^[A-Z][a-z0-9.-]*$/.test(first) ? `${title.charAt(0).toLowerCase()}${title.slice(1)}` : title;
}

/**
 * The next step: the most severe open item of the current phase (an open finding at warning or
 * above, or any open finding of a rule whose findings are steps), worded as an action. Titles
 * state the goal ("Workload Identity is enabled"), so the step asks to make it true.
 */
function nextStepOf(
  phase: Phase,
  status: PhaseStatus,
  results: readonly RuleResult[],
  rulesById: ReadonlyMap<string, Rule>,
): string {
  const items = resultsInPhase(phase, results)
    .map((result) => {
      const isStep = rulesById.get(result.ruleId)?.isStep === true;
      const open = result.findings.filter(
        (f) => isOpen(f) && findingPhase(f, result) === phase && (f.severity !== 'info' || isStep),
      );
      const rank = Math.max(-1, ...open.map((f) => severityRank(f.severity)));
      return { result, open: open.filter((f) => severityRank(f.severity) === rank), rank };
    })
    .filter((item) => item.open.length > 0);
  // The highest severity wins; among equals, the first in catalogue (and so procedure) order.
  const top = items.reduce<(typeof items)[number] | undefined>(
    (best, item) => (best === undefined || item.rank > best.rank ? item : best),
    undefined,
  );
  if (top) {
    const { result, open } = top;
    const severity = open[0]?.severity ?? result.severity;
    const count = `${open.length} ${severity} finding${open.length === 1 ? '' : 's'}`;
    return `${phase}: ensure that ${inSentence(result.title)} (${result.ruleId}: ${count} open)`;
  }
  const unknownResult = results.find(
    (r) => r.phase === phase && r.status === 'unknown' && r.severity !== 'info',
  );
  if (status === 'unknown' && unknownResult) {
    return `${phase}: check ${unknownResult.ruleId}, which could not be evaluated: ${unknownResult.reason}`;
  }
  return `${phase}`;
}

/** Counts per rule status and per severity of the open findings; suppressed ones apart. */
export function summarize(results: readonly RuleResult[]): Report['summary'] {
  const summary: Report['summary'] = {
    pass: 0,
    fail: 0,
    'not-applicable': 0,
    unknown: 0,
    findings: { error: 0, warning: 0, info: 0 },
    suppressed: 0,
  };
  for (const result of results) {
    summary[result.status]++;
    for (const finding of result.findings) {
      if (isOpen(finding)) summary.findings[finding.severity]++;
      else summary.suppressed++;
    }
  }
  return summary;
}

export function runRules(snapshot: ClusterSnapshot, options: RunOptions): Report {
  const context: RuleContext = {
    target: options.target,
    upgradeTo: options.upgradeTo,
    index: new SnapshotIndex(snapshot),
  };
  const rules = rulesForTarget(options.rules, options.target).filter(
    (rule) => options.severityOverrides?.[rule.id] !== 'off',
  );
  const results = rules.map((rule) => evaluate(rule, snapshot, context, options));
  const rulesById = new Map(rules.map((rule) => [rule.id, rule]));
  const phases = phaseStatuses(options.target, results, rulesById);
  const current = phases.find((p) => p.status !== 'done');

  const summary = summarize(results);
  const verdict =
    summary.findings.error > 0
      ? 'not-ready'
      : results.some((r) => r.status === 'unknown' && r.severity === 'error')
        ? 'unknown'
        : 'ready';

  const cluster: Report['cluster'] = { ...snapshot.identity };
  if (snapshot.gkeCluster?.currentMasterVersion)
    cluster.masterVersion = snapshot.gkeCluster.currentMasterVersion;

  return {
    schemaVersion: 1,
    tool: { name: 'meshready', version: options.toolVersion },
    target: options.target,
    ...(options.upgradeTo ? { upgradeTo: options.upgradeTo } : {}),
    generatedAt: options.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    cluster,
    source: {
      kind: snapshot.source.kind,
      inputs: [...snapshot.source.inputs],
      skipped: [...snapshot.skipped],
      notCollected: Object.entries(snapshot.coverage).flatMap(([part, coverage]) =>
        coverage.collected ? [] : [{ part, reason: coverage.reason }],
      ),
    },
    verdict,
    summary,
    phases,
    ...(current
      ? { currentPhase: current.id, nextStep: nextStepOf(current.id, current.status, results, rulesById) }
      : {}),
    results,
  };
}
