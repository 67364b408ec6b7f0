/**
 * The oracle for the JSON loader (issue #25): what a scan must see in a JSON file is what
 * JSON.parse of the whole file gives, stripped by the same builder, with each List item at the
 * line jsonc-parser (an independent parser) says it starts on. The loader must give exactly this
 * snapshot on every path, or an InputError exactly when this throws.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { visit } from 'jsonc-parser';
import { InputError } from '../../src/errors.ts';
import { listItemObject, SnapshotBuilder } from '../../src/snapshot/builder.ts';
import { type LoadOptions, loadSnapshot, snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { ClusterSnapshot } from '../../src/snapshot/model.ts';
import type { ParallelListLoader } from '../../src/snapshot/parallel.ts';

/** What a load gave, in a form two loads can be compared by: the objects and skips, or the error class. */
export type Outcome =
  | { readonly kube: ClusterSnapshot['kube']; readonly skipped: ClusterSnapshot['skipped'] }
  | { readonly error: 'input' };

/** The outcome without the objects' lines (for documents whose lines the oracle does not know). */
export function withoutLines(outcome: Outcome): unknown {
  if (!('kube' in outcome)) return outcome;
  const kube = Object.fromEntries(
    Object.entries(outcome.kube).map(([kind, objects]) => [
      kind,
      objects.map((object) => ({ ...object, origin: { ...object.origin, line: 0 } })),
    ]),
  );
  return { ...outcome, kube };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The 1-based line of each element of the root object's last `items` array, by jsonc-parser. */
export function itemLinesByJsoncParser(text: string): number[] {
  let lines: number[] = [];
  const element = (line: number, pathOf: () => (string | number)[]) => {
    const at = pathOf();
    if (at.length === 2 && at[0] === 'items' && typeof at[1] === 'number') lines[at[1]] = line + 1;
  };
  visit(text, {
    onObjectProperty: (property, _offset, _length, _line, _character, pathOf) => {
      // A later `items` key replaces the earlier one, as in JSON.parse.
      if (property === 'items' && pathOf().length === 0) lines = [];
    },
    onObjectBegin: (_offset, _length, line, _character, pathOf) => element(line, pathOf),
    onArrayBegin: (_offset, _length, line, _character, pathOf) => element(line, pathOf),
    onLiteralValue: (_value, _offset, _length, line, _character, pathOf) => element(line, pathOf),
  });
  return lines;
}

function outcomeOf(snapshot: ClusterSnapshot): Outcome {
  return { kube: snapshot.kube, skipped: snapshot.skipped };
}

/**
 * The oracle: JSON.parse of the whole text; a kubectl List's items added one by one at their
 * jsonc-parser lines (`linesKnown`), anything else as snapshotFromDocuments adds it (every
 * object at line 1: compare `withoutLines`).
 */
export function oracleOutcome(file: string, text: string): Outcome & { readonly linesKnown?: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'input' };
  }
  try {
    const kind = isRecord(value) && typeof value.kind === 'string' ? value.kind : '';
    if (
      isRecord(value) &&
      typeof value.apiVersion === 'string' &&
      kind.endsWith('List') &&
      !kind.startsWith('compute#') &&
      Array.isArray(value.items)
    ) {
      const lines = itemLinesByJsoncParser(text);
      const builder = new SnapshotBuilder();
      value.items.forEach((item, index) => {
        const raw = listItemObject(value.apiVersion, kind, item, file, lines[index] ?? 1);
        builder.addRawKubeObject(raw, { file, line: lines[index] ?? 1 }, file);
      });
      return {
        linesKnown: true,
        ...outcomeOf(
          builder.build({
            source: { kind: 'snapshot', inputs: [file] },
            missingReason: () => ({ collected: false, reason: '' }),
          }),
        ),
      };
    }
    return outcomeOf(snapshotFromDocuments({ documents: [value], file }));
  } catch (error) {
    if (error instanceof InputError) return { error: 'input' };
    throw error;
  }
}

/** The sequential path, and the worker path forced whatever the file's size, in small pieces. */
export const PATHS = {
  sequential: { workers: 0 },
  worker: { workers: 1, minBytes: 0, minTotalBytes: 0, windowBytes: 512, batchBytes: 300 },
} as const satisfies Record<string, NonNullable<LoadOptions['parallel']>>;

let directory: string | undefined;

/** Loads `text` as a .json file on one path. */
export async function loadedOutcome(
  name: string,
  text: string,
  parallel: NonNullable<LoadOptions['parallel']>,
  loader?: ParallelListLoader,
): Promise<{ outcome: Outcome; file: string; error?: InputError }> {
  directory ??= await mkdtemp(path.join(tmpdir(), 'meshready-json-oracle-'));
  const file = path.join(directory, `${name}.json`);
  await writeFile(file, text);
  try {
    return {
      outcome: outcomeOf(await loadSnapshot([file], { parallel, ...(loader ? { loader } : {}) })),
      file,
    };
  } catch (error) {
    if (error instanceof InputError) return { outcome: { error: 'input' }, file, error };
    throw error;
  }
}
