/** Target filtering (SPEC §4): A-only rules never appear in istio-1.6 results, and the reverse. */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { runRules } from '../../src/engine/runner.ts';
import { phasesFor, TARGETS, type Target } from '../../src/engine/vocabulary.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { gkeCluster, namespace } from '../helpers/objects.ts';

const ASM_ONLY = [
  'node-machine-vcpu',
  'cluster-vcpu-capacity',
  'workload-identity',
  'vpc-sc-mesh-ca',
  'istio-operator-profile',
  'install-asm-preconditions',
];
const ISTIO_ONLY = ['ingress-gateway-revision'];

function resultIds(target: Target): string[] {
  const snapshot = snapshotFromDocuments({ documents: [gkeCluster(), namespace('istio-system')] });
  const report = runRules(snapshot, { rules: RULES, target, toolVersion: 'test', now: new Date(0) });
  return report.results.map((r) => r.ruleId);
}

describe('target filtering', () => {
  it('istio-1.6 results hold no ASM-only rule, and hold the istio-1.6-only ones', () => {
    const ids = resultIds('istio-1.6');
    for (const id of ASM_ONLY) expect(ids).not.toContain(id);
    for (const id of ISTIO_ONLY) expect(ids).toContain(id);
  });

  for (const target of ['asm-1.6', 'asm-1.7'] as const) {
    it(`${target} results hold every ASM-only rule and no istio-1.6-only rule`, () => {
      const ids = resultIds(target);
      for (const id of ASM_ONLY) expect(ids).toContain(id);
      for (const id of ISTIO_ONLY) expect(ids).not.toContain(id);
    });
  }

  it('every registered rule runs for exactly the targets it declares, in catalogue order', () => {
    for (const target of TARGETS) {
      expect(resultIds(target)).toEqual(RULES.filter((r) => r.targets.includes(target)).map((r) => r.id));
    }
  });

  it('every result belongs to a phase of its target (migrate-gateway is istio-1.6 only, asm-install ASM only)', () => {
    for (const target of TARGETS) {
      const snapshot = snapshotFromDocuments({ documents: [gkeCluster()] });
      const report = runRules(snapshot, { rules: RULES, target, toolVersion: 'test', now: new Date(0) });
      const phases = phasesFor(target);
      for (const result of report.results)
        expect(phases, `${result.ruleId} in ${target}`).toContain(result.phase);
    }
  });
});
