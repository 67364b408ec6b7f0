/**
 * The remediation model (SPEC §9): every fix action turns its findings into typed steps, and two
 * thin renderers read the same steps:
 * - the report's commands for a finding (src/remediate/report-commands.ts);
 * - remediate.sh, through one generic partial (templates/remediate/step.hbs).
 *
 * A step is data, never shell text: command words are values the renderers quote with `shq`.
 * Run-time safety is a fixed set of named checks (./checks/index.ts), so every precondition the
 * script can enforce is listed in one place; what a fix action runs beyond single commands is a
 * bash function of its own folder (./actions/<action>/<action>.sh.hbs), which it declares.
 */
import type { z } from 'zod';
import type { CheckName } from './checks/index.ts';

/** A command as words, e.g. `['kubectl', 'delete', 'validatingwebhookconfiguration', name]`. */
export type Argv = readonly string[];

/**
 * Which of the step's findings a command line belongs to (indexes into `PlannedStep.findings`);
 * absent: all of them. A grouped step (the ports of eight Services of one namespace) shows each
 * finding only its own command.
 */
export type FindingIndexes = readonly number[];

/** A command the script shows and (with --apply) runs or saves. */
export type CommandStep =
  /** A read-only command whose output is for the person running the script. */
  | { readonly kind: 'check'; readonly argv: Argv; readonly for?: FindingIndexes }
  /** A read-only command whose YAML output is saved in the backup directory first. */
  | { readonly kind: 'backup'; readonly file: string; readonly argv: Argv; readonly for?: FindingIndexes }
  /** A change. */
  | { readonly kind: 'run'; readonly argv: Argv; readonly for?: FindingIndexes };

/**
 * `Fn`: the bash functions a `call` may name: an action's steps name only its own; by default, none.
 */
export type Step<Fn extends string = never> =
  | CommandStep
  /** A line printed as is (dry run and --apply). */
  | { readonly kind: 'note'; readonly text: string }
  /**
   * A `#` line in the script, for the person who reviews it. `once`: guidance every step of the
   * action repeats, written at its first step only.
   */
  | { readonly kind: 'comment'; readonly text: string; readonly once?: boolean }
  /** Needs a human: never run; `commands` are printed for them to use. */
  | {
      readonly kind: 'todo';
      readonly text: string;
      readonly commands: readonly { readonly argv: Argv; readonly for?: FindingIndexes }[];
    }
  /** The rest of the step runs only while the check holds; otherwise it is withheld, with the reason. */
  | {
      readonly kind: 'withhold-unless';
      readonly check: CheckName;
      readonly says: string;
      readonly args: Argv;
    }
  /** The rest of the step runs only while the check holds; otherwise there is nothing to do. */
  | { readonly kind: 'done-unless'; readonly check: CheckName; readonly args: Argv }
  /** The rest of the phase runs only while the check holds (a gate between steps). */
  | {
      readonly kind: 'halt-phase-unless';
      readonly check: CheckName;
      readonly args: Argv;
      readonly reason: string;
    }
  /** A disruptive change: its impact is printed, and --apply asks first. */
  | { readonly kind: 'confirm'; readonly impact: string }
  /** With --apply, nothing after this phase runs: the cluster the plan was made for is gone. */
  | { readonly kind: 'stop-after-phase'; readonly reason: string }
  /** The scan withheld the step: only the reason is printed. */
  | { readonly kind: 'withhold'; readonly reason: string }
  /**
   * A bash function of the action's own folder that re-reads the cluster and runs (a subset of)
   * `shows`; in a dry run it prints exactly those commands. A test holds every function to its
   * `shows` on every demo and on hostile values.
   */
  | {
      readonly kind: 'call';
      readonly fn: Fn;
      readonly args: Argv;
      readonly shows: readonly CommandStep[];
    };

/** What the planner gives an action besides its findings' parameters. */
export interface PlanContext {
  /** A backup file name, unique in the script, made of safe characters only. */
  backup(...parts: readonly (string | undefined)[]): string;
  /** The master upgrade the cluster-upgrade phase plans (the highest version proposed). */
  readonly upgrade?: {
    readonly version: string;
    readonly cluster: string;
    readonly scope: readonly string[];
  };
  /** Whether the master upgrade also takes the add-on gateway down (a step before says so). */
  readonly gatewayOutage?: boolean;
  /**
   * The revision a restart must find its namespace on: the one this phase relabels to, or a glob
   * (`asm-*` in asm-migrate-namespaces, `*` otherwise).
   */
  readonly targetRevision: string;
  /** The scanned cluster, its location and project ('' when the scan did not record them). */
  readonly cluster: readonly [name: string, location: string, project: string];
}

/** One planned step: what the script prints as "Step N", and the findings it serves. */
export interface PlannedStep<Finding = unknown, Action extends string = string> {
  /** The action (or planner step) it comes from, e.g. `delete-galley-webhook`. */
  readonly action: Action;
  /** The rule ids it fixes, in catalogue order, without repeats. */
  readonly rules: readonly string[];
  /** The resource it fixes, printable. */
  readonly resource: string;
  /** The line the script prints under "Step N", printable. */
  readonly title: string;
  /** One line for the plan at the top of the script, printable. */
  readonly summary: string;
  readonly steps: readonly Step<string>[];
  /** The report's findings this step serves: their commands are its command lines. */
  readonly findings: readonly Finding[];
}

/**
 * What the planner reads of a fix action whose parameters (its schema's output) are `P`, and
 * whose steps may call the bash functions `Fn`.
 */
export interface FixActionModel<P, Fn extends string = string> {
  /** The action id, as findings carry it in `fix.action` (a contract: SPEC §3). */
  readonly action: string;
  /** Its place within a phase, in the guide's order (lower first). */
  readonly order: number;
  /**
   * The bash functions its steps call, all defined in its own file `<action>/<action>.sh.hbs`
   * (which it has exactly when it names one); every script carries them.
   */
  readonly functions: readonly Fn[];
  /** One line for the plan at the top of the script (or, when it depends on them, of its parameters). */
  readonly summary: string | ((params: P) => string);
  /** The line printed under "Step N". */
  title(params: P): string;
  /**
   * The resource a step names, when the action knows it better than its findings do (the
   * Deployments one scale-down step covers). Default: the findings' resource, or how many.
   */
  resource?(group: readonly P[]): string;
  /**
   * The findings that become one step: their key. Default: identical parameters (two rules asking
   * to relabel one namespace give one step).
   */
  group?(params: P): string;
  /** The steps for a group of findings (their parameters, in report order). */
  steps(group: readonly P[], context: PlanContext): readonly Step<NoInfer<Fn>>[];
}

/** What a fix action module defines (src/remediate/actions/<action>/<action>.ts). */
export interface FixActionDefinition<A extends string, S extends z.ZodType, Fn extends string>
  extends FixActionModel<z.output<S>, Fn> {
  readonly action: A;
  /** Its parameters, as the rules give them. */
  readonly params: S;
}

export function defineFixAction<const A extends string, S extends z.ZodType, const Fn extends string = never>(
  definition: FixActionDefinition<A, S, Fn>,
): FixActionDefinition<A, S, Fn> {
  return definition;
}
