/**
 * Renders the big report formats (HTML, SARIF) in worker threads while the main thread writes
 * the others and remediate.sh: at 150,000 pods each takes about a second. The report is
 * serialized once (node:v8) and each worker renders one format from it.
 *
 * MESHREADY_RENDER_WORKERS=0 renders everything on the main thread, =1 uses workers whatever the
 * report's size; unset, a report too small for a worker's start to pay renders on the main
 * thread. A worker that cannot start or fails leaves its format to the main
 * thread, so a report is never lost to a worker.
 */
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Report } from '../engine/report-model.ts';
import { FORMATTERS, type Format, type FormatContext } from './formats.ts';
import type { RenderRequest, RenderResponse } from './render-worker.ts';

/** The formats worth a worker: the slowest to render at scale. */
const OFFLOADED: readonly Format[] = ['html', 'sarif'];
/**
 * Below this many findings every format renders on the main thread: a worker's start (loading
 * the formatters, about 0.4 s of CPU) and the report's copy cost more than they save.
 */
export const PARALLEL_MIN_FINDINGS = 10_000;

export interface RenderOptions {
  /** False renders everything on the main thread; default from MESHREADY_RENDER_WORKERS. */
  readonly workers?: boolean;
  /** The fewest findings for which a worker is used; default from MESHREADY_RENDER_WORKERS. */
  readonly minFindings?: number;
}

function fromEnvironment(env: NodeJS.ProcessEnv): Required<RenderOptions> {
  const set = env.MESHREADY_RENDER_WORKERS;
  return { workers: set !== '0', minFindings: set === '1' ? 0 : PARALLEL_MIN_FINDINGS };
}

/** A format's text, rendered in the worker or (when it could not be) on this thread. */
export type Rendering = () => Promise<{
  readonly content: string | Iterable<string>;
  readonly inWorker: boolean;
}>;

/**
 * Starts rendering `formats` of `report`: the ones worth it in one worker at once, the others on
 * this thread when asked. Each rendering is asked for once, in any order.
 */
export function startRendering(
  report: Report,
  formats: readonly Format[],
  context: FormatContext,
  options: RenderOptions = {},
): Map<Format, Rendering> {
  const onThisThread =
    (format: Format): Rendering =>
    async () => {
      const formatter = FORMATTERS[format];
      const content = formatter.chunks
        ? formatter.chunks(report, context)
        : formatter.render(report, context);
      return { content, inWorker: false };
    };
  const findings = report.results.reduce((sum, result) => sum + result.findings.length, 0);
  const defaults = fromEnvironment(process.env);
  const parallel =
    (options.workers ?? defaults.workers) && findings >= (options.minFindings ?? defaults.minFindings);
  const offloaded = parallel ? formats.filter((format) => OFFLOADED.includes(format)) : [];
  const inWorker =
    offloaded.length > 0
      ? renderInWorker({ formats: offloaded, report: serialize(report), context })
      : undefined;
  const renderings = new Map<Format, Rendering>();
  for (const format of formats) {
    const text = inWorker?.get(format);
    if (!text) {
      renderings.set(format, onThisThread(format));
      continue;
    }
    renderings.set(format, async () => {
      const rendered = await text;
      return rendered === undefined ? onThisThread(format)() : { content: rendered, inWorker: true };
    });
  }
  return renderings;
}

/**
 * Each format's text from one worker, or undefined for a format the worker could not render
 * (it could not start, it died, or the formatter threw: the main thread then renders it, and a
 * formatter's error is reported from there).
 */
function renderInWorker(request: RenderRequest): Map<Format, Promise<string | undefined>> {
  const settle = new Map<Format, (text: string | undefined) => void>();
  const texts = new Map<Format, Promise<string | undefined>>();
  for (const format of request.formats) {
    texts.set(format, new Promise((resolve) => settle.set(format, resolve)));
  }
  const giveUp = () => {
    for (const resolve of settle.values()) resolve(undefined);
  };
  const self = import.meta.url;
  const url = new URL(`./render-worker${self.endsWith('.ts') ? '.ts' : '.js'}`, self);
  let worker: Worker;
  try {
    worker = new Worker(url);
  } catch {
    giveUp();
    return texts;
  }
  let left = request.formats.length;
  worker.on('message', (response: RenderResponse) => {
    settle.get(response.format)?.('text' in response ? response.text : undefined);
    if (--left === 0) void worker.terminate();
  });
  worker.once('error', giveUp);
  worker.once('exit', giveUp);
  worker.postMessage(request);
  return texts;
}
