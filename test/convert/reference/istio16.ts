/**
 * Reference evaluator: would Istio 1.6 (1.6.0, proxy 1.6.0) let this HTTP request through to this
 * workload, given security.istio.io/v1beta1 AuthorizationPolicy, PeerAuthentication and
 * RequestAuthentication objects? Written from the sources, cited as file:line at 1.6.0 (istio/istio
 * unless marked proxy:). It shares no code with src/convert. Left out as in istio14.ts: TCP ports,
 * destination.ip, connection.sni and experimental.* conditions, trust domain aliases.
 */
import {
  claimList,
  headerOf,
  inCidr,
  istioHeaderSpec,
  type JwtProvider,
  matchHeader,
  matchString,
  parseCidr,
  type StringSpec,
  urlPath,
  verifyWith,
} from './envoy.ts';
import {
  type Decision,
  isCorsPreflight,
  isSubset,
  type KubeDoc,
  type Request,
  servicePortOf,
  type World,
  workloadOf,
} from './world.ts';

type Msg = Record<string, unknown>;
const list = (value: unknown): Msg[] => (Array.isArray(value) ? (value as Msg[]) : []);
const texts = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

interface Metadata {
  readonly peer?: string | undefined;
  readonly principal?: string | undefined;
  readonly audience?: string | undefined;
  readonly presenter?: string | undefined;
  readonly claims?: ((claim: string) => readonly string[] | undefined) | undefined;
}

/** getConfigsForWorkload / ListAuthorizationPolicies: the workload's namespace and the root namespace, selector ⊆ labels
 * (pilot/pkg/model/authentication.go:221-260, pilot/pkg/model/authorization.go:65-98). */
function forWorkload(world: World, objects: readonly KubeDoc[], kind: string, request: Request): KubeDoc[] {
  const workload = workloadOf(world, request);
  return objects.filter((o) => {
    if (o.kind !== kind || o.apiVersion !== 'security.istio.io/v1beta1') return false;
    const namespace = o.metadata.namespace;
    if (namespace !== workload.namespace && namespace !== world.rootNamespace) return false;
    const selector = ((o.spec as Msg | undefined)?.selector as Msg | undefined)?.matchLabels as
      | Record<string, string>
      | undefined;
    return isSubset(selector ?? {}, workload.labels);
  });
}

/**
 * composePeerAuthentication and getMutualTLSModeForPort (pilot/pkg/security/authn/v1beta1/policy_applier.go:335-454).
 * The oldest policy of a level wins; the output carries no creation time, so when two of one level
 * apply, every order is tried and 'ambiguous' returned when they disagree.
 */
function mtlsMode(world: World, objects: readonly KubeDoc[], request: Request): string {
  const configs = forWorkload(world, objects, 'PeerAuthentication', request);
  const levels: Record<'mesh' | 'namespace' | 'workload', Msg[]> = { mesh: [], namespace: [], workload: [] };
  for (const config of configs) {
    const spec = (config.spec ?? {}) as Msg;
    const selector = ((spec.selector as Msg | undefined)?.matchLabels ?? {}) as Record<string, string>;
    if (Object.keys(selector).length === 0) {
      levels[config.metadata.namespace === world.rootNamespace ? 'mesh' : 'namespace'].push(spec);
    } else if (config.metadata.namespace !== world.rootNamespace) {
      levels.workload.push(spec);
    }
  }
  const modeOf = (m: unknown) => {
    const mode = text((m as Msg | undefined)?.mode);
    return mode === '' || mode === 'UNSET' ? undefined : mode;
  };
  const endpointPort = String(servicePortOf(world, request).targetPort);
  const modes = new Set<string>();
  const choices = (specs: Msg[]) => (specs.length === 0 ? [undefined] : specs);
  for (const mesh of choices(levels.mesh)) {
    for (const namespace of choices(levels.namespace)) {
      for (const workload of choices(levels.workload)) {
        let mode = 'PERMISSIVE';
        for (const spec of [mesh, namespace, workload]) mode = modeOf(spec?.mtls) ?? mode;
        const portLevel = (workload?.portLevelMtls ?? {}) as Record<string, unknown>;
        if (endpointPort in portLevel) mode = modeOf(portLevel[endpointPort]) ?? mode;
        modes.add(mode);
      }
    }
  }
  return modes.size === 1 ? ([...modes][0] ?? 'PERMISSIVE') : 'ambiguous';
}

function provider(rule: Msg): JwtProvider {
  return {
    issuer: text(rule.issuer),
    audiences: texts(rule.audiences),
    headers: list(rule.fromHeaders).map((h) => ({ name: text(h.name), prefix: text(h.prefix) })),
    params: texts(rule.fromParams),
  };
}

/**
 * The jwt_authn filter (convertToEnvoyJwtConfig, policy_applier.go:209-333): a request passes when
 * some provider verifies its token, or every provider verifies it or finds none. Then the authn
 * filter (setAuthnFilterForRequestAuthn, :114-146; proxy: origin_authenticator.cc:46-112) binds
 * request.auth.principal to the first verified issuer, with optional origins and USE_ORIGIN.
 */
function authenticate(
  world: World,
  objects: readonly KubeDoc[],
  request: Request,
  sidecar: boolean,
  peer: string | undefined,
): Metadata | undefined {
  const rules = forWorkload(world, objects, 'RequestAuthentication', request).flatMap((o) =>
    list((o.spec as Msg | undefined)?.jwtRules),
  );
  const results = rules.map((rule) => ({ rule, result: verifyWith(provider(rule), request.token) }));
  if (results.length > 0) {
    const passes =
      results.some((r) => r.result === 'verified') || results.every((r) => r.result !== 'failed');
    if (!passes) return undefined;
  }
  // Without a RequestAuthentication a gateway has no authn filter at all (policy_applier.go:82-112).
  if (!sidecar && rules.length === 0) return {};
  const issuers = [...new Set(rules.map((r) => text(r.issuer)))].sort();
  const verified = new Set(results.filter((r) => r.result === 'verified').map((r) => text(r.rule.issuer)));
  const issuer = isCorsPreflight(request) ? undefined : issuers.find((i) => verified.has(i));
  const token = issuer !== undefined ? request.token : undefined;
  return {
    peer,
    principal: token ? `${token.issuer}/${token.subject}` : undefined,
    audience: token?.audiences[0],
    presenter: token ? claimList(token, 'azp')?.[0] : undefined,
    claims: token ? (claim) => claimList(token, claim) : undefined,
  };
}

type Pred = (request: Request, meta: Metadata) => boolean;

/** matcher.StringMatcher at 1.6.0 (pilot/pkg/security/authz/matcher/string.go): `*` is the regex `.+`. */
function stringSpec16(value: string): StringSpec {
  if (value === '*') return { regex: '.+' };
  if (value.startsWith('*')) return { suffix: value.slice(1) };
  if (value.endsWith('*')) return { prefix: value.slice(0, -1) };
  return { exact: value };
}

function bracketed(key: string, prefix: string): string | undefined {
  const rest = key.slice(prefix.length);
  return rest.startsWith('[') && rest.endsWith(']') && rest.length > 2 ? rest.slice(1, -1) : undefined;
}

class Invalid extends Error {}

/** One value of one key, as the generators of pilot/pkg/security/authz/model/generator.go:33-281 build it. */
function matcher(world: World, key: string, value: string): Pred {
  const meta = (pick: (m: Metadata) => string | undefined, spec: StringSpec): Pred => {
    return (_, m) => matchString(pick(m), spec);
  };
  const header = (name: string): Pred => {
    const spec = istioHeaderSpec(value);
    return (r) => matchHeader(headerOf(r, name), spec);
  };
  switch (key) {
    case 'destination.port': {
      if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Invalid();
      const port = Number(value);
      return (r) => servicePortOf(world, r).targetPort === port;
    }
    case 'source.ip': {
      const range = parseCidr(value);
      if (!range) throw new Invalid();
      return (r) => inCidr(r.sourceIp, range);
    }
    case 'source.namespace':
      return meta((m) => m.peer, { regex: `.*/ns/${value.replaceAll('*', '.*')}/.*` });
    case 'source.principal':
      return meta((m) => m.peer, stringSpec16(value));
    case 'request.auth.principal':
      return meta((m) => m.principal, stringSpec16(value));
    case 'request.auth.audiences':
      return meta((m) => m.audience, stringSpec16(value));
    case 'request.auth.presenter':
      return meta((m) => m.presenter, stringSpec16(value));
    case '#authority':
      return header(':authority');
    case '#method':
      return header(':method');
    case '#path': {
      const spec = stringSpec16(value);
      return (r) => matchString(urlPath(r), spec);
    }
  }
  if (key.startsWith('request.headers')) {
    const name = bracketed(key, 'request.headers');
    if (name === undefined) throw new Invalid();
    return header(name);
  }
  if (key.startsWith('request.auth.claims')) {
    const claim = bracketed(key, 'request.auth.claims');
    if (claim === undefined) throw new Invalid();
    const spec = stringSpec16(value);
    return (_, m) => (m.claims?.(claim) ?? []).some((v) => matchString(v, spec));
  }
  if (key === 'connection.sni' || key.startsWith('experimental.envoy.filters.')) {
    // The requests modelled carry no SNI and no other filter's metadata: such matchers never match.
    return () => false;
  }
  throw new Error(`the 1.6 reference does not model key ${key}`);
}

/**
 * values OR'ed, notValues negated (model.go:228-302). A value that does not generate makes an
 * ALLOW rule skipped (the error propagates) and is dropped from a DENY rule.
 */
function keyPred(world: World, key: string, values: string[], notValues: string[], forDeny: boolean): Pred[] {
  const build = (vs: string[]): Pred[] =>
    vs.flatMap((v) => {
      try {
        return [matcher(world, key, v)];
      } catch (error) {
        if (error instanceof Invalid && forDeny) return [];
        throw error;
      }
    });
  const out: Pred[] = [];
  const yes = build(values);
  if (yes.length > 0) out.push((r, m) => yes.some((p) => p(r, m)));
  const no = build(notValues);
  if (no.length > 0) out.push((r, m) => !no.some((p) => p(r, m)));
  return out;
}

/** A rule: any from, any to, every when (model.go:80-148). Undefined when the rule is skipped. */
function rulePred(world: World, rule: Msg, forDeny: boolean): Pred | undefined {
  try {
    const when: Pred[] = list(rule.when).flatMap((c) =>
      keyPred(world, text(c.key), texts(c.values), texts(c.notValues), forDeny),
    );
    const froms = list(rule.from).map((f) => {
      const s = (f.source ?? {}) as Msg;
      return [
        ...keyPred(world, 'source.principal', texts(s.principals), texts(s.notPrincipals), forDeny),
        ...keyPred(
          world,
          'request.auth.principal',
          texts(s.requestPrincipals),
          texts(s.notRequestPrincipals),
          forDeny,
        ),
        ...keyPred(world, 'source.namespace', texts(s.namespaces), texts(s.notNamespaces), forDeny),
        ...keyPred(world, 'source.ip', texts(s.ipBlocks), texts(s.notIpBlocks), forDeny),
      ];
    });
    const tos = list(rule.to).map((t) => {
      const o = (t.operation ?? {}) as Msg;
      return [
        ...keyPred(world, '#authority', texts(o.hosts), texts(o.notHosts), forDeny),
        ...keyPred(world, '#method', texts(o.methods), texts(o.notMethods), forDeny),
        ...keyPred(world, '#path', texts(o.paths), texts(o.notPaths), forDeny),
        ...keyPred(world, 'destination.port', texts(o.ports), texts(o.notPorts), forDeny),
      ];
    });
    const all =
      (preds: Pred[]): Pred =>
      (r, m) =>
        preds.every((p) => p(r, m));
    const fromOk: Pred = froms.length === 0 ? () => true : (r, m) => froms.some((preds) => all(preds)(r, m));
    const toOk: Pred = tos.length === 0 ? () => true : (r, m) => tos.some((preds) => all(preds)(r, m));
    return (r, m) => fromOk(r, m) && toOk(r, m) && all(when)(r, m);
  } catch (error) {
    if (error instanceof Invalid) return undefined;
    throw error;
  }
}

/** Which part of 1.6 decided: the mTLS listener, the JWT filter, a DENY or ALLOW policy, or no policy. */
export type Stage16 = 'mtls' | 'jwt' | 'deny-policy' | 'allow-policy' | 'no-allow-policy';

/** Would Istio 1.6 let this request reach the workload, and which stage decided. */
export function explain16(
  world: World,
  objects: readonly KubeDoc[],
  request: Request,
): { decision: Decision; stage: Stage16 } {
  const workload = workloadOf(world, request);
  const sidecar = workload.gateway !== true;
  let peer: string | undefined;
  if (sidecar) {
    const mode = mtlsMode(world, objects, request);
    // Depends on which object is older: report it as the opposite of what 1.4 could compare with.
    if (mode === 'ambiguous') return { decision: 'impossible', stage: 'mtls' };
    if (mode === 'STRICT' && request.peer === undefined) return { decision: 'deny', stage: 'mtls' };
    if (mode === 'DISABLE' && request.peer !== undefined) return { decision: 'deny', stage: 'mtls' };
    peer = request.peer;
  } else if (request.peer !== undefined) {
    return { decision: 'impossible', stage: 'mtls' };
  }
  const meta = authenticate(world, objects, request, sidecar, peer);
  if (meta === undefined) return { decision: 'deny', stage: 'jwt' };
  // DENY first, then ALLOW; no ALLOW policy allows (pilot/pkg/security/authz/builder/builder.go:63-132).
  const policies = forWorkload(world, objects, 'AuthorizationPolicy', request);
  const actionOf = (p: KubeDoc) => text((p.spec as Msg | undefined)?.action) || 'ALLOW';
  const rulesOf = (action: string) =>
    policies.filter((p) => actionOf(p) === action).flatMap((p) => list((p.spec as Msg | undefined)?.rules));
  const denyRules = rulesOf('DENY').flatMap((rule) => rulePred(world, rule, true) ?? []);
  if (denyRules.some((p) => p(request, meta))) return { decision: 'deny', stage: 'deny-policy' };
  if (!policies.some((p) => actionOf(p) === 'ALLOW')) return { decision: 'allow', stage: 'no-allow-policy' };
  const allowRules = rulesOf('ALLOW').flatMap((rule) => rulePred(world, rule, false) ?? []);
  return { decision: allowRules.some((p) => p(request, meta)) ? 'allow' : 'deny', stage: 'allow-policy' };
}

/** Would Istio 1.6 let this request reach the workload? */
export function decide16(world: World, objects: readonly KubeDoc[], request: Request): Decision {
  return explain16(world, objects, request).decision;
}
