import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report-model.ts';
import { jsonChunks, renderJson } from '../../src/report/formats.ts';
import { demoReport } from './reports.ts';

describe('JSON report', () => {
  it('streams exactly the text JSON.stringify gives', async () => {
    const report = await demoReport();
    expect([...jsonChunks(report)].join('')).toBe(renderJson(report));
    expect(renderJson(report)).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });

  it('streams any JSON value the same way, empty arrays and objects and undefined members included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.constant(undefined)), (value, missing) => {
        const report = { a: value, b: [value, { c: missing, d: [] }], e: {} } as unknown as Report;
        expect([...jsonChunks(report)].join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
      }),
    );
  });
});
