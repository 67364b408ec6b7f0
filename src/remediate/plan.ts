/**
 * The remediation plan: the report's structured fixes arranged as remediate.sh will run them,
 * phase by phase in the guide's order. Each fix action (./actions/) turns a group of findings into
 * typed steps; the planner adds the guide's own steps (a gate, a check, install_asm) and decides
 * what runs in which phase. Pure data: the reports' commands (./report-commands.ts) and
 * remediate.sh (./script.ts) both render it.
 *
 * Every fix is checked against its action's schema once (`checkFix`), and from then on a finding
 * carries its action and its typed parameters together (`Fixed<A>`): the planner reaches an
 * action's definition through the typed registry, never through a string-keyed lookup.
 */

import type { Finding, PhaseStatus, Report, RuleResult } from '../engine/report-model.ts';
import { type Phase, phasesFor } from '../engine/vocabulary.ts';
import { isGkeVersionBelow } from '../gke/version.ts';
import { printable } from '../text/printable.ts';
import { gcloudScope } from './actions/common.ts';
import {
  type CheckedFix,
  type CheckedParams,
  checkFix,
  FIX_ACTION_REGISTRY,
  type FixAction,
} from './actions/index.ts';
import { replacementChecks } from './actions/migrate-v1alpha1-policy/migrate-v1alpha1-policy.ts';
import {
  installAsmSteps,
  type PlannerStepAction,
  v1beta1GateSteps,
  verifyNamespaceSteps,
  withheldSteps,
} from './planned-steps.ts';
import type { PlanContext, PlannedStep, Step } from './step.ts';

/** A planned step: from a fix action, or one the planner adds itself (a gate, a check, install_asm). */
export type PlanStep = PlannedStep<Finding, FixAction | PlannerStepAction>;

/**
 * The rule whose verdict withholds the scale-down of the 1.4 control plane: when it planned no
 * scale-down and was not applicable or unknown, the retire phase shows its reason as a step.
 */
const SCALE_DOWN_RULE = 'old-control-plane-scaledown';

export interface PlanPhase {
  readonly id: Phase;
  readonly title: string;
  readonly scanStatus: PhaseStatus | 'not-scanned';
  /** The phase a plain `--apply` runs: the scan's first phase that is not done. */
  readonly current: boolean;
  /** Lines shown at the start of the phase: unknown results, suppressed findings, skipped fixes. */
  readonly notes: readonly string[];
  readonly steps: readonly PlanStep[];
}

export interface RemediationPlan {
  readonly target: string;
  /** The scan's current phase (the first not done), '' when every phase is done. */
  readonly currentPhase: Phase | '';
  readonly phases: readonly PlanPhase[];
}

export const PHASE_TITLES: Readonly<Record<Phase, string>> = {
  'cluster-upgrade': 'Upgrade the GKE cluster to a version with the Istio 1.6 operator',
  prepare: 'Prepare the 1.4 control plane and the cluster',
  'migrate-namespaces': 'Move namespaces and their workloads to the 1.6 control plane',
  'migrate-gateway': 'Move the ingress gateway to Istio 1.6',
  'retire-old-control-plane': 'Turn off the 1.4 control plane',
  'asm-install': "Install Anthos Service Mesh next to the operator's control plane",
  'asm-migrate-namespaces': 'Move namespaces and their workloads to the Anthos Service Mesh revision',
  'asm-cleanup': "Turn off the operator's control plane (profile empty)",
};

/** A finding whose fix the planner handles: its action and that action's checked parameters. */
interface Fixed<A extends FixAction> {
  /** Position in the report (catalogue order), to list rules in that order. */
  readonly order: number;
  readonly result: RuleResult;
  readonly finding: Finding;
  /** The finding's own phase (a rule spanning two phases sets it), else its rule's. */
  readonly phase: Phase;
  readonly action: A;
  readonly params: CheckedParams<A>;
}

/** Any fixed finding: a union discriminated by `action`, as `CheckedFix` is. */
type FixedFinding = { [A in FixAction]: Fixed<A> }[FixAction];

function hasAction<A extends FixAction>(item: FixedFinding, action: A): item is FixedFinding & Fixed<A> {
  return item.action === action;
}

/** The findings of `items` fixed by `action`, typed as that action's. */
function ofAction<A extends FixAction>(items: readonly FixedFinding[], action: A): Fixed<A>[] {
  return items.filter((item): item is FixedFinding & Fixed<A> => hasAction(item, action));
}

function describeResource(finding: Finding): string {
  const { kind, namespace, name } = finding.resource;
  return printable(namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`);
}

/**
 * A backup file name made only of safe characters, from what is saved (kind, namespace, name):
 * the same object gets the same name whatever else the scan found, so a finding's commands do
 * not depend on other findings. A second backup of the same parts gets `-2`.
 */
function backupName(parts: readonly (string | undefined)[], used: Set<string>): string {
  const base = parts
    .filter((part): part is string => part !== undefined && part !== '')
    .map((part) => part.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '_'))
    .join('-')
    .slice(0, 120);
  let name = `${base}.yaml`;
  for (let copy = 2; used.has(name); copy += 1) name = `${base}-${copy}.yaml`;
  used.add(name);
  return name;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds the steps of one plan, numbering backup files across it. */
class Planner {
  private readonly backups = new Set<string>();
  private readonly report: Report;
  private readonly fixed: readonly FixedFinding[];

  constructor(report: Report, fixed: readonly FixedFinding[]) {
    this.report = report;
    this.fixed = fixed;
  }

  context(extra: Partial<PlanContext> = {}): PlanContext {
    const { name, location, project } = this.report.cluster;
    return {
      targetRevision: '*',
      cluster: [name ?? '', location ?? '', project ?? ''],
      backup: (...parts) => backupName(parts, this.backups),
      ...extra,
    };
  }

  /** The fix action's step for a group of its findings. */
  actionStep<A extends FixAction>(group: readonly Fixed<A>[], context: PlanContext): PlanStep {
    const first = group[0] as Fixed<A>;
    return this.stepOf(
      first.action,
      group.map((item) => item.params),
      group,
      context,
    );
  }

  /**
   * The step of `action` with `parameters` (one per finding, in report order, or one for all, as
   * when two actions' findings propose one master upgrade), serving `served`.
   */
  stepOf<A extends FixAction>(
    action: A,
    parameters: readonly CheckedParams<A>[],
    served: readonly FixedFinding[] | readonly Fixed<A>[],
    context: PlanContext,
  ): PlanStep {
    const definition = FIX_ACTION_REGISTRY[action];
    const first = served[0] as FixedFinding | Fixed<A>;
    const firstParams = parameters[0] as CheckedParams<A>;
    const described = new Set(served.map((item) => describeResource(item.finding)));
    // "in namespace X" only when every finding is in X: a group may span namespaces (Service ports).
    const namespaces = new Set(served.map((item) => item.finding.resource.namespace));
    const [namespace] = namespaces;
    return {
      action,
      rules: rulesOf(served),
      resource: definition.resource
        ? printable(definition.resource(parameters))
        : described.size === 1
          ? describeResource(first.finding)
          : printable(
              `${described.size} ${first.finding.resource.kind}s${namespaces.size === 1 && namespace ? ` in namespace ${namespace}` : ''}`,
            ),
      title: printable(definition.title(firstParams)),
      summary: printable(
        typeof definition.summary === 'string' ? definition.summary : definition.summary(firstParams),
      ),
      steps: definition.steps(parameters, context),
      findings: served.map((item) => item.finding),
    };
  }

  plannedStep(
    action: PlannerStepAction,
    rules: readonly string[],
    resource: string,
    title: string,
    summary: string,
    steps: readonly Step<string>[],
    findings: readonly Finding[] = [],
  ): PlanStep {
    return {
      action,
      rules: [...new Set(rules)],
      resource: printable(resource),
      title,
      summary,
      steps,
      findings,
    };
  }

  /** The findings fixed by `action` in `items`, grouped as the action groups them. */
  groups<A extends FixAction>(items: readonly FixedFinding[], action: A): Fixed<A>[][] {
    const definition = FIX_ACTION_REGISTRY[action];
    const groups = new Map<string, Fixed<A>[]>();
    for (const item of ofAction(items, action)) {
      const key = definition.group ? definition.group(item.params) : JSON.stringify(item.params);
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    return [...groups.values()];
  }

  /** Every action of `items`, in the guide's order, one step per group. */
  defaultSteps(items: readonly FixedFinding[], context = this.context()): PlanStep[] {
    const actions = [...new Set(items.map((item) => item.action))].sort(
      (a, b) => FIX_ACTION_REGISTRY[a].order - FIX_ACTION_REGISTRY[b].order,
    );
    return actions.flatMap((action) =>
      this.groups(items, action).map((group) => this.actionStep(group, context)),
    );
  }

  /**
   * Back up the custom resources, note the gateway outage, then one upgrade step. The first two
   * only matter while the master is below the version the upgrade step goes to, so they carry it.
   */
  clusterUpgrade(items: readonly FixedFinding[]): PlanStep[] {
    // gke-version-istio16 and gke-upgrade-cr-deletion both propose an upgrade: one step, to the
    // highest version proposed (the safe one when they differ).
    const proposals = [...ofAction(items, 'upgrade-master'), ...ofAction(items, 'backup-istio-system-crs')];
    const chosen = proposals.length
      ? proposals.reduce((best, item) =>
          isGkeVersionBelow(best.params.version, item.params.version) === true ? item : best,
        )
      : undefined;
    const upgrade = chosen && {
      version: chosen.params.version,
      cluster: chosen.params.cluster,
      scope: gcloudScope(chosen.params),
    };
    const gatewayOutage = ofAction(items, 'gateway-upgrade-outage').length > 0;
    const context = this.context({ ...(upgrade ? { upgrade } : {}), gatewayOutage });
    const steps = this.defaultSteps(
      items.filter((i) => i.action !== 'upgrade-master'),
      context,
    );
    if (chosen) {
      const { cluster, version, location, project } = chosen.params;
      const params: CheckedParams<'upgrade-master'> = {
        cluster,
        version,
        ...(location ? { location } : {}),
        ...(project ? { project } : {}),
      };
      const step = this.stepOf('upgrade-master', [params], proposals, context);
      steps.push({ ...step, resource: describeResource(chosen.finding) });
    }
    return steps;
  }

  /**
   * Per namespace: relabel, restart its workloads, verify (guide steps 2-5, repeated). First a
   * gate: every v1alpha1 policy the scan found has its v1beta1 replacement in the cluster.
   */
  migrateNamespaces(phase: Phase, items: readonly FixedFinding[]): PlanStep[] {
    const steps: PlanStep[] = [];
    const revisions = new Set(ofAction(items, 'relabel-namespace').map((i) => i.params.revision));
    const [onlyRevision] = revisions;
    const targetRevision =
      revisions.size === 1 && onlyRevision
        ? onlyRevision
        : phase === 'asm-migrate-namespaces'
          ? 'asm-*'
          : '*';
    const context = this.context({ targetRevision });
    const policies = [
      ...ofAction(this.fixed, 'migrate-v1alpha1-policy'),
      ...ofAction(this.fixed, 'delete-v1alpha1-policy'),
    ];
    const moves = items.some((i) => i.action === 'relabel-namespace' || i.action === 'restart-workload');
    if (policies.length > 0 && moves) {
      const checks = new Map<string, string[]>();
      for (const policy of policies) {
        const words = replacementChecks(policy.params);
        for (let at = 0; at < words.length; at += 4) {
          const check = words.slice(at, at + 4);
          checks.set(check.join('\u0000'), check);
        }
      }
      steps.push(
        this.plannedStep(
          'v1beta1-gate',
          rulesOf(policies),
          `${policies.length} v1alpha1 polic${policies.length === 1 ? 'y' : 'ies'}`,
          'Check that each v1alpha1 policy has its v1beta1 replacement before workloads move to new proxies',
          'Stop here while a v1beta1 replacement is missing',
          v1beta1GateSteps([...checks.values()].flat()),
        ),
      );
    }
    type Moves = { relabel: Fixed<'relabel-namespace'>[][]; restarts: Fixed<'restart-workload'>[][] };
    const byNamespace = new Map<string, Moves>();
    const entry = (namespace: string) => {
      let found = byNamespace.get(namespace);
      if (!found) {
        found = { relabel: [], restarts: [] };
        byNamespace.set(namespace, found);
      }
      return found;
    };
    for (const group of this.groups(items, 'relabel-namespace')) {
      entry((group[0] as Fixed<'relabel-namespace'>).params.namespace).relabel.push(group);
    }
    for (const group of this.groups(items, 'restart-workload')) {
      entry((group[0] as Fixed<'restart-workload'>).params.namespace).restarts.push(group);
    }
    for (const namespace of [...byNamespace.keys()].sort(compareText)) {
      const { relabel, restarts } = byNamespace.get(namespace) as Moves;
      for (const group of relabel) steps.push(this.actionStep(group, context));
      for (const group of restarts) steps.push(this.actionStep(group, context));
      // Nothing to verify when the namespace could only get an instruction (no revision known).
      const relabelled = relabel.some(
        (group) => (group[0] as Fixed<'relabel-namespace'>).params.revision !== '',
      );
      if (restarts.length > 0 || relabelled) {
        steps.push(
          this.plannedStep(
            'verify-namespace',
            [...rulesOf(relabel.flat()), ...rulesOf(restarts.flat())],
            `Namespace ${namespace}`,
            'Check that the pods came back with the new proxy (guide: migrating namespaces, steps 4-5)',
            "Check the namespace's pods (read-only)",
            verifyNamespaceSteps(namespace),
          ),
        );
      }
    }
    return steps;
  }

  retire(items: readonly FixedFinding[]): PlanStep[] {
    const result = this.report.results.find((r) => r.ruleId === SCALE_DOWN_RULE);
    const scalesDown = ofAction(items, 'scale-down-old-control-plane').length > 0;
    if (!scalesDown && result && (result.status === 'not-applicable' || result.status === 'unknown')) {
      return [
        this.plannedStep(
          'withheld',
          [result.ruleId],
          'Deployments istio-system/istio-*',
          'Scale the 1.4 control plane down to 0 replicas',
          'Withheld by the scan',
          withheldSteps(printable(result.reason ?? result.status)),
        ),
        ...this.defaultSteps(items),
      ];
    }
    return this.defaultSteps(items);
  }

  profileStep(group: readonly Fixed<'set-operator-profile'>[], profile: 'disabled' | 'empty'): PlanStep {
    const first = group[0] as Fixed<'set-operator-profile'>;
    return this.stepOf('set-operator-profile', [{ ...first.params, profile }], group, this.context());
  }

  profileGroups(
    items: readonly FixedFinding[],
    profile: 'disabled' | 'empty',
  ): Fixed<'set-operator-profile'>[][] {
    return this.groups(
      ofAction(items, 'set-operator-profile').filter((i) => i.params.profile === profile),
      'set-operator-profile',
    );
  }

  /**
   * The ready asm-* revision the scan found (the operator-profile findings record it), or undefined
   * when the scan found ASM not installed yet.
   */
  installedAsmRevision(): string | undefined {
    return ofAction(this.fixed, 'set-operator-profile').find((i) => (i.params.asmRevision ?? '') !== '')
      ?.params.asmRevision;
  }

  /**
   * The operator disabled, then install_asm (a TODO). The install is left out once the scan found
   * this phase done, or ASM installed: install_asm is never run again (SPEC §9), and its step
   * checks that at run time too. An `empty` profile found here (a report from before asm-cleanup
   * existed) stays here: the step checks the cluster itself before it changes anything.
   */
  asmInstall(items: readonly FixedFinding[], scanStatus: PhaseStatus | 'not-scanned'): PlanStep[] {
    const disabled = this.profileGroups(items, 'disabled');
    const steps = disabled.map((group) => this.profileStep(group, 'disabled'));
    const others = items.filter(
      (i) => i.action !== 'set-operator-profile' && i.action !== 'write-custom-overlay',
    );
    steps.push(...this.defaultSteps(others));
    if (scanStatus !== 'done' && this.installedAsmRevision() === undefined) {
      const { name, project, location } = this.report.cluster;
      const overlays = this.groups(items, 'write-custom-overlay');
      const overlayItems = overlays.map((group) => group[0] as Fixed<'write-custom-overlay'>);
      const installRules = [...disabled.flat(), ...overlays.flat()];
      const overlayAction = FIX_ACTION_REGISTRY['write-custom-overlay'];
      const asmVersion = this.report.target === 'asm-1.6' ? '1.6' : '1.7';
      steps.push(
        this.plannedStep(
          'install-asm',
          installRules.length > 0 ? rulesOf(installRules) : ['asm-install'],
          `GKE cluster ${name ?? '(unknown)'}`,
          printable(`Migrate to Anthos Service Mesh ${asmVersion} with install_asm (you run it)`),
          'Install Anthos Service Mesh with install_asm (TODO)',
          installAsmSteps({
            asmVersion,
            scope: this.context().cluster,
            project,
            cluster: name,
            location,
            overlays: overlayItems.map((item) => item.params.file),
            overlayNotes: overlayAction.steps(
              overlayItems.map((item) => item.params),
              this.context(),
            ),
          }),
          overlays.flat().map((item) => item.finding),
        ),
      );
    }
    for (const group of this.profileGroups(items, 'empty')) steps.push(this.profileStep(group, 'empty'));
    return steps;
  }

  /**
   * The operator's profile set to empty (the guide's last step). When the scan asked for no
   * `empty` anywhere yet, the operators it asked to disable get this step too, as what comes after.
   */
  asmCleanup(items: readonly FixedFinding[]): PlanStep[] {
    const empty = this.profileGroups(items, 'empty');
    const groups =
      empty.length > 0 || this.profileGroups(this.fixed, 'empty').length > 0
        ? empty
        : this.profileGroups(this.fixed, 'disabled');
    return groups.map((group) => this.profileStep(group, 'empty'));
  }
}

function rulesOf(group: readonly { readonly order: number; readonly result: RuleResult }[]): string[] {
  return [...new Set([...group].sort((a, b) => a.order - b.order).map((item) => item.result.ruleId))];
}

function fixedFindings(results: readonly RuleResult[], notes: Map<Phase, string[]>): FixedFinding[] {
  const fixed: FixedFinding[] = [];
  for (const result of results) {
    for (const finding of result.findings) {
      const phase = finding.phase ?? result.phase;
      let phaseNotes = notes.get(phase);
      if (!phaseNotes) {
        phaseNotes = [];
        notes.set(phase, phaseNotes);
      }
      if (finding.suppressed) {
        phaseNotes.push(
          `Suppressed, so not handled here: ${result.ruleId} ${describeResource(finding)} (${printable(finding.suppressed.reason)}).`,
        );
        continue;
      }
      if (!finding.fix) continue;
      const checked: CheckedFix | undefined = checkFix(finding.fix);
      if (!checked) {
        phaseNotes.push(
          `No script step for ${result.ruleId} ${describeResource(finding)} (fix "${printable(finding.fix.action)}" is ` +
            'unknown or malformed in this report): follow the report.',
        );
        continue;
      }
      fixed.push({ order: fixed.length, result, finding, phase, ...checked });
    }
  }
  return fixed;
}

function phaseNotesFor(results: readonly RuleResult[]): Map<Phase, string[]> {
  const notes = new Map<Phase, string[]>();
  for (const result of results) {
    const phaseNotes = notes.get(result.phase) ?? [];
    notes.set(result.phase, phaseNotes);
    if (result.status === 'unknown') {
      phaseNotes.push(
        `Not checked by the scan: ${result.ruleId} (${printable(result.reason ?? 'unknown')}).`,
      );
    }
  }
  return notes;
}

/**
 * Plans already made, per report: the report commands and remediate.sh read the same plan. A
 * report is not changed once it is planned.
 */
const PLANS = new WeakMap<Report, RemediationPlan>();

export function planRemediation(report: Report): RemediationPlan {
  let plan = PLANS.get(report);
  if (!plan) {
    plan = makePlan(report);
    PLANS.set(report, plan);
  }
  return plan;
}

/**
 * Records that `copy` plans as `original` does, without planning it again: `copy` is `original`
 * with only what the planner does not read changed (the report commands of each finding).
 */
export function planAlike(copy: Report, original: Report): void {
  const plan = PLANS.get(original);
  if (plan) PLANS.set(copy, plan);
}

function makePlan(report: Report): RemediationPlan {
  const notes = phaseNotesFor(report.results);
  const fixed = fixedFindings(report.results, notes);
  const planner = new Planner(report, fixed);
  const statusOf = (phase: Phase) => report.phases.find((p) => p.id === phase)?.status ?? 'not-scanned';
  const currentPhase = phasesFor(report.target).find((phase) => statusOf(phase) !== 'done') ?? '';
  const phases = phasesFor(report.target).map((phase): PlanPhase => {
    const scanStatus = statusOf(phase);
    const items = fixed.filter((item) => item.phase === phase);
    let steps: PlanStep[];
    switch (phase) {
      case 'cluster-upgrade':
        steps = planner.clusterUpgrade(items);
        break;
      case 'migrate-namespaces':
      case 'asm-migrate-namespaces':
        steps = planner.migrateNamespaces(phase, items);
        break;
      case 'retire-old-control-plane':
        steps = planner.retire(items);
        break;
      case 'asm-install':
        steps = planner.asmInstall(items, scanStatus);
        break;
      case 'asm-cleanup':
        steps = planner.asmCleanup(items);
        break;
      default:
        steps = planner.defaultSteps(items);
    }
    const phaseNotes = [...(notes.get(phase) ?? [])];
    const asmRevision = planner.installedAsmRevision();
    if (phase === 'asm-install' && asmRevision !== undefined) {
      phaseNotes.push(
        printable(
          `The scan found Anthos Service Mesh installed (revision ${asmRevision} is ready): install_asm is not ` +
            'run again (--mode migrate refuses once an ASM control plane runs, --mode upgrade while the ' +
            "operator's istiod runs); the steps below finish what remains against that revision.",
        ),
      );
    }
    if (scanStatus === 'blocked') {
      phaseNotes.unshift(
        'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the ' +
          'earlier phases, then rescan and use the new remediate.sh.',
      );
    }
    return {
      id: phase,
      title: PHASE_TITLES[phase],
      scanStatus,
      current: phase === currentPhase,
      notes: phaseNotes,
      steps,
    };
  });
  return { target: report.target, currentPhase, phases };
}
