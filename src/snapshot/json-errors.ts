/**
 * Where a JSON text is wrong, for error messages that name `file:line:column`. Everything here
 * runs only after JSON.parse (or schema validation) has failed, so valid input pays nothing.
 *
 * - A syntax error: V8's own message says where for most errors ("… in JSON at position 7
 *   (line 1 column 8)"); for the rest ("Unexpected token '}'", "Unexpected end of JSON input")
 *   the small validating parser below finds the offset. It is kept over jsonc-parser's `visit`
 *   with `onError` because it is three times faster on big files: 0.85 s against 2.7 s to find an
 *   error near the end of a 119 MB kubectl List (median of 5; JSON.parse itself takes 1.5 s).
 * - A value that failed schema validation: jsonc-parser's visitor finds its JSON path, skipping
 *   every subtree off the path: 0.4 s for a 5 MB report and 3 s for a 51 MB one, where the yaml
 *   library's document tree took 4.3 s and 106 s (2.5 GB).
 */
import type { JSONPath } from 'jsonc-parser';
import { InputError, type TextPosition } from '../errors.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

function isSpace(code: number): boolean {
  return code === 0x20 || code === NEWLINE || code === 0x0d || code === 0x09;
}

/** The 1-based line and column of an offset (columns count UTF-16 code units, as V8's do). */
export function positionOfOffset(text: string, offset: number): TextPosition {
  const end = Math.min(offset, text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** Why JSON.parse failed, without V8's position (the caller prints its own) or its excerpt of the text. */
function reasonOf(message: string): string {
  const reason = message
    .replace(/ in JSON at position \d+[\s\S]*$/, '')
    // V8 quotes the text around the error: `, "…"`, `, ..."…"...` (kept out: it may be anything).
    .replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '')
    // The unexpected character itself may be a line break or a tab: shown escaped, as JSON would.
    .replace(/[\n\r\t]/g, (c) => JSON.stringify(c).slice(1, -1))
    .replace(/\s+/g, ' ')
    .trim();
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
}

/** A part of the text known to hold the first error (a List item that failed on its own). */
export interface ErrorSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Where JSON.parse failed on `text` with `error`, and why. With `within`, the validating parser
 * scans only that span, not a big file from its start.
 */
export function jsonSyntaxErrorAt(
  text: string,
  error: unknown,
  within?: ErrorSpan,
): { position: TextPosition; reason: string } {
  const message = error instanceof Error ? error.message : String(error);
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  const atPosition = /at position (\d+)/.exec(message);
  const scanned = () =>
    within
      ? within.start + firstJsonErrorOffset(text.slice(within.start, within.end))
      : firstJsonErrorOffset(text);
  const position = lineColumn
    ? { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
    : positionOfOffset(text, atPosition ? Number(atPosition[1]) : scanned());
  return { position, reason: reasonOf(message) };
}

/** The InputError for text JSON.parse rejected: `file:line:column: malformed JSON: why`. */
export function malformedJsonError(
  file: string,
  text: string,
  error: unknown,
  expected?: string,
  within?: ErrorSpan,
): InputError {
  const { position, reason } = jsonSyntaxErrorAt(text, error, within);
  return new InputError(file, position, `malformed JSON: ${reason}`, expected);
}

class PathFound extends Error {}

/**
 * Where the value at `path` is in valid JSON text: the position of its key (or array element),
 * or of its nearest ancestor that exists when it is missing (the object that lacks the key).
 * Subtrees off the path are scanned without callbacks, and the scan stops as soon as the path
 * is reached or the container that should hold it ends. jsonc-parser is loaded only here, on
 * this error path, so no command pays for it otherwise.
 */
export async function jsonPathPosition(text: string, path: readonly PropertyKey[]): Promise<TextPosition> {
  const { visit } = await import('jsonc-parser');
  const target = path.map((key) => (typeof key === 'number' ? key : String(key)));
  const onPath = (at: JSONPath) => at.length <= target.length && at.every((key, i) => key === target[i]);
  let found: TextPosition = { line: 1, column: 1 };
  let foundDepth = -1;
  const reach = (at: JSONPath, line: number, character: number) => {
    if (!onPath(at)) return;
    if (at.length > foundDepth) {
      found = { line: line + 1, column: character + 1 };
      foundDepth = at.length;
    }
    if (at.length === target.length) throw new PathFound();
  };
  // One entry per open container the visitor reported: whether it lies on the path.
  const open: boolean[] = [];
  const begin = (
    _offset: number,
    _length: number,
    line: number,
    character: number,
    pathOf: () => JSONPath,
  ) => {
    const at = pathOf();
    open.push(onPath(at));
    if (!open[open.length - 1]) return false;
    reach(at, line, character);
    return undefined;
  };
  // A container on the path holds the target if anything does: once it ends, the target is missing.
  const end = () => {
    if (open.pop()) throw new PathFound();
  };
  try {
    visit(text, {
      onObjectBegin: begin,
      onArrayBegin: begin,
      onObjectEnd: end,
      onArrayEnd: end,
      onObjectProperty: (property, _offset, _length, line, character, pathOf) =>
        reach([...pathOf(), property], line, character),
      onLiteralValue: (_value, _offset, _length, line, character, pathOf) => reach(pathOf(), line, character),
    });
  } catch (error) {
    if (!(error instanceof PathFound)) throw error;
  }
  return found;
}

class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super('syntax error');
    this.offset = offset;
  }
}

/** The offset where `text` stops being valid JSON (its length when the input ends too early). */
export function firstJsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (at = i): never => {
    throw new JsonSyntaxError(at);
  };
  const skipSpace = () => {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) fail();
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === BACKSLASH) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i + 1);
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail(i + 1);
        i += 2;
        continue;
      }
      i++;
    }
    fail();
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0] === '' || match[0] === '-') fail();
    i += match?.[0].length ?? 0;
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail();
        string();
        skipSpace();
        if (text[i] !== ':') fail();
        i++;
        value();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value();
    skipSpace();
    if (i < text.length) fail();
    return text.length;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error.offset;
    throw error;
  }
}
