/**
 * Reference evaluator: would Istio 1.4 (1.4.10, proxy 1.4.10) let this HTTP request through to
 * this workload, given the v1alpha1 RBAC and authentication objects? Written from the sources,
 * cited as file:line at those tags (istio/istio unless marked proxy:, which is istio/proxy).
 * It shares no code with src/convert. What it leaves out: TCP ports, destination.ip, the SNI and
 * other filters' metadata (such matchers never match here), JWT peer methods and exchanged
 * tokens, trust domain aliases, v1beta1 AuthorizationPolicies living beside the v1alpha1 objects.
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
  verifyWith,
} from './envoy.ts';
import { decode14 } from './jsonpb14.ts';
import {
  type Decision,
  fqdn,
  isCorsPreflight,
  type KubeDoc,
  pathWithoutQuery,
  type Request,
  serviceOf,
  servicePortOf,
  type World,
  workloadOf,
} from './world.ts';

type Msg = Record<string, unknown>;
const list = (value: unknown): Msg[] => (Array.isArray(value) ? (value as Msg[]) : []);
const texts = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The authn filter's dynamic metadata (proxy: src/envoy/utils/authn.cc:38-81). */
interface AuthnMetadata {
  readonly principal?: string | undefined;
  readonly peer?: string | undefined;
  readonly audience?: string | undefined;
  readonly presenter?: string | undefined;
  readonly claims?: ((claim: string) => readonly string[] | undefined) | undefined;
}

interface Config {
  readonly doc: KubeDoc;
  readonly namespace: string;
  readonly spec: Msg;
}

const GROUPS: Readonly<Record<string, string>> = {
  ServiceRole: 'rbac.istio.io',
  ServiceRoleBinding: 'rbac.istio.io',
  ClusterRbacConfig: 'rbac.istio.io',
  RbacConfig: 'rbac.istio.io',
  Policy: 'authentication.istio.io',
  MeshPolicy: 'authentication.istio.io',
};
const MESSAGE_OF: Readonly<Record<string, string>> = {
  ServiceRole: 'ServiceRole',
  ServiceRoleBinding: 'ServiceRoleBinding',
  ClusterRbacConfig: 'RbacConfig',
  RbacConfig: 'RbacConfig',
  Policy: 'Policy',
  MeshPolicy: 'Policy',
};

/** The objects pilot received (galley dropped those that did not decode), in creation order. */
function configs(world: World, kind: string): Config[] {
  return world.policies.flatMap((doc) => {
    if (doc.kind !== kind || doc.apiVersion !== `${GROUPS[kind]}/v1alpha1`) return [];
    const spec = decode14(MESSAGE_OF[kind] ?? '', doc.spec);
    return spec ? [{ doc, namespace: doc.metadata.namespace ?? 'default', spec }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Authentication: one Policy per service port, mTLS, JWT origins, principal binding.

/** ResolveShortnameToFQDN (pilot/pkg/model/config.go:277-299). */
function targetHost(name: string, namespace: string): string {
  return name === '*' || name.includes('.') ? name : `${name}.${namespace}.svc.cluster.local`;
}

/** PushContext.AuthenticationPolicyForWorkload (pilot/pkg/model/push_context.go:939-989, 1225-1266). */
function authnPolicyFor(world: World, request: Request): Config | undefined {
  const service = serviceOf(world, request);
  const port = servicePortOf(world, request);
  const byHost = new Map<string, { policy: Config; selector: Msg | undefined }[]>();
  const add = (key: string, policy: Config, selector: Msg | undefined) =>
    byHost.set(key, [...(byHost.get(key) ?? []), { policy, selector }]);
  for (const config of configs(world, 'Policy')) {
    const targets = list(config.spec.targets);
    if (targets.length === 0) {
      add(`namespace:${config.namespace}`, config, undefined);
      continue;
    }
    for (const target of targets) {
      const host = targetHost(text(target.name), config.namespace);
      const ports = list(target.ports);
      if (ports.length === 0) add(host, config, undefined);
      for (const selector of ports) add(host, config, selector);
    }
  }
  // authenticationPolicyForWorkload: the first policy without a port selector is the fallback; a
  // policy whose selector matches the port wins (Port.Match, pilot/pkg/model/service.go:467-479).
  const pick = (entries: { policy: Config; selector: Msg | undefined }[] | undefined): Config | undefined => {
    let matched: Config | undefined;
    for (const entry of entries ?? []) {
      if (entry.selector === undefined && matched === undefined) matched = entry.policy;
      if (entry.selector !== undefined) {
        const hit =
          'name' in entry.selector
            ? entry.selector.name === port.name
            : 'number' in entry.selector
              ? entry.selector.number === port.port
              : false;
        if (hit) return entry.policy;
      }
    }
    return matched;
  };
  return (
    pick(byHost.get(fqdn(service))) ??
    pick(byHost.get(`namespace:${service.namespace}`)) ??
    configs(world, 'MeshPolicy').find((c) => c.doc.metadata.name === 'default')
  );
}

/** GetMutualTLS (pilot/pkg/security/authn/v1alpha1/policy_applier.go:59-77): the first mtls peer, STRICT when empty. */
function mutualTls(policy: Msg | undefined): 'STRICT' | 'PERMISSIVE' | undefined {
  for (const peer of list(policy?.peers)) {
    if (peer.mtls !== undefined) return (peer.mtls as Msg).mode === 'PERMISSIVE' ? 'PERMISSIVE' : 'STRICT';
  }
  return undefined;
}

function providerOf(jwt: Msg): JwtProvider {
  const headers = texts(jwt.jwtHeaders).map((name) => ({
    name,
    // policy_applier.go:116-124: the exchanged-token header gets the "istio" prefix.
    prefix: name === 'ingress-authorization' ? 'istio' : '',
  }));
  return { issuer: text(jwt.issuer), audiences: texts(jwt.audiences), headers, params: texts(jwt.jwtParams) };
}

/** proxy: authn_utils.cc ShouldValidateJwtPerPath / matchRule, at the path without its query. */
function triggered(jwt: Msg, path: string): boolean {
  const rules = list(jwt.triggerRules);
  if (path === '' || rules.length === 0) return true;
  const match = (m: Msg) =>
    'exact' in m
      ? path === m.exact
      : 'prefix' in m
        ? path.startsWith(text(m.prefix))
        : 'suffix' in m
          ? path.endsWith(text(m.suffix))
          : 'regex' in m
            ? new RegExp(`^(?:${text(m.regex)})$`).test(path)
            : false;
  return rules.some((rule) => {
    if (list(rule.excludedPaths).some(match)) return false;
    const included = list(rule.includedPaths);
    return included.length === 0 || included.some(match);
  });
}

/**
 * The authn filter (proxy: src/envoy/http/authn/http_filter.cc:52-92): undefined when it rejects
 * the request (401), else the metadata it saves. `filtered` is false when pilot installs no
 * filter (convertPolicyToAuthNFilterConfig, policy_applier.go:227-279): no metadata at all.
 */
function authenticate(
  policy: Msg | undefined,
  request: Request,
  sidecar: boolean,
): AuthnMetadata | undefined {
  const peers = list(policy?.peers).filter((p) => (p.mtls !== undefined && sidecar) || p.jwt !== undefined);
  const origins = list(policy?.origins);
  if (policy === undefined || (peers.length === 0 && origins.length === 0)) return {};
  const jwts = [
    ...peers.flatMap((p) => (p.jwt ? [p.jwt as Msg] : [])),
    ...origins.map((o) => (o.jwt ?? {}) as Msg),
  ];
  const verified = (jwt: Msg) =>
    jwts.some(
      (j) => text(j.issuer) === text(jwt.issuer) && verifyWith(providerOf(j), request.token) === 'verified',
    );
  const userOf = () => (request.token ? `${request.token.issuer}/${request.token.subject}` : '');

  // Peer authenticator (proxy: peer_authenticator.cc:34-66; authenticator_base.cc validateX509).
  let peerUser = '';
  let peerOk = peers.length === 0;
  for (const peer of peers) {
    if (peer.mtls !== undefined) {
      if (request.peer !== undefined) {
        peerUser = request.peer;
        peerOk = true;
      } else {
        peerOk = (peer.mtls as Msg).mode === 'PERMISSIVE';
      }
    } else {
      peerOk = verified(peer.jwt as Msg);
      if (peerOk) peerUser = userOf();
    }
    if (peerOk) break;
  }
  if (!peerOk && policy.peerIsOptional !== true) return undefined;

  // Origin authenticator (proxy: origin_authenticator.cc:46-112).
  const binding = policy.principalBinding === 'USE_ORIGIN' ? 'USE_ORIGIN' : 'USE_PEER';
  let originOk: boolean;
  let origin = false;
  let principal = '';
  if (origins.length === 0 && binding === 'USE_ORIGIN') {
    originOk = false;
  } else if (isCorsPreflight(request)) {
    originOk = true;
  } else {
    const path = pathWithoutQuery(request.path);
    let fired = false;
    let success = false;
    for (const originMethod of origins) {
      const jwt = (originMethod.jwt ?? {}) as Msg;
      if (!triggered(jwt, path)) continue;
      fired = true;
      if (verified(jwt)) {
        success = true;
        break;
      }
    }
    originOk = !fired || success;
    if (originOk) {
      origin = success;
      // filter_context.cc:58-74
      principal = binding === 'USE_PEER' ? peerUser : success ? userOf() : '';
    }
  }
  if (!originOk && policy.originIsOptional !== true) return undefined;
  const token = origin ? request.token : undefined;
  return {
    principal: principal || undefined,
    peer: peerUser || undefined,
    audience: token?.audiences[0],
    presenter: token ? claimList(token, 'azp')?.[0] : undefined,
    claims: token ? (claim) => claimList(token, claim) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// RBAC: ClusterRbacConfig, ServiceRoles and their bindings, as the Envoy RBAC filter evaluates them.

type Pred = (request: Request, meta: AuthnMetadata | undefined) => boolean;
const any: Pred = () => true;
const and =
  (preds: Pred[]): Pred =>
  (r, m) =>
    preds.every((p) => p(r, m));
const or = (preds: Pred[]): Pred | undefined =>
  preds.length === 0 ? undefined : (r, m) => preds.some((p) => p(r, m));
const not =
  (pred: Pred): Pred =>
  (r, m) =>
    !pred(r, m);

/** stringMatch (pilot/pkg/security/authz/model/util.go:28-53). */
function stringMatch14(value: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (s) =>
      value === s ||
      s === '*' ||
      (s.endsWith('*') && value.startsWith(s.slice(0, -1))) ||
      (s.startsWith('*') && value.endsWith(s.slice(1))),
  );
}

/** matcher.StringMatcher(v, false) at 1.4.10 (matcher/string.go): `*` is the regex `.*`. */
function stringSpec14(value: string): StringSpec {
  if (value === '*') return { regex: '.*' };
  if (value.startsWith('*')) return { suffix: value.slice(1) };
  if (value.endsWith('*')) return { prefix: value.slice(0, -1) };
  return { exact: value };
}

function bracketed(key: string, prefix: string): string | undefined {
  const rest = key.slice(prefix.length);
  return rest.startsWith('[') && rest.endsWith(']') ? rest.slice(1, -1) : undefined;
}

function header(name: string, value: string): Pred {
  const spec = istioHeaderSpec(value);
  return (r) => matchHeader(headerOf(r, name), spec);
}

function cidr(value: string, pick: (r: Request) => string): Pred | undefined {
  const range = parseCidr(value);
  return range ? (r) => inCidr(pick(r), range) : undefined;
}

/** The request's endpoint (target) port: the RBAC destination.port. */
function endpointPort(world: World, r: Request): number {
  return servicePortOf(world, r).targetPort;
}

/** Permission.forKeyValues (pilot/pkg/security/authz/model/permission.go:221-293). */
function permissionFor(world: World, key: string, values: readonly string[]): Pred | undefined {
  let one: ((v: string) => Pred | undefined) | undefined;
  if (key === 'destination.port') {
    one = (v) => {
      const port = /^\d+$/.test(v) && Number(v) <= 65535 ? Number(v) : undefined;
      return port === undefined ? undefined : (r) => endpointPort(world, r) === port;
    };
  } else if (key === ':path' || key === ':method' || key === ':authority') {
    one = (v) => header(key, v);
  } else if (key.startsWith('request.headers')) {
    const name = bracketed(key, 'request.headers');
    if (name === undefined) return undefined;
    one = (v) => header(name, v);
  } else if (key === 'connection.sni' || key.startsWith('experimental.envoy.filters.')) {
    // The requests modelled carry no SNI and no other filter's metadata: such matchers never match.
    one = () => () => false;
  } else if (key === 'destination.ip') {
    throw new Error(`the 1.4 reference does not model constraint ${key}`);
  } else {
    // destination.labels/name/namespace/user were matched at config time; anything else is ignored.
    return undefined;
  }
  return or(values.flatMap((v) => one?.(v) ?? []));
}

interface ServiceMetadata {
  readonly hostname: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A ServiceRole rule: Permission.Match then Permission.Generate (permission.go:46-86, 123-201). */
function permission(world: World, rule: Msg, service: ServiceMetadata): Pred | undefined {
  const services = texts(rule.services);
  if (services.length > 0 && !stringMatch14(service.hostname, services)) return undefined;
  // model.go:130-134: the constraints become one map, a later duplicate key replacing an earlier one.
  const constraints = new Map<string, string[]>();
  for (const c of list(rule.constraints)) constraints.set(text(c.key), texts(c.values));
  for (const [key, values] of constraints) {
    let actual: string | undefined;
    if (key.startsWith('destination.labels')) {
      const label = bracketed(key, 'destination.labels');
      if (label === undefined) continue;
      actual = service.labels[label];
    } else if (key === 'destination.name' || key === 'destination.namespace' || key === 'destination.user') {
      actual = service.attributes[key];
    } else {
      continue;
    }
    if (actual === undefined || !stringMatch14(actual, values)) return undefined;
  }
  const parts: Pred[] = [];
  const add = (pred: Pred | undefined, negate = false) => {
    if (pred) parts.push(negate ? not(pred) : pred);
  };
  const headerList = (name: string, values: unknown) => or(texts(values).map((v) => header(name, v)));
  add(headerList(':authority', rule.hosts));
  add(headerList(':authority', rule.notHosts), true);
  add(headerList(':method', rule.methods));
  add(headerList(':method', rule.notMethods), true);
  add(headerList(':path', rule.paths));
  add(headerList(':path', rule.notPaths), true);
  const ports = (values: unknown) => (Array.isArray(values) ? (values as number[]).map(String) : []);
  if (ports(rule.ports).length > 0) add(permissionFor(world, 'destination.port', ports(rule.ports)));
  if (ports(rule.notPorts).length > 0)
    add(permissionFor(world, 'destination.port', ports(rule.notPorts)), true);
  for (const key of [...constraints.keys()].sort())
    add(permissionFor(world, key, constraints.get(key) ?? []));
  return parts.length === 0 ? any : and(parts);
}

/** Principal.forKeyValue for v1alpha1 (pilot/pkg/security/authz/model/principal.go:206-276). */
function principalFor(key: string, value: string): Pred | undefined {
  const meta = (pick: (m: AuthnMetadata) => string | undefined, spec: StringSpec): Pred => {
    return (_, m) => m !== undefined && matchString(pick(m), spec);
  };
  if (key === 'source.ip') return cidr(value, (r) => r.sourceIp);
  if (key === 'source.namespace') {
    const regex = `.*/ns/${value.replaceAll('*', '.*')}/.*`;
    return meta((m) => m.peer, { regex });
  }
  if (key === 'source.principal') {
    if (value === 'allUsers' || value === '*') return any;
    return meta((m) => m.peer, stringSpec14(value === 'allAuthenticatedUsers' ? '*' : value));
  }
  if (key === 'source.user') return meta((m) => m.peer, stringSpec14(value));
  if (key === 'request.auth.principal') return meta((m) => m.principal, stringSpec14(value));
  if (key === 'request.auth.audiences') return meta((m) => m.audience, stringSpec14(value));
  if (key === 'request.auth.presenter') return meta((m) => m.presenter, stringSpec14(value));
  if (key.startsWith('request.headers')) {
    const name = bracketed(key, 'request.headers');
    return name === undefined ? undefined : header(name, value);
  }
  if (key.startsWith('request.auth.claims')) {
    const claim = bracketed(key, 'request.auth.claims');
    if (claim === undefined) return undefined;
    const spec = stringSpec14(value);
    return (_, m) => (m?.claims?.(claim) ?? []).some((v) => matchString(v, spec));
  }
  // Any other key is read from the RBAC filter's own metadata, which never has it.
  return () => false;
}

/** A binding's subject: Principal.Generate (principal.go:77-177); empty means nobody. */
function principal(subject: Msg): Pred {
  const parts: Pred[] = [];
  const add = (pred: Pred | undefined, negate = false) => {
    if (pred) parts.push(negate ? not(pred) : pred);
  };
  const forValues = (key: string, values: readonly string[]) =>
    or(values.flatMap((v) => principalFor(key, v) ?? []));
  const user = text(subject.user);
  if (user !== '') add(forValues('source.principal', [user]));
  add(forValues('source.principal', texts(subject.names)));
  add(forValues('source.principal', texts(subject.notNames)), true);
  if (text(subject.group) !== '') add(principalFor('request.auth.claims[groups]', text(subject.group)));
  add(forValues('request.auth.claims[groups]', texts(subject.groups)));
  add(forValues('request.auth.claims[groups]', texts(subject.notGroups)), true);
  add(forValues('source.namespace', texts(subject.namespaces)));
  add(forValues('source.namespace', texts(subject.notNamespaces)), true);
  add(forValues('source.ip', texts(subject.ips)));
  add(forValues('source.ip', texts(subject.notIps)), true);
  const properties = (subject.properties ?? {}) as Record<string, string>;
  for (const key of Object.keys(properties).sort()) add(principalFor(key, properties[key] ?? ''));
  return parts.length === 0 ? () => false : and(parts);
}

interface RbacConfig {
  readonly mode: unknown;
  readonly inclusion: Msg;
  readonly exclusion: Msg;
  readonly permissive: boolean;
}

/** ClusterRbacConfig named default, else RbacConfig named default (pilot/pkg/model/config.go:574-604). */
function rbacConfig(world: World): RbacConfig | undefined {
  const config =
    configs(world, 'ClusterRbacConfig').find((c) => c.doc.metadata.name === 'default') ??
    configs(world, 'RbacConfig').find((c) => c.doc.metadata.name === 'default');
  if (!config) return undefined;
  return {
    mode: config.spec.mode ?? 'OFF',
    inclusion: (config.spec.inclusion ?? {}) as Msg,
    exclusion: (config.spec.exclusion ?? {}) as Msg,
    permissive: config.spec.enforcementMode === 'PERMISSIVE',
  };
}

/** IsRBACEnabled and isInRbacTargetList (pilot/pkg/model/authorization.go:114-130, 268-283). */
function rbacEnabled(config: RbacConfig | undefined, hostname: string, namespace: string): boolean {
  if (!config) return false;
  const listed = (target: Msg) =>
    texts(target.namespaces).includes(namespace) || texts(target.services).includes(hostname);
  switch (config.mode) {
    case 'ON':
      return true;
    case 'ON_WITH_INCLUSION':
      return listed(config.inclusion);
    case 'ON_WITH_EXCLUSION':
      return !listed(config.exclusion);
    default:
      return false;
  }
}

function rbacAllows(world: World, request: Request, meta: AuthnMetadata | undefined): boolean {
  const service = serviceOf(world, request);
  const workload = workloadOf(world, request);
  const hostname = fqdn(service);
  const config = rbacConfig(world);
  if (!rbacEnabled(config, hostname, service.namespace)) return true;
  // A global PERMISSIVE enforcement mode only produces shadow rules (policy/v1alpha1/v1alpha1.go:96-100).
  if (config?.permissive) return true;
  const metadata: ServiceMetadata = {
    hostname,
    labels: workload.labels,
    attributes: {
      'destination.name': service.name,
      'destination.namespace': service.namespace,
      'destination.user': workload.serviceAccount,
    },
  };
  // addServiceRoleBindings (authorization.go:226-249): a binding without roleRef.name ends the loop.
  const bindings = new Map<string, Msg[]>();
  for (const binding of configs(world, 'ServiceRoleBinding')) {
    const roleName = text((binding.spec.roleRef as Msg | undefined)?.name);
    if (roleName === '') break;
    if (binding.namespace !== service.namespace) continue;
    bindings.set(roleName, [...(bindings.get(roleName) ?? []), binding.spec]);
  }
  for (const role of configs(world, 'ServiceRole')) {
    if (role.namespace !== service.namespace) continue;
    const enforced = (bindings.get(role.doc.metadata.name) ?? []).filter((b) => b.mode !== 'PERMISSIVE');
    if (enforced.length === 0) continue;
    // Model.Generate (model.go:257-289): permissions that match the service, principals of all bindings.
    const permissions = list(role.spec.rules).flatMap((rule) => permission(world, rule, metadata) ?? []);
    if (permissions.length === 0) continue;
    const principals = enforced.flatMap((b) => list(b.subjects).map(principal));
    if (principals.length === 0) continue;
    if (permissions.some((p) => p(request, meta)) && principals.some((p) => p(request, meta))) return true;
  }
  return false;
}

/** Would Istio 1.4 let this request reach the workload? */
export function decide14(world: World, request: Request): Decision {
  const workload = workloadOf(world, request);
  const sidecar = workload.gateway !== true;
  const policy = authnPolicyFor(world, request)?.spec;
  // The inbound listener: TLS only when the policy has an mtls peer (InboundFilterChain,
  // policy_applier.go:319-410); a gateway's listener is its own, without mesh mTLS (gateway.go).
  const mtls = sidecar ? mutualTls(policy) : undefined;
  if (request.peer !== undefined && mtls === undefined) return 'impossible';
  if (request.peer === undefined && mtls === 'STRICT') return 'deny';
  const meta = authenticate(policy, request, sidecar);
  if (meta === undefined) return 'deny';
  return rbacAllows(world, request, meta) ? 'allow' : 'deny';
}

/**
 * The v1alpha1 objects that decided this request in 1.4: its authentication Policy, the
 * ClusterRbacConfig (or RbacConfig) named default and, when RBAC was on for the service, every
 * ServiceRole and ServiceRoleBinding of its namespace (including those 1.4 could not read).
 */
export function governing14(world: World, request: Request): KubeDoc[] {
  const service = serviceOf(world, request);
  const authn = authnPolicyFor(world, request)?.doc;
  const rbacObjects = world.policies.filter(
    (d) => (d.kind === 'ClusterRbacConfig' || d.kind === 'RbacConfig') && d.metadata.name === 'default',
  );
  const enabled = rbacEnabled(rbacConfig(world), fqdn(service), service.namespace);
  const roles = enabled
    ? world.policies.filter(
        (d) =>
          (d.kind === 'ServiceRole' || d.kind === 'ServiceRoleBinding') &&
          (d.metadata.namespace ?? 'default') === service.namespace,
      )
    : [];
  return [...(authn ? [authn] : []), ...rbacObjects, ...roles];
}
