/**
 * Typed errors. Only src/cli/main.ts turns them into exit codes:
 * UsageError and InputError exit 2, CollectError exits 3.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A file the user gave us is unreadable or malformed. Always names the file, and the line when known. */
export class InputError extends Error {
  override name = 'InputError';
  readonly file: string;
  readonly line: number | undefined;
  readonly expected: string | undefined;

  constructor(file: string, line: number | undefined, message: string, expected?: string) {
    super(
      `${line === undefined ? file : `${file}:${line}`}: ${message}${expected ? ` (expected ${expected})` : ''}`,
    );
    this.file = file;
    this.line = line;
    this.expected = expected;
  }
}

/** The scan could not run at all: the cluster or an API was unreachable, or credentials were rejected. */
export class CollectError extends Error {
  override name = 'CollectError';
}
