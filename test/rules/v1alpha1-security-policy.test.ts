import { describe, expect, it } from 'vitest';
import rule from '../../rules/v1alpha1-security-policy.ts';
import { runRules } from '../../src/engine/runner.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

const serviceRole = {
  apiVersion: 'rbac.istio.io/v1alpha1',
  kind: 'ServiceRole',
  metadata: { name: 'reader', namespace: 'payments' },
  spec: { rules: [{ services: ['*'], methods: ['GET'] }] },
};

/** A MeshPolicy `default`; `addon` puts the add-on manager's labels on it, as the Istio add-on does. */
function meshPolicy(mtls: Record<string, unknown> | undefined, addon: boolean) {
  return {
    apiVersion: 'authentication.istio.io/v1alpha1',
    kind: 'MeshPolicy',
    metadata: {
      name: 'default',
      ...(addon
        ? { labels: { 'addonmanager.kubernetes.io/mode': 'Reconcile', app: 'security', release: 'istio' } }
        : {}),
    },
    spec: mtls === undefined ? {} : { peers: [{ mtls }] },
  };
}
const addonPermissive = meshPolicy({ mode: 'PERMISSIVE' }, true);

ruleTester(rule, {
  pass: [
    {
      name: 'Istio installed, no v1alpha1 policy',
      documents: [namespace('istio-system'), namespace('shop')],
    },
    { name: 'only v1beta1 policies (fixture)', fixtures: ['pass-migrated.yaml'] },
    {
      name: 'a v1beta1 object of the same group name is not v1alpha1',
      documents: [
        namespace('istio-system'),
        { apiVersion: 'rbac.istio.io/v1beta1', kind: 'ServiceRole', metadata: { name: 'x', namespace: 'a' } },
      ],
    },
  ],
  fail: [
    {
      name: 'one finding per object, every v1alpha1 kind (fixture)',
      fixtures: ['fail-policies.yaml'],
      findings: [
        {
          message: /^ClusterRbacConfig default .* migrate it to AuthorizationPolicy/,
          resource: { kind: 'ClusterRbacConfig' },
        },
        {
          message: /^MeshPolicy default .*the Istio add-on's own, in PERMISSIVE mode/,
          severity: 'info',
        },
        {
          message: /^Policy auth\/jwt-auth/,
          resource: { kind: 'Policy', namespace: 'auth', name: 'jwt-auth' },
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: { resource: 'policies.authentication.istio.io', namespace: 'auth' },
          },
        },
      ],
    },
    {
      name: 'a ServiceRole even without istio-system in the snapshot',
      documents: [serviceRole],
      findings: [{ message: 'ServiceRole payments/reader', fix: { action: 'migrate-v1alpha1-policy' } }],
    },
    {
      name: "the add-on's own MeshPolicy default in PERMISSIVE mode: info only, no delete fix",
      documents: [namespace('istio-system'), addonPermissive],
      findings: [
        {
          message:
            "MeshPolicy default (authentication.istio.io/v1alpha1) is the Istio add-on's own, in PERMISSIVE mode: Istio 1.6 ignores it and defaults to PERMISSIVE mutual TLS itself",
          severity: 'info',
        },
      ],
    },
    {
      name: 'a user STRICT MeshPolicy default: error asking for a mesh-wide STRICT PeerAuthentication first',
      documents: [namespace('istio-system'), meshPolicy({ mode: 'STRICT' }, false)],
      findings: [
        {
          message:
            'create a mesh-wide STRICT PeerAuthentication in the root namespace (istio-system) before moving workloads',
          severity: 'error',
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: {
              replacement: 'a mesh-wide STRICT PeerAuthentication in istio-system (the root namespace)',
            },
          },
        },
      ],
    },
    {
      name: 'an add-on MeshPolicy in STRICT mode (mtls without a mode is STRICT in v1alpha1) stays an error',
      documents: [namespace('istio-system'), meshPolicy({}, true)],
      findings: [{ message: 'enforces STRICT mutual TLS mesh-wide', severity: 'error' }],
    },
    {
      name: 'a user-created PERMISSIVE MeshPolicy (no add-on label) is still a v1alpha1 object to migrate',
      documents: [namespace('istio-system'), meshPolicy({ mode: 'PERMISSIVE' }, false)],
      findings: [{ message: 'migrate it to a mesh-wide PeerAuthentication', severity: 'error' }],
    },
  ],
  notApplicable: [
    {
      name: 'Istio is not installed',
      documents: [namespace('default'), namespace('shop')],
      reason: 'Istio is not installed',
    },
  ],
  unknown: [
    {
      name: 'the security policies were not collected (forbidden)',
      documents: [namespace('istio-system')],
      notCollected: { securitypolicies: 'forbidden: list rbac.istio.io serviceroles' },
      reason: 'v1alpha1 security policies not collected: forbidden',
    },
    { name: 'no Kubernetes objects at all', documents: [], reason: 'no Kubernetes objects in the snapshot' },
  ],
});

describe('v1alpha1-security-policy and the prepare phase', () => {
  const runOn = (documents: unknown[]) =>
    runRules(snapshotFromDocuments({ documents }), {
      rules: [rule],
      target: 'asm-1.7',
      toolVersion: '0.0.0-test',
      now: new Date('2026-11-25T10:00:00Z'),
    });

  it("does not hold prepare back for the add-on's PERMISSIVE MeshPolicy, and offers no command", async () => {
    const report = runOn([namespace('istio-system'), addonPermissive]);
    expect(report.phases.find((p) => p.id === 'prepare')?.status).toBe('done');
    expect(report.verdict).toBe('ready');
    const result = await evaluateRule(rule, {
      name: 'addon',
      documents: [namespace('istio-system'), addonPermissive],
    });
    expect(result.findings[0]?.fix).toBeUndefined();
    expect(result.findings[0]?.remediation).toBeUndefined();
  });

  it('holds prepare back for a user STRICT MeshPolicy', () => {
    const report = runOn([namespace('istio-system'), meshPolicy({ mode: 'STRICT' }, false)]);
    expect(report.phases.find((p) => p.id === 'prepare')?.status).toBe('todo');
    expect(report.currentPhase).toBe('prepare');
  });
});
