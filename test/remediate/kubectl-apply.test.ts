/**
 * remediate.sh --apply run by bash with the REAL kubectl against the project's test API server
 * (writable mode), in cluster states a real migration passes through. What is asserted is what the
 * API server received: the PATCH, PUT and DELETE requests (scale is a PATCH of the scale
 * subresource), their order and their bodies. gcloud is a recording stand-in (no step here uses it
 * beyond the project check). The states and the runner are in ./apply-run.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  ASM_PROXY,
  applyScript,
  DEPLOYMENTS,
  deployment,
  GALLEY_WEBHOOK,
  galleyWebhookFinding,
  istiod,
  istioOperator,
  NS,
  namespace,
  OLD_DEPLOYMENTS,
  OLD_PROXY,
  OPERATOR_PATH,
  OPERATOR_PROXY,
  oldControlPlane,
  operatorProfile,
  pod,
  profileSet,
  type Raw,
  relabel,
  relabelled,
  restarted,
  restarts,
  scaleDown,
  scaledToZero,
  scanOf,
  TIMEOUT,
  touchesOperator,
} from './apply-run.ts';
import { realisticReport, report } from './reports.ts';

// ---- the states ---------------------------------------------------------------------------------

describe('ASM installed, workloads still on the operator revision (asm-1.7)', () => {
  const state = [
    namespace('istio-system'),
    namespace('shop', { 'istio.io/rev': 'istio-1611' }),
    namespace('web', { 'istio.io/rev': 'istio-1611' }),
    istiod('istio-1611'),
    istiod('asm-173-6'),
    ...oldControlPlane(0),
    istioOperator('disabled'),
    deployment('shop', 'cart'),
    deployment('web', 'api'),
    pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
    pod('web', 'api', OPERATOR_PROXY, 'istio-1611'),
  ];
  // What the scan reports (SPEC §4): the move to ASM is asm-migrate-namespaces, `empty` asm-cleanup.
  const scanned = realisticReport('asm-1.7', [
    relabel(['shop', 'web'], 'asm-173-6', 'asm-migrate-namespaces'),
    restarts(
      [
        ['shop', 'cart'],
        ['web', 'api'],
      ],
      'asm-migrate-namespaces',
    ),
    operatorProfile('empty', 'asm-cleanup'),
  ]);

  it('the scan puts the move in the current phase and the empty profile after it', () => {
    expect(scanned.currentPhase).toBe('asm-migrate-namespaces');
    expect(scanned.phases.find((p) => p.id === 'asm-cleanup')?.status).toBe('blocked');
  });

  it(
    'a plain --apply relabels each namespace, then restarts its workloads, and never touches the operator',
    async () => {
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([
        relabelled('shop', 'asm-173-6', false),
        restarted('shop', 'cart'),
        relabelled('web', 'asm-173-6', false),
        restarted('web', 'api'),
      ]);
      expect(run.stdout).toContain('=== Phase asm-cleanup');
      expect(run.stdout).toContain('Not run: blocked until phase asm-migrate-namespaces is done');
    },
    TIMEOUT,
  );

  it(
    '--phase asm-cleanup --yes withholds the empty profile while namespaces select the operator revision',
    async () => {
      const run = await applyScript(scanned, state, ['--apply', '--yes', '--phase', 'asm-cleanup']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('Warning: the scan reported this phase blocked');
      expect(run.stdout).toContain("namespaces still select the operator's revision istio-1611: shop, web");
    },
    TIMEOUT,
  );

  it(
    'a report that puts `empty` in asm-install (before asm-cleanup existed) cannot empty the operator either',
    async () => {
      const stale = realisticReport('asm-1.7', [operatorProfile('empty')]);
      expect(stale.currentPhase).toBe('asm-install');
      const run = await applyScript(stale, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(touchesOperator(run)).toBe(false);
      expect(run.stdout).toContain(
        "Withheld: not empty yet: namespaces still select the operator's revision istio-1611",
      );
    },
    TIMEOUT,
  );

  it(
    'once namespaces and pods are on the ASM revision, asm-cleanup backs up the operator, then empties it',
    async () => {
      const moved = [
        namespace('istio-system'),
        namespace('shop', { 'istio.io/rev': 'asm-173-6' }),
        istiod('istio-1611'),
        istiod('asm-173-6'),
        istioOperator('disabled'),
        deployment('shop', 'cart'),
        pod('shop', 'cart', ASM_PROXY, 'asm-173-6'),
      ];
      const done = realisticReport('asm-1.7', [operatorProfile('empty', 'asm-cleanup')]);
      expect(done.currentPhase).toBe('asm-cleanup');
      const run = await applyScript(done, moved, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([profileSet('empty')]);
      const backup = run.requests.findIndex((r) => r.method === 'GET' && r.path === OPERATOR_PATH);
      const patch = run.requests.findIndex((r) => r.method === 'PATCH');
      expect(backup).toBeGreaterThanOrEqual(0);
      expect(backup).toBeLessThan(patch);
    },
    TIMEOUT,
  );

  it(
    'withholds the empty profile while no asm-* istiod is ready',
    async () => {
      const notReady = [
        namespace('istio-system'),
        istiod('istio-1611'),
        deployment('istio-system', 'istiod-asm-173-6', {
          labels: { app: 'istiod', 'istio.io/rev': 'asm-173-6' },
          ready: 0,
        }),
        istioOperator('disabled'),
      ];
      const run = await applyScript(
        realisticReport('asm-1.7', [operatorProfile('empty', 'asm-cleanup')]),
        notReady,
        ['--apply', '--yes'],
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('no asm-* istiod is ready in istio-system');
    },
    TIMEOUT,
  );
});

describe('asm-1.6 with operator proxies of a higher patch (1.6.11-gke.0 > 1.6.8-asm.9)', () => {
  const base = [
    namespace('istio-system'),
    istiod('istio-1611'),
    istiod('asm-168-9'),
    istioOperator('disabled'),
    deployment('shop', 'cart'),
  ];

  it(
    'the empty profile is withheld while a pod runs on the operator revision, whatever its version',
    async () => {
      // Namespaces already relabelled, workloads not yet restarted.
      const state = [
        ...base,
        namespace('shop', { 'istio.io/rev': 'asm-168-9' }),
        pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
      ];
      const run = await applyScript(
        realisticReport('asm-1.6', [operatorProfile('empty', 'asm-cleanup')]),
        state,
        ['--apply', '--yes'],
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain("pod shop/cart-1 still runs on the operator's revision istio-1611");
    },
    TIMEOUT,
  );

  it(
    'and while a pod without istio.io/rev runs a non-ASM 1.6 proxy (the image as a fallback)',
    async () => {
      const state = [
        ...base,
        namespace('shop', { 'istio.io/rev': 'asm-168-9' }),
        pod('shop', 'cart', OPERATOR_PROXY),
      ];
      const run = await applyScript(
        realisticReport('asm-1.6', [operatorProfile('empty', 'asm-cleanup')]),
        state,
        ['--apply', '--yes'],
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('without an istio.io/rev label: it may be on the operator');
    },
    TIMEOUT,
  );

  it(
    'restarts a workload only once its namespace selects the ASM revision',
    async () => {
      const state = [
        ...base,
        namespace('shop', { 'istio.io/rev': 'istio-1611' }),
        namespace('web', { 'istio.io/rev': 'asm-168-9' }),
        deployment('web', 'api'),
        pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
        pod('web', 'api', OPERATOR_PROXY, 'istio-1611'),
      ];
      // Restarts without their relabel (e.g. the relabel suppressed): shop must not restart.
      const scanned = realisticReport('asm-1.6', [
        restarts(
          [
            ['shop', 'cart'],
            ['web', 'api'],
          ],
          'asm-migrate-namespaces',
        ),
      ]);
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([restarted('web', 'api')]);
      expect(run.stdout).toContain("namespace shop selects revision istio-1611, not 'asm-*'");
    },
    TIMEOUT,
  );
});

describe('retire-old-control-plane (istio-1.6)', () => {
  const migrated = [
    namespace('istio-system'),
    namespace('shop', { 'istio.io/rev': 'istio-1611' }),
    istiod('istio-1611'),
    ...oldControlPlane(1),
    deployment('shop', 'cart'),
    pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
  ];
  const scanned = realisticReport('istio-1.6', [scaleDown()]);

  it(
    'never scales down while a namespace without pods still has istio-injection=enabled',
    async () => {
      const state = [...migrated, namespace('batch', { 'istio-injection': 'enabled' })];
      const run = await applyScript(scanned, state, [
        '--apply',
        '--yes',
        '--phase',
        'retire-old-control-plane',
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain(
        'namespaces still select the 1.4 injector (istio-injection=enabled): batch',
      );
    },
    TIMEOUT,
  );

  it(
    'never scales down while a pod still runs a 1.4 proxy',
    async () => {
      const state = [
        ...migrated,
        namespace('late', { 'istio.io/rev': 'istio-1611' }),
        pod('late', 'joiner', OLD_PROXY),
      ];
      const run = await applyScript(scanned, state, [
        '--apply',
        '--yes',
        '--phase',
        'retire-old-control-plane',
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('still on a 1.4 proxy: late/joiner-1');
    },
    TIMEOUT,
  );

  it(
    'never scales down while the 1.4 galley webhook exists',
    async () => {
      const run = await applyScript(scanned, [...migrated, GALLEY_WEBHOOK], ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([]);
      expect(run.stdout).toContain('ValidatingWebhookConfiguration istio-galley) still exists');
    },
    TIMEOUT,
  );

  it(
    'a check whose read fails stops the script: an API error never passes a precondition',
    async () => {
      const run = await applyScript(scanned, migrated, ['--apply', '--yes'], [{ path: NS, status: 500 }]);
      expect(run.status).toBe(1);
      expect(run.changes).toEqual([]);
      expect(run.stderr).toContain('cannot list the namespaces');
    },
    TIMEOUT,
  );

  it(
    'once nothing uses it: backs up the Deployments, then scales each to 0',
    async () => {
      expect(scanned.currentPhase).toBe('retire-old-control-plane');
      const run = await applyScript(scanned, migrated, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual(OLD_DEPLOYMENTS.map(scaledToZero));
      const firstScale = run.requests.findIndex((r) => r.method === 'PATCH');
      const backups = run.requests
        .slice(0, firstScale)
        .filter((r) => r.method === 'GET' && r.path === `${DEPLOYMENTS('istio-system')}/istio-pilot`);
      expect(backups.length).toBeGreaterThan(0);
      // Idempotent: against the state it left, a second run changes nothing.
      const scaled = migrated.map((o) =>
        OLD_DEPLOYMENTS.includes(String((o.metadata as Raw).name))
          ? { ...o, spec: { ...(o.spec as Raw), replicas: 0 } }
          : o,
      );
      const again = await applyScript(scanned, scaled, ['--apply', '--yes']);
      expect(again.changes).toEqual([]);
      expect(again.stdout).toContain('already at 0 replicas');
    },
    TIMEOUT,
  );
});

describe('the v1beta1 gate and MeshPolicy default (istio-1.6)', () => {
  const base = [
    namespace('istio-system'),
    namespace('shop', { 'istio-injection': 'enabled' }),
    istiod('istio-1611'),
    ...oldControlPlane(1),
  ];
  const meshPolicy = (labels: Record<string, string>, mtls: Raw): Raw => ({
    apiVersion: 'authentication.istio.io/v1alpha1',
    kind: 'MeshPolicy',
    metadata: { name: 'default', labels },
    spec: { peers: [{ mtls }] },
  });
  const addon = { 'addonmanager.kubernetes.io/mode': 'Reconcile' };
  const peerAuthentications = {
    resources: [
      {
        group: 'security.istio.io',
        version: 'v1beta1',
        resource: 'peerauthentications',
        kind: 'PeerAuthentication',
        namespaced: true,
      },
    ],
  };
  /** What the scan reports for a MeshPolicy: a STRICT one asks for a mesh-wide STRICT PeerAuthentication. */
  const scannedFor = (policy: Raw) =>
    report('istio-1.6', [
      ...scanOf('istio-1.6', [...base, policy]).results.filter(
        (r) => r.ruleId === 'v1alpha1-security-policy',
      ),
      relabel(['shop'], 'istio-1611'),
    ]);

  it(
    "the add-on's own PERMISSIVE MeshPolicy does not hold namespaces back (the scan plans no gate for it)",
    async () => {
      const state = [...base, meshPolicy(addon, { mode: 'PERMISSIVE' })];
      const run = await applyScript(scannedFor(state.at(-1) as Raw), state, [
        '--apply',
        '--yes',
        '--phase',
        'migrate-namespaces',
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([relabelled('shop', 'istio-1611')]);
    },
    TIMEOUT,
  );

  it(
    'a STRICT MeshPolicy holds them back (exit 1) until a mesh-wide STRICT PeerAuthentication exists',
    async () => {
      const strict = meshPolicy({}, {});
      const held = await applyScript(
        scannedFor(strict),
        [...base, strict],
        ['--apply', '--yes', '--phase', 'migrate-namespaces'],
        [],
        peerAuthentications,
      );
      expect(held.status).toBe(1);
      expect(held.changes).toEqual([]);
      expect(held.stdout).toContain('missing: a mesh-wide STRICT PeerAuthentication in istio-system');
      const peerAuthentication: Raw = {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'PeerAuthentication',
        metadata: { name: 'mesh-mtls', namespace: 'istio-system' },
        spec: { mtls: { mode: 'STRICT' } },
      };
      const run = await applyScript(
        scannedFor(strict),
        [...base, strict, peerAuthentication],
        ['--apply', '--yes', '--phase', 'migrate-namespaces'],
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([relabelled('shop', 'istio-1611')]);
    },
    TIMEOUT,
  );

  it(
    "an add-on-labelled MeshPolicy made STRICT is not the add-on's PERMISSIVE default: it holds",
    async () => {
      const strict = meshPolicy(addon, { mode: 'STRICT' });
      const run = await applyScript(
        scannedFor(strict),
        [...base, strict],
        ['--apply', '--yes', '--phase', 'migrate-namespaces'],
        [],
        peerAuthentications,
      );
      expect(run.status).toBe(1);
      expect(run.changes).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('--apply runs the current phase only; --phase on a blocked phase needs confirmation', () => {
  const state = [
    namespace('istio-system'),
    namespace('shop', { 'istio-injection': 'enabled' }),
    istiod('istio-1611'),
    ...oldControlPlane(1),
    GALLEY_WEBHOOK,
    deployment('shop', 'cart'),
    pod('shop', 'cart', OLD_PROXY),
  ];
  const scanned = realisticReport('istio-1.6', [
    galleyWebhookFinding(),
    relabel(['shop'], 'istio-1611'),
    restarts([['shop', 'cart']]),
  ]);

  it('the scan has prepare open and migrate-namespaces blocked', () => {
    expect(scanned.currentPhase).toBe('prepare');
    expect(scanned.phases.find((p) => p.id === 'migrate-namespaces')?.status).toBe('blocked');
  });

  it(
    'a plain --apply runs prepare only: it deletes the galley webhook and relabels no namespace',
    async () => {
      const run = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.changes).toEqual([
        'DELETE /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/istio-galley',
      ]);
      expect(run.stdout).toContain('=== Phase migrate-namespaces');
      expect(run.stdout).toMatch(/Not run: blocked until phase prepare is done/);
    },
    TIMEOUT,
  );

  it(
    '--phase on the blocked phase without --yes refuses, saying why, before contacting the cluster',
    async () => {
      const run = await applyScript(scanned, state, ['--apply', '--phase', 'migrate-namespaces']);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        'refusing: the scan reported phase migrate-namespaces blocked (phase prepare is not done)',
      );
      expect(run.requests).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    '--phase on the blocked phase with --yes runs it, with the warning',
    async () => {
      const run = await applyScript(scanned, state, ['--apply', '--yes', '--phase', 'migrate-namespaces']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(
        'Warning: the scan reported this phase blocked: phase prepare is not done',
      );
      expect(run.changes).toEqual([relabelled('shop', 'istio-1611'), restarted('shop', 'cart')]);
    },
    TIMEOUT,
  );

  it(
    'a dry run sends nothing at all',
    async () => {
      const run = await applyScript(scanned, state, []);
      expect(run.status, run.stderr).toBe(0);
      expect(run.requests).toEqual([]);
      expect(run.stdout).toContain('(the current phase: --apply runs this one, then stops)');
    },
    TIMEOUT,
  );
});
