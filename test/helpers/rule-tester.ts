/**
 * Table-driven rule tests in the style of ESLint's RuleTester (STYLE §4). Every case names the
 * status it expects; every fail case names the findings it expects, in order.
 *
 * A case's snapshot is either inline documents (objects as kubectl/gcloud print them) or
 * fixture files under fixtures/rules/<rule-id>/.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, RuleResult } from '../../src/engine/report-model.ts';
import type { Rule } from '../../src/engine/rule.ts';
import { runRules } from '../../src/engine/runner.ts';
import type { Phase, Severity, Target } from '../../src/engine/vocabulary.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { loadSnapshot, snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { ClusterSnapshot, SnapshotPart } from '../../src/snapshot/model.ts';

export interface CaseInput {
  /** Shown in the test name; say what the case is about. */
  readonly name: string;
  /** Inline documents: Kubernetes objects or Lists, a GKE cluster, firewall or machine-type arrays. */
  readonly documents?: readonly unknown[];
  /** Fixture files or directories, relative to fixtures/rules/<rule-id>/. */
  readonly fixtures?: readonly string[];
  readonly notCollected?: Readonly<Partial<Record<SnapshotPart, string>>>;
  readonly target?: Target;
  readonly upgradeTo?: string;
}

export interface ExpectedFinding {
  readonly message?: RegExp | string;
  readonly severity?: Severity;
  readonly resource?: { readonly kind?: string; readonly namespace?: string; readonly name?: string };
  /** Checks the structured fix (action and some params); null: the finding has none. */
  readonly fix?: { readonly action: string; readonly params?: Readonly<Record<string, unknown>> } | null;
  /** The phase the finding belongs to (its own, or the rule's for the target). */
  readonly phase?: Phase;
  /** Whether the finding is marked urgent (SPEC §3; false: the mark is absent); unchecked when omitted. */
  readonly urgent?: boolean;
  /** Where the object was read: the file (its end, e.g. the fixture's name) and line. */
  readonly origin?: { readonly file?: string; readonly line?: number };
}

export interface FailCase extends CaseInput {
  readonly findings: readonly ExpectedFinding[];
}
export interface ReasonCase extends CaseInput {
  readonly reason?: RegExp | string;
}

/**
 * Every status, each listed even when empty: a rule that can never give one says why in
 * `noCases` (e.g. vpc-sc-mesh-ca is always unknown).
 */
export interface RuleCases {
  readonly pass: readonly CaseInput[];
  readonly fail: readonly FailCase[];
  readonly notApplicable: readonly ReasonCase[];
  readonly unknown: readonly ReasonCase[];
  readonly noCases?: Readonly<Partial<Record<CaseStatus, string>>>;
}
type CaseStatus = 'pass' | 'fail' | 'notApplicable' | 'unknown';
const CASE_STATUSES: readonly CaseStatus[] = ['pass', 'fail', 'notApplicable', 'unknown'];

/** Whether an expected finding says which finding it is: its message, its object or its fix. */
function namesAFinding(expected: ExpectedFinding): boolean {
  return (
    expected.message !== undefined ||
    expected.resource?.name !== undefined ||
    (expected.fix?.params !== undefined && Object.keys(expected.fix.params).length > 0)
  );
}

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/rules');

async function snapshotOf(rule: Rule, input: CaseInput): Promise<ClusterSnapshot> {
  if (input.fixtures) {
    const snapshot = await loadSnapshot(input.fixtures.map((f) => path.join(FIXTURES, rule.id, f)));
    if (!input.notCollected) return snapshot;
    return {
      ...snapshot,
      coverage: {
        ...snapshot.coverage,
        ...Object.fromEntries(
          Object.entries(input.notCollected).map(([part, reason]) => [part, { collected: false, reason }]),
        ),
      },
    } as ClusterSnapshot;
  }
  return snapshotFromDocuments({ documents: input.documents ?? [], notCollected: input.notCollected });
}

/**
 * Runs one rule through the real runner, then the report-assembly step `meshready scan` runs
 * (the commands of each finding, from the remediation model), and returns its result.
 */
export async function evaluateRule(rule: Rule, input: CaseInput): Promise<RuleResult> {
  const target = input.target ?? rule.targets[0] ?? 'istio-1.6';
  const report = withRemediation(
    runRules(await snapshotOf(rule, input), {
      rules: [rule],
      target,
      upgradeTo: input.upgradeTo,
      toolVersion: '0.0.0-test',
      now: new Date('2026-11-25T10:00:00Z'),
    }),
  );
  const result = report.results[0];
  if (!result) throw new Error(`rule ${rule.id} did not run for target ${target}`);
  return result;
}

function expectText(actual: string | undefined, expected: RegExp | string | undefined): void {
  if (expected === undefined) return;
  if (typeof expected === 'string') expect(actual).toContain(expected);
  else expect(actual).toMatch(expected);
}

function expectFinding(actual: Finding, expected: ExpectedFinding): void {
  expectText(actual.message, expected.message);
  if (expected.severity) expect(actual.severity).toBe(expected.severity);
  if (expected.phase) expect(actual.phase).toBe(expected.phase);
  if (expected.urgent !== undefined) expect(actual.urgent ?? false, 'urgent').toBe(expected.urgent);
  if (expected.resource) expect(actual.resource).toMatchObject(expected.resource);
  if (expected.origin?.file !== undefined)
    expect(actual.location?.file, 'origin file').toMatch(new RegExp(`${expected.origin.file}$`));
  if (expected.origin?.line !== undefined)
    expect(actual.location?.line, 'origin line').toBe(expected.origin.line);
  if (expected.fix === null) expect(actual.fix, 'no fix').toBeUndefined();
  if (expected.fix) {
    expect(actual.fix?.action).toBe(expected.fix.action);
    if (expected.fix.params) expect(actual.fix?.params).toMatchObject(expected.fix.params);
    expect(actual.remediation?.commands.length).toBeGreaterThan(0);
  }
}

export function ruleTester(rule: Rule, cases: RuleCases): void {
  describe(rule.id, () => {
    it('has cases for every status, each expected finding named (ESLint RuleTester)', () => {
      for (const status of CASE_STATUSES) {
        if (cases[status].length === 0)
          expect(cases.noCases?.[status], `no ${status} case, and noCases does not say why`).toBeTruthy();
        else
          expect(
            cases.noCases?.[status],
            `${status} has cases, yet noCases says it has none`,
          ).toBeUndefined();
      }
      const unnamed = cases.fail.flatMap((c) =>
        c.findings.flatMap((expected, i) => (namesAFinding(expected) ? [] : [`${c.name}: finding ${i + 1}`])),
      );
      expect(unnamed, 'name each expected finding by its message, resource name or fix').toEqual([]);
    });
    for (const c of cases.pass) {
      it(`passes: ${c.name}`, async () => {
        const result = await evaluateRule(rule, c);
        expect(result.reason, 'a pass has no reason').toBeUndefined();
        expect(result.findings).toEqual([]);
        expect(result.status).toBe('pass');
      });
    }
    for (const c of cases.fail) {
      it(`fails: ${c.name}`, async () => {
        const result = await evaluateRule(rule, c);
        expect(result.status, result.reason).toBe('fail');
        expect(result.findings).toHaveLength(c.findings.length);
        c.findings.forEach((expected, i) => {
          expectFinding(result.findings[i] as Finding, expected);
        });
      });
    }
    for (const c of cases.notApplicable) {
      it(`is not applicable: ${c.name}`, async () => {
        const result = await evaluateRule(rule, c);
        expect(result.status).toBe('not-applicable');
        expect(result.findings).toEqual([]);
        expectText(result.reason, c.reason);
      });
    }
    for (const c of cases.unknown) {
      it(`is unknown: ${c.name}`, async () => {
        const result = await evaluateRule(rule, c);
        expect(result.status).toBe('unknown');
        expect(result.findings).toEqual([]);
        expect(result.reason).toBeTruthy();
        expectText(result.reason, c.reason);
      });
    }
  });
}
