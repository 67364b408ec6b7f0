/**
 * The remediation model's view of one rule's findings, for the rule tests that check more than
 * command lines: text that is no command (a comment for the reviewer, a note, a TODO's wording)
 * lives in the planned steps, not in `remediation.commands`.
 */
import path from 'node:path';
import type { Rule } from '../../src/engine/rule.ts';
import { runRules } from '../../src/engine/runner.ts';
import { type PlanStep, planRemediation } from '../../src/remediate/plan.ts';
import { loadSnapshot, snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { CaseInput } from '../helpers/rule-tester.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/rules');

/**
 * The planned steps (planRemediation, as remediate.sh and the report both use it) that serve a
 * finding of `rule`, in plan order. The scan is the one `evaluateRule` runs for the same input.
 */
export async function plannedSteps(rule: Rule, input: CaseInput): Promise<PlanStep[]> {
  if (input.fixtures && input.notCollected) throw new Error('plannedSteps: fixtures with notCollected');
  const snapshot = input.fixtures
    ? await loadSnapshot(input.fixtures.map((f) => path.join(FIXTURES, rule.id, f)))
    : snapshotFromDocuments({ documents: input.documents ?? [], notCollected: input.notCollected });
  const report = runRules(snapshot, {
    rules: [rule],
    target: input.target ?? rule.targets[0] ?? 'istio-1.6',
    upgradeTo: input.upgradeTo,
    toolVersion: '0.0.0-test',
    now: new Date('2026-11-25T10:00:00Z'),
  });
  const findings = new Set(report.results.flatMap((result) => result.findings));
  return planRemediation(report)
    .phases.flatMap((phase) => phase.steps)
    .filter((step) => step.findings.some((finding) => findings.has(finding)));
}

/** The one planned step of `action` that serves a finding of `rule`; throws unless there is exactly one. */
export async function plannedStep(rule: Rule, input: CaseInput, action: string): Promise<PlanStep> {
  const steps = (await plannedSteps(rule, input)).filter((step) => step.action === action);
  if (steps.length !== 1) throw new Error(`${steps.length} planned ${action} steps for ${rule.id}`);
  return steps[0] as PlanStep;
}
