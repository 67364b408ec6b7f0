/**
 * The worker side of parallel-render.ts: renders one report format from the report it is sent
 * (as v8-serialized bytes) and sends the text back. A formatter is a pure function of the report
 * and its context, so the text is the same as the main thread's.
 */
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { Report } from '../engine/report-model.ts';
import { FORMATTERS, type Format, type FormatContext } from './formats.ts';

export interface RenderRequest {
  readonly format: Format;
  /** The report, serialized once for every worker (node:v8 serialize). */
  readonly report: Uint8Array;
  readonly context: FormatContext;
}

export type RenderResponse = { readonly text: string } | { readonly error: string };

parentPort?.once('message', (request: RenderRequest) => {
  let response: RenderResponse;
  try {
    const report = deserialize(request.report) as Report;
    const formatter = FORMATTERS[request.format];
    response = {
      text: formatter.chunks
        ? [...formatter.chunks(report, request.context)].join('')
        : formatter.render(report, request.context),
    };
  } catch (error) {
    response = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort?.postMessage(response);
});
