/**
 * The Google client libraries decode REST answers into protobuf messages and hand them back with
 * every default filled in (`defaults: true`): "" for unset strings, 0, false, the zero enum name
 * (AUTH_NONE, MODE_UNSPECIFIED), null for unset messages. The REST API and gcloud leave those
 * out (proto3 JSON). The rules, and the offline loader, read the REST shape, where "absent" and
 * "empty" are the same fact; this turns the client's object back into it, field by field, using
 * the message's own type so that only true defaults are dropped.
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

type Raw = Record<string, unknown>;

const require = createRequire(import.meta.url);
let containerRoot: protobuf.Root | undefined;

/** The v1beta1 GKE Cluster message type, from the descriptors the container client ships. */
export function gkeClusterType(): protobuf.Type {
  containerRoot ??= protobuf.Root.fromJSON(require('@google-cloud/container/build/protos/protos.json'));
  return containerRoot.lookupType('google.container.v1beta1.Cluster');
}

function isDefaultScalar(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === '0';
}

function convertValue(field: protobuf.Field, value: unknown): unknown {
  const type = field.resolvedType;
  if (type instanceof protobuf.Type)
    return typeof value === 'object' && value !== null ? withoutProtoDefaults(type, value as Raw) : value;
  return value;
}

/** The proto3 JSON form of a decoded message: fields holding their default value are left out. */
export function withoutProtoDefaults(type: protobuf.Type, message: Raw): Raw {
  const out: Raw = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const value = message[field.name];
    if (value === null || value === undefined) continue;
    if (field.map) {
      if (typeof value !== 'object' || Object.keys(value).length === 0) continue;
      out[field.name] = Object.fromEntries(
        Object.entries(value as Raw).map(([key, entry]) => [key, convertValue(field, entry)]),
      );
      continue;
    }
    if (field.repeated) {
      if (!Array.isArray(value) || value.length === 0) continue;
      out[field.name] = value.map((entry) => convertValue(field, entry));
      continue;
    }
    // Fields in a oneof (including proto3 `optional`) keep their value: there, set-to-default is a fact.
    const tracksPresence = field.partOf !== null && field.partOf !== undefined;
    if (field.resolvedType instanceof protobuf.Type) {
      out[field.name] = convertValue(field, value);
    } else if (field.resolvedType instanceof protobuf.Enum) {
      const number = typeof value === 'number' ? value : field.resolvedType.values[String(value)];
      if (tracksPresence || number !== 0) out[field.name] = value;
    } else if (tracksPresence || !isDefaultScalar(value)) {
      out[field.name] = value;
    }
  }
  return out;
}
