/**
 * The reports' renderer of the remediation model: for each finding, the command lines of the
 * steps that serve it, quoted exactly as remediate.sh's dry run prints them (the same `shq`, the
 * same steps). The report-assembly step after the rules: `meshready scan` and `meshready report`
 * both call it, so commands are always rendered from `fix` data, never read from a saved report.
 */
import type { Finding, Report } from '../engine/report-model.ts';
import { type PlanStep, planAlike, planRemediation } from './plan.ts';
import { commandLine, shq } from './shell.ts';
import type { Argv, CommandStep, FindingIndexes, Step } from './step.ts';

/** A command line of a step, and the findings it is for (absent: all of them). */
interface CommandEntry {
  readonly line: string;
  readonly for: FindingIndexes | undefined;
}

/** The command lines of a step, in the order the script prints them. */
function commandEntries(steps: readonly Step<string>[]): CommandEntry[] {
  const entries: CommandEntry[] = [];
  const add = (command: CommandStep | { readonly argv: Argv; readonly for?: FindingIndexes }) =>
    entries.push({
      // A backup shows where it goes, as the dry run prints it (the script's backup directory
      // holds the file).
      line:
        'file' in command ? `${commandLine(command.argv)} > ${shq(command.file)}` : commandLine(command.argv),
      for: command.for,
    });
  for (const step of steps) {
    switch (step.kind) {
      case 'check':
      case 'backup':
      case 'run':
        add(step);
        break;
      case 'call':
        for (const shown of step.shows) add(shown);
        break;
      case 'todo':
        for (const command of step.commands) add(command);
        break;
      default:
        break;
    }
  }
  return entries;
}

/**
 * Each finding of a step with its command lines: those for all its findings and its own, in
 * order. Linear in the step's commands, however many findings share the step (the Services of
 * a big cluster are one step with a command each).
 */
function commandsOfStep(step: PlanStep, into: Map<Finding, string[]>): void {
  const entries = commandEntries(step.steps);
  const own = new Map<number, number[]>();
  const shared: number[] = [];
  entries.forEach((entry, position) => {
    if (entry.for === undefined) shared.push(position);
    else
      for (const index of entry.for) {
        const positions = own.get(index);
        if (positions) positions.push(position);
        else own.set(index, [position]);
      }
  });
  step.findings.forEach((finding, index) => {
    const positions = [...shared, ...(own.get(index) ?? [])].sort((a, b) => a - b);
    const lines = into.get(finding) ?? [];
    const seen = new Set(lines);
    for (const position of positions) {
      const line = (entries[position] as CommandEntry).line;
      if (!seen.has(line)) {
        seen.add(line);
        lines.push(line);
      }
    }
    into.set(finding, lines);
  });
}

/** Each planned finding's command lines, in the order the script shows them. */
export function commandsByFinding(report: Report): Map<Finding, string[]> {
  const byFinding = new Map<Finding, string[]>();
  for (const phase of planRemediation(report).phases) {
    for (const step of phase.steps) commandsOfStep(step, byFinding);
  }
  return byFinding;
}

/**
 * The report with `remediation` on every finding that has a fix: its phase and the commands the
 * script shows for it (none for a finding the script does not handle, e.g. a suppressed one).
 * Any `remediation` the input carried is replaced.
 */
export function withRemediation(report: Report): Report {
  const commands = commandsByFinding(report);
  const withCommands: Report = {
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
  planAlike(withCommands, report);
  return withCommands;
}
