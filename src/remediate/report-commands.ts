/**
 * The reports' renderer of the remediation model: for each finding, the command lines of the
 * steps that serve it, quoted exactly as remediate.sh's dry run prints them (the same `shq`, the
 * same steps). The report-assembly step after the rules: `meshready scan` and `meshready report`
 * both call it, so commands are always rendered from `fix` data, never read from a saved report.
 */
import type { Finding, Report } from '../engine/report-model.ts';
import { type PlanStep, planRemediation } from './plan.ts';
import { commandLine } from './shell.ts';
import type { Argv, FindingIndexes, Step } from './step.ts';

function servesFinding(indexes: FindingIndexes | undefined, index: number): boolean {
  return indexes === undefined || indexes.includes(index);
}

/** The command lines of a step for its finding at `index`. */
function commandsOf(steps: readonly Step[], index: number): string[] {
  const commands: Argv[] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'check':
      case 'backup':
      case 'run':
        if (servesFinding(step.for, index)) commands.push(step.argv);
        break;
      case 'call':
        for (const shown of step.shows) if (servesFinding(shown.for, index)) commands.push(shown.argv);
        break;
      case 'todo':
        for (const command of step.commands)
          if (servesFinding(command.for, index)) commands.push(command.argv);
        break;
      default:
        break;
    }
  }
  return commands.map(commandLine);
}

/** Each planned finding's command lines, in the order the script shows them. */
export function commandsByFinding(report: Report): Map<Finding, string[]> {
  const byFinding = new Map<Finding, string[]>();
  const add = (step: PlanStep) => {
    step.findings.forEach((finding, index) => {
      const lines = byFinding.get(finding) ?? [];
      for (const line of commandsOf(step.steps, index)) if (!lines.includes(line)) lines.push(line);
      byFinding.set(finding, lines);
    });
  };
  for (const phase of planRemediation(report).phases) for (const step of phase.steps) add(step);
  return byFinding;
}

/**
 * The report with `remediation` on every finding that has a fix: its phase and the commands the
 * script shows for it (none for a finding the script does not handle, e.g. a suppressed one).
 * Any `remediation` the input carried is replaced.
 */
export function withRemediation(report: Report): Report {
  const commands = commandsByFinding(report);
  return {
    ...report,
    results: report.results.map((result) => ({
      ...result,
      findings: result.findings.map((finding) => {
        const { remediation: _stored, ...rest } = finding;
        if (!finding.fix) return rest;
        return {
          ...rest,
          remediation: { phase: finding.phase ?? result.phase, commands: commands.get(finding) ?? [] },
        };
      }),
    })),
  };
}
