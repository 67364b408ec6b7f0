/**
 * The benchmark at size S, as a smoke test: every measured task runs and exits as expected and
 * the table comes out. No timing is asserted (speed is measured by `npm run bench`, not tests).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTable, runBench } from '../bench/run.ts';

describe('benchmark smoke test (size S)', () => {
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
