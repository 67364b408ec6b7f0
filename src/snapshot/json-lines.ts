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

export function jsonItemLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  /** Depth at which the elements we want live; 0 while not yet known. */
  let itemDepth = 0;
  let expectItem = false;
  let lastKey = '';
  let keyStart = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE) {
      line++;
      continue;
    }
    if (isSpace(code)) continue;
    if (expectItem && depth === itemDepth) {
      expectItem = false;
      if (code !== CLOSE_ARRAY) lines.push(line);
    }
    if (code === QUOTE) {
      keyStart = i + 1;
      i++;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) break;
        else if (c === NEWLINE) line++;
        i++;
      }
      if (depth === 1) lastKey = text.slice(keyStart, i);
      continue;
    }
    if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth++;
      if (code === OPEN_ARRAY && itemDepth === 0 && (depth === 1 || (depth === 2 && lastKey === 'items'))) {
        itemDepth = depth;
        expectItem = true;
      }
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      if (code === CLOSE_ARRAY && depth === itemDepth) return lines;
      depth--;
    } else if (code === COMMA && depth === itemDepth) {
      expectItem = true;
    }
  }
  return lines;
}

/** The line of a JSON.parse error, from the position V8 puts in its message. */
export function jsonErrorLine(text: string, error: Error): number | undefined {
  const lineColumn = /line (\d+) column \d+/.exec(error.message);
  if (lineColumn) return Number(lineColumn[1]);
  const position = /position (\d+)/.exec(error.message);
  if (position) {
    const offset = Math.min(Number(position[1]), text.length);
    let line = 1;
    for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === NEWLINE) line++;
    return line;
  }
  if (/end of JSON input/i.test(error.message)) return text.split('\n').length;
  return undefined;
}
