import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cutPrettyItems,
  jsonItemLines,
  jsonItemSpans,
  kubectlJsonList,
  prettyJsonListSpans,
} from '../../src/snapshot/json-lines.ts';

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
        const spans = jsonItemSpans(text);
        expect(spans?.root).toBe('list');
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

  it('declines what is not a kubectl List', () => {
    expect(jsonItemSpans('[{"a": 1}]')?.root).toBe('array');
    expect(kubectlJsonList('[{"a": 1}]')).toBeUndefined();
    expect(kubectlJsonList('{"kind": "List"}')).toBeUndefined();
    expect(kubectlJsonList('{"apiVersion": "v1", "kind": "List", "items": [1, , 2]}')).toBeUndefined();
    expect(
      kubectlJsonList('{"apiVersion": "v1", "kind": "compute#firewallList", "items": [{}]}'),
    ).toBeUndefined();
    expect(
      kubectlJsonList('{"apiVersion": "v1", "kind": "List", "items": [{}, {}]}')?.spans.items,
    ).toHaveLength(2);
  });

  it('takes the items JSON.parse takes: the last top-level key, escapes decoded, never one below', () => {
    const text =
      '{"metadata": {"items": [1]}, "items": [2, 3], "kind": "List", "apiVersion": "v1", "it\\u0065ms": [{"a": 4},\n {"b": 5}]}';
    const spans = jsonItemSpans(text);
    expect(spans?.items.map((s) => JSON.parse(text.slice(s.start, s.end)))).toEqual(JSON.parse(text).items);
    expect(spans?.items.map((s) => s.line)).toEqual([1, 2]);
    expect(jsonItemSpans('{"items": [1], "items": 2}')).toBeUndefined();
  });

  it("cuts a run of items alone as the whole List cuts them, with lines from the run's start", () => {
    const object = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    fc.assert(
      fc.property(
        fc.array(object, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(1, 2, 4),
        fc.nat(),
        fc.nat(),
        (items, indent, a, b) => {
          const text = JSON.stringify({ apiVersion: 'v1', items, kind: 'List' }, null, indent);
          const whole = prettyJsonListSpans(text);
          expect(whole).toBeDefined();
          if (!whole) return;
          // A run from item `first` to item `last`, from the newline before its first line.
          const first = a % items.length;
          const last = first + (b % (items.length - first));
          const from = text.lastIndexOf('\n', whole.items[first]?.start);
          const to = whole.items[last]?.end ?? 0;
          const width = 2 * indent;
          const run = cutPrettyItems(text.slice(from, to), 0, to - from, width);
          expect(run).toBeDefined();
          expect(run?.end).toBe(to - from);
          expect(run?.comma).toBe(false);
          const base = text.slice(0, from).split('\n').length;
          expect(run?.items.map((i) => [i.start + from, i.end + from, i.line + base])).toEqual(
            whole.items.slice(first, last + 1).map((i) => [i.start, i.end, i.line]),
          );
          expect(run?.newlines).toBe(text.slice(from, to).split('\n').length - 1);
          // With the comma after it, the run says so.
          if (last < items.length - 1) {
            const withComma = cutPrettyItems(text.slice(from, to + 1), 0, to + 1 - from, width);
            expect([withComma?.comma, withComma?.end]).toEqual([true, to + 1 - from]);
          }
          // Cut anywhere else, it is not a run.
          expect(cutPrettyItems(text.slice(from + 1, to), 0, to - from - 1, width)).toBeUndefined();
          // Run on past its end, the cut stops short of it (the worker then refuses the run).
          if (to < text.length - 2) {
            const longer = cutPrettyItems(text.slice(from, to + 2), 0, to + 2 - from, width);
            expect(longer === undefined || longer.end < to + 2 - from).toBe(true);
          }
        },
      ),
    );
  });
});
