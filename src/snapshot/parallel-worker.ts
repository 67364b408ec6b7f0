/**
 * The worker side of parallel.ts: decodes, parses and strips a batch of kubectl List items, read
 * from the file's bytes in shared memory, and sends back only the stripped objects (or why an
 * item is skipped), in order. Nothing else leaves the worker.
 */
import { parentPort } from 'node:worker_threads';
import { listItemObject, stripRawKubeObject } from './builder.ts';
import type { KubeKind, KubeObject } from './model.ts';

export interface ItemBatch {
  readonly id: number;
  readonly file: string;
  /** The List's apiVersion and kind: typed lists (PodList) may omit the items' own. */
  readonly listApiVersion: unknown;
  readonly listKind: string;
  /** The items' bytes (moved to the worker, not copied); each item's span in them, and its line in the file. */
  readonly bytes: ArrayBuffer;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly lines: readonly number[];
}

/** One item's outcome, in the order of the batch. */
export type ItemEntry =
  | { readonly kind: KubeKind; readonly object: KubeObject }
  | { readonly skip: string }
  /** Not a Kubernetes object of a kind meshready reads (counted as seen, then skipped). */
  | { readonly seen: true; readonly skip: string };

export type BatchResult =
  | { readonly id: number; readonly entries: readonly ItemEntry[] }
  /** An item did not parse on its own: the caller falls back to the sequential loader. */
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
  const entries: ItemEntry[] = [];
  const bytes = Buffer.from(batch.bytes);
  for (let i = 0; i < batch.ends.length; i++) {
    let item: unknown;
    try {
      // Items start and end at ASCII characters, so decoding each alone gives the same text
      // as decoding the file whole.
      item = JSON.parse(bytes.toString('utf8', batch.starts[i], batch.ends[i]));
    } catch (error) {
      return { id: batch.id, failed: (error as Error).message };
    }
    try {
      entries.push(
        stripListItem(batch.listApiVersion, batch.listKind, item, batch.file, batch.lines[i] ?? 1),
      );
    } catch (error) {
      return { id: batch.id, failed: (error as Error).message };
    }
  }
  return { id: batch.id, entries };
}

/**
 * Sent back as JSON text: JSON.parse on the main thread costs about two thirds of what
 * deserializing the structured clone of the same objects does (measured on the pods of size M).
 */
export type BatchMessage =
  | { readonly id: number; readonly json: string }
  | { readonly id: number; readonly failed: string };

parentPort?.on('message', (batch: ItemBatch) => {
  const result = processBatch(batch);
  parentPort?.postMessage(
    'failed' in result
      ? result
      : ({ id: result.id, json: JSON.stringify(result.entries) } satisfies BatchMessage),
  );
});
