/** The terminal summary's colour: on a terminal only, and never with NO_COLOR (no-color.org). */
import { describe, expect, it } from 'vitest';
import { type CliIO, useColour } from '../../src/cli/io.ts';
import { terminalSummary } from '../../src/cli/summary.ts';
import { demoReport } from '../report/reports.ts';

function io(stdoutIsTTY: boolean, env: Record<string, string> = {}): CliIO {
  return {
    stdout: { write: () => true },
    stderr: { write: () => true },
    stderrIsTTY: false,
    stdoutIsTTY,
    cwd: '.',
    env,
    now: () => new Date(),
  };
}

describe('terminal summary colour', () => {
  it('is used on a terminal, not on a pipe, and not with NO_COLOR', () => {
    expect(useColour(io(true), 'stdout')).toBe(true);
    expect(useColour(io(false), 'stdout')).toBe(false);
    expect(useColour(io(true, { NO_COLOR: '1' }), 'stdout')).toBe(false);
    // Stdout is a terminal, but the summary goes to stderr (with --json), which is not.
    expect(useColour(io(true), 'stderr')).toBe(false);
  });

  it('colours the verdict and the severities, and is the same text without it', async () => {
    const report = await demoReport();
    const plain = terminalSummary(report, []);
    const coloured = terminalSummary(report, [], { colour: true });
    expect(plain).not.toContain('\x1b[');
    expect(coloured).toContain('Verdict: \x1b[31mNOT-READY\x1b[0m');
    expect(coloured).toContain('\x1b[31merror  \x1b[0m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the colour codes is the point
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });
});
