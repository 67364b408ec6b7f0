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
 * The fields are declared once, as plain data (`RawType`, in raw-fields.ts; the table in kinds.ts
 * says which kind is checked for which), and two checkers are built from that declaration: a
 * compiled predicate that allocates nothing, run on every object, and a zod schema, run only on
 * an object the predicate refused, to word the problem. zod's safeParse of
 * every object cost 1.4 s of a 13 s scan at 150,000 pods (and 1.0 s more in the loader worker);
 * on the 15,000 pods of the bench's size M the predicate takes about a fifth to a tenth of the
 * time safeParse took (docs/performance.md). The predicate mirrors the installed zod
 * exactly (test/snapshot/raw-schema-property.test.ts checks the two agree on generated objects):
 * objects are non-null non-array objects read by property access, absent and `null` are allowed
 * only where declared `maybe`, string bounds count code points as zod does, numbers are finite
 * and integers safe integers.
 */
import { z } from 'zod';
import { KIND_TABLE } from './kinds.ts';
import type { KubeKind } from './model.ts';
import { MAX_TEXT_LENGTH, RAW_METADATA, type RawShape, type RawType } from './raw-fields.ts';
import { isKeptObject, isRecord } from './strip.ts';

/** The declared type of a raw object of a kind: its metadata and the fields the rules read (kinds.ts). */
export function rawObjectType(kind: KubeKind): RawType {
  const checked: RawShape | undefined = KIND_TABLE[kind].checked;
  return { type: 'object', shape: { metadata: RAW_METADATA, ...checked } };
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
