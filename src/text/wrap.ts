/**
 * Wrapping for the terminal (SPEC §1): on a terminal, lines wrap to its width, never wider than
 * 100 columns for help, tables and the summary; piped output is not wrapped at all (the callers
 * pass no width then). Widths count UTF-16 code units, which is the column count of the text
 * meshready prints (ASCII, and `…`/`—`, one column each).
 */

/** Help, tables and the summary are never wider than this, however wide the terminal. */
export const MAX_COLUMNS = 100;
/** Below this, wrapping would leave a word or two per line: wrap at this width instead. */
export const MIN_COLUMNS = 30;

/** The width to wrap at for a terminal of `columns`, or undefined (no wrapping) when not a terminal. */
export function wrapWidthFor(columns: number | undefined): number | undefined {
  if (columns === undefined || !Number.isFinite(columns) || columns <= 0) return undefined;
  return Math.max(MIN_COLUMNS, Math.min(MAX_COLUMNS, Math.floor(columns)));
}

/** Where a word too long for a line may break: after a hyphen or a slash (rule ids, paths, versions). */
function wordPieces(word: string): string[] {
  return word.match(/[^/-]*[/-]+|[^/-]+/g) ?? [word];
}

/** The pieces a table cell may break between: words, and within words after a hyphen or slash. */
function pieces(text: string): string[] {
  return (text.match(/\S+\s*|\s+/g) ?? []).flatMap((word) => {
    const trailing = /\s*$/.exec(word)?.[0] ?? '';
    const parts = wordPieces(word.trimEnd());
    parts[parts.length - 1] += trailing;
    return parts;
  });
}

/**
 * Breaks `text` (one line, no newline) into lines of at most `width`, continuing at `indent`:
 * between words; a word longer than a whole line after a hyphen or slash, else where it must.
 */
function wrapOne(text: string, width: number, indent: string): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  const push = () => {
    lines.push(line.trimEnd());
    line = indent;
  };
  const place = (piece: string) => {
    let rest = piece;
    while (line.length + rest.trimEnd().length > width) {
      const room = Math.max(1, width - line.length);
      line += rest.slice(0, room);
      rest = rest.slice(room);
      push();
    }
    line += rest;
  };
  for (const word of text.match(/\s+|\S+\s*/g) ?? []) {
    if (line.length + word.trimEnd().length <= width) {
      line += word;
      continue;
    }
    if (line.trim() !== '') push();
    const bare = line.trim() === '' && lines.length > 0 ? word.trimStart() : word;
    if (line.length + bare.trimEnd().length <= width) {
      line += bare;
      continue;
    }
    // Longer than a whole line: break it after its hyphens and slashes, and cut what still is.
    for (const piece of wordPieces(bare)) {
      if (line.length + piece.trimEnd().length > width && line.trim() !== '') push();
      place(piece);
    }
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

/**
 * Wraps every line of `text` to `width`; without a width, the text is returned as it is. A
 * wrapped line continues under its own text: indented as far as it is, plus `hang` columns.
 */
export function wrapText(text: string, width: number | undefined, hang = 2): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .flatMap((line) => {
      const lead = /^ */.exec(line)?.[0].length ?? 0;
      const indent = ' '.repeat(Math.min(lead + hang, Math.floor(width / 2)));
      return wrapOne(line, width, indent);
    })
    .join('\n');
}

/**
 * A table as kubectl get prints one: every column as wide as its widest cell, two spaces apart,
 * the last one not padded. With a width, the widest columns are narrowed until the table fits,
 * and their cells wrap inside the column (a row then takes several lines).
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  width?: number,
): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]?.length ?? 0)));
  const gap = 2;
  if (width !== undefined) {
    const total = () => widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1);
    const longest = (split: (cell: string) => string[]) =>
      header.map((_, column) =>
        Math.max(
          ...all.map((row) => Math.max(0, ...split(row[column] ?? '').map((p) => p.trimEnd().length))),
        ),
      );
    // Narrower than these, a word is broken at a hyphen or slash, or cut.
    const words = longest((cell) => cell.split(/\s+/));
    const breakable = longest(pieces);
    const last = widths.length - 1;
    const shrink = (floor: readonly number[], columns: readonly number[]) => {
      while (total() > width) {
        let widest = -1;
        for (const column of columns) {
          const w = widths[column] as number;
          if (w > (floor[column] as number) && (widest < 0 || w > (widths[widest] as number)))
            widest = column;
        }
        if (widest < 0) return;
        widths[widest] = (widths[widest] as number) - 1;
      }
    };
    const leading = widths.slice(0, last).map((_, column) => column);
    // The short columns first, to their longest word; then the last one (prose, it wraps well);
    // then words break at hyphens; at last they are cut.
    shrink(words, leading);
    shrink(words, [last]);
    shrink(breakable, [...leading, last]);
    shrink(
      header.map(() => 4),
      [...leading, last],
    );
  }
  const lines: string[] = [];
  for (const row of all) {
    const cells = widths.map((w, column) =>
      width === undefined ? [row[column] ?? ''] : wrapOne(row[column] ?? '', w, ''),
    );
    const height = Math.max(...cells.map((cell) => cell.length));
    for (let index = 0; index < height; index++) {
      const parts = cells.map((cell, column) => {
        const text = cell[index] ?? '';
        return column === cells.length - 1 ? text : text.padEnd(widths[column] as number);
      });
      lines.push(parts.join(' '.repeat(gap)).trimEnd());
    }
  }
  return lines.join('\n');
}
