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
import { type LoadProgress, loadSnapshot } from '../../src/snapshot/load.ts';
import { bytesFile, ParallelListLoader } from '../../src/snapshot/parallel.ts';

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
    const parallel = await loadSnapshot([json], { parallel: { workers: 2, minBytes: 0, stats } });
    expect(stats.files).toBe(4);
    expect(stats.batchesInWorkers).toBeGreaterThan(0);
    expect(parallel).toEqual(single);
    // The same objects with their keys in the same order: every report is then the same bytes.
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(single));
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
    const error = await loadSnapshot([file], { parallel: { workers: 1, minBytes: 0 } }).catch((e) => e);
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
    for (const parallel of [{ workers: 0 }, { workers: 1, minBytes: 0 }]) {
      const error = await loadSnapshot([file], { parallel }).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
    }
  });

  it('gives back, for the sequential loader, what is not a pretty-printed kubectl List', async () => {
    const loader = new ParallelListLoader({ workers: 1, minBytes: 0 });
    const pods = Array.from({ length: 3 }, (_, i) => ({ kind: 'Pod', metadata: { name: `p${i}` } }));
    const cases: [string, string][] = [
      ['a bare array', JSON.stringify([{ apiVersion: 'v1', kind: 'Namespace' }], null, 4)],
      [
        'a Compute list',
        JSON.stringify({ kind: 'compute#firewallList', apiVersion: 'v1', items: [{}] }, null, 4),
      ],
      ['a List on one line', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods })],
      [
        'a List with CRLF line ends',
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }, null, 4).replaceAll('\n', '\r\n'),
      ],
      [
        'a List after a byte order mark',
        `\ufeff${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }, null, 4)}`,
      ],
      [
        'a List with an array after its items',
        JSON.stringify({ apiVersion: 'v1', items: pods, kind: 'List', extra: [1] }, null, 4),
      ],
    ];
    try {
      for (const [what, text] of cases) {
        const bytes = Buffer.from(text);
        const loaded = await (await loader.begin(`${what}.json`, bytesFile(bytes))).outcome;
        expect('fallback' in loaded, what).toBe(true);
      }
      // The control: the same pods, pretty-printed, load in the worker.
      const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods, metadata: {} }, null, 4);
      const loaded = await (await loader.begin('list.json', bytesFile(Buffer.from(text)))).outcome;
      expect('batches' in loaded && loaded.batches.flat().length).toBe(3);
    } finally {
      await loader.close();
    }
  });

  it('cuts a List read in pieces the same as whole, across read boundaries, with non-ASCII names', async () => {
    const pods = Array.from({ length: 400 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `pöd-${i}`,
        namespace: 'ns',
        labels: { app: '🚀'.repeat(i % 5), note: 'x'.repeat(i * 7) },
      },
      spec: { containers: [{ name: 'c', image: 'gcr.io/x/y:1' }] },
    }));
    const text = JSON.stringify(
      { apiVersion: 'v1', items: pods, kind: 'List', metadata: { resourceVersion: '' } },
      null,
      4,
    );
    const file = path.join(dir, 'pieces.json');
    await writeFile(file, text);
    const single = await loadSnapshot([file], { parallel: { workers: 0 } });
    // A source that gives at most 997 bytes per read, so reads end inside lines and characters,
    // into a window of 1,000 bytes, which slides and grows for the longer pods.
    const bytes = Buffer.from(text);
    const source = bytesFile(bytes);
    const trickle = {
      size: source.size,
      read: (into: Uint8Array, offset: number, n: number, at: number) =>
        source.read(into, offset, Math.min(n, 997), at),
    };
    const stats = { files: 0, batchesInWorkers: 0, batchesOnMain: 0 };
    const loader = new ParallelListLoader({
      workers: 2,
      minBytes: 0,
      windowBytes: 1000,
      batchBytes: 1500,
      stats,
    });
    try {
      const loaded = await (await loader.begin(file, trickle)).outcome;
      expect(stats.batchesInWorkers + stats.batchesOnMain).toBeGreaterThan(50);
      expect('batches' in loaded).toBe(true);
      const builder = new SnapshotBuilder();
      if ('batches' in loaded)
        for (const entry of loaded.batches.flat())
          if ('object' in entry) builder.addKubeObject(entry.kind, entry.object);
      expect(builder.objectCount).toBe(400);
    } finally {
      await loader.close();
    }
    for (const [windowBytes, batchBytes] of [
      [1000, 1],
      [1000, 1500],
      [4096, 10_000],
      [1 << 20, 1 << 20],
    ] as const) {
      const parallel = await loadSnapshot([file], {
        parallel: { workers: 2, minBytes: 0, windowBytes, batchBytes },
      });
      expect(parallel).toEqual(single);
    }
    const parallel = await loadSnapshot([file], { parallel: { workers: 1, minBytes: 0, windowBytes: 1000 } });
    expect(parallel.kube.pods[399]?.origin?.line).toBe(
      text.split('\n').findIndex((l) => l.includes('"pöd-399"')) - 3,
    );
  });

  it('reports progress in bytes as a big List is read, and ends with every byte and file', async () => {
    const json = path.join(dir, 'json');
    for (const parallel of [{ workers: 0 }, { workers: 1, minBytes: 0, windowBytes: 64 * 1024 }]) {
      const seen: LoadProgress[] = [];
      const snapshot = await loadSnapshot([json], { parallel, onProgress: (p) => seen.push(p) });
      const last = seen.at(-1);
      expect(last?.filesRead).toBe(4);
      expect(last?.bytesRead).toBe(last?.bytesTotal);
      expect(last?.objects).toBeGreaterThan(SIZES.S.pods);
      expect(snapshot.kube.pods.length).toBe(SIZES.S.pods);
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i]?.bytesRead).toBeGreaterThanOrEqual(seen[i - 1]?.bytesRead ?? 0);
        expect(seen[i]?.filesRead).toBeGreaterThanOrEqual(seen[i - 1]?.filesRead ?? 0);
      }
      // The parallel loader counts a file's bytes as it reads them, before the file is done.
      const partway = seen.filter((p) => p.filesRead === 0 && p.bytesRead > 0);
      expect(partway.length > 0, JSON.stringify(parallel)).toBe(parallel.workers > 0);
    }
  }, 60_000);
});
