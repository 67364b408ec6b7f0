/**
 * The worker side of parallel.ts: cuts a run of kubectl List items (json-lines.ts
 * `cutPrettyItems`), parses, checks and strips each, and sends back only the stripped objects (or
 * why an item is skipped), in order. Nothing else leaves the worker. The sequential loader makes
 * its entries with the same `listItemEntries`, so both paths see the same objects.
 */
import { parentPort } from 'node:worker_threads';
import { InputError } from '../errors.ts';
import { listItemObject, stripRawKubeObject } from './builder.ts';
import { cutPrettyItems, type ItemSpan } from './json-lines.ts';
import type { KubeKind, KubeObject } from './model.ts';

export interface ItemBatch {
  readonly id: number;
  readonly file: string;
  /** The List's apiVersion and kind: typed lists (PodList) may omit the items' own. */
  readonly listApiVersion: unknown;
  readonly listKind: string;
  /**
   * A run of whole items, cut here, moved to the worker, not copied: from the newline before an
   * item's first line to just before the newline after the last item's closing line (after its
   * comma, when one follows).
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
   * `newlines` is how many the run holds, and `comma` whether its last item is followed by a
   * comma (every run's but the last List item's must be; the caller checks).
   */
  | {
      readonly id: number;
      readonly entries: readonly ItemEntry[];
      readonly newlines: number;
      readonly comma: boolean;
    }
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
  originFile = file,
): ItemEntry {
  const raw = listItemObject(listApiVersion, listKind, item, file, line);
  const outcome = stripRawKubeObject(raw, { file: originFile, line }, file);
  return 'skip' in outcome ? { seen: true, skip: outcome.skip } : outcome;
}

/**
 * Parses and strips the items of a cut List, in order: the entries; or, when an item does not
 * parse alone (the cut or the file is wrong), why the file must be parsed whole; or, when every
 * item parses but one is not an object or not valid, that item's InputError: with the skeleton
 * verified (json-lines.ts) the items are exactly JSON.parse's, so the error is the one a
 * whole-file parse would give, without holding a tree of the whole file to find it again.
 */
export function listItemEntries(
  text: string,
  items: readonly ItemSpan[],
  listApiVersion: unknown,
  listKind: string,
  file: string,
  originFile = file,
): { readonly entries: ItemEntry[] } | { readonly failed: string } | { readonly invalid: InputError } {
  const entries: ItemEntry[] = [];
  let invalid: InputError | undefined;
  for (const { start, end, line } of items) {
    let item: unknown;
    try {
      item = JSON.parse(text.slice(start, end));
    } catch (error) {
      return { failed: (error as Error).message };
    }
    // After an invalid item, the rest are only parsed: a syntax error after it still comes first.
    if (invalid) continue;
    try {
      entries.push(stripListItem(listApiVersion, listKind, item, file, line, originFile));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      invalid = error;
    }
  }
  return invalid ? { invalid } : { entries };
}

export function processBatch(batch: ItemBatch): BatchResult {
  // Runs start and end at ASCII characters, so decoding each alone gives the same text as
  // decoding the file whole.
  const text = Buffer.from(batch.bytes).toString('utf8');
  const run = cutPrettyItems(text, 0, text.length, 2 * batch.keyIndent);
  if (!run || run.end !== text.length)
    return { id: batch.id, failed: 'not a run of pretty-printed List items' };
  // Each object's origin names no file yet: the caller puts in the one file name string (not
  // one copy per object sent back and parsed), with the line in the file.
  const outcome = listItemEntries(text, run.items, batch.listApiVersion, batch.listKind, batch.file, '');
  // An invalid item too: the sequential loader reports it with its line in the file.
  if ('failed' in outcome) return { id: batch.id, failed: outcome.failed };
  if ('invalid' in outcome) return { id: batch.id, failed: outcome.invalid.message };
  return { id: batch.id, entries: outcome.entries, newlines: run.newlines, comma: run.comma };
}

/**
 * Sent back as JSON text: JSON.parse on the main thread costs about two thirds of what
 * deserializing the structured clone of the same objects does (measured on the pods of size M).
 */
export type BatchMessage =
  | { readonly id: number; readonly json: string; readonly newlines: number; readonly comma: boolean }
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
          comma: result.comma,
        } satisfies BatchMessage),
  );
});
