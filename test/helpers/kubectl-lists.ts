/**
 * Generated kubectl-like JSON Lists for the loader's property tests (issue #25): objects of the
 * kinds meshready reads and some it skips, nested, with strings full of quotes, escapes, braces,
 * brackets, the word `items` and line separators; written the ways real files are (kubectl's
 * `-o json`, JSON.stringify with any indent, tabs, minified), and broken the ways files break.
 */
import fc from 'fast-check';
import { visit } from 'jsonc-parser';

/** Text that looks like JSON structure from inside a string. */
const TRICKY = [
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  'items',
  '"items": [',
  '},\n{',
  '    }',
  '\n',
  '\t',
  '\u2028',
  '\u0085',
  '<&>',
  'é',
  '🚀',
  '\u0000',
];

export const trickyString = (maxLength = 6): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...TRICKY),
        fc.string({ maxLength: 3 }),
        fc.string({ unit: 'binary', maxLength: 2 }),
      ),
      {
        maxLength,
      },
    )
    .map((parts) => parts.join(''));

const name = fc
  .oneof(fc.constantFrom('cart', 'web', 'items', 'a'), trickyString(3))
  .filter((n) => n.length > 0);
const labels = fc.dictionary(
  fc.oneof(fc.constantFrom('app', 'items', 'version'), trickyString(2)),
  trickyString(3),
  {
    maxKeys: 3,
  },
);
/** Nested values, as in the specs rules read whole (VirtualService, NetworkPolicy). */
const nested = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    trickyString(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom('items', 'kind', 'spec'), trickyString(2)), tie('value'), {
      maxKeys: 3,
    }),
  ),
})).value;

const metadata = (namespace: fc.Arbitrary<string>) =>
  fc.record(
    { name, namespace, uid: fc.uuid(), labels, annotations: labels },
    { requiredKeys: ['name', 'namespace'] },
  );

const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: metadata(name),
  spec: fc.record({
    containers: fc.array(fc.record({ name, image: trickyString(4) }), { maxLength: 2 }),
    extra: nested,
  }),
  status: fc.record({ phase: fc.constantFrom('Running', 'Pending') }),
});
const service = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Service'),
  metadata: metadata(name),
  spec: fc.record({
    ports: fc.array(
      fc.record({
        name: trickyString(2),
        port: fc.integer({ min: 1, max: 65535 }),
        protocol: fc.constant('TCP'),
      }),
      { maxLength: 2 },
    ),
  }),
});
const virtualService = fc.record({
  apiVersion: fc.constant('networking.istio.io/v1alpha3'),
  kind: fc.constant('VirtualService'),
  metadata: metadata(name),
  spec: fc.dictionary(trickyString(2), nested, { maxKeys: 3 }),
});
const networkPolicy = fc.record({
  apiVersion: fc.constant('networking.k8s.io/v1'),
  kind: fc.constant('NetworkPolicy'),
  metadata: metadata(fc.constant('istio-system')),
  spec: fc.record({
    podSelector: fc.record({ matchLabels: labels }),
    ingress: fc.array(
      fc.record({
        ports: fc.array(
          fc.record(
            { port: fc.integer({ min: 1, max: 65535 }), endPort: fc.integer({ min: 1, max: 65535 }) },
            { requiredKeys: ['port'] },
          ),
          { maxLength: 2 },
        ),
      }),
      { maxLength: 2 },
    ),
  }),
});
const namespace = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Namespace'),
  metadata: fc.record({ name, labels }),
});
/** Kinds meshready skips (counted, never kept). */
const skipped = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constantFrom('Secret', 'Event', 'Endpoints'),
  metadata: metadata(name),
  data: fc.dictionary(trickyString(2), trickyString(4), { maxKeys: 2 }),
});

export const kubeObject = fc.oneof(pod, service, virtualService, networkPolicy, namespace, skipped);

/**
 * A List as kubectl prints it, with the envelope's keys in any order, sometimes a decoy `items`
 * in its metadata, and sometimes a first top-level `items` that a later one replaces (`shadowed`:
 * JSON.parse keeps the last; JavaScript objects cannot hold it, so `written` puts it in the text).
 */
export const kubectlList = fc
  .record({
    items: fc.array(kubeObject, { maxLength: 6 }),
    decoy: fc.option(fc.array(kubeObject, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    shadowed: fc.option(fc.array(kubeObject, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    order: fc.constantFrom('kubectl', 'metadata-first', 'items-last'),
    kind: fc.constantFrom('List', 'PodList'),
  })
  .map(({ items, decoy, shadowed, order, kind }) => {
    const meta = decoy ? { resourceVersion: '', items: decoy } : { resourceVersion: '' };
    const value =
      order === 'metadata-first'
        ? { apiVersion: 'v1', metadata: meta, items, kind }
        : order === 'items-last'
          ? { apiVersion: 'v1', kind, metadata: meta, items }
          : { apiVersion: 'v1', items, kind, metadata: meta };
    return { value, shadowed };
  });

/** Go's encoding/json escapes these inside strings, as `kubectl -o json` prints them. */
function goEscaped(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type Layout = 'kubectl' | 'indent' | 'tabs' | 'minified';
export const layout = fc.record({
  style: fc.constantFrom<Layout>('kubectl', 'indent', 'tabs', 'minified'),
  indent: fc.integer({ min: 1, max: 8 }),
  newline: fc.boolean(),
});

/** The text of a List written in a layout (a shadowed `items` first, as the layout indents a top-level key). */
export function written(
  list: { readonly value: unknown; readonly shadowed?: unknown },
  how: { style: Layout; indent: number; newline: boolean },
): string {
  const indent =
    how.style === 'kubectl' ? 4 : how.style === 'indent' ? how.indent : how.style === 'tabs' ? '\t' : 0;
  const stringify = (value: unknown) => {
    const text = JSON.stringify(value, null, indent);
    return how.style === 'kubectl' ? goEscaped(text) : text;
  };
  let text = stringify(list.value);
  if (list.shadowed !== undefined) {
    const pad = typeof indent === 'number' ? ' '.repeat(indent) : indent;
    const member = `"items":${pad ? ' ' : ''}${stringify(list.shadowed).replaceAll('\n', `\n${pad}`)},`;
    text = pad ? `{\n${pad}${member}${text.slice(1)}` : `{${member}${text.slice(1)}`;
  }
  return how.newline || how.style === 'kubectl' ? `${text}\n` : text;
}

/** Where the objects of a JSON text are, and their keys (by jsonc-parser). */
function objectsIn(text: string): { start: number; end: number; keys: string[] }[] {
  const open: { start: number; keys: string[] }[] = [];
  const objects: { start: number; end: number; keys: string[] }[] = [];
  visit(text, {
    onObjectBegin: (offset) => {
      open.push({ start: offset, keys: [] });
    },
    onObjectProperty: (property) => {
      open.at(-1)?.keys.push(property);
    },
    onObjectEnd: (offset) => {
      const object = open.pop();
      if (object) objects.push({ ...object, end: offset });
    },
  });
  return objects;
}

const STRUCTURE = /[,{}"[\]:]/g;
const GARBAGE = ['x', '}', ']', '{', ',', '"', '1', 'null', '{"a": 1}', ' ', '\n', ',{}', '"items": []'];

/** One way a file breaks (or stays valid while changing): drop or duplicate structure, duplicate a key, append garbage. */
export const mutation = fc.record({
  what: fc.constantFrom('drop', 'duplicate', 'duplicate-key', 'garbage-after-item', 'garbage-at-end', 'swap'),
  pick: fc.nat(),
  value: fc.jsonValue({ maxDepth: 1 }),
  first: fc.boolean(),
  garbage: fc.constantFrom(...GARBAGE),
});

export function mutated(text: string, m: MutationValue): string {
  const structure = [...text.matchAll(STRUCTURE)].map((match) => match.index);
  const at = (list: readonly number[]) => list[m.pick % Math.max(1, list.length)];
  switch (m.what) {
    case 'drop': {
      const i = at(structure);
      return i === undefined ? text : text.slice(0, i) + text.slice(i + 1);
    }
    case 'duplicate': {
      const i = at(structure);
      return i === undefined ? text : text.slice(0, i + 1) + text.slice(i);
    }
    case 'swap': {
      // A comma becomes a space, or a space after a comma becomes a comma.
      const i = at(structure);
      return i === undefined ? text : `${text.slice(0, i)} ${text.slice(i + 1)}`;
    }
    case 'duplicate-key': {
      const objects = objectsIn(text).filter((o) => o.keys.length > 0);
      const object = objects[m.pick % Math.max(1, objects.length)];
      if (!object) return text;
      const key = JSON.stringify(object.keys[m.pick % object.keys.length]);
      const member = `${key}: ${JSON.stringify(m.value)}`;
      return m.first
        ? `${text.slice(0, object.start + 1)}${member}, ${text.slice(object.start + 1)}`
        : `${text.slice(0, object.end)}, ${member}${text.slice(object.end)}`;
    }
    case 'garbage-after-item': {
      const closes = [...text.matchAll(/},/g)].map((match) => match.index + 2);
      const i = at(closes);
      return i === undefined ? text + m.garbage : text.slice(0, i) + m.garbage + text.slice(i);
    }
    case 'garbage-at-end':
      return text + m.garbage;
  }
}

export interface MutationValue {
  readonly what: 'drop' | 'duplicate' | 'duplicate-key' | 'garbage-after-item' | 'garbage-at-end' | 'swap';
  readonly pick: number;
  readonly value: unknown;
  readonly first: boolean;
  readonly garbage: string;
}
