/**
 * The v1alpha1 specs read the way Istio 1.4 read them: gogo/protobuf jsonpb with AllowUnknownFields
 * (galley/pkg/source/kube/dynamic/converter/proto.go:41-44 at 1.4.10). A field is found under its
 * proto name (`not_paths`) or its JSON name (`notPaths`), the JSON name winning when both are
 * present; integers may be quoted; an enum is its name or its number; null means unset. A value
 * of the wrong type made galley drop the whole object, so it is a NotConvertible naming the
 * field. Unknown fields are listed (1.4 dropped them; the caller decides whether that is allowed).
 * Message shapes: istio/api ed4b507c54e1 (pinned by istio 1.4.10), rbac/v1alpha1/rbac.proto and
 * authentication/v1alpha1/policy.proto.
 */
import { NotConvertible } from './model.ts';

export interface Constraint {
  readonly key: string;
  readonly values: readonly string[];
}
export interface AccessRule {
  readonly services: readonly string[];
  readonly hosts: readonly string[];
  readonly notHosts: readonly string[];
  readonly paths: readonly string[];
  readonly notPaths: readonly string[];
  readonly methods: readonly string[];
  readonly notMethods: readonly string[];
  readonly ports: readonly number[];
  readonly notPorts: readonly number[];
  readonly constraints: readonly Constraint[];
}
export interface ServiceRoleSpec {
  readonly rules: readonly AccessRule[];
}
export interface Subject {
  readonly user: string;
  readonly names: readonly string[];
  readonly notNames: readonly string[];
  readonly group: string;
  readonly groups: readonly string[];
  readonly notGroups: readonly string[];
  readonly namespaces: readonly string[];
  readonly notNamespaces: readonly string[];
  readonly ips: readonly string[];
  readonly notIps: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
}
export type EnumValue = string | number;
export interface ServiceRoleBindingSpec {
  readonly subjects: readonly Subject[];
  readonly roleRef?: { readonly kind: string; readonly name: string } | undefined;
  readonly mode: EnumValue;
  readonly actions: readonly AccessRule[];
  readonly role: string;
}
export interface RbacTarget {
  readonly services: readonly string[];
  readonly namespaces: readonly string[];
}
export interface RbacConfigSpec {
  readonly mode: EnumValue;
  readonly inclusion?: RbacTarget | undefined;
  readonly exclusion?: RbacTarget | undefined;
  readonly enforcementMode: EnumValue;
}
export interface StringMatch {
  readonly exact?: string | undefined;
  readonly prefix?: string | undefined;
  readonly suffix?: string | undefined;
  readonly regex?: string | undefined;
}
export interface TriggerRule {
  readonly excludedPaths: readonly StringMatch[];
  readonly includedPaths: readonly StringMatch[];
}
export interface Jwt {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwksUri: string;
  readonly jwks: string;
  readonly jwtHeaders: readonly string[];
  readonly jwtParams: readonly string[];
  readonly triggerRules: readonly TriggerRule[];
}
export interface PortSelector {
  readonly number?: number | undefined;
  readonly name?: string | undefined;
}
export interface TargetSelector {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly PortSelector[];
}
export interface PeerMethod {
  readonly mtls?: { readonly allowTls: boolean; readonly mode: EnumValue } | undefined;
  readonly jwt?: Jwt | undefined;
}
export interface PolicySpec {
  readonly targets: readonly TargetSelector[];
  readonly peers: readonly PeerMethod[];
  readonly peerIsOptional: boolean;
  readonly origins: readonly { readonly jwt?: Jwt | undefined }[];
  readonly originIsOptional: boolean;
  readonly principalBinding: EnumValue;
}

type Scalar = 'string' | 'int32' | 'uint32' | 'bool';
type FieldType = Scalar | { readonly enum: readonly string[] } | { readonly message: string } | 'map';
interface Field {
  readonly proto: string;
  readonly type: FieldType;
  readonly repeated?: boolean;
  /** Members of one oneof share its name; at most one may be set. */
  readonly oneof?: string;
}

const text = (proto: string, extra: Partial<Field> = {}): Field => ({ proto, type: 'string', ...extra });
const texts = (proto: string): Field => ({ proto, type: 'string', repeated: true });
const message = (proto: string, name: string, extra: Partial<Field> = {}): Field => ({
  proto,
  type: { message: name },
  ...extra,
});
const ENFORCEMENT_MODE = ['ENFORCED', 'PERMISSIVE'];

const MESSAGES: Readonly<Record<string, readonly Field[]>> = {
  ServiceRole: [message('rules', 'AccessRule', { repeated: true })],
  AccessRule: [
    texts('services'),
    texts('hosts'),
    texts('not_hosts'),
    texts('paths'),
    texts('not_paths'),
    texts('methods'),
    texts('not_methods'),
    { proto: 'ports', type: 'int32', repeated: true },
    { proto: 'not_ports', type: 'int32', repeated: true },
    message('constraints', 'Constraint', { repeated: true }),
  ],
  Constraint: [text('key'), texts('values')],
  ServiceRoleBinding: [
    message('subjects', 'Subject', { repeated: true }),
    message('roleRef', 'RoleRef'),
    { proto: 'mode', type: { enum: ENFORCEMENT_MODE } },
    message('actions', 'AccessRule', { repeated: true }),
    text('role'),
  ],
  Subject: [
    text('user'),
    texts('names'),
    texts('not_names'),
    text('group'),
    texts('groups'),
    texts('not_groups'),
    texts('namespaces'),
    texts('not_namespaces'),
    texts('ips'),
    texts('not_ips'),
    { proto: 'properties', type: 'map' },
  ],
  RoleRef: [text('kind'), text('name')],
  RbacConfig: [
    { proto: 'mode', type: { enum: ['OFF', 'ON', 'ON_WITH_INCLUSION', 'ON_WITH_EXCLUSION'] } },
    message('inclusion', 'RbacTarget'),
    message('exclusion', 'RbacTarget'),
    { proto: 'enforcement_mode', type: { enum: ENFORCEMENT_MODE } },
  ],
  RbacTarget: [texts('services'), texts('namespaces')],
  Policy: [
    message('targets', 'TargetSelector', { repeated: true }),
    message('peers', 'PeerMethod', { repeated: true }),
    { proto: 'peer_is_optional', type: 'bool' },
    message('origins', 'OriginMethod', { repeated: true }),
    { proto: 'origin_is_optional', type: 'bool' },
    { proto: 'principal_binding', type: { enum: ['USE_PEER', 'USE_ORIGIN'] } },
  ],
  TargetSelector: [
    text('name'),
    { proto: 'labels', type: 'map' },
    message('ports', 'PortSelector', { repeated: true }),
  ],
  PortSelector: [{ proto: 'number', type: 'uint32', oneof: 'port' }, text('name', { oneof: 'port' })],
  PeerMethod: [message('mtls', 'MutualTls', { oneof: 'params' }), message('jwt', 'Jwt', { oneof: 'params' })],
  MutualTls: [
    { proto: 'allow_tls', type: 'bool' },
    { proto: 'mode', type: { enum: ['STRICT', 'PERMISSIVE'] } },
  ],
  Jwt: [
    text('issuer'),
    texts('audiences'),
    text('jwks_uri'),
    text('jwks'),
    texts('jwt_headers'),
    texts('jwt_params'),
    message('trigger_rules', 'TriggerRule', { repeated: true }),
  ],
  TriggerRule: [
    message('excluded_paths', 'StringMatch', { repeated: true }),
    message('included_paths', 'StringMatch', { repeated: true }),
  ],
  StringMatch: [
    text('exact', { oneof: 'match_type' }),
    text('prefix', { oneof: 'match_type' }),
    text('suffix', { oneof: 'match_type' }),
    text('regex', { oneof: 'match_type' }),
  ],
  OriginMethod: [message('jwt', 'Jwt')],
};
type MessageName = 'ServiceRole' | 'ServiceRoleBinding' | 'RbacConfig' | 'Policy';

/** protoc's json_name: `not_paths` -> `notPaths`. */
export function jsonName(proto: string): string {
  return proto.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function describeValue(value: unknown): string {
  const shown = JSON.stringify(value) ?? String(value);
  const kind = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
  return `${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown} (${kind})`;
}

function typeName(field: Field, element = false): string {
  const { type } = field;
  const one =
    type === 'map'
      ? 'a map of strings'
      : typeof type === 'object' && 'enum' in type
        ? `one of ${type.enum.join(', ')}`
        : typeof type === 'object'
          ? 'an object'
          : type === 'bool'
            ? 'true or false'
            : type === 'string'
              ? 'a string'
              : 'an integer';
  return field.repeated && !element ? `a list of ${one.replace(/^an? /, '')}s` : one;
}

class Decoder {
  readonly unknownFields: string[] = [];

  wrongType(path: string, field: Field, value: unknown, element: boolean): NotConvertible {
    return new NotConvertible(
      `${path} is ${describeValue(value)} where Istio 1.4 expected ${typeName(field, element)}, so Istio 1.4 ignored the whole object`,
    );
  }

  scalar(path: string, field: Field, value: unknown): unknown {
    const { type } = field;
    if (typeof type === 'object' && 'enum' in type) {
      if (typeof value === 'string' && type.enum.includes(value)) return value;
      if (typeof value === 'number' && Number.isInteger(value)) return type.enum[value] ?? value;
      throw this.wrongType(path, field, value, true);
    }
    switch (type) {
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
      case 'int32':
      case 'uint32': {
        // jsonpb reads a quoted integer as the integer.
        const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
        const [min, max] = type === 'int32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
        if (typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max) {
          return number;
        }
        break;
      }
    }
    throw this.wrongType(path, field, value, true);
  }

  element(path: string, field: Field, value: unknown): unknown {
    const { type } = field;
    if (type === 'map') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw this.wrongType(path, field, value, true);
      }
      const out: Record<string, string> = {};
      for (const [key, entry] of Object.entries(value)) {
        if (entry === null) out[key] = '';
        else if (typeof entry === 'string') out[key] = entry;
        else throw this.wrongType(`${path}[${key}]`, text(key), entry, true);
      }
      return out;
    }
    if (typeof type === 'object' && 'message' in type) return this.message(path, type.message, value);
    return this.scalar(path, field, value);
  }

  message(path: string, name: string, value: unknown): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new NotConvertible(
        `${path} is ${describeValue(value)} where Istio 1.4 expected an object, so Istio 1.4 ignored the whole object`,
      );
    }
    const raw = value as Record<string, unknown>;
    const fields: readonly Field[] = MESSAGES[name] ?? [];
    const known = new Set(fields.flatMap((f) => [f.proto, jsonName(f.proto)]));
    for (const key of Object.keys(raw)) {
      if (!known.has(key)) this.unknownFields.push(`${path}.${key}`);
    }
    const out: Record<string, unknown> = {};
    const oneofs = new Map<string, string>();
    for (const field of fields) {
      const camel = jsonName(field.proto);
      const present = camel in raw ? raw[camel] : raw[field.proto];
      const at = `${path}.${camel in raw ? camel : field.proto}`;
      if (present === undefined || present === null) {
        if (field.repeated) out[camel] = [];
        else if (field.type === 'map') out[camel] = {};
        else if (field.oneof === undefined && typeof field.type !== 'object') {
          out[camel] = field.type === 'bool' ? false : field.type === 'string' ? '' : 0;
        } else if (typeof field.type === 'object' && 'enum' in field.type) {
          out[camel] = field.type.enum[0];
        }
        continue;
      }
      if (field.oneof !== undefined) {
        const other = oneofs.get(field.oneof);
        if (other !== undefined) {
          throw new NotConvertible(
            `${path} sets both ${other} and ${camel}, of which Istio 1.4 reads one (which one is not defined)`,
          );
        }
        oneofs.set(field.oneof, camel);
      }
      if (field.repeated) {
        if (!Array.isArray(present)) throw this.wrongType(at, field, present, false);
        out[camel] = present.map((entry, i) => {
          if (entry === null) {
            throw new NotConvertible(`${at}[${i}] is null, which Istio 1.4 could not use`);
          }
          return this.element(`${at}[${i}]`, field, entry);
        });
      } else {
        out[camel] = this.element(at, field, present);
      }
    }
    return out;
  }
}

export interface Decoded<T> {
  readonly spec: T;
  /** Paths of fields Istio 1.4 did not know and dropped, e.g. `spec.rules[0].method`. */
  readonly unknownFields: readonly string[];
}

function decode<T>(name: MessageName, spec: unknown): Decoded<T> {
  const decoder = new Decoder();
  const value = decoder.message('spec', name, spec ?? {}) as T;
  return { spec: value, unknownFields: decoder.unknownFields };
}

/** The message type of each v1alpha1 kind meshready converts. */
export const decodeServiceRole = (spec: unknown) => decode<ServiceRoleSpec>('ServiceRole', spec);
export const decodeServiceRoleBinding = (spec: unknown) =>
  decode<ServiceRoleBindingSpec>('ServiceRoleBinding', spec);
export const decodeRbacConfig = (spec: unknown) => decode<RbacConfigSpec>('RbacConfig', spec);
export const decodePolicy = (spec: unknown) => decode<PolicySpec>('Policy', spec);
