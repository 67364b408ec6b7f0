/** An in-memory CliIO for running the CLI in-process (runCli) with a fixed clock. */
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/program.ts';

export interface FakeIO extends CliIO {
  readonly out: () => string;
  readonly err: () => string;
}

export function fakeIO(cwd: string, now = new Date('2026-11-25T10:00:00Z')): FakeIO {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stderrIsTTY: false,
    cwd,
    env: {},
    now: () => now,
    out: () => stdout,
    err: () => stderr,
  };
}

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInProcess(argv: readonly string[], cwd: string, now?: Date): Promise<InProcessRun> {
  const io = fakeIO(cwd, now);
  const code = await runCli(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
