/**
 * Lines of keys and values in a parsed YAML (or JSON) document, found by path, so validation
 * errors can name the line of what is wrong.
 */
import { type Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';

export type PathKey = PropertyKey;

/** `suppressions[0].reason`, as a user would write it. */
export function pathText(path: readonly PathKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  return text;
}

export class SourcePositions {
  readonly #document: Document;
  readonly #lines: LineCounter;

  constructor(document: Document, lines: LineCounter) {
    this.#document = document;
    this.#lines = lines;
  }

  lineOfOffset(offset: number): number {
    return this.#lines.linePos(offset).line;
  }

  /** The node at the path, or its nearest ancestor that exists (a missing key points at its parent). */
  nodeAt(path: readonly PathKey[]): unknown {
    for (let depth = path.length; depth > 0; depth--) {
      const node = this.#document.getIn(path.slice(0, depth) as unknown[], true);
      if (node !== undefined && node !== null && rangeOf(node)) return node;
    }
    return this.#document.contents;
  }

  lineAt(path: readonly PathKey[]): number {
    const range = rangeOf(this.nodeAt(path));
    return range ? this.lineOfOffset(range[0]) : 1;
  }

  /** The line of a key inside the mapping at the path. */
  lineOfKey(path: readonly PathKey[], key: string): number {
    const node = this.nodeAt(path);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
          return this.lineOfOffset(pair.key.range[0]);
        }
      }
    }
    return this.lineAt(path);
  }
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  const range = (node as { range?: unknown } | null | undefined)?.range;
  return Array.isArray(range) ? (range as [number, number, number]) : undefined;
}

/** Parses text only to locate paths in it (e.g. in a JSON report that failed validation). */
export function sourcePositionsOf(text: string): SourcePositions {
  const lines = new LineCounter();
  return new SourcePositions(parseDocument(text, { lineCounter: lines, uniqueKeys: false }), lines);
}
