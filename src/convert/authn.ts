/**
 * authentication.istio.io/v1alpha1 Policy and MeshPolicy to PeerAuthentication,
 * RequestAuthentication and AuthorizationPolicy, with the semantics of Google's
 * security-policy-migrate tool, made for this migration:
 * - no targets: one set of objects for the namespace (a MeshPolicy: the root namespace);
 *   each target: one set selecting the Service's workloads, named `<policy>-<service>`;
 * - peers: the first peer's mTLS mode (STRICT when `mtls` has no mode), PERMISSIVE without peers
 *   (DISABLE is avoided: it does not work with auto mTLS); target ports become portLevelMtls on
 *   the Service's target ports;
 * - origins: one RequestAuthentication with a jwtRule per issuer (the token forwarded upstream,
 *   as 1.4 did), and unless originIsOptional, a DENY AuthorizationPolicy for requests without a
 *   request principal; each trigger rule becomes one of its rules, its included and excluded
 *   paths the operation's paths and notPaths (prefix `p*`, suffix `*s`).
 */
import type { IstioConfig } from '../snapshot/model.ts';
import {
  type ConvertedObject,
  listOf,
  NotConvertible,
  type Raw,
  rawOf,
  type SourceRef,
  textOf,
  textsOf,
} from './model.ts';
import { refOf } from './rbac.ts';
import { type ServiceDirectory, selectorOf } from './services.ts';
import type { JwtRule, MtlsMode, Rule, WorkloadSelector } from './v1beta1.ts';

interface Scope {
  readonly name: string;
  readonly namespace: string;
  readonly selector: WorkloadSelector | undefined;
  /** Workload (target) ports, for port-level policies. */
  readonly ports: readonly number[];
  readonly what: string;
}

function targetPort(
  services: ServiceDirectory,
  namespace: string,
  serviceName: string,
  selector: Raw,
): number {
  const service = services.byName(namespace, serviceName);
  const number = typeof selector.number === 'number' ? selector.number : undefined;
  const name = textOf(selector.name);
  const port = service?.ports.find(
    (p) => (name !== undefined && p.name === name) || (number !== undefined && p.port === number),
  );
  const wanted = name !== undefined ? `name "${name}"` : `number ${number ?? '?'}`;
  if (!port)
    throw new NotConvertible(
      `target ${serviceName}: Service ${namespace}/${serviceName} has no port with ${wanted}`,
    );
  if (typeof port.targetPort === 'string') {
    throw new NotConvertible(
      `target ${serviceName}: port ${port.port} has the named targetPort "${port.targetPort}", which needs the pods' container ports to resolve`,
    );
  }
  return port.targetPort === undefined || port.targetPort === 0 ? port.port : port.targetPort;
}

function scopesOf(
  policy: IstioConfig,
  spec: Raw,
  services: ServiceDirectory,
  rootNamespace: string,
): Scope[] {
  const targets = listOf(spec.targets);
  if (policy.kind === 'MeshPolicy') {
    if (targets.length > 0) throw new NotConvertible('a MeshPolicy cannot have targets');
    return [
      {
        name: policy.metadata.name,
        namespace: rootNamespace,
        selector: undefined,
        ports: [],
        what: 'mesh-wide',
      },
    ];
  }
  // A Policy written without a namespace lands in default, as kubectl apply puts it.
  const namespace = policy.metadata.namespace ?? 'default';
  if (targets.length === 0) {
    return [
      {
        name: policy.metadata.name,
        namespace,
        selector: undefined,
        ports: [],
        what: `namespace ${namespace}`,
      },
    ];
  }
  const seen = new Set<string>();
  return targets.map((target) => {
    const serviceName = textOf(target.name);
    if (serviceName === undefined) throw new NotConvertible('a target has no name');
    if (seen.has(serviceName)) throw new NotConvertible(`target ${serviceName} is listed twice`);
    seen.add(serviceName);
    const service = services.byName(namespace, serviceName);
    if (!service)
      throw new NotConvertible(`target ${serviceName}: no Service ${namespace}/${serviceName} in the source`);
    if (textsOf(target.labels).length > 0 || Object.keys(rawOf(target.labels)).length > 0) {
      throw new NotConvertible(
        `target ${serviceName} has labels (subsets), which v1beta1 selectors do not express`,
      );
    }
    return {
      name: `${policy.metadata.name}-${serviceName}`,
      namespace,
      selector: { matchLabels: selectorOf(service) },
      ports: listOf(target.ports).map((port) => targetPort(services, namespace, serviceName, port)),
      what: `service ${serviceName}`,
    };
  });
}

function mtlsModeOf(spec: Raw): MtlsMode {
  const peers = listOf(spec.peers);
  const first = Array.isArray(spec.peers) ? (spec.peers as unknown[])[0] : undefined;
  if (first === undefined) return 'PERMISSIVE';
  const peer = rawOf(first);
  if ('jwt' in peer) throw new NotConvertible('a JWT peer method has no v1beta1 equivalent');
  if (!('mtls' in peer) || peers.length === 0)
    throw new NotConvertible('the peer method is neither mtls nor jwt');
  const mode = textOf(rawOf(peer.mtls).mode) ?? 'STRICT';
  if (mode !== 'STRICT' && mode !== 'PERMISSIVE')
    throw new NotConvertible(`mTLS mode "${mode}" is not STRICT or PERMISSIVE`);
  return mode;
}

function pathsOf(matchers: Raw[]): string[] {
  return matchers.map((matcher) => {
    const exact = textOf(matcher.exact);
    if (exact !== undefined) return exact;
    const prefix = textOf(matcher.prefix);
    if (prefix !== undefined) return `${prefix}*`;
    const suffix = textOf(matcher.suffix);
    if (suffix !== undefined) return `*${suffix}`;
    const regex = textOf(matcher.regex);
    if (regex !== undefined)
      throw new NotConvertible(`trigger rule path regex "${regex}" has no v1beta1 equivalent`);
    throw new NotConvertible('a trigger rule path has no exact, prefix or suffix');
  });
}

function jwtRuleOf(jwt: Raw): JwtRule {
  const issuer = textOf(jwt.issuer);
  if (issuer === undefined) throw new NotConvertible('a JWT origin has no issuer');
  const audiences = textsOf(jwt.audiences);
  const params = textsOf(jwt.jwtParams);
  const headers = textsOf(jwt.jwtHeaders);
  const jwksUri = textOf(jwt.jwksUri);
  const jwks = textOf(jwt.jwks);
  return {
    issuer,
    ...(audiences.length > 0 ? { audiences } : {}),
    ...(jwksUri !== undefined ? { jwksUri } : {}),
    ...(jwks !== undefined ? { jwks } : {}),
    ...(headers.length > 0 ? { fromHeaders: headers.map((name) => ({ name })) } : {}),
    ...(params.length > 0 ? { fromParams: params } : {}),
    // 1.4 forwarded the token to the application; 1.6 strips it unless told otherwise.
    forwardOriginalToken: true,
  };
}

export function convertAuthnPolicy(
  policy: IstioConfig,
  services: ServiceDirectory,
  rootNamespace: string,
): ConvertedObject[] {
  const spec = rawOf(policy.spec);
  const scopes = scopesOf(policy, spec, services, rootNamespace);
  const mode = mtlsModeOf(spec);
  const origins = listOf(spec.origins);
  const jwts = origins.map((origin) => rawOf(origin.jwt)).filter((jwt) => Object.keys(jwt).length > 0);
  const jwtRules = jwts.map(jwtRuleOf);
  const triggerRules = jwts.flatMap((jwt) => listOf(jwt.triggerRules));
  if (triggerRules.length > 0 && jwts.length > 1) {
    throw new NotConvertible(
      'trigger rules with several JWT issuers cannot be expressed by one AuthorizationPolicy',
    );
  }
  const triggers = triggerRules.map((trigger) => ({
    paths: pathsOf(listOf(trigger.includedPaths)),
    notPaths: pathsOf(listOf(trigger.excludedPaths)),
  }));
  const required = spec.originIsOptional !== true;
  const source: SourceRef = refOf(policy);
  const out: ConvertedObject[] = [];
  for (const scope of scopes) {
    const selector = scope.selector ? { selector: scope.selector } : {};
    const metadata = { name: scope.name, namespace: scope.namespace };
    const ports = [...new Set(scope.ports)];
    out.push({
      object: {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'PeerAuthentication',
        metadata,
        spec: {
          ...selector,
          ...(ports.length > 0
            ? { portLevelMtls: Object.fromEntries(ports.map((port) => [String(port), { mode }])) }
            : { mtls: { mode } }),
        },
      },
      sources: [source],
      purpose: `mTLS ${mode}, ${scope.what}`,
    });
    if (jwtRules.length === 0) continue;
    out.push({
      object: {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'RequestAuthentication',
        metadata,
        spec: { ...selector, jwtRules },
      },
      sources: [source],
      purpose: `JWT validation, ${scope.what}`,
    });
    if (!required) continue;
    const ruleFor = (paths: string[], notPaths: string[]): Rule => {
      const operation = {
        ...(paths.length > 0 ? { paths } : {}),
        ...(notPaths.length > 0 ? { notPaths } : {}),
        ...(ports.length > 0 ? { ports: ports.map(String) } : {}),
      };
      return {
        from: [{ source: { notRequestPrincipals: ['*'] } }],
        ...(Object.keys(operation).length > 0 ? { to: [{ operation }] } : {}),
      };
    };
    const rules = triggers.length > 0 ? triggers.map((t) => ruleFor(t.paths, t.notPaths)) : [ruleFor([], [])];
    out.push({
      object: {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'AuthorizationPolicy',
        metadata,
        spec: { ...selector, action: 'DENY', rules },
      },
      sources: [source],
      purpose: `requests without a valid JWT are denied, ${scope.what}`,
    });
  }
  return out;
}
