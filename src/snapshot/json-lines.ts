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
 * The fast path of jsonListSpans for pretty-printed JSON (kubectl, JSON.stringify, Go's
 * MarshalIndent): with top-level keys indented by k spaces, an item of `items` is exactly the
 * lines from `<2k spaces>{` to `<2k spaces>}`, so only line starts need looking at, with native
 * indexOf. Returns undefined when the text does not have that shape; callers still parse every
 * item, so a wrong cut cannot go unnoticed.
 */
export function prettyJsonListSpans(text: string): JsonListSpans | undefined {
  if (!text.startsWith('{\n')) return undefined;
  let k = 0;
  while (text.charCodeAt(2 + k) === 0x20) k++;
  if (k === 0 || text.charCodeAt(2 + k) !== QUOTE) return undefined;
  const keyIndent = ' '.repeat(k);
  const itemsKey = `\n${keyIndent}"items": [\n`;
  const keyAt = text.indexOf(itemsKey);
  if (keyAt < 0) return undefined;
  const arrayStart = keyAt + itemsKey.length - 2;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i <= keyAt; i = text.indexOf('\n', i + 1)) line++;
  const items: { start: number; end: number; line: number }[] = [];
  const width = 2 * k;
  let itemStart = -1;
  let itemLine = 0;
  // Only the character just after an item's indentation is looked at on most lines (charCodeAt
  // is far cheaper than startsWith here: a 300 MB dump has millions of lines).
  for (let nl = arrayStart + 1; nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    line++;
    const at = nl + 1;
    if (itemStart < 0) {
      if (text.charCodeAt(at + width) === OPEN_OBJECT && isIndent(text, at, width)) {
        itemStart = at + width;
        itemLine = line;
        if (text.charCodeAt(itemStart + 1) === CLOSE_OBJECT) {
          // An empty object prints as `{}` on one line.
          const end = itemStart + 2;
          items.push({ start: itemStart, end, line });
          itemStart = -1;
          if (text.charCodeAt(end) === COMMA) nl = end;
        }
      } else if (text.charCodeAt(at + k) === CLOSE_ARRAY && isIndent(text, at, k)) {
        return items.length > 0 ? { root: 'list', arrayStart, arrayEnd: at + k, items } : undefined;
      } else return undefined;
    } else if (text.charCodeAt(at + width) === CLOSE_OBJECT && isIndent(text, at, width)) {
      const end = at + width + 1;
      items.push({ start: itemStart, end, line: itemLine });
      itemStart = -1;
      const next = text.charCodeAt(end);
      if (next !== COMMA && next !== NEWLINE) return undefined;
      if (next === COMMA) nl = end;
    }
  }
  return undefined;
}

/** Whether `width` spaces start at `at` (so the character after them begins the line's content). */
function isIndent(text: string, at: number, width: number): boolean {
  for (let i = at; i < at + width; i++) if (text.charCodeAt(i) !== 0x20) return false;
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
  let list: unknown;
  try {
    list = JSON.parse(`${text.slice(0, spans.arrayStart)}[]${text.slice(spans.arrayEnd + 1)}`);
  } catch {
    return undefined;
  }
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return undefined;
  const { apiVersion, kind } = list as { apiVersion?: unknown; kind?: unknown };
  if (typeof kind !== 'string' || !kind.endsWith('List') || kind.startsWith('compute#')) return undefined;
  if (typeof apiVersion !== 'string') return undefined;
  return { spans, apiVersion, kind };
}
