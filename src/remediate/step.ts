/**
 * The remediation model (SPEC §9): every fix action turns its findings into typed steps, and two
 * thin renderers read the same steps:
 * - the report's commands for a finding (src/remediate/report-commands.ts);
 * - remediate.sh, through one generic partial (templates/remediate/step.hbs).
 *
 * A step is data, never shell text: command words are values the renderers quote with `shq`.
 * Run-time safety is a fixed library of checks (templates/remediate/lib/checks.hbs and friends),
 * named here, so every precondition the script can enforce is listed in one place.
 */
import type { z } from 'zod';

/** A command as words, e.g. `['kubectl', 'delete', 'validatingwebhookconfiguration', name]`. */
export type Argv = readonly string[];

/**
 * Which of the step's findings a command line belongs to (indexes into `PlannedStep.findings`);
 * absent: all of them. A grouped step (the ports of eight Services of one namespace) shows each
 * finding only its own command.
 */
export type FindingIndexes = readonly number[];

/**
 * The run-time checks a step may name. Each is a bash function of the fixed library that reads
 * the cluster at the moment of the change; `says` is what the dry run announces.
 */
export const CHECKS = {
  /** A Deployment of istiod for revision $1 has a ready replica. */
  'istiod-revision-ready': { fn: 'istiod_revision_ready', library: 'lib/checks' },
  /** Namespace $1 selects (istio.io/rev) a ready revision matching the glob $2, without istio-injection. */
  'namespace-selects-revision': { fn: 'namespace_selects_revision', library: 'lib/checks' },
  /** No namespace selects the 1.4 injector (istio-injection=enabled). */
  'no-namespace-on-old-injector': { fn: 'no_namespace_on_old_injector', library: 'lib/checks' },
  /** No pod runs a 1.4 proxy: no workload sidecar and no ingress gateway pod (every target). */
  'no-pod-on-old-proxy': { fn: 'no_pod_on_old_proxy', library: 'lib/checks' },
  /** The 1.4 galley validating webhook is gone. */
  'galley-webhook-gone': { fn: 'galley_webhook_gone', library: 'lib/checks' },
  /** An asm-* istiod is ready. */
  'asm-istiod-ready': { fn: 'asm_istiod_ready', library: 'lib/checks' },
  /** No asm-* istiod is installed (ready or not); else: done already, install_asm is never run again. */
  'no-asm-istiod-installed': { fn: 'no_asm_istiod_installed', library: 'lib/checks' },
  /** No namespace selects, and no pod runs on, a revision of IstioOperator $1. */
  'nothing-on-operator-revision': { fn: 'nothing_on_operator_revision', library: 'lib/checks' },
  /** The master runs a version below $1 (cluster $2, then the gcloud scope); else: done already. */
  'master-below': { fn: 'master_below', library: 'lib/gke-version' },
  /**
   * Nothing that lets traffic reach the gateway names only its 1.4 ports: NetworkPolicies,
   * AuthorizationPolicies and BackendConfigs of the gateway pods, firewall rules of cluster $1
   * (location $2, project $3); else each open item is named.
   */
  'gateway-ports-ready': { fn: 'gateway_ports_ready', library: 'lib/gateway' },
  /** The object exists (kubectl get arguments); else: done already. */
  'object-exists': { fn: 'object_exists', library: undefined },
  /**
   * Each v1beta1 replacement of the v1alpha1 policies exists; four words a check (`object RESOURCE
   * NAMESPACE NAME`, `mesh-strict - - -`, `by-hand RESOURCE NAMESPACE NAME`: see replacementChecks).
   */
  'v1beta1-replacements-exist': { fn: 'v1beta1_replacements_exist', library: 'lib/v1alpha1' },
} as const;
export type CheckName = keyof typeof CHECKS;

/**
 * The library functions a step may call: each reads the cluster again at --apply and then runs
 * (a subset of) the commands its step `shows`; in a dry run it prints exactly those commands. A
 * test holds every function to its `shows` on every demo and on hostile values.
 */
export const LIBRARY_FUNCTIONS = {
  relabel_namespace: 'lib/namespaces',
  restart_workloads: 'lib/proxies',
  wait_for_rollouts: 'lib/proxies',
  scale_down_old_control_plane: 'lib/old-control-plane',
  restore_old_control_plane: 'lib/old-control-plane',
  restrict_galley_clusterrole: 'lib/galley',
  enable_operator_gateway: 'lib/gateway',
  set_operator_profile: 'lib/operator-profile',
  open_webhook_port: 'lib/firewall',
  autoscale_node_pool: 'lib/node-pools',
  add_node_pool: 'lib/node-pools',
  enable_cluster_workload_identity: 'lib/node-pools',
  enable_pool_metadata_server: 'lib/node-pools',
  apply_v1beta1_policies: 'lib/v1alpha1',
  delete_v1alpha1_policy: 'lib/v1alpha1',
  backup_namespaced_custom_resources: 'lib/gke-version',
} as const;
export type LibraryFunction = keyof typeof LIBRARY_FUNCTIONS;

/** A command the script shows and (with --apply) runs or saves. */
export type CommandStep =
  /** A read-only command whose output is for the person running the script. */
  | { readonly kind: 'check'; readonly argv: Argv; readonly for?: FindingIndexes }
  /** A read-only command whose YAML output is saved in the backup directory first. */
  | { readonly kind: 'backup'; readonly file: string; readonly argv: Argv; readonly for?: FindingIndexes }
  /** A change. */
  | { readonly kind: 'run'; readonly argv: Argv; readonly for?: FindingIndexes };

export type Step =
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
  /** A library function that re-reads the cluster and runs (some of) `shows`. */
  | {
      readonly kind: 'call';
      readonly fn: LibraryFunction;
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
export interface PlannedStep<Finding = unknown> {
  /** The action (or planner step) it comes from, e.g. `delete-galley-webhook`. */
  readonly action: string;
  /** The rule ids it fixes, in catalogue order, without repeats. */
  readonly rules: readonly string[];
  /** The resource it fixes, printable. */
  readonly resource: string;
  /** The line the script prints under "Step N", printable. */
  readonly title: string;
  /** One line for the plan at the top of the script, printable. */
  readonly summary: string;
  readonly steps: readonly Step[];
  /** The report's findings this step serves: their commands are its command lines. */
  readonly findings: readonly Finding[];
}

/** What a fix action module defines (src/remediate/actions/<action>.ts). */
export interface FixActionDefinition<S extends z.ZodType = z.ZodType> {
  /** The action id, as findings carry it in `fix.action` (a contract: SPEC §3). */
  readonly action: string;
  /** Its parameters, as the rules give them. */
  readonly params: S;
  /** Its place within a phase, in the guide's order (lower first). */
  readonly order: number;
  /** One line for the plan at the top of the script (or, when it depends on them, of its parameters). */
  readonly summary: string | ((params: z.output<S>) => string);
  /** The line printed under "Step N". */
  title(params: z.output<S>): string;
  /**
   * The resource a step names, when the action knows it better than its findings do (the
   * Deployments one scale-down step covers). Default: the findings' resource, or how many.
   */
  resource?(group: readonly z.output<S>[]): string;
  /**
   * The findings that become one step: their key. Default: identical parameters (two rules asking
   * to relabel one namespace give one step).
   */
  group?(params: z.output<S>): string;
  /** The steps for a group of findings (their parameters, in report order). */
  steps(group: readonly z.output<S>[], context: PlanContext): readonly Step[];
}

export function defineFixAction<S extends z.ZodType>(
  definition: FixActionDefinition<S>,
): FixActionDefinition<S> {
  return definition;
}
