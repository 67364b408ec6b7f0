/**
 * The shape of the raw fields the rules read, checked before an object is stripped.
 *
 * strip.ts reads defensively (a field of the wrong type reads as absent), which is right for
 * fields nobody reads but wrong for the ones a rule decides on: a ClusterRole whose `rules:` is a
 * map granting `verbs: ["*"]` read as "no rules" and passed `galley-webhook-clusterrole`; a
 * Service whose `ports:` is a map read as "no ports" and passed `service-port-naming`. Such an
 * object is not one the API server would return, so it is refused: an input error naming the file
 * and line offline, the kind not collected (`unknown`) live.
 *
 * Only the fields the rules read are declared, all loose (other fields pass untouched), and
 * strings are bounded (Kubernetes names are at most 253 characters) so a 50 MB name cannot turn
 * into gigabytes of reports.
 *
 * The fields are declared once, as plain data (`RawType`), and two checkers are built from that
 * declaration: a compiled predicate that allocates nothing, run on every object, and a zod
 * schema, run only on an object the predicate refused, to word the problem. zod's safeParse of
 * every object cost 1.4 s of a 13 s scan at 150,000 pods (and 1.0 s more in the loader worker);
 * on the 15,000 pods of the bench's size M the predicate takes about a fifth to a tenth of the
 * time safeParse took (docs/performance.md). The predicate mirrors the installed zod
 * exactly (test/snapshot/raw-schema-property.test.ts checks the two agree on generated objects):
 * objects are non-null non-array objects read by property access, absent and `null` are allowed
 * only where declared `maybe`, string bounds count code points as zod does, numbers are finite
 * and integers safe integers.
 */
import { z } from 'zod';
import type { KubeKind } from './model.ts';
import { isKeptObject, isRecord } from './strip.ts';

/** DNS subdomain names (most object names) are at most 253 characters. */
export const MAX_NAME_LENGTH = 253;
/** Any other string a rule reads (images, label values, versions, protocol names). */
const MAX_TEXT_LENGTH = 4096;

/** A string length bound (in code points, as zod counts) and the message zod gives when it is broken. */
interface LengthBound {
  readonly length: number;
  readonly message?: string;
}

/** The type of one raw field, as data: the zod schema and the predicate are both built from it. */
export type RawType =
  | {
      readonly type: 'string';
      readonly min?: LengthBound;
      readonly max?: LengthBound;
      readonly pattern?: { readonly regex: RegExp; readonly message: string };
    }
  | { readonly type: 'number'; readonly int?: true; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'scalarMap'; readonly maxValueLength: number; readonly message: string }
  | { readonly type: 'array'; readonly item: RawType }
  | { readonly type: 'object'; readonly shape: RawShape }
  | { readonly type: 'union'; readonly options: readonly [RawType, RawType, ...RawType[]] }
  | { readonly type: 'maybe'; readonly inner: RawType };
/** The declared fields of a loose object; fields not declared pass untouched. */
export type RawShape = Readonly<Record<string, RawType>>;

const string = (bounds: Omit<Extract<RawType, { type: 'string' }>, 'type'> = {}): RawType => ({
  type: 'string',
  ...bounds,
});
const array = (item: RawType): RawType => ({ type: 'array', item });
const object = (shape: RawShape): RawType => ({ type: 'object', shape });
const union = (...options: [RawType, RawType, ...RawType[]]): RawType => ({ type: 'union', options });
/** `null` is how YAML writes an empty field (`ports:` with nothing after it); it reads as absent. */
const maybe = (inner: RawType): RawType => ({ type: 'maybe', inner });
const spec = (shape: RawShape): RawType => maybe(object(shape));
const boolean: RawType = { type: 'boolean' };
/** Any finite number (zod's z.number() refuses NaN and ±Infinity). */
const number: RawType = { type: 'number' };

const name = string({
  min: { length: 1, message: 'must not be empty' },
  max: {
    length: MAX_NAME_LENGTH,
    message: `longer than ${MAX_NAME_LENGTH} characters (a Kubernetes name is at most that)`,
  },
});
const text = string({
  max: { length: MAX_TEXT_LENGTH, message: `longer than ${MAX_TEXT_LENGTH} characters` },
});
const count: RawType = { type: 'number', int: true, min: 0 };
/** A port number; JSON `1e400` parses as Infinity and is refused here. */
const portNumber: RawType = { type: 'number', int: true, min: 0, max: 65535 };
/**
 * Label and annotation values: hand-written YAML may say `version: 1`, which strip.ts reads as
 * text. Checked by one function rather than z.record, which copies every map it validates: these
 * maps are on every object, and the check must stay cheap at 200,000 objects.
 */
const labelMap: RawType = {
  type: 'scalarMap',
  maxValueLength: MAX_TEXT_LENGTH,
  message: `expected a map of strings (values at most ${MAX_TEXT_LENGTH} characters)`,
};
/** Annotations may be long (the last-applied configuration), so their values are not bounded here. */
const annotationMap: RawType = {
  type: 'scalarMap',
  maxValueLength: Number.POSITIVE_INFINITY,
  message: 'expected a map of strings',
};
const strings = array(text);

const metadata = object({
  name,
  namespace: maybe(name),
  uid: maybe(text),
  labels: maybe(labelMap),
  annotations: maybe(annotationMap),
  ownerReferences: maybe(
    array(
      object({
        apiVersion: maybe(text),
        kind: maybe(text),
        name: maybe(string({ max: { length: MAX_NAME_LENGTH } })),
        uid: maybe(text),
        controller: maybe(boolean),
      }),
    ),
  ),
  managedFields: maybe(array(object({ manager: maybe(text) }))),
});

const containers = maybe(array(object({ name: maybe(text), image: maybe(text) })));
const podTemplate = object({
  metadata: maybe(object({ labels: maybe(labelMap) })),
  spec: maybe(object({ containers })),
});

const servicePort = object({
  name: maybe(text),
  port: maybe(union(portNumber, string({ pattern: { regex: /^\d{1,5}$/, message: 'not a port number' } }))),
  protocol: maybe(text),
  appProtocol: maybe(text),
  targetPort: maybe(union(portNumber, text)),
});

/** A Kubernetes label selector (NetworkPolicy `podSelector`). */
const labelSelector = object({
  matchLabels: maybe(labelMap),
  matchExpressions: maybe(array(object({ key: maybe(text), operator: maybe(text), values: maybe(strings) }))),
});

const policyRule = object({
  apiGroups: maybe(strings),
  resources: maybe(strings),
  resourceNames: maybe(strings),
  verbs: maybe(strings),
});

const KIND_FIELDS: Readonly<Partial<Record<KubeKind, RawShape>>> = {
  nodes: {
    status: spec({
      capacity: spec({ cpu: maybe(union(text, count)) }),
      nodeInfo: spec({ kubeletVersion: maybe(text) }),
    }),
  },
  services: { spec: spec({ type: maybe(text), ports: maybe(array(servicePort)) }) },
  pods: {
    spec: spec({ containers }),
    status: spec({
      phase: maybe(text),
      conditions: maybe(array(object({ type: maybe(text), status: maybe(text) }))),
    }),
  },
  deployments: {
    spec: spec({ replicas: maybe(count), template: maybe(podTemplate) }),
    status: spec({ readyReplicas: maybe(count) }),
  },
  statefulsets: {
    spec: spec({ replicas: maybe(count), template: maybe(podTemplate) }),
    status: spec({ readyReplicas: maybe(count) }),
  },
  daemonsets: {
    spec: spec({ template: maybe(podTemplate) }),
    status: spec({ desiredNumberScheduled: maybe(count), numberReady: maybe(count) }),
  },
  validatingwebhookconfigurations: { webhooks: maybe(array(object({ name: maybe(text) }))) },
  mutatingwebhookconfigurations: { webhooks: maybe(array(object({ name: maybe(text) }))) },
  clusterroles: { rules: maybe(array(policyRule)) },
  istiooperators: {
    spec: spec({
      profile: maybe(text),
      revision: maybe(text),
      tag: maybe(union(text, number)),
      components: spec({
        ingressGateways: maybe(array(object({ name: maybe(text), enabled: maybe(boolean) }))),
      }),
    }),
    status: spec({ status: maybe(text) }),
  },
  virtualservices: { spec: maybe(object({})) },
  // gateway-port-changes decides on these ports: a port it cannot read must not read as absent
  // (or as Infinity on one path and null on the other, issue #25).
  networkpolicies: {
    spec: spec({
      podSelector: maybe(labelSelector),
      policyTypes: maybe(strings),
      ingress: maybe(
        array(
          object({
            ports: maybe(
              array(
                object({
                  protocol: maybe(text),
                  port: maybe(union(portNumber, text)),
                  endPort: maybe(portNumber),
                }),
              ),
            ),
          }),
        ),
      ),
    }),
  },
  authorizationpolicies: {
    spec: spec({
      selector: maybe(object({ matchLabels: maybe(labelMap) })),
      rules: maybe(
        array(
          object({
            to: maybe(
              array(
                object({
                  operation: maybe(
                    object({
                      ports: maybe(array(union(text, portNumber))),
                      notPorts: maybe(array(union(text, portNumber))),
                    }),
                  ),
                }),
              ),
            ),
          }),
        ),
      ),
    }),
  },
  backendconfigs: {
    spec: spec({
      healthCheck: maybe(object({ port: maybe(union(portNumber, text)), requestPath: maybe(text) })),
    }),
  },
};

/** The declared type of a raw object of a kind: its metadata and the fields the rules read. */
export function rawObjectType(kind: KubeKind): RawType {
  return object({ metadata, ...KIND_FIELDS[kind] });
}

// ---- the two checkers built from a declaration -------------------------------------------

function isScalarMap(value: unknown, maxLength: number): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    const entry = (value as Record<string, unknown>)[key];
    if (key.length > MAX_TEXT_LENGTH) return false;
    if (typeof entry === 'string') {
      if (entry.length > maxLength) return false;
    } else if (entry !== null && typeof entry !== 'number' && typeof entry !== 'boolean') return false;
  }
  return true;
}

/** Whether a missing key is allowed, as zod decides it (a nullish schema is "optional in"). */
function isOptional(type: RawType): boolean {
  return type.type === 'maybe' || (type.type === 'union' && type.options.some(isOptional));
}

/** Code points in a string, as zod counts string lengths: a surrogate pair once, a lone surrogate as itself. */
function codePointLength(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    if ((value.charCodeAt(i) & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length--;
      i++;
    }
  }
  return length;
}

/**
 * Whether a string's code point length is within [min, max]. A code point is one or two UTF-16
 * units, so the units alone decide unless they fall between the bound and twice it.
 */
function lengthWithin(value: string, min: number, max: number): boolean {
  const units = value.length;
  if (units < min) return false;
  if (units > max && codePointLength(value) > max) return false;
  return units >= 2 * min || codePointLength(value) >= min;
}

type Predicate = (value: unknown) => boolean;

/**
 * The predicate of a declared type, compiled into one function (with one more per union option).
 *
 * Measured on the 15,000 pods of the bench's size M: a tree of closures, one per declared type,
 * spends its time in keyed loads `value[key]` whose one site sees every object shape and goes
 * megamorphic (as in shape.ts's compilePicker), and took about a third of zod's time; a compiled
 * function reads each field with a named load at its own site. The compiled text holds only the
 * declaration above: field names as JSON string literals, numbers from it, and the helpers and
 * regular expressions passed in as arguments; nothing read from a cluster or a file reaches it.
 */
function compilePredicate(type: RawType): Predicate {
  const regexes: RegExp[] = [];
  const unions: Predicate[] = [];
  let names = 0;
  const fresh = (prefix: string) => `${prefix}${names++}`;

  /** Statements that return false when `v` (a variable name) does not have the type. */
  function check(type: RawType, v: string): string {
    switch (type.type) {
      case 'string': {
        const min = type.min?.length ?? 0;
        const max = type.max?.length ?? Number.POSITIVE_INFINITY;
        let text = `if (typeof ${v} !== 'string' || !lengthWithin(${v}, ${min}, ${max})) return false;`;
        if (type.pattern) {
          const regex = `regexes[${regexes.push(type.pattern.regex) - 1}]`;
          text += ` ${regex}.lastIndex = 0; if (!${regex}.test(${v})) return false;`;
        }
        return text;
      }
      case 'number': {
        const conditions = [`typeof ${v} !== 'number'`, `!Number.isFinite(${v})`];
        if (type.int) conditions.push(`!Number.isSafeInteger(${v})`);
        if (type.min !== undefined) conditions.push(`${v} < ${type.min}`);
        if (type.max !== undefined) conditions.push(`${v} > ${type.max}`);
        return `if (${conditions.join(' || ')}) return false;`;
      }
      case 'boolean':
        return `if (typeof ${v} !== 'boolean') return false;`;
      case 'scalarMap':
        return `if (!isScalarMap(${v}, ${type.maxValueLength})) return false;`;
      case 'array': {
        const index = fresh('i');
        const item = fresh('item');
        return `if (!Array.isArray(${v})) return false;
for (let ${index} = 0; ${index} < ${v}.length; ${index}++) { const ${item} = ${v}[${index}]; ${check(type.item, item)} }`;
      }
      case 'object': {
        const fields = Object.entries(type.shape)
          // zod never reads a declared `__proto__` key; none is declared, but the mirror is kept exact.
          .filter(([key]) => key !== '__proto__')
          .map(([key, field]) => {
            const name = fresh('f');
            const literal = JSON.stringify(key);
            const absent = isOptional(field) ? '' : 'return false;';
            return `{ const ${name} = ${v}[${literal}];
if (${name} === undefined && !(${literal} in ${v})) { ${absent} } else { ${check(field, name)} } }`;
          });
        return `if (typeof ${v} !== 'object' || ${v} === null || Array.isArray(${v})) return false;\n${fields.join('\n')}`;
      }
      case 'union': {
        const options = type.options.map(
          (option) => `unions[${unions.push(compilePredicate(option)) - 1}](${v})`,
        );
        return `if (!(${options.join(' || ')})) return false;`;
      }
      case 'maybe':
        return `if (${v} !== null && ${v} !== undefined) { ${check(type.inner, v)} }`;
    }
  }

  const body = `return function accepts(value) {\n${check(type, 'value')}\nreturn true;\n};`;
  const factory = new Function('lengthWithin', 'isScalarMap', 'regexes', 'unions', body) as (
    ...helpers: [typeof lengthWithin, typeof isScalarMap, RegExp[], Predicate[]]
  ) => Predicate;
  return factory(lengthWithin, isScalarMap, regexes, unions);
}

function schemaOf(type: RawType): z.ZodType {
  switch (type.type) {
    case 'string': {
      let schema = z.string();
      if (type.min) schema = schema.min(type.min.length, type.min.message);
      if (type.max) schema = schema.max(type.max.length, type.max.message);
      if (type.pattern) schema = schema.regex(type.pattern.regex, type.pattern.message);
      return schema;
    }
    case 'number': {
      let schema = z.number();
      if (type.int) schema = schema.int();
      if (type.min !== undefined) schema = schema.min(type.min);
      if (type.max !== undefined) schema = schema.max(type.max);
      return schema;
    }
    case 'boolean':
      return z.boolean();
    case 'scalarMap': {
      const maxValueLength = type.maxValueLength;
      return z.custom<Record<string, unknown>>((value) => isScalarMap(value, maxValueLength), type.message);
    }
    case 'array':
      return z.array(schemaOf(type.item));
    case 'object':
      return z.looseObject(
        Object.fromEntries(Object.entries(type.shape).map(([key, field]) => [key, schemaOf(field)])),
      );
    case 'union': {
      const [first, second, ...rest] = type.options.map(schemaOf);
      return z.union([first as z.ZodType, second as z.ZodType, ...rest]);
    }
    case 'maybe':
      return schemaOf(type.inner).nullish();
  }
}

interface RawChecker {
  readonly accepts: Predicate;
  /** Built on first use: only an object the predicate refused needs it. */
  schema?: z.ZodType;
}
const CHECKERS = new Map<KubeKind, RawChecker>();
function checkerFor(kind: KubeKind): RawChecker {
  let checker = CHECKERS.get(kind);
  if (!checker) {
    checker = { accepts: compilePredicate(rawObjectType(kind)) };
    CHECKERS.set(kind, checker);
  }
  return checker;
}

/** The fast check alone: whether a raw object of a kind has the declared shape. */
export function acceptsRawObject(kind: KubeKind, raw: unknown): boolean {
  return checkerFor(kind).accepts(raw);
}

/** The zod schema of a kind's raw objects, built from the same declaration (it words problems). */
export function rawObjectSchema(kind: KubeKind): z.ZodType {
  const checker = checkerFor(kind);
  checker.schema ??= schemaOf(rawObjectType(kind));
  return checker.schema;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** What is wrong with a raw object of a kind the rules read, or undefined when nothing is. */
export function rawObjectProblem(kind: KubeKind, raw: unknown): string | undefined {
  if (acceptsRawObject(kind, raw)) return undefined;
  const result = rawObjectSchema(kind).safeParse(raw);
  // Unreachable while the predicate mirrors zod (the property test holds them together).
  if (result.success) return undefined;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  return `${pathText(issue.path) || 'object'}: ${issue.message}`;
}

/** "Service shop/cart" for messages, from whatever the raw object holds (bounded). */
export function describeRawObject(raw: Record<string, unknown>): string {
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  const clip = (value: unknown) => (typeof value === 'string' ? value.slice(0, 80) : '');
  const namespace = clip(metadata.namespace);
  const objectName = clip(metadata.name) || '(no name)';
  return `${clip(raw.kind) || 'object'} ${namespace ? `${namespace}/` : ''}${objectName}`;
}

/**
 * Why a raw object of a kind the rules read cannot be used, or undefined when it can. Objects
 * the snapshot drops anyway (ConfigMaps outside istio-system, ClusterRoles not Istio's) are not
 * checked: no rule reads them.
 */
export function invalidRawObject(kind: KubeKind, raw: Record<string, unknown>): string | undefined {
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  if (typeof metadata.name === 'string' && metadata.name !== '') {
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
    const kept = isKeptObject(kind, {
      name: metadata.name,
      ...(namespace === undefined ? {} : { namespace }),
    });
    if (!kept) return undefined;
  }
  const problem = rawObjectProblem(kind, raw);
  return problem === undefined ? undefined : `${describeRawObject(raw)}: ${problem}`;
}
