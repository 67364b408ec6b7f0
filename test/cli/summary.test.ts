/** The terminal summary's colour: on a terminal only, and never with NO_COLOR (no-color.org). */
import { describe, expect, it } from 'vitest';
import { type CliIO, useColour } from '../../src/cli/io.ts';
import { terminalSummary } from '../../src/cli/summary.ts';
import { demoReport, failing, makeFinding, reportFrom } from '../report/reports.ts';

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
    expect(coloured).toContain('\n\x1b[31mNOT READY\x1b[0m: 1 error blocks phase cluster-upgrade');
    expect(coloured).toContain('\x1b[31merror  \x1b[0m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the colour codes is the point
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });
});

describe('terminal summary content', () => {
  it('says what the verdict is about, relative to the phases', async () => {
    const lines = terminalSummary(await demoReport(), []).split('\n');
    expect(lines[1]).toMatch(/^NOT READY: 1 error blocks phase cluster-upgrade \(and \d+ in later phases\)$/);
    const ready = reportFrom([
      failing('ingress-gateway-revision', [
        makeFinding('ingress-gateway-revision', { name: 'gw', namespace: 'istio-system' }),
      ]),
    ]);
    expect(terminalSummary(ready, []).split('\n')[1]).toBe(
      'READY for phase migrate-gateway (2 phases to go)',
    );
  });

  it('lists urgent findings first, whatever their phase and severity, and marks them', () => {
    const calm = Array.from({ length: 6 }, (_, i) =>
      makeFinding('gke-version-istio16', {
        kind: 'Cluster',
        name: `c${i}`,
        severity: 'error',
        message: `calm ${i}`,
      }),
    );
    const live = Array.from({ length: 7 }, (_, i) => ({
      ...makeFinding('namespace-injection-labels', {
        kind: 'Namespace',
        name: `ns${i}`,
        severity: 'warning',
        message: `live ${i}`,
      }),
      urgent: true as const,
    }));
    const report = reportFrom([
      failing('gke-version-istio16', calm, 'error'),
      failing('namespace-injection-labels', live, 'warning'),
    ]);
    const lines = terminalSummary(report, []).split('\n');
    const start = lines.indexOf('Top findings (7 urgent, listed first: their harm is already live):');
    expect(start).toBeGreaterThan(0);
    // Every urgent finding is listed (more than the usual five), before the errors of an earlier phase.
    const listed = lines.slice(start + 1, start + 8);
    expect(
      listed.every((line) => /^ {2}warning URGENT namespace-injection-labels: live \d$/.test(line)),
    ).toBe(true);
    expect(lines[start + 8]).toBe('  … and 6 more in the reports, which --output-dir DIR writes');
    const coloured = terminalSummary(report, [], { colour: true });
    expect(coloured).toContain('\x1b[1;31mURGENT\x1b[0m namespace-injection-labels');
  });
});
