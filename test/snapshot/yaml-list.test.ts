import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadSnapshot, snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { splitYamlList } from '../../src/snapshot/yaml-list.ts';

const LIST = [
  'apiVersion: v1',
  'items:',
  '- apiVersion: v1',
  '  kind: ConfigMap',
  '  metadata:',
  '    name: a',
  '    annotations:',
  '      note: |',
  '        line one',
  '',
  '        line three',
  '  data:',
  '    list:',
  '    - x',
  '    - "y: z"',
  '# a comment between items',
  '- apiVersion: v1',
  '  kind: Namespace',
  '  metadata: {name: b}',
  'kind: List',
  'metadata:',
  '  resourceVersion: ""',
  '',
].join('\n');

describe('kubectl YAML List chunking', () => {
  it('cuts a List into items that parse to exactly what the whole-file parse gives', () => {
    const split = splitYamlList(LIST);
    expect(split).toBeDefined();
    const items = [...(split?.items ?? [])];
    expect(items.map((i) => i.line)).toEqual([3, 17]);
    expect(items.map((i) => parse(i.text))).toEqual(parse(LIST).items);
    expect(parse(split?.envelope ?? '')).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
    });
  });

  /** Two Namespaces in a kubectl List, as the cut expects them. */
  const NAMESPACES =
    'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\nkind: List\n';

  it.each([
    ['several documents', `${NAMESPACES}---\n${NAMESPACES.replaceAll('{name: ', '{name: z')}`],
    ['no items key', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n'],
    [
      'flow-style items',
      'apiVersion: v1\nitems: [{apiVersion: v1, kind: Namespace, metadata: {name: a}}]\nkind: List\n',
    ],
    ['indented items', NAMESPACES.replaceAll(/^(- | {2})/gm, '  $1')],
    ['tabs', NAMESPACES.replace('{name: a}', '{name: a}\t# a tab before a comment')],
    [
      'a dash without a space',
      NAMESPACES.replace('- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}', '-kind: Namespace'),
    ],
    [
      'anchors and aliases',
      'apiVersion: v1\nitems:\n- &a {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n- *a\nkind: List\n',
    ],
  ])('leaves %s to the whole-file parse, and the loader reads what that parse gives', async (_, text) => {
    expect(splitYamlList(text)).toBeUndefined();
    // The oracle: the yaml library's whole-file parse of the same text, through the same builder.
    const documents = parseAllDocuments(text).map((document) => document.toJS());
    const expected = snapshotFromDocuments({ documents }).kube.namespaces.map((ns) => ns.metadata.name);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'meshready-yaml-list-')), 'namespaces.yaml');
    await writeFile(file, text);
    const loaded = await loadSnapshot([file]);
    expect(loaded.kube.namespaces.map((ns) => ns.metadata.name)).toEqual(expected);
  });
});
