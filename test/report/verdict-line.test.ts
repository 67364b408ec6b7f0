/**
 * The verdict line (SPEC §1) says what the verdict is about, relative to the phases: one case per
 * form, each built from rule results as the runner builds them (phases worked out by the engine).
 */
import { describe, expect, it } from 'vitest';
import type { RuleResult } from '../../src/engine/report-model.ts';
import { verdictLine } from '../../src/report/verdict-line.ts';
import { demoReport, failing, makeFinding, reportFrom } from './reports.ts';

const error = (ruleId: string, name: string) =>
  makeFinding(ruleId, { namespace: 'shop', name, severity: 'error' });
const warning = (ruleId: string, name: string) =>
  makeFinding(ruleId, { namespace: 'shop', name, severity: 'warning' });

function unknownResult(ruleId: string, phase: RuleResult['phase']): RuleResult {
  return {
    ruleId,
    title: ruleId,
    phase,
    severity: 'error',
    status: 'unknown',
    reason: 'no GKE cluster data in the snapshot',
    findings: [],
  };
}

describe('verdict line', () => {
  it('NOT READY: names the first phase with errors, counts them, and the later ones apart', () => {
    const report = reportFrom([
      failing(
        'service-port-naming',
        [error('service-port-naming', 'a'), error('service-port-naming', 'b')],
        'error',
      ),
      failing('namespace-injection-labels', [error('namespace-injection-labels', 'c')], 'error'),
    ]);
    expect(verdictLine(report).text).toBe('NOT READY: 2 errors block phase prepare (and 1 in later phases)');
    const one = reportFrom([failing('service-port-naming', [error('service-port-naming', 'a')], 'error')]);
    expect(verdictLine(one)).toMatchObject({
      kind: 'not-ready',
      word: 'NOT READY',
      text: 'NOT READY: 1 error blocks phase prepare',
    });
  });

  it('NOT READY: suppressed errors do not count', () => {
    const suppressed = {
      ...error('service-port-naming', 'x'),
      suppressed: { reason: 'accepted', owner: 'team' },
    };
    const report = reportFrom([
      failing('service-port-naming', [suppressed, error('service-port-naming', 'a')], 'error'),
    ]);
    expect(verdictLine(report).text).toBe('NOT READY: 1 error blocks phase prepare');
  });

  it('NOT READY: the errors of a later phase, when the current one holds only warnings', () => {
    const report = reportFrom([
      failing('service-port-naming', [warning('service-port-naming', 'a')]),
      failing('namespace-injection-labels', [error('namespace-injection-labels', 'c')], 'error'),
    ]);
    expect(report.currentPhase).toBe('prepare');
    expect(verdictLine(report).text).toBe('NOT READY: 1 error blocks phase migrate-namespaces');
  });

  it('UNKNOWN: counts the gating rules that could not be checked and names their phases in order', () => {
    const report = reportFrom([
      unknownResult('service-port-naming', 'prepare'),
      unknownResult('gke-version-istio16', 'cluster-upgrade'),
      unknownResult('gke-upgrade-cr-deletion', 'cluster-upgrade'),
    ]);
    expect(report.verdict).toBe('unknown');
    expect(verdictLine(report).text).toBe(
      'UNKNOWN: 3 gating rules could not be checked (cluster-upgrade, prepare)',
    );
    const single = reportFrom([unknownResult('gke-version-istio16', 'cluster-upgrade')]);
    expect(verdictLine(single).text).toBe('UNKNOWN: 1 gating rule could not be checked (cluster-upgrade)');
  });

  it('READY for the current phase, counting it among the phases to go', () => {
    const gateway = reportFrom([
      failing('ingress-gateway-revision', [warning('ingress-gateway-revision', 'gw')]),
    ]);
    expect(gateway.currentPhase).toBe('migrate-gateway');
    expect(verdictLine(gateway)).toMatchObject({
      kind: 'ready',
      text: 'READY for phase migrate-gateway (2 phases to go)',
    });
    const last = reportFrom([
      failing('old-control-plane-scaledown', [warning('old-control-plane-scaledown', 'istiod')]),
    ]);
    expect(verdictLine(last).text).toBe('READY for phase retire-old-control-plane (1 phase to go)');
  });

  it('DONE when every phase is done', () => {
    const report = reportFrom([failing('service-port-naming', [])]);
    expect(report.phases.every((p) => p.status === 'done')).toBe(true);
    expect(verdictLine(report)).toMatchObject({ kind: 'done', text: 'DONE: every phase is done' });
  });

  it('for the demo cluster, the 1.16 master upgrade blocks everything', async () => {
    expect(verdictLine(await demoReport()).text).toMatch(
      /^NOT READY: 1 error blocks phase cluster-upgrade \(and \d+ in later phases\)$/,
    );
  });
});
