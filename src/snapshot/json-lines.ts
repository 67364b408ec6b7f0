/**
 * A kubectl JSON List cut into its items without parsing the whole file, so a 300 MB pod dump is
 * parsed item by item (never one tree) and every item keeps its line.
 *
 * The invariant (issue #25): the scan sees exactly the objects JSON.parse of the whole file sees,
 * or the file is an input error at its line. A cut is only a guess, found fast; it is used only
 * once the skeleton around the items checks out:
 *  - the envelope: the text before the items array, a sentinel string in its place and the text
 *    after it parse as one JSON object whose `items` is the sentinel. So the text around the array
 *    is valid JSON, and the array is the one JSON.parse keeps: the last top-level `items`, however
 *    its key is spelled, never an `items` inside `metadata` or a duplicate before the real one;
 *  - between the items only whitespace and exactly one comma, before the first and after the last
 *    only whitespace (the pretty cut allows only `},` and a newline);
 *  - each item parses alone (JSON.parse of the item validates the item; the callers do it).
 * Then the file is valid JSON and its `items` are exactly the items parsed one by one: a JSON value
 * is never a proper prefix of another, so the array's text parses element by element. Anything else
 * and the caller parses the whole file, and JSON.parse decides.
 */
import { randomUUID } from 'node:crypto';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const SPACE = 0x20;

/** JSON's whitespace (RFC 8259): space, tab, line feed, carriage return. */
function isSpace(code: number): boolean {
  return code === SPACE || code === NEWLINE || code === 0x0d || code === 0x09;
}

/** An item: its first character, the offset just after its last, and the line it starts on. */
export interface ItemSpan {
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

export interface JsonListSpans {
  /** A top-level array, or a top-level object's `items` (a kubectl List). */
  readonly root: 'array' | 'list';
  /** Offsets of the `[` and `]` of the items array. */
  readonly arrayStart: number;
  readonly arrayEnd: number;
  readonly items: readonly ItemSpan[];
}

/**
 * Where each element of a top-level array, or of the array JSON.parse takes as a top-level
 * object's `items` (the last `items` key, escapes decoded), starts and ends, with its line. One
 * pass over the text. Exact for valid JSON; on anything else the answer may be wrong or undefined
 * (it is a guess the caller verifies, or the text was already accepted by JSON.parse).
 */
export function jsonItemSpans(text: string): JsonListSpans | undefined {
  let line = 1;
  let depth = 0;
  let root: 'array' | 'list' | undefined;
  /** At depth 1 of an object root: the next string is a key; the last key read. */
  let expectKey = false;
  let key: string | undefined;
  let found: JsonListSpans | undefined;
  /** Collecting the elements of an array whose elements sit at `itemDepth`. */
  let itemDepth = -1;
  let arrayStart = -1;
  let items: ItemSpan[] = [];
  let itemStart = -1;
  let itemLine = 0;
  /** Just after the last character that is not whitespace. */
  let lastEnd = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE) {
      line++;
      continue;
    }
    if (isSpace(code)) continue;
    // Anything after the root value is trailing junk.
    if (depth === 0 && root !== undefined) return undefined;
    if (depth === itemDepth && itemStart < 0 && code !== CLOSE_ARRAY && code !== COMMA) {
      itemStart = i;
      itemLine = line;
    }
    if (code === QUOTE) {
      const from = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          escaped = true;
          i++;
        } else if (c === NEWLINE) return undefined;
      }
      if (i >= text.length) return undefined;
      if (depth === 1 && expectKey) {
        key = escaped ? decodedKey(text.slice(from, i + 1)) : text.slice(from + 1, i);
        expectKey = false;
        // A later `items` replaces an earlier one, whatever its value.
        if (key === 'items') found = undefined;
      }
      lastEnd = i + 1;
      continue;
    }
    if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (depth === 0) {
        root = code === OPEN_ARRAY ? 'array' : 'list';
        expectKey = root === 'list';
      }
      depth++;
      if (code === OPEN_ARRAY && (root === 'array' ? depth === 1 : depth === 2 && key === 'items')) {
        itemDepth = depth;
        arrayStart = i;
        items = [];
        itemStart = -1;
      }
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      if (depth === itemDepth && code === CLOSE_ARRAY) {
        if (itemStart >= 0) items.push({ start: itemStart, end: lastEnd, line: itemLine });
        found = { root: root ?? 'array', arrayStart, arrayEnd: i, items };
        itemDepth = -1;
        itemStart = -1;
      }
      depth--;
      if (depth < 0) return undefined;
    } else if (code === COMMA) {
      if (depth === itemDepth) {
        if (itemStart < 0) return undefined;
        items.push({ start: itemStart, end: lastEnd, line: itemLine });
        itemStart = -1;
      }
      if (depth === 1 && root === 'list') expectKey = true;
    }
    lastEnd = i + 1;
  }
  return depth === 0 ? found : undefined;
}

function decodedKey(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** The 1-based line of each element of a top-level array or of a List's `items` (exact for valid JSON). */
export function jsonItemLines(text: string): number[] {
  return jsonItemSpans(text)?.items.map((item) => item.line) ?? [];
}

/**
 * What the pretty List head is found in: a decoded text, or the bytes of a file. The head is
 * ASCII, so both give the same answer; offsets are characters in a text and bytes in a file.
 */
export interface CutSource {
  /** The code unit (text) or byte (file) at `at`; undefined past the end. */
  code(at: number): number | undefined;
  /** The offset of the first newline at or after `from`, or -1. */
  newline(from: number): number;
  /** The offset of `needle` (ASCII) at or after `from`, or -1. */
  find(needle: string, from: number): number;
}

function textSource(text: string): CutSource {
  return {
    code: (at) => text.charCodeAt(at),
    newline: (from) => text.indexOf('\n', from),
    find: (needle, from) => text.indexOf(needle, from),
  };
}

/** Where a pretty-printed List's items array starts: its `[`, the line it is on, and the indent of top-level keys. */
export interface PrettyListHead {
  readonly keyIndent: number;
  readonly arrayStart: number;
  readonly line: number;
}

/**
 * The head of a pretty-printed List (kubectl, JSON.stringify, Go's MarshalIndent): `{`, a newline,
 * top-level keys indented by k spaces, and `"items": [` ending a line, found within the first
 * `limit` characters or bytes. Undefined when the text does not start that way. Only a guess: an
 * `items` key at that indent inside another object is found too, and the envelope check refuses it.
 */
export function prettyListHead(source: CutSource, limit: number): PrettyListHead | undefined {
  if (source.code(0) !== OPEN_OBJECT || source.code(1) !== NEWLINE) return undefined;
  let k = 0;
  while (source.code(2 + k) === SPACE) k++;
  if (k === 0 || source.code(2 + k) !== QUOTE) return undefined;
  const itemsKey = `\n${' '.repeat(k)}"items": [\n`;
  const keyAt = source.find(itemsKey, 0);
  if (keyAt < 0 || keyAt + itemsKey.length > limit) return undefined;
  let line = 1;
  for (let i = source.newline(0); i >= 0 && i <= keyAt; i = source.newline(i + 1)) line++;
  return { keyIndent: k, arrayStart: keyAt + itemsKey.length - 2, line };
}

/** Items cut from a pretty-printed run of lines. */
export interface PrettyItems {
  /** Lines count from `from`: the line after its newline is line 1. */
  readonly items: ItemSpan[];
  /** Just after the last item's `}`, or after the comma that follows it. */
  readonly end: number;
  /** Whether the last item is followed by a comma (then `end` is `to`). */
  readonly comma: boolean;
  /** The newlines from `from` to `end`. */
  readonly newlines: number;
}

/**
 * The pretty cut: with top-level keys indented by k spaces, an item of `items` is exactly the
 * lines from `<2k spaces>{` to the next `<2k spaces>}` (or one line `<2k spaces>{}`), and items
 * are joined by a comma ending the closing line. A raw newline cannot occur inside a JSON string,
 * so the lines can be found with native indexOf, and only the character after an item's indent is
 * looked at on most lines (a 300 MB dump has millions of lines).
 *
 * `text[from]` must be the newline before an item's first line. Cuts items while they are joined
 * by `,` and a newline; stops after an item with no comma after it, or at `to` right after a comma.
 * Undefined when the text does not have that shape (the caller then verifies nothing and parses
 * the whole text). What this accepts needs no other check between the items.
 */
export function cutPrettyItems(
  text: string,
  from: number,
  to: number,
  width: number,
): PrettyItems | undefined {
  const items: ItemSpan[] = [];
  let newlines = 0;
  for (let at = from; ; ) {
    // `at` is the newline before an item's first line.
    const start = at + 1 + width;
    if (
      text.charCodeAt(at) !== NEWLINE ||
      text.charCodeAt(start) !== OPEN_OBJECT ||
      !isIndent(text, at + 1, width)
    )
      return undefined;
    const line = ++newlines;
    let end: number;
    if (text.charCodeAt(start + 1) === CLOSE_OBJECT) end = start + 2;
    else {
      let nl = start;
      for (;;) {
        nl = text.indexOf('\n', nl + 1);
        if (nl < 0 || nl >= to) return undefined;
        newlines++;
        if (text.charCodeAt(nl + 1 + width) === CLOSE_OBJECT && isIndent(text, nl + 1, width)) break;
      }
      end = nl + 2 + width;
    }
    items.push({ start, end, line });
    if (end > to) return undefined;
    if (end === to || text.charCodeAt(end) !== COMMA) return { items, end, comma: false, newlines };
    if (end + 1 === to) return { items, end: to, comma: true, newlines };
    at = end + 1;
  }
}

/** Whether `width` spaces start at `at`. */
function isIndent(text: string, at: number, width: number): boolean {
  for (let i = at; i < at + width; i++) if (text.charCodeAt(i) !== SPACE) return false;
  return true;
}

/**
 * The pretty cut of a whole text: the head, the items from its `[`, and the `]` on a line of its
 * own at the key indent right after the last item. Undefined when the text does not have the shape.
 */
export function prettyJsonListSpans(text: string): JsonListSpans | undefined {
  const head = prettyListHead(textSource(text), text.length);
  if (!head) return undefined;
  const cut = cutPrettyItems(text, head.arrayStart + 1, text.length, 2 * head.keyIndent);
  const close = `\n${' '.repeat(head.keyIndent)}]`;
  if (!cut || cut.comma || !text.startsWith(close, cut.end)) return undefined;
  const items = cut.items.map((item) => ({ start: item.start, end: item.end, line: item.line + head.line }));
  return { root: 'list', arrayStart: head.arrayStart, arrayEnd: cut.end + close.length - 1, items };
}

/**
 * Whether the text between the items of a guessed cut is what a JSON array has there: only
 * whitespace after `[` and before `]`, whitespace and one comma between two items.
 */
function separatorsHold(text: string, spans: JsonListSpans): boolean {
  let from = spans.arrayStart + 1;
  for (const item of spans.items) {
    if (!isSeparator(text, from, item.start, from !== spans.arrayStart + 1)) return false;
    from = item.end;
  }
  return isSeparator(text, from, spans.arrayEnd, false);
}

function isSeparator(text: string, from: number, to: number, comma: boolean): boolean {
  let commas = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === COMMA) commas++;
    else if (!isSpace(code)) return false;
  }
  return commas === (comma ? 1 : 0);
}

/** A kubectl JSON List cut into its items, skeleton verified: the spans, and the List's own apiVersion and kind. */
export interface KubectlJsonList {
  readonly spans: JsonListSpans;
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * The items of a kubectl JSON List (`kind: ...List`, not a Compute `compute#...List`), found
 * without parsing them, with everything but the items themselves verified (see the file comment);
 * undefined when the text is not such a List or the cut cannot be verified.
 */
export function kubectlJsonList(text: string): KubectlJsonList | undefined {
  const pretty = prettyJsonListSpans(text);
  const verify = (spans: JsonListSpans | undefined) => {
    if (spans?.root !== 'list') return undefined;
    const envelope = listEnvelope(text.slice(0, spans.arrayStart), text.slice(spans.arrayEnd + 1));
    return envelope && { spans, ...envelope };
  };
  // The pretty cut proves its own separators; a decoy it took for the items fails the envelope.
  const list = verify(pretty);
  if (list) return list;
  const scanned = jsonItemSpans(text);
  return scanned && separatorsHold(text, scanned) ? verify(scanned) : undefined;
}

/**
 * A string no file holds, put in place of the items array to check the envelope: JSON.parse of
 * the result gives it as `items` only when the array stood where JSON.parse takes `items` from.
 * Random, so a file cannot be written to hold it; it starts with a letter, so it cannot be glued
 * to a text that ends in the middle of a string (`"x\` would make it part of that string, with a
 * quote in it, and `"x` would end that string and leave a bare word).
 */
const ITEMS_SENTINEL = `m${randomUUID()}`;

/**
 * The apiVersion and kind of a kubectl List (`kind: ...List`, not a Compute `compute#...List`)
 * from its text before and after the items array, or undefined when it is not one, the text
 * around the array is not valid JSON, or the array is not the List's `items`.
 */
export function listEnvelope(
  before: string,
  after: string,
): { apiVersion: string; kind: string } | undefined {
  let list: unknown;
  try {
    list = JSON.parse(`${before}"${ITEMS_SENTINEL}"${after}`);
  } catch {
    return undefined;
  }
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return undefined;
  const { apiVersion, kind, items } = list as { apiVersion?: unknown; kind?: unknown; items?: unknown };
  if (items !== ITEMS_SENTINEL) return undefined;
  if (typeof kind !== 'string' || !kind.endsWith('List') || kind.startsWith('compute#')) return undefined;
  if (typeof apiVersion !== 'string') return undefined;
  return { apiVersion, kind };
}
