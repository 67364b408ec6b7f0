/**
 * The parallel JSON loader (src/snapshot/parallel.ts) must not change a scan: the same snapshot,
 * and so the same findings with the same fingerprints and file:line, as the single-threaded
 * loader, on a generated cluster of size S. A malformed item still fails with its line.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCluster, SIZES } from '../../fixtures/generate-cluster.ts';
import { RULES } from '../../rules/index.ts';
import { runRules } from '../../src/engine/runner.ts';
import { InputError } from '../../src/errors.ts';
import { SnapshotBuilder } from '../../src/snapshot/builder.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { ParallelListLoader } from '../../src/snapshot/parallel.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'meshready-parallel-'));
  await generateCluster({ size: SIZES.S, out: dir, seed: 42 });
}, 120_000);

function findings(snapshot: Awaited<ReturnType<typeof loadSnapshot>>) {
  const report = runRules(snapshot, {
    rules: RULES,
    target: 'asm-1.6',
    toolVersion: 'test',
    now: new Date(0),
  });
  return report.results.flatMap((result) =>
    result.findings.map((f) => `${f.fingerprint} ${f.location?.file ?? ''}:${f.location?.line ?? ''}`),
  );
}

describe('parallel JSON loading', () => {
  it('gives the same snapshot and findings (fingerprints, file:line) as the single-threaded loader', async () => {
    const json = path.join(dir, 'json');
    const single = await loadSnapshot([json], { parallel: { workers: 0 } });
    // Every List goes through the workers, in small batches.
    const stats = { files: 0, batchesInWorkers: 0, batchesOnMain: 0 };
    const parallel = await loadSnapshot([json], { parallel: { workers: 2, minChars: 0, stats } });
    expect(stats.files).toBe(4);
    expect(stats.batchesInWorkers).toBeGreaterThan(0);
    expect(parallel).toEqual(single);
    const expected = findings(single);
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.filter((f) => /\.json:\d+$/.test(f)).length).toBeGreaterThan(100);
    expect(findings(parallel)).toEqual(expected);
    expect(single.kube.pods.length).toBe(SIZES.S.pods);
  }, 120_000);

  it('a malformed item falls back on the sequential loader, which names the line', async () => {
    const file = path.join(dir, 'broken.json');
    const items = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ metadata: { name: `ns-${i}`, uid: `u-${i}` } }, null, 2),
    );
    items[40] = '{\n  "metadata": { "name": oops }\n}';
    const text = `{\n  "apiVersion": "v1",\n  "kind": "NamespaceList",\n  "items": [\n${items.join(',\n')}\n  ]\n}\n`;
    await writeFile(file, text);
    const error = await loadSnapshot([file], { parallel: { workers: 1, minChars: 0 } }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    const line = text.split('\n').findIndex((l) => l.includes('oops')) + 1;
    expect(error.line).toBe(line);
  });

  it.each([
    ['an item that is not an object', '"hello"', /an item of NamespaceList is not an object/],
    [
      'an item that breaks the schema',
      '{ "metadata": { "name": "ns-x", "labels": ["a"] } }',
      /not a valid Kubernetes object/,
    ],
  ])('%s is an input error at its line, as on one thread', async (_, bad, message) => {
    const file = path.join(dir, 'invalid-item.json');
    const items = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ metadata: { name: `ns-${i}`, uid: `u-${i}` } }, null, 2),
    );
    items[30] = bad;
    const text = `{\n  "apiVersion": "v1",\n  "kind": "NamespaceList",\n  "items": [\n${items.join(',\n')}\n  ]\n}\n`;
    await writeFile(file, text);
    const line = text.split('\n').findIndex((l) => l.startsWith(bad)) + 1;
    for (const parallel of [{ workers: 0 }, { workers: 1, minChars: 0 }]) {
      const error = await loadSnapshot([file], { parallel }).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
    }
  });

  it('leaves what is not a kubectl List to the sequential loader', async () => {
    const loader = new ParallelListLoader({ workers: 1, minChars: 0 });
    try {
      const builder = new SnapshotBuilder();
      expect(await loader.loadJsonList(builder, 'a.json', '[{"apiVersion":"v1","kind":"Namespace"}]')).toBe(
        false,
      );
      expect(
        await loader.loadJsonList(
          builder,
          'b.json',
          '{"kind":"compute#firewallList","apiVersion":"v1","items":[{}]}',
        ),
      ).toBe(false);
      expect(builder.objectCount).toBe(0);
    } finally {
      await loader.close();
    }
  });
});
