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
/** Below this many findings every format renders on the main thread. */
export const PARALLEL_MIN_FINDINGS = 2_000;

export interface RenderOptions {
  /** False renders everything on the main thread; default from MESHREADY_RENDER_WORKERS. */
  readonly workers?: boolean;
  /** The fewest findings for which workers are used; default from MESHREADY_RENDER_WORKERS. */
  readonly minFindings?: number;
}

function fromEnvironment(env: NodeJS.ProcessEnv): Required<RenderOptions> {
  const set = env.MESHREADY_RENDER_WORKERS;
  return { workers: set !== '0', minFindings: set === '1' ? 0 : PARALLEL_MIN_FINDINGS };
}

/** A format's text, rendered in a worker or (when it could not be) on this thread. */
export type Rendering = () => Promise<{
  readonly content: string | Iterable<string>;
  readonly inWorker: boolean;
}>;

/**
 * Starts rendering `formats` of `report`: the ones worth it in workers at once, the others on
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
  const renderings = new Map<Format, Rendering>();
  const bytes = offloaded.length > 0 ? serialize(report) : undefined;
  for (const format of formats) {
    if (!bytes || !offloaded.includes(format)) {
      renderings.set(format, onThisThread(format));
      continue;
    }
    const inWorker = renderInWorker({ format, report: bytes, context });
    renderings.set(format, async () => {
      const text = await inWorker;
      return text === undefined ? onThisThread(format)() : { content: text, inWorker: true };
    });
  }
  return renderings;
}

/** The text from a worker, or undefined when the worker could not do it. */
async function renderInWorker(request: RenderRequest): Promise<string | undefined> {
  const self = import.meta.url;
  const url = new URL(`./render-worker${self.endsWith('.ts') ? '.ts' : '.js'}`, self);
  let worker: Worker;
  try {
    worker = new Worker(url);
  } catch {
    return undefined;
  }
  try {
    const response = await new Promise<RenderResponse | undefined>((resolve) => {
      worker.once('message', resolve);
      worker.once('error', () => resolve(undefined));
      worker.once('exit', () => resolve(undefined));
      worker.postMessage(request);
    });
    return response && 'text' in response ? response.text : undefined;
  } finally {
    await worker.terminate();
  }
}
