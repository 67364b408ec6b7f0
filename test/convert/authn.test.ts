/** Policy / MeshPolicy -> PeerAuthentication, RequestAuthentication, AuthorizationPolicy, one feature per case. */
import { describe, expect, it } from 'vitest';
import { convertText, expectedSet, resultSet } from './convert-cases.ts';

const SERVICES = `
apiVersion: v1
kind: Service
metadata: { name: wallet, namespace: bank }
spec:
  selector: { app: wallet, track: stable }
  ports:
  - { name: http, port: 8000, targetPort: 80 }
  - { name: http-admin, port: 8001, targetPort: 81 }
  - { name: tcp-raw, port: 8002 }
  - { name: http-named, port: 8003, targetPort: web }
---
apiVersion: v1
kind: Service
metadata: { name: teller, namespace: bank }
spec:
  selector: { app: teller }
  ports: [{ name: grpc, port: 9000, targetPort: 90 }]
`;

const policy = (kind: 'Policy' | 'MeshPolicy', name: string, ns: string | undefined, spec: string) => `
---
apiVersion: authentication.istio.io/v1alpha1
kind: ${kind}
metadata: { name: ${name}${ns ? `, namespace: ${ns}` : ''} }
spec: ${spec}
`;

const JWT = `{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys" }`;

interface Case {
  readonly name: string;
  readonly input: string;
  readonly expected: string;
}

const CASES: readonly Case[] = [
  {
    name: 'MeshPolicy STRICT: a mesh-wide PeerAuthentication in the root namespace',
    input: policy('MeshPolicy', 'default', undefined, '{ peers: [{ mtls: { mode: STRICT } }] }'),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
`,
  },
  {
    name: "the add-on's MeshPolicy PERMISSIVE",
    input: policy('MeshPolicy', 'default', undefined, '{ peers: [{ mtls: { mode: PERMISSIVE } }] }'),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: PERMISSIVE } }
`,
  },
  {
    name: 'namespace Policy with `mtls: {}` means STRICT',
    input: policy('Policy', 'default', 'bank', '{ peers: [{ mtls: {} }] }'),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default, namespace: bank }
spec: { mtls: { mode: STRICT } }
`,
  },
  {
    name: 'a Policy without a namespace is the default namespace one (where kubectl applies it)',
    input: policy('Policy', 'default', undefined, '{ peers: [{ mtls: { mode: STRICT } }] }'),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default, namespace: default }
spec: { mtls: { mode: STRICT } }
`,
  },
  {
    name: 'no peers: PERMISSIVE (DISABLE would fight auto mTLS)',
    input: SERVICES + policy('Policy', 'default', 'bank', '{ targets: [{ name: teller }] }'),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default-teller, namespace: bank }
spec: { selector: { matchLabels: { app: teller } }, mtls: { mode: PERMISSIVE } }
`,
  },
  {
    name: 'workload level: one PeerAuthentication per target, selecting the Service workloads',
    input:
      SERVICES +
      policy(
        'Policy',
        'both',
        'bank',
        '{ targets: [{ name: wallet }, { name: teller }], peers: [{ mtls: { mode: STRICT } }] }',
      ),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: both-wallet, namespace: bank }
spec: { selector: { matchLabels: { app: wallet, track: stable } }, mtls: { mode: STRICT } }
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: both-teller, namespace: bank }
spec: { selector: { matchLabels: { app: teller } }, mtls: { mode: STRICT } }
`,
  },
  {
    name: 'port level: Service ports (by number or name) become portLevelMtls on the target ports',
    input:
      SERVICES +
      policy(
        'Policy',
        'ports',
        'bank',
        '{ targets: [{ name: wallet, ports: [{ number: 8000 }, { name: http-admin }, { number: 8002 }] }, { name: teller, ports: [{ name: grpc }] }], peers: [{ mtls: { mode: STRICT } }] }',
      ),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: ports-wallet, namespace: bank }
spec:
  selector: { matchLabels: { app: wallet, track: stable } }
  portLevelMtls: { "80": { mode: STRICT }, "81": { mode: STRICT }, "8002": { mode: STRICT } }
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: ports-teller, namespace: bank }
spec:
  selector: { matchLabels: { app: teller } }
  portLevelMtls: { "90": { mode: STRICT } }
`,
  },
  {
    name: 'origins: RequestAuthentication with every issuer, and a DENY policy for requests without a principal (CORS preflights excepted, as 1.4 did)',
    input: policy(
      'Policy',
      'jwt',
      'bank',
      `{ origins: [{ jwt: ${JWT} }, { jwt: { issuer: other, jwks: "{}", audiences: [bank-api], jwtHeaders: [x-token], jwtParams: [token] } }], principalBinding: USE_ORIGIN }`,
    ),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: jwt, namespace: bank }
spec: { mtls: { mode: PERMISSIVE } }
---
apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata: { name: jwt, namespace: bank }
spec:
  jwtRules:
  - { issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys", forwardOriginalToken: true }
  - { issuer: other, jwks: "{}", audiences: [bank-api], fromHeaders: [{ name: x-token }], fromParams: [token], forwardOriginalToken: true }
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: jwt, namespace: bank }
spec:
  action: DENY
  rules:
  - { from: [{ source: { notRequestPrincipals: ["*"] } }], to: [{ operation: { notMethods: [OPTIONS] } }] }
  - { from: [{ source: { notRequestPrincipals: ["*"] } }], when: [{ key: "request.headers[origin]", notValues: ["*"] }] }
  - { from: [{ source: { notRequestPrincipals: ["*"] } }], when: [{ key: "request.headers[access-control-request-method]", notValues: ["*"] }] }
`,
  },
  {
    name: 'originIsOptional: the token is validated when present, no policy requires it',
    input: policy(
      'Policy',
      'opt',
      'bank',
      `{ origins: [{ jwt: ${JWT} }], originIsOptional: true, principalBinding: USE_ORIGIN }`,
    ),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: opt, namespace: bank }
spec: { mtls: { mode: PERMISSIVE } }
---
apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata: { name: opt, namespace: bank }
spec: { jwtRules: [{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys", forwardOriginalToken: true }] }
`,
  },
  {
    name: 'trigger rules: one DENY rule each (times the CORS preflight exception), included paths as paths, excluded as notPaths, the target port of a port-level Policy, never the TCP ports (1.4 checked JWTs on HTTP only)',
    input:
      SERVICES +
      policy(
        'Policy',
        'trig',
        'bank',
        `
  targets: [{ name: wallet, ports: [{ number: 8000 }] }]
  peers: [{ mtls: { mode: STRICT } }]
  principalBinding: USE_ORIGIN
  origins:
  - jwt:
      issuer: "https://id.example.com"
      jwksUri: "https://id.example.com/keys"
      triggerRules:
      - includedPaths: [{ prefix: /api/ }, { exact: /pay }]
        excludedPaths: [{ suffix: .png }]
      - excludedPaths: [{ exact: /healthz }]`,
      ) +
      policy(
        'Policy',
        'default',
        'bank',
        `
  peers: [{ mtls: { mode: PERMISSIVE } }]
  origins:
  - jwt:
      issuer: "https://id.example.com"
      jwksUri: "https://id.example.com/keys"
      triggerRules:
      - includedPaths: [{ prefix: /api/ }, { exact: /pay }]
        excludedPaths: [{ suffix: .png }]
      - excludedPaths: [{ exact: /healthz }]`,
      ),
    expected: `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: trig-wallet, namespace: bank }
spec:
  selector: { matchLabels: { app: wallet, track: stable } }
  portLevelMtls: { "80": { mode: STRICT } }
---
apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata: { name: trig-wallet, namespace: bank }
spec:
  selector: { matchLabels: { app: wallet, track: stable } }
  jwtRules: [{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys", forwardOriginalToken: true }]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: trig-wallet, namespace: bank }
spec:
  selector: { matchLabels: { app: wallet, track: stable } }
  action: DENY
  rules:
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { paths: [/api/*, /pay], notPaths: ["*.png"], ports: ["80"], notMethods: [OPTIONS] } }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { paths: [/api/*, /pay], notPaths: ["*.png"], ports: ["80"] } }]
    when: [{ key: "request.headers[origin]", notValues: ["*"] }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { paths: [/api/*, /pay], notPaths: ["*.png"], ports: ["80"] } }]
    when: [{ key: "request.headers[access-control-request-method]", notValues: ["*"] }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { notPaths: [/healthz], ports: ["80"], notMethods: [OPTIONS] } }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { notPaths: [/healthz], ports: ["80"] } }]
    when: [{ key: "request.headers[origin]", notValues: ["*"] }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { notPaths: [/healthz], ports: ["80"] } }]
    when: [{ key: "request.headers[access-control-request-method]", notValues: ["*"] }]
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default, namespace: bank }
spec: { mtls: { mode: PERMISSIVE } }
---
apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata: { name: default, namespace: bank }
spec:
  jwtRules: [{ issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys", forwardOriginalToken: true }]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: default, namespace: bank }
spec:
  action: DENY
  rules:
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { paths: [/api/*, /pay], notPaths: ["*.png"], notPorts: ["8002"], notMethods: [OPTIONS] } }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { paths: [/api/*, /pay], notPaths: ["*.png"], notPorts: ["8002"] } }]
    when: [{ key: "request.headers[origin]", notValues: ["*"] }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { paths: [/api/*, /pay], notPaths: ["*.png"], notPorts: ["8002"] } }]
    when: [{ key: "request.headers[access-control-request-method]", notValues: ["*"] }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { notPaths: [/healthz], notPorts: ["8002"], notMethods: [OPTIONS] } }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { notPaths: [/healthz], notPorts: ["8002"] } }]
    when: [{ key: "request.headers[origin]", notValues: ["*"] }]
  - from: [{ source: { notRequestPrincipals: ["*"] } }]
    to: [{ operation: { notPaths: [/healthz], notPorts: ["8002"] } }]
    when: [{ key: "request.headers[access-control-request-method]", notValues: ["*"] }]
`,
  },
];

describe('authentication policy conversion (security-policy-migrate semantics)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const result = convertText(c.input);
      expect(result.problems).toEqual([]);
      expect(resultSet(result)).toEqual(expectedSet(c.expected));
    });
  }
});

const REFUSALS: readonly { name: string; input: string; reason: RegExp }[] = [
  {
    name: 'a trigger rule path regex',
    input: policy(
      'Policy',
      'p',
      'bank',
      `{ origins: [{ jwt: { issuer: i, jwksUri: u, triggerRules: [{ includedPaths: [{ regex: "/v[0-9]+/.*" }] }] } }] }`,
    ),
    reason: /regex/,
  },
  {
    name: 'trigger rules with several issuers',
    input: policy(
      'Policy',
      'p',
      'bank',
      `{ origins: [{ jwt: { issuer: a, jwksUri: u, triggerRules: [{ excludedPaths: [{ exact: /x }] }] } }, { jwt: { issuer: b, jwksUri: u } }] }`,
    ),
    reason: /several JWT issuers/,
  },
  {
    name: 'a JWT peer method',
    input: policy('Policy', 'p', 'bank', `{ peers: [{ jwt: { issuer: a, jwksUri: u } }] }`),
    reason: /JWT peer method/,
  },

  {
    name: 'a named targetPort (needs the pods to resolve)',
    input:
      SERVICES + policy('Policy', 'p', 'bank', '{ targets: [{ name: wallet, ports: [{ number: 8003 }] }] }'),
    reason: /named targetPort "web"/,
  },
];

describe('authentication policy conversion refuses what it cannot express', () => {
  for (const c of REFUSALS) {
    it(c.name, () => {
      const result = convertText(c.input);
      expect(result.problems).toEqual([
        {
          source: expect.objectContaining({ kind: 'Policy', namespace: 'bank', name: 'p' }),
          reason: expect.stringMatching(c.reason),
        },
      ]);
      // Nothing at all is written for a refused object.
      expect(result.objects).toEqual([]);
    });
  }
});
