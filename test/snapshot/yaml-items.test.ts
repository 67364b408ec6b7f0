/**
 * kubectl YAML List items are parsed with js-yaml (yaml-list.ts) for speed: on kubectl's output
 * it must give exactly what the yaml library gives, and fail (so the whole file is parsed by the
 * yaml library, which names the line) on anything it cannot take alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { generateCluster, SIZES } from '../../fixtures/generate-cluster.ts';
import { parseYamlListItem, splitYamlList } from '../../src/snapshot/yaml-list.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'meshready-yaml-items-'));
  await generateCluster({ size: SIZES.S, out: dir, seed: 7 });
}, 120_000);

describe('YAML List items through js-yaml', () => {
  it('equal the yaml library values on every item of a generated kubectl YAML dump', () => {
    let items = 0;
    for (const name of readdirSync(path.join(dir, 'yaml'))) {
      const split = splitYamlList(readFileSync(path.join(dir, 'yaml', name), 'utf8'));
      expect(split, name).toBeDefined();
      for (const chunk of split?.items ?? []) {
        const expected = parseDocument(chunk.text, { uniqueKeys: false }).toJS();
        expect(parseYamlListItem(chunk.text)).toEqual({ value: expected });
        items++;
      }
    }
    expect(items).toBeGreaterThan(SIZES.S.pods);
  });

  it('read YAML 1.2 core scalars as the yaml library does, and a repeated key keeps its last value', () => {
    const text = [
      '  metadata:',
      '    name: a',
      '    labels: {on: yes, octal: 0o17, old: 017, empty: ~, t: true, f: 1.5e3, d: 2026-01-01}',
      '    name: b',
    ].join('\n');
    expect(parseYamlListItem(text)).toEqual({ value: parseDocument(text, { uniqueKeys: false }).toJS() });
    expect(parseYamlListItem(text)?.value).toMatchObject({ metadata: { name: 'b' } });
  });

  it('gives up on what the whole-file parse must handle', () => {
    expect(parseYamlListItem('  a: [1, 2\n  b: 3')).toBeUndefined();
    expect(parseYamlListItem('  a: &x 1\n  b: *x')).toBeUndefined();
  });
});
