/**
 * The benchmark at size S, as a smoke test: every measured task runs and exits as expected and
 * the table comes out. No timing is asserted (speed is measured by `npm run bench`, not tests).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTable, phasesOf, runBench } from '../bench/run.ts';

describe('benchmark smoke test (size S)', () => {
  it("reads a scan's phases from MESHREADY_TIMING's lines", () => {
    const stderr =
      'timing: read the snapshot   5.412 s\ntiming: rules and commands  1.318 s\ntiming: write the files     2.950 s\ntiming: total               9.680 s\n';
    expect(phasesOf(stderr)).toBe('read 5.41 s, rules 1.32 s, write 2.95 s');
    expect(phasesOf('MESHREADY_BENCH 1.00 1000\n')).toBeUndefined();
  });

  it('runs every task and prints the table', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'meshready-bench-'));
    const results = await runBench(['S'], out, 1);
    expect(results.map((r) => r.task)).toEqual([
      'scan json',
      'html open (chromium)',
      'scan yaml',
      'scan bundle',
      'bare JSON.parse',
      'bare yaml parse',
      'live collect',
      'kubectl get pods',
    ]);
    for (const r of results) {
      // Scans exit 1: the generated cluster has findings at error level, as big clusters do.
      expect([0, 1], `${r.task} exit code`).toContain(r.exitCode);
      expect(r.seconds).toBeGreaterThan(0);
    }
    // Each scan's phases, from MESHREADY_TIMING, are in the scan json row's note.
    const scan = results.find((r) => r.task === 'scan json');
    expect(scan?.phases).toMatch(/^read \d+\.\d\d s, rules \d+\.\d\d s, write \d+\.\d\d s$/);
    expect(scan?.note).toContain(`; ${scan?.phases}`);
    const live = results.find((r) => r.task === 'live collect');
    const kubectl = results.find((r) => r.task === 'kubectl get pods');
    // 1,000 pods in pages of 500: kubectl needs at least two list requests.
    expect(kubectl?.requests).toBeGreaterThanOrEqual(2);
    expect(live?.requests).toBeGreaterThan(kubectl?.requests ?? 0);
    const table = formatTable(results);
    expect(table).toContain('json scan/JSON.parse time');
    expect(table.split('\n').filter((l) => l.startsWith('S '))).toHaveLength(8);
  }, 300_000);
});
