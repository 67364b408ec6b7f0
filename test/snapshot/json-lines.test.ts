import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonItemLines, jsonListSpans, prettyJsonListSpans } from '../../src/snapshot/json-lines.ts';

describe('JSON positions', () => {
  it('finds the line of each item of a top-level array or of a List', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.boolean(), (items, asList) => {
        const document = asList ? { apiVersion: 'v1', kind: 'List', items } : items;
        const text = JSON.stringify(document, null, 2);
        const lines = jsonItemLines(text);
        expect(lines).toHaveLength(items.length);
        const textLines = text.split('\n');
        const indent = asList ? '    ' : '  ';
        for (const line of lines) expect(textLines[line - 1]?.startsWith(indent)).toBe(true);
      }),
    );
  });

  it('ignores brackets inside strings and an items key below the top level', () => {
    const text = '{"metadata": {"items": [1, 2]}, "note": "[{,}]", "items": [\n{"a": "]"},\n{"b": 2}\n]}';
    expect(jsonItemLines(text)).toEqual([2, 3]);
  });
});

describe('JSON List spans', () => {
  it('cuts any List into items that parse to the same values', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.constantFrom(0, 2, 4), (items, indent) => {
        const text = JSON.stringify(
          { apiVersion: 'v1', metadata: { items: [1] }, items, kind: 'List' },
          null,
          indent,
        );
        const spans = jsonListSpans(text);
        expect(spans).toBeDefined();
        expect(spans?.items.map((s) => JSON.parse(text.slice(s.start, s.end)))).toEqual(
          JSON.parse(text).items,
        );
        expect(spans?.items.map((s) => s.line)).toEqual(jsonItemLines(text));
        const objects = items.filter((i) => i !== null && typeof i === 'object' && !Array.isArray(i));
        if (indent > 0 && objects.length === items.length && items.length > 0) {
          const pretty = prettyJsonListSpans(text);
          expect(pretty?.items.map((s) => JSON.parse(text.slice(s.start, s.end)))).toEqual(items);
          expect(pretty?.items.map((s) => s.line)).toEqual(spans?.items.map((s) => s.line));
          expect([pretty?.arrayStart, pretty?.arrayEnd]).toEqual([spans?.arrayStart, spans?.arrayEnd]);
        }
      }),
    );
  });

  it('declines what is not a List object', () => {
    expect(jsonListSpans('[{"a": 1}]')).toBeUndefined();
    expect(jsonListSpans('{"kind": "List"}')).toBeUndefined();
    expect(jsonListSpans('{"items": [1, , 2]}')).toBeUndefined();
  });
});
