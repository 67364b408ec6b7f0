/**
 * The offline loader: files and directories of YAML/JSON documents -> ClusterSnapshot.
 *
 * Recognised documents (SPEC §2): Kubernetes objects and Lists, multi-document YAML, gcloud GKE
 * cluster JSON, arrays of Compute firewall rules or machine types, and `meshready collect`
 * bundles. Anything else is listed as skipped. Malformed input raises an InputError naming the
 * file and line.
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants, type Dirent } from 'node:fs';
import { type FileHandle, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isMap, isSeq, LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { InputError } from '../errors.ts';
import { ClusterConflict, listItemObject, SnapshotBuilder } from './builder.ts';
import { bundleSchema, isBundleDocument } from './bundle.ts';
import { malformedJsonError } from './json-errors.ts';
import { jsonItemLines, kubectlJsonList } from './json-lines.ts';
import { type ClusterSnapshot, KUBE_KINDS, type KubeKind, type Origin, type SnapshotPart } from './model.ts';
import { type ByteFile, type ListOutcome, ParallelListLoader, type ParallelOptions } from './parallel.ts';
import { type ItemEntry, listItemEntries } from './parallel-worker.ts';
import { MAX_NAME_LENGTH } from './raw-fields.ts';
import {
  isRecord,
  looksLikeFirewall,
  looksLikeGkeCluster,
  looksLikeMachineType,
  stripFirewall,
  stripGkeCluster,
  stripMachineType,
  unrepresentableNumberPath,
} from './strip.ts';
import { parseYamlListItem, splitYamlList } from './yaml-list.ts';

const SNAPSHOT_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface LoadProgress {
  readonly filesRead: number;
  readonly filesTotal: number;
  readonly objects: number;
  /** Bytes of the files read so far (of a big JSON List, as it is read), and of all of them. */
  readonly bytesRead: number;
  readonly bytesTotal: number;
}

export interface LoadOptions {
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Worker threads for big JSON Lists (parallel.ts; `workers: 0` loads on the main thread only). */
  readonly parallel?: ParallelOptions;
  /**
   * Leaves a file found in a directory out (`--exclude-path`): given its path and its path within
   * the directory given as input (`/`-separated), returns why, which is listed as skipped.
   */
  readonly exclude?: (file: string, withinInput: string) => string | undefined;
}

type Exclude = LoadOptions['exclude'];

/** What an offline snapshot lacks, per part (SPEC §2). */
function offlineMissing(part: SnapshotPart): { collected: false; reason: string } {
  switch (part) {
    case 'gkeCluster':
      return {
        collected: false,
        reason:
          'no GKE cluster data in the snapshot (add `gcloud beta container clusters describe --format=json`)',
      };
    case 'firewalls':
      return {
        collected: false,
        reason: 'no firewall rules in the snapshot (add `gcloud compute firewall-rules list --format=json`)',
      };
    case 'machineTypes':
      return {
        collected: false,
        reason: 'no machine types in the snapshot (add `gcloud compute machine-types list --format=json`)',
      };
    default:
      return { collected: false, reason: 'no Kubernetes objects in the snapshot' };
  }
}

function isSnapshotFile(file: string): boolean {
  const name = file.endsWith('.gz') ? file.slice(0, -3) : file;
  return SNAPSHOT_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/**
 * The most text one snapshot file may hold, decompressed: the longest string V8 can hold (about
 * 512 MiB), since a file is parsed as one text. `kubectl get pods -A -o json` of a 150k-pod
 * cluster is about 300 MiB; a bigger dump can be split into several files (or several Lists). A
 * gzip bomb stops here.
 */
export const MAX_FILE_BYTES = bufferConstants.MAX_STRING_LENGTH;
const MAX_FILE_TEXT = `${Math.floor(MAX_FILE_BYTES / 1024 / 1024)} MiB`;

interface ExpandedInputs {
  readonly files: string[];
  /** Entries of a directory that are not read, with the reason (listed in `source.skipped`). */
  readonly skipped: { file: string; reason: string }[];
}

function unreadable(file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'cannot read: permission denied'
        : code === 'ELOOP'
          ? 'cannot read: too many levels of symbolic links'
          : `cannot read (${code ?? (error as Error).message})`;
  return new InputError(file, undefined, reason);
}

/** What a path that is neither a directory nor a regular file is, for messages. */
function specialKind(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * The snapshot files under a directory, searched recursively. Symbolic links are followed to
 * regular files and directories; a link back into a directory already being read (a loop), a
 * dangling link and anything that is not a regular file (a FIFO would block the read forever)
 * are listed as skipped, never read and never dropped silently.
 */
async function walkDirectory(
  directory: string,
  ancestors: ReadonlySet<string>,
  into: ExpandedInputs,
  input: { readonly root: string; readonly exclude: Exclude } = { root: directory, exclude: undefined },
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw unreadable(directory, error);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      const real = await realpath(file).catch(() => file);
      await walkDirectory(file, new Set([...ancestors, real]), into, input);
      continue;
    }
    const excluded =
      isSnapshotFile(entry.name) &&
      input.exclude?.(file, path.relative(input.root, file).split(path.sep).join('/'));
    if (excluded) {
      into.skipped.push({ file, reason: excluded });
      continue;
    }
    if (entry.isFile()) {
      if (isSnapshotFile(entry.name)) into.files.push(file);
      continue;
    }
    if (entry.isSymbolicLink()) {
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (isSnapshotFile(entry.name) || code === 'ELOOP')
          into.skipped.push({
            file,
            reason: `symbolic link not followed: ${code === 'ELOOP' ? 'a loop' : 'its target does not exist'}`,
          });
        continue;
      }
      if (info.isDirectory()) {
        const real = await realpath(file);
        if (ancestors.has(real)) {
          into.skipped.push({
            file,
            reason: 'symbolic link not followed: it leads back into a directory being read (a loop)',
          });
        } else {
          await walkDirectory(file, new Set([...ancestors, real]), into, input);
        }
      } else if (!isSnapshotFile(entry.name)) {
        // Not a snapshot file name: ignored, like a regular file with that name.
      } else if (info.isFile()) {
        into.files.push(file);
      } else {
        into.skipped.push({ file, reason: `not read: ${specialKind(info)}` });
      }
      continue;
    }
    if (isSnapshotFile(entry.name)) {
      into.skipped.push({
        file,
        reason: `not read: ${entry.isFIFO() ? 'a named pipe (FIFO)' : 'not a regular file'}`,
      });
    }
  }
}

async function expandPath(input: string, exclude?: Exclude): Promise<ExpandedInputs> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(input);
  } catch (error) {
    throw unreadable(input, error);
  }
  if (info.isFile()) return { files: [input], skipped: [] };
  if (!info.isDirectory()) {
    throw new InputError(input, undefined, `cannot read: ${specialKind(info)}, not a file or a directory`);
  }
  const expanded: ExpandedInputs = { files: [], skipped: [] };
  await walkDirectory(input, new Set([await realpath(input)]), expanded, { root: input, exclude });
  expanded.files.sort();
  return expanded;
}

/** A snapshot file opened for reading, checked to be a regular file within the size limit. */
interface OpenedFile {
  readonly file: string;
  readonly handle: FileHandle;
  readonly size: number;
}

/**
 * Opens one snapshot file. Only regular files are read (opened without blocking, then checked,
 * so a FIFO put in its place cannot hang the scan), bounded by MAX_FILE_BYTES.
 */
async function openSnapshotFile(file: string): Promise<OpenedFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new InputError(file, undefined, `cannot read: ${specialKind(info)}, not a regular file`);
    if (info.size > MAX_FILE_BYTES) {
      throw new InputError(
        file,
        undefined,
        `too large: ${Math.round(info.size / 1024 / 1024)} MiB, the limit is ${MAX_FILE_TEXT} per file (split the snapshot into several files)`,
      );
    }
    return { file, handle, size: info.size };
  } catch (error) {
    await handle.close();
    if (error instanceof InputError) throw error;
    throw unreadable(file, error);
  }
}

/** An opened file's bytes as the parallel loader reads them, a piece at a time (each piece counted). */
function byteFile(opened: OpenedFile, onRead: (bytes: number) => void): ByteFile {
  return {
    size: opened.size,
    read: async (into, offset, length, position) => {
      let bytesRead: number;
      try {
        bytesRead = (await opened.handle.read(into, offset, length, position)).bytesRead;
      } catch (error) {
        throw unreadable(opened.file, error);
      }
      onRead(bytesRead);
      return bytesRead;
    },
  };
}

/**
 * Reads an opened snapshot file as text: decompressed when it is gzip (bounded by
 * MAX_FILE_BYTES); a UTF-8 byte order mark is dropped (editors on Windows write one).
 */
async function readText(opened: OpenedFile): Promise<string> {
  const { file, handle } = opened;
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    await handle.close();
  }
  if (file.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_FILE_BYTES });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(
        file,
        undefined,
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `decompresses to more than ${MAX_FILE_TEXT}, the limit per file (a gzip bomb, or a snapshot to split into several files)`
          : `not valid gzip: ${(error as Error).message}`,
      );
    }
  }
  return decodeText(bytes);
}

function decodeText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A `.json` file, not compressed: the only kind the parallel loader reads. */
function isPlainJsonFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.json';
}

/** Each file's size (a file that cannot be read counts 0 here; reading it reports why). */
async function fileSizes(files: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const file of files) {
    const size = await stat(file).then(
      (info) => info.size,
      () => 0,
    );
    sizes.set(file, size);
  }
  return sizes;
}

/** What the workers made of a List's items, added in order. */
function addBatches(
  builder: SnapshotBuilder,
  file: string,
  batches: readonly (readonly ItemEntry[])[],
): void {
  for (const entries of batches) {
    for (const entry of entries) {
      if ('object' in entry) {
        builder.kubeObjectsSeen = true;
        builder.addKubeObject(entry.kind, entry.object);
      } else {
        if ('seen' in entry) builder.kubeObjectsSeen = true;
        builder.skip(file, entry.skip);
      }
    }
  }
}

function isJson(file: string, text: string): boolean {
  const name = file.endsWith('.gz') ? file.slice(0, -3) : file;
  const ext = path.extname(name).toLowerCase();
  if (ext === '.json') return true;
  if (ext === '.yaml' || ext === '.yml') return false;
  return /^\s*[[{]/.test(text);
}

/** Positions of the parts of one parsed document, for origins. */
interface DocumentLines {
  readonly line: number;
  /** Lines of the elements of a top-level array, or of a List's `items`. */
  readonly itemLines: readonly number[];
}

export async function loadSnapshot(
  inputs: readonly string[],
  options: LoadOptions = {},
): Promise<ClusterSnapshot> {
  const files: string[] = [];
  const builder = new SnapshotBuilder();
  for (const input of inputs) {
    const expanded = await expandPath(path.normalize(input), options.exclude);
    files.push(...expanded.files);
    for (const { file, reason } of expanded.skipped) builder.skip(file, reason);
  }
  const parallel = new ParallelListLoader(options.parallel);
  const sizes = await fileSizes(files);
  const bytesTotal = [...sizes.values()].reduce((sum, size) => sum + size, 0);
  const jsonBytes = files.filter(isPlainJsonFile).reduce((sum, file) => sum + (sizes.get(file) ?? 0), 0);
  let filesRead = 0;
  let bytesRead = 0;
  const report = () =>
    options.onProgress?.({
      filesRead,
      filesTotal: files.length,
      objects: builder.objectCount,
      bytesRead: Math.min(bytesRead, bytesTotal),
      bytesTotal,
    });
  /** A file is done; `counted`: its bytes were counted as they were read. */
  const fileDone = (file: string, counted = false) => {
    filesRead++;
    if (!counted) bytesRead += sizes.get(file) ?? 0;
    report();
  };
  const addChecked = (add: () => void) => {
    try {
      add();
    } catch (error) {
      if (error instanceof ClusterConflict) throw new InputError(error.file, undefined, error.message);
      throw error;
    }
  };
  // Big JSON Lists load in the workers while the next files are read; every file is added to
  // the snapshot in order, so what the workers hold is added before the next file's objects.
  const inWorkers: { file: string; outcome: Promise<ListOutcome> }[] = [];
  const addFromWorkers = async () => {
    if (inWorkers.length > 0) await parallel.drain();
    for (const { file, outcome } of inWorkers.splice(0)) {
      const loaded = await outcome;
      if ('batches' in loaded) addChecked(() => addBatches(builder, file, loaded.batches));
      else {
        // What the workers did not load is read again and loaded here, which names any error's line.
        const text = await readText(await openSnapshotFile(file));
        addChecked(() => loadJson(builder, file, text));
      }
      fileDone(file, true);
    }
  };
  try {
    for (const file of files) {
      let text: string;
      try {
        const opened = await openSnapshotFile(file);
        if (isPlainJsonFile(file) && parallel.wants(opened.size, jsonBytes)) {
          try {
            const counting = byteFile(opened, (n) => {
              bytesRead += n;
              report();
            });
            inWorkers.push({ file, ...(await parallel.begin(file, counting)) });
          } finally {
            await opened.handle.close();
          }
          continue;
        }
        await addFromWorkers();
        text = await readText(opened);
      } catch (error) {
        // An earlier file's error comes first, as when files load one after the other.
        await addFromWorkers();
        throw error;
      }
      addChecked(() => {
        if (isJson(file, text)) loadJson(builder, file, text);
        else loadYaml(builder, file, text);
      });
      fileDone(file);
    }
    await addFromWorkers();
  } finally {
    await parallel.close();
  }
  if (builder.kubeObjectsSeen) {
    for (const kind of KUBE_KINDS) {
      if (!builder.hasCoverage(kind)) builder.setCoverage(kind, { collected: true });
    }
  }
  return builder.build({
    source: { kind: 'snapshot', inputs: inputs.map((input) => path.normalize(input)) },
    missingReason: offlineMissing,
  });
}

export interface InlineDocuments {
  /** Parsed documents, as if each came from its own file. */
  readonly documents: readonly unknown[];
  /** Parts to mark as not collected, with the reason (to model a partial collection). */
  readonly notCollected?: Readonly<Partial<Record<SnapshotPart, string>>>;
  readonly file?: string;
}

/**
 * Builds a snapshot from already parsed documents with the same rules as files (tests, tools).
 */
export function snapshotFromDocuments(input: InlineDocuments): ClusterSnapshot {
  const builder = new SnapshotBuilder();
  const file = input.file ?? 'inline.yaml';
  for (const document of input.documents) addDocument(builder, file, document, { line: 1, itemLines: [] });
  if (builder.kubeObjectsSeen) {
    for (const kind of KUBE_KINDS)
      if (!builder.hasCoverage(kind)) builder.setCoverage(kind, { collected: true });
  }
  for (const [part, reason] of Object.entries(input.notCollected ?? {})) {
    builder.setCoverage(part as SnapshotPart, { collected: false, reason: reason ?? 'not collected' });
  }
  return builder.build({ source: { kind: 'snapshot', inputs: [file] }, missingReason: offlineMissing });
}

/**
 * A JSON file. A kubectl List is parsed item by item (json-lines.ts), each item stripped at once,
 * so a 300 MB pod dump never exists as one object tree; its objects are added once all of them
 * parsed. Anything else, or a List whose cut does not verify or whose item does not parse alone or
 * is invalid, is parsed whole: JSON.parse decides, and a syntax error names its line.
 */
function loadJson(builder: SnapshotBuilder, file: string, text: string): void {
  const entries = jsonListEntries(file, text);
  if (entries) {
    addBatches(builder, file, [entries]);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformedJsonError(file, text, error);
  }
  addDocument(builder, file, value, { line: 1, itemLines: jsonItemLines(text) });
}

/**
 * The entries of a kubectl JSON List's items, or undefined when the file must be parsed whole; an
 * invalid item is thrown (with the skeleton verified, it is the error the whole parse would give).
 */
function jsonListEntries(file: string, text: string): ItemEntry[] | undefined {
  const list = kubectlJsonList(text);
  if (!list) return undefined;
  const outcome = listItemEntries(text, list.spans.items, list.apiVersion, list.kind, file);
  if ('invalid' in outcome) throw outcome.invalid;
  return 'entries' in outcome ? outcome.entries : undefined;
}

function loadYaml(builder: SnapshotBuilder, file: string, text: string): void {
  if (loadYamlListByItems(builder, file, text)) return;
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(documents) ? documents : [];
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  for (const document of list) {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos?.[0].line ?? lineOf(error.pos[0]);
      throw new InputError(file, line, `malformed YAML: ${error.message.split('\n')[0]}`);
    }
    const contents = document.contents;
    if (contents === null) continue;
    let itemLines: number[] = [];
    if (isSeq(contents)) itemLines = contents.items.map((item) => lineOf(rangeStart(item)));
    else if (isMap(contents)) {
      const items = contents.get('items', true);
      if (isSeq(items)) itemLines = items.items.map((item) => lineOf(rangeStart(item)));
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      throw new InputError(file, lineOf(rangeStart(contents)), `malformed YAML: ${(error as Error).message}`);
    }
    addDocument(builder, file, value, { line: lineOf(rangeStart(contents)), itemLines });
  }
}

/**
 * Loads a kubectl YAML List item by item (see yaml-list.ts). Returns false, having added
 * nothing, when the file does not have that shape or an item does not parse on its own: the
 * whole-file parse then runs and reports errors with their exact line.
 */
function loadYamlListByItems(builder: SnapshotBuilder, file: string, text: string): boolean {
  const split = splitYamlList(text);
  if (!split) return false;
  const envelope = parseDocument(split.envelope, { prettyErrors: false });
  const list: unknown =
    envelope.errors.length === 0 && envelope.warnings.length === 0 ? envelope.toJS() : undefined;
  if (
    !isRecord(list) ||
    typeof list.kind !== 'string' ||
    !list.kind.endsWith('List') ||
    list.items !== undefined
  ) {
    return false;
  }
  for (const chunk of split.items) {
    // js-yaml (yaml-list.ts); e.g. an alias to an anchor in another item fails here, and only the
    // whole-file parse can resolve it.
    const parsed = parseYamlListItem(chunk.text);
    if (!parsed) return false;
    const item = parsed.value;
    // Stripped at once, so the parsed items never pile up for a big file.
    addListItem(builder, file, list, item, chunk.line);
  }
  return true;
}

function rangeStart(node: unknown): number | undefined {
  if (isRecord(node) && Array.isArray(node.range)) return node.range[0] as number;
  return undefined;
}

function origin(file: string, line: number | undefined): Origin {
  return { file, line: line ?? 1 };
}

const UNRECOGNISED = 'not a Kubernetes object, GKE cluster, firewall rule or machine type';

function addDocument(builder: SnapshotBuilder, file: string, value: unknown, lines: DocumentLines): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    addArray(builder, file, value, lines);
    return;
  }
  if (!isRecord(value)) {
    builder.skip(file, UNRECOGNISED);
    return;
  }
  if (isBundleDocument(value)) {
    addBundle(builder, file, value, lines.line);
    return;
  }
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  const items = value.items;
  if (Array.isArray(items) && kind?.startsWith('compute#')) {
    addArray(builder, file, items, lines);
    return;
  }
  if (typeof value.apiVersion === 'string' && kind) {
    if (kind.endsWith('List') && !Array.isArray(items)) {
      // A List whose items are not a list would otherwise read as an empty cluster.
      throw new InputError(
        file,
        lines.line,
        `${kind}: items must be a list, not ${items === null || items === undefined ? 'missing' : typeof items}`,
      );
    }
    if (Array.isArray(items) && kind.endsWith('List')) {
      items.forEach((item, index) => {
        addListItem(builder, file, value, item, lines.itemLines[index] ?? lines.line);
      });
      return;
    }
    builder.addRawKubeObject(value, origin(file, lines.line), file);
    return;
  }
  if (looksLikeGkeCluster(value)) {
    if (String(value.name).length > MAX_NAME_LENGTH) {
      throw new InputError(file, lines.line, `GKE cluster name longer than ${MAX_NAME_LENGTH} characters`);
    }
    builder.setGkeCluster(stripGkeCluster(value, origin(file, lines.line)), file);
    return;
  }
  builder.skip(file, UNRECOGNISED);
}

/** One item of a kubectl List; typed lists (PodList) may omit the items' apiVersion and kind. */
function addListItem(
  builder: SnapshotBuilder,
  file: string,
  list: { readonly apiVersion?: unknown; readonly kind?: unknown },
  item: unknown,
  line: number,
): void {
  const raw = listItemObject(list.apiVersion, String(list.kind), item, file, line);
  builder.addRawKubeObject(raw, origin(file, line), file);
}

function addArray(builder: SnapshotBuilder, file: string, values: unknown[], lines: DocumentLines): void {
  const records = values.filter(isRecord);
  if (values.length === 0 || records.length !== values.length) {
    builder.skip(file, values.length === 0 ? 'empty list: nothing to tell what it holds' : UNRECOGNISED);
    return;
  }
  const at = (index: number) => origin(file, lines.itemLines[index] ?? lines.line);
  if (records.every(looksLikeFirewall)) {
    builder.addFirewalls(records.map((raw, index) => stripFirewall(raw, at(index))));
  } else if (records.every(looksLikeMachineType)) {
    builder.addMachineTypes(records.map((raw, index) => stripMachineType(raw, at(index))));
  } else if (records.every((raw) => typeof raw.apiVersion === 'string' && typeof raw.kind === 'string')) {
    records.forEach((raw, index) => {
      builder.addRawKubeObject(raw, at(index), file);
    });
  } else if (records.length === 1 && records[0] && looksLikeGkeCluster(records[0])) {
    builder.setGkeCluster(stripGkeCluster(records[0], at(0)), file);
  } else {
    builder.skip(file, `a list that mixes kinds or holds none meshready reads (${UNRECOGNISED})`);
  }
}

function addBundle(
  builder: SnapshotBuilder,
  file: string,
  value: Record<string, unknown>,
  line: number,
): void {
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'document';
    throw new InputError(
      file,
      line,
      `invalid meshready snapshot bundle at ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const bundle = parsed.data;
  builder.mergeIdentity(bundle.metadata.identity);
  for (const kind of KUBE_KINDS) {
    for (const object of bundle.kube[kind as KubeKind] ?? []) {
      const unrepresentable = unrepresentableNumberPath(kind, object);
      if (unrepresentable !== undefined) {
        throw new InputError(
          file,
          line,
          `invalid meshready snapshot bundle at kube.${kind}: ${object.metadata.namespace ?? ''}${object.metadata.namespace ? '/' : ''}${object.metadata.name}: ${unrepresentable}: a number JSON cannot carry`,
        );
      }
      builder.addKubeObject(kind, object);
    }
  }
  if (bundle.gkeCluster) builder.setGkeCluster(bundle.gkeCluster, file);
  if (bundle.firewalls) builder.addFirewalls(bundle.firewalls);
  if (bundle.machineTypes) builder.addMachineTypes(bundle.machineTypes);
  for (const [part, coverage] of Object.entries(bundle.coverage)) {
    if (coverage) builder.setCoverage(part as SnapshotPart, coverage);
  }
}
