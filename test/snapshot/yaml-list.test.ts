import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
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

  it.each([
    ['several documents', `${LIST}---\n${LIST}`],
    ['no items key', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n'],
    ['flow-style items', 'apiVersion: v1\nitems: [{kind: A}]\nkind: List\n'],
    ['indented items', 'apiVersion: v1\nitems:\n  - kind: A\nkind: List\n'],
    ['tabs', 'apiVersion: v1\nitems:\n- kind: A\n\tx: 1\n'],
    ['a dash without a space', 'apiVersion: v1\nitems:\n-kind: A\n'],
    ['anchors and aliases', 'apiVersion: v1\nitems:\n- &a {kind: A}\n- *a\nkind: List\n'],
  ])('leaves %s to the whole-file parser', (_, text) => {
    expect(splitYamlList(text)).toBeUndefined();
    expect(() => parseAllDocuments(text)).not.toThrow();
  });
});
