/**
 * Typed errors. Only src/cli/main.ts turns them into exit codes:
 * UsageError and InputError exit 2, CollectError exits 3.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A 1-based line and column in a file. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A file the user gave us is unreadable or malformed. Always names the file, and the line (and
 * column, when known: `file:line:column`, as compilers and editors print it) when known.
 */
export class InputError extends Error {
  override name = 'InputError';
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly expected: string | undefined;

  constructor(file: string, at: number | TextPosition | undefined, message: string, expected?: string) {
    const line = typeof at === 'object' ? at.line : at;
    const column = typeof at === 'object' ? at.column : undefined;
    const where =
      line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
    super(`${where}: ${message}${expected ? ` (expected ${expected})` : ''}`);
    this.file = file;
    this.line = line;
    this.column = column;
    this.expected = expected;
  }
}

/** The scan could not run at all: the cluster or an API was unreachable, or credentials were rejected. */
export class CollectError extends Error {
  override name = 'CollectError';
}
