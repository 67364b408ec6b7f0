/**
 * remediate.sh --apply with the real kubectl against the test API server: the 1.4 control plane is
 * never scaled down while a 1.4 proxy or a 1.4 gateway pod runs, on every target (SPEC §9), and
 * when it already was (an urgent finding, SPEC §3) the script scales istio-pilot and istio-citadel
 * back up first thing.
 */
import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/engine/vocabulary.ts';
import {
  applyScript,
  DEPLOYMENTS,
  deployment,
  istiod,
  namespace,
  OLD_DEPLOYMENTS,
  OLD_PROXY,
  OPERATOR_PROXY,
  oldControlPlane,
  pod,
  type Raw,
  scaleDown,
  scanOf,
  TIMEOUT,
} from './apply-run.ts';
import { realisticReport } from './reports.ts';

const scaledTo = (name: string, replicas: number) =>
  `PATCH ${DEPLOYMENTS('istio-system')}/${name}/scale {"spec":{"replicas":${replicas}}}`;

/** Every workload on the operator's revision; only the add-on's 1.4 ingress gateway is left. */
function gatewayLeft(replicas: number): Raw[] {
  return [
    namespace('istio-system'),
    namespace('shop', { 'istio.io/rev': 'istio-1611' }),
    istiod('istio-1611'),
    ...oldControlPlane(replicas),
    deployment('shop', 'cart'),
    pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
    pod('istio-system', 'istio-ingressgateway', OLD_PROXY),
  ];
}

describe.each<Target>(['istio-1.6', 'asm-1.6', 'asm-1.7'])(
  'a 1.4 gateway after all workloads moved (%s)',
  (target) => {
    it(
      'a report that planned the scale-down: withheld while the 1.4 gateway pod runs',
      async () => {
        const stale = realisticReport(target, [scaleDown()]);
        const run = await applyScript(stale, gatewayLeft(1), [
          '--apply',
          '--yes',
          '--phase',
          'retire-old-control-plane',
        ]);
        expect(run.status, run.stderr).toBe(0);
        expect(run.changes).toEqual([]);
        expect(run.stdout).toContain(
          `still on a 1.4 proxy: istio-system/istio-ingressgateway-1 (${OLD_PROXY})`,
        );
        expect(run.stdout).toContain('checked: no pod runs a 1.4 proxy (workload or ingress gateway)');
      },
      TIMEOUT,
    );
  },
);

describe('the 1.4 control plane already scaled down under a 1.4 gateway (asm-1.7)', () => {
  const state = gatewayLeft(0);
  const scanned = scanOf('asm-1.7', state);

  it('the scan reports istio-citadel and istio-pilot urgent, in prepare, the current phase', () => {
    const findings = scanned.results.find((r) => r.ruleId === 'old-control-plane-scaledown')?.findings ?? [];
    expect(findings.map((f) => [f.resource.name, f.urgent, f.phase, f.severity])).toEqual([
      ['istio-citadel', true, 'prepare', 'error'],
      ['istio-pilot', true, 'prepare', 'error'],
    ]);
    expect(scanned.currentPhase).toBe('prepare');
  });

  it(
    '--apply scales istio-citadel and istio-pilot back to 1, and nothing else',
    async () => {
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([scaledTo('istio-citadel', 1), scaledTo('istio-pilot', 1)]);
      // It looked for 1.4 proxies before it scaled.
      const pods = run.requests.findIndex((r) => r.path === '/api/v1/pods');
      const scale = run.requests.findIndex((r) => r.method === 'PATCH');
      expect(pods).toBeGreaterThanOrEqual(0);
      expect(pods).toBeLessThan(scale);
    },
    TIMEOUT,
  );

  it(
    'run again once they have a replica: nothing to do',
    async () => {
      const restored = state.map((o) =>
        ['istio-citadel', 'istio-pilot'].includes(String((o.metadata as Raw).name))
          ? { ...o, spec: { ...(o.spec as Raw), replicas: 1 } }
          : o,
      );
      const run = await applyScript(scanned, restored, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('none of them is at 0 replicas (any more)');
    },
    TIMEOUT,
  );

  it(
    'once the 1.4 gateway is gone, the same report restores nothing',
    async () => {
      const gone = state.filter((o) => (o.metadata as Raw).name !== 'istio-ingressgateway-1');
      const run = await applyScript(scanned, gone, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('no pod runs a 1.4 proxy or gateway any more');
    },
    TIMEOUT,
  );

  it(
    'after the gateway moved, the scan plans the scale-down and --apply does it',
    async () => {
      const moved = gatewayLeft(1).map((o) =>
        (o.metadata as Raw).name === 'istio-ingressgateway-1'
          ? pod(
              'istio-system',
              'istio-ingressgateway',
              'gcr.io/gke-release/asm/proxyv2:1.7.3-asm.6',
              'asm-173-6',
            )
          : o,
      );
      const after = scanOf('asm-1.7', moved);
      expect(after.currentPhase).toBe('retire-old-control-plane');
      const run = await applyScript(after, moved, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual(OLD_DEPLOYMENTS.map((name) => scaledTo(name, 0)));
    },
    TIMEOUT,
  );
});
