import { describe, expect, it } from 'vitest';
import rule from '../../rules/v1alpha1-security-policy.ts';
import { fingerprintOf } from '../../src/engine/fingerprint.ts';
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

/** A Policy asking for mTLS and a JWT in namespace shop: meshready writes several objects for it. */
const jwtPolicy = {
  apiVersion: 'authentication.istio.io/v1alpha1',
  kind: 'Policy',
  metadata: { name: 'jwt', namespace: 'shop' },
  spec: {
    peers: [{ mtls: {} }],
    origins: [
      { jwt: { issuer: 'https://accounts.example.com', jwksUri: 'https://accounts.example.com/jwks' } },
    ],
    principalBinding: 'USE_ORIGIN',
  },
};
/** What `meshready convert` writes for it: its DENY policy is not covered by the Policy (another family). */
const jwtReplacements = [
  v1beta1('PeerAuthentication', 'shop', 'jwt', { mtls: { mode: 'STRICT' } }),
  v1beta1('RequestAuthentication', 'shop', 'jwt', { jwtRules: [{ issuer: 'https://accounts.example.com' }] }),
  v1beta1('AuthorizationPolicy', 'shop', 'jwt', {
    action: 'DENY',
    rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }],
  }),
];

const ADDON_LABELS = { 'addonmanager.kubernetes.io/mode': 'Reconcile', app: 'security', release: 'istio' };
/** A v1alpha1 security object of `kind`, in `ns` (cluster-scoped without one). */
function v1alpha1(
  kind: string,
  ns: string | undefined,
  name: string,
  spec: unknown,
  labels?: Record<string, string>,
) {
  const group = kind === 'Policy' || kind === 'MeshPolicy' ? 'authentication' : 'rbac';
  return {
    apiVersion: `${group}.istio.io/v1alpha1`,
    kind,
    metadata: { name, ...(ns === undefined ? {} : { namespace: ns }), ...(labels ? { labels } : {}) },
    ...(spec === undefined ? {} : { spec }),
  };
}
const STRICT_MESH_MESSAGE =
  'MeshPolicy default (authentication.istio.io/v1alpha1) enforces STRICT mutual TLS mesh-wide, and Istio 1.6 ignores it (it defaults to PERMISSIVE): create a mesh-wide STRICT PeerAuthentication in the root namespace (istio-system) before moving workloads to the new proxies, or they accept plain text. Keep the MeshPolicy until no 1.4 proxy or gateway runs.';
/** The urgent message after "applies to N pods (…), and Istio 1.4 ignores X". */
const LAPSED_TAIL =
  ' (1.4 reads only the v1alpha1 security policies), while no v1alpha1 policy of the same kind applies to them any more: they are not protected as this policy says. Re-create the v1alpha1 object it replaces (from the backup remediate.sh saved, or `kubectl apply` of the original) and keep it until no 1.4 proxy or gateway runs, or move those workloads to 1.6 now.';
const meshStrictPeerAuthentication = v1beta1('PeerAuthentication', 'istio-system', 'mesh-mtls', {
  mtls: { mode: 'STRICT' },
});
const denyAdmin = (ns: string) =>
  v1beta1('AuthorizationPolicy', ns, 'deny-admin', {
    action: 'DENY',
    rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
  });
/** The urgent finding about a v1beta1 object over 1.4 pods. */
const lapsed = (kind: string, ns: string, name: string, pods: string, what = `a ${kind}`) => ({
  message: `${kind} ${ns}/${name} applies to ${pods}, and Istio 1.4 ignores ${what}${LAPSED_TAIL}`,
  resource: { kind, namespace: ns, name },
  severity: 'error' as const,
  phase: 'prepare' as const,
  urgent: true,
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
    {
      name: 'no 1.4 proxy runs: the v1beta1 kinds not being collected does not matter',
      documents: [...istio, sidecarPod('shop', 'cart', NEW)],
      notCollected: { peerauthentications: 'forbidden: list security.istio.io peerauthentications' },
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
    {
      name: "the add-on's MeshPolicy default without a spec: DISABLED, info, the whole message",
      documents: [
        namespace('istio-system'),
        v1alpha1('MeshPolicy', undefined, 'default', undefined, ADDON_LABELS),
      ],
      findings: [
        {
          message:
            "MeshPolicy default (authentication.istio.io/v1alpha1) is the Istio add-on's own, in DISABLED mode: Istio 1.6 ignores it and defaults to PERMISSIVE mutual TLS itself, so nothing is lost. Leave it: the add-on manager re-creates it when it is deleted.",
          severity: 'info',
          fix: null,
        },
      ],
    },
    {
      name: "the add-on's MeshPolicy default: peers that are not mtls peers (null, a string, jwt) are skipped, the first mtls peer's mode counts (any case)",
      documents: [
        namespace('istio-system'),
        v1alpha1(
          'MeshPolicy',
          undefined,
          'default',
          {
            peers: [
              null,
              'mtls',
              { jwt: { issuer: 'https://accounts.example.com' } },
              { mtls: { mode: 'permissive' } },
            ],
          },
          ADDON_LABELS,
        ),
      ],
      findings: [{ message: "is the Istio add-on's own, in PERMISSIVE mode:", severity: 'info' }],
    },
    {
      name: "the add-on's MeshPolicy default with only a jwt peer: DISABLED",
      documents: [
        namespace('istio-system'),
        v1alpha1(
          'MeshPolicy',
          undefined,
          'default',
          { peers: [{ jwt: { issuer: 'https://accounts.example.com' } }] },
          ADDON_LABELS,
        ),
      ],
      findings: [{ message: "is the Istio add-on's own, in DISABLED mode:", severity: 'info' }],
    },
    {
      name: "the add-on's MeshPolicy default with `mtls:` left empty (null) is STRICT",
      documents: [
        namespace('istio-system'),
        v1alpha1('MeshPolicy', undefined, 'default', { peers: [{ mtls: null }] }, ADDON_LABELS),
      ],
      findings: [{ message: STRICT_MESH_MESSAGE, severity: 'error', phase: 'prepare' }],
    },
    {
      name: "the add-on's MeshPolicy default with an empty mode is STRICT",
      documents: [
        namespace('istio-system'),
        v1alpha1('MeshPolicy', undefined, 'default', { peers: [{ mtls: { mode: '' } }] }, ADDON_LABELS),
      ],
      findings: [{ message: STRICT_MESH_MESSAGE, severity: 'error' }],
    },
    {
      name: 'add-on labels on a Policy named default, or on a MeshPolicy not named default, do not make them the add-on MeshPolicy',
      documents: [
        ...istio,
        v1alpha1('Policy', 'shop', 'default', { peers: [{ mtls: { mode: 'PERMISSIVE' } }] }, ADDON_LABELS),
        v1alpha1(
          'MeshPolicy',
          undefined,
          'mesh-permissive',
          { peers: [{ mtls: { mode: 'PERMISSIVE' } }] },
          ADDON_LABELS,
        ),
      ],
      findings: [
        {
          message:
            'MeshPolicy mesh-permissive (authentication.istio.io/v1alpha1) is ignored by Istio 1.6: apply its replacement, a mesh-wide PeerAuthentication in istio-system, before moving workloads to the new proxies, and keep it until no 1.4 proxy or gateway runs (nothing to write for it: Istio 1.4 only reads the MeshPolicy named default).',
          severity: 'error',
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: {
              kind: 'MeshPolicy',
              resource: 'meshpolicies.authentication.istio.io',
              notConverted: 'nothing to write for it: Istio 1.4 only reads the MeshPolicy named default',
            },
          },
        },
        {
          message:
            'Policy shop/default (authentication.istio.io/v1alpha1) is ignored by Istio 1.6: apply its replacement, PeerAuthentication and/or RequestAuthentication, before moving workloads to the new proxies, and keep it until no 1.4 proxy or gateway runs (meshready wrote PeerAuthentication shop/default to v1beta1-policies.yaml).',
          severity: 'error',
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: {
              converted: ['PeerAuthentication shop/default'],
              convertedFile: 'v1beta1-policies.yaml',
              convertedYaml: expect.stringContaining('kind: PeerAuthentication'),
            },
          },
        },
      ],
    },
    {
      name: 'a STRICT MeshPolicy: PeerAuthentications in another namespace, selecting workloads, or PERMISSIVE are not its replacement',
      documents: [
        ...istio,
        meshPolicy({ mode: 'STRICT' }, false),
        v1beta1('PeerAuthentication', 'shop', 'mesh-mtls', { mtls: { mode: 'STRICT' } }),
        v1beta1('PeerAuthentication', 'istio-system', 'gateway-mtls', {
          selector: { matchLabels: { istio: 'ingressgateway' } },
          mtls: { mode: 'STRICT' },
        }),
        v1beta1('PeerAuthentication', 'istio-system', 'permissive', { mtls: { mode: 'PERMISSIVE' } }),
      ],
      findings: [{ message: STRICT_MESH_MESSAGE, phase: 'prepare', severity: 'error' }],
    },
    {
      name: 'a STRICT MeshPolicy whose mesh-wide PeerAuthentication has an empty matchLabels (it selects every workload): retire phase',
      documents: [
        ...istio,
        meshPolicy({ mode: 'STRICT' }, false),
        v1beta1('PeerAuthentication', 'istio-system', 'mesh-mtls', {
          selector: { matchLabels: {} },
          mtls: { mode: 'STRICT' },
        }),
      ],
      findings: [
        {
          message:
            'MeshPolicy default (authentication.istio.io/v1alpha1): its v1beta1 replacement is in the cluster (a mesh-wide STRICT PeerAuthentication in istio-system (the root namespace)). Keep it while any 1.4 proxy or gateway runs',
          phase: 'retire-old-control-plane',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'the converted PeerAuthentication under its name in another namespace is not the replacement',
      documents: [
        ...istio,
        namespace('web'),
        shopPolicy,
        v1beta1('PeerAuthentication', 'web', 'default', { mtls: { mode: 'STRICT' } }),
      ],
      findings: [{ resource: { kind: 'Policy', name: 'default' }, phase: 'prepare', severity: 'error' }],
    },
    {
      name: 'during, with one 1.4 pod left: singular wording, the whole message',
      documents: [...istio, shopPolicy, shopPeerAuthentication, sidecarPod('shop', 'cart', OLD)],
      findings: [
        {
          message:
            'Policy shop/default (authentication.istio.io/v1alpha1): its v1beta1 replacement is in the cluster (PeerAuthentication shop/default). Keep it while any 1.4 proxy or gateway runs (they read only v1alpha1; 1 pod still runs a 1.4 proxy or gateway); back it up and delete it in phase retire-old-control-plane, once the last one is gone.',
          phase: 'retire-old-control-plane',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'Pods not collected: the replacement applied, kept (whether 1.4 proxies run is unknown)',
      documents: [...istio, shopPolicy, shopPeerAuthentication],
      notCollected: { pods: 'forbidden: list pods' },
      findings: [
        {
          message:
            'Keep it while any 1.4 proxy or gateway runs (they read only v1alpha1; whether 1.4 proxies still run was not collected); back it up',
          phase: 'retire-old-control-plane',
        },
      ],
    },
    {
      name: 'the v1beta1 kinds not collected while a 1.4 proxy runs: the v1alpha1 findings are still reported',
      documents: [...istio, shopPolicy, sidecarPod('shop', 'cart', OLD)],
      notCollected: { peerauthentications: 'forbidden: list security.istio.io peerauthentications' },
      findings: [{ resource: { kind: 'Policy', name: 'default' }, phase: 'prepare' }],
    },
    {
      name: 'ServiceRoleBinding and RbacConfig: AuthorizationPolicy replacements, their kubectl resources',
      documents: [
        ...istio,
        v1alpha1('RbacConfig', 'istio-system', 'default', { mode: 'ON' }),
        serviceRole,
        v1alpha1('ServiceRoleBinding', 'payments', 'reader-binding', {
          subjects: [{ user: 'cluster.local/ns/shop/sa/cart' }],
          roleRef: { kind: 'ServiceRole', name: 'reader' },
        }),
      ],
      findings: [
        {
          message:
            /^RbacConfig istio-system\/default \(rbac\.istio\.io\/v1alpha1\) is ignored by Istio 1\.6: apply its replacement, AuthorizationPolicy, before/,
          fix: { action: 'migrate-v1alpha1-policy', params: { resource: 'rbacconfigs.rbac.istio.io' } },
        },
        {
          message:
            /^ServiceRole payments\/reader \(rbac\.istio\.io\/v1alpha1\) is ignored by Istio 1\.6: apply its replacement, AuthorizationPolicy, before/,
          fix: { action: 'migrate-v1alpha1-policy', params: { resource: 'serviceroles.rbac.istio.io' } },
        },
        {
          message:
            /^ServiceRoleBinding payments\/reader-binding \(rbac\.istio\.io\/v1alpha1\) is ignored by Istio 1\.6: apply its replacement, AuthorizationPolicy, before/,
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: { resource: 'servicerolebindings.rbac.istio.io' },
          },
        },
      ],
    },
    {
      name: 'a Policy with peers and origins becomes several objects: all named in the message',
      documents: [...istio, jwtPolicy],
      findings: [
        {
          message:
            'Policy shop/jwt (authentication.istio.io/v1alpha1) is ignored by Istio 1.6: apply its replacement, PeerAuthentication and/or RequestAuthentication, before moving workloads to the new proxies, and keep it until no 1.4 proxy or gateway runs (meshready wrote PeerAuthentication shop/jwt, RequestAuthentication shop/jwt, AuthorizationPolicy shop/jwt to v1beta1-policies.yaml).',
        },
      ],
    },
    {
      name: 'a Policy with peers and origins, every replacement applied, a 1.4 proxy running: its own DENY replacement is not urgent',
      documents: [
        ...istio,
        jwtPolicy,
        ...jwtReplacements,
        sidecarPod('shop', 'cart', OLD, { labels: { app: 'cart' } }),
      ],
      findings: [
        {
          message:
            'Policy shop/jwt (authentication.istio.io/v1alpha1): its v1beta1 replacement is in the cluster (PeerAuthentication shop/jwt, RequestAuthentication shop/jwt, AuthorizationPolicy shop/jwt). Keep it',
          phase: 'retire-old-control-plane',
        },
      ],
    },
    {
      name: 'urgent: a RequestAuthentication over a 1.4 pod, the whole message',
      documents: [
        ...istio,
        v1beta1('RequestAuthentication', 'shop', 'jwt', {
          jwtRules: [{ issuer: 'https://accounts.example.com' }],
        }),
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [
        lapsed('RequestAuthentication', 'shop', 'jwt', '1 pod still on an Istio 1.4 proxy (shop/cart)'),
      ],
    },
    {
      name: 'urgent: which 1.4 pods each policy applies to (namespace, root namespace), sorted, at most three named',
      documents: [
        ...istio,
        namespace('web'),
        denyAdmin('istio-system'),
        v1beta1('PeerAuthentication', 'shop', 'strict', { mtls: { mode: 'STRICT' } }),
        sidecarPod('web', 'd', OLD),
        sidecarPod('shop', 'c', OLD),
        sidecarPod('shop', 'b', OLD),
        sidecarPod('shop', 'a', OLD),
        sidecarPod('shop', 'e', NEW),
        gateway14,
      ],
      findings: [
        lapsed(
          'AuthorizationPolicy',
          'istio-system',
          'deny-admin',
          '5 pods still on an Istio 1.4 proxy (istio-system/istio-ingressgateway-5d8f7b-x1, shop/a, shop/b, …)',
          'a DENY AuthorizationPolicy',
        ),
        lapsed(
          'PeerAuthentication',
          'shop',
          'strict',
          '3 pods still on an Istio 1.4 proxy (shop/a, shop/b, shop/c)',
        ),
      ],
    },
    {
      name: 'urgent: a selector with two labels applies to the 1.4 pods carrying both',
      documents: [
        ...istio,
        v1beta1('PeerAuthentication', 'shop', 'cart-v1', {
          selector: { matchLabels: { app: 'cart', version: 'v1' } },
          mtls: { mode: 'STRICT' },
        }),
        sidecarPod('shop', 'cart-v1', OLD, { labels: { app: 'cart', version: 'v1' } }),
        sidecarPod('shop', 'cart-v2', OLD, { labels: { app: 'cart', version: 'v2' } }),
      ],
      findings: [
        lapsed('PeerAuthentication', 'shop', 'cart-v1', '1 pod still on an Istio 1.4 proxy (shop/cart-v1)'),
      ],
    },
    {
      name: 'urgent: a v1alpha1 policy of the other family does not cover (an authentication Policy for a DENY policy)',
      documents: [...istio, shopPolicy, denyAdmin('shop'), sidecarPod('shop', 'cart', OLD)],
      findings: [
        lapsed(
          'AuthorizationPolicy',
          'shop',
          'deny-admin',
          '1 pod still on an Istio 1.4 proxy (shop/cart)',
          'a DENY AuthorizationPolicy',
        ),
        { resource: { kind: 'Policy', name: 'default' }, urgent: false },
      ],
    },
    {
      name: 'urgent: a v1alpha1 policy of the other family does not cover (a ServiceRole for a PeerAuthentication)',
      documents: [
        ...istio,
        shopPeerAuthentication,
        v1alpha1('ServiceRole', 'shop', 'reader', { rules: [{ services: ['*'], methods: ['GET'] }] }),
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [
        lapsed('PeerAuthentication', 'shop', 'default', '1 pod still on an Istio 1.4 proxy (shop/cart)'),
        { resource: { kind: 'ServiceRole', name: 'reader' }, urgent: false },
      ],
    },
    {
      name: 'a user STRICT MeshPolicy covers a mesh-wide PeerAuthentication over 1.4 pods',
      documents: [
        ...istio,
        meshPolicy({ mode: 'STRICT' }, false),
        meshStrictPeerAuthentication,
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [
        {
          resource: { kind: 'MeshPolicy', name: 'default' },
          phase: 'retire-old-control-plane',
          urgent: false,
        },
      ],
    },
    {
      name: 'a STRICT add-on MeshPolicy covers a mesh-wide PeerAuthentication over 1.4 pods',
      documents: [
        ...istio,
        meshPolicy({}, true),
        meshStrictPeerAuthentication,
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [
        {
          resource: { kind: 'MeshPolicy', name: 'default' },
          phase: 'retire-old-control-plane',
          urgent: false,
        },
      ],
    },
    {
      name: 'a PERMISSIVE user MeshPolicy still covers a mesh-wide PeerAuthentication over 1.4 pods',
      documents: [
        ...istio,
        meshPolicy({ mode: 'PERMISSIVE' }, false),
        meshStrictPeerAuthentication,
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [{ resource: { kind: 'MeshPolicy', name: 'default' }, phase: 'prepare', urgent: false }],
    },
    {
      name: "urgent: the add-on's PERMISSIVE MeshPolicy does not cover a mesh-wide STRICT PeerAuthentication over 1.4 pods",
      documents: [...istio, addonPermissive, meshStrictPeerAuthentication, sidecarPod('shop', 'cart', OLD)],
      findings: [
        // Sorted by namespace: the cluster-scoped MeshPolicy first.
        { resource: { kind: 'MeshPolicy', name: 'default' }, severity: 'info' },
        lapsed(
          'PeerAuthentication',
          'istio-system',
          'mesh-mtls',
          '1 pod still on an Istio 1.4 proxy (shop/cart)',
        ),
      ],
    },
    {
      name: 'urgent: a MeshPolicy covers only the root namespace, not a STRICT PeerAuthentication of shop',
      documents: [
        ...istio,
        meshPolicy({ mode: 'STRICT' }, false),
        v1beta1('PeerAuthentication', 'shop', 'strict', { mtls: { mode: 'STRICT' } }),
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [
        { resource: { kind: 'MeshPolicy', name: 'default' }, phase: 'prepare', urgent: false },
        lapsed('PeerAuthentication', 'shop', 'strict', '1 pod still on an Istio 1.4 proxy (shop/cart)'),
      ],
    },
    {
      name: 'urgent: RBAC objects of another namespace (an RbacConfig outside the root namespace, a ServiceRole of payments) do not cover a DENY policy of shop',
      documents: [
        ...istio,
        v1alpha1('RbacConfig', 'shop', 'default', { mode: 'ON' }),
        serviceRole,
        denyAdmin('shop'),
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [
        { resource: { kind: 'ServiceRole', namespace: 'payments', name: 'reader' }, urgent: false },
        lapsed(
          'AuthorizationPolicy',
          'shop',
          'deny-admin',
          '1 pod still on an Istio 1.4 proxy (shop/cart)',
          'a DENY AuthorizationPolicy',
        ),
        { resource: { kind: 'RbacConfig', namespace: 'shop', name: 'default' }, urgent: false },
      ],
    },
    {
      name: 'a ClusterRbacConfig covers a DENY policy of the root namespace over 1.4 pods',
      documents: [
        ...istio,
        v1alpha1('ClusterRbacConfig', undefined, 'default', { mode: 'ON' }),
        denyAdmin('istio-system'),
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [{ resource: { kind: 'ClusterRbacConfig', name: 'default' }, urgent: false }],
    },
    {
      name: 'a ServiceRole of shop covers a DENY policy of the root namespace over 1.4 pods',
      documents: [
        ...istio,
        v1alpha1('ServiceRole', 'shop', 'reader', { rules: [{ services: ['*'], methods: ['GET'] }] }),
        denyAdmin('istio-system'),
        sidecarPod('shop', 'cart', OLD),
      ],
      findings: [{ resource: { kind: 'ServiceRole', name: 'reader' }, urgent: false }],
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
      name: 'Pods not collected and no v1alpha1 object left',
      documents: [...istio],
      notCollected: { pods: 'forbidden: list pods' },
      reason:
        'cannot tell whether a v1beta1 policy that Istio 1.4 ignores is the only one left for 1.4 proxies: Pods not collected: forbidden: list pods',
    },
    {
      name: 'no v1alpha1 object left, a 1.4 proxy runs, two v1beta1 kinds not collected: both named',
      documents: [...istio, sidecarPod('shop', 'cart', OLD)],
      notCollected: {
        peerauthentications: 'forbidden: list security.istio.io peerauthentications',
        requestauthentications: 'forbidden: list security.istio.io requestauthentications',
      },
      reason:
        'cannot tell whether a v1beta1 policy that Istio 1.4 ignores is the only one left for 1.4 proxies: PeerAuthentications (security.istio.io) not collected: forbidden: list security.istio.io peerauthentications; RequestAuthentications (security.istio.io) not collected: forbidden: list security.istio.io requestauthentications',
    },
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

  it('names converted objects and the written file only when there are some', async () => {
    const result = await evaluateRule(rule, {
      name: 'not converted',
      documents: [
        namespace('istio-system'),
        v1alpha1('MeshPolicy', undefined, 'mesh-permissive', { peers: [{ mtls: { mode: 'PERMISSIVE' } }] }),
      ],
    });
    const params = result.findings[0]?.fix?.params;
    expect(params?.notConverted).toBe(
      'nothing to write for it: Istio 1.4 only reads the MeshPolicy named default',
    );
    expect(params).not.toHaveProperty('converted');
    expect(params).not.toHaveProperty('convertedFile');
    expect(params).not.toHaveProperty('convertedYaml');
  });

  it('keys the urgent finding about a v1beta1 object, so its fingerprint stays apart from any other finding about it', async () => {
    const result = await evaluateRule(rule, {
      name: 'urgent',
      documents: [...istio, shopPeerAuthentication, sidecarPod('shop', 'cart', OLD)],
    });
    const [finding] = result.findings;
    if (!finding) throw new Error('expected the urgent finding');
    expect(finding.urgent).toBe(true);
    expect(finding.fingerprint).toBe(fingerprintOf(rule.id, finding.resource, 'ignored-by-1.4'));
  });

  it('holds prepare back for a user STRICT MeshPolicy', () => {
    const report = runOn([namespace('istio-system'), meshPolicy({ mode: 'STRICT' }, false)]);
    expect(report.phases.find((p) => p.id === 'prepare')?.status).toBe('todo');
    expect(report.currentPhase).toBe('prepare');
  });
});
