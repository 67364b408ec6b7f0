/**
 * rbac.istio.io/v1alpha1 ServiceRole, ServiceRoleBinding and ClusterRbacConfig (or RbacConfig) to
 * AuthorizationPolicy (the shape of Istio 1.5's `istioctl x authz convert`), with Istio 1.4's
 * meaning (pilot/pkg/security/authz/model/*.go at 1.4.10, cited below as file:line):
 * - a ServiceRole rule applies to the services whose hostname its `services` match, and to the
 *   pods whose labels its destination.labels constraints match; each binding becomes one ALLOW
 *   policy per workload selector (`*` in a fully enforced namespace: no selector);
 * - what 1.4 ANDs stays in one v1beta1 rule (a second constraint on one attribute is a `when`
 *   condition, never a longer list that ORs); one rule per (access rule, subject) pair;
 * - subjects keep 1.4's meaning: `*` and allUsers match any request, allAuthenticatedUsers any
 *   mTLS peer, request.auth.principal follows the principalBinding of the Policy 1.4 applied;
 * - ClusterRbacConfig becomes the deny-by-default policies: ON, mesh-wide in the root namespace;
 *   ON_WITH_INCLUSION, one per included namespace and service; ON_WITH_EXCLUSION, mesh-wide plus an
 *   allow-all per excluded namespace and service. Inclusion and exclusion compare hostnames
 *   exactly (pilot/pkg/model/authorization.go:268-283).
 */
import type { IstioConfig, Service } from '../snapshot/model.ts';
import { type AuthnAnalysis, type AuthnPolicy, effectiveBinding, unknownFieldsReason } from './authn.ts';
import {
  type ConversionProblem,
  ConversionReports,
  type ConvertedObject,
  type ConvertOptions,
  NotConvertible,
  type SourceRef,
} from './model.ts';
import {
  type AccessRule,
  decodeRbacConfig,
  decodeServiceRole,
  decodeServiceRoleBinding,
  type RbacConfigSpec,
  type ServiceRoleBindingSpec,
  type ServiceRoleSpec,
  type Subject,
} from './proto.ts';
import {
  compatible,
  fqdnOf,
  type Labels,
  labelText,
  looksLikeHostPattern,
  namespaceOf,
  type ServiceDirectory,
  selectorOf,
  sortedLabels,
  stringMatch14,
  targetPortOf,
} from './services.ts';
import { CONDITION_KEY, type Condition, type Operation, type Rule, type Source } from './v1beta1.ts';

export interface RbacResult {
  objects: ConvertedObject[];
  problems: ConversionProblem[];
  skipped: ConversionProblem[];
  warnings: ConversionProblem[];
}

export function refOf(object: IstioConfig): SourceRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

const byNamespaceAndName = (a: IstioConfig, b: IstioConfig): number =>
  `${a.metadata.namespace ?? ''}/${a.metadata.name}` < `${b.metadata.namespace ?? ''}/${b.metadata.name}`
    ? -1
    : 1;

/** Which services 1.4 enforced RBAC for: IsRBACEnabled (pilot/pkg/model/authorization.go:114-130). */
interface Enforcement {
  readonly ref: SourceRef | undefined;
  readonly mode: 'ON' | 'ON_WITH_INCLUSION' | 'ON_WITH_EXCLUSION';
  readonly namespaces: readonly string[];
  readonly hostnames: readonly string[];
}

function enforced(enforcement: Enforcement, service: Service): boolean {
  const listed =
    enforcement.namespaces.includes(namespaceOf(service)) || enforcement.hostnames.includes(fqdnOf(service));
  if (enforcement.mode === 'ON') return true;
  return enforcement.mode === 'ON_WITH_INCLUSION' ? listed : !listed;
}

/** Whether every service of a namespace, known to the source or not, was enforced. */
function namespaceEnforced(enforcement: Enforcement, namespace: string): boolean {
  if (enforcement.mode === 'ON') return true;
  const listed = enforcement.namespaces.includes(namespace);
  return enforcement.mode === 'ON_WITH_INCLUSION' ? listed : !listed;
}

type PolicySpec = Record<string, unknown>;

function authorizationPolicy(
  name: string,
  namespace: string,
  spec: PolicySpec,
  sources: SourceRef[],
  purpose: string,
): ConvertedObject {
  return {
    object: {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'AuthorizationPolicy',
      metadata: { name, namespace },
      spec,
    },
    sources,
    purpose,
  } as ConvertedObject;
}

/** A DNS-1123 name from parts (lower case, dashes, at most 253 characters). */
function nameOf(...parts: string[]): string {
  const name = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return name.slice(0, 253).replace(/[-.]+$/, '') || 'policy';
}

/**
 * The workload ports a per-service policy must be limited to: none when the service's pods front
 * no other Service, else its target ports. Refused when another such Service forwards to one of
 * them (1.4 applied one of the two Services' rules to that port; which one is not defined).
 */
function portScope(service: Service, services: ServiceDirectory): string[] | undefined {
  const others = services.sharingWorkloads(service);
  if (others.length === 0) return undefined;
  const mine = service.ports.map((p) => targetPortOf(service, p));
  for (const other of others) {
    const theirs = other.ports.map((p) => targetPortOf(other, p));
    const both = mine.filter((p) => theirs.includes(p));
    if (both.length > 0) {
      throw new NotConvertible(
        `services ${service.metadata.name} and ${other.metadata.name} may select the same pods and both forward to port ${both[0]}; which Service's rules Istio 1.4 applied there is not defined`,
      );
    }
  }
  return [...new Set(mine.map(String))];
}

function rootLeak(
  namespace: string,
  selector: Labels,
  services: ServiceDirectory,
  rootNamespace: string,
): void {
  if (namespace !== rootNamespace) return;
  const elsewhere = services.outsideNamespaceMatching(rootNamespace, selector);
  if (elsewhere.length > 0) {
    throw new NotConvertible(
      `in the root namespace ${rootNamespace} a selector (${labelText(selector)}) also selects the pods of ${elsewhere
        .map((s) => `${namespaceOf(s)}/${s.metadata.name}`)
        .join(', ')} in Istio 1.6`,
    );
  }
}

/** The deny-by-default and allow-all policies a ClusterRbacConfig stands for. */
function modePolicies(
  enforcement: Enforcement,
  ref: SourceRef,
  services: ServiceDirectory,
  rootNamespace: string,
): ConvertedObject[] {
  const out: ConvertedObject[] = [];
  const { mode } = enforcement;
  if (mode === 'ON' || mode === 'ON_WITH_EXCLUSION') {
    out.push(
      authorizationPolicy(
        'global-deny-by-default',
        rootNamespace,
        {},
        [ref],
        `deny by default: mode ${mode}, mesh-wide`,
      ),
    );
  }
  if (mode === 'ON') return out;
  const allow = mode === 'ON_WITH_EXCLUSION';
  const verb = allow ? 'allow-all' : 'deny-by-default';
  const why = allow ? 'allow all: excluded from enforcement' : 'deny by default: included in enforcement';
  const perService = (service: Service, what: string) => {
    const namespace = namespaceOf(service);
    const selector = selectorOf(service);
    rootLeak(namespace, selector, services, rootNamespace);
    const scope = portScope(service, services);
    let spec: PolicySpec = allow ? { rules: [{}] } : {};
    if (scope) {
      // The pods also front other Services: limit the policy to this one's ports.
      const sharing = [service, ...services.sharingWorkloads(service)];
      const enforcedPorts = sharing
        .filter((s) => enforced(enforcement, s))
        .flatMap((s) => s.ports.map((p) => String(targetPortOf(s, p))));
      if (allow) spec = { rules: [{ to: [{ operation: { ports: scope } }] }] };
      else if (sharing.some((s) => !enforced(enforcement, s))) {
        spec = { rules: [{ to: [{ operation: { notPorts: [...new Set(enforcedPorts)] } }] }] };
      }
    }
    out.push(
      authorizationPolicy(
        nameOf(verb, service.metadata.name),
        namespace,
        { selector: { matchLabels: selector }, ...spec },
        [ref],
        `${why} (${what})`,
      ),
    );
  };
  for (const namespace of [...new Set(enforcement.namespaces)]) {
    if (namespace === rootNamespace) {
      // A policy without a selector in the root namespace is mesh-wide in 1.6: one per Service instead.
      for (const service of services.inNamespace(namespace)) perService(service, `namespace ${namespace}`);
      continue;
    }
    out.push(
      authorizationPolicy(
        verb,
        namespace,
        allow ? { rules: [{}] } : {},
        [ref],
        `${why} (namespace ${namespace})`,
      ),
    );
  }
  for (const hostname of [...new Set(enforcement.hostnames)]) {
    const service = services.byFqdn(hostname);
    if (!service || enforcement.namespaces.includes(namespaceOf(service))) continue;
    perService(service, `service ${hostname}`);
  }
  return out;
}

function readEnforcement(
  config: RbacConfigSpec,
  ref: SourceRef,
  services: ServiceDirectory,
  reports: ConversionReports,
): Enforcement | 'off' | 'permissive' {
  const { mode } = config;
  if (typeof mode === 'number') throw new NotConvertible(`mode ${mode} is not a ClusterRbacConfig mode`);
  if (typeof config.enforcementMode === 'number') {
    throw new NotConvertible(`enforcementMode ${config.enforcementMode} is not ENFORCED or PERMISSIVE`);
  }
  if (mode === 'OFF') return 'off';
  if (config.enforcementMode === 'PERMISSIVE') return 'permissive';
  const target =
    mode === 'ON_WITH_INCLUSION'
      ? config.inclusion
      : mode === 'ON_WITH_EXCLUSION'
        ? config.exclusion
        : undefined;
  const hostnames = target?.services ?? [];
  for (const hostname of hostnames) {
    if (services.byFqdn(hostname)) continue;
    reports.warn(
      ref,
      hostname.endsWith('.svc.cluster.local')
        ? `${mode === 'ON_WITH_INCLUSION' ? 'inclusion' : 'exclusion'} service "${hostname}" is not a Service in the source; it is left out`
        : `${mode === 'ON_WITH_INCLUSION' ? 'inclusion' : 'exclusion'} service "${hostname}" is not a hostname (name.namespace.svc.cluster.local): Istio 1.4 compared hostnames exactly, so it matched nothing`,
    );
  }
  return { ref, mode: mode as Enforcement['mode'], namespaces: target?.namespaces ?? [], hostnames };
}

// ---------------------------------------------------------------------------------------------
// Subjects

/** What 1.4 knew about a request's authentication at a service (its Policy). */
interface AuthnFacts {
  readonly binding: 'USE_PEER' | 'USE_ORIGIN';
  /** The Policy validates JWTs on some paths only (trigger rules). */
  readonly partial: boolean;
  /** USE_PEER with optional origins: request.auth.principal was set only when the token validated. */
  readonly principalNeedsToken: boolean;
  readonly policy: AuthnPolicy | undefined;
}

function factsOf(policy: AuthnPolicy | undefined): AuthnFacts {
  const origins = policy?.spec.origins ?? [];
  return {
    binding: effectiveBinding(policy),
    partial: origins.some((o) => (o.jwt?.triggerRules.length ?? 0) > 0),
    principalNeedsToken:
      effectiveBinding(policy) === 'USE_PEER' && origins.length > 0 && policy?.spec.originIsOptional === true,
    policy,
  };
}

/** One way a subject can match, as a v1beta1 source and conditions (all ANDed). */
interface Fragment {
  readonly source: Source | undefined;
  readonly when: readonly Condition[];
  /** request.auth.principal under USE_PEER: 1.4 set it for everything but CORS preflights. */
  readonly notPreflight: boolean;
}

const ANY = Symbol('any');

/** A principal value as 1.4's source.principal matcher read it (principal.go:227-246). */
function principalValue(value: string): string | typeof ANY {
  if (value === '*' || value === 'allUsers') return ANY;
  return value === 'allAuthenticatedUsers' ? '*' : value;
}

class SubjectBuilder {
  private readonly source: Record<string, string[]> = {};
  private readonly when: Condition[] = [];
  notPreflight = false;

  /** A constraint on one attribute: the first fills the Source field, the next are `when` conditions (AND). */
  add(field: keyof Source, key: string, values: readonly string[], negate = false): void {
    if (values.length === 0) return;
    if (this.source[field] === undefined) this.source[field] = [...values];
    else this.when.push(negate ? { key, notValues: [...values] } : { key, values: [...values] });
  }

  condition(key: string, values: readonly string[], negate = false): void {
    if (values.length > 0)
      this.when.push(negate ? { key, notValues: [...values] } : { key, values: [...values] });
  }

  build(): Fragment {
    return {
      source: Object.keys(this.source).length > 0 ? (this.source as Source) : undefined,
      when: this.when,
      notPreflight: this.notPreflight,
    };
  }
}

const REQUEST_AUTH = /^request\.auth\.(audiences|presenter|claims\[[^\]]+\])$/;

/** CIDRs 1.4 could read; it ignored the others (principal.go:208-214, matcher/cidr.go). */
function validCidrs(values: readonly string[]): string[] {
  return values.filter(
    (v) => /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/.test(v) || /^[0-9a-fA-F:]+(\/\d{1,3})?$/.test(v),
  );
}

/**
 * A binding subject as 1.4 read it (Principal.Generate, principal.go:77-177), or undefined when it
 * matches nobody. Constraints on one attribute are ANDed: the first becomes the Source field.
 */
function convertSubject(
  subject: Subject,
  facts: AuthnFacts,
  notes: (text: string) => void,
): Fragment | undefined {
  const b = new SubjectBuilder();
  // How many matchers 1.4 generated: none means the subject matched nobody (principal.go:170-174).
  let constraints = 0;
  const principals = (values: readonly string[]) => {
    constraints++;
    const mapped = values.map(principalValue);
    if (mapped.includes(ANY)) return;
    b.add('principals', 'source.principal', mapped as string[]);
  };
  if (subject.user !== '') principals([subject.user]);
  if (subject.names.length > 0) principals(subject.names);
  if (subject.notNames.length > 0) {
    constraints++;
    const mapped = subject.notNames.map(principalValue);
    if (mapped.includes(ANY)) return undefined;
    b.add('notPrincipals', 'source.principal', mapped as string[], true);
  }
  const groups = (values: readonly string[], negate = false) => {
    constraints++;
    b.condition('request.auth.claims[groups]', values, negate);
  };
  if (subject.group !== '') groups([subject.group]);
  if (subject.groups.length > 0) groups(subject.groups);
  if (subject.notGroups.length > 0) groups(subject.notGroups, true);
  if (subject.namespaces.length > 0) {
    constraints++;
    b.add('namespaces', 'source.namespace', subject.namespaces);
  }
  if (subject.notNamespaces.length > 0) {
    constraints++;
    b.add('notNamespaces', 'source.namespace', subject.notNamespaces, true);
  }
  const ips = (values: readonly string[], negate = false) => {
    const valid = validCidrs(values);
    if (valid.length < values.length)
      notes(
        `source IPs ${values.filter((v) => !valid.includes(v)).join(', ')} are not addresses: Istio 1.4 ignored them`,
      );
    if (valid.length === 0) return;
    constraints++;
    b.add(negate ? 'notIpBlocks' : 'ipBlocks', 'source.ip', valid, negate);
  };
  if (subject.ips.length > 0) ips(subject.ips);
  if (subject.notIps.length > 0) ips(subject.notIps, true);
  const usesRequestAuth = () => {
    if (facts.partial) {
      throw new NotConvertible(
        `a subject uses the request's JWT, which ${facts.policy ? `Policy ${facts.policy.name}` : 'its Policy'} validated on some paths only (trigger rules); 1.6 validates it on all`,
      );
    }
  };
  for (const key of Object.keys(subject.properties).sort()) {
    const value = subject.properties[key] ?? '';
    if (key === 'source.ip') {
      ips([value]);
      continue;
    }
    // principal.go:250-262: a header or claim key without [name] generated nothing.
    if (/^request\.(headers|auth\.claims)(?!\[.+\]$)/.test(key)) {
      notes(`property "${key}" has no [name], so Istio 1.4 ignored it`);
      continue;
    }
    constraints++;
    if (key === 'source.namespace') b.add('namespaces', 'source.namespace', [value]);
    else if (key === 'source.principal') {
      const mapped = principalValue(value);
      if (mapped !== ANY) b.add('principals', 'source.principal', [mapped]);
    } else if (key === 'source.user') b.add('principals', 'source.principal', [value]);
    else if (key === 'request.auth.principal') {
      usesRequestAuth();
      if (facts.binding === 'USE_ORIGIN') b.add('requestPrincipals', 'request.auth.principal', [value]);
      else {
        // USE_PEER: request.auth.principal was the mTLS peer (proxy filter_context.cc:58-74).
        b.add('principals', 'source.principal', [value]);
        b.notPreflight = true;
        if (facts.principalNeedsToken) b.condition('request.auth.principal', ['*']);
      }
    } else if (REQUEST_AUTH.test(key)) {
      usesRequestAuth();
      b.condition(key, [value]);
    } else if (/^request\.headers\[.+\]$/.test(key)) {
      b.condition(key, [value]);
    } else {
      // principal.go:267-274: any other key is read from metadata that never has it.
      notes(
        `a subject with property "${key}" matched nobody in Istio 1.4 (not an attribute it knew); it is left out`,
      );
      return undefined;
    }
  }
  if (constraints === 0) {
    notes('an empty subject matched nobody in Istio 1.4 (principal.go:170-174); it is left out');
    return undefined;
  }
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// Access rules

/** Where a rule applies: workloads (a selector, none for the whole namespace), maybe only some ports. */
interface Target {
  readonly selector: Labels | undefined;
  readonly ports: readonly string[] | undefined;
  readonly services: readonly Service[];
  /** How the AuthorizationPolicy is named beside the binding (service name or label values). */
  readonly label: string;
}

interface ConvertedRule {
  readonly targets: readonly Target[];
  readonly operation: Operation;
  /** Ports the rule itself allows (ports and destination.port, intersected); undefined for all. */
  readonly ports: readonly string[] | undefined;
  readonly when: readonly Condition[];
}

/** Paths as 1.6 `paths` when they mean the same there, else the :path header condition 1.4 matched. */
function pathsOf(values: readonly string[]): { paths: string[] } | { header: string[] } {
  // 1.4 matched the :path header, query string included (permission.go:158-166); 1.6 `paths` match
  // the path without it. A prefix (or `*`) without `?` or `#` means the same in both.
  const same = values.every((v) => (v === '*' || (v.endsWith('*') && !v.startsWith('*'))) && !/[?#]/.test(v));
  return same ? { paths: [...values] } : { header: [...values] };
}

function cross(
  label: string,
  values: readonly string[],
  sets: Record<string, string>[],
): Record<string, string>[] {
  return sets.flatMap((set) => values.map((value) => ({ ...set, [label]: value })));
}

function convertAccessRule(
  rule: AccessRule,
  namespace: string,
  context: RuleContext,
  notes: (text: string) => void,
): ConvertedRule | undefined {
  // model.go:130-134: constraints become one map, a later key replacing an earlier one.
  const constraints = new Map<string, readonly string[]>();
  for (const c of rule.constraints) {
    if (constraints.has(c.key)) notes(`constraint ${c.key} is given twice: Istio 1.4 used the last one`);
    constraints.set(c.key, c.values);
  }
  let labelSets: Record<string, string>[] = [{}];
  let names: readonly string[] | undefined;
  let ports: string[] | undefined = rule.ports.length > 0 ? rule.ports.map(String) : undefined;
  const when: Condition[] = [];
  const unknown: string[] = [];
  for (const [key, values] of constraints) {
    const label = /^destination\.labels\[(.+)\]$/.exec(key)?.[1];
    if (label !== undefined) {
      if (values.some((v) => v.includes('*'))) {
        throw new NotConvertible(
          `constraint ${key} has a wildcard value (${values.join(', ')}), which a workload selector cannot express`,
        );
      }
      labelSets = cross(label, values, labelSets);
    } else if (key === 'destination.name') names = values;
    else if (key === 'destination.namespace') {
      if (!stringMatch14(namespace, values)) return undefined;
    } else if (key === 'destination.user') {
      throw new NotConvertible(
        `constraint ${key}: the destination service account is not a v1beta1 condition`,
      );
    } else if (key === 'destination.ip') {
      throw new NotConvertible(
        `constraint ${key} is not converted (its pod addresses are not in the source)`,
      );
    } else if (key === 'destination.port') {
      // permission.go:232-239: values that are not ports are ignored; none left, no constraint.
      const valid = values
        .filter((v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535)
        .map((v) => String(Number(v)));
      if (valid.length < values.length)
        notes(
          `constraint destination.port: ${values.filter((v) => !valid.includes(v)).join(', ')} are not ports, which Istio 1.4 ignored`,
        );
      if (valid.length > 0) ports = ports === undefined ? valid : ports.filter((p) => valid.includes(p));
    } else if (
      /^request\.headers\[.+\]$/.test(key) ||
      key === 'connection.sni' ||
      (key.startsWith('experimental.envoy.filters.') && CONDITION_KEY.test(key))
    ) {
      if (values.length > 0) when.push({ key, values: [...values] });
    } else {
      unknown.push(key);
    }
  }
  if (unknown.length > 0) {
    if (!context.ignoreUnknownFields) {
      throw new NotConvertible(
        `constraint ${unknown.map((k) => `"${k}"`).join(', ')} ${unknown.length > 1 ? 'are not attributes' : 'is not an attribute'} Istio 1.4 knew (it ignored ${unknown.length > 1 ? 'them' : 'it'}, permission.go:274-281; a typo?); use --ignore-unknown-fields to convert the rule without ${unknown.length > 1 ? 'them' : 'it'}`,
      );
    }
    notes(`constraint ${unknown.join(', ')} left out, as Istio 1.4 ignored it`);
  }
  if (ports !== undefined && ports.length === 0) return undefined;
  for (const [key, values] of constraints) {
    // A label, name or namespace constraint without values matched no service (permission.go:77-82).
    if (
      values.length === 0 &&
      (key.startsWith('destination.labels') || key === 'destination.name' || key === 'destination.namespace')
    ) {
      return undefined;
    }
  }

  const operation: Record<string, string[]> = {};
  const when14: Condition[] = [];
  const put = (field: keyof Operation, values: readonly string[]) => {
    if (values.length > 0) operation[field] = [...values];
  };
  put('hosts', rule.hosts);
  put('notHosts', rule.notHosts);
  put('methods', rule.methods);
  put('notMethods', rule.notMethods);
  if (rule.notPorts.length > 0) put('notPorts', rule.notPorts.map(String));
  if (rule.paths.length > 0) {
    const paths = pathsOf(rule.paths);
    if ('paths' in paths) put('paths', paths.paths);
    else when14.push({ key: 'request.headers[:path]', values: paths.header });
  }
  if (rule.notPaths.length > 0) {
    const paths = pathsOf(rule.notPaths);
    if ('paths' in paths) put('notPaths', paths.paths);
    else when14.push({ key: 'request.headers[:path]', notValues: paths.header });
  }

  // The services the rule applies to (permission.go:52-56), then the workload selectors.
  const patterns = rule.services.length > 0 ? rule.services : ['*'];
  if (rule.services.length === 0)
    notes('a rule without services applied to every service of the namespace in Istio 1.4');
  const targets: Target[] = [];
  const wholeNamespace =
    patterns.includes('*') &&
    names === undefined &&
    context.namespaceEnforced &&
    namespace !== context.rootNamespace;
  if (wholeNamespace) {
    for (const labels of labelSets) {
      const selector = Object.keys(labels).length > 0 ? sortedLabels(labels) : undefined;
      targets.push({
        selector,
        ports: undefined,
        services: context.services.inNamespace(namespace),
        label: Object.values(labels).join('-'),
      });
    }
  } else {
    for (const pattern of patterns) {
      if (context.services.matching(namespace, [pattern]).length > 0) continue;
      notes(
        !looksLikeHostPattern(pattern)
          ? `services entry "${pattern}" is not a hostname (name.namespace.svc.cluster.local): Istio 1.4 matched it against nothing, so it granted nothing`
          : pattern.endsWith('.svc.cluster.local') &&
              !pattern.endsWith(`.${namespace}.svc.cluster.local`) &&
              !pattern.includes('*')
            ? `services entry "${pattern}" names a service of another namespace; a ServiceRole in ${namespace} only applied to services of ${namespace}`
            : `services entry "${pattern}" matches no Service of namespace ${namespace} in the source; it is left out`,
      );
    }
    const matched = context.services
      .matching(namespace, patterns)
      .filter((s) => names === undefined || stringMatch14(s.metadata.name, names))
      .filter((s) => context.isEnforced(s));
    for (const service of matched) {
      const base = selectorOf(service);
      const scope = portScope(service, context.services);
      for (const labels of labelSets) {
        if (!compatible(labels, base)) continue;
        const selector = sortedLabels({ ...base, ...labels });
        rootLeak(namespace, selector, context.services, context.rootNamespace);
        const extra = Object.entries(labels)
          .filter(([k]) => base[k] === undefined)
          .map(([, v]) => v);
        targets.push({
          selector,
          ports: scope,
          services: [service],
          label: [service.metadata.name, ...extra].join('-'),
        });
      }
    }
  }
  if (targets.length === 0) return undefined;
  return { targets, operation: operation as Operation, ports, when: [...when, ...when14] };
}

interface RuleContext {
  readonly services: ServiceDirectory;
  readonly rootNamespace: string;
  readonly namespaceEnforced: boolean;
  readonly isEnforced: (service: Service) => boolean;
  readonly ignoreUnknownFields: boolean;
}

/** The authentication facts shared by every port of the services of a target, or a refusal. */
function factsFor(target: Target, authn: AuthnAnalysis, needed: boolean): AuthnFacts {
  const policies = new Set<AuthnPolicy | undefined>();
  for (const service of target.services) {
    for (const port of service.ports) {
      const scoped =
        target.ports === undefined || target.ports.includes(String(targetPortOfSafe(service, port)));
      if (scoped) policies.add(authn.effective(service, port));
    }
  }
  const facts = [...policies].map(factsOf);
  const first = facts[0] ?? factsOf(undefined);
  if (
    needed &&
    facts.some(
      (f) =>
        f.binding !== first.binding ||
        f.principalNeedsToken !== first.principalNeedsToken ||
        f.partial !== first.partial,
    )
  ) {
    throw new NotConvertible(
      `the services it applies to had authentication Policies with different principalBinding or JWT settings (${[...policies].map((p) => p?.name ?? 'none').join(', ')}), which decide what request.auth.* meant in Istio 1.4`,
    );
  }
  return { ...first, partial: facts.some((f) => f.partial) };
}

function targetPortOfSafe(service: Service, port: Service['ports'][number]): number {
  try {
    return targetPortOf(service, port);
  } catch {
    return port.port;
  }
}

function usesRequestAuth(subject: Subject): boolean {
  return (
    subject.group !== '' ||
    subject.groups.length > 0 ||
    subject.notGroups.length > 0 ||
    Object.keys(subject.properties).some((k) => k.startsWith('request.auth.'))
  );
}

/** Protocols 1.6 reads from a port name without sniffing (1.6 pkg/config/protocol/instance.go). */
const NAMED_PROTOCOLS = new Set([
  'http',
  'http2',
  'https',
  'grpc',
  'grpc-web',
  'tcp',
  'tls',
  'udp',
  'mongo',
  'redis',
  'mysql',
]);

/**
 * Ports 1.4 served as TCP (no known protocol in the name, inbound sniffing off) that 1.6 sniffs and
 * may serve as HTTP. 1.4 dropped HTTP-only permissions and principals there (permission.go:88-121,
 * principal.go:49-75); a 1.6 rule would apply them.
 */
function sniffedPorts(target: Target): string[] {
  const out = new Set<string>();
  for (const service of target.services) {
    for (const port of service.ports) {
      const name = (port.name ?? '').toLowerCase();
      const prefix = name.startsWith('grpc-web') ? 'grpc-web' : (name.split('-')[0] ?? '');
      if (NAMED_PROTOCOLS.has(prefix)) continue;
      const number = String(targetPortOf(service, port));
      if (target.ports === undefined || target.ports.includes(number)) out.add(number);
    }
  }
  return [...out].sort();
}

function httpOnly(rule: Rule): boolean {
  const op = rule.to?.[0]?.operation ?? {};
  const source = rule.from?.[0]?.source ?? {};
  return (
    ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'].some((k) => k in op) ||
    'requestPrincipals' in source ||
    'notRequestPrincipals' in source ||
    (rule.when ?? []).some((c) => c.key.startsWith('request.'))
  );
}

/** An HTTP-only rule kept off the ports 1.4 served as TCP; undefined when no port is left. */
function offSniffedPorts(rule: Rule, target: Target): Rule | undefined {
  if (!httpOnly(rule)) return rule;
  const sniffed = sniffedPorts(target);
  if (sniffed.length === 0) return rule;
  const operations: Operation[] = rule.to?.map((t) => t.operation) ?? [{}];
  const kept = operations.flatMap((op): Operation[] => {
    if (op.ports) {
      const ports = op.ports.filter((p) => !sniffed.includes(p));
      return ports.length > 0 ? [{ ...op, ports }] : [];
    }
    return [{ ...op, notPorts: [...new Set([...(op.notPorts ?? []), ...sniffed])] }];
  });
  return kept.length > 0 ? { ...rule, to: kept.map((operation) => ({ operation })) } : undefined;
}

/** `rule AND not a CORS preflight`, as three rules (any of the three preflight tests failing). */
function withoutPreflight(rule: Rule): Rule[] {
  const absent = (header: string): Condition => ({ key: `request.headers[${header}]`, notValues: ['*'] });
  const operations = rule.to?.map((t) => t.operation) ?? [{}];
  return [
    {
      ...rule,
      to: operations.map((op) => ({
        operation: { ...op, notMethods: [...(op.notMethods ?? []), 'OPTIONS'] },
      })),
    },
    { ...rule, when: [...(rule.when ?? []), absent('origin')] },
    { ...rule, when: [...(rule.when ?? []), absent('access-control-request-method')] },
  ];
}

function convertBinding(
  binding: IstioConfig,
  spec: ServiceRoleBindingSpec,
  role: IstioConfig,
  roleSpec: ServiceRoleSpec,
  context: RuleContext,
  authn: AuthnAnalysis,
  notes: (text: string) => void,
): ConvertedObject[] {
  const namespace = binding.metadata.namespace ?? 'default';
  if (spec.subjects.length === 0) {
    notes('the binding has no subjects, so it granted nothing in Istio 1.4');
    return [];
  }
  const converted = roleSpec.rules.flatMap(
    (rule) => convertAccessRule(rule, namespace, context, notes) ?? [],
  );
  const needsAuthn = spec.subjects.some(usesRequestAuth);
  // Group the (rule, target) pairs by selector: one AuthorizationPolicy per workload selector.
  const groups = new Map<
    string,
    { selector: Labels | undefined; label: string; rules: Rule[]; seen: Set<string> }
  >();
  for (const rule of converted) {
    for (const target of rule.targets) {
      const facts = factsFor(target, authn, needsAuthn);
      let ports = rule.ports;
      if (target.ports !== undefined)
        ports = ports === undefined ? target.ports : ports.filter((p) => target.ports?.includes(p));
      if (ports !== undefined && ports.length === 0) continue;
      const operation: Operation = {
        ...rule.operation,
        ...(ports !== undefined ? { ports: [...ports] } : {}),
      };
      const key = target.selector === undefined ? '' : labelText(target.selector);
      const group = groups.get(key) ?? {
        selector: target.selector,
        label: target.label,
        rules: [],
        seen: new Set<string>(),
      };
      groups.set(key, group);
      for (const subject of spec.subjects) {
        const fragment = convertSubject(subject, facts, notes);
        if (!fragment) continue;
        const base: Rule = {
          ...(fragment.source ? { from: [{ source: fragment.source }] } : {}),
          ...(Object.keys(operation).length > 0 ? { to: [{ operation }] } : {}),
          ...(fragment.when.length + rule.when.length > 0 ? { when: [...fragment.when, ...rule.when] } : {}),
        };
        for (const withPreflight of fragment.notPreflight ? withoutPreflight(base) : [base]) {
          const r = offSniffedPorts(withPreflight, target);
          if (r === undefined) continue;
          const text = JSON.stringify(r);
          if (group.seen.has(text)) continue;
          group.seen.add(text);
          group.rules.push(r);
        }
      }
    }
  }
  const live = [...groups.values()].filter((g) => g.rules.length > 0);
  return live.map((group) =>
    authorizationPolicy(
      live.length === 1 ? binding.metadata.name : nameOf(binding.metadata.name, group.label || 'namespace'),
      namespace,
      { ...(group.selector ? { selector: { matchLabels: group.selector } } : {}), rules: group.rules },
      [refOf(binding), refOf(role)],
      `grants ServiceRole ${role.metadata.name} to the binding's subjects${group.selector ? ` (workloads ${labelText(group.selector)})` : ''}`,
    ),
  );
}

interface Decoded<T> {
  readonly object: IstioConfig;
  readonly spec: T;
}

function read<T>(
  objects: readonly IstioConfig[],
  decode: (spec: unknown) => { spec: T; unknownFields: readonly string[] },
  reports: ConversionReports,
  ignoreUnknownFields: boolean,
): Decoded<T>[] {
  const out: Decoded<T>[] = [];
  for (const object of objects) {
    try {
      const decoded = decode(object.spec);
      if (decoded.unknownFields.length > 0 && !ignoreUnknownFields) {
        reports.refuse(refOf(object), unknownFieldsReason(decoded.unknownFields));
      }
      out.push({ object, spec: decoded.spec });
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      reports.refuse(refOf(object), error.message);
    }
  }
  return out;
}

export function convertRbac(
  policies: readonly IstioConfig[],
  services: ServiceDirectory,
  options: ConvertOptions,
  authn: AuthnAnalysis,
): RbacResult {
  const reports = new ConversionReports();
  const objects: ConvertedObject[] = [];
  const ignoreUnknownFields = options.ignoreUnknownFields === true;
  const roleObjects = policies.filter((p) => p.kind === 'ServiceRole').sort(byNamespaceAndName);
  const bindingObjects = policies.filter((p) => p.kind === 'ServiceRoleBinding').sort(byNamespaceAndName);
  const configs = policies.filter((p) => p.kind === 'ClusterRbacConfig' || p.kind === 'RbacConfig');
  const result = (): RbacResult => ({
    objects,
    problems: [...reports.problems.values()],
    skipped: reports.skipped,
    warnings: reports.warnings,
  });
  const refuseAll = (reason: string) => {
    for (const object of [...roleObjects, ...bindingObjects]) reports.refuse(refOf(object), reason);
  };
  const skipAll = (reason: string) => {
    for (const object of [...roleObjects, ...bindingObjects])
      reports.skipped.push({ source: refOf(object), reason });
  };

  // pilot/pkg/model/config.go:574-604: the ClusterRbacConfig named default, else the RbacConfig named default.
  const named = (kind: string) => configs.find((c) => c.kind === kind && c.metadata.name === 'default');
  const chosen = named('ClusterRbacConfig') ?? named('RbacConfig');
  for (const other of configs) {
    if (other === chosen) continue;
    reports.skipped.push({
      source: refOf(other),
      reason: 'Istio 1.4 only reads the ClusterRbacConfig (or RbacConfig) named default',
    });
  }
  let enforcement: Enforcement;
  if (chosen) {
    const ref = refOf(chosen);
    const [config] = read([chosen], decodeRbacConfig, reports, ignoreUnknownFields);
    if (!config || reports.refused(ref)) {
      refuseAll(`its ${chosen.kind} could not be converted`);
      return result();
    }
    let read14: ReturnType<typeof readEnforcement>;
    try {
      read14 = readEnforcement(config.spec, ref, services, reports);
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      reports.refuse(ref, error.message);
      refuseAll(`its ${chosen.kind} could not be converted`);
      return result();
    }
    if (read14 === 'off' || read14 === 'permissive') {
      const why =
        read14 === 'off'
          ? 'mode OFF: nothing was enforced, so nothing is written'
          : 'enforcementMode PERMISSIVE: Istio 1.4 only logged (shadow rules), nothing was enforced, so nothing is written';
      reports.skipped.push({ source: ref, reason: why });
      skipAll(
        `not enforced: its ${chosen.kind} has ${read14 === 'off' ? 'mode OFF' : 'enforcementMode PERMISSIVE'}`,
      );
      return result();
    }
    enforcement = read14;
    try {
      objects.push(...modePolicies(enforcement, ref, services, options.rootNamespace));
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      reports.refuse(ref, error.message);
      refuseAll(`its ${chosen.kind} could not be converted`);
      return result();
    }
  } else {
    if (roleObjects.length + bindingObjects.length === 0) return result();
    if (!options.allowNoClusterRbacConfig) {
      refuseAll(
        'there is no ClusterRbacConfig, so Istio 1.4 does not enforce it; converting it would add enforcement (use --allow-no-cluster-rbac-config to convert anyway)',
      );
      return result();
    }
    enforcement = { ref: undefined, mode: 'ON', namespaces: [], hostnames: [] };
  }

  const roles = read(roleObjects, decodeServiceRole, reports, ignoreUnknownFields);
  const bindings = read(bindingObjects, decodeServiceRoleBinding, reports, ignoreUnknownFields);
  // authorization.go:231-238: a binding without roleRef.name ends the reading of all later ones.
  const broken = bindings.find((b) => (b.spec.roleRef?.name ?? '') === '');
  if (broken) {
    for (const b of bindings) {
      reports.refuse(
        refOf(b.object),
        b === broken
          ? 'it has no roleRef.name: Istio 1.4 stopped reading ServiceRoleBindings at it (all created after it were ignored too), so what was enforced depends on creation order'
          : `ServiceRoleBinding ${broken.object.metadata.namespace ?? ''}/${broken.object.metadata.name} has no roleRef.name, after which Istio 1.4 read no binding created later`,
      );
    }
  }
  const bound = new Set<string>();
  for (const binding of bindings) {
    const ref = refOf(binding.object);
    if (reports.refused(ref)) continue;
    const namespace = binding.object.metadata.namespace ?? 'default';
    const roleName = binding.spec.roleRef?.name ?? '';
    const role = roles.find(
      (r) => (r.object.metadata.namespace ?? 'default') === namespace && r.object.metadata.name === roleName,
    );
    const notes = (text: string) => reports.warn(ref, text);
    try {
      if (typeof binding.spec.mode === 'number')
        throw new NotConvertible(`mode ${binding.spec.mode} is not ENFORCED or PERMISSIVE`);
      if (binding.spec.actions.length > 0 || binding.spec.role !== '') {
        notes('its actions and role fields were not read by Istio 1.4 (only roleRef was); they are left out');
      }
      const roleExists = roleObjects.some(
        (r) => (r.metadata.namespace ?? 'default') === namespace && r.metadata.name === roleName,
      );
      if (!role) {
        throw new NotConvertible(
          roleExists
            ? `its ServiceRole ${roleName} could not be converted`
            : `its ServiceRole "${roleName}" is not in namespace ${namespace} in the source`,
        );
      }
      bound.add(`${namespace}/${roleName}`);
      if (reports.refused(refOf(role.object)))
        throw new NotConvertible(`its ServiceRole ${roleName} could not be converted`);
      if (binding.spec.mode === 'PERMISSIVE') {
        reports.skipped.push({
          source: ref,
          reason: 'mode PERMISSIVE: Istio 1.4 only logged it (shadow rules), so nothing is written',
        });
        continue;
      }
      const context: RuleContext = {
        services,
        rootNamespace: options.rootNamespace,
        namespaceEnforced: namespaceEnforced(enforcement, namespace),
        isEnforced: (service) => enforced(enforcement, service),
        ignoreUnknownFields,
      };
      const written = convertBinding(
        binding.object,
        binding.spec,
        role.object,
        role.spec,
        context,
        authn,
        notes,
      );
      if (written.length === 0) {
        reports.skipped.push({
          source: ref,
          reason: 'it granted nothing Istio 1.4 enforced (see the notes on it), so nothing is written',
        });
      }
      objects.push(...written);
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      reports.refuse(ref, error.message);
    }
  }
  for (const role of roleObjects) {
    if (
      !bound.has(`${role.metadata.namespace ?? 'default'}/${role.metadata.name}`) &&
      !reports.refused(refOf(role))
    ) {
      reports.skipped.push({
        source: refOf(role),
        reason: 'no ServiceRoleBinding refers to it, so it grants nothing',
      });
    }
  }
  return result();
}
