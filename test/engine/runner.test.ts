import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/scan.ts';
import { defineRule, findingAbout, notApplicable, type Rule, unknown } from '../../src/engine/rule.ts';
import { type RunOptions, runRules } from '../../src/engine/runner.ts';
import type { Phase, Severity } from '../../src/engine/vocabulary.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { ClusterSnapshot } from '../../src/snapshot/model.ts';
import { namespace } from '../helpers/objects.ts';

const docs = {
  summary: 'x',
  checks: 'x',
  why: 'x',
  fix: 'x',
  references: [],
};

/** A rule that reports one finding per namespace whose name starts with `prefix`. */
function namespaceRule(
  id: string,
  phase: Phase,
  severity: Severity,
  prefix: string,
  extra: Partial<Rule> = {},
): Rule {
  return defineRule({
    id,
    title: `title of ${id}`,
    phase,
    targets: ['istio-1.6', 'asm-1.7'],
    defaultSeverity: severity,
    needs: ['namespaces'],
    docs,
    check: (snapshot) =>
      snapshot.kube.namespaces
        .filter((ns) => ns.metadata.name.startsWith(prefix))
        .map((ns) => findingAbout(ns, `namespace ${ns.metadata.name}`)),
    ...extra,
  });
}

function snapshotOf(names: string[]): ClusterSnapshot {
  return snapshotFromDocuments({ documents: names.map((n) => namespace(n)) });
}

function run(snapshot: ClusterSnapshot, rules: Rule[], extra: Partial<RunOptions> = {}) {
  return runRules(snapshot, {
    rules,
    target: 'istio-1.6',
    toolVersion: '0.0.0',
    now: new Date('2026-11-25T10:00:00.123Z'),
    ...extra,
  });
}

describe('runner', () => {
  it('gives pass, fail, not-applicable and unknown, with reasons only where due', () => {
    const rules = [
      namespaceRule('a-pass', 'prepare', 'error', 'zzz'),
      namespaceRule('b-fail', 'prepare', 'error', 'bad'),
      namespaceRule('c-na', 'prepare', 'error', '', { check: () => notApplicable('nothing here') }),
      namespaceRule('d-unknown', 'prepare', 'error', '', { needs: ['firewalls'] }),
      namespaceRule('e-crash', 'prepare', 'error', '', {
        check: () => {
          throw new Error('boom');
        },
      }),
      namespaceRule('f-own-unknown', 'prepare', 'error', '', { check: () => unknown('manual check') }),
    ];
    const report = run(snapshotOf(['bad-1', 'ok']), rules);
    expect(report.results.map((r) => [r.ruleId, r.status, r.reason])).toEqual([
      ['a-pass', 'pass', undefined],
      ['b-fail', 'fail', undefined],
      ['c-na', 'not-applicable', 'nothing here'],
      [
        'd-unknown',
        'unknown',
        expect.stringMatching(/^Compute firewall rules not collected: no firewall rules/),
      ],
      ['e-crash', 'unknown', 'the rule could not run: boom'],
      ['f-own-unknown', 'unknown', 'manual check'],
    ]);
    expect(report.summary).toMatchObject({ pass: 1, fail: 1, 'not-applicable': 1, unknown: 3 });
  });

  it('keeps only the rules of the target', () => {
    const asmOnly = namespaceRule('asm-only', 'prepare', 'error', 'x', { targets: ['asm-1.7'] });
    expect(run(snapshotOf([]), [asmOnly]).results).toEqual([]);
    expect(run(snapshotOf([]), [asmOnly], { target: 'asm-1.7' }).results).toHaveLength(1);
  });

  it('decides the verdict: not-ready on an error finding, unknown on an unknown error rule, else ready', () => {
    const snapshot = snapshotOf(['bad']);
    expect(run(snapshot, [namespaceRule('e', 'prepare', 'error', 'bad')]).verdict).toBe('not-ready');
    expect(run(snapshot, [namespaceRule('w', 'prepare', 'warning', 'bad')]).verdict).toBe('ready');
    const unknownError = namespaceRule('u', 'prepare', 'error', '', { needs: ['gkeCluster'] });
    const unknownWarning = namespaceRule('uw', 'prepare', 'warning', '', { needs: ['gkeCluster'] });
    expect(run(snapshot, [unknownError]).verdict).toBe('unknown');
    expect(run(snapshot, [unknownWarning]).verdict).toBe('ready');
    expect(run(snapshot, [unknownError, namespaceRule('e', 'prepare', 'error', 'bad')]).verdict).toBe(
      'not-ready',
    );
  });

  it('does not count suppressed findings toward the verdict', () => {
    const report = run(snapshotOf(['bad']), [namespaceRule('e', 'prepare', 'error', 'bad')], {
      suppressionFor: () => ({ reason: 'accepted', owner: 'team' }),
    });
    expect(report.verdict).toBe('ready');
    expect(report.summary.suppressed).toBe(1);
    expect(report.summary.findings.error).toBe(0);
    expect(report.results[0]?.findings[0]?.suppressed).toEqual({ reason: 'accepted', owner: 'team' });
    expect(exitCodeFor(report, 'error')).toBe(0);
  });

  it('applies severity overrides, and off removes the rule', () => {
    const rule = namespaceRule('e', 'prepare', 'error', 'bad');
    const lowered = run(snapshotOf(['bad']), [rule], { severityOverrides: { e: 'info' } });
    expect(lowered.results[0]?.severity).toBe('info');
    expect(lowered.results[0]?.findings[0]?.severity).toBe('info');
    expect(run(snapshotOf(['bad']), [rule], { severityOverrides: { e: 'off' } }).results).toEqual([]);
  });

  it('keeps a finding rated lower than its rule at that level unless an override lowers the rule further', () => {
    const rule = namespaceRule('e', 'prepare', 'error', '', {
      check: (s) => s.kube.namespaces.map((ns) => findingAbout(ns, 'x', { severity: 'warning' })),
    });
    expect(run(snapshotOf(['a']), [rule]).results[0]?.findings[0]?.severity).toBe('warning');
    expect(
      run(snapshotOf(['a']), [rule], { severityOverrides: { e: 'info' } }).results[0]?.findings[0]?.severity,
    ).toBe('info');
    expect(
      run(snapshotOf(['a']), [rule], { severityOverrides: { e: 'error' } }).results[0]?.findings[0]?.severity,
    ).toBe('warning');
  });

  it('gives stable fingerprints that ignore the message, the order and the file', () => {
    const first = run(snapshotOf(['bad-b', 'bad-a']), [namespaceRule('e', 'prepare', 'error', 'bad')]);
    const second = run(
      snapshotFromDocuments({
        documents: [namespace('bad-a', { extra: 'label' }), namespace('bad-b')],
        file: 'other.yaml',
      }),
      [
        namespaceRule('e', 'prepare', 'error', '', {
          check: (s) =>
            s.kube.namespaces.map((ns) => findingAbout(ns, `another message for ${ns.metadata.name}`)),
        }),
      ],
    );
    const prints = (r: typeof first) => r.results[0]?.findings.map((f) => [f.resource.name, f.fingerprint]);
    expect(prints(second)).toEqual(prints(first));
    expect(first.results[0]?.findings.map((f) => f.resource.name)).toEqual(['bad-a', 'bad-b']);
    const other = run(snapshotOf(['bad-a']), [namespaceRule('other-rule', 'prepare', 'error', 'bad')]);
    expect(other.results[0]?.findings[0]?.fingerprint).not.toBe(first.results[0]?.findings[0]?.fingerprint);
  });

  it('is deterministic: the same input gives the same report', () => {
    const rules = [
      namespaceRule('e', 'prepare', 'error', 'b'),
      namespaceRule('w', 'migrate-namespaces', 'warning', 'a'),
    ];
    const names = ['b3', 'a1', 'b1', 'a2', 'b2'];
    expect(run(snapshotOf(names), rules)).toEqual(run(snapshotOf([...names].reverse()), rules));
  });

  it('marks phases done, todo, blocked and unknown in order, and names the next step', () => {
    const rules = [
      namespaceRule('upgrade', 'cluster-upgrade', 'error', 'none'),
      namespaceRule('prep', 'prepare', 'warning', 'bad'),
      namespaceRule('labels', 'migrate-namespaces', 'error', 'bad'),
      namespaceRule('advice', 'migrate-gateway', 'info', 'bad'),
      namespaceRule('step', 'retire-old-control-plane', 'info', 'bad', { isStep: true }),
    ];
    const report = run(snapshotOf(['bad']), rules);
    expect(report.phases.map((p) => [p.id, p.status])).toEqual([
      ['cluster-upgrade', 'done'],
      ['prepare', 'todo'],
      ['migrate-namespaces', 'blocked'],
      ['migrate-gateway', 'blocked'],
      ['retire-old-control-plane', 'blocked'],
    ]);
    expect(report.currentPhase).toBe('prepare');
    expect(report.nextStep).toBe('prepare: ensure that title of prep (prep: 1 warning finding open)');

    // The most severe open item of the phase, whatever its place; info notes are not items.
    const mixed = run(snapshotOf(['bad', 'bad2']), [
      namespaceRule('note', 'prepare', 'info', 'bad'),
      namespaceRule('warn', 'prepare', 'warning', 'bad'),
      namespaceRule('err', 'prepare', 'error', 'bad2'),
    ]);
    expect(mixed.currentPhase).toBe('prepare');
    expect(mixed.nextStep).toBe('prepare: ensure that title of err (err: 1 error finding open)');
    const steps = run(snapshotOf(['bad', 'bad2']), [
      namespaceRule('note', 'retire-old-control-plane', 'info', 'bad'),
      namespaceRule('step', 'retire-old-control-plane', 'info', 'bad', { isStep: true }),
    ]);
    expect(steps.nextStep).toBe(
      'retire-old-control-plane: ensure that title of step (step: 2 info findings open)',
    );

    const unknownFirst = run(snapshotOf([]), [
      namespaceRule('u', 'cluster-upgrade', 'error', '', { needs: ['gkeCluster'] }),
    ]);
    expect(unknownFirst.phases.map((p) => p.status)).toEqual([
      'unknown',
      'blocked',
      'blocked',
      'blocked',
      'blocked',
    ]);
    expect(unknownFirst.nextStep).toMatch(/^cluster-upgrade: check u, which could not be evaluated/);
  });

  it("holds the phase a finding carries, not the rule's: a finding in asm-cleanup holds asm-cleanup, not asm-install", () => {
    /** Like istio-operator-profile: phase asm-install, but `cleanup-*` findings belong to asm-cleanup. */
    const spanning = defineRule({
      id: 'spanning',
      title: 'title of spanning',
      phase: 'asm-install',
      targets: ['asm-1.7'],
      defaultSeverity: 'error',
      needs: ['namespaces'],
      docs,
      check: (snapshot) =>
        snapshot.kube.namespaces
          .filter((ns) => ns.metadata.name.startsWith('cleanup') || ns.metadata.name.startsWith('install'))
          .map((ns) =>
            findingAbout(ns, `namespace ${ns.metadata.name}`, {
              ...(ns.metadata.name.startsWith('cleanup') ? { phase: 'asm-cleanup' as const } : {}),
              fix: { action: 'set-operator-profile', params: { operator: 'op', profile: 'empty' } },
            }),
          ),
    });
    const asm = { target: 'asm-1.7' as const };
    const statusOf = (report: ReturnType<typeof run>) =>
      Object.fromEntries(report.phases.map((p) => [p.id, p.status]));
    const rulesOf = (report: ReturnType<typeof run>) =>
      Object.fromEntries(report.phases.map((p) => [p.id, p.rules]));

    const cleanupOnly = run(snapshotOf(['cleanup-a']), [spanning], asm);
    expect(statusOf(cleanupOnly)).toMatchObject({
      'asm-install': 'done',
      'asm-migrate-namespaces': 'done',
      'asm-cleanup': 'todo',
    });
    expect(cleanupOnly.currentPhase).toBe('asm-cleanup');
    expect(cleanupOnly.nextStep).toBe(
      'asm-cleanup: ensure that title of spanning (spanning: 1 error finding open)',
    );
    const finding = cleanupOnly.results[0]?.findings[0];
    expect(finding?.phase).toBe('asm-cleanup');
    expect(finding?.fix).toBeDefined();
    // The runner renders no commands: the report-assembly step does (src/remediate/report-commands.ts).
    expect(finding?.remediation).toBeUndefined();
    expect(cleanupOnly.results[0]?.phase).toBe('asm-install');
    // The rule is listed in its own phase and in the phase its finding belongs to.
    expect(rulesOf(cleanupOnly)['asm-install']).toEqual(['spanning']);
    expect(rulesOf(cleanupOnly)['asm-cleanup']).toEqual(['spanning']);
    expect(rulesOf(cleanupOnly)['asm-migrate-namespaces']).toEqual([]);

    const both = run(snapshotOf(['cleanup-a', 'install-b']), [spanning], asm);
    expect(statusOf(both)).toMatchObject({
      'asm-install': 'todo',
      'asm-migrate-namespaces': 'blocked',
      'asm-cleanup': 'blocked',
    });
    expect(both.currentPhase).toBe('asm-install');
    expect(both.results[0]?.findings.map((f) => f.phase)).toEqual(['asm-cleanup', 'asm-install']);

    const installOnly = run(snapshotOf(['install-b']), [spanning], asm);
    expect(statusOf(installOnly)).toMatchObject({ 'asm-install': 'todo', 'asm-cleanup': 'blocked' });
    expect(rulesOf(installOnly)['asm-cleanup']).toEqual([]);
  });

  it('marks a finding urgent only when the rule says its harm is live (SPEC §3), never false', () => {
    const rule = defineRule({
      ...namespaceRule('urgency', 'prepare', 'error', 'ns-'),
      check: (snapshot) =>
        snapshot.kube.namespaces.map((ns) => ({
          ...findingAbout(ns, `namespace ${ns.metadata.name}`),
          urgent: ns.metadata.name === 'ns-live',
        })),
    });
    const report = run(snapshotOf(['ns-live', 'ns-later']), [rule]);
    const findings = report.results[0]?.findings ?? [];
    expect(findings.map((f) => [f.resource.name, f.urgent])).toEqual([
      ['ns-later', undefined],
      ['ns-live', true],
    ]);
    expect(Object.hasOwn(findings[0] ?? {}, 'urgent')).toBe(false);
  });

  it('gives a rule its phase per target', () => {
    const perTarget = namespaceRule('gw', 'prepare', 'warning', 'bad', {
      phase: { 'istio-1.6': 'migrate-gateway', 'asm-1.7': 'asm-install' },
    });
    const istio = run(snapshotOf(['bad']), [perTarget]);
    expect(istio.results[0]?.phase).toBe('migrate-gateway');
    expect(istio.currentPhase).toBe('migrate-gateway');
    const asm = run(snapshotOf(['bad']), [perTarget], { target: 'asm-1.7' });
    expect(asm.results[0]?.phase).toBe('asm-install');
    expect(asm.results[0]?.findings[0]?.phase).toBe('asm-install');
    expect(asm.currentPhase).toBe('asm-install');
  });

  it('lists the parts that were not collected and the time without milliseconds', () => {
    const report = run(snapshotOf(['a']), []);
    expect(report.generatedAt).toBe('2026-11-25T10:00:00Z');
    expect(report.source.notCollected.map((p) => p.part)).toEqual([
      'gkeCluster',
      'firewalls',
      'machineTypes',
    ]);
  });
});

describe('exit codes', () => {
  const report = run(snapshotOf(['bad']), [namespaceRule('w', 'prepare', 'warning', 'bad')]);
  it.each([
    ['error', 0],
    ['warning', 1],
    ['info', 1],
    ['never', 0],
  ] as const)('--fail-on %s with a warning finding exits %i', (failOn, code) => {
    expect(exitCodeFor(report, failOn)).toBe(code);
  });

  // SPEC §1: a scan that could not check a gating rule is not a green one.
  const unknown = run(snapshotOf(['a']), [
    namespaceRule('u', 'prepare', 'error', '', { needs: ['gkeCluster'] }),
  ]);
  it.each([
    ['error', 1],
    ['warning', 1],
    ['info', 1],
    ['never', 0],
  ] as const)('--fail-on %s with an UNKNOWN verdict exits %i', (failOn, code) => {
    expect(unknown.verdict).toBe('unknown');
    expect(unknown.summary.findings).toEqual({ error: 0, warning: 0, info: 0 });
    expect(exitCodeFor(unknown, failOn)).toBe(code);
    // With --fail-on-new too: no finding is new, but the scan could not see.
    expect(exitCodeFor(unknown, failOn, true)).toBe(code);
  });

  it('an unknown rule that does not gate (warning) leaves the exit code to the findings', () => {
    const report = run(snapshotOf(['a']), [
      namespaceRule('uw', 'prepare', 'warning', '', { needs: ['gkeCluster'] }),
    ]);
    expect(report.verdict).toBe('ready');
    expect(exitCodeFor(report, 'error')).toBe(0);
  });
});
