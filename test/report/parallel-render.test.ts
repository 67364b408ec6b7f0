/**
 * Rendering in worker threads (src/report/parallel-render.ts) must not change a report: every
 * format's text is the same, byte for byte, as the main thread's, for the demo, a hostile report
 * and a 10,000-finding one; and `meshready scan` writes the same files either way.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOGUE } from '../../src/cli/rule-catalogue.ts';
import type { Report } from '../../src/engine/report-model.ts';
import { FORMATS, type Format, type FormatContext } from '../../src/report/formats.ts';
import { startRendering } from '../../src/report/parallel-render.ts';
import { runInProcess } from '../config/fake-io.ts';
import { demoReport, hostileReport, largeReport, REPO_ROOT } from './reports.ts';

const context: FormatContext = {
  rules: RULE_CATALOGUE,
  sarifRoot: REPO_ROOT,
  workingDirectory: REPO_ROOT,
  htmlReport: true,
};

async function texts(
  report: Report,
  workers: boolean,
  formats: readonly Format[] = FORMATS,
): Promise<Record<string, string>> {
  const renderings = startRendering(report, formats, context, { workers, minFindings: 0 });
  const out: Record<string, string> = {};
  for (const [format, rendering] of renderings) {
    const { content, inWorker } = await rendering();
    // HTML and Markdown go to the worker when asked to; the others never do.
    expect(inWorker, format).toBe(workers && (format === 'html' || format === 'markdown'));
    // The worker sends UTF-8 bytes (its buffer transferred), never a string to copy; and when it
    // is used, the JSON report is encoded once, in memory shared with it (its copy of the report).
    const shared = workers && format === 'json' && formats.some((f) => f === 'html' || f === 'markdown');
    expect(content instanceof Uint8Array, format).toBe(inWorker || shared);
    if (shared) expect((content as Uint8Array).buffer).toBeInstanceOf(SharedArrayBuffer);
    out[format] =
      typeof content === 'string'
        ? content
        : content instanceof Uint8Array
          ? new TextDecoder('utf-8', { fatal: true }).decode(content)
          : [...content].join('');
  }
  return out;
}

describe('rendering in workers', () => {
  it.each([
    ['the demo', demoReport],
    ['a hostile report', async () => hostileReport()],
    ['10,000 findings', async () => largeReport(10_000)],
  ])(
    'gives every format the same text as the main thread: %s',
    async (_, make) => {
      const report = await make();
      const [inWorkers, onMain] = await Promise.all([texts(report, true), texts(report, false)]);
      expect(Object.keys(inWorkers).sort()).toEqual([...FORMATS].sort());
      for (const format of FORMATS) {
        expect(inWorkers[format]?.length, format).toBeGreaterThan(100);
        expect(inWorkers[format] === onMain[format], format).toBe(true);
      }
      // Without the JSON report, the worker is sent node:v8's bytes instead of its text.
      const withoutJson = await texts(report, true, ['html', 'markdown', 'sarif']);
      for (const format of ['html', 'markdown', 'sarif'] as const) {
        expect(withoutJson[format] === onMain[format], format).toBe(true);
      }
    },
    60_000,
  );

  it('meshready scan writes the same files with render workers (forced for a small report) and without', async () => {
    const dirs: string[] = [];
    for (const workers of ['0', 'always']) {
      const dir = await mkdtemp(path.join(tmpdir(), `meshready-render-${workers}-`));
      dirs.push(dir);
      process.env.MESHREADY_RENDER_WORKERS = workers;
      try {
        const formats = ['--format', 'html,json,sarif,markdown'];
        const args = [
          'scan',
          '--snapshot',
          'fixtures/demo/addon-1.4',
          ...formats,
          '--output-dir',
          dir,
          '--quiet',
        ];
        const result = await runInProcess(args, REPO_ROOT);
        expect(result.code, result.stderr).toBe(1);
      } finally {
        delete process.env.MESHREADY_RENDER_WORKERS;
      }
    }
    const [a, b] = dirs as [string, string];
    const names = (await readdir(a)).sort();
    expect(names).toEqual((await readdir(b)).sort());
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      expect(await readFile(path.join(b, name), 'utf8'), name).toBe(
        await readFile(path.join(a, name), 'utf8'),
      );
    }
  }, 60_000);
});
