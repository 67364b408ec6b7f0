/**
 * The verdict line (SPEC §1): what the verdict is about, relative to the phases, so that READY
 * cannot be read as "done". One sentence for every output: the terminal summary, the HTML
 * banner, the Markdown heading and the SARIF run's properties.
 *
 *   NOT READY: 3 errors block phase prepare
 *   UNKNOWN: 2 gating rules could not be checked (cluster-upgrade)
 *   READY for phase migrate-gateway (2 phases to go)
 *   DONE: every phase is done
 */
import type { Report } from '../engine/report-model.ts';
import type { Phase } from '../engine/vocabulary.ts';

export type VerdictKind = 'not-ready' | 'unknown' | 'ready' | 'done';

export interface VerdictLine {
  /** `done` is `ready` with no phase left to do. */
  readonly kind: VerdictKind;
  /** The verdict word(s): NOT READY, UNKNOWN, READY or DONE. */
  readonly word: string;
  /** What follows the word, e.g. ": 3 errors block phase prepare" or " for phase prepare (…)". */
  readonly rest: string;
  /** The whole line. */
  readonly text: string;
}

const WORDS: Readonly<Record<VerdictKind, string>> = {
  'not-ready': 'NOT READY',
  unknown: 'UNKNOWN',
  ready: 'READY',
  done: 'DONE',
};

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The open error findings per phase, in the target's phase order. */
function errorsByPhase(report: Report): { phase: Phase; errors: number }[] {
  const counts = new Map<Phase, number>(report.phases.map((p) => [p.id, 0]));
  for (const result of report.results) {
    for (const finding of result.findings) {
      if (finding.suppressed || finding.severity !== 'error') continue;
      // A finding of a rule spanning two phases carries its own.
      const phase = finding.phase ?? result.phase;
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, errors]) => errors > 0).map(([phase, errors]) => ({ phase, errors }));
}

function restOf(report: Report): { kind: VerdictKind; rest: string } {
  if (report.verdict === 'not-ready') {
    const [first, ...later] = errorsByPhase(report);
    if (!first)
      return { kind: 'not-ready', rest: `: ${plural(report.summary.findings.error, 'error', 'errors')}` };
    const laterErrors = later.reduce((sum, entry) => sum + entry.errors, 0);
    const more = laterErrors > 0 ? ` (and ${laterErrors} in later phases)` : '';
    const verb = first.errors === 1 ? 'blocks' : 'block';
    return {
      kind: 'not-ready',
      rest: `: ${plural(first.errors, 'error', 'errors')} ${verb} phase ${first.phase}${more}`,
    };
  }
  if (report.verdict === 'unknown') {
    // The gating rules: error-severity rules that could not be evaluated (what makes the verdict unknown).
    const gating = report.results.filter((r) => r.status === 'unknown' && r.severity === 'error');
    const order = new Map(report.phases.map((p, index) => [p.id, index]));
    const phases = [...new Set(gating.map((r) => r.phase))].sort(
      (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0),
    );
    const could = gating.length === 1 ? 'rule could not be checked' : 'rules could not be checked';
    return { kind: 'unknown', rest: `: ${gating.length} gating ${could} (${phases.join(', ')})` };
  }
  const toGo = report.phases.filter((p) => p.status !== 'done').length;
  const current = report.currentPhase ?? report.phases.find((p) => p.status !== 'done')?.id;
  if (current === undefined || toGo === 0) return { kind: 'done', rest: ': every phase is done' };
  return { kind: 'ready', rest: ` for phase ${current} (${plural(toGo, 'phase', 'phases')} to go)` };
}

export function verdictLine(report: Report): VerdictLine {
  const { kind, rest } = restOf(report);
  const word = WORDS[kind];
  return { kind, word, rest, text: `${word}${rest}` };
}
