/**
 * Issue 24, bullet by bullet: each case is a small mesh, what meshready must write or refuse, and
 * requests whose fate the reference evaluators decide (Istio 1.4 on the input, 1.6 on the output).
 * Every case here failed on the converter before the issue was fixed.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ConversionResult } from '../../src/convert/model.ts';
import { renderPoliciesYaml } from '../../src/convert/yaml.ts';
import { convertText, documents } from './convert-cases.ts';
import { decide14 } from './reference/istio14.ts';
import { decide16 } from './reference/istio16.ts';
import type { KubeDoc, Request, ServiceDef, WorkloadDef, World } from './reference/world.ts';

/** A world for the evaluators: the input's Services, one workload behind each (labels = selector). */
function worldOf(text: string): World {
  const docs = documents(text) as KubeDoc[];
  const services: ServiceDef[] = docs
    .filter((d) => d.kind === 'Service')
    .map((d) => {
      const spec = d.spec as {
        selector: Record<string, string>;
        ports: { name: string; port: number; targetPort?: number }[];
      };
      return {
        name: d.metadata.name,
        namespace: d.metadata.namespace ?? 'default',
        selector: spec.selector,
        ports: spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port })),
      };
    });
  const workloads: WorkloadDef[] = services.map((s) => ({
    name: s.name,
    namespace: s.namespace,
    labels: { ...s.selector, version: 'v1' },
    serviceAccount: s.name,
    gateway: s.name === 'istio-ingressgateway',
  }));
  return {
    rootNamespace: 'istio-system',
    services,
    workloads,
    policies: docs.filter((d) => d.apiVersion.endsWith('/v1alpha1')),
  };
}

function outputOf(result: ConversionResult): KubeDoc[] {
  return parseAllDocuments(renderPoliciesYaml(result.objects)).map((d) => d.toJS() as KubeDoc);
}

type Ask = Partial<Request> & Pick<Request, 'service' | 'namespace' | 'port'>;
function request(ask: Ask): Request {
  return {
    workload: ask.service,
    sourceIp: '10.1.2.3',
    method: 'GET',
    path: '/',
    host: `${ask.service}.${ask.namespace}.svc.cluster.local`,
    headers: {},
    ...ask,
  };
}

/** Both versions decide each request alike, and 1.4 decided as the case says. */
function expectSame(
  text: string,
  result: ConversionResult,
  asks: readonly (Ask & { in14: 'allow' | 'deny' })[],
) {
  const world = worldOf(text);
  const output = outputOf(result);
  for (const { in14, ...ask } of asks) {
    const r = request(ask);
    expect({ request: ask, istio14: decide14(world, r) }).toEqual({ request: ask, istio14: in14 });
    expect({ request: ask, istio16: decide16(world, output, r) }).toEqual({ request: ask, istio16: in14 });
  }
}

const SERVICES = `
apiVersion: v1
kind: Service
metadata: { name: productpage, namespace: shop }
spec: { selector: { app: productpage }, ports: [{ name: http, port: 9080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: shop }
spec: { selector: { app: reviews }, ports: [{ name: http, port: 9080 }, { name: http-admin, port: 9090, targetPort: 8090 }] }
---
apiVersion: v1
kind: Service
metadata: { name: ratings, namespace: shop }
spec: { selector: { app: ratings }, ports: [{ name: http, port: 9080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: istio-ingressgateway, namespace: istio-system }
spec: { selector: { app: istio-ingressgateway, istio: ingressgateway }, ports: [{ name: http2, port: 80 }] }
`;
const MESH_PERMISSIVE = `
---
apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata: { name: default }
spec: { peers: [{ mtls: { mode: PERMISSIVE } }] }
`;
const ON = `
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: { name: default }
spec: { mode: "ON" }
`;
const roleAndBinding = (rules: string, subjects: string, namespace = 'shop') => `
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: { name: role, namespace: ${namespace} }
spec: { rules: ${rules} }
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: { name: binding, namespace: ${namespace} }
spec: { roleRef: { kind: ServiceRole, name: role }, subjects: ${subjects} }
`;

const WEB = 'cluster.local/ns/shop/sa/web';
const TELLER = 'cluster.local/ns/bank/sa/teller';
const PP = { service: 'productpage', namespace: 'shop', port: 9080 } as const;

const rulesOf = (result: ConversionResult, name: string) =>
  result.objects
    .filter((o) => o.object.kind === 'AuthorizationPolicy' && o.object.metadata.name === name)
    .flatMap((o) => (o.object.spec as { rules?: unknown[] }).rules ?? []);

describe('wider than 1.4 (before): now refused or ANDed', () => {
  it('a field of the wrong type made 1.4 skip the object: refused, naming the object and the field', () => {
    const text = SERVICES + ON + roleAndBinding(`[{ services: ["*"], methods: GET }]`, `[{ user: "*" }]`);
    const result = convertText(text);
    expect(result.problems).toContainEqual({
      source: { kind: 'ServiceRole', namespace: 'shop', name: 'role' },
      reason: expect.stringMatching(
        /^spec\.rules\[0\]\.methods is "GET" \(a string\) where Istio 1\.4 expected a list of strings/,
      ),
    });
    // Nothing grants DELETE to anyone (1.4 had no role at all: everything denied under ON).
    expect(result.objects.map((o) => o.object.metadata.name)).toEqual(['global-deny-by-default']);
    expectSame(text, result, [{ ...PP, method: 'DELETE', in14: 'deny' }]);
  });

  it('ports and a destination.port constraint are ANDed: the ports both allow', () => {
    const text =
      SERVICES +
      ON +
      roleAndBinding(
        `[{ services: [reviews.shop.svc.cluster.local], ports: [9080, 8090], constraints: [{ key: destination.port, values: ["8090"] }] }]`,
        `[{ user: "*" }]`,
      );
    const result = convertText(text);
    expect(rulesOf(result, 'binding')).toEqual([{ to: [{ operation: { ports: ['8090'] } }] }]);
    expectSame(text, result, [
      { service: 'reviews', namespace: 'shop', port: 9080, in14: 'deny' },
      { service: 'reviews', namespace: 'shop', port: 9090, in14: 'allow' },
    ]);
  });

  it('user and names are ANDed: the second is a source.principal condition', () => {
    const text =
      SERVICES +
      MESH_PERMISSIVE +
      ON +
      roleAndBinding(`[{ services: ["*"] }]`, `[{ user: "${WEB}", names: ["cluster.local/ns/bank/*"] }]`);
    const result = convertText(text);
    expect(rulesOf(result, 'binding')).toEqual([
      {
        from: [{ source: { principals: [WEB] } }],
        when: [{ key: 'source.principal', values: ['cluster.local/ns/bank/*'] }],
      },
    ]);
    expectSame(text, result, [
      { ...PP, peer: WEB, in14: 'deny' },
      { ...PP, peer: TELLER, in14: 'deny' },
    ]);
  });

  it('group and groups are ANDed: two request.auth.claims[groups] conditions', () => {
    const text =
      SERVICES + ON + roleAndBinding(`[{ services: ["*"] }]`, `[{ group: admins, groups: [ops] }]`);
    const result = convertText(text);
    expect(rulesOf(result, 'binding')).toEqual([
      {
        when: [
          { key: 'request.auth.claims[groups]', values: ['admins'] },
          { key: 'request.auth.claims[groups]', values: ['ops'] },
        ],
      },
    ]);
  });

  it('snake_case fields 1.4 decoded and enforced (not_paths, not_names, not_methods) are read', () => {
    const text =
      SERVICES +
      MESH_PERMISSIVE +
      ON +
      roleAndBinding(
        `[{ services: ["*"], not_paths: ["/admin*"], not_methods: [DELETE] }]`,
        `[{ names: ["cluster.local/ns/*"], not_names: ["${TELLER}"] }]`,
      );
    const result = convertText(text);
    expect(rulesOf(result, 'binding')).toEqual([
      {
        from: [{ source: { principals: ['cluster.local/ns/*'], notPrincipals: [TELLER] } }],
        to: [{ operation: { notMethods: ['DELETE'], notPaths: ['/admin*'] } }],
      },
    ]);
    expectSame(text, result, [
      { ...PP, peer: WEB, path: '/admin/users', in14: 'deny' },
      { ...PP, peer: TELLER, path: '/', in14: 'deny' },
      { ...PP, peer: WEB, path: '/', in14: 'allow' },
      { ...PP, peer: WEB, method: 'DELETE', in14: 'deny' },
    ]);
  });

  it('a short service name matched nothing in 1.4 (services are matched against the FQDN): a warning, nothing granted', () => {
    const text =
      SERVICES + ON + roleAndBinding(`[{ services: [productpage, ratings.shop] }]`, `[{ user: "*" }]`);
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    expect(result.objects.map((o) => o.object.metadata.name)).toEqual(['global-deny-by-default']);
    expect(result.warnings.map((w) => w.reason)).toEqual([
      expect.stringContaining('services entry "productpage" is not a hostname'),
      expect.stringContaining('services entry "ratings.shop" is not a hostname'),
    ]);
    expectSame(text, result, [
      { ...PP, in14: 'deny' },
      { service: 'ratings', namespace: 'shop', port: 9080, in14: 'deny' },
    ]);
  });
});

describe('narrower than 1.4 (before): wildcards keep their 1.4 meaning', () => {
  for (const subject of [
    '{ user: "*" }',
    '{ user: allUsers }',
    '{ names: [allUsers] }',
    '{ properties: { source.principal: "*" } }',
  ]) {
    it(`${subject} matched any request, mTLS or not: no from`, () => {
      const text =
        SERVICES +
        MESH_PERMISSIVE +
        ON +
        roleAndBinding(`[{ services: ["*"], methods: [GET] }]`, `[${subject}]`);
      const result = convertText(text);
      expect(rulesOf(result, 'binding')).toEqual([{ to: [{ operation: { methods: ['GET'] } }] }]);
      expectSame(text, result, [
        { ...PP, in14: 'allow' },
        { ...PP, peer: WEB, in14: 'allow' },
      ]);
    });
  }

  it('the gateway callers (plaintext) stay allowed under a mesh-wide ON mode', () => {
    const text = SERVICES + ON + roleAndBinding(`[{ services: ["*"] }]`, `[{ user: "*" }]`, 'istio-system');
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    expectSame(text, result, [
      { service: 'istio-ingressgateway', namespace: 'istio-system', port: 80, in14: 'allow' },
      // The role is in istio-system: shop stays denied, although a root-namespace policy would reach it.
      { ...PP, in14: 'deny' },
    ]);
  });

  it('allAuthenticatedUsers matched any mTLS peer: principals ["*"], never the literal', () => {
    const text =
      SERVICES +
      MESH_PERMISSIVE +
      ON +
      roleAndBinding(`[{ services: ["*"] }]`, `[{ user: allAuthenticatedUsers }]`);
    const result = convertText(text);
    expect(rulesOf(result, 'binding')).toEqual([{ from: [{ source: { principals: ['*'] } }] }]);
    expectSame(text, result, [
      { ...PP, in14: 'deny' },
      { ...PP, peer: WEB, in14: 'allow' },
    ]);
  });

  it('snake_case authentication fields (jwks_uri, jwt_headers, principal_binding) are read', () => {
    const text =
      SERVICES +
      `
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: default, namespace: shop }
spec:
  origins: [{ jwt: { issuer: "https://a.example", jwks_uri: "https://a.example/keys", jwt_headers: [x-jwt] } }]
  principal_binding: USE_ORIGIN
`;
    const result = convertText(text);
    const ra = result.objects.find((o) => o.object.kind === 'RequestAuthentication');
    expect(ra?.object.spec).toEqual({
      jwtRules: [
        {
          issuer: 'https://a.example',
          jwksUri: 'https://a.example/keys',
          fromHeaders: [{ name: 'x-jwt' }],
          forwardOriginalToken: true,
        },
      ],
    });
    const token = { issuer: 'https://a.example', subject: 'alice', audiences: [], claims: {}, valid: true };
    expectSame(text, result, [
      { ...PP, token: { ...token, location: 'x-jwt' }, in14: 'allow' },
      { ...PP, token: { ...token, location: 'bearer' }, in14: 'deny' },
    ]);
  });

  it('request.auth.principal follows principalBinding: the peer under USE_PEER, the JWT under USE_ORIGIN', () => {
    const policy = (binding: string) => `
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: default, namespace: shop }
spec:
  peers: [{ mtls: {} }]
  origins: [{ jwt: { issuer: "https://a.example" } }]
  principalBinding: ${binding}
`;
    const token = {
      issuer: 'https://a.example',
      subject: 'alice',
      audiences: [],
      claims: {},
      location: 'bearer' as const,
      valid: true,
    };
    const peer =
      SERVICES +
      ON +
      policy('USE_PEER') +
      roleAndBinding(`[{ services: ["*"] }]`, `[{ properties: { request.auth.principal: "${WEB}" } }]`);
    const peerResult = convertText(peer);
    expect(rulesOf(peerResult, 'binding')[0]).toEqual({
      from: [{ source: { principals: [WEB] } }],
      to: [{ operation: { notMethods: ['OPTIONS'] } }],
    });
    expectSame(peer, peerResult, [
      { ...PP, peer: WEB, token, in14: 'allow' },
      { ...PP, peer: TELLER, token, in14: 'deny' },
    ]);
    const origin =
      SERVICES +
      ON +
      policy('USE_ORIGIN') +
      roleAndBinding(
        `[{ services: ["*"] }]`,
        `[{ properties: { request.auth.principal: "https://a.example/alice" } }]`,
      );
    const originResult = convertText(origin);
    expect(rulesOf(originResult, 'binding')).toEqual([
      { from: [{ source: { requestPrincipals: ['https://a.example/alice'] } }] },
    ]);
    expectSame(origin, originResult, [
      { ...PP, peer: TELLER, token, in14: 'allow' },
      { ...PP, peer: TELLER, token: { ...token, subject: 'bob' }, in14: 'deny' },
    ]);
  });
});

describe('overlapping authentication Policies: 1.4 applied one per service port', () => {
  const NS_JWT = `
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: default, namespace: shop }
spec: { origins: [{ jwt: { issuer: "https://a.example" } }] }
`;
  it('a namespace JWT requirement and a workload Policy without one: the namespace Policy is refused, the workload one written', () => {
    const text =
      SERVICES +
      NS_JWT +
      `
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: productpage-mtls, namespace: shop }
spec: { targets: [{ name: productpage }], peers: [{ mtls: {} }] }
`;
    const result = convertText(text);
    expect(result.problems).toEqual([
      {
        source: { kind: 'Policy', namespace: 'shop', name: 'default' },
        reason: expect.stringMatching(
          /would also apply to service shop\/productpage port 9080, where Istio 1\.4 applied Policy shop\/productpage-mtls instead/,
        ),
      },
    ]);
    expect(result.objects.map((o) => `${o.object.kind} ${o.object.metadata.name}`)).toEqual([
      'PeerAuthentication productpage-mtls-productpage',
    ]);
    expectSame(text, result, [{ ...PP, peer: WEB, in14: 'allow' }]);
  });

  it('a MeshPolicy JWT requirement and a namespace Policy without one: the MeshPolicy is refused', () => {
    const text =
      SERVICES +
      `
---
apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata: { name: default }
spec: { origins: [{ jwt: { issuer: "https://a.example" } }] }
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: default, namespace: shop }
spec: { peers: [{ mtls: { mode: PERMISSIVE } }] }
`;
    const result = convertText(text);
    expect(result.problems.map((p) => p.source)).toEqual([
      { kind: 'MeshPolicy', namespace: undefined, name: 'default' },
    ]);
  });

  it('a Policy for a service and one for one of its ports become one PeerAuthentication', () => {
    const text =
      SERVICES +
      `
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: reviews, namespace: shop }
spec: { targets: [{ name: reviews }], peers: [{ mtls: { mode: PERMISSIVE } }] }
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: reviews-admin, namespace: shop }
spec: { targets: [{ name: reviews, ports: [{ name: http-admin }] }], peers: [{ mtls: { mode: STRICT } }] }
`;
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    expect(result.objects.map((o) => o.object)).toEqual([
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'PeerAuthentication',
        metadata: { name: 'reviews-reviews', namespace: 'shop' },
        spec: {
          selector: { matchLabels: { app: 'reviews' } },
          mtls: { mode: 'PERMISSIVE' },
          portLevelMtls: { '8090': { mode: 'STRICT' } },
        },
      },
    ]);
    expectSame(text, result, [
      { service: 'reviews', namespace: 'shop', port: 9080, in14: 'allow' },
      { service: 'reviews', namespace: 'shop', port: 9090, in14: 'deny' },
    ]);
  });

  it('1.4 checked JWTs on HTTP ports only: the DENY policy leaves the TCP ports out (1.6 would deny all TCP traffic there)', () => {
    const text = `
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec: { selector: { app: orders }, ports: [{ name: http, port: 80, targetPort: 8080 }, { name: tcp-db, port: 3306 }, { name: metrics, port: 9090 }] }
${NS_JWT}`;
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    const deny = result.objects.find((o) => o.object.kind === 'AuthorizationPolicy');
    expect(deny).toBeDefined();
    const spec = (deny?.object.spec ?? { rules: [] }) as {
      rules: { to: { operation: { notPorts: string[] } }[] }[];
    };
    const rules = spec.rules;
    expect(rules.map((r) => r.to[0]?.operation.notPorts)).toEqual([
      ['3306', '9090'],
      ['3306', '9090'],
      ['3306', '9090'],
    ]);
  });

  it('a CORS preflight passed 1.4 without a token: the DENY policy spares it', () => {
    const text = SERVICES + NS_JWT;
    const result = convertText(text);
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' },
    };
    expectSame(text, result, [
      { ...PP, ...preflight, in14: 'allow' },
      { ...PP, method: 'OPTIONS', in14: 'deny' },
    ]);
  });
});

describe('no unnecessary refusals', () => {
  it('a ServiceRole whose rules target different services: one AuthorizationPolicy per workload selector', () => {
    const text =
      SERVICES +
      ON +
      roleAndBinding(
        `[{ services: [productpage.shop.svc.cluster.local], methods: [GET] }, { services: [ratings.shop.svc.cluster.local], methods: [POST] }, { services: ["*"], paths: [/health] }]`,
        `[{ user: "*" }]`,
      );
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    expect(result.objects.map((o) => o.object.metadata.name).sort()).toEqual([
      'binding-namespace',
      'binding-productpage',
      'binding-ratings',
      'global-deny-by-default',
    ]);
    expectSame(text, result, [
      { ...PP, in14: 'allow' },
      { ...PP, method: 'POST', in14: 'deny' },
      { service: 'ratings', namespace: 'shop', port: 9080, method: 'POST', in14: 'allow' },
      { service: 'reviews', namespace: 'shop', port: 9080, path: '/health', in14: 'allow' },
      { service: 'reviews', namespace: 'shop', port: 9080, path: '/other', in14: 'deny' },
    ]);
  });

  it('a destination.labels constraint with several values: one selector per value', () => {
    const text =
      SERVICES +
      ON +
      roleAndBinding(
        `[{ services: ["*"], constraints: [{ key: "destination.labels[app]", values: [productpage, ratings] }] }]`,
        `[{ user: "*" }]`,
      );
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    expect(
      result.objects
        .filter((o) => o.sources[0]?.kind === 'ServiceRoleBinding')
        .map((o) => (o.object.spec as { selector: unknown }).selector),
    ).toEqual([{ matchLabels: { app: 'productpage' } }, { matchLabels: { app: 'ratings' } }]);
    expectSame(text, result, [
      { ...PP, in14: 'allow' },
      { service: 'reviews', namespace: 'shop', port: 9080, in14: 'deny' },
    ]);
  });

  it('a ClusterRbacConfig inclusion naming an unknown or non-FQDN service: a warning, the rest converts', () => {
    const text =
      SERVICES +
      `
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: { name: default }
spec:
  mode: ON_WITH_EXCLUSION
  exclusion: { services: [ratings.shop, ghost.shop.svc.cluster.local, reviews.shop.svc.cluster.local] }
`;
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    expect(result.warnings.map((w) => w.reason)).toEqual([
      expect.stringMatching(/"ratings\.shop" is not a hostname/),
      expect.stringMatching(/"ghost\.shop\.svc\.cluster\.local" is not a Service in the source/),
    ]);
    expectSame(text, result, [
      { service: 'reviews', namespace: 'shop', port: 9080, in14: 'allow' },
      // ratings.shop is not ratings' hostname: 1.4 kept ratings enforced.
      { service: 'ratings', namespace: 'shop', port: 9080, in14: 'deny' },
    ]);
  });
});

describe('ports 1.4 served as TCP', () => {
  it('an HTTP-only rule (methods) is kept off a port whose name has no known protocol: 1.4 served it as TCP and dropped the rule there, 1.6 sniffs HTTP', () => {
    const text = `
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec: { selector: { app: orders }, ports: [{ name: http, port: 80, targetPort: 8080 }, { name: metrics, port: 9090 }, { name: tcp-db, port: 3306 }] }
${ON}${roleAndBinding(`[{ services: [orders.shop.svc.cluster.local], methods: [GET] }, { services: [orders.shop.svc.cluster.local], ports: [3306] }]`, `[{ user: "*" }]`)}`;
    const result = convertText(text);
    expect(result.problems).toEqual([]);
    expect(rulesOf(result, 'binding')).toEqual([
      { to: [{ operation: { methods: ['GET'], notPorts: ['9090'] } }] },
      { to: [{ operation: { ports: ['3306'] } }] },
    ]);
  });
});

describe('unknown fields and the output', () => {
  const TYPO = SERVICES + ON + roleAndBinding(`[{ services: ["*"], method: [GET] }]`, `[{ user: "*" }]`);

  it('an unknown field (a typo?) is refused naming it, unless --ignore-unknown-fields asks for 1.4 reading', () => {
    const refused = convertText(TYPO);
    expect(refused.problems[0]).toEqual({
      source: { kind: 'ServiceRole', namespace: 'shop', name: 'role' },
      reason: expect.stringMatching(
        /^spec\.rules\[0\]\.method is not a field Istio 1\.4 knew .*--ignore-unknown-fields/,
      ),
    });
    const read14 = convertText(TYPO, { ignoreUnknownFields: true });
    expect(read14.problems).toEqual([]);
    // 1.4 read the rule without `method`: every method, as written now.
    expect(rulesOf(read14, 'binding')).toEqual([{}]);
    expectSame(TYPO, read14, [{ ...PP, method: 'DELETE', in14: 'allow' }]);
  });

  it('no YAML anchors or aliases when two rules share one subject, and YAML 1.1 booleans quoted', () => {
    const text =
      SERVICES +
      ON +
      roleAndBinding(
        `[{ services: ["*"], methods: [GET] }, { services: ["*"], methods: [POST] }]`,
        `[{ user: "${WEB}", properties: { "request.headers[on]": "yes" } }]`,
      );
    const yaml = renderPoliciesYaml(convertText(text).objects);
    expect(yaml).not.toMatch(/[&*][a-z]+\d+/);
    expect(yaml).toContain('- "yes"');
  });
});
