import { wrapWidthFor } from '../text/wrap.ts';

/** The process surface the CLI uses, so commands can run in-process in tests. */
export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Progress is shown only when stderr is a terminal. */
  readonly stderrIsTTY: boolean;
  /** Colour is used only on a terminal; absent means not a terminal (tests, pipes). */
  readonly stdoutIsTTY?: boolean | undefined;
  /** The terminal's width in columns, when the stream is a terminal; absent otherwise. */
  readonly stdoutColumns?: number | undefined;
  readonly stderrColumns?: number | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stdoutColumns: process.stdout.isTTY === true ? process.stdout.columns : undefined,
    stderrColumns: process.stderr.isTTY === true ? process.stderr.columns : undefined,
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
  };
}

/** Colour on a terminal unless NO_COLOR is set to anything non-empty (no-color.org). */
export function useColour(io: CliIO, stream: 'stdout' | 'stderr'): boolean {
  const tty = stream === 'stdout' ? io.stdoutIsTTY === true : io.stderrIsTTY;
  return tty && !io.env.NO_COLOR;
}

/**
 * The width to wrap a stream's text at (SPEC §1): the terminal's, at most 100 columns; undefined
 * when the stream is not a terminal, and then nothing is wrapped.
 */
export function wrapWidth(io: CliIO, stream: 'stdout' | 'stderr'): number | undefined {
  return wrapWidthFor(stream === 'stdout' ? io.stdoutColumns : io.stderrColumns);
}
