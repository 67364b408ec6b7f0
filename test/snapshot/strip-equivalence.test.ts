/**
 * Temporary: the pickers derived from model.ts's declarations against the hand-written ones of
 * strip.ts, on every object in fixtures/, a generated cluster, and every fixture object with each
 * of its fields replaced by values of the wrong type. Removed with the hand-written pickers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { generateCluster } from '../../fixtures/generate-cluster.ts';
import {
  firewallRule,
  gkeCluster,
  KUBE_KINDS,
  type KubeKind,
  kubeShapes,
  machineType,
} from '../../src/snapshot/model.ts';
import { isRecord } from '../../src/snapshot/shape.ts';
import {
  kubePartOf,
  stripFirewall,
  stripGkeCluster,
  stripKubeObject,
  stripMachineType,
} from '../../src/snapshot/strip.ts';

type Raw = Record<string, unknown>;
const ROOT = path.resolve(import.meta.dirname, '../..');
const ORIGIN = { file: 'x.yaml', line: 3 };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return /\.(ya?ml|json)$/.test(name) ? [full] : [];
  });
}

function documentsOf(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return [JSON.parse(text)];
  return parseAllDocuments(text).flatMap((doc) => ('toJS' in doc ? [doc.toJS()] : []));
}

/** Every object anywhere in a document: each is also tried as every kind. */
function recordsIn(value: unknown, out: Raw[] = []): Raw[] {
  if (Array.isArray(value)) for (const item of value) recordsIn(item, out);
  else if (isRecord(value)) {
    out.push(value);
    for (const key of Object.keys(value)) recordsIn(value[key], out);
  }
  return out;
}

/** Top-level objects and List items: the Kubernetes objects of a document. */
function kubeObjectsIn(value: unknown): Raw[] {
  if (Array.isArray(value)) return value.flatMap(kubeObjectsIn);
  if (!isRecord(value)) return [];
  if (Array.isArray(value.items)) return value.items.filter(isRecord);
  return [value];
}

const json = (value: unknown) => JSON.stringify(value);

interface Mismatch {
  readonly what: string;
  readonly old: string;
  readonly derived: string;
}

function compareAll(raw: Raw, what: string, mismatches: Mismatch[], origin = ORIGIN): void {
  for (const kind of KUBE_KINDS) {
    const old = json(stripKubeObject(kind, raw, origin));
    const derived = json(kubeShapes[kind].pick(raw, origin));
    if (old !== derived) mismatches.push({ what: `${what} as ${kind}`, old, derived });
  }
  for (const [name, old, derived] of [
    ['gkeCluster', stripGkeCluster(raw, origin), gkeCluster.pick(raw, origin)],
    ['firewall', stripFirewall(raw, origin), firewallRule.pick(raw, origin)],
    ['machineType', stripMachineType(raw), machineType.pick(raw)],
  ] as const) {
    if (json(old) !== json(derived))
      mismatches.push({ what: `${what} as ${name}`, old: json(old), derived: json(derived) });
  }
}

const WRONG_VALUES: readonly unknown[] = [
  null,
  0,
  7,
  -3,
  1.5,
  '8080',
  '',
  'text',
  true,
  false,
  [],
  ['a', 1, { name: 'x' }],
  {},
  { name: 'n', kind: 'K', manager: 'm', type: 'Ready', status: 'True' },
];

/** Every path to a value in `raw`, up to `depth` steps. */
function pathsOf(value: unknown, depth: number, prefix: (string | number)[] = []): (string | number)[][] {
  if (depth === 0) return [];
  const out: (string | number)[][] = [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.slice(0, 3).map((v, i) => [i, v])
    : isRecord(value)
      ? Object.entries(value)
      : [];
  for (const [key, child] of entries) {
    const here = [...prefix, key];
    out.push(here, ...pathsOf(child, depth - 1, here));
  }
  return out;
}

function replaced(raw: unknown, at: readonly (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  if (Array.isArray(raw)) return raw.map((item, i) => (i === head ? replaced(item, rest, value) : item));
  return { ...(raw as Raw), [head]: replaced((raw as Raw)[head], rest, value) };
}

const fixtureFiles = filesUnder(path.join(ROOT, 'fixtures'));
const fixtureDocuments = fixtureFiles.flatMap((file) =>
  documentsOf(file).map((doc) => ({ file: path.relative(ROOT, file), doc })),
);

describe('derived pickers strip as the hand-written ones did', () => {
  it('on every object anywhere in fixtures/, tried as every kind', () => {
    const mismatches: Mismatch[] = [];
    let count = 0;
    for (const { file, doc } of fixtureDocuments) {
      for (const raw of recordsIn(doc)) {
        compareAll(raw, file, mismatches);
        count++;
      }
    }
    expect(fixtureFiles.length).toBeGreaterThan(50);
    expect(count).toBeGreaterThan(2000);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('on a generated cluster', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'meshready-strip-'));
    await generateCluster({ size: { namespaces: 20, services: 80, deployments: 60, pods: 200 }, out });
    const mismatches: Mismatch[] = [];
    let count = 0;
    for (const file of filesUnder(path.join(out, 'json'))) {
      for (const raw of kubeObjectsIn(JSON.parse(readFileSync(file, 'utf8')))) {
        compareAll(raw, path.basename(file), mismatches, { file, line: count + 1 });
        count++;
      }
    }
    expect(count).toBeGreaterThan(300);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('on every fixture object with each field replaced by values of other types', () => {
    const mismatches: Mismatch[] = [];
    const perKind = new Map<string, number>();
    let variants = 0;
    for (const { file, doc } of fixtureDocuments) {
      for (const raw of kubeObjectsIn(doc)) {
        const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
        const kindName = typeof raw.kind === 'string' ? raw.kind : '';
        const meta = isRecord(raw.metadata) ? raw.metadata : {};
        const part: string =
          kubePartOf(apiVersion, kindName, typeof meta.namespace === 'string' ? meta.namespace : undefined) ??
          (kindName || 'gcloud');
        // A few objects of each kind are enough: their fields, not their number, matter.
        const seen = perKind.get(part) ?? 0;
        if (seen >= 6) continue;
        perKind.set(part, seen + 1);
        for (const at of pathsOf(raw, 7)) {
          for (const value of WRONG_VALUES) {
            const variant = replaced(raw, at, value) as Raw;
            const kind = part as KubeKind;
            if (KUBE_KINDS.includes(kind)) {
              const old = json(stripKubeObject(kind, variant, ORIGIN));
              const derived = json(kubeShapes[kind].pick(variant, ORIGIN));
              if (old !== derived)
                mismatches.push({ what: `${file} ${at.join('.')}=${json(value)}`, old, derived });
            } else {
              compareAll(variant, `${file} ${at.join('.')}=${json(value)}`, mismatches);
            }
            variants++;
          }
        }
      }
    }
    expect(variants).toBeGreaterThan(10_000);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
