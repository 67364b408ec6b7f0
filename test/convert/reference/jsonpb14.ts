/**
 * How Istio 1.4 turned the spec of a v1alpha1 object into its proto message: gogo/protobuf jsonpb
 * with AllowUnknownFields (galley/pkg/source/kube/dynamic/converter/proto.go:41-44 and
 * galley/pkg/config/util/pb/proto.go:29-31 at istio 1.4.10). What that means here:
 * - a field is found under its proto name (`not_paths`) or its JSON name (`notPaths`); when both
 *   are present the JSON name wins (jsonpb's consumeField);
 * - an unknown field is dropped;
 * - a value of the wrong type is an error, and galley then skips the whole object (it never
 *   reaches pilot): `decode14` returns undefined;
 * - integers may be quoted (`"80"`), enums are their name or their number, null means unset.
 * Message shapes: istio/api ed4b507c54e1 (the version istio 1.4.10's go.mod pins),
 * rbac/v1alpha1/rbac.proto:104-397 and authentication/v1alpha1/policy.proto:31-420.
 *
 * Written for the reference evaluator only; it shares no code with src/convert.
 */

type Scalar = 'string' | 'int32' | 'uint32' | 'bool';
type FieldType = Scalar | { enum: readonly string[] } | { message: string } | 'map';

interface FieldSpec {
  readonly proto: string;
  readonly type: FieldType;
  readonly repeated?: boolean;
}

const str = (proto: string, repeated = false): FieldSpec => ({ proto, type: 'string', repeated });
const msg = (proto: string, message: string, repeated = false): FieldSpec => ({
  proto,
  type: { message },
  repeated,
});

const ENFORCEMENT_MODE = ['ENFORCED', 'PERMISSIVE'];

const MESSAGES: Readonly<Record<string, readonly FieldSpec[]>> = {
  ServiceRole: [msg('rules', 'AccessRule', true)],
  AccessRule: [
    str('services', true),
    str('hosts', true),
    str('not_hosts', true),
    str('paths', true),
    str('not_paths', true),
    str('methods', true),
    str('not_methods', true),
    { proto: 'ports', type: 'int32', repeated: true },
    { proto: 'not_ports', type: 'int32', repeated: true },
    msg('constraints', 'Constraint', true),
  ],
  Constraint: [str('key'), str('values', true)],
  ServiceRoleBinding: [
    msg('subjects', 'Subject', true),
    msg('roleRef', 'RoleRef'),
    { proto: 'mode', type: { enum: ENFORCEMENT_MODE } },
    msg('actions', 'AccessRule', true),
    str('role'),
  ],
  Subject: [
    str('user'),
    str('names', true),
    str('not_names', true),
    str('group'),
    str('groups', true),
    str('not_groups', true),
    str('namespaces', true),
    str('not_namespaces', true),
    str('ips', true),
    str('not_ips', true),
    { proto: 'properties', type: 'map' },
  ],
  RoleRef: [str('kind'), str('name')],
  RbacConfig: [
    { proto: 'mode', type: { enum: ['OFF', 'ON', 'ON_WITH_INCLUSION', 'ON_WITH_EXCLUSION'] } },
    msg('inclusion', 'Target'),
    msg('exclusion', 'Target'),
    { proto: 'enforcement_mode', type: { enum: ENFORCEMENT_MODE } },
  ],
  Target: [str('services', true), str('namespaces', true)],
  Policy: [
    msg('targets', 'TargetSelector', true),
    msg('peers', 'PeerAuthenticationMethod', true),
    { proto: 'peer_is_optional', type: 'bool' },
    msg('origins', 'OriginAuthenticationMethod', true),
    { proto: 'origin_is_optional', type: 'bool' },
    { proto: 'principal_binding', type: { enum: ['USE_PEER', 'USE_ORIGIN'] } },
  ],
  TargetSelector: [str('name'), { proto: 'labels', type: 'map' }, msg('ports', 'PortSelector', true)],
  PortSelector: [
    { proto: 'number', type: 'uint32' },
    { proto: 'name', type: 'string' },
  ],
  PeerAuthenticationMethod: [msg('mtls', 'MutualTls'), msg('jwt', 'Jwt')],
  MutualTls: [
    { proto: 'allow_tls', type: 'bool' },
    { proto: 'mode', type: { enum: ['STRICT', 'PERMISSIVE'] } },
  ],
  Jwt: [
    str('issuer'),
    str('audiences', true),
    str('jwks_uri'),
    str('jwks'),
    str('jwt_headers', true),
    str('jwt_params', true),
    msg('trigger_rules', 'TriggerRule', true),
  ],
  TriggerRule: [msg('excluded_paths', 'StringMatch', true), msg('included_paths', 'StringMatch', true)],
  StringMatch: [str('exact'), str('prefix'), str('suffix'), str('regex')],
  OriginAuthenticationMethod: [msg('jwt', 'Jwt')],
};

/** protoc's json_name: `not_paths` -> `notPaths`. */
export function jsonName(proto: string): string {
  return proto.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

class WrongType extends Error {}

function scalar(type: Scalar | { enum: readonly string[] }, value: unknown): unknown {
  if (typeof type === 'object') {
    // jsonpb: an enum is its name (exact) or its number.
    if (typeof value === 'string') {
      const index = type.enum.indexOf(value);
      if (index < 0) throw new WrongType();
      return type.enum[index];
    }
    if (typeof value === 'number' && Number.isInteger(value)) return type.enum[value] ?? value;
    throw new WrongType();
  }
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new WrongType();
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new WrongType();
      return value;
    case 'int32':
    case 'uint32': {
      // jsonpb drops the quotes of a quoted number before reading it.
      const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number)) throw new WrongType();
      const [min, max] = type === 'int32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
      if (number < min || number > max) throw new WrongType();
      return number;
    }
  }
}

function one(field: FieldSpec, value: unknown): unknown {
  const { type } = field;
  if (type === 'map') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WrongType();
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === null) out[key] = '';
      else if (typeof v === 'string') out[key] = v;
      else throw new WrongType();
    }
    return out;
  }
  if (typeof type === 'object' && 'message' in type) return message(type.message, value);
  return scalar(type, value);
}

function message(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WrongType();
  const raw = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of MESSAGES[name] ?? []) {
    const camel = jsonName(field.proto);
    const present = camel in raw ? raw[camel] : raw[field.proto];
    if (present === undefined || present === null) continue;
    if (field.repeated) {
      if (!Array.isArray(present)) throw new WrongType();
      // A null entry of a repeated message is a nil pointer pilot would dereference: not modelled.
      if (present.some((v) => v === null)) throw new WrongType();
      out[camel] = present.map((v) => one(field, v));
    } else {
      out[camel] = one(field, present);
    }
  }
  return out;
}

/** The message 1.4 read from `spec`, keyed by JSON names; undefined when 1.4 skipped the object. */
export function decode14(messageName: string, spec: unknown): Record<string, unknown> | undefined {
  try {
    return message(messageName, spec ?? {});
  } catch (error) {
    if (error instanceof WrongType) return undefined;
    throw error;
  }
}
