/**
 * The worker side of parallel-render.ts: renders report formats from the report it is sent (as
 * JSON or v8-serialized bytes), one after the other, and sends each text back as soon as it is done, as
 * UTF-8 bytes whose buffer is transferred: a string of tens of megabytes would be copied by the
 * message, and encoded again on the main thread to be written. A formatter is a pure function of
 * the report and its context, so the text is the same as the main thread's.
 */
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { Report } from '../engine/report-model.ts';
import { type Format, type FormatContext, renderFormat } from './formats.ts';
import { compileHtmlTemplate } from './html.ts';

export interface RenderRequest {
  readonly formats: readonly Format[];
  /**
   * The report: the JSON report's UTF-8 bytes, in memory shared with the main thread, when that
   * report is written anyway (the main thread writes the file from the same bytes: nothing is
   * copied, and JSON.parse costs less than node:v8's deserialize); else node:v8 serialize's bytes.
   */
  readonly report: { readonly json: Uint8Array } | { readonly v8: Uint8Array };
  readonly context: FormatContext;
}

export type RenderResponse =
  | { readonly format: Format; readonly bytes: Uint8Array }
  | { readonly format: Format; readonly error: string };

// Started before the report is ready (while the rules run): the template is compiled meanwhile.
// Only in a worker thread, not when a test imports this module.
if (parentPort) {
  try {
    compileHtmlTemplate();
  } catch {
    // Rendering the HTML reports the same error, from the main thread.
  }
}

/** UTF-8 bytes as text, read where they are (Buffer.from of a typed array would copy them first). */
function bytesAsText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

parentPort?.once('message', (request: RenderRequest) => {
  let report: Report | undefined;
  for (const format of request.formats) {
    let response: RenderResponse;
    try {
      report ??= (
        'json' in request.report
          ? JSON.parse(bytesAsText(request.report.json))
          : deserialize(request.report.v8)
      ) as Report;
      const content = renderFormat(format, report, request.context);
      const bytes = Buffer.from(typeof content === 'string' ? content : [...content].join(''));
      response = { format, bytes };
      // A Buffer may be a view of a pool shared with others: transfer only one of its own.
      if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
        parentPort?.postMessage(response, [bytes.buffer as ArrayBuffer]);
        continue;
      }
    } catch (error) {
      response = { format, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    parentPort?.postMessage(response);
  }
});
