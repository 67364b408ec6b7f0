/**
 * How long a report takes to open in headless Chromium: navigation start to the load event,
 * and to first contentful paint, with the same browser setup as the HTML report tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/helpers/chromium.ts';

export interface OpenTiming {
  readonly loadMs: number;
  readonly firstContentfulPaintMs: number;
}

/** The part of the page's Performance API used here (the project compiles without DOM types). */
interface PagePerformance {
  getEntriesByType(type: string): { loadEventEnd?: number }[];
  getEntriesByName(name: string): { startTime: number }[];
}

export async function htmlOpenTiming(file: string): Promise<OpenTiming> {
  const profile = await mkdtemp(path.join(tmpdir(), 'meshready-bench-chromium-'));
  const context = await launchChromium(profile);
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
    return await page.evaluate(() => {
      // Runs in the page; typed loosely because the project compiles without DOM types.
      const perf = (globalThis as unknown as { performance: PagePerformance }).performance;
      const navigation = perf.getEntriesByType('navigation')[0];
      return {
        loadMs: navigation?.loadEventEnd ?? Number.NaN,
        firstContentfulPaintMs: perf.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      };
    });
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
