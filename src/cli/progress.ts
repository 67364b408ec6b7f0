import type { CliIO } from './io.ts';

/**
 * One self-overwriting status line on stderr, only when stderr is a terminal (SPEC §1: nothing
 * extra otherwise). Updates are throttled so a fast loop does not flood the terminal.
 */
export class Progress {
  private readonly io: CliIO;
  private lastWrite = 0;
  private shown = false;

  constructor(io: CliIO) {
    this.io = io;
  }

  update(text: string, force = false): void {
    if (!this.io.stderrIsTTY) return;
    const now = Date.now();
    if (!force && now - this.lastWrite < 100) return;
    this.lastWrite = now;
    this.shown = true;
    this.io.stderr.write(`\r\x1b[2K${text}`);
  }

  done(): void {
    if (this.shown) this.io.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
