/**
 * remediate.sh --apply with the real kubectl against the test API server, in the ASM states issue 23
 * found unsafe (SPEC §4, §9): ASM installed while the operator still reconciles, install_asm
 * already done, the operator's profile already empty while workloads run on its revision. Each
 * state is scanned by the real rules and the script of that scan is run against the same objects;
 * a stale report (planned before the cluster changed) must be just as safe.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { runRules } from '../../src/engine/runner.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { ROOT } from '../helpers/cli.ts';
import { rawKubeObjectsFromFiles } from '../helpers/kube-api-server.ts';
import {
  ASM_PROXY,
  applyScript,
  DEPLOYMENTS,
  deployment,
  istiod,
  istioOperator,
  namespace,
  OPERATOR_PATH,
  OPERATOR_PROXY,
  oldControlPlane,
  operatorProfile,
  pod,
  profileSet,
  type Raw,
  scanOf,
  TIMEOUT,
  touchesOperator,
} from './apply-run.ts';
import { CONTEXT, realisticReport } from './reports.ts';

const ASM = 'asm-173-6';
/** The add-on gateway is gone and the 1.4 control plane scaled down: the ASM phases are what is left. */
const installed = [namespace('istio-system'), istiod('istio-1611'), istiod(ASM), ...oldControlPlane(0)];
const onOperator = [
  namespace('shop', { 'istio.io/rev': 'istio-1611' }),
  deployment('shop', 'cart'),
  pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
];
const moved = [
  namespace('shop', { 'istio.io/rev': ASM }),
  deployment('shop', 'cart'),
  pod('shop', 'cart', ASM_PROXY, ASM),
];

/** Whether the run read the operator (its backup) before it patched it. */
function backedUpBefore(run: Awaited<ReturnType<typeof applyScript>>): boolean {
  const backup = run.requests.findIndex((r) => r.method === 'GET' && r.path === OPERATOR_PATH);
  const patch = run.requests.findIndex((r) => r.method === 'PATCH' && r.path === OPERATOR_PATH);
  return backup >= 0 && backup < patch;
}

describe('ASM installed while the operator still reconciles (profile default), asm-1.7', () => {
  const state: Raw[] = [...installed, istioOperator('default'), ...onOperator];
  const scanned = scanOf('asm-1.7', state);

  it('the scan asks for disabled in asm-install and plans no install_asm', () => {
    const result = scanned.results.find((r) => r.ruleId === 'istio-operator-profile');
    expect(result?.findings.map((f) => [f.phase ?? result.phase, f.fix?.params.profile])).toEqual([
      ['asm-install', 'disabled'],
    ]);
    expect(scanned.results.find((r) => r.ruleId === 'install-asm-preconditions')?.status).toBe('pass');
    expect(scanned.currentPhase).toBe('asm-install');
    const script = renderRemediationScript(scanned);
    expect(script).not.toContain('install_asm --project_id');
    expect(script).toContain('install_asm is not run again');
  });

  it(
    '--apply backs the operator up and sets disabled (it is not "past this step")',
    async () => {
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([profileSet('disabled')]);
      expect(backedUpBefore(run)).toBe(true);
      expect(run.stdout).not.toContain('TODO (needs you');
    },
    TIMEOUT,
  );

  it(
    'a report from before the install (install_asm still planned) sets disabled and never prints install_asm',
    async () => {
      const stale = realisticReport('asm-1.7', [operatorProfile('disabled')]);
      expect(renderRemediationScript(stale)).toContain('install_asm --project_id');
      const run = await applyScript(stale, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([profileSet('disabled')]);
      expect(run.stdout).toContain(
        `Nothing to do: Anthos Service Mesh is installed (revision ${ASM}): install_asm is not run again`,
      );
      expect(run.stdout).not.toContain('install_asm --project_id');
      expect(run.stdout).not.toContain('TODO (needs you');
    },
    TIMEOUT,
  );
});

describe('ASM installed with the operator still live, nothing left on its revision (asm-1.7)', () => {
  const state: Raw[] = [...installed, istioOperator('default'), ...moved];

  it(
    'the scan asks for empty (asm-cleanup) and --apply sets it, after a backup',
    async () => {
      const scanned = scanOf('asm-1.7', state);
      expect(scanned.currentPhase).toBe('asm-cleanup');
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([profileSet('empty')]);
      expect(backedUpBefore(run)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'a report that asked for disabled: the run sees nothing on the revision any more and sets empty',
    async () => {
      const stale = realisticReport('asm-1.7', [operatorProfile('disabled')]);
      const run = await applyScript(stale, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([profileSet('empty')]);
      expect(run.stdout).toContain('the cluster needs profile empty now (the scan asked for disabled)');
    },
    TIMEOUT,
  );

  it(
    'a report that asked for empty while workloads have come back to the revision: disabled instead',
    async () => {
      const back: Raw[] = [...installed, istioOperator('default'), ...onOperator];
      const stale = realisticReport('asm-1.7', [operatorProfile('empty', 'asm-cleanup')]);
      const run = await applyScript(stale, back, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([profileSet('disabled')]);
      expect(run.stdout).toContain(
        "not empty yet (namespaces still select the operator's revision istio-1611: shop",
      );
    },
    TIMEOUT,
  );
});

describe('the operator already emptied while a workload still runs on its revision (asm-1.7)', () => {
  const state: Raw[] = [
    ...installed,
    istioOperator('empty'),
    namespace('shop', { 'istio.io/rev': ASM }),
    deployment('shop', 'cart'),
    pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
  ];

  it(
    'the scan reports it urgent in asm-migrate-namespaces, where --apply moves the pod and leaves the operator alone',
    async () => {
      const scanned = scanOf('asm-1.7', state);
      const finding = scanned.results.find((r) => r.ruleId === 'istio-operator-profile')?.findings[0];
      expect(finding?.urgent).toBe(true);
      expect(finding?.phase).toBe('asm-migrate-namespaces');
      expect(finding?.message).toContain('pod still runs on it (shop/cart-1)');
      expect(scanned.currentPhase).toBe('asm-migrate-namespaces');
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      // A pod without a controller is re-created by hand (sidecar-proxy-version's TODO).
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('delete these pods and create them again');
      expect(touchesOperator(run)).toBe(false);
    },
    TIMEOUT,
  );

  it.each([
    ['disabled', undefined],
    ['empty', 'asm-cleanup'],
  ] as const)(
    'a report that asked for %s never sets it back to disabled: it names what still runs',
    async (profile, phase) => {
      const stale = realisticReport('asm-1.7', [operatorProfile(profile, phase)]);
      const run = await applyScript(stale, state, ['--apply', '--yes', '--phase', phase ?? 'asm-install']);
      expect(run.status, run.stderr).toBe(0);
      expect(touchesOperator(run)).toBe(false);
      expect(run.stdout).toContain(
        "its profile is already empty, but pod shop/cart-1 still runs on the operator's revision istio-1611: setting it back to disabled would bring nothing back",
      );
    },
    TIMEOUT,
  );

  it(
    'with nothing left on the revision, a report that asked for disabled finds empty already done',
    async () => {
      const done: Raw[] = [...installed, istioOperator('empty'), ...moved];
      const run = await applyScript(realisticReport('asm-1.7', [operatorProfile('disabled')]), done, [
        '--apply',
        '--yes',
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('Nothing to do: its profile is already empty');
    },
    TIMEOUT,
  );
});

describe('before ASM: the disabled step and install_asm (asm-1.6)', () => {
  const state: Raw[] = [
    namespace('istio-system'),
    istiod('istio-1611'),
    ...oldControlPlane(0),
    istioOperator('default'),
    ...onOperator,
  ];

  it(
    'sets disabled, then prints install_asm as a TODO (nothing installed yet)',
    async () => {
      const scanned = scanOf('asm-1.6', state);
      expect(scanned.currentPhase).toBe('asm-install');
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([profileSet('disabled')]);
      // The install step looked for an asm-* istiod first (after the operator step), found none.
      const patch = run.requests.findIndex((r) => r.method === 'PATCH');
      const looked = run.requests.findIndex(
        (r, at) =>
          at > patch && r.path === DEPLOYMENTS('istio-system') && r.query.labelSelector === 'app=istiod',
      );
      expect(looked).toBeGreaterThan(patch);
      expect(run.stdout).toMatch(/TODO \(needs you, never run by this script\): Download install_asm 1\.6/);
      expect(run.stdout).toContain('./install_asm --project_id acme-prod');
    },
    TIMEOUT,
  );

  it.each([
    ['disabled', 'asm-install'],
    ['empty', 'asm-cleanup'],
  ] as const)(
    'the operator emptied before ASM is installed, a report asking for %s: left alone, restore advised',
    async (profile, phase) => {
      const emptied: Raw[] = state.map((o) => (o.kind === 'IstioOperator' ? istioOperator('empty') : o));
      const run = await applyScript(realisticReport('asm-1.6', [operatorProfile(profile, phase)]), emptied, [
        '--apply',
        '--yes',
        '--phase',
        phase,
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(touchesOperator(run)).toBe(false);
      expect(run.stdout).toContain(
        profile === 'disabled'
          ? 'its profile is already empty: setting it back to disabled would bring nothing back. Restore the IstioOperator from a backup'
          : 'no asm-* istiod is ready in istio-system: run install_asm first',
      );
    },
    TIMEOUT,
  );
});

describe('the asm-installed demo (fixtures/demo/asm-installed), its own script against its own objects', () => {
  it(
    '--apply runs asm-install: the operator disabled, nothing else, and no install_asm',
    async () => {
      const dir = path.join(ROOT, 'fixtures', 'demo', 'asm-installed');
      const report = withRemediation(
        runRules(await loadSnapshot([dir]), {
          rules: RULES,
          target: 'asm-1.7',
          toolVersion: '0.1.0',
          now: new Date('2026-11-25T10:00:00Z'),
        }),
      );
      expect(report.currentPhase).toBe('asm-install');
      const kubectl = path.join(dir, 'kubectl');
      const objects = rawKubeObjectsFromFiles(readdirSync(kubectl).map((file) => path.join(kubectl, file)));
      // The test API server's context is not the demo's own name: say it is the scanned cluster.
      const run = await applyScript(report, objects, ['--apply', '--yes', '--context', CONTEXT]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([
        'PATCH /apis/install.istio.io/v1alpha1/namespaces/istio-system/istiooperators/istio-1-6-11-gke-0 {"spec":{"profile":"disabled"}}',
      ]);
      expect(run.stdout).toContain('install_asm is not run again');
      expect(run.stdout).not.toContain('TODO (needs you');
    },
    TIMEOUT,
  );
});
