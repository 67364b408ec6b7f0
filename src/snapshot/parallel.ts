/**
 * Loads big kubectl JSON Lists on every core: the List is cut at item boundaries (json-lines.ts),
 * and batches of items are parsed and stripped by worker threads and by the main thread at the
 * same time; workers send back only the stripped objects. Results are added to the snapshot in
 * file order, so the snapshot (and every finding) is the same as the single-threaded loader's.
 *
 * Any surprise (an item that does not parse on its own, an envelope that is not a List) returns
 * false having added nothing, and the sequential loader runs, which reports errors with their line.
 *
 * MESHREADY_LOAD_WORKERS sets the number of worker threads (0: single-threaded); the default is
 * one less than the available cores, at most 3.
 */
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { SnapshotBuilder } from './builder.ts';
import { kubectlJsonList } from './json-lines.ts';
import {
  type BatchMessage,
  type BatchResult,
  type ItemBatch,
  type ItemEntry,
  processBatch,
} from './parallel-worker.ts';

/** Files smaller than this are loaded on the main thread: a worker's start costs more. */
export const PARALLEL_MIN_CHARS = 4_000_000;
/** About this much item text per batch. */
const BATCH_CHARS = 1_000_000;
/** Batches queued per worker: enough to keep it busy while the main thread works on its own. */
const IN_FLIGHT = 2;

export function defaultWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const set = env.MESHREADY_LOAD_WORKERS;
  if (set !== undefined && set !== '' && /^\d+$/.test(set)) return Math.min(Number(set), 16);
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}

/** What went where, for tests and the bench. */
export interface ParallelStats {
  files: number;
  batchesInWorkers: number;
  batchesOnMain: number;
}

export interface ParallelOptions {
  readonly workers?: number;
  readonly minChars?: number;
  /** Counted into, when given. */
  readonly stats?: ParallelStats;
}

interface PooledWorker {
  readonly worker: Worker;
  inFlight: number;
}

export class ParallelListLoader {
  private readonly workerCount: number;
  private readonly minChars: number;
  private workers: PooledWorker[] | undefined;
  private readonly waiting = new Map<number, (result: BatchResult) => void>();
  private failure: Error | undefined;

  private readonly stats: ParallelStats;

  constructor(options: ParallelOptions = {}) {
    this.workerCount = options.workers ?? defaultWorkerCount();
    this.minChars = options.minChars ?? PARALLEL_MIN_CHARS;
    this.stats = options.stats ?? { files: 0, batchesInWorkers: 0, batchesOnMain: 0 };
  }

  /** Whether `loadJsonList` would try this text at all. */
  wants(text: string): boolean {
    return this.workerCount > 0 && text.length >= this.minChars && this.failure === undefined;
  }

  private start(): PooledWorker[] {
    if (this.workers) return this.workers;
    const self = import.meta.url;
    const url = new URL(`./parallel-worker${self.endsWith('.ts') ? '.ts' : '.js'}`, self);
    this.workers = Array.from({ length: this.workerCount }, () => {
      const pooled: PooledWorker = { worker: new Worker(url), inFlight: 0 };
      pooled.worker.on('message', (message: BatchMessage) => {
        pooled.inFlight--;
        const result: BatchResult =
          'json' in message ? { id: message.id, entries: JSON.parse(message.json) as ItemEntry[] } : message;
        this.waiting.get(result.id)?.(result);
        this.waiting.delete(result.id);
      });
      const fail = (error: Error) => {
        this.failure = error;
        for (const resolve of this.waiting.values()) resolve({ id: -1, failed: error.message });
        this.waiting.clear();
      };
      pooled.worker.on('error', fail);
      pooled.worker.on('exit', (code) => {
        if (this.waiting.size > 0) fail(new Error(`a loader worker exited with code ${code}`));
      });
      return pooled;
    });
    return this.workers;
  }

  /**
   * Loads `text` as a kubectl JSON List on all cores. False (nothing added) when it is not one
   * or an item does not parse alone: the caller then loads the file sequentially.
   */
  async loadJsonList(builder: SnapshotBuilder, file: string, text: string): Promise<boolean> {
    if (!this.wants(text)) return false;
    // Workers boot (about 50 ms) while this thread cuts the text. A worker that cannot start or
    // dies leaves this file, and the next ones, to the sequential loader.
    let workers: PooledWorker[];
    try {
      workers = this.start();
    } catch (error) {
      this.failure = error as Error;
      return false;
    }
    const list = kubectlJsonList(text);
    if (!list || list.spans.items.length === 0) return false;
    const { spans } = list;

    const batches: ItemBatch[] = [];
    for (let first = 0; first < spans.items.length; ) {
      const from = spans.items[first]?.start ?? 0;
      let last = first;
      while (last + 1 < spans.items.length && (spans.items[last]?.end ?? 0) - from < BATCH_CHARS) last++;
      const items = spans.items.slice(first, last + 1);
      batches.push({
        id: batches.length,
        file,
        listApiVersion: list.apiVersion,
        listKind: list.kind,
        text: text.slice(from, spans.items[last]?.end ?? from),
        starts: items.map((item) => item.start - from),
        ends: items.map((item) => item.end - from),
        lines: items.map((item) => item.line),
      });
      first = last + 1;
    }

    const results: (BatchResult | undefined)[] = new Array(batches.length);
    const pending: Promise<void>[] = [];
    let next = 0;
    const send = (pooled: PooledWorker, batch: ItemBatch) => {
      pooled.inFlight++;
      pending.push(
        new Promise<void>((resolve) => {
          this.waiting.set(batch.id, (result) => {
            results[batch.id] = result;
            resolve();
          });
        }),
      );
      pooled.worker.postMessage(batch);
    };
    // Workers take batches from the front, the main thread from the back, until they meet.
    let back = batches.length - 1;
    while (next <= back) {
      if (this.failure) break;
      for (const pooled of workers) {
        while (pooled.inFlight < IN_FLIGHT && next <= back) send(pooled, batches[next++] as ItemBatch);
      }
      if (next <= back) {
        const batch = batches[back--] as ItemBatch;
        results[batch.id] = processBatch(batch);
        if ('failed' in (results[batch.id] as BatchResult)) break;
      }
      await yieldToEvents();
    }
    await Promise.all(pending);
    if (this.failure) return false;
    if (results.some((result) => result === undefined || 'failed' in result)) return false;
    this.stats.files++;
    this.stats.batchesInWorkers += next;
    this.stats.batchesOnMain += batches.length - next;

    for (const result of results as BatchResult[]) {
      if (!('entries' in result)) continue;
      for (const entry of result.entries) {
        if ('object' in entry) {
          builder.kubeObjectsSeen = true;
          builder.addKubeObject(entry.kind, entry.object);
        } else {
          if ('seen' in entry) builder.kubeObjectsSeen = true;
          builder.skip(file, entry.skip);
        }
      }
    }
    return true;
  }

  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }
}
