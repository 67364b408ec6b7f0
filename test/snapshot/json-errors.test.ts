import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourcePositionsOf } from '../../src/config/source-positions.ts';
import { InputError } from '../../src/errors.ts';
import {
  firstJsonErrorOffset,
  jsonPathPosition,
  jsonSyntaxErrorAt,
  malformedJsonError,
  positionOfOffset,
} from '../../src/snapshot/json-errors.ts';

function parseError(text: string): Error | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/** A document JSON.parse rejects, cut and corrupted at random places. */
const brokenDocument = fc
  .tuple(fc.jsonValue(), fc.nat(), fc.constantFrom('', ',', '}', ']', ':', 'x', 'tru', '"\n', '01'))
  .map(([value, cut, junk]) => {
    const text = JSON.stringify({ items: [value] }, null, 2);
    const at = cut % text.length;
    return text.slice(0, at) + junk + text.slice(at + 1);
  })
  .filter((text) => parseError(text) !== undefined);

describe('the validating parser (for the errors V8 does not place)', () => {
  it('accepts exactly what JSON.parse accepts, on valid documents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, 4), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(firstJsonErrorOffset(text)).toBe(text.length);
      }),
    );
  });

  it('finds an error inside any truncated or corrupted document JSON.parse rejects', () => {
    fc.assert(
      fc.property(brokenDocument, (broken) => {
        expect(firstJsonErrorOffset(broken)).toBeLessThanOrEqual(broken.length);
      }),
    );
  });

  it('agrees with V8 on the line, and on the token, wherever V8 gives a place', () => {
    fc.assert(
      fc.property(brokenDocument, (broken) => {
        const v8 = /at position (\d+) \(line (\d+) column (\d+)\)/.exec(parseError(broken)?.message ?? '');
        fc.pre(v8 !== null);
        const offset = firstJsonErrorOffset(broken);
        expect(positionOfOffset(broken, offset).line).toBe(Number(v8?.[2]));
        // Inside a token the two may blame different characters (V8 the `x` of `5.x`, this parser
        // the `.`), never different tokens: nothing but the token lies between them.
        const v8Offset = Number(v8?.[1]);
        const between = broken.slice(Math.min(offset, v8Offset), Math.max(offset, v8Offset));
        expect(between).not.toMatch(/[\s{}[\],:]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('jsonSyntaxErrorAt', () => {
  const at = (text: string) => jsonSyntaxErrorAt(text, parseError(text));

  it('takes the place from V8 when its message has one, and says why without V8`s excerpt', () => {
    expect(at('{\n  "a": 1,\n  "b" 2\n}')).toEqual({
      position: { line: 3, column: 7 },
      reason: "Expected ':' after property name",
    });
  });

  it('finds the place itself when V8 gives none', () => {
    // V8: `Unexpected token '}', "{"a": tru}" is not valid JSON`, no position.
    expect(at('{\n  "a": tru}')).toEqual({
      position: { line: 2, column: 11 },
      reason: "Unexpected token '}'",
    });
    expect(at('{\n  "a": [\n    1,\n    ]\n}')).toEqual({
      position: { line: 4, column: 5 },
      reason: "Unexpected token ']'",
    });
  });

  it('keeps V8`s excerpt of a long text out of the reason', () => {
    const text = `{\n  "a": [${'1, '.repeat(50)}},\n  "b": [${'2, '.repeat(50)}2]\n}`;
    expect(parseError(text)?.message).toMatch(
      /^Unexpected token '}', \.\.\."[\s\S]*"\.\.\. is not valid JSON$/,
    );
    expect(at(text)).toEqual({ position: { line: 2, column: 159 }, reason: "Unexpected token '}'" });
  });

  it('scans only the span it is told holds the error', () => {
    const text = '{\n  "items": [\n    {"a": 1},\n    {"b": tru}\n  ]\n}';
    const start = text.indexOf('{"b"');
    const within = { start, end: text.indexOf('}', start) + 1 };
    expect(jsonSyntaxErrorAt(text, parseError(text), within).position).toEqual({ line: 4, column: 14 });
    expect(jsonSyntaxErrorAt(text, parseError(text), within)).toEqual(at(text));
  });

  it('points past the last character of a truncated document', () => {
    expect(at('{\n  "a": [\n    1,\n')).toEqual({
      position: { line: 4, column: 1 },
      reason: 'Unexpected end of JSON input',
    });
  });

  it('makes an InputError reading file:line:column: malformed JSON', () => {
    const text = '{\n  "a": }';
    const error = malformedJsonError('dump.json', text, parseError(text), 'a kubectl List');
    expect(error).toBeInstanceOf(InputError);
    expect([error.line, error.column]).toEqual([2, 8]);
    expect(error.message).toBe(
      "dump.json:2:8: malformed JSON: Unexpected token '}' (expected a kubectl List)",
    );
  });
});

/** Every path to a value in `value`, the root first. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) paths.push(...pathsOf(v, [...prefix, i]));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, k]));
  return paths;
}

describe('jsonPathPosition', () => {
  it('finds the line of every value of a pretty-printed document, as the yaml library does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.nat(), fc.constantFrom(2, 4), async (value, pick, indent) => {
        const text = JSON.stringify(value, null, indent);
        const paths = pathsOf(JSON.parse(text));
        const path = paths[pick % paths.length] ?? [];
        expect((await jsonPathPosition(text, path)).line).toBe(sourcePositionsOf(text).lineAt(path));
      }),
      { numRuns: 200 },
    );
  });

  it('points at the key, at an array element, and at the object lacking a key', async () => {
    const text = '{\n  "a": {\n    "b": [\n      1,\n      {"c": true}\n    ]\n  },\n  "d": 2\n}\n';
    expect(await jsonPathPosition(text, ['d'])).toEqual({ line: 8, column: 3 });
    expect(await jsonPathPosition(text, ['a', 'b', 1, 'c'])).toEqual({ line: 5, column: 8 });
    expect(await jsonPathPosition(text, ['a', 'b', 0])).toEqual({ line: 4, column: 7 });
    expect(await jsonPathPosition(text, ['a', 'missing'])).toEqual({ line: 2, column: 3 });
    expect(await jsonPathPosition(text, ['a', 'b', 7])).toEqual({ line: 3, column: 5 });
    expect(await jsonPathPosition(text, [])).toEqual({ line: 1, column: 1 });
  });
});
