/**
 * Raw objects generated from the raw-field declarations (src/snapshot/raw-fields.ts): valid ones,
 * and ones with one declared field set to a hostile value, to hold the fast predicate and the
 * zod schema to the same verdict.
 */
import fc from 'fast-check';
import type { RawShape, RawType } from '../../src/snapshot/raw-fields.ts';

/** A path into a raw object: keys, and 0 for "the first item of this array". */
export type RawPath = readonly (string | 0)[];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function isOptional(type: RawType): boolean {
  return type.type === 'maybe' || (type.type === 'union' && type.options.some(isOptional));
}

/** A string of exactly `codePoints` code points, some of them astral (two UTF-16 units each). */
function stringOfCodePoints(codePoints: number): fc.Arbitrary<string> {
  return fc.constantFrom('a', '😀', 'é', '\ud83d').map((unit) => {
    // A lone high surrogate followed by 'a' stays two code points; keep it at the end only.
    if (unit === '\ud83d') return codePoints === 0 ? '' : `${'a'.repeat(codePoints - 1)}\ud83d`;
    return unit.repeat(codePoints);
  });
}

/** Values the declaration accepts for `type`. */
export function validValue(type: RawType): fc.Arbitrary<unknown> {
  switch (type.type) {
    case 'string': {
      const min = type.min?.length ?? 0;
      const max = type.max?.length ?? 10_000;
      if (type.pattern) return fc.stringMatching(type.pattern.regex);
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, min + 12), unit: 'binary' }),
        },
        { weight: 1, arbitrary: stringOfCodePoints(max) },
        { weight: 1, arbitrary: stringOfCodePoints(min) },
      );
    }
    case 'number': {
      if (type.int) return fc.integer({ min: type.min ?? -MAX_SAFE, max: type.max ?? MAX_SAFE });
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: type.min, max: type.max });
    }
    case 'boolean':
      return fc.boolean();
    case 'scalarMap':
      return fc.dictionary(
        fc.string({ maxLength: 8 }),
        fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
        { maxKeys: 4 },
      );
    case 'array':
      return fc.array(validValue(type.item), { maxLength: 3 });
    case 'object':
      return validObject(type.shape);
    case 'union':
      return fc.oneof(...type.options.map(validValue));
    case 'maybe':
      return fc.oneof(
        { weight: 4, arbitrary: validValue(type.inner) },
        { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
      );
  }
}

/** An object with the declared fields (optional ones sometimes absent) and some undeclared ones. */
function validObject(shape: RawShape): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(shape);
  const declared = fc.record(
    Object.fromEntries(keys.map((key) => [key, validValue(shape[key] as RawType)])),
    { requiredKeys: keys.filter((key) => !isOptional(shape[key] as RawType)) },
  );
  const extra = fc.dictionary(
    fc.string({ maxLength: 6 }).filter((key) => !keys.includes(key) && key !== '__proto__'),
    fc.anything({ maxDepth: 1 }),
    { maxKeys: 2 },
  );
  return fc.tuple(declared, extra).map(([fields, more]) => ({ ...more, ...fields }));
}

/** Every declared path of a type (the path of a `maybe` field is its own). */
export function declaredPaths(type: RawType, prefix: RawPath = []): RawPath[] {
  switch (type.type) {
    case 'object':
      return Object.entries(type.shape).flatMap(([key, field]) => [
        [...prefix, key],
        ...declaredPaths(field, [...prefix, key]),
      ]);
    case 'array':
      return [[...prefix, 0], ...declaredPaths(type.item, [...prefix, 0])];
    case 'maybe':
      return declaredPaths(type.inner, prefix);
    case 'union':
      return type.options.flatMap((option) => declaredPaths(option, prefix));
    default:
      return [];
  }
}

class Widget {
  readonly name = 'widget';
}

/**
 * Values to set a declared field to: wrong types, empty and absent values, strings just past
 * each bound (in UTF-16 units and in code points), numbers zod and JSON treat specially, and
 * objects that are not plain.
 */
export const HOSTILE_VALUES: readonly unknown[] = [
  null,
  undefined,
  '',
  'a',
  '1',
  '80',
  '007',
  '65535',
  '65536',
  '123456',
  ' 80',
  '80\n',
  '-1',
  'x'.repeat(253),
  'x'.repeat(254),
  '😀'.repeat(253),
  '😀'.repeat(254),
  `${'x'.repeat(252)}\ud83d`,
  `${'x'.repeat(253)}\ud83d`,
  'x'.repeat(4096),
  'x'.repeat(4097),
  '😀'.repeat(4096),
  '😀'.repeat(4097),
  '\ud800'.repeat(4097),
  0,
  -0,
  1,
  -1,
  1.5,
  65535,
  65536,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  -(2 ** 53),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  true,
  false,
  [],
  [1],
  ['a'],
  [{}],
  [null],
  // biome-ignore lint/suspicious/noSparseArray: a hole reads as undefined, as in zod.
  [, 'a'],
  {},
  { a: 1 },
  { a: 'b' },
  { a: { b: 'c' } },
  { name: 'a' },
  { '': 'x'.repeat(4097) },
  { ['k'.repeat(4097)]: 'v' },
  JSON.parse('{"__proto__": {"name": 5}, "name": "a"}'),
  Object.create(null),
  Object.create({ name: 5 }),
  new Widget(),
  new Date(0),
  new Map([['name', 'a']]),
  new String('a'),
  new Number(1),
  new Uint8Array(2),
  () => 'a',
  Symbol('a'),
  10n,
];

/** A copy of `base` with the value at `path` replaced (intermediate objects and arrays created). */
export function withValueAt(base: unknown, path: RawPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | 0, ...RawPath];
  if (head === 0) {
    const items = Array.isArray(base) ? [...base] : [];
    items[0] = withValueAt(items[0], rest, value);
    return items;
  }
  const record =
    typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...(base as object) } : {};
  (record as Record<string, unknown>)[head] = withValueAt(
    (record as Record<string, unknown>)[head],
    rest,
    value,
  );
  return record;
}

/** Valid objects of a type with one declared path set to a hostile (or any) value. */
export function mutatedValue(type: RawType): fc.Arbitrary<unknown> {
  const paths = declaredPaths(type);
  if (paths.length === 0) return fc.constantFrom(...HOSTILE_VALUES);
  return fc
    .tuple(
      validValue(type),
      fc.constantFrom(...paths),
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
        {
          weight: 1,
          arbitrary: fc.anything({ maxDepth: 2, withNullPrototype: true, withSparseArray: true }),
        },
      ),
    )
    .map(([valid, path, value]) => withValueAt(valid, path, value));
}
