/**
 * collectGarbage (src/cli/memory.ts) must really collect: a big scan relies on it to free the
 * snapshot before the reports are written, and a silent no-op would only show as a higher peak.
 */
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/cli/memory.ts';

describe('collectGarbage', () => {
  it('frees what nothing references any more', () => {
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    let garbage: { index: number; text: string }[] | undefined = Array.from(
      { length: 400_000 },
      (_, index) => ({
        index,
        text: `object ${index}`,
      }),
    );
    const held = process.memoryUsage().heapUsed;
    expect(held - before).toBeGreaterThan(20 * 1024 * 1024);
    expect(garbage.length).toBe(400_000);
    garbage = undefined;
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    expect(held - after).toBeGreaterThan(20 * 1024 * 1024);
  });
});
