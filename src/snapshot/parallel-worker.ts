/**
 * The worker side of parallel.ts: decodes, parses and strips a batch of kubectl List items, read
 * from the file's bytes in shared memory, and sends back only the stripped objects (or why an
 * item is skipped), in order. Nothing else leaves the worker.
 */
import { parentPort } from 'node:worker_threads';
import { listItemObject, stripRawKubeObject } from './builder.ts';
import { cutItemRun } from './json-lines.ts';
import type { KubeKind, KubeObject } from './model.ts';

export interface ItemBatch {
  readonly id: number;
  readonly file: string;
  /** The List's apiVersion and kind: typed lists (PodList) may omit the items' own. */
  readonly listApiVersion: unknown;
  readonly listKind: string;
  /**
   * A run of whole items, cut here (json-lines.ts `cutItemRun`), moved to the worker, not
   * copied: from the newline before an item's first line to just before the newline after the
   * last item's closing line.
   */
  readonly bytes: ArrayBuffer;
  /** The List's top-level key indent (kubectl: 4). */
  readonly keyIndent: number;
}

/** One item's outcome, in the order of the batch. */
export type ItemEntry =
  | { readonly kind: KubeKind; readonly object: KubeObject }
  | { readonly skip: string }
  /** Not a Kubernetes object of a kind meshready reads (counted as seen, then skipped). */
  | { readonly seen: true; readonly skip: string };

export type BatchResult =
  /**
   * The objects' lines count from the run's first newline (the caller adds the line it is on),
   * and `newlines` is how many the run holds.
   */
  | { readonly id: number; readonly entries: readonly ItemEntry[]; readonly newlines: number }
  /** An item did not parse on its own, or the run is not one: the caller falls back to the sequential loader. */
  | { readonly id: number; readonly failed: string };

/**
 * The same as load.ts's addListItem, without the builder. An item that is not an object, or not
 * valid, throws: the batch falls back to the sequential loader, which reports it at its line.
 */
export function stripListItem(
  listApiVersion: unknown,
  listKind: string,
  item: unknown,
  file: string,
  line: number,
): ItemEntry {
  const raw = listItemObject(listApiVersion, listKind, item, file, line);
  const outcome = stripRawKubeObject(raw, { file, line }, file);
  return 'skip' in outcome ? { seen: true, skip: outcome.skip } : outcome;
}

export function processBatch(batch: ItemBatch): BatchResult {
  const bytes = Buffer.from(batch.bytes);
  const run = cutItemRun(bytes, batch.keyIndent);
  if (!run) return { id: batch.id, failed: 'not a List the pretty cut reads' };
  const entries: ItemEntry[] = [];
  for (const { start, end, line } of run.items) {
    let item: unknown;
    try {
      // Items start and end at ASCII characters, so decoding each alone gives the same text
      // as decoding the file whole.
      item = JSON.parse(bytes.toString('utf8', start, end));
    } catch (error) {
      return { id: batch.id, failed: (error as Error).message };
    }
    try {
      entries.push(stripListItem(batch.listApiVersion, batch.listKind, item, batch.file, line));
    } catch (error) {
      return { id: batch.id, failed: (error as Error).message };
    }
  }
  return { id: batch.id, entries, newlines: run.newlines };
}

/**
 * Sent back as JSON text: JSON.parse on the main thread costs about two thirds of what
 * deserializing the structured clone of the same objects does (measured on the pods of size M).
 */
export type BatchMessage =
  | { readonly id: number; readonly json: string; readonly newlines: number }
  | { readonly id: number; readonly failed: string };

parentPort?.on('message', (batch: ItemBatch) => {
  const result = processBatch(batch);
  parentPort?.postMessage(
    'failed' in result
      ? result
      : ({
          id: result.id,
          json: JSON.stringify(result.entries),
          newlines: result.newlines,
        } satisfies BatchMessage),
  );
});
