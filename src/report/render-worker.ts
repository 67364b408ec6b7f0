/**
 * The worker side of parallel-render.ts: renders report formats from the report it is sent (as
 * v8-serialized bytes), one after the other, and sends each text back as soon as it is done. A
 * formatter is a pure function of the report and its context, so the text is the same as the
 * main thread's.
 */
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { Report } from '../engine/report-model.ts';
import { type Format, type FormatContext, renderFormat } from './formats.ts';

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
      const content = renderFormat(format, report, request.context);
      response = { format, text: typeof content === 'string' ? content : [...content].join('') };
    } catch (error) {
      response = { format, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    parentPort?.postMessage(response);
  }
});
