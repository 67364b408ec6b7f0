import { describe, expect, it } from 'vitest';
import rule from '../../rules/v1alpha1-security-policy.ts';
import { runRules } from '../../src/engine/runner.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { namespace, sidecarPod } from '../helpers/objects.ts';
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

const OLD = '1.4.10-gke.4';
const NEW = '1.6.11-gke.0';
/** A v1alpha1 Policy asking for mTLS in namespace shop, and what meshready converts it to. */
const shopPolicy = {
  apiVersion: 'authentication.istio.io/v1alpha1',
  kind: 'Policy',
  metadata: { name: 'default', namespace: 'shop' },
  spec: { peers: [{ mtls: {} }] },
};
function v1beta1(kind: string, ns: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'security.istio.io/v1beta1', kind, metadata: { name, namespace: ns }, spec };
}
const shopPeerAuthentication = v1beta1('PeerAuthentication', 'shop', 'default', { mtls: { mode: 'STRICT' } });
const istio = [namespace('istio-system'), namespace('shop')];
const gateway14 = sidecarPod('istio-system', 'istio-ingressgateway-5d8f7b-x1', OLD, {
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
});

ruleTester(rule, {
  pass: [
    {
      name: 'Istio installed, no v1alpha1 policy',
      documents: [namespace('istio-system'), namespace('shop')],
    },
    { name: 'only v1beta1 policies (fixture)', fixtures: ['pass-migrated.yaml'] },
    {
      name: 'a mesh-wide PERMISSIVE PeerAuthentication over 1.4 proxies: it protects nothing they lose',
      documents: [
        ...istio,
        v1beta1('PeerAuthentication', 'istio-system', 'default', { mtls: { mode: 'PERMISSIVE' } }),
        sidecarPod('shop', 'cart', OLD),
      ],
    },
    {
      name: 'an ALLOW AuthorizationPolicy over 1.4 proxies: 1.4 reads v1beta1 ALLOW policies itself',
      documents: [
        ...istio,
        v1beta1('AuthorizationPolicy', 'shop', 'allow-get', {
          rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
        }),
        sidecarPod('shop', 'cart', OLD),
      ],
    },
    {
      name: 'a PeerAuthentication selecting other pods than the 1.4 ones',
      documents: [
        ...istio,
        v1beta1('PeerAuthentication', 'shop', 'web-only', {
          selector: { matchLabels: { app: 'web' } },
          mtls: { mode: 'STRICT' },
        }),
        sidecarPod('shop', 'cart', OLD, { labels: { app: 'cart' } }),
      ],
    },
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
          message:
            /^ClusterRbacConfig default .* apply its replacement, AuthorizationPolicy, before moving workloads/,
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
      name: 'before: a Policy without its replacement, 1.4 proxies running: apply it in prepare (the old one stays)',
      documents: [...istio, shopPolicy, sidecarPod('shop', 'cart', OLD)],
      findings: [
        {
          message:
            'Policy shop/default (authentication.istio.io/v1alpha1) is ignored by Istio 1.6: apply its replacement, PeerAuthentication and/or RequestAuthentication, before moving workloads to the new proxies, and keep it until no 1.4 proxy or gateway runs (meshready wrote PeerAuthentication shop/default to v1beta1-policies.yaml)',
          phase: 'prepare',
          severity: 'error',
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: {
              converted: ['PeerAuthentication shop/default'],
              convertedFile: 'v1beta1-policies.yaml',
            },
          },
        },
      ],
    },
    {
      name: 'during: the replacement applied, 1.4 proxies still running: kept, to delete in retire-old-control-plane',
      target: 'asm-1.7',
      documents: [...istio, shopPolicy, shopPeerAuthentication, sidecarPod('shop', 'cart', OLD), gateway14],
      findings: [
        {
          message:
            'Policy shop/default (authentication.istio.io/v1alpha1): its v1beta1 replacement is in the cluster (PeerAuthentication shop/default). Keep it while any 1.4 proxy or gateway runs (they read only v1alpha1; 2 pods still run a 1.4 proxy or gateway); back it up and delete it in phase retire-old-control-plane',
          phase: 'retire-old-control-plane',
          severity: 'warning',
          urgent: false,
          fix: {
            action: 'delete-v1alpha1-policy',
            params: { name: 'default', namespace: 'shop', converted: ['PeerAuthentication shop/default'] },
          },
        },
      ],
    },
    {
      name: 'after: every proxy on 1.6, the replacement applied: delete it in retire-old-control-plane',
      documents: [...istio, shopPolicy, shopPeerAuthentication, sidecarPod('shop', 'cart', NEW)],
      findings: [
        {
          message: 'no 1.4 proxy or gateway runs any more',
          phase: 'retire-old-control-plane',
          fix: { action: 'delete-v1alpha1-policy' },
        },
      ],
    },
    {
      name: 'a STRICT MeshPolicy once a mesh-wide STRICT PeerAuthentication exists (any name): retire phase',
      documents: [
        ...istio,
        meshPolicy({}, false),
        v1beta1('PeerAuthentication', 'istio-system', 'mesh-mtls', { mtls: { mode: 'STRICT' } }),
      ],
      findings: [
        {
          phase: 'retire-old-control-plane',
          fix: { action: 'delete-v1alpha1-policy', params: { meshStrict: true } },
        },
      ],
    },
    {
      name: 'urgent: the v1alpha1 Policy deleted while a 1.4 proxy runs under its PeerAuthentication',
      documents: [
        ...istio,
        shopPeerAuthentication,
        sidecarPod('shop', 'cart', OLD),
        sidecarPod('shop', 'web', NEW),
      ],
      findings: [
        {
          message:
            'PeerAuthentication shop/default applies to 1 pod still on an Istio 1.4 proxy (shop/cart), and Istio 1.4 ignores a PeerAuthentication',
          resource: { kind: 'PeerAuthentication', namespace: 'shop', name: 'default' },
          severity: 'error',
          phase: 'prepare',
          urgent: true,
        },
      ],
    },
    {
      name: 'urgent: a mesh-wide DENY AuthorizationPolicy in the root namespace over the 1.4 gateway, no RBAC left',
      target: 'asm-1.6',
      documents: [
        ...istio,
        v1beta1('AuthorizationPolicy', 'istio-system', 'deny-admin', {
          action: 'DENY',
          rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
        }),
        gateway14,
        sidecarPod('shop', 'cart', NEW),
      ],
      findings: [
        {
          message:
            'AuthorizationPolicy istio-system/deny-admin applies to 1 pod still on an Istio 1.4 proxy (istio-system/istio-ingressgateway-5d8f7b-x1), and Istio 1.4 ignores a DENY AuthorizationPolicy',
          urgent: true,
        },
      ],
    },
    {
      name: 'a hand-written PeerAuthentication beside the v1alpha1 Policy it does not replace by name: not urgent, apply still due',
      documents: [
        ...istio,
        shopPolicy,
        v1beta1('PeerAuthentication', 'shop', 'hand-written', { mtls: { mode: 'STRICT' } }),
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [{ resource: { kind: 'Policy', name: 'default' }, phase: 'prepare', urgent: false }],
    },
    {
      name: 'a user-created PERMISSIVE MeshPolicy (no add-on label) is still a v1alpha1 object to migrate',
      documents: [namespace('istio-system'), meshPolicy({ mode: 'PERMISSIVE' }, false)],
      findings: [
        {
          message:
            'apply its replacement, a mesh-wide PeerAuthentication in istio-system, before moving workloads',
          severity: 'error',
          phase: 'prepare',
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: { converted: ['PeerAuthentication istio-system/default'] },
          },
        },
      ],
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
    {
      name: 'no v1alpha1 object left, a 1.4 proxy runs, PeerAuthentications not collected',
      documents: [...istio, sidecarPod('shop', 'cart', OLD)],
      notCollected: { peerauthentications: 'forbidden: list security.istio.io peerauthentications' },
      reason:
        'cannot tell whether a v1beta1 policy that Istio 1.4 ignores is the only one left for 1.4 proxies: PeerAuthentications (security.istio.io) not collected',
    },
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
