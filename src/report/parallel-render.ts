/**
 * Renders some report formats (HTML and Markdown) in a worker thread while the main thread
 * writes the others (SARIF, JSON) and remediate.sh: at 150,000 pods each of those takes about
 * a second. The worker is given the report once: the JSON report's UTF-8 bytes, shared with it,
 * or node:v8's bytes when no JSON report is written. The worker can be started early
 * (`RenderWorker.start`, while the rules run), so loading the formatters costs no wall time.
 *
 * It is used for reports of 10,000 findings or more; MESHREADY_RENDER_WORKERS=0 renders
 * everything on the main thread, =always uses the worker whatever the report's size (tests). The
 * worker holds its own copy of the report and its HTML (about 240 MB at 150,000 pods), which is
 * why `meshready scan` frees the snapshot first (cli/scan.ts). A worker that cannot start or fails
 * leaves its formats to the main thread, so a report is never lost to a worker.
 */
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Report } from '../engine/report-model.ts';
import { type Format, type FormatContext, renderFormat, renderJson } from './formats.ts';
import type { RenderRequest, RenderResponse } from './render-worker.ts';

/**
 * The formats the worker renders: about half of the rendering at scale (at 150,000 pods, HTML and
 * Markdown take about 1.6 s there; SARIF, the JSON text, remediate.sh and the report's copy for
 * the worker about 2.5 s on the main thread; with SARIF in the worker too, the scan took 1 s more).
 */
const OFFLOADED: readonly Format[] = ['html', 'markdown'];
/**
 * Below this many findings every format renders on the main thread: the worker's start (loading
 * the formatters, about 0.4 s of CPU) and the report's copy cost more than they save.
 */
export const PARALLEL_MIN_FINDINGS = 10_000;

export interface RenderOptions {
  /** Whether to use the worker at all; default from MESHREADY_RENDER_WORKERS. */
  readonly workers?: boolean;
  /** The fewest findings for which the worker is used; default from MESHREADY_RENDER_WORKERS. */
  readonly minFindings?: number;
  /** A worker started early; closed here when it is not used. */
  readonly worker?: RenderWorker | undefined;
}

function fromEnvironment(env: NodeJS.ProcessEnv): { workers: boolean; minFindings: number } {
  const set = env.MESHREADY_RENDER_WORKERS;
  return {
    workers: set !== '0',
    minFindings: set === 'always' ? 0 : PARALLEL_MIN_FINDINGS,
  };
}

/** Whether MESHREADY_RENDER_WORKERS allows a render worker at all. */
export function renderWorkerAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return fromEnvironment(env).workers;
}

/** The render worker thread, started before the report is ready (it loads the formatters meanwhile). */
export class RenderWorker {
  private readonly worker: Worker | undefined;

  private constructor() {
    const self = import.meta.url;
    const url = new URL(`./render-worker${self.endsWith('.ts') ? '.ts' : '.js'}`, self);
    try {
      this.worker = new Worker(url);
      // Until it is given work, it must not keep the process alive.
      this.worker.unref();
    } catch {
      this.worker = undefined;
    }
  }

  static start(): RenderWorker {
    return new RenderWorker();
  }

  /**
   * Each format's text, or undefined for a format the worker could not render (it could not
   * start, it died, or the formatter threw: the main thread then renders it, and a formatter's
   * error is reported from there).
   */
  render(request: RenderRequest): Map<Format, Promise<Uint8Array | undefined>> {
    const settle = new Map<Format, (bytes: Uint8Array | undefined) => void>();
    const texts = new Map<Format, Promise<Uint8Array | undefined>>();
    for (const format of request.formats) {
      texts.set(format, new Promise((resolve) => settle.set(format, resolve)));
    }
    const giveUp = () => {
      for (const resolve of settle.values()) resolve(undefined);
    };
    const { worker } = this;
    if (!worker) {
      giveUp();
      return texts;
    }
    let left = request.formats.length;
    worker.ref();
    worker.on('message', (response: RenderResponse) => {
      settle.get(response.format)?.('bytes' in response ? response.bytes : undefined);
      if (--left === 0) this.close();
    });
    worker.once('error', giveUp);
    worker.once('exit', giveUp);
    worker.postMessage(request);
    return texts;
  }

  close(): void {
    void this.worker?.terminate();
  }
}

/** `text` in UTF-8, in a buffer that can be shared with a worker without copying. */
function sharedUtf8(text: string): Buffer {
  const bytes = Buffer.from(new SharedArrayBuffer(Buffer.byteLength(text)));
  bytes.write(text);
  return bytes;
}

/**
 * A format's text, rendered in the worker (as UTF-8 bytes) or (when it could not be) on this
 * thread (a string, or its pieces).
 */
export type Rendering = () => Promise<{
  readonly content: string | Iterable<string> | Uint8Array;
  readonly inWorker: boolean;
}>;

/**
 * Starts rendering `formats` of `report`: the ones worth it in the worker at once, the others on
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
    async () => ({ content: renderFormat(format, report, context), inWorker: false });
  const findings = report.results.reduce((sum, result) => sum + result.findings.length, 0);
  const defaults = fromEnvironment(process.env);
  const parallel =
    (options.workers ?? defaults.workers) && findings >= (options.minFindings ?? defaults.minFindings);
  const offloaded = parallel ? formats.filter((format) => OFFLOADED.includes(format)) : [];
  let texts: Map<Format, Promise<Uint8Array | undefined>> | undefined;
  let jsonBytes: Buffer | undefined;
  if (offloaded.length > 0) {
    const worker = options.worker ?? RenderWorker.start();
    // The JSON report, when it is written, is rendered first and whole (at 150,000 pods
    // JSON.stringify with an indent takes about half the time of the JSON report written in
    // pieces) and encoded once, into memory the worker shares: its bytes are the report's copy
    // for the worker (nothing is copied to send them, and parsing them costs the worker less than
    // node:v8's deserialize) and what the file is written from. The snapshot has been freed by
    // then: these 40 MB do not raise the scan's peak memory, which is reached while loading.
    if (formats.includes('json')) jsonBytes = sharedUtf8(renderJson(report));
    texts = worker.render({
      formats: offloaded,
      report: jsonBytes ? { json: jsonBytes } : { v8: serialize(report) },
      context,
    });
  } else options.worker?.close();
  const renderings = new Map<Format, Rendering>();
  for (const format of formats) {
    if (format === 'json' && jsonBytes !== undefined) {
      const content = jsonBytes;
      renderings.set(format, async () => ({ content, inWorker: false }));
      continue;
    }
    const text = texts?.get(format);
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
