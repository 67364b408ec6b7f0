/**
 * authentication.istio.io/v1alpha1 Policy and MeshPolicy to PeerAuthentication,
 * RequestAuthentication and AuthorizationPolicy (the shape of Google's security-policy-migrate
 * tool), checked against how Istio 1.4 applied them:
 * - 1.4 applied exactly one Policy to each service port: one targeting the service and port, else
 *   one targeting the service, else the namespace's, else the MeshPolicy named default
 *   (pilot/pkg/model/push_context.go:939-989, 1225-1266 at 1.4.10). v1beta1 merges instead:
 *   PeerAuthentication by the most specific level (which preserves 1.4's choice), but every
 *   RequestAuthentication and DENY policy that selects a workload applies to it. A Policy whose JWT
 *   settings would reach a service port 1.4 gave another Policy with different ones is refused.
 * - peers: the first mtls peer's mode (STRICT when empty); without one, PERMISSIVE (DISABLE would
 *   fight auto mTLS; 1.4 served plaintext only there). Port targets become portLevelMtls on the
 *   Service's target ports; all Policies of one service become one PeerAuthentication.
 * - origins: a RequestAuthentication (the token forwarded, as 1.4 did) and, unless
 *   originIsOptional, a DENY policy for requests without a request principal, on the paths the
 *   trigger rules name, never for CORS preflights (which 1.4's origin authenticator let through,
 *   proxy src/envoy/http/authn/origin_authenticator.cc:60-66).
 */
import type { IstioConfig, Service } from '../snapshot/model.ts';
import {
  type ConversionProblem,
  ConversionReports,
  type ConvertedObject,
  describeSource,
  NotConvertible,
  type SourceRef,
} from './model.ts';
import { decodePolicy, type Jwt, type PolicySpec, type StringMatch } from './proto.ts';
import { labelText, namespaceOf, type ServiceDirectory, selectorOf, targetPortOf } from './services.ts';
import type { Condition, JwtRule, MtlsMode, Operation, Rule } from './v1beta1.ts';

type ServicePort = Service['ports'][number];

export interface AuthnPolicy {
  readonly ref: SourceRef;
  readonly level: 'mesh' | 'namespace' | 'workload';
  readonly namespace: string;
  readonly name: string;
  readonly spec: PolicySpec;
}

/** A Policy's targets resolved to the Services of the source: which ports of each it takes. */
interface Targets {
  /** Service key -> undefined for every port, else the ports named. */
  readonly ports: Map<string, Set<ServicePort> | undefined>;
}

export interface AuthnAnalysis {
  /** The Policy Istio 1.4 applied to this port of this Service (undefined: none, plaintext, no filter). */
  effective(service: Service, port: ServicePort): AuthnPolicy | undefined;
  /** Whether meshready refused this Policy (its objects are not written). */
  refused(policy: AuthnPolicy): boolean;
}

export interface AuthnResult {
  readonly objects: ConvertedObject[];
  readonly problems: ConversionProblem[];
  readonly skipped: ConversionProblem[];
  readonly warnings: ConversionProblem[];
  readonly analysis: AuthnAnalysis;
}

const serviceKey = (s: Service) => `${namespaceOf(s)}/${s.metadata.name}`;

function refOf(object: IstioConfig): SourceRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

/** ResolveShortnameToFQDN (pilot/pkg/model/config.go:277-299): a name without a dot is in the Policy's namespace. */
function targetHost(name: string, namespace: string): string {
  return name === '*' || name.includes('.') ? name : `${name}.${namespace}.svc.cluster.local`;
}

function mtlsMode(policy: AuthnPolicy): MtlsMode {
  // GetMutualTLS (pilot/pkg/security/authn/v1alpha1/policy_applier.go:59-77): the first peer with mtls set.
  for (const peer of policy.spec.peers) {
    if (peer.jwt !== undefined) throw new NotConvertible('a JWT peer method has no v1beta1 equivalent');
    if (peer.mtls === undefined) continue;
    const mode = peer.mtls.mode;
    if (mode !== 'STRICT' && mode !== 'PERMISSIVE') {
      throw new NotConvertible(`mTLS mode ${JSON.stringify(mode)} is not STRICT or PERMISSIVE`);
    }
    return mode;
  }
  return 'PERMISSIVE';
}

const EXCHANGED_TOKEN_HEADER = 'ingress-authorization';

function jwtRuleOf(jwt: Jwt): JwtRule {
  if (jwt.issuer === '') throw new NotConvertible('a JWT origin has no issuer');
  if (jwt.jwtHeaders.length === 1 && jwt.jwtHeaders[0]?.toLowerCase() === EXCHANGED_TOKEN_HEADER) {
    throw new NotConvertible(
      `JWT issuer ${jwt.issuer} reads exchanged tokens from ${EXCHANGED_TOKEN_HEADER} (their original_claims), which 1.6 does not`,
    );
  }
  return {
    issuer: jwt.issuer,
    ...(jwt.audiences.length > 0 ? { audiences: [...jwt.audiences] } : {}),
    ...(jwt.jwksUri !== '' ? { jwksUri: jwt.jwksUri } : {}),
    ...(jwt.jwks !== '' ? { jwks: jwt.jwks } : {}),
    ...(jwt.jwtHeaders.length > 0 ? { fromHeaders: jwt.jwtHeaders.map((name) => ({ name })) } : {}),
    ...(jwt.jwtParams.length > 0 ? { fromParams: [...jwt.jwtParams] } : {}),
    // 1.4 forwarded the token to the application (policy_applier.go:112); 1.6 strips it unless told.
    forwardOriginalToken: true,
  };
}

/**
 * A trigger path as 1.6 `paths` (matched against the path without its query, as 1.4's trigger
 * rules were: proxy origin_authenticator.cc:68-76). Undefined for a matcher that never matches.
 */
function triggerPath(match: StringMatch): string | undefined {
  if (match.regex !== undefined) {
    throw new NotConvertible(`trigger rule path regex "${match.regex}" has no v1beta1 equivalent`);
  }
  if (match.exact !== undefined) return match.exact === '' ? undefined : match.exact;
  if (match.prefix !== undefined) return `${match.prefix}*`;
  if (match.suffix !== undefined) return `*${match.suffix}`;
  return undefined;
}

/** The paths a Policy requires a token on: undefined for every path, else one operation per trigger rule. */
function triggerOperations(spec: PolicySpec): Operation[] | undefined {
  const jwts = spec.origins.map((o) => o.jwt);
  const withTriggers = jwts.filter((j) => j !== undefined && j.triggerRules.length > 0);
  if (withTriggers.length === 0) return undefined;
  if (jwts.length > 1) {
    throw new NotConvertible(
      'trigger rules with several JWT issuers cannot be expressed by one AuthorizationPolicy',
    );
  }
  const operations: Operation[] = [];
  for (const rule of withTriggers[0]?.triggerRules ?? []) {
    const included = rule.includedPaths.map(triggerPath);
    const paths = included.filter((p): p is string => p !== undefined);
    // Included paths that never match leave the rule matching nothing (authn_utils.cc matchRule).
    if (rule.includedPaths.length > 0 && paths.length === 0) continue;
    const notPaths = rule.excludedPaths.map(triggerPath).filter((p): p is string => p !== undefined);
    operations.push({
      ...(paths.length > 0 ? { paths } : {}),
      ...(notPaths.length > 0 ? { notPaths } : {}),
    });
  }
  return operations;
}

/** What makes two Policies alike for RequestAuthentication and the DENY policy. */
function jwtSignature(spec: PolicySpec): string {
  if (spec.origins.length === 0) return '';
  const origins = spec.origins.map((o) => JSON.stringify(o.jwt ?? {})).sort();
  return JSON.stringify({ origins, optional: spec.originIsOptional });
}

/**
 * The rules a DENY policy needs to deny requests without a request principal, except CORS
 * preflights: "not a preflight" is method != OPTIONS, or no Origin, or no
 * Access-Control-Request-Method (origin_authenticator.cc:33-40), three rules each.
 */
export function requireJwtRules(
  operations: readonly Operation[] | undefined,
  ports: readonly string[],
  tcpPorts: readonly string[] = [],
): Rule[] {
  const from = [{ source: { notRequestPrincipals: ['*'] } }];
  const rules: Rule[] = [];
  // 1.4's authn filter only ran on HTTP; a 1.6 DENY rule drops its HTTP-only parts on a TCP port
  // and then denies everything there (1.6 pilot/pkg/security/authz/model/model.go:292-302, 222-224).
  const http = ports.filter((p) => !tcpPorts.includes(p));
  if (ports.length > 0 && http.length === 0) return [];
  const portSpec: Partial<Operation> =
    ports.length > 0 ? { ports: http } : tcpPorts.length > 0 ? { notPorts: [...tcpPorts] } : {};
  for (const base of operations ?? [{}]) {
    const operation: Operation = { ...base, ...portSpec };
    const to = (extra: Partial<Operation>) => {
      const merged = { ...operation, ...extra };
      return Object.keys(merged).length > 0 ? { to: [{ operation: merged }] } : {};
    };
    const absent = (header: string): Condition => ({ key: `request.headers[${header}]`, notValues: ['*'] });
    rules.push(
      { from, ...to({ notMethods: ['OPTIONS'] }) },
      { from, ...to({}), when: [absent('origin')] },
      { from, ...to({}), when: [absent('access-control-request-method')] },
    );
  }
  return rules;
}

/** Whether 1.4 served a Service port as HTTP: its name's protocol (pkg/config/protocol/instance.go:54-81); inbound sniffing was off. */
export function isHttpPort(port: ServicePort): boolean {
  const prefix = (port.name ?? '').split('-')[0]?.toLowerCase() ?? '';
  return prefix === 'http' || prefix === 'http2' || prefix === 'grpc';
}

/** The workload ports 1.4 served as TCP (no JWT there) and as HTTP behind these Services; undefined when one is a named targetPort. */
function portsByProtocol(services: readonly Service[]): { tcp?: string[]; http?: string[] } {
  const tcp = new Set<string>();
  const http = new Set<string>();
  let tcpKnown = true;
  let httpKnown = true;
  for (const service of services) {
    for (const port of service.ports) {
      const set = isHttpPort(port) ? http : tcp;
      try {
        set.add(String(targetPortOf(service, port)));
      } catch (error) {
        if (!(error instanceof NotConvertible)) throw error;
        if (set === tcp) tcpKnown = false;
        else httpKnown = false;
      }
    }
  }
  return {
    ...(tcpKnown ? { tcp: [...tcp].sort() } : {}),
    ...(httpKnown ? { http: [...http].sort() } : {}),
  };
}

interface Options {
  readonly rootNamespace: string;
  readonly ignoreUnknownFields: boolean;
}

/** Read each Policy as 1.4 did; those 1.4 could not read are refused and play no part. */
function readPolicies(
  objects: readonly IstioConfig[],
  options: Options,
  reports: ConversionReports,
): AuthnPolicy[] {
  const out: AuthnPolicy[] = [];
  for (const object of objects) {
    const ref = refOf(object);
    if (object.kind === 'MeshPolicy' && object.metadata.name !== 'default') {
      reports.skipped.push({ source: ref, reason: 'Istio 1.4 only reads the MeshPolicy named default' });
      continue;
    }
    let decoded: ReturnType<typeof decodePolicy>;
    try {
      decoded = decodePolicy(object.spec);
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      reports.refuse(ref, error.message);
      continue;
    }
    const policy: AuthnPolicy = {
      ref,
      level:
        object.kind === 'MeshPolicy' ? 'mesh' : decoded.spec.targets.length > 0 ? 'workload' : 'namespace',
      namespace: object.kind === 'MeshPolicy' ? '' : (object.metadata.namespace ?? 'default'),
      name: object.metadata.name,
      spec: decoded.spec,
    };
    // 1.4 did use an object with unknown fields, without them: it takes part either way.
    out.push(policy);
    if (decoded.unknownFields.length > 0 && !options.ignoreUnknownFields) {
      reports.refuse(ref, unknownFieldsReason(decoded.unknownFields));
    }
  }
  return out;
}

export function unknownFieldsReason(fields: readonly string[]): string {
  return `${fields.join(', ')} ${fields.length > 1 ? 'are not fields' : 'is not a field'} Istio 1.4 knew (it ignored ${fields.length > 1 ? 'them' : 'it'}; a typo?); use --ignore-unknown-fields to convert the object as 1.4 read it`;
}

function resolveTargets(
  policy: AuthnPolicy,
  services: ServiceDirectory,
  reports: ConversionReports,
): Targets {
  const ports = new Map<string, Set<ServicePort> | undefined>();
  for (const target of policy.spec.targets) {
    const host = targetHost(target.name, policy.namespace);
    const service = services.byFqdn(host);
    if (!service) {
      reports.warn(
        policy.ref,
        `target "${target.name}" names no Service in the source (Istio 1.4 applied the Policy to the hostname ${host} only); it is left out`,
      );
      continue;
    }
    if (Object.keys(target.labels).length > 0) {
      reports.warn(
        policy.ref,
        `the labels of target ${target.name} (${labelText(target.labels)}) are left out: Istio 1.4 ignored them and applied the Policy to every pod of the service (pilot/pkg/security/authn/factory/factory.go)`,
      );
    }
    const key = serviceKey(service);
    if (target.ports.length === 0) {
      ports.set(key, undefined);
      continue;
    }
    if (ports.has(key) && ports.get(key) === undefined) continue;
    const set = ports.get(key) ?? new Set<ServicePort>();
    for (const selector of target.ports) {
      // Port.Match (pilot/pkg/model/service.go:467-479): by name, else by (service) port number.
      const port = service.ports.find((p) =>
        selector.name !== undefined ? p.name === selector.name : p.port === selector.number,
      );
      if (port) set.add(port);
      else {
        const wanted =
          selector.name !== undefined ? `name "${selector.name}"` : `number ${selector.number ?? '(none)'}`;
        reports.warn(
          policy.ref,
          `target ${target.name}: the Service has no port with ${wanted}, so it matched nothing in Istio 1.4`,
        );
      }
    }
    ports.set(key, set);
  }
  return { ports };
}

export function convertAuthn(
  sourceObjects: readonly IstioConfig[],
  services: ServiceDirectory,
  options: Options,
): AuthnResult {
  const reports = new ConversionReports();
  const policies = readPolicies(sourceObjects, options, reports);
  const targets = new Map<AuthnPolicy, Targets>();
  for (const policy of policies) {
    if (policy.level === 'workload') targets.set(policy, resolveTargets(policy, services, reports));
  }
  const mesh = policies.find((p) => p.level === 'mesh');
  const namespaceLevel = new Map<string, AuthnPolicy[]>();
  for (const policy of policies.filter((p) => p.level === 'namespace')) {
    namespaceLevel.set(policy.namespace, [...(namespaceLevel.get(policy.namespace) ?? []), policy]);
  }
  for (const list of namespaceLevel.values()) {
    if (list.length < 2) continue;
    for (const policy of list) {
      reports.refuse(
        policy.ref,
        `Policies ${list.map((p) => p.name).join(' and ')} both apply to namespace ${policy.namespace}; which one Istio 1.4 used depends on their creation order, which the source does not keep`,
      );
    }
  }

  /** authenticationPolicyForWorkload (push_context.go:1248-1266), refusing what depends on creation order. */
  const effective = (service: Service, port: ServicePort): AuthnPolicy | undefined => {
    const key = serviceKey(service);
    const onService = policies.filter((p) => targets.get(p)?.ports.has(key));
    const byPort = onService.filter((p) => targets.get(p)?.ports.get(key)?.has(port));
    const whole = onService.filter((p) => targets.get(p)?.ports.get(key) === undefined);
    const candidates = byPort.length > 0 ? byPort : whole;
    if (candidates.length > 1) {
      for (const policy of candidates) {
        reports.refuse(
          policy.ref,
          `Policies ${candidates.map((p) => p.name).join(' and ')} all target service ${service.metadata.name} port ${port.port}; which one Istio 1.4 used depends on their creation order, which the source does not keep`,
        );
      }
    }
    if (candidates[0]) return candidates[0];
    return namespaceLevel.get(namespaceOf(service))?.[0] ?? mesh;
  };

  // Per-Policy checks that do not depend on the others.
  for (const policy of policies) {
    try {
      mtlsMode(policy);
      policy.spec.origins.forEach((o) => {
        jwtRuleOf(o.jwt ?? ({ issuer: '' } as Jwt));
      });
      triggerOperations(policy.spec);
      if (
        policy.spec.principalBinding === 'USE_ORIGIN' &&
        policy.spec.origins.length === 0 &&
        policy.spec.peers.some((p) => p.mtls !== undefined || p.jwt !== undefined)
      ) {
        throw new NotConvertible(
          'principalBinding USE_ORIGIN without origins: Istio 1.4 rejected every request it applied to (proxy origin_authenticator.cc:47-58), which is not meant to be kept; fix the Policy first',
        );
      }
      if (typeof policy.spec.principalBinding === 'number') {
        throw new NotConvertible(
          `principalBinding ${policy.spec.principalBinding} is not USE_PEER or USE_ORIGIN`,
        );
      }
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      reports.refuse(policy.ref, error.message);
    }
    const jwtAnywhere = policy.spec.origins.length > 0;
    const partly =
      policy.spec.originIsOptional || policy.spec.origins.some((o) => (o.jwt?.triggerRules.length ?? 0) > 0);
    if (jwtAnywhere && partly) {
      reports.warn(
        policy.ref,
        `Istio 1.6 rejects a request whose token does not validate (expired, other issuer or audience) on every path, also where 1.4 ${policy.spec.originIsOptional ? '(originIsOptional) let it through without a principal' : '(trigger rules) did not look at it'}; see docs/convert.md`,
      );
    }
  }

  // Cross-Policy checks: JWT settings reach every port of a selected workload in v1beta1.
  const effectiveByService = new Map<string, Map<ServicePort, AuthnPolicy | undefined>>();
  for (const service of services.all()) {
    const byPort = new Map<ServicePort, AuthnPolicy | undefined>();
    for (const port of service.ports) byPort.set(port, effective(service, port));
    effectiveByService.set(serviceKey(service), byPort);
  }
  const servicesOf = (policy: AuthnPolicy): Service[] => {
    if (policy.level === 'mesh') return services.all();
    if (policy.level === 'namespace') return [...services.inNamespace(policy.namespace)];
    const keys = targets.get(policy)?.ports ?? new Map();
    return services.all().filter((s) => keys.has(serviceKey(s)));
  };
  for (const service of services.all()) {
    // Policies whose RequestAuthentication / DENY select this service's pods in 1.6.
    const sharing = [service, ...services.sharingWorkloads(service)];
    const reaching = policies.filter(
      (p) => p.spec.origins.length > 0 && servicesOf(p).some((s) => sharing.includes(s)),
    );
    for (const [port, eff] of effectiveByService.get(serviceKey(service)) ?? []) {
      const wanted = eff ? jwtSignature(eff.spec) : '';
      for (const policy of reaching) {
        if (jwtSignature(policy.spec) === wanted) continue;
        reports.refuse(
          policy.ref,
          `its JWT settings would also apply to service ${namespaceOf(service)}/${service.metadata.name} port ${port.port}, where Istio 1.4 applied ${eff ? describeSource(eff.ref) : 'no Policy'} instead (v1beta1 applies every RequestAuthentication and DENY policy that selects a workload, on all its ports)`,
        );
      }
    }
  }
  // Workload-level PeerAuthentications: one per pod in 1.6, so Services sharing pods must agree.
  for (const service of services.all()) {
    const own = effectiveByService.get(serviceKey(service));
    for (const other of services.sharingWorkloads(service)) {
      const theirs = effectiveByService.get(serviceKey(other));
      const targeted = [...(own?.values() ?? []), ...(theirs?.values() ?? [])].filter(
        (p): p is AuthnPolicy => p?.level === 'workload',
      );
      const distinct = new Set([...(own?.values() ?? []), ...(theirs?.values() ?? [])]);
      if (targeted.length === 0 || distinct.size < 2) continue;
      for (const policy of targeted) {
        reports.refuse(
          policy.ref,
          `services ${service.metadata.name} and ${other.metadata.name} may select the same pods (selectors ${labelText(service.selector ?? {})} and ${labelText(other.selector ?? {})}), to which Istio 1.4 applied different Policies per port; v1beta1 selects pods`,
        );
      }
    }
  }
  // A selector in the root namespace reaches matching pods of every namespace in 1.6.
  for (const policy of policies.filter((p) => p.level === 'workload' && p.spec.origins.length > 0)) {
    for (const service of servicesOf(policy)) {
      if (namespaceOf(service) !== options.rootNamespace || !service.selector) continue;
      const elsewhere = services.outsideNamespaceMatching(options.rootNamespace, service.selector);
      if (elsewhere.length === 0) continue;
      reports.refuse(
        policy.ref,
        `in the root namespace ${options.rootNamespace}, the selector of ${service.metadata.name} (${labelText(service.selector)}) would also select the pods of ${elsewhere.map((s) => `${namespaceOf(s)}/${s.metadata.name}`).join(', ')}`,
      );
    }
  }

  const objects = emit(policies, services, options, reports, targets, effectiveByService);
  return {
    objects,
    problems: [...reports.problems.values()],
    skipped: reports.skipped,
    warnings: reports.warnings,
    analysis: {
      effective: (service, port) => effectiveByService.get(serviceKey(service))?.get(port),
      refused: (policy) => reports.refused(policy.ref),
    },
  };
}

function emit(
  policies: readonly AuthnPolicy[],
  services: ServiceDirectory,
  options: Options,
  reports: ConversionReports,
  targets: Map<AuthnPolicy, Targets>,
  effectiveByService: Map<string, Map<ServicePort, AuthnPolicy | undefined>>,
): ConvertedObject[] {
  const out: ConvertedObject[] = [];
  const live = policies.filter((p) => !reports.refused(p.ref));
  const object = (
    kind: 'PeerAuthentication' | 'RequestAuthentication' | 'AuthorizationPolicy',
    name: string,
    namespace: string,
    spec: Record<string, unknown>,
    sources: SourceRef[],
    purpose: string,
  ): ConvertedObject =>
    ({
      object: { apiVersion: 'security.istio.io/v1beta1', kind, metadata: { name, namespace }, spec },
      sources,
      purpose,
    }) as ConvertedObject;

  // Mesh and namespace levels: one set of objects each, without a selector.
  for (const policy of live.filter((p) => p.level !== 'workload')) {
    const namespace = policy.level === 'mesh' ? options.rootNamespace : policy.namespace;
    const scope = policy.level === 'mesh' ? services.all() : [...services.inNamespace(policy.namespace)];
    const tcpPorts = portsByProtocol(scope).tcp;
    if (tcpPorts === undefined && requiresJwt(policy)) {
      reports.refuse(
        policy.ref,
        `a TCP port of its Services has a named targetPort, which the JWT requirement must leave out (1.4 checked JWTs on HTTP only) and which needs the pods' container ports to resolve`,
      );
      continue;
    }
    const what = policy.level === 'mesh' ? 'mesh-wide' : `namespace ${namespace}`;
    const mode = mtlsMode(policy);
    out.push(
      object(
        'PeerAuthentication',
        policy.name,
        namespace,
        { mtls: { mode } },
        [policy.ref],
        `mTLS ${mode}, ${what}`,
      ),
    );
    out.push(...jwtObjects(policy, policy.name, namespace, undefined, [], tcpPorts ?? [], what, object));
  }

  // Workload level: per Service, one PeerAuthentication for all the Policies that target it.
  for (const service of services.all()) {
    const byPort = effectiveByService.get(serviceKey(service));
    const mine = live.filter((p) => targets.get(p)?.ports.has(serviceKey(service)));
    if (mine.length === 0 || !byPort) continue;
    const namespace = namespaceOf(service);
    const whole = mine.find((p) => targets.get(p)?.ports.get(serviceKey(service)) === undefined);
    let selector: Record<string, string>;
    try {
      selector = selectorOf(service);
      // Port-level settings need the target ports of the ports they name.
      for (const [port, eff] of byPort) {
        if (eff && eff !== whole && mine.includes(eff)) targetPortOf(service, port);
      }
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      for (const policy of mine) reports.refuse(policy.ref, error.message);
      continue;
    }
    // The DENY policy covers the ports a Policy had, unless it had them all (and no other Service
    // fronts the pods). Resolved first: a Policy refused here must not be part of the PeerAuthentication.
    const denyPorts = new Map<AuthnPolicy, { ports: string[]; tcpPorts: string[] }>();
    for (const policy of mine) {
      const own = [...byPort].filter(([, eff]) => eff === policy).map(([port]) => port);
      if (own.length === 0) continue;
      const sharing = services.sharingWorkloads(service);
      const everyPort = own.length === byPort.size && sharing.length === 0;
      try {
        let ports = everyPort ? [] : [...new Set(own.map((port) => String(targetPortOf(service, port))))];
        const byProtocol = requiresJwt(policy) ? portsByProtocol([service, ...sharing]) : { tcp: [] };
        if (byProtocol.tcp === undefined) {
          // The TCP ports cannot be left out by number: name the HTTP ones instead.
          if (byProtocol.http === undefined) {
            throw new NotConvertible(
              `ports of service ${service.metadata.name} have named targetPorts, so the JWT requirement cannot be kept to its HTTP ports (1.4 checked JWTs on HTTP only)`,
            );
          }
          const http = byProtocol.http;
          ports = ports.length > 0 ? ports.filter((p) => http.includes(p)) : http;
          if (ports.length === 0) continue;
        }
        denyPorts.set(policy, { ports, tcpPorts: byProtocol.tcp ?? [] });
      } catch (error) {
        if (!(error instanceof NotConvertible)) throw error;
        reports.refuse(policy.ref, error.message);
      }
    }
    const kept = mine.filter((p) => !reports.refused(p.ref));
    const first = kept.includes(whole as AuthnPolicy) ? whole : kept[0];
    if (!first) continue;
    const what = `service ${service.metadata.name}`;
    if (namespace === options.rootNamespace) {
      // 1.6 ignores workload-level PeerAuthentications in the root namespace (policy_applier.go:396-402).
      reports.warn(
        first.ref,
        `no PeerAuthentication is written for ${what}: Istio 1.6 ignores one with a selector in the root namespace, so its mTLS follows the mesh-wide policy (1.4 did not apply mTLS settings to gateways either)`,
      );
    } else {
      const spec: Record<string, unknown> = { selector: { matchLabels: selector } };
      if (whole && kept.includes(whole)) spec.mtls = { mode: mtlsMode(whole) };
      const ports = Object.fromEntries(
        [...byPort]
          .filter(([, eff]) => eff !== undefined && eff !== whole && kept.includes(eff))
          .map(([port, eff]) => [
            String(targetPortOf(service, port)),
            { mode: mtlsMode(eff as AuthnPolicy) },
          ]),
      );
      if (Object.keys(ports).length > 0) spec.portLevelMtls = ports;
      const sources = [...new Set([first, ...kept])].map((p) => p.ref);
      out.push(
        object(
          'PeerAuthentication',
          `${first.name}-${service.metadata.name}`,
          namespace,
          spec,
          sources,
          `mTLS ${describeModes(spec)}, ${what}`,
        ),
      );
    }
    for (const policy of kept) {
      const deny = denyPorts.get(policy);
      if (deny === undefined) continue;
      out.push(
        ...jwtObjects(
          policy,
          `${policy.name}-${service.metadata.name}`,
          namespace,
          selector,
          deny.ports,
          deny.tcpPorts,
          what,
          object,
        ),
      );
    }
  }
  return out;
}

function describeModes(spec: Record<string, unknown>): string {
  const parts: string[] = [];
  const mtls = spec.mtls as { mode: string } | undefined;
  if (mtls) parts.push(mtls.mode);
  const ports = (spec.portLevelMtls ?? {}) as Record<string, { mode: string }>;
  for (const [port, m] of Object.entries(ports)) parts.push(`${m.mode} on port ${port}`);
  return parts.join(', ');
}

function jwtObjects(
  policy: AuthnPolicy,
  name: string,
  namespace: string,
  selector: Record<string, string> | undefined,
  ports: readonly string[],
  tcpPorts: readonly string[],
  what: string,
  object: (
    kind: 'PeerAuthentication' | 'RequestAuthentication' | 'AuthorizationPolicy',
    name: string,
    namespace: string,
    spec: Record<string, unknown>,
    sources: SourceRef[],
    purpose: string,
  ) => ConvertedObject,
): ConvertedObject[] {
  if (policy.spec.origins.length === 0) return [];
  const selectorSpec = selector ? { selector: { matchLabels: selector } } : {};
  const jwtRules = policy.spec.origins.map((o) => jwtRuleOf(o.jwt ?? ({ issuer: '' } as Jwt)));
  const out = [
    object(
      'RequestAuthentication',
      name,
      namespace,
      { ...selectorSpec, jwtRules },
      [policy.ref],
      `JWT validation, ${what}`,
    ),
  ];
  if (!requiresJwt(policy)) return out;
  const operations = triggerOperations(policy.spec);
  const rules = requireJwtRules(operations, ports, tcpPorts);
  if (rules.length === 0) return out;
  out.push(
    object(
      'AuthorizationPolicy',
      name,
      namespace,
      { ...selectorSpec, action: 'DENY', rules },
      [policy.ref],
      `requests without a valid JWT are denied (CORS preflights excepted, as in 1.4)${ports.length > 0 ? ` on port ${ports.join(', ')}` : ''}${tcpPorts.length > 0 ? `, not on TCP port ${tcpPorts.join(', ')}` : ''}, ${what}`,
    ),
  );
  return out;
}

/** A DENY policy is needed: origins, not optional, and trigger rules that can match. */
function requiresJwt(policy: AuthnPolicy): boolean {
  if (policy.spec.origins.length === 0 || policy.spec.originIsOptional) return false;
  try {
    const operations = triggerOperations(policy.spec);
    return operations === undefined || operations.length > 0;
  } catch {
    return false;
  }
}

export function effectiveBinding(policy: AuthnPolicy | undefined): 'USE_PEER' | 'USE_ORIGIN' {
  return policy?.spec.principalBinding === 'USE_ORIGIN' ? 'USE_ORIGIN' : 'USE_PEER';
}
