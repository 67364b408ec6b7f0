/** ServiceRole / ServiceRoleBinding / ClusterRbacConfig -> AuthorizationPolicy, one feature per case. */
import { describe, expect, it } from 'vitest';
import { convertText, expectedSet, resultSet } from './convert-cases.ts';

/** Shop Services with distinct workload labels, and one in catalog. */
const SERVICES = `
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec:
  selector: { app: orders, tier: api }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: orders-admin, namespace: shop }
spec:
  selector: { app: orders-admin, tier: api }
  ports: [{ name: http, port: 81, targetPort: 8081 }]
---
apiVersion: v1
kind: Service
metadata: { name: ledger, namespace: shop }
spec:
  selector: { app: ledger }
  ports: [{ name: grpc, port: 9000 }]
---
apiVersion: v1
kind: Service
metadata: { name: search, namespace: catalog }
spec:
  selector: { app: search }
  ports: [{ name: http, port: 80 }]
`;

const rbacConfig = (spec: string) => `
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: { name: default }
spec: ${spec}
`;

const role = (name: string, ns: string, rules: string) => `
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: { name: ${name}, namespace: ${ns} }
spec:
  rules: ${rules}
`;

const binding = (name: string, ns: string, roleName: string, subjects: string) => `
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: { name: ${name}, namespace: ${ns} }
spec:
  roleRef: { kind: ServiceRole, name: ${roleName} }
  subjects: ${subjects}
`;

const ORDERS_READER =
  role(
    'orders-reader',
    'shop',
    `[{ services: [orders.shop.svc.cluster.local], methods: [GET, HEAD], paths: ["/orders*"] }]`,
  ) +
  binding('orders-reader-binding', 'shop', 'orders-reader', `[{ user: cluster.local/ns/web/sa/frontend }]`);

interface Case {
  readonly name: string;
  readonly input: string;
  readonly expected: string;
  readonly allowNoClusterRbacConfig?: boolean;
  readonly rootNamespace?: string;
}

const CASES: readonly Case[] = [
  {
    name: 'mode ON: a mesh-wide deny-by-default in the root namespace, and the binding as an ALLOW policy',
    input: SERVICES + rbacConfig('{ mode: "ON" }') + ORDERS_READER,
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: x, namespace: istio-system }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: y, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/web/sa/frontend] } }]
    to: [{ operation: { methods: [HEAD, GET], paths: ["/orders*"] } }]
`,
  },
  {
    name: 'mode ON with a custom root namespace (from --root-namespace or the mesh config)',
    input: SERVICES + rbacConfig('{ mode: "ON" }'),
    rootNamespace: 'mesh-root',
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: x, namespace: mesh-root }
spec: {}
`,
  },
  {
    name: 'ON_WITH_INCLUSION: deny-by-default per included namespace and per included service',
    input:
      SERVICES +
      rbacConfig(
        '{ mode: ON_WITH_INCLUSION, inclusion: { namespaces: [shop], services: [search.catalog.svc.cluster.local] } }',
      ) +
      ORDERS_READER,
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: shop }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: catalog }
spec: { selector: { matchLabels: { app: search } } }
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: c, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/web/sa/frontend] } }]
    to: [{ operation: { methods: [GET, HEAD], paths: ["/orders*"] } }]
`,
  },
  {
    name: 'ON_WITH_INCLUSION: a binding for a service that is not included was not enforced, so it is not converted',
    input:
      SERVICES +
      rbacConfig('{ mode: ON_WITH_INCLUSION, inclusion: { services: [search.catalog.svc.cluster.local] } }') +
      ORDERS_READER,
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: catalog }
spec: { selector: { matchLabels: { app: search } } }
`,
  },
  {
    name: 'ON_WITH_EXCLUSION: mesh-wide deny-by-default, and allow-all for excluded namespaces and services',
    input:
      SERVICES +
      rbacConfig(
        '{ mode: ON_WITH_EXCLUSION, exclusion: { namespaces: [catalog], services: [ledger.shop.svc.cluster.local] } }',
      ) +
      ORDERS_READER,
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: catalog }
spec: { rules: [{}] }
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: c, namespace: shop }
spec: { selector: { matchLabels: { app: ledger } }, rules: [{}] }
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: d, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/web/sa/frontend] } }]
    to: [{ operation: { methods: [GET, HEAD], paths: ["/orders*"] } }]
`,
  },
  {
    name: 'mode OFF: nothing was enforced, nothing is written',
    input: SERVICES + rbacConfig('{ mode: "OFF" }') + ORDERS_READER,
    expected: '',
  },
  {
    name: 'without a ClusterRbacConfig, with --allow-no-cluster-rbac-config: the bindings only',
    input: SERVICES + ORDERS_READER,
    allowNoClusterRbacConfig: true,
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: c, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/web/sa/frontend] } }]
    to: [{ operation: { methods: [GET, HEAD], paths: ["/orders*"] } }]
`,
  },
  {
    name: 'services "*": the whole namespace, no selector; user "*" matched any request in 1.4, so the rule has no from',
    input:
      SERVICES +
      rbacConfig('{ mode: ON_WITH_INCLUSION, inclusion: { namespaces: [shop] } }') +
      role('viewer', 'shop', `[{ services: ["*"], methods: [GET] }]`) +
      binding('everyone', 'shop', 'viewer', `[{ user: "*" }]`),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: shop }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: shop }
spec:
  rules:
  - to: [{ operation: { methods: [GET] } }]
`,
  },
  {
    name: 'prefix and suffix service patterns match the hostnames; one AuthorizationPolicy per workload selector',
    input:
      SERVICES +
      rbacConfig('{ mode: ON_WITH_INCLUSION, inclusion: { namespaces: [shop] } }') +
      role(
        'orders-all',
        'shop',
        `[{ services: ["orders*"], methods: [GET] }, { services: ["*-admin.shop.svc.cluster.local"], methods: [DELETE] }]`,
      ) +
      binding('ops', 'shop', 'orders-all', `[{ user: cluster.local/ns/ops/sa/oncall }]`),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: shop }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: ops-orders, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/ops/sa/oncall] } }]
    to: [{ operation: { methods: [GET] } }]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: ops-orders-admin, namespace: shop }
spec:
  selector: { matchLabels: { app: orders-admin, tier: api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/ops/sa/oncall] } }]
    to: [{ operation: { methods: [GET] } }]
  - from: [{ source: { principals: [cluster.local/ns/ops/sa/oncall] } }]
    to: [{ operation: { methods: [DELETE] } }]
`,
  },
  {
    name: 'several services in one rule, mapping to different workload labels: one AuthorizationPolicy each',
    input:
      SERVICES +
      rbacConfig('{ mode: "ON" }') +
      role(
        'r',
        'shop',
        `[{ services: [orders.shop.svc.cluster.local, ledger.shop.svc.cluster.local], methods: [GET] }]`,
      ) +
      binding('b', 'shop', 'r', `[{ user: x }]`),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b-orders, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules: [{ from: [{ source: { principals: [x] } }], to: [{ operation: { methods: [GET] } }] }]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b-ledger, namespace: shop }
spec:
  selector: { matchLabels: { app: ledger } }
  rules: [{ from: [{ source: { principals: [x] } }], to: [{ operation: { methods: [GET] } }] }]
`,
  },
  {
    name: 'constraints: destination.port ANDed with ports, request.headers and experimental keys to conditions, destination.labels into the selector',
    input:
      SERVICES +
      rbacConfig('{ mode: "ON" }') +
      role(
        'ledger-writer',
        'shop',
        `
  - services: [ledger.shop.svc.cluster.local]
    methods: [POST]
    ports: [9000, 9001]
    notPaths: [/internal/*]
    constraints:
    - { key: destination.port, values: ["9000", "9002"] }
    - { key: "request.headers[x-tenant]", values: [acme, globex] }
    - { key: "destination.labels[version]", values: [v2] }
    - { key: "experimental.envoy.filters.network.mysql_proxy[ledger.entries]", values: [insert] }`,
      ) +
      binding('writers', 'shop', 'ledger-writer', `[{ user: cluster.local/ns/shop/sa/checkout }]`),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: shop }
spec:
  selector: { matchLabels: { app: ledger, version: v2 } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/shop/sa/checkout] } }]
    to: [{ operation: { methods: [POST], notPaths: [/internal/*], ports: ["9000"] } }]
    when:
    - { key: "request.headers[x-tenant]", values: [globex, acme] }
    - { key: "experimental.envoy.filters.network.mysql_proxy[ledger.entries]", values: [insert] }
`,
  },
  {
    name: 'subjects: group, properties (namespace, ip, principal, claims), one rule per subject, constraints of one subject ANDed',
    input:
      SERVICES +
      rbacConfig('{ mode: "ON" }') +
      role('orders-reader', 'shop', `[{ services: [orders.shop.svc.cluster.local], methods: [GET] }]`) +
      binding(
        'readers',
        'shop',
        'orders-reader',
        `
  - group: finance
    groups: [eu]
  - properties: { source.namespace: web, source.ip: 10.0.0.0/8 }
  - properties: { source.principal: cluster.local/ns/web/sa/api, "request.auth.claims[email]": a@example.com }
  - user: cluster.local/ns/web/sa/batch
    names: ["cluster.local/ns/web/*"]`,
      ),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules:
  - to: [{ operation: { methods: [GET] } }]
    when: [{ key: "request.auth.claims[groups]", values: [finance] }, { key: "request.auth.claims[groups]", values: [eu] }]
  - from: [{ source: { namespaces: [web], ipBlocks: [10.0.0.0/8] } }]
    to: [{ operation: { methods: [GET] } }]
  - from: [{ source: { principals: [cluster.local/ns/web/sa/api] } }]
    to: [{ operation: { methods: [GET] } }]
    when: [{ key: "request.auth.claims[email]", values: [a@example.com] }]
  - from: [{ source: { principals: [cluster.local/ns/web/sa/batch] } }]
    to: [{ operation: { methods: [GET] } }]
    when: [{ key: source.principal, values: ["cluster.local/ns/web/*"] }]
`,
  },
  {
    name: 'several rules and subjects: one v1beta1 rule for each pair, so conditions never mix',
    input:
      SERVICES +
      rbacConfig('{ mode: "ON" }') +
      role(
        'ledger-ops',
        'shop',
        `
  - { services: [ledger.shop.svc.cluster.local], methods: [GET] }
  - services: [ledger.shop.svc.cluster.local]
    methods: [POST]
    constraints: [{ key: "request.headers[x-approved]", values: ["yes"] }]`,
      ) +
      binding('ops', 'shop', 'ledger-ops', `[{ user: cluster.local/ns/a/sa/one }, { group: auditors }]`),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: shop }
spec:
  selector: { matchLabels: { app: ledger } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/a/sa/one] } }]
    to: [{ operation: { methods: [GET] } }]
  - to: [{ operation: { methods: [GET] } }]
    when: [{ key: "request.auth.claims[groups]", values: [auditors] }]
  - from: [{ source: { principals: [cluster.local/ns/a/sa/one] } }]
    to: [{ operation: { methods: [POST] } }]
    when: [{ key: "request.headers[x-approved]", values: ["yes"] }]
  - to: [{ operation: { methods: [POST] } }]
    when:
    - { key: "request.auth.claims[groups]", values: [auditors] }
    - { key: "request.headers[x-approved]", values: ["yes"] }
`,
  },
  {
    name: 'Services fronting the same pods: each rule keeps to the ports of its Service (1.4 applied rules per Service port)',
    input:
      SERVICES +
      `
---
apiVersion: v1
kind: Service
metadata: { name: ledger-admin, namespace: shop }
spec:
  selector: { app: ledger }
  ports: [{ name: http-admin, port: 9100 }]
` +
      rbacConfig('{ mode: "ON" }') +
      role('r', 'shop', `[{ services: [ledger.shop.svc.cluster.local], methods: [GET] }]`) +
      binding('b', 'shop', 'r', `[{ user: x }]`),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: shop }
spec:
  selector: { matchLabels: { app: ledger } }
  rules: [{ from: [{ source: { principals: [x] } }], to: [{ operation: { methods: [GET], ports: ["9000"] } }] }]
`,
  },
  {
    name: 'a ClusterRbacConfig in PERMISSIVE enforcement mode only logged in 1.4: nothing is written',
    input: SERVICES + rbacConfig('{ mode: "ON", enforcement_mode: PERMISSIVE }') + ORDERS_READER,
    expected: '',
  },
  {
    name: 'ON_WITH_INCLUSION of one service: a role matching more services is converted for the included one only',
    input:
      SERVICES +
      rbacConfig('{ mode: ON_WITH_INCLUSION, inclusion: { services: [orders.shop.svc.cluster.local] } }') +
      role('r', 'shop', `[{ services: ["orders*"] }]`) +
      binding('b', 'shop', 'r', `[{ user: x }]`),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: shop }
spec: { selector: { matchLabels: { app: orders, tier: api } } }
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: shop }
spec:
  selector: { matchLabels: { app: orders, tier: api } }
  rules: [{ from: [{ source: { principals: [x] } }] }]
`,
  },
];

describe('RBAC conversion (istioctl x authz convert semantics)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const result = convertText(c.input, {
        allowNoClusterRbacConfig: c.allowNoClusterRbacConfig,
        rootNamespace: c.rootNamespace,
      });
      expect(result.problems).toEqual([]);
      expect(resultSet(result)).toEqual(expectedSet(c.expected));
    });
  }
});

interface Refusal {
  readonly name: string;
  readonly input: string;
  /** The object named on stderr and its reason. */
  readonly refused: { kind: string; name: string; reason: RegExp };
  /** Objects still written for the other, convertible inputs. */
  readonly expected?: string;
}

const REFUSALS: readonly Refusal[] = [
  {
    name: 'ServiceRoles without a ClusterRbacConfig (1.4 did not enforce them)',
    input: SERVICES + ORDERS_READER,
    refused: {
      kind: 'ServiceRoleBinding',
      name: 'orders-reader-binding',
      reason: /no ClusterRbacConfig.*--allow-no-cluster-rbac-config/,
    },
  },
  {
    name: 'a destination.user constraint',
    input:
      SERVICES +
      rbacConfig('{ mode: "ON" }') +
      role(
        'r',
        'shop',
        `[{ services: [ledger], constraints: [{ key: destination.user, values: [ledger-sa] }] }]`,
      ) +
      binding('b', 'shop', 'r', `[{ user: x }]`),
    refused: { kind: 'ServiceRoleBinding', name: 'b', reason: /destination\.user/ },
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
`,
  },
  {
    name: 'a destination.ip constraint',
    input:
      SERVICES +
      rbacConfig('{ mode: "ON" }') +
      role(
        'r',
        'shop',
        `[{ services: [ledger], constraints: [{ key: destination.ip, values: [10.1.2.3] }] }]`,
      ) +
      binding('b', 'shop', 'r', `[{ user: x }]`),
    refused: { kind: 'ServiceRoleBinding', name: 'b', reason: /destination\.ip/ },
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
`,
  },

  {
    name: 'a binding whose ServiceRole is missing',
    input: SERVICES + rbacConfig('{ mode: "ON" }') + binding('b', 'shop', 'ghost', `[{ user: x }]`),
    refused: {
      kind: 'ServiceRoleBinding',
      name: 'b',
      reason: /ServiceRole "ghost" is not in namespace shop/,
    },
    expected: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: istio-system }
spec: {}
`,
  },
];

describe('RBAC conversion refuses what has no faithful v1beta1 equivalent', () => {
  for (const c of REFUSALS) {
    it(c.name, () => {
      const result = convertText(c.input);
      expect(result.problems).toContainEqual({
        source: expect.objectContaining({ kind: c.refused.kind, name: c.refused.name }),
        reason: expect.stringMatching(c.refused.reason),
      });
      expect(resultSet(result)).toEqual(expectedSet(c.expected ?? ''));
    });
  }
});
