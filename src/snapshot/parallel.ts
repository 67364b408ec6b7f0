/**
 * Loads big kubectl JSON Lists on every core. The main thread reads a pretty-printed List's bytes
 * a window at a time and hands out runs of whole items (about 1 MB each, cut where an item's
 * first line starts); a worker decodes its run, cuts it into items (json-lines.ts
 * `cutPrettyItems`), counts its lines, parses, checks and strips each item, and sends back only
 * the stripped objects. What the runs do not hold, the List's envelope, is checked here
 * (`listEnvelope`), and so are the commas that join the runs: the file is used only when it is
 * valid JSON whose `items` are exactly the items parsed (json-lines.ts says why that suffices).
 * The main thread takes runs too, from the other end of the queue. No file is held whole, and
 * reading the next file overlaps the workers' parsing of this one. Results are added in file
 * order, so the snapshot (and every finding, with its line) is the same as the single-threaded
 * loader's.
 *
 * Any surprise (a List that is not pretty-printed, a run that is not one, an item that does not
 * parse on its own or is invalid) adds nothing and says why; the sequential loader then reads the
 * file again, and reports errors with their line.
 *
 * MESHREADY_LOAD_WORKERS sets the number of worker threads (0: single-threaded); the default is
 * one less than the available cores, at most 3: the main thread loads batches too.
 */
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { type CutSource, listEnvelope, type PrettyListHead, prettyListHead } from './json-lines.ts';
import {
  type BatchMessage,
  type BatchResult,
  type ItemBatch,
  type ItemEntry,
  processBatch,
} from './parallel-worker.ts';

/**
 * Snapshots with less JSON than this are loaded on the main thread: a worker's start (about
 * 0.15 s of CPU to load the modules) and sending the stripped objects back (about 40% of what
 * parsing them costs) cost more than they save (measured: the 58 MB of size M load no faster
 * with a worker on two cores).
 */
export const PARALLEL_MIN_TOTAL_BYTES = 64 * 1024 * 1024;
/** In a snapshot loaded in parallel, files smaller than this are still loaded on the main thread. */
export const PARALLEL_MIN_BYTES = 4_000_000;
/** About this many bytes of items per batch. */
const BATCH_BYTES = 1_000_000;
/** Bytes read at a time: the workers start on a file long before it is all read. */
const READ_CHUNK = 8 * 1024 * 1024;
/** The envelope after the items (`kind`, `metadata`) is looked for in this much of the file's end. */
const TAIL_BYTES = 64 * 1024;
/**
 * The share of the runs the main thread loads while it reads (beyond it, it waits for a worker's
 * answer), so that it finishes with the workers. Per MB of pods (docs/performance.md): a run costs
 * the main thread about 4.5 ms to load itself and 1.35 ms to take from a worker, and a worker 5 ms
 * (it also sends the objects back). With `w` workers, all finish together when the main thread's
 * share k satisfies k·4.5 + (1−k)·1.35 = (1−k)·5/w; a tenth less leaves it time to read and to
 * add the objects. One worker: 0.40 (it loaded about half the runs before); two: 0.18; three: 0.06.
 */
export function mainShareWhileReading(workers: number): number {
  const own = 4.5;
  const take = 1.35;
  const worker = 5 / Math.max(1, workers);
  return Math.max(0, (0.9 * (worker - take)) / (own - take + worker));
}
/** Batches queued per worker: enough to keep it busy while the main thread reads. */
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
  readonly minBytes?: number;
  readonly minTotalBytes?: number;
  /** The bytes read at a time (tests make it small, so windows slide and grow). */
  readonly windowBytes?: number;
  /** About this many bytes of items per batch (tests make it small). */
  readonly batchBytes?: number;
  /** Counted into, when given. */
  readonly stats?: ParallelStats;
}

/** A file's bytes, read in pieces. */
export interface ByteFile {
  readonly size: number;
  /** Reads up to `length` bytes of the file at `position` into `into` at `offset`; returns how many. */
  read(into: Uint8Array, offset: number, length: number, position: number): Promise<number>;
}

/** Bytes already in memory (a test) as a ByteFile. */
export function bytesFile(bytes: Uint8Array): ByteFile {
  return {
    size: bytes.byteLength,
    read: async (into, offset, length, position) => {
      const end = Math.min(bytes.byteLength, position + length);
      into.set(bytes.subarray(position, end), offset);
      return Math.max(0, end - position);
    },
  };
}

/** The items of a List, batch by batch in file order; or why the sequential loader must read the file. */
export type ListOutcome =
  | { readonly batches: readonly (readonly ItemEntry[])[] }
  | { readonly fallback: string };

interface PooledWorker {
  readonly worker: Worker;
  inFlight: number;
}

/** A batch waiting for a worker, and what to do with its result. */
interface Job {
  readonly batch: ItemBatch;
  readonly settle: (result: BatchResult) => void;
}

export class ParallelListLoader {
  private readonly workerCount: number;
  private readonly minBytes: number;
  private readonly minTotalBytes: number;
  private readonly windowBytes: number;
  private readonly batchBytes: number;
  private workers: PooledWorker[] | undefined;
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, Job>();
  private nextId = 0;
  private failure: Error | undefined;
  /** Runs loaded on this thread, and handed to workers. */
  private runsOnMain = 0;
  private runsInWorkers = 0;
  /** Called when a worker answers (or fails). */
  private readonly waiting: (() => void)[] = [];
  private readonly stats: ParallelStats;

  constructor(options: ParallelOptions = {}) {
    this.workerCount = options.workers ?? defaultWorkerCount();
    this.minBytes = options.minBytes ?? PARALLEL_MIN_BYTES;
    this.minTotalBytes = options.minTotalBytes ?? options.minBytes ?? PARALLEL_MIN_TOTAL_BYTES;
    this.windowBytes = options.windowBytes ?? READ_CHUNK;
    this.batchBytes = options.batchBytes ?? BATCH_BYTES;
    this.stats = options.stats ?? { files: 0, batchesInWorkers: 0, batchesOnMain: 0 };
  }

  /** Whether `begin` should load a file of `size` bytes, of a snapshot with `totalBytes` of JSON, in the workers. */
  wants(size: number, totalBytes: number): boolean {
    return (
      this.workerCount > 0 &&
      size >= this.minBytes &&
      totalBytes >= this.minTotalBytes &&
      this.failure === undefined
    );
  }

  private start(): PooledWorker[] {
    if (this.workers) return this.workers;
    const self = import.meta.url;
    const url = new URL(`./parallel-worker${self.endsWith('.ts') ? '.ts' : '.js'}`, self);
    this.workers = Array.from({ length: this.workerCount }, () => {
      const pooled: PooledWorker = { worker: new Worker(url), inFlight: 0 };
      pooled.worker.on('message', (message: BatchMessage) => {
        pooled.inFlight--;
        const job = this.running.get(message.id);
        this.running.delete(message.id);
        this.stats.batchesInWorkers++;
        job?.settle(
          'json' in message
            ? {
                id: message.id,
                entries: JSON.parse(message.json) as ItemEntry[],
                newlines: message.newlines,
                comma: message.comma,
              }
            : message,
        );
        this.dispatch();
        for (const wake of this.waiting.splice(0)) wake();
      });
      // A worker that cannot start or dies fails what it holds; those files, and the next ones,
      // go to the sequential loader.
      const fail = (error: Error) => {
        this.failure ??= error;
        const jobs = [...this.running.values(), ...this.queue.splice(0)];
        this.running.clear();
        for (const job of jobs) job.settle({ id: job.batch.id, failed: error.message });
        for (const wake of this.waiting.splice(0)) wake();
      };
      pooled.worker.on('error', fail);
      pooled.worker.on('exit', (code) => {
        if (this.running.size > 0 || this.queue.length > 0)
          fail(new Error(`a loader worker exited with code ${code}`));
      });
      return pooled;
    });
    return this.workers;
  }

  /** Hands queued batches to the workers with the fewest in flight. */
  private dispatch(): void {
    const workers = this.workers ?? [];
    while (this.queue.length > 0) {
      let best: PooledWorker | undefined;
      for (const pooled of workers) if (!best || pooled.inFlight < best.inFlight) best = pooled;
      if (!best || best.inFlight >= IN_FLIGHT) return;
      const job = this.queue.shift() as Job;
      best.inFlight++;
      this.runsInWorkers++;
      this.running.set(job.batch.id, job);
      best.worker.postMessage(job.batch, [job.batch.bytes]);
    }
  }

  /**
   * Loads queued batches on this thread too while more than `keep` wait, from the back of the
   * queue (the workers take from the front), one at a time so the workers' results keep coming
   * in and they stay fed; beyond `share` of the runs, it waits for a worker's answer instead.
   */
  private async help(keep: number, share = 1): Promise<void> {
    while (this.queue.length > keep) {
      if (this.running.size > 0 && this.runsOnMain >= share * (this.runsOnMain + this.runsInWorkers)) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        continue;
      }
      const job = this.queue.pop() as Job;
      this.stats.batchesOnMain++;
      this.runsOnMain++;
      job.settle(processBatch(job.batch));
      await yieldToEvents();
    }
  }

  /** Works through the queue with the workers until it is empty (every file begun has been handed out). */
  drain(): Promise<void> {
    return this.help(0);
  }

  /**
   * Reads `source` a window at a time and hands its items to the workers (and to this thread);
   * resolves once it is all read, with the promise of its outcome, so the caller can start on
   * the next file meanwhile. Only the window and the batches not yet loaded are held, never the
   * whole file.
   */
  async begin(file: string, source: ByteFile): Promise<{ readonly outcome: Promise<ListOutcome> }> {
    const done = (fallback: string) => ({ outcome: Promise.resolve<ListOutcome>({ fallback }) });
    const window = new SlidingWindow(source, this.windowBytes);
    await window.fill();
    const head = prettyListHead(window.source, window.end);
    if (!head) return done('not a pretty-printed List');
    const envelope = await readEnvelope(source, window, head);
    if (!envelope) return done('not a kubectl List whose items end where its tail says');
    try {
      this.start();
    } catch (error) {
      this.failure = error as Error;
    }

    const results: (readonly ItemEntry[])[] = [];
    const newlinesIn: number[] = [];
    const commaAfter: boolean[] = [];
    let batchCount = 0;
    let settled = 0;
    let failed: string | undefined;
    let allSent = false;
    let finish: (outcome: ListOutcome) => void = () => {};
    const outcome = new Promise<ListOutcome>((resolve) => {
      finish = resolve;
    });
    const check = () => {
      if (!allSent) return;
      if (failed !== undefined) finish({ fallback: failed });
      else if (settled === batchCount) {
        // Runs are joined by the comma that ends each one but the last (json-lines.ts: only
        // then is the array's text exactly the items and the commas between them).
        if (commaAfter.some((comma, index) => comma !== index < batchCount - 1)) {
          finish({ fallback: 'the items are not joined by single commas' });
          return;
        }
        this.stats.files++;
        placeInFile(results, newlinesIn, head.line, file);
        finish({ batches: results });
      }
    };
    const send = (from: number, to: number) => {
      const index = batchCount++;
      const batch: ItemBatch = {
        id: this.nextId++,
        file,
        listApiVersion: envelope.apiVersion,
        listKind: envelope.kind,
        bytes: window.copy(from, to),
        keyIndent: head.keyIndent,
      };
      this.queue.push({
        batch,
        settle: (result) => {
          settled++;
          if ('entries' in result) {
            results[index] = result.entries;
            newlinesIn[index] = result.newlines;
            commaAfter[index] = result.comma;
          } else failed ??= result.failed;
          check();
        },
      });
      this.dispatch();
    };

    // The items are handed out in runs of about `batchBytes`, cut where an item's first line
    // starts; the workers cut the items in their run (and find the run is not one if the List
    // is not what it looks like). Here, only run boundaries are searched for.
    const itemLine = Buffer.from(`\n${' '.repeat(2 * head.keyIndent)}{`, 'latin1');
    // The newline after `[`, and the one before the `]` closing the items.
    let runStart = head.arrayStart + 1;
    const itemsEnd = envelope.arrayEnd - head.keyIndent - 1;
    while (failed === undefined && this.failure === undefined) {
      let next = runStart + this.batchBytes;
      while (next < itemsEnd) {
        next = window.find(itemLine, next);
        if (next < 0 || next + itemLine.length >= window.end) break;
        send(runStart, next);
        runStart = next;
        next = runStart + this.batchBytes;
      }
      // No boundary left in reach: with everything read up to the items' end, the rest is the last run.
      if (window.end >= itemsEnd) {
        send(runStart, itemsEnd);
        break;
      }
      if (window.atEnd) {
        failed = 'not a List the pretty cut reads';
        break;
      }
      // This thread loads a share too, and reads on only when the workers have enough queued.
      await this.help(this.workerCount * IN_FLIGHT, mainShareWhileReading(this.workerCount));
      window.keepFrom(runStart);
      if ((await window.fill()) === 0) {
        failed ??= 'the file ended while being read';
        break;
      }
    }
    failed ??= this.failure?.message;
    allSent = true;
    check();
    return { outcome };
  }

  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }
}

/**
 * Makes each object's origin its place in the file: the file's name (one string for all), and
 * its line: the workers counted lines from the start of their run; a run starts on the line
 * after `first` plus the newlines of the runs before it.
 */
function placeInFile(
  batches: readonly (readonly ItemEntry[])[],
  newlinesIn: readonly number[],
  first: number,
  file: string,
): void {
  let base = first;
  for (let b = 0; b < batches.length; b++) {
    for (const entry of batches[b] ?? []) {
      const origin =
        'object' in entry ? (entry.object.origin as { file: string; line: number } | undefined) : undefined;
      if (origin) {
        origin.file = file;
        origin.line += base;
      }
    }
    base += newlinesIn[b] ?? 0;
  }
}

/**
 * A window on a file: the bytes from `start` to `end`, read a piece at a time. Offsets are the
 * file's; what is before `keepFrom` is dropped when the window slides.
 */
class SlidingWindow {
  private buffer: Buffer;
  private base = 0;
  private filled = 0;
  private view: Buffer;
  readonly source: CutSource;
  private readonly file: ByteFile;

  constructor(file: ByteFile, size: number) {
    this.file = file;
    this.buffer = Buffer.allocUnsafe(size);
    this.view = this.buffer.subarray(0, 0);
    const self = this;
    this.source = {
      code: (at) => self.view[at - self.base],
      newline(from) {
        const i = self.view.indexOf(0x0a, Math.max(0, from - self.base));
        return i < 0 ? -1 : i + self.base;
      },
      find(needle, from) {
        const i = self.view.indexOf(needle, Math.max(0, from - self.base), 'latin1');
        return i < 0 ? -1 : i + self.base;
      },
    };
  }

  /** The file offset just after the last byte read. */
  get end(): number {
    return this.base + this.filled;
  }

  get atEnd(): boolean {
    return this.end >= this.file.size;
  }

  /** Reads on until the window is full or the file ends (growing the window when it is full); returns how many bytes. */
  async fill(): Promise<number> {
    const before = this.filled;
    if (this.filled === this.buffer.length) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, 0, this.filled);
      this.buffer = bigger;
    }
    while (this.filled < this.buffer.length && !this.atEnd) {
      const n = await this.file.read(this.buffer, this.filled, this.buffer.length - this.filled, this.end);
      if (n <= 0) break;
      this.filled += n;
    }
    this.view = this.buffer.subarray(0, this.filled);
    return this.filled - before;
  }

  /** Drops the bytes before file offset `offset`. */
  keepFrom(offset: number): void {
    const drop = Math.min(this.filled, Math.max(0, offset - this.base));
    if (drop === 0) return;
    this.buffer.copy(this.buffer, 0, drop, this.filled);
    this.base += drop;
    this.filled -= drop;
    this.view = this.buffer.subarray(0, this.filled);
  }

  /** The file offset of `needle` at or after `from` within what was read, or -1. */
  find(needle: Uint8Array, from: number): number {
    const at = this.view.indexOf(needle, Math.max(0, from - this.base));
    return at < 0 ? -1 : at + this.base;
  }

  /** A copy of the file's bytes from `from` to `to`, which the window holds. */
  copy(from: number, to: number): ArrayBuffer {
    // Not zero-filled first: every byte is written at once.
    const bytes = Buffer.allocUnsafeSlow(to - from);
    bytes.set(this.view.subarray(from - this.base, to - this.base));
    return bytes.buffer as ArrayBuffer;
  }
}

/**
 * The List's apiVersion and kind, and where its items array must end: the last `]` at the
 * top-level key indent, in the last TAIL_BYTES of the file. The cut must arrive exactly there.
 */
async function readEnvelope(
  source: ByteFile,
  window: SlidingWindow,
  head: PrettyListHead,
): Promise<{ apiVersion: string; kind: string; arrayEnd: number } | undefined> {
  const tailStart = Math.max(0, source.size - TAIL_BYTES);
  const tail = Buffer.allocUnsafe(source.size - tailStart);
  let filled = 0;
  while (filled < tail.length) {
    const n = await source.read(tail, filled, tail.length - filled, tailStart + filled);
    if (n <= 0) return undefined;
    filled += n;
  }
  const closing = `\n${' '.repeat(head.keyIndent)}]`;
  const at = tail.lastIndexOf(closing, tail.length, 'latin1');
  if (at < 0) return undefined;
  const arrayEnd = tailStart + at + closing.length - 1;
  if (arrayEnd <= head.arrayStart) return undefined;
  const before = Buffer.from(window.copy(0, head.arrayStart)).toString('utf8');
  const envelope = listEnvelope(before, tail.toString('utf8', at + closing.length));
  return envelope && { ...envelope, arrayEnd };
}
