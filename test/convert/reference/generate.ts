/**
 * fast-check arbitraries for the differential test: one small mesh (fixed Services and workloads,
 * a bookinfo-like shop, a bank, the ingress gateway) with generated v1alpha1 objects, and
 * generated requests to it. The vocabularies are small on purpose, so that generated policies and
 * requests meet: the values a rule names are the values requests carry.
 */
import fc from 'fast-check';
import type { KubeDoc, Request, ServiceDef, Token, WorkloadDef, World } from './world.ts';

export const ROOT = 'istio-system';

export const SERVICES: readonly ServiceDef[] = [
  {
    name: 'productpage',
    namespace: 'shop',
    selector: { app: 'productpage' },
    ports: [{ name: 'http', port: 9080, targetPort: 9080 }],
  },
  {
    name: 'reviews',
    namespace: 'shop',
    selector: { app: 'reviews' },
    ports: [
      { name: 'http', port: 9080, targetPort: 9080 },
      { name: 'http-admin', port: 9090, targetPort: 8090 },
    ],
  },
  {
    name: 'ratings',
    namespace: 'shop',
    selector: { app: 'ratings' },
    ports: [{ name: 'http', port: 8080, targetPort: 9080 }],
  },
  // Two Services fronting the same pods on different ports (1.4 applied policy per Service port).
  {
    name: 'details',
    namespace: 'shop',
    selector: { app: 'details' },
    ports: [{ name: 'http', port: 9080, targetPort: 9080 }],
  },
  {
    name: 'details-metrics',
    namespace: 'shop',
    selector: { app: 'details' },
    ports: [{ name: 'http-metrics', port: 15090, targetPort: 15090 }],
  },
  {
    name: 'wallet',
    namespace: 'bank',
    selector: { app: 'wallet' },
    ports: [{ name: 'http-api', port: 8000, targetPort: 80 }],
  },
  {
    name: 'istio-ingressgateway',
    namespace: ROOT,
    selector: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    ports: [{ name: 'http2', port: 80, targetPort: 80 }],
  },
];

export const WORKLOADS: readonly WorkloadDef[] = [
  {
    name: 'productpage-v1',
    namespace: 'shop',
    labels: { app: 'productpage', version: 'v1' },
    serviceAccount: 'bookinfo-productpage',
  },
  {
    name: 'reviews-v1',
    namespace: 'shop',
    labels: { app: 'reviews', version: 'v1' },
    serviceAccount: 'bookinfo-reviews',
  },
  {
    name: 'reviews-v2',
    namespace: 'shop',
    labels: { app: 'reviews', version: 'v2' },
    serviceAccount: 'bookinfo-reviews',
  },
  {
    name: 'ratings-v1',
    namespace: 'shop',
    labels: { app: 'ratings', version: 'v1' },
    serviceAccount: 'bookinfo-ratings',
  },
  { name: 'wallet', namespace: 'bank', labels: { app: 'wallet' }, serviceAccount: 'wallet' },
  {
    name: 'istio-ingressgateway',
    namespace: ROOT,
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    serviceAccount: 'istio-ingressgateway-service-account',
    gateway: true,
  },
];

const PRINCIPALS = [
  'cluster.local/ns/shop/sa/web',
  'cluster.local/ns/bank/sa/teller',
  'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
];
const ISSUERS = ['https://a.example', 'https://b.example'];

/** A key spelled as the proto (snake_case) or as its JSON name, both of which 1.4 read. */
function spelled(camel: string): fc.Arbitrary<string> {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake === camel ? fc.constant(camel) : fc.constantFrom(camel, snake);
}

/** A value in one case out of `oneIn`, else undefined (fc.option cannot go below one in two). */
function sometimes<T>(value: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: oneIn - 1 }, { arbitrary: value, weight: 1 });
}

/** Optional fields of an object, each present one time in `oneIn` (3 unless given); absent fields are left out. */
function fields(
  entries: readonly [string, fc.Arbitrary<unknown>, number?][],
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(...entries.map(([name, value, oneIn]) => sometimes(fc.tuple(spelled(name), value), oneIn ?? 3)))
    .map((pairs) => Object.fromEntries(pairs.filter((p): p is [string, unknown] => p !== undefined)));
}

/** One field of an object, spelled either way. */
function oneField(
  entries: readonly (readonly [string, fc.Arbitrary<unknown>, ...unknown[]])[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    ...entries.map(([name, value]) => fc.tuple(spelled(name), value).map(([key, v]) => ({ [key]: v }))),
  );
}

const someOf = <T>(values: readonly T[]) =>
  fc.subarray([...values], { minLength: 1, maxLength: Math.min(2, values.length) });

/** Now and then a value of the wrong type, which made 1.4 skip the whole object. */
function orWrongType<T>(value: fc.Arbitrary<T>, wrong: unknown): fc.Arbitrary<T | unknown> {
  return fc.oneof({ arbitrary: value, weight: 12 }, { arbitrary: fc.constant(wrong), weight: 1 });
}

const SERVICE_PATTERNS = [
  '*',
  'productpage.shop.svc.cluster.local',
  'productpage',
  'ratings.shop',
  'reviews.shop.svc.cluster.local',
  'ratings.shop.svc.cluster.local',
  'reviews*',
  '*.shop.svc.cluster.local',
  'wallet.bank.svc.cluster.local',
  'istio-ingressgateway.istio-system.svc.cluster.local',
  'ghost.shop.svc.cluster.local',
  'details.shop.svc.cluster.local',
  'details*',
];

const CONSTRAINTS: readonly { key: string; values: string[] }[] = [
  { key: 'destination.port', values: ['9080'] },
  { key: 'destination.port', values: ['8090', '80'] },
  { key: 'destination.labels[version]', values: ['v1'] },
  { key: 'destination.labels[version]', values: ['v1', 'v2'] },
  { key: 'destination.labels[version]', values: ['v*'] },
  { key: 'request.headers[x-tenant]', values: ['acme'] },
  { key: 'request.headers[x-tenant]', values: ['glob*'] },
  { key: 'destination.namespace', values: ['shop'] },
  { key: 'destination.name', values: ['reviews'] },
];

const RULE_FIELDS: readonly [string, fc.Arbitrary<unknown>, number][] = [
  ['methods', orWrongType(someOf(['GET', 'POST', '*']), 'GET'), 3],
  ['notMethods', someOf(['DELETE']), 6],
  ['paths', someOf(['/api', '/api/*', '*.json', '/health', '*']), 3],
  ['notPaths', someOf(['/api/admin*', '/health', '*.json']), 6],
  ['ports', someOf([9080, '8090', 80]), 4],
  ['notPorts', someOf([8090]), 6],
  ['hosts', someOf(['productpage*', '*.example.com']), 6],
  ['constraints', fc.subarray([...CONSTRAINTS], { minLength: 1, maxLength: 2 }), 3],
];

/** The services a rule names, with nothing else, one more field, or several. */
const accessRule = fc
  .tuple(
    someOf(SERVICE_PATTERNS),
    fc.oneof(fc.constant({}), oneField(RULE_FIELDS), fields(RULE_FIELDS)),
    sometimes(fc.constantFrom({ method: ['GET'] }, { path: ['/x'] }), 20),
  )
  .map(([services, rest, typo]) => ({ services, ...rest, ...(typo ?? {}) }));

const PROPERTIES: readonly Record<string, string>[] = [
  { 'source.principal': '*' },
  { 'source.principal': 'cluster.local/ns/shop/sa/web' },
  { 'request.auth.principal': 'https://a.example/alice' },
  { 'request.auth.principal': 'cluster.local/ns/shop/sa/web' },
  { 'request.auth.principal': '*' },
  { 'source.namespace': 'bank' },
  { 'request.auth.claims[groups]': 'admins' },
  { 'request.headers[x-tenant]': 'acme' },
  { 'source.ip': '10.0.0.0/8' },
];

const SUBJECT_FIELDS: readonly [string, fc.Arbitrary<unknown>, number][] = [
  [
    'user',
    orWrongType(fc.constantFrom('*', '*', 'allUsers', 'allAuthenticatedUsers', ...PRINCIPALS), ['*']),
    2,
  ],
  [
    'names',
    someOf(['cluster.local/ns/shop/sa/web', 'cluster.local/ns/bank/*', 'allAuthenticatedUsers', '*']),
    4,
  ],
  ['notNames', someOf(['cluster.local/ns/bank/sa/teller']), 8],
  ['group', fc.constantFrom('admins', 'dev'), 8],
  ['groups', someOf(['admins', 'dev']), 5],
  ['namespaces', someOf(['shop', 'bank']), 5],
  ['notNamespaces', someOf(['bank']), 8],
  ['ips', someOf(['10.0.0.0/8', '192.168.1.1']), 6],
  ['properties', fc.constantFrom(...PROPERTIES), 4],
];

/** Half the time one constraint (which then decides requests often), else several ANDed. */
const subject = fc.oneof(oneField(SUBJECT_FIELDS), fields(SUBJECT_FIELDS));

const jwt = fc
  .tuple(
    fc.constantFrom(...ISSUERS),
    fields([
      ['jwksUri', fc.constant('https://keys.example/jwks.json')],
      ['jwtHeaders', fc.constant(['x-jwt'])],
      ['audiences', fc.constant(['shop'])],
      [
        'triggerRules',
        fc.constantFrom(
          [{ excludedPaths: [{ exact: '/health' }] }],
          [{ included_paths: [{ prefix: '/api' }], excluded_paths: [{ suffix: '.json' }] }],
        ),
        5,
      ],
    ]),
  )
  .map(([issuer, rest]) => ({ issuer, ...rest }));

function authnSpec(originsWeight: number) {
  return fields([
    [
      'peers',
      fc.constantFrom([{ mtls: { mode: 'STRICT' } }], [{ mtls: { mode: 'PERMISSIVE' } }], [{ mtls: {} }]),
      2,
    ],
    [
      'origins',
      fc.array(
        jwt.map((j) => ({ jwt: j })),
        { minLength: 1, maxLength: 2 },
      ),
      originsWeight,
    ],
    ['principalBinding', fc.constantFrom('USE_ORIGIN', 'USE_PEER', 'USE_PEER')],
    ['originIsOptional', fc.constant(true), 5],
  ]);
}

const TARGETS = [
  [{ name: 'productpage' }],
  [{ name: 'reviews', ports: [{ number: 9080 }] }],
  [{ name: 'reviews', ports: [{ name: 'http-admin' }] }],
  [{ name: 'ratings' }, { name: 'reviews' }],
  [{ name: 'ratings.shop.svc.cluster.local', labels: { version: 'v1' } }],
  [{ name: 'details' }],
  [{ name: 'details-metrics', ports: [{ number: 15090 }] }],
];

function doc(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  spec: unknown,
): KubeDoc {
  return { apiVersion, kind, metadata: namespace === undefined ? { name } : { name, namespace }, spec };
}

export const rbacConfigArbitrary = fc
  .tuple(
    fc.constantFrom('OFF', 'ON', 'ON', 'ON_WITH_INCLUSION', 'ON_WITH_EXCLUSION'),
    fields([
      ['namespaces', someOf(['shop', 'bank', ROOT])],
      [
        'services',
        someOf([
          'productpage.shop.svc.cluster.local',
          'ratings.shop',
          'reviews',
          'wallet.bank.svc.cluster.local',
          'ghost.shop.svc.cluster.local',
        ]),
      ],
    ]),
    sometimes(spelled('enforcementMode'), 12),
  )
  .map(([mode, target, permissive]) =>
    doc('rbac.istio.io/v1alpha1', 'ClusterRbacConfig', 'default', undefined, {
      mode,
      ...(mode === 'ON_WITH_INCLUSION'
        ? { inclusion: target }
        : mode === 'ON_WITH_EXCLUSION'
          ? { exclusion: target }
          : {}),
      ...(permissive ? { [permissive]: 'PERMISSIVE' } : {}),
    }),
  );

const RBAC_NAMESPACES = ['shop', 'shop', 'bank', ROOT];

export const roleAndBindingArbitrary = fc
  .tuple(
    fc.constantFrom(...RBAC_NAMESPACES),
    fc.array(accessRule, { minLength: 1, maxLength: 2 }),
    fc.array(subject, { minLength: 1, maxLength: 2 }),
    sometimes(fc.constant('PERMISSIVE'), 15),
    sometimes(fc.array(subject, { minLength: 1, maxLength: 2 }), 5),
  )
  .map(([namespace, rules, subjects, mode, more]) => [
    doc('rbac.istio.io/v1alpha1', 'ServiceRole', 'role', namespace, { rules }),
    doc('rbac.istio.io/v1alpha1', 'ServiceRoleBinding', 'binding', namespace, {
      subjects,
      ...(mode ? { mode } : {}),
    }),
    // Several bindings of one role: their subjects add up (1.4 ORed the principals).
    ...(more
      ? [doc('rbac.istio.io/v1alpha1', 'ServiceRoleBinding', 'binding-more', namespace, { subjects: more })]
      : []),
  ]);

export const authnPoliciesArbitrary = fc
  .tuple(
    // Mesh-wide JWT is rare in practice, and a mesh-wide Policy decides most requests.
    sometimes(authnSpec(12), 2),
    sometimes(authnSpec(4), 3),
    sometimes(authnSpec(4), 3),
    sometimes(fc.tuple(fc.constantFrom(...TARGETS), authnSpec(3)), 3),
    sometimes(fc.tuple(fc.constantFrom(...TARGETS), authnSpec(3)), 8),
    // JWT at the ingress gateway, a common 1.4 set-up.
    sometimes(authnSpec(2), 5),
  )
  .map(([mesh, shop, bank, workload, workload2, gateway]) => [
    ...(mesh ? [doc('authentication.istio.io/v1alpha1', 'MeshPolicy', 'default', undefined, mesh)] : []),
    ...(shop ? [doc('authentication.istio.io/v1alpha1', 'Policy', 'default', 'shop', shop)] : []),
    ...(bank ? [doc('authentication.istio.io/v1alpha1', 'Policy', 'default', 'bank', bank)] : []),
    ...(workload
      ? [
          doc('authentication.istio.io/v1alpha1', 'Policy', 'targeted', 'shop', {
            targets: workload[0],
            ...workload[1],
          }),
        ]
      : []),
    ...(workload2
      ? [
          doc('authentication.istio.io/v1alpha1', 'Policy', 'targeted-2', 'shop', {
            targets: workload2[0],
            ...workload2[1],
          }),
        ]
      : []),
    ...(gateway
      ? [
          doc('authentication.istio.io/v1alpha1', 'Policy', 'ingress-jwt', ROOT, {
            targets: [{ name: 'istio-ingressgateway' }],
            ...gateway,
          }),
        ]
      : []),
  ]);

/** A world from a ClusterRbacConfig (or none), role/binding pairs and authentication policies. */
export function makeWorld(
  config: KubeDoc | null | undefined,
  pairs: readonly (readonly KubeDoc[])[],
  authn: readonly KubeDoc[],
): World {
  // Names must be unique per namespace: number the generated roles and bindings.
  const rbac = pairs.flatMap((pair, i) =>
    pair.map((d) => ({
      ...d,
      metadata: { ...d.metadata, name: `${d.metadata.name}-${i}` },
      spec:
        d.kind === 'ServiceRoleBinding'
          ? { ...(d.spec as object), roleRef: { kind: 'ServiceRole', name: `role-${i}` } }
          : d.spec,
    })),
  );
  return {
    rootNamespace: ROOT,
    services: SERVICES,
    workloads: WORKLOADS,
    policies: [...(config ? [config] : []), ...rbac, ...authn],
  };
}

export const worldArbitrary: fc.Arbitrary<World> = fc
  .tuple(
    fc.option(rbacConfigArbitrary, { freq: 10 }),
    fc.array(roleAndBindingArbitrary, { maxLength: 3 }),
    authnPoliciesArbitrary,
  )
  .map(([config, pairs, authn]) => makeWorld(config, pairs, authn));

const token: fc.Arbitrary<Token> = fc.record({
  issuer: fc.constantFrom(...ISSUERS, 'https://c.example'),
  subject: fc.constantFrom('alice', 'bob'),
  audiences: fc.constantFrom<string[]>([], ['shop'], ['other']),
  claims: fc.constantFrom<Record<string, string | string[]>>(
    {},
    { groups: ['admins'] },
    { groups: ['dev', 'ops'] },
    { groups: 'admins dev' },
  ),
  location: fc.constantFrom<Token['location']>('bearer', 'x-jwt', 'access_token'),
  valid: fc.constant(true),
});

/** A request to one of the mesh's services; callers of the gateway are never mTLS peers. */
export const requestArbitrary: fc.Arbitrary<Request> = fc
  .record({
    target: fc.constantFrom(
      ...SERVICES.flatMap((service) =>
        service.ports.flatMap((port) =>
          WORKLOADS.filter(
            (w) =>
              w.namespace === service.namespace &&
              Object.entries(service.selector).every(([k, v]) => w.labels[k] === v),
          ).map((w) => ({ service, port: port.port, workload: w })),
        ),
      ),
    ),
    peer: fc.option(fc.constantFrom(...PRINCIPALS), { freq: 2 }),
    sourceIp: fc.constantFrom('10.1.2.3', '192.168.1.1', '172.16.0.5'),
    method: fc.constantFrom('GET', 'GET', 'POST', 'DELETE', 'OPTIONS'),
    path: fc.constantFrom(
      '/api',
      '/api/items',
      '/api?page=2',
      '/api/admin/users',
      '/health',
      '/data.json',
      '/data.json?v=2',
      '/',
    ),
    host: fc.constantFrom('productpage.shop.svc.cluster.local', 'reviews:9080', 'shop.example.com'),
    tenant: fc.option(fc.constantFrom('acme', 'globex'), { freq: 2 }),
    cors: fc.boolean(),
    token: fc.option(
      fc.tuple(token, fc.integer({ min: 0, max: 9 })).map(([t, n]) => ({ ...t, valid: n > 0 })),
      { freq: 2 },
    ),
  })
  .map(({ target, peer, sourceIp, method, path, host, tenant, cors, token: t }) => {
    const preflight = method === 'OPTIONS' && cors;
    return {
      service: target.service.name,
      namespace: target.service.namespace,
      port: target.port,
      workload: target.workload.name,
      peer: target.workload.gateway ? undefined : (peer ?? undefined),
      sourceIp,
      method,
      path,
      host,
      headers: {
        ...(tenant ? { 'x-tenant': tenant } : {}),
        ...(preflight ? { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' } : {}),
      },
      // A CORS preflight carries no credentials.
      token: preflight ? undefined : (t ?? undefined),
    };
  });

/** The Kubernetes documents `meshready convert` reads for a world: its Services and v1alpha1 objects. */
export function worldDocuments(world: World): unknown[] {
  return [
    ...world.services.map((s) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace },
      spec: {
        selector: s.selector,
        ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
      },
    })),
    ...world.policies,
  ];
}
