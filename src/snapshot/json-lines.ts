/**
 * JSON.parse forgets where things were. These helpers recover the 1-based line of each element
 * of a top-level array or of a top-level object's `items` array (a kubectl List), in one pass
 * over the text, so findings can point at the object in the file.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

function isSpace(code: number): boolean {
  return code === 0x20 || code === NEWLINE || code === 0x0d || code === 0x09;
}

export interface JsonListSpans {
  /** A top-level array, or a top-level object's `items` (a kubectl List). */
  readonly root: 'array' | 'list';
  /** Offsets of the `[` and `]` of the items array. */
  readonly arrayStart: number;
  readonly arrayEnd: number;
  readonly items: readonly { readonly start: number; readonly end: number; readonly line: number }[];
}

/**
 * Where each element of a top-level array, or each item of a top-level object's `items` array
 * (a kubectl List), starts and ends. Lets a big List be parsed item by item (never holding the
 * whole tree) and gives every element its line. Undefined when the text has no such array or is
 * malformed in a way the scan notices; the caller then parses it whole.
 */
export function jsonItemSpans(text: string): JsonListSpans | undefined {
  const items: { start: number; end: number; line: number }[] = [];
  let line = 1;
  let depth = 0;
  let lastKey = '';
  let itemDepth = 0;
  let arrayStart = -1;
  let itemStart = -1;
  let itemLine = 0;
  let root: 'array' | 'list' | undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE) {
      line++;
      continue;
    }
    if (isSpace(code)) continue;
    // Anything at depth 0 after the root value is trailing junk.
    if (depth === 0 && root !== undefined) return undefined;
    if (arrayStart >= 0 && depth === itemDepth && itemStart < 0 && code !== CLOSE_ARRAY && code !== COMMA) {
      itemStart = i;
      itemLine = line;
    }
    if (code === QUOTE) {
      const keyStart = i + 1;
      i++;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) break;
        else if (c === NEWLINE) return undefined;
        i++;
      }
      if (depth === 1) lastKey = text.slice(keyStart, i);
      continue;
    }
    if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (depth === 0) root = code === OPEN_ARRAY ? 'array' : 'list';
      depth++;
      if (arrayStart < 0 && code === OPEN_ARRAY && (depth === 1 || (depth === 2 && lastKey === 'items'))) {
        arrayStart = i;
        itemDepth = depth;
      }
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      if (depth === itemDepth && arrayStart >= 0 && code === CLOSE_ARRAY) {
        if (itemStart >= 0) items.push({ start: itemStart, end: i, line: itemLine });
        return { root: root ?? 'array', arrayStart, arrayEnd: i, items };
      }
      depth--;
      if (depth < 0) return undefined;
    } else if (code === COMMA && depth === itemDepth && arrayStart >= 0) {
      if (itemStart < 0) return undefined;
      items.push({ start: itemStart, end: i, line: itemLine });
      itemStart = -1;
    }
  }
  return undefined;
}

/** The spans of a kubectl List's items (a top-level object with `items`), else undefined. */
export function jsonListSpans(text: string): JsonListSpans | undefined {
  const spans = jsonItemSpans(text);
  return spans?.root === 'list' ? spans : undefined;
}

/** The 1-based line of each element of a top-level array or of a List's `items`. */
export function jsonItemLines(text: string): number[] {
  return jsonItemSpans(text)?.items.map((item) => item.line) ?? [];
}

/**
 * What the pretty cut reads: a decoded text, or the bytes of a file. Item boundaries are ASCII
 * (`{`, `}`, `,`, newlines), so both give the same items and lines; offsets are characters in a
 * text and bytes in a file.
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
 * top-level keys indented by k spaces, and `"items": [` on a line of its own, found within the
 * first `limit` characters or bytes. Undefined when the text does not start that way.
 */
export function prettyListHead(source: CutSource, limit: number): PrettyListHead | undefined {
  if (source.code(0) !== OPEN_OBJECT || source.code(1) !== NEWLINE) return undefined;
  let k = 0;
  while (source.code(2 + k) === 0x20) k++;
  if (k === 0 || source.code(2 + k) !== QUOTE) return undefined;
  const itemsKey = `\n${' '.repeat(k)}"items": [\n`;
  const keyAt = source.find(itemsKey, 0);
  if (keyAt < 0 || keyAt + itemsKey.length > limit) return undefined;
  let line = 1;
  for (let i = source.newline(0); i >= 0 && i <= keyAt; i = source.newline(i + 1)) line++;
  return { keyIndent: k, arrayStart: keyAt + itemsKey.length - 2, line };
}

/**
 * The fast path of jsonListSpans for pretty-printed JSON: with top-level keys indented by k
 * spaces, an item of `items` is exactly the lines from `<2k spaces>{` to `<2k spaces>}`, so only
 * line starts need looking at, with native indexOf. Cuts as the text arrives (a file read in
 * chunks): `advance` looks at the lines that end before what is available. A text without that
 * shape is `bad`; callers still parse every item, so a wrong cut cannot go unnoticed.
 */
class PrettyListCut {
  /** The items cut and not yet taken (a caller may empty it as it goes). */
  readonly items: { start: number; end: number; line: number }[] = [];
  /** How many items were cut in all. */
  count = 0;
  /** The offset of the items array's `]`, once found. */
  arrayEnd = -1;
  private readonly k: number;
  private readonly width: number;
  /** The newline before the next line to look at, and that line's number less one. */
  private nl: number;
  private line: number;
  private itemStart = -1;
  private itemLine = 0;

  /** The first offset the cut still needs: the item it is in, or the newline it resumes at. */
  resumeAt(): number {
    return this.itemStart >= 0 ? this.itemStart : this.nl;
  }

  constructor(head: PrettyListHead) {
    this.k = head.keyIndent;
    this.width = 2 * head.keyIndent;
    this.nl = head.arrayStart + 1;
    this.line = head.line;
  }

  /** The number of the last line looked at. */
  get lastLine(): number {
    return this.line;
  }

  /**
   * Cuts every line that ends before `limit` (all of them when `final`): 'more' when the `]`
   * closing the items is still to come, 'done' when it was found, 'bad' when the text does not
   * have the shape.
   */
  advance(source: CutSource, limit: number, final: boolean): 'more' | 'done' | 'bad' {
    const { k, width, items } = this;
    // Only the character just after an item's indentation is looked at on most lines (a 300 MB
    // dump has millions of lines).
    for (let nl = this.nl; ; ) {
      const at = nl + 1;
      const lineEnd = source.newline(at);
      if (!final && (lineEnd < 0 || lineEnd >= limit)) {
        this.nl = nl;
        return 'more';
      }
      this.line++;
      if (this.itemStart < 0) {
        if (source.code(at + width) === OPEN_OBJECT && isIndent(source, at, width)) {
          this.itemStart = at + width;
          this.itemLine = this.line;
          if (source.code(this.itemStart + 1) === CLOSE_OBJECT) {
            // An empty object prints as `{}` on one line.
            items.push({ start: this.itemStart, end: this.itemStart + 2, line: this.line });
            this.count++;
            this.itemStart = -1;
          }
        } else if (source.code(at + k) === CLOSE_ARRAY && isIndent(source, at, k)) {
          if (this.count === 0) return 'bad';
          this.arrayEnd = at + k;
          return 'done';
        } else return 'bad';
      } else if (source.code(at + width) === CLOSE_OBJECT && isIndent(source, at, width)) {
        const end = at + width + 1;
        items.push({ start: this.itemStart, end, line: this.itemLine });
        this.count++;
        this.itemStart = -1;
        const next = source.code(end);
        if (next !== COMMA && next !== NEWLINE) return 'bad';
      }
      if (lineEnd < 0) return 'bad';
      nl = lineEnd;
    }
  }
}

/**
 * Cuts a run of whole items of a pretty-printed List with top-level keys indented by `keyIndent`
 * spaces, as the parallel loader's workers get them: `bytes` starts with the newline before an
 * item's first line and ends just before the newline after an item's closing line. The same cut
 * as the whole List's (the run is read as if the items array closed right after it). Lines count
 * from the run's first newline: the line after it is line 1. Undefined when the bytes are not
 * such a run.
 */
export function cutItemRun(
  bytes: Uint8Array,
  keyIndent: number,
):
  | { readonly items: readonly { start: number; end: number; line: number }[]; readonly newlines: number }
  | undefined {
  const n = bytes.length;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, n);
  const close = `\n${' '.repeat(keyIndent)}]`;
  const source: CutSource = {
    code: (at) => (at < n ? buffer[at] : close.charCodeAt(at - n) || undefined),
    newline(from) {
      if (from > n) return -1;
      const at = from < n ? buffer.indexOf(NEWLINE, from) : -1;
      return at >= 0 ? at : n;
    },
    find: () => -1,
  };
  if (buffer[0] !== NEWLINE) return undefined;
  const cut = new PrettyListCut({ keyIndent, arrayStart: -1, line: 0 });
  if (cut.advance(source, n + close.length, true) !== 'done' || cut.arrayEnd !== n + 1 + keyIndent)
    return undefined;
  // The last line looked at is the virtual `]`; the run's own lines are one fewer.
  return { items: cut.items, newlines: cut.lastLine - 1 };
}

/** The pretty cut of a whole text, or undefined when it does not have the shape. */
export function prettyJsonListSpans(text: string): JsonListSpans | undefined {
  const source = textSource(text);
  const head = prettyListHead(source, text.length);
  if (!head) return undefined;
  const cut = new PrettyListCut(head);
  if (cut.advance(source, text.length, true) !== 'done') return undefined;
  return { root: 'list', arrayStart: head.arrayStart, arrayEnd: cut.arrayEnd, items: cut.items };
}

/** Whether `width` spaces start at `at` (so the character after them begins the line's content). */
function isIndent(source: CutSource, at: number, width: number): boolean {
  for (let i = at; i < at + width; i++) if (source.code(i) !== 0x20) return false;
  return true;
}

/** A kubectl JSON List cut into its items: the spans, and the List's own apiVersion and kind. */
export interface KubectlJsonList {
  readonly spans: JsonListSpans;
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * The items of a kubectl JSON List (`kind: ...List`, not a Compute `compute#...List`), found
 * without parsing them, or undefined when the text is not such a List the span scan understands.
 */
export function kubectlJsonList(text: string): KubectlJsonList | undefined {
  const spans = prettyJsonListSpans(text) ?? jsonListSpans(text);
  if (!spans) return undefined;
  const envelope = listEnvelope(text.slice(0, spans.arrayStart), text.slice(spans.arrayEnd + 1));
  return envelope && { spans, ...envelope };
}

/**
 * The apiVersion and kind of a kubectl List (`kind: ...List`, not a Compute `compute#...List`)
 * from its text before and after the items array, or undefined when it is not one.
 */
export function listEnvelope(
  before: string,
  after: string,
): { apiVersion: string; kind: string } | undefined {
  let list: unknown;
  try {
    list = JSON.parse(`${before}[]${after}`);
  } catch {
    return undefined;
  }
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return undefined;
  const { apiVersion, kind } = list as { apiVersion?: unknown; kind?: unknown };
  if (typeof kind !== 'string' || !kind.endsWith('List') || kind.startsWith('compute#')) return undefined;
  if (typeof apiVersion !== 'string') return undefined;
  return { apiVersion, kind };
}
