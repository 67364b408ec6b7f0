/**
 * The upstream converters' golden tables, checked by meaning rather than by text: for requests
 * sampled from the vocabulary of each case, what Istio 1.4 decided on the input (reference
 * evaluator) is compared with what 1.6 decides on meshready's output and on the golden output.
 * meshready must agree with 1.4 wherever it converted; the golden must too, unless the case names
 * the difference documented in docs/convert.md.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { renderPoliciesYaml } from '../../src/convert/yaml.ts';
import { convertText, documents } from './convert-cases.ts';
import { decide14, governing14 } from './reference/istio14.ts';
import { decide16 } from './reference/istio16.ts';
import type { KubeDoc, Request, ServiceDef, Token, WorkloadDef, World } from './reference/world.ts';

export interface GoldenCase {
  readonly name: string;
  /** v1alpha1 objects and the Services the upstream test gave its converter. */
  readonly input: string;
  /** The upstream expected output; absent when the upstream converter refuses. */
  readonly golden?: string;
  readonly goldenRefuses?: string;
  readonly rootNamespace?: string;
  readonly allowNoClusterRbacConfig?: boolean;
  /** What meshready refuses (kind/name and reason), when it does. */
  readonly refuses?: readonly { kind: string; name: string; reason: RegExp }[];
  /** Why the golden does not decide as 1.4 did: a heading of docs/convert.md's list of differences. */
  readonly differs?: string;
  /** Workload label sets per Service name (default: the selector), for label constraints. */
  readonly workloads?: Readonly<Record<string, readonly Record<string, string>[]>>;
  /**
   * The add-on's PERMISSIVE MeshPolicy added to the input, so that callers have mTLS identities
   * (the RBAC goldens assume them; the golden outputs need no PeerAuthentication for it).
   */
  readonly meshPolicy?: boolean;
  /** --allow-no-cluster-rbac-config adds enforcement 1.4 did not have: compare with the golden instead. */
  readonly addsEnforcement?: boolean;
}

const ADDON_MESH_POLICY = `
---
apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata: { name: default }
spec: { peers: [{ mtls: { mode: PERMISSIVE } }] }
`;

type Raw = Record<string, unknown>;

function walk(value: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v);
      walk(v, visit);
    }
  }
}

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Requests built from the values a case names, so that its rules meet requests. */
function probeArbitrary(world: World, docs: readonly KubeDoc[]): fc.Arbitrary<Request> {
  const peers = new Set<string>(['cluster.local/ns/default/sa/sleep']);
  const methods = new Set(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']);
  const paths = new Set(['/', '/a?x=1']);
  const headers = new Map<string, Set<string>>([['user-agent', new Set(['curl'])]]);
  const issuers = new Set<string>();
  const subjects = new Set<string>(['alice']);
  const ips = new Set(['192.168.0.9']);
  const claims = new Map<string, Set<string>>([['groups', new Set(['admins'])]]);
  const addHeader = (name: string, values: string[]) => {
    const set = headers.get(name.toLowerCase()) ?? new Set<string>();
    for (const v of values) set.add(v.replaceAll('*', 'x'));
    headers.set(name.toLowerCase(), set);
  };
  for (const doc of docs) {
    walk(doc.spec, (key, value) => {
      if (['user', 'names', 'notNames', 'not_names', 'source.principal', 'source.user'].includes(key)) {
        for (const v of strings(value)) peers.add(v.replaceAll('*', 'x'));
      } else if (['methods', 'notMethods'].includes(key)) {
        for (const v of strings(value)) methods.add(v.replaceAll('*', 'GET'));
      } else if (['paths', 'notPaths', 'exact', 'prefix', 'suffix'].includes(key)) {
        for (const v of strings(value)) {
          const path = v.replaceAll('*', 'x');
          paths.add(path.startsWith('/') ? path : `/x${path}`);
          paths.add(`${path.startsWith('/') ? path : `/x${path}`}?q=1`);
        }
      } else if (key === 'namespaces' || key === 'source.namespace') {
        for (const v of strings(value)) peers.add(`cluster.local/ns/${v}/sa/x`);
      } else if (key === 'ips' || key === 'source.ip') {
        for (const v of strings(value)) ips.add(v.replace(/\/\d+$/, ''));
      } else if (key === 'issuer') {
        for (const v of strings(value)) issuers.add(v);
      } else if (key === 'request.auth.principal') {
        for (const v of strings(value)) {
          const cut = v.lastIndexOf('/');
          issuers.add(cut > 0 ? v.slice(0, cut) : v);
          subjects.add(cut > 0 ? v.slice(cut + 1) : v);
        }
      } else if (key === 'group' || key === 'groups') {
        for (const v of strings(value)) claims.get('groups')?.add(v);
      } else if (key.startsWith('request.headers[')) {
        addHeader(key.slice('request.headers['.length, -1), strings(value));
      } else if (key.startsWith('request.auth.claims[')) {
        const claim = key.slice('request.auth.claims['.length, -1);
        claims.set(claim, new Set([...(claims.get(claim) ?? []), ...strings(value)]));
      } else if (key === 'constraints' && Array.isArray(value)) {
        for (const c of value as Raw[]) {
          const header = /^request\.headers\[(.+)\]$/.exec(String(c.key))?.[1];
          if (header) addHeader(header, strings(c.values));
        }
      }
    });
  }
  const targets = world.services.flatMap((service) =>
    service.ports.flatMap((port) =>
      world.workloads
        .filter(
          (w) =>
            w.namespace === service.namespace &&
            Object.entries(service.selector).every(([k, v]) => w.labels[k] === v),
        )
        .map((w) => ({ service, port: port.port, workload: w.name })),
    ),
  );
  const token: fc.Arbitrary<Token | undefined> =
    issuers.size === 0
      ? fc.constant(undefined)
      : fc.option(
          fc.record({
            issuer: fc.constantFrom(...issuers),
            subject: fc.constantFrom(...subjects),
            audiences: fc.constant([]),
            claims: fc.record(
              Object.fromEntries([...claims].map(([k, vs]) => [k, fc.subarray([...vs])])),
            ) as fc.Arbitrary<Record<string, string[]>>,
            location: fc.constantFrom('bearer' as const),
            valid: fc.constant(true),
          }),
          { nil: undefined },
        );
  return fc
    .record({
      target: fc.constantFrom(...targets),
      peer: fc.option(fc.constantFrom(...peers), { nil: undefined }),
      sourceIp: fc.constantFrom(...ips),
      method: fc.constantFrom(...methods),
      path: fc.constantFrom(...paths),
      headers: fc.record(Object.fromEntries([...headers].map(([k, vs]) => [k, fc.constantFrom(...vs)])), {
        requiredKeys: [],
      }) as fc.Arbitrary<Record<string, string>>,
      cors: fc.boolean(),
      token,
    })
    .map(({ target, peer, cors, token: t, ...rest }) => ({
      ...rest,
      host: `${target.service.name}.${target.service.namespace}.svc.cluster.local`,
      service: target.service.name,
      namespace: target.service.namespace,
      port: target.port,
      workload: target.workload,
      peer,
      token: t,
      headers:
        cors && rest.method === 'OPTIONS'
          ? { ...rest.headers, origin: 'https://x.example', 'access-control-request-method': 'GET' }
          : rest.headers,
    }));
}

function worldOf(docs: readonly KubeDoc[], c: GoldenCase): World {
  const services: ServiceDef[] = docs
    .filter((d) => d.kind === 'Service')
    .map((d) => {
      const spec = (d.spec ?? {}) as { selector?: Record<string, string>; ports?: Raw[] };
      const ports = (spec.ports ?? []).map((p) => ({
        name: String(p.name ?? 'http'),
        port: Number(p.port),
        targetPort: Number(p.targetPort ?? p.port),
      }));
      return {
        name: d.metadata.name,
        namespace: d.metadata.namespace ?? 'default',
        selector: spec.selector ?? {},
        ports,
      };
    });
  const workloads: WorkloadDef[] = services.flatMap((s) =>
    (c.workloads?.[s.name] ?? [s.selector]).map((labels, i) => ({
      name: `${s.name}-${i}`,
      namespace: s.namespace,
      labels: { ...s.selector, ...labels },
      serviceAccount: s.name,
    })),
  );
  return {
    rootNamespace: c.rootNamespace ?? 'istio-system',
    services,
    workloads,
    policies: docs.filter((d) => d.apiVersion.endsWith('/v1alpha1')),
  };
}

const keyOf = (s: { kind: string; namespace?: string | undefined; name: string }) =>
  `${s.kind}/${s.namespace ?? ''}/${s.name}`;

export function checkGolden(c: GoldenCase): void {
  // Upstream tests often give Services no ports; a Service without ports serves nothing, so each
  // gets one HTTP port to send requests to (and meshready sees the same).
  const withPorts = (documents(c.meshPolicy ? `${c.input}${ADDON_MESH_POLICY}` : c.input) as KubeDoc[]).map(
    (d) => {
      const spec = (d.spec ?? {}) as Raw;
      return d.kind === 'Service' && !Array.isArray(spec.ports)
        ? { ...d, spec: { ...spec, ports: [{ name: 'http', port: 80 }] } }
        : d;
    },
  );
  const input = withPorts.map((d) => stringify(d)).join('---\n');
  const docs = documents(input) as KubeDoc[];
  const result = convertText(input, {
    rootNamespace: c.rootNamespace,
    allowNoClusterRbacConfig: c.allowNoClusterRbacConfig,
  });
  if (c.refuses) {
    for (const refusal of c.refuses) {
      expect(result.problems).toContainEqual({
        source: expect.objectContaining({ kind: refusal.kind, name: refusal.name }),
        reason: expect.stringMatching(refusal.reason),
      });
    }
  } else {
    expect(result.problems).toEqual([]);
  }
  const world = worldOf(docs, c);
  const ours = parseAllDocuments(renderPoliciesYaml(result.objects)).map((d) => d.toJS() as KubeDoc);
  const golden = c.golden ? (documents(c.golden) as KubeDoc[]) : undefined;
  const refused = new Set(result.problems.map((p) => keyOf(p.source)));
  const probes = fc.sample(probeArbitrary(world, docs), { seed: 24, numRuns: 500 });
  let compared = 0;
  const goldenWrong: string[] = [];
  for (const request of probes) {
    const in14 = decide14(world, request);
    if (in14 === 'impossible') continue;
    if (golden && decide16(world, golden, request) !== in14) {
      goldenWrong.push(`${in14} in 1.4: ${JSON.stringify(request)}`);
    }
    if (
      governing14(world, request).some((d) =>
        refused.has(keyOf({ kind: d.kind, namespace: d.metadata.namespace, name: d.metadata.name })),
      )
    ) {
      continue;
    }
    compared++;
    const expected = c.addsEnforcement && golden ? decide16(world, golden, request) : in14;
    expect({ request: JSON.stringify(request), decision: decide16(world, ours, request) }).toEqual({
      request: JSON.stringify(request),
      decision: expected,
    });
  }
  if (!c.refuses) expect(compared).toBeGreaterThan(50);
  if (c.addsEnforcement) return;
  if (c.differs !== undefined) {
    // The documented difference is real: the golden decides some request otherwise than 1.4.
    if (golden) expect(goldenWrong.length).toBeGreaterThan(0);
  } else if (golden) {
    expect(goldenWrong).toEqual([]);
  } else {
    // The upstream converter refused; meshready refuses too (else `differs` says why not).
    expect(result.problems.length).toBeGreaterThan(0);
  }
}
