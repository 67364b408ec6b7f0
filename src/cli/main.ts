/**
 * The CLI entry point and the only place that exits (STYLE §7): UsageError and InputError exit
 * 2, CollectError exits 3, anything else is a bug and exits 70 with its stack.
 */
import { CollectError, InputError, UsageError } from '../errors.ts';
import { printableLines } from '../text/printable.ts';
import { processIO } from './io.ts';
import { runCli } from './program.ts';

export function exitCodeForError(error: unknown): number {
  if (error instanceof UsageError || error instanceof InputError) return 2;
  if (error instanceof CollectError) return 3;
  return 70;
}

/**
 * A closed stdout (`meshready report … | head -1`) ends the command quietly, as `git log | head`
 * does: no stack trace, and an exit status a pipeline does not read as "findings".
 */
function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

async function main(argv: readonly string[]): Promise<void> {
  endQuietlyOnClosedStdout();
  const io = processIO();
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    process.exitCode = await runCli(argv, io);
  } catch (error) {
    const code = exitCodeForError(error);
    // Messages quote input (a JSON excerpt, a name): nothing in them may drive the terminal.
    const message = printableLines(error instanceof Error ? error.message : String(error));
    if (code === 70) io.stderr.write(`meshready: internal error: ${(error as Error)?.stack ?? message}\n`);
    else
      io.stderr.write(
        `meshready: ${message}\n${verbose && error instanceof Error ? `${error.stack}\n` : ''}`,
      );
    process.exitCode = code;
  }
  // Flush stdout before leaving: large --json output on a pipe must not be cut short.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(process.exitCode);
}

await main(process.argv.slice(2));
