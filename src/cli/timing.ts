/**
 * MESHREADY_TIMING=1: where a scan's time went, on stderr once it is done (as ESLint's TIMING
 * does for its rules). For users of very big clusters and for docs/performance.md; nothing is
 * timed or printed otherwise.
 */
import type { CliIO } from './io.ts';

export class PhaseTimer {
  private readonly io: CliIO;
  private readonly phases: { name: string; ms: number }[] = [];
  private readonly start = performance.now();
  private last = this.start;

  private constructor(io: CliIO) {
    this.io = io;
  }

  /** A timer when MESHREADY_TIMING is set to anything but empty or 0, else undefined. */
  static from(io: CliIO): PhaseTimer | undefined {
    const set = io.env.MESHREADY_TIMING;
    return set !== undefined && set !== '' && set !== '0' ? new PhaseTimer(io) : undefined;
  }

  /** Ends the phase that started when the previous one ended (or when the timer was made). */
  phase(name: string): void {
    const now = performance.now();
    this.phases.push({ name, ms: now - this.last });
    this.last = now;
  }

  /** Writes one line per phase and the total, in seconds. */
  report(): void {
    const total = { name: 'total', ms: performance.now() - this.start };
    const rows = [...this.phases, total];
    const width = Math.max(...rows.map((row) => row.name.length));
    const lines = rows.map((row) => `timing: ${row.name.padEnd(width)}  ${(row.ms / 1000).toFixed(3)} s`);
    this.io.stderr.write(`${lines.join('\n')}\n`);
  }
}
