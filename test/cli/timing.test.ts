/** MESHREADY_TIMING=1: a scan's phases on stderr once it is done (src/cli/timing.ts). */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { PhaseTimer } from '../../src/cli/timing.ts';
import { fakeIO } from '../config/fake-io.ts';
import { REPO_ROOT } from '../report/reports.ts';

const PHASES =
  /^timing: read the snapshot {3}\d+\.\d{3} s\ntiming: rules and commands {2}\d+\.\d{3} s\ntiming: write the files {5}\d+\.\d{3} s\ntiming: total {15}\d+\.\d{3} s\n$/;

async function scanWith(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const out = await mkdtemp(path.join(tmpdir(), 'meshready-timing-'));
  const io = { ...fakeIO(REPO_ROOT), env };
  const code = await runCli(
    ['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--output-dir', out, '--quiet', '--fail-on', 'never'],
    io,
  );
  return { code, stderr: io.err() };
}

describe('MESHREADY_TIMING', () => {
  it('prints each phase of a scan and the total, in seconds, on stderr', async () => {
    const { code, stderr } = await scanWith({ MESHREADY_TIMING: '1' });
    expect(code).toBe(0);
    expect(stderr).toMatch(PHASES);
    const seconds = [...stderr.matchAll(/(\d+\.\d{3}) s/g)].map((match) => Number(match[1]));
    // The total is at least the sum of the phases (rounded to the millisecond).
    expect(seconds[3]).toBeGreaterThanOrEqual(
      (seconds[0] ?? 0) + (seconds[1] ?? 0) + (seconds[2] ?? 0) - 0.003,
    );
  });

  it.each([[{}], [{ MESHREADY_TIMING: '' }], [{ MESHREADY_TIMING: '0' }]])(
    'prints nothing with %j',
    async (env) => {
      const { code, stderr } = await scanWith(env);
      expect(code).toBe(0);
      expect(stderr).toBe('');
    },
  );

  it('measures phases one after the other', () => {
    let text = '';
    const io = {
      ...fakeIO(REPO_ROOT),
      env: { MESHREADY_TIMING: 'yes' },
      stderr: { write: (t: string) => (text += t) },
    };
    const timer = PhaseTimer.from(io);
    expect(timer).toBeDefined();
    timer?.phase('one');
    timer?.phase('second phase');
    timer?.report();
    expect(text).toMatch(
      /^timing: one {11}\d+\.\d{3} s\ntiming: second phase {2}\d+\.\d{3} s\ntiming: total {9}\d+\.\d{3} s\n$/,
    );
  });
});
