/**
 * What a rule is: metadata plus one pure function (STYLE §1). The runner does everything else.
 */
import type { ClusterSnapshot, KubeObject, Origin, SnapshotPart } from '../snapshot/model.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import { type Fix, type Phase, type ResourceRef, type Severity, TARGETS, type Target } from './vocabulary.ts';

export interface RuleReference {
  readonly title: string;
  readonly url: string;
}

export interface RuleDocs {
  /** One sentence: what a failure means. Used as SARIF shortDescription. */
  readonly summary: string;
  /** What the rule checks, precisely. */
  readonly checks: string;
  /** Why it matters: the upgrade guide's step or the upstream fact, in our words. */
  readonly why: string;
  /** How to fix it (Markdown allowed). */
  readonly fix: string;
  readonly references: readonly RuleReference[];
}

export interface RuleContext {
  readonly target: Target;
  /** `--upgrade-to`, as given (rules parse it and say when it is malformed). */
  readonly upgradeTo: string | undefined;
  /** Indexes over the snapshot, built once and shared by all rules. */
  readonly index: SnapshotIndex;
}

/** A finding as a rule reports it; the runner adds fingerprint, severity and remediation. */
export interface RuleFinding {
  readonly message: string;
  readonly resource: ResourceRef;
  readonly origin?: Origin | undefined;
  /** Only when this finding's severity differs from the rule's (e.g. a warning-level case). */
  readonly severity?: Severity;
  /** Distinguishes several findings about one object (a port, a container); part of the fingerprint. */
  readonly key?: string;
  /** Structured fix for the remediation script and the report's commands. */
  readonly fix?: Fix;
  /** Only when this finding belongs to another phase than the rule's (a rule spanning two phases). */
  readonly phase?: Phase;
  /** Set only when the harm is already live (SPEC §3: e.g. new pods in a namespace fail to create now). */
  readonly urgent?: boolean;
}

export interface NotApplicable {
  readonly status: 'not-applicable';
  readonly reason: string;
}
export interface Unknown {
  readonly status: 'unknown';
  readonly reason: string;
}
export type RuleOutcome = readonly RuleFinding[] | NotApplicable | Unknown;

export function notApplicable(reason: string): NotApplicable {
  return { status: 'not-applicable', reason };
}
export function unknown(reason: string): Unknown {
  return { status: 'unknown', reason };
}

export type SeverityByTarget = Severity | Readonly<Record<Target, Severity>>;
/** A rule's phase, or one per target when the step sits in a different phase for ASM. */
export type PhaseByTarget = Phase | Readonly<Partial<Record<Target, Phase>>>;

/**
 * A rule without its check: what the catalogue, the docs and the reports show of it. Plain data,
 * so it can be passed to a render worker with the report.
 */
export interface RuleMetadata {
  readonly id: string;
  readonly title: string;
  readonly phase: PhaseByTarget;
  readonly targets: readonly Target[];
  readonly defaultSeverity: SeverityByTarget;
  /** Snapshot parts the rule reads; when one was not collected the rule is `unknown`. */
  readonly needs: readonly SnapshotPart[];
  /**
   * Whether a finding of this rule is a migration step still to do even at severity info, so
   * its phase is not done (e.g. scaling the old control plane down). Defaults to false: info
   * findings are advice and do not hold a phase back.
   */
  readonly isStep?: boolean;
  readonly docs: RuleDocs;
}

export interface Rule extends RuleMetadata {
  readonly check: (snapshot: ClusterSnapshot, context: RuleContext) => RuleOutcome;
}

export function defineRule(rule: Rule): Rule {
  for (const target of rule.targets) {
    if (!TARGETS.includes(target)) throw new Error(`rule ${rule.id}: unknown target ${target}`);
    if (typeof rule.phase !== 'string' && rule.phase[target] === undefined)
      throw new Error(`rule ${rule.id}: no phase for target ${target}`);
  }
  return Object.freeze(rule);
}

export function severityFor(rule: RuleMetadata, target: Target): Severity {
  return typeof rule.defaultSeverity === 'string' ? rule.defaultSeverity : rule.defaultSeverity[target];
}

export function phaseFor(rule: RuleMetadata, target: Target): Phase {
  return typeof rule.phase === 'string' ? rule.phase : (rule.phase[target] as Phase);
}

/** `prepare`, or `migrate-gateway (istio-1.6), asm-install (asm-1.6, asm-1.7)` for a per-target phase. */
export function phaseText(rule: RuleMetadata): string {
  if (typeof rule.phase === 'string') return rule.phase;
  const targetsByPhase = new Map<Phase, Target[]>();
  for (const target of rule.targets) {
    const phase = phaseFor(rule, target);
    targetsByPhase.set(phase, [...(targetsByPhase.get(phase) ?? []), target]);
  }
  return [...targetsByPhase].map(([phase, targets]) => `${phase} (${targets.join(', ')})`).join(', ');
}

/** The reference to a stripped object, for a finding. */
export function resourceOf(object: KubeObject): ResourceRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }),
    name: object.metadata.name,
  };
}

/** A finding about a Kubernetes object, pointing at where the object came from. */
export function findingAbout(
  object: KubeObject,
  message: string,
  extra: Omit<RuleFinding, 'message' | 'resource' | 'origin'> = {},
): RuleFinding {
  return { message, resource: resourceOf(object), origin: object.origin, ...extra };
}
