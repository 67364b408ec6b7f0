/**
 * The worker side of parallel-render.ts: renders report formats from the report it is sent (as
 * v8-serialized bytes), one after the other, and sends each text back as soon as it is done. A
 * formatter is a pure function of the report and its context, so the text is the same as the
 * main thread's.
 */
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { Report } from '../engine/report-model.ts';
import { FORMATTERS, type Format, type FormatContext } from './formats.ts';

export interface RenderRequest {
  readonly formats: readonly Format[];
  /** The report, serialized (node:v8 serialize). */
  readonly report: Uint8Array;
  readonly context: FormatContext;
}

export type RenderResponse =
  | { readonly format: Format; readonly text: string }
  | { readonly format: Format; readonly error: string };

parentPort?.once('message', (request: RenderRequest) => {
  let report: Report | undefined;
  for (const format of request.formats) {
    let response: RenderResponse;
    try {
      report ??= deserialize(request.report) as Report;
      const formatter = FORMATTERS[format];
      const text = formatter.chunks
        ? [...formatter.chunks(report, request.context)].join('')
        : formatter.render(report, request.context);
      response = { format, text };
    } catch (error) {
      response = { format, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    parentPort?.postMessage(response);
  }
});
