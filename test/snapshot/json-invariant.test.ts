/**
 * Issue #25: for every JSON file the scan sees exactly the objects JSON.parse sees, or it is an
 * input error naming the file and line; on the sequential path and on the worker path alike
 * (forced here whatever the file's size). Each case below was read differently before the fix.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { itemLinesByJsoncParser, loadedOutcome, oracleOutcome, PATHS } from '../helpers/json-oracle.ts';

function pod(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels: { app: name } },
    spec: { containers: [{ name: 'app', image: 'gcr.io/acme/app:1' }] },
    status: { phase: 'Running' },
    ...extra,
  };
}

/** kubectl's layout: 4 spaces, `{}` for an empty object. */
function kubectlList(items: unknown[], envelope: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' }, ...envelope }, null, 4)}\n`;
}

const real = [pod('real-a'), pod('real-b'), pod('real-c')];
const decoy = [pod('decoy')];

/** Cases JSON.parse accepts: the loader must give its objects. */
const VALID: [string, string][] = [
  [
    'a decoy `items` inside metadata, before the real items (kubectl layout)',
    `${JSON.stringify({ apiVersion: 'v1', metadata: { resourceVersion: '' }, items: real, kind: 'List' }, null, 4)}\n`.replace(
      '    "metadata": {\n',
      `    "metadata": {\n    "items": [\n${decoy.map((p) => JSON.stringify(p, null, 4).replace(/^/gm, '        ')).join(',\n')}\n    ],\n`,
    ),
  ],
  [
    'a decoy `items` in a nested object written at the top-level indent',
    `{\n    "apiVersion": "v1",\n    "kind": "List",\n    "metadata": {\n    "items": [\n        ${JSON.stringify(decoy[0])}\n    ]\n    },\n    "items": [\n${real
      .map((p) => JSON.stringify(p, null, 4).replace(/^/gm, '        '))
      .join(',\n')}\n    ]\n}\n`,
  ],
  [
    'a duplicate top-level `items` (JSON.parse keeps the last)',
    kubectlList(decoy).replace(
      '    "kind": "List",\n',
      `    "kind": "List",\n    "items": [\n${real.map((p) => JSON.stringify(p, null, 4).replace(/^/gm, '        ')).join(',\n')}\n    ],\n`,
    ),
  ],
  [
    'a duplicate top-level `items` whose last value is empty',
    kubectlList(real).replace('    "kind": "List",\n', '    "kind": "List",\n    "items": [],\n'),
  ],
  [
    'the real `items` key spelled with an escape after a plain decoy',
    kubectlList(decoy).replace(
      '    "kind": "List",\n',
      `    "kind": "List",\n    "it\\u0065ms": [\n${real.map((p) => JSON.stringify(p, null, 4).replace(/^/gm, '        ')).join(',\n')}\n    ],\n`,
    ),
  ],
  [
    'items joined as `}, {` on one line',
    kubectlList(real).replaceAll('\n        },\n        {\n', '\n        }, {\n'),
  ],
  ['a minified List', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: real })],
  ['a List indented with tabs', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: real }, null, '\t')],
];

/** Cases JSON.parse rejects: exit 2 with the line, never a subset of the items. */
const INVALID: [string, string, RegExp][] = [
  [
    'a missing comma between items',
    kubectlList(real).replace('\n        },\n        {\n', '\n        }\n        {\n'),
    /malformed JSON/,
  ],
  [
    '`} {` joined on one line without a comma',
    kubectlList(real).replace('\n        },\n        {\n', '\n        } {\n'),
    /malformed JSON/,
  ],
  [
    '`}{` joined without a comma or space',
    kubectlList(real).replace('\n        },\n        {\n', '\n        }{\n'),
    /malformed JSON/,
  ],
  [
    'garbage after `},`',
    kubectlList(real).replace('\n        },\n', '\n        },garbage\n'),
    /malformed JSON/,
  ],
  [
    'a second comma after `},`',
    kubectlList(real).replace('\n        },\n', '\n        },,\n'),
    /malformed JSON/,
  ],
  [
    'a trailing comma after the last item',
    kubectlList(real).replace('\n        }\n    ],\n', '\n        },\n    ],\n'),
    /malformed JSON/,
  ],
  ['garbage after the List', `${kubectlList(real)}garbage\n`, /malformed JSON/],
  [
    'garbage between the items and `]`',
    kubectlList(real).replace('\n        }\n    ],\n', '\n        }\n        x\n    ],\n'),
    /malformed JSON/,
  ],
  [
    'a missing colon in the envelope',
    kubectlList(real).replace('"kind": "List"', '"kind" "List"'),
    /malformed JSON/,
  ],
];

describe('the JSON loader sees what JSON.parse sees', () => {
  for (const [what, text] of VALID) {
    it(`${what}: JSON.parse's objects, with their lines, on both paths`, async () => {
      const expected = oracleOutcome('case.json', text);
      expect('kube' in expected).toBe(true);
      for (const [path, options] of Object.entries(PATHS)) {
        const { outcome, file, error } = await loadedOutcome(`valid-${path}`, text, options);
        expect(error, `${path}: ${error?.message}`).toBeUndefined();
        const { linesKnown, ...oracle } = oracleOutcome(file, text);
        expect(linesKnown).toBe(true);
        expect(outcome, path).toEqual(oracle);
      }
    });
  }

  for (const [what, text, message] of INVALID) {
    it(`${what}: an input error at the line JSON.parse fails on, on both paths`, async () => {
      expect(() => JSON.parse(text)).toThrow();
      for (const [path, options] of Object.entries(PATHS)) {
        const { error } = await loadedOutcome(`invalid-${path}`, text, options);
        expect(error, path).toBeDefined();
        expect(error?.message).toMatch(message);
        expect(error?.line, path).toBeGreaterThan(1);
      }
    });
  }
});

describe('an invalid item', () => {
  const invalid = {
    ...pod('bad'),
    metadata: { name: 'bad', namespace: 'shop', labels: ['not', 'a', 'map'] },
  };

  it('is an input error at its line on both paths', async () => {
    const text = kubectlList([pod('a'), invalid, pod('b')]);
    const line = itemLinesByJsoncParser(text)[1];
    for (const [path, options] of Object.entries(PATHS)) {
      const { error } = await loadedOutcome(`invalid-item-${path}`, text, options);
      expect(error?.message, path).toMatch(/not a valid Kubernetes object: Pod shop\/bad: metadata\.labels/);
      expect(error?.line, path).toBe(line);
    }
  });

  it('comes after a syntax error later in the file, as JSON.parse fails first', async () => {
    const text = kubectlList([pod('a'), invalid, pod('b'), pod('c')]).replace(
      '"name": "c"',
      '"name": "c" "oops"',
    );
    for (const [path, options] of Object.entries(PATHS)) {
      const { error } = await loadedOutcome(`invalid-then-syntax-${path}`, text, options);
      expect(error?.message, path).toMatch(/malformed JSON/);
      expect(error?.line, path).toBe(text.split('\n').findIndex((l) => l.includes('"oops"')) + 1);
    }
  });
});

describe('numbers JSON cannot carry', () => {
  it.each([
    [
      'in a copied spec (VirtualService)',
      {
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'VirtualService',
        metadata: { name: 'vs', namespace: 'shop' },
        spec: { weight: 'INF' },
      },
    ],
    [
      'in a NetworkPolicy endPort',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'np', namespace: 'istio-system' },
        spec: { ingress: [{ ports: [{ port: 80, endPort: 'INF' }] }] },
      },
    ],
    [
      'in a NetworkPolicy port',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'np', namespace: 'istio-system' },
        spec: { ingress: [{ ports: [{ port: 'INF' }] }] },
      },
    ],
  ])('1e999 %s is an input error at its line on both paths', async (_, object) => {
    const text = kubectlList([pod('a'), object, pod('b')]).replace('"INF"', '1e999');
    expect(JSON.parse(text).items[1]).toBeDefined();
    const line = text.split('\n').findIndex((l) => l.includes('1e999')) + 1;
    for (const [path, options] of Object.entries(PATHS)) {
      const { error } = await loadedOutcome(`infinity-${path}`, text, options);
      expect(error?.message, path).toMatch(/not a valid Kubernetes object|cannot carry/);
      expect(error?.line, path).toBeGreaterThan(1);
      expect(error?.line, path).toBeLessThan(line);
    }
  });

  it('.inf and .nan in YAML are input errors too, as JSON cannot carry them', async () => {
    for (const value of ['.inf', '-.inf', '.nan']) {
      const yaml = `apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata:\n  name: vs\n  namespace: shop\nspec:\n  weight: ${value}\n`;
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'meshready-inf-')), 'vs.yaml');
      await writeFile(file, yaml);
      const error = await loadSnapshot([file]).catch((e: unknown) => e);
      expect(error, value).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(
        /VirtualService shop\/vs: spec\.weight: a number JSON cannot carry/,
      );
    }
  });

  it('a NetworkPolicy port that is not a port is an input error on both paths', async () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'np', namespace: 'istio-system' },
      spec: { ingress: [{ ports: [{ port: 80, endPort: { from: 1 } }] }] },
    };
    const text = kubectlList([pod('a'), policy]);
    for (const [path, options] of Object.entries(PATHS)) {
      const { error } = await loadedOutcome(`endport-${path}`, text, options);
      expect(error?.message, path).toMatch(
        /NetworkPolicy istio-system\/np: spec\.ingress\[0\]\.ports\[0\]\.endPort/,
      );
    }
  });
});
