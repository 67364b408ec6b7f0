/**
 * rbac.istio.io/v1alpha1 ServiceRole, ServiceRoleBinding and ClusterRbacConfig (or RbacConfig)
 * to AuthorizationPolicy, with the semantics of Istio 1.5's `istioctl x authz convert`:
 * - one ALLOW policy per ServiceRoleBinding, in its namespace, selecting the workloads behind the
 *   role's services (all of them must share one set of labels; `*` means the whole namespace);
 * - one rule per (access rule, subject) pair, so each keeps its own conditions;
 * - ClusterRbacConfig becomes the deny-by-default policies: ON, mesh-wide in the root namespace;
 *   ON_WITH_INCLUSION, one per included namespace and service; ON_WITH_EXCLUSION, mesh-wide plus
 *   an allow-all per excluded namespace and service; OFF, nothing.
 * Bindings 1.4 did not enforce (OFF, not included, excluded) are skipped, not converted: in 1.6
 * any ALLOW policy turns on deny-by-default for the workloads it selects.
 */
import type { IstioConfig } from '../snapshot/model.ts';
import {
  type ConversionProblem,
  type ConvertedObject,
  type ConvertOptions,
  listOf,
  NotConvertible,
  type Raw,
  rawOf,
  type SourceRef,
  textOf,
  textsOf,
} from './model.ts';
import { type ServiceDirectory, sameLabels, selectorOf, sortedLabels } from './services.ts';
import { CONDITION_KEY, type Condition, type Operation, type Rule, type Source } from './v1beta1.ts';

type Labels = Record<string, string>;

export interface RbacResult {
  objects: ConvertedObject[];
  problems: ConversionProblem[];
  skipped: ConversionProblem[];
}

export function refOf(object: IstioConfig): SourceRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

const byNamespaceAndName = (a: IstioConfig, b: IstioConfig): number =>
  `${a.metadata.namespace ?? ''}/${a.metadata.name}` < `${b.metadata.namespace ?? ''}/${b.metadata.name}`
    ? -1
    : 1;

type Mode = 'OFF' | 'ON' | 'ON_WITH_INCLUSION' | 'ON_WITH_EXCLUSION';
const MODES: readonly string[] = ['OFF', 'ON', 'ON_WITH_INCLUSION', 'ON_WITH_EXCLUSION'];

interface RbacConfig {
  readonly ref: SourceRef;
  readonly mode: Mode;
  readonly namespaces: readonly string[];
  readonly services: readonly string[];
}

function readRbacConfig(object: IstioConfig): RbacConfig {
  const spec = rawOf(object.spec);
  const mode = textOf(spec.mode) ?? 'OFF';
  if (!MODES.includes(mode)) throw new NotConvertible(`mode "${mode}" is not a ClusterRbacConfig mode`);
  if (textOf(spec.enforcementMode) === 'PERMISSIVE') {
    throw new NotConvertible(
      'enforcementMode PERMISSIVE (log only) has no equivalent in Istio 1.6 AuthorizationPolicy',
    );
  }
  const list = rawOf(mode === 'ON_WITH_INCLUSION' ? spec.inclusion : spec.exclusion);
  const relevant = mode === 'ON_WITH_INCLUSION' || mode === 'ON_WITH_EXCLUSION';
  return {
    ref: refOf(object),
    mode: mode as Mode,
    namespaces: relevant ? textsOf(list.namespaces) : [],
    services: relevant ? textsOf(list.services) : [],
  };
}

/** Where a role applies: the whole namespace, or the workloads behind some Services. */
interface RoleTarget {
  readonly selector: Labels | undefined;
  /** The Services behind the selector (every Service of the namespace for `*`). */
  readonly serviceFqdns: readonly string[];
}

function roleTarget(role: IstioConfig, namespace: string, services: ServiceDirectory): RoleTarget {
  const rules = listOf(rawOf(role.spec).rules);
  if (rules.length === 0)
    throw new NotConvertible(`ServiceRole ${namespace}/${role.metadata.name} has no rules`);
  let wholeNamespace: boolean | undefined;
  let selector: Labels | undefined;
  let selectorFrom = '';
  const fqdns = new Set<string>();
  for (const rule of rules) {
    const patterns = textsOf(rule.services);
    if (patterns.length === 0) {
      throw new NotConvertible(`a rule of ServiceRole ${role.metadata.name} lists no services`);
    }
    const ruleWhole = patterns.includes('*');
    if (wholeNamespace !== undefined && wholeNamespace !== ruleWhole) {
      throw new NotConvertible(
        `the rules of ServiceRole ${role.metadata.name} target different services ("*" and named ones); one AuthorizationPolicy has one selector`,
      );
    }
    wholeNamespace = ruleWhole;
    if (ruleWhole) {
      for (const service of services.inNamespace(namespace))
        fqdns.add(`${service.metadata.name}.${namespace}`);
      continue;
    }
    for (const pattern of patterns) {
      const matched = services.matching(namespace, pattern);
      if (matched.length === 0) {
        throw new NotConvertible(
          `service "${pattern}" matches no Service in namespace ${namespace} in the source`,
        );
      }
      for (const service of matched) {
        const labels = selectorOf(service);
        fqdns.add(`${service.metadata.name}.${namespace}`);
        if (selector === undefined) {
          selector = labels;
          selectorFrom = service.metadata.name;
        } else if (!sameLabels(selector, labels)) {
          throw new NotConvertible(
            `services ${selectorFrom} and ${service.metadata.name} map to conflicting workload labels (${labelText(selector)} vs ${labelText(labels)}); one AuthorizationPolicy has one selector`,
          );
        }
      }
    }
  }
  return { selector: wholeNamespace ? undefined : selector, serviceFqdns: [...fqdns].sort() };
}

function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

interface ConvertedAccessRule {
  readonly operation: Operation | undefined;
  readonly when: Condition[];
  readonly labels: Labels;
}

const UNSUPPORTED_KEYS: Readonly<Record<string, string>> = {
  'destination.user': 'the destination service account is not a v1beta1 condition',
  'destination.ip': 'the destination IP is not checked by v1alpha1 and v1beta1 the same way',
  'destination.name': 'the destination workload name is not a v1beta1 condition',
  'destination.principal': 'the destination principal is not a v1beta1 condition',
};

function setList(target: Record<string, string[] | undefined>, key: string, values: readonly string[]): void {
  if (values.length === 0) return;
  target[key] = [...(target[key] ?? []), ...values];
}

function convertAccessRule(rule: Raw, namespace: string): ConvertedAccessRule {
  const operation: Record<string, string[] | undefined> = {};
  setList(operation, 'hosts', textsOf(rule.hosts));
  setList(operation, 'notHosts', textsOf(rule.notHosts));
  setList(operation, 'ports', textsOf(rule.ports));
  setList(operation, 'notPorts', textsOf(rule.notPorts));
  setList(operation, 'methods', textsOf(rule.methods));
  setList(operation, 'notMethods', textsOf(rule.notMethods));
  setList(operation, 'paths', textsOf(rule.paths));
  setList(operation, 'notPaths', textsOf(rule.notPaths));
  const when: Condition[] = [];
  const labels: Labels = {};
  for (const constraint of listOf(rule.constraints)) {
    const key = textOf(constraint.key) ?? '';
    const values = textsOf(constraint.values);
    if (values.length === 0) throw new NotConvertible(`constraint "${key}" has no values`);
    const label = /^destination\.labels\[(.+)\]$/.exec(key)?.[1];
    if (key === 'destination.port') {
      if (!values.every((v) => /^\d{1,5}$/.test(v))) {
        throw new NotConvertible(`constraint destination.port has a value that is not a port number`);
      }
      setList(operation, 'ports', values);
    } else if (label !== undefined) {
      if (values.length !== 1 || values[0]?.includes('*')) {
        throw new NotConvertible(
          `constraint ${key} with several or wildcard values cannot become a workload selector`,
        );
      }
      labels[label] = values[0] as string;
    } else if (key === 'destination.namespace') {
      if (!values.includes(namespace) && !values.includes('*')) {
        throw new NotConvertible(`constraint destination.namespace never matches namespace ${namespace}`);
      }
    } else if (UNSUPPORTED_KEYS[key]) {
      throw new NotConvertible(`constraint ${key}: ${UNSUPPORTED_KEYS[key]}`);
    } else if (CONDITION_KEY.test(key) && key !== 'destination.ip') {
      when.push({ key, values });
    } else {
      throw new NotConvertible(`constraint "${key}" has no v1beta1 equivalent`);
    }
  }
  const hasOperation = Object.keys(operation).length > 0;
  return { operation: hasOperation ? (operation as Operation) : undefined, when, labels };
}

interface ConvertedSubject {
  readonly source: Source | undefined;
  readonly when: Condition[];
}

/** Subject properties that are a field of v1beta1's Source. */
const SOURCE_FIELDS: Readonly<Record<string, keyof Source>> = {
  'source.namespace': 'namespaces',
  'source.ip': 'ipBlocks',
  'source.principal': 'principals',
  'source.user': 'principals',
  'request.auth.principal': 'requestPrincipals',
};

function convertSubject(subject: Raw): ConvertedSubject {
  const source: Record<string, string[] | undefined> = {};
  const when: Condition[] = [];
  const user = textOf(subject.user);
  if (user !== undefined) source.principals = [user];
  setList(source, 'principals', textsOf(subject.names));
  setList(source, 'notPrincipals', textsOf(subject.notNames));
  setList(source, 'namespaces', textsOf(subject.namespaces));
  setList(source, 'notNamespaces', textsOf(subject.notNamespaces));
  setList(source, 'ipBlocks', textsOf(subject.ips));
  setList(source, 'notIpBlocks', textsOf(subject.notIps));
  const group = textOf(subject.group);
  const groups = [...(group === undefined ? [] : [group]), ...textsOf(subject.groups)];
  if (groups.length > 0) when.push({ key: 'request.auth.claims[groups]', values: groups });
  const notGroups = textsOf(subject.notGroups);
  if (notGroups.length > 0) when.push({ key: 'request.auth.claims[groups]', notValues: notGroups });
  for (const [rawKey, value] of Object.entries(rawOf(subject.properties))) {
    const values = typeof value === 'string' ? [value] : textsOf(value);
    if (values.length === 0) throw new NotConvertible(`property "${rawKey}" has no value`);
    const key = rawKey === 'source.user' ? 'source.principal' : rawKey;
    const field = SOURCE_FIELDS[rawKey];
    if (field !== undefined && source[field] === undefined) {
      source[field] = values;
    } else if (CONDITION_KEY.test(key) && !key.startsWith('destination.')) {
      // A second value for a Source field must also hold (AND): a condition, not a longer list (OR).
      when.push({ key, values });
    } else {
      throw new NotConvertible(`property "${rawKey}" has no v1beta1 equivalent`);
    }
  }
  return { source: Object.keys(source).length > 0 ? (source as Source) : undefined, when };
}

function ruleOf(subject: ConvertedSubject, access: ConvertedAccessRule): Rule {
  const rule: { -readonly [K in keyof Rule]: Rule[K] } = {};
  if (subject.source) rule.from = [{ source: subject.source }];
  if (access.operation) rule.to = [{ operation: access.operation }];
  const when = [...subject.when, ...access.when];
  if (when.length > 0) rule.when = when;
  return rule;
}

function convertBinding(binding: IstioConfig, role: IstioConfig, target: RoleTarget): ConvertedObject {
  const namespace = binding.metadata.namespace ?? 'default';
  const spec = rawOf(binding.spec);
  if (textOf(spec.mode) === 'PERMISSIVE') {
    throw new NotConvertible('mode PERMISSIVE (log only) has no equivalent in Istio 1.6 AuthorizationPolicy');
  }
  const subjects = listOf(spec.subjects);
  if (subjects.length === 0) throw new NotConvertible('the binding has no subjects');
  const accessRules = listOf(rawOf(role.spec).rules).map((rule) => convertAccessRule(rule, namespace));
  // destination.labels constraints narrow the selector, which all rules share: they must agree.
  const extraLabels = accessRules[0]?.labels ?? {};
  if (!accessRules.every((rule) => sameLabels(rule.labels, extraLabels))) {
    throw new NotConvertible(
      `destination.labels constraints differ between the rules of ServiceRole ${role.metadata.name}; one AuthorizationPolicy has one selector`,
    );
  }
  let selector = target.selector;
  if (Object.keys(extraLabels).length > 0) {
    for (const [key, value] of Object.entries(extraLabels)) {
      if (selector?.[key] !== undefined && selector[key] !== value) {
        throw new NotConvertible(
          `constraint destination.labels[${key}] = ${value} contradicts the service's label ${key}=${selector[key]}`,
        );
      }
    }
    selector = sortedLabels({ ...(selector ?? {}), ...extraLabels });
  }
  const convertedSubjects = subjects.map(convertSubject);
  const rules: Rule[] = [];
  const seen = new Set<string>();
  for (const access of accessRules) {
    for (const subject of convertedSubjects) {
      const rule = ruleOf(subject, access);
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(rule);
    }
  }
  return {
    object: {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'AuthorizationPolicy',
      metadata: { name: binding.metadata.name, namespace },
      spec: { ...(selector ? { selector: { matchLabels: selector } } : {}), rules },
    },
    sources: [refOf(binding), refOf(role)],
    purpose: `grants ServiceRole ${role.metadata.name} to the binding's subjects`,
  };
}

function policy(
  name: string,
  namespace: string,
  selector: Labels | undefined,
  allowAll: boolean,
  source: SourceRef,
  purpose: string,
): ConvertedObject {
  return {
    object: {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'AuthorizationPolicy',
      metadata: { name, namespace },
      spec: {
        ...(selector ? { selector: { matchLabels: selector } } : {}),
        ...(allowAll ? { rules: [{}] } : {}),
      },
    },
    sources: [source],
    purpose,
  };
}

/** The deny-by-default (and, for exclusions, allow-all) policies a ClusterRbacConfig stands for. */
function modePolicies(
  config: RbacConfig,
  services: ServiceDirectory,
  rootNamespace: string,
): ConvertedObject[] {
  const out: ConvertedObject[] = [];
  const serviceOf = (fqdn: string) => {
    const service = services.byFqdn(fqdn);
    if (!service) throw new NotConvertible(`service "${fqdn}" is not a Service in the source`);
    return service;
  };
  if (config.mode === 'ON' || config.mode === 'ON_WITH_EXCLUSION') {
    out.push(
      policy(
        'global-deny-by-default',
        rootNamespace,
        undefined,
        false,
        config.ref,
        `deny by default: mode ${config.mode}, mesh-wide`,
      ),
    );
  }
  const allowAll = config.mode === 'ON_WITH_EXCLUSION';
  if (config.mode === 'ON_WITH_INCLUSION' || allowAll) {
    const verb = allowAll ? 'allow-all' : 'deny-by-default';
    const why = allowAll
      ? 'allow all: excluded from enforcement'
      : 'deny by default: included in enforcement';
    for (const namespace of config.namespaces) {
      out.push(policy(verb, namespace, undefined, allowAll, config.ref, `${why} (namespace ${namespace})`));
    }
    for (const fqdn of config.services) {
      const service = serviceOf(fqdn);
      const namespace = service.metadata.namespace ?? 'default';
      out.push(
        policy(
          `${verb}-${service.metadata.name}`,
          namespace,
          selectorOf(service),
          allowAll,
          config.ref,
          `${why} (service ${fqdn})`,
        ),
      );
    }
  }
  return out;
}

/** Whether 1.4 enforced a binding: 'all', 'none', or a reason it was only partly enforced. */
function enforcement(
  config: RbacConfig | undefined,
  namespace: string,
  target: RoleTarget,
): 'all' | 'none' | string {
  if (!config) return 'all';
  if (config.mode === 'OFF') return 'none';
  if (config.mode === 'ON') return 'all';
  const listed = (fqdn: string) =>
    config.services.some((s) => {
      const [name, ns] = s.split('.');
      return `${name}.${ns}` === fqdn;
    });
  const namespaceListed = config.namespaces.includes(namespace);
  const count = target.serviceFqdns.filter(listed).length;
  const inclusion = config.mode === 'ON_WITH_INCLUSION';
  if (namespaceListed || (count > 0 && count === target.serviceFqdns.length))
    return inclusion ? 'all' : 'none';
  if (count === 0 || target.serviceFqdns.length === 0) return inclusion ? 'none' : 'all';
  return `the role's services are partly ${inclusion ? 'included in' : 'excluded from'} enforcement by ${config.ref.kind} ${config.ref.name}`;
}

export function convertRbac(
  policies: readonly IstioConfig[],
  services: ServiceDirectory,
  options: ConvertOptions,
): RbacResult {
  const result: RbacResult = { objects: [], problems: [], skipped: [] };
  const roles = policies.filter((p) => p.kind === 'ServiceRole').sort(byNamespaceAndName);
  const bindings = policies.filter((p) => p.kind === 'ServiceRoleBinding').sort(byNamespaceAndName);
  const configs = policies.filter((p) => p.kind === 'ClusterRbacConfig' || p.kind === 'RbacConfig');
  // 1.4 reads the ClusterRbacConfig named default; RbacConfig only when there is none.
  const chosen =
    configs.find((c) => c.kind === 'ClusterRbacConfig' && c.metadata.name === 'default') ??
    configs.find((c) => c.kind === 'RbacConfig' && c.metadata.name === 'default');
  for (const other of configs) {
    if (other !== chosen) {
      result.skipped.push({
        source: refOf(other),
        reason: 'Istio 1.4 only reads the ClusterRbacConfig (or RbacConfig) named default',
      });
    }
  }
  let config: RbacConfig | undefined;
  if (chosen) {
    try {
      config = readRbacConfig(chosen);
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      result.problems.push({ source: refOf(chosen), reason: error.message });
      for (const object of [...roles, ...bindings]) {
        result.problems.push({ source: refOf(object), reason: `its ${chosen.kind} could not be converted` });
      }
      return result;
    }
    if (config.mode === 'OFF') {
      result.skipped.push({
        source: config.ref,
        reason: 'mode OFF: nothing was enforced, so nothing is written',
      });
    }
    try {
      result.objects.push(...modePolicies(config, services, options.rootNamespace));
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      result.problems.push({ source: config.ref, reason: error.message });
      for (const object of [...roles, ...bindings]) {
        result.problems.push({ source: refOf(object), reason: `its ${chosen.kind} could not be converted` });
      }
      return result;
    }
  } else if ((roles.length > 0 || bindings.length > 0) && !options.allowNoClusterRbacConfig) {
    for (const object of [...roles, ...bindings]) {
      result.problems.push({
        source: refOf(object),
        reason:
          'there is no ClusterRbacConfig, so Istio 1.4 does not enforce it; converting it would add enforcement (use --allow-no-cluster-rbac-config to convert anyway)',
      });
    }
    return result;
  }
  const bound = new Set<string>();
  for (const binding of bindings) {
    const namespace = binding.metadata.namespace ?? 'default';
    const spec = rawOf(binding.spec);
    const roleName = textOf(rawOf(spec.roleRef).name) ?? textOf(spec.role)?.replace(/^\//, '');
    const role = roles.find(
      (r) => r.metadata.namespace === binding.metadata.namespace && r.metadata.name === roleName,
    );
    try {
      if (listOf(spec.actions).length > 0)
        throw new NotConvertible('inline actions are not supported; use roleRef');
      if (!role)
        throw new NotConvertible(
          `its ServiceRole "${roleName ?? ''}" is not in namespace ${namespace} in the source`,
        );
      bound.add(`${namespace}/${role.metadata.name}`);
      const target = roleTarget(role, namespace, services);
      const enforced = enforcement(config, namespace, target);
      if (enforced === 'none') {
        result.skipped.push({
          source: refOf(binding),
          reason: `not enforced by ${config?.ref.kind ?? 'ClusterRbacConfig'} (mode ${config?.mode})`,
        });
        continue;
      }
      if (enforced !== 'all') throw new NotConvertible(enforced);
      result.objects.push(convertBinding(binding, role, target));
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
      result.problems.push({ source: refOf(binding), reason: error.message });
    }
  }
  for (const role of roles) {
    if (!bound.has(`${role.metadata.namespace ?? 'default'}/${role.metadata.name}`)) {
      result.skipped.push({
        source: refOf(role),
        reason: 'no ServiceRoleBinding refers to it, so it grants nothing',
      });
    }
  }
  return result;
}
