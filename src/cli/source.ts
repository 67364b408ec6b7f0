/**
 * Where a scan's snapshot comes from: offline files (--snapshot) or a live cluster (--context,
 * --kubeconfig, --in-cluster, with the GKE identity and endpoint overrides). Shared by `scan`
 * and `collect`, which declare the same live options.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { LiveProgress, LiveSourceOptions } from '../collect/live.ts';
import { pathGlobsMatcher } from '../config/path-glob.ts';
import { InputError, UsageError } from '../errors.ts';
import { loadSnapshot } from '../snapshot/load.ts';
import type { ClusterSnapshot } from '../snapshot/model.ts';
import type { CliIO } from './io.ts';
import type { Progress } from './progress.ts';

export type LiveFlags = LiveSourceOptions;

/** Declares the live source options on a command (scan, collect). */
export function addLiveSourceOptions(command: Command): Command {
  return command
    .option('--context <name>', 'live: the kubeconfig context of the cluster (default: the current context)')
    .option('--kubeconfig <file>', 'live: the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--in-cluster', "live: use the pod's service account (in a CronJob)")
    .option('--project <project>', 'live: GKE project (default: from a gke_PROJECT_LOCATION_CLUSTER context)')
    .option(
      '--location <location>',
      'live: GKE cluster location, a zone or region (default: from the context)',
    )
    .option('--cluster <name>', 'live: GKE cluster name (default: from the context)')
    .option('--container-api-endpoint <url>', 'live: GKE API endpoint (private access, emulators)')
    .option('--compute-api-endpoint <url>', 'live: Compute API endpoint (private access, emulators)')
    .option(
      '--request-timeout <duration>',
      'live: how long one API request may take, e.g. 30s, 2m, 500ms (default 30s)',
    );
}

/** `30s`, `2m`, `500ms`, or a number of seconds, as kubectl's --request-timeout. */
export function parseRequestTimeout(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const unit = match?.[2] ?? 's';
  const ms = match ? Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000) : Number.NaN;
  if (!(ms >= 1 && ms <= 3_600_000)) {
    throw new UsageError(
      `--request-timeout ${JSON.stringify(text)}: expected a duration from 1ms to 60m, such as 30s, 2m or 500ms`,
    );
  }
  return Math.round(ms);
}

/** The live flags of parsed commander options. */
export function liveFlagsOf(opts: Record<string, unknown>): LiveFlags {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    context: text(opts.context),
    kubeconfig: text(opts.kubeconfig),
    inCluster: opts.inCluster === true ? true : undefined,
    project: text(opts.project),
    location: text(opts.location),
    cluster: text(opts.cluster),
    containerApiEndpoint: text(opts.containerApiEndpoint),
    computeApiEndpoint: text(opts.computeApiEndpoint),
    requestTimeoutMs:
      typeof opts.requestTimeout === 'string' ? parseRequestTimeout(opts.requestTimeout) : undefined,
  };
}

/** The flags that choose a live source (a request timeout alone does not). */
const LIVE_FLAG_NAMES: Readonly<Record<Exclude<keyof LiveFlags, 'requestTimeoutMs'>, string>> = {
  context: '--context',
  kubeconfig: '--kubeconfig',
  inCluster: '--in-cluster',
  project: '--project',
  location: '--location',
  cluster: '--cluster',
  containerApiEndpoint: '--container-api-endpoint',
  computeApiEndpoint: '--compute-api-endpoint',
};

function givenLiveFlags(live: LiveFlags | undefined): string[] {
  if (!live) return [];
  return (Object.keys(LIVE_FLAG_NAMES) as (keyof typeof LIVE_FLAG_NAMES)[])
    .filter((key) => live[key] !== undefined)
    .map((key) => LIVE_FLAG_NAMES[key]);
}

export type SnapshotSource =
  | { readonly kind: 'snapshot'; readonly paths: readonly string[] }
  | { readonly kind: 'live'; readonly live: LiveFlags };

/** Exactly one kind of source (SPEC §1): offline files, or a live cluster (the current context by default). */
export function snapshotSourceOf(
  snapshotPaths: readonly string[],
  live: LiveFlags | undefined,
): SnapshotSource {
  const liveFlags = givenLiveFlags(live);
  if (snapshotPaths.length > 0 && liveFlags.length > 0) {
    throw new UsageError(
      `give either --snapshot (offline files) or live options, not both (got --snapshot and ${liveFlags.join(', ')})`,
    );
  }
  if (snapshotPaths.length > 0) return { kind: 'snapshot', paths: snapshotPaths };
  // No source at all: kubectl's current context, as kubectl and istioctl analyze do.
  return { kind: 'live', live: live ?? {} };
}

/** A relative path the user gave, resolved against the CLI's working directory. */
function fromCwd(io: CliIO, file: string | undefined): string | undefined {
  return file === undefined ? undefined : path.resolve(io.cwd, file);
}

export function describeLiveProgress(progress: LiveProgress): string {
  const google = progress.google === 'done' ? 'GKE/Compute done' : 'GKE/Compute pending';
  return `collecting: ${progress.listsDone}/${progress.listsTotal} kinds listed, ${progress.objects.toLocaleString('en-US')} objects, ${google}`;
}

export async function collectFromCluster(
  live: LiveFlags,
  io: CliIO,
  progress: Progress,
): Promise<ClusterSnapshot> {
  progress.update('collecting: connecting to the Kubernetes API server…', true);
  try {
    // Loaded on demand: the Kubernetes and Google clients take a second to import, and offline
    // scans and the other commands never need them.
    const { collectLiveSnapshot } = await import('../collect/live.ts');
    return await collectLiveSnapshot(
      { ...live, kubeconfig: fromCwd(io, live.kubeconfig) },
      {
        env: io.env,
        onProgress: (p) => progress.update(describeLiveProgress(p), p.listsDone === p.listsTotal),
      },
    );
  } catch (error) {
    // Clear the status line so the error message starts on a clean line.
    progress.done();
    throw error;
  }
}

/** The inputs that are directories (normalised), for the exclude hint. */
async function directoriesOf(inputs: readonly string[]): Promise<string[]> {
  const directories: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) directories.push(path.normalize(input));
  }
  return directories;
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0);
}

/**
 * Leaves files of a --snapshot directory out when their path within it (or as named, from the
 * working directory) matches a glob of --exclude-path or `excludePaths`; they are listed as skipped.
 */
function excludeByGlobs(
  globs: readonly string[],
): ((file: string, withinInput: string) => string | undefined) | undefined {
  if (globs.length === 0) return undefined;
  const matching = pathGlobsMatcher(globs);
  return (file, withinInput) => {
    const glob = matching(withinInput) ?? matching(file.split(path.sep).join('/'));
    return glob === undefined ? undefined : `excluded by --exclude-path/excludePaths ${JSON.stringify(glob)}`;
  };
}

/** Single quotes for a shell, as the user would type the path. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * An input error in a file found inside a --snapshot directory (not named on the command line)
 * says how to leave that file out, as kubeconform's -ignore-filename-pattern does: a stray file
 * that is not a snapshot (test data, a MongoDB dump named .json) must not stop the scan silently,
 * nor pass silently, so the scan still ends with exit 2 and names the way out.
 */
function withExcludeHint(error: InputError, directories: readonly string[]): InputError {
  const file = path.normalize(error.file);
  const directory = directories.find((dir) => {
    const relative = path.relative(dir, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
  if (directory === undefined) return error;
  const within = path.relative(directory, file).split(path.sep).join('/');
  error.message +=
    `; if ${within} is not part of the snapshot, leave it out with --exclude-path ${shellWord(within)}` +
    ` (or excludePaths in meshready.yaml)`;
  return error;
}

/** Reads the snapshot of a scan: loads the files or collects from the cluster. */
export async function readSnapshot(
  source: SnapshotSource,
  io: CliIO,
  progress: Progress,
  excludePaths: readonly string[] = [],
): Promise<ClusterSnapshot> {
  if (source.kind === 'live') return collectFromCluster(source.live, io, progress);
  // Paths stay as the user wrote them, so messages and report locations name them the same way.
  const inputs = source.paths.map((p) =>
    path.isAbsolute(p) ? p : path.relative(process.cwd(), path.resolve(io.cwd, p)) || '.',
  );
  let snapshot: ClusterSnapshot;
  try {
    snapshot = await loadSnapshot(inputs, {
      onProgress: ({ filesRead, filesTotal, objects, bytesRead, bytesTotal }) =>
        progress.update(
          `reading snapshot: ${filesRead}/${filesTotal} files, ${objects} objects, ${megabytes(bytesRead)} of ${megabytes(bytesTotal)} MB`,
        ),
      exclude: excludeByGlobs(excludePaths),
    });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    progress.done();
    const directories = await directoriesOf(inputs);
    throw withExcludeHint(error, directories);
  }
  if (!Object.values(snapshot.coverage).some((part) => part.collected)) {
    // SPEC §1: a broken dump step must not give a green (or UNKNOWN) run.
    progress.done();
    const files = new Set(snapshot.skipped.map((entry) => entry.file)).size;
    throw new InputError(
      source.paths.join(', '),
      undefined,
      files === 0
        ? 'no .yaml, .yml or .json file found, so nothing to scan'
        : `nothing recognised as Kubernetes, GKE or Compute data in ${files} file${files === 1 ? '' : 's'}`,
      'Kubernetes objects or lists from kubectl -o yaml/json, gcloud container clusters describe or compute firewall-rules/machine-types list --format=json, or a meshready collect bundle',
    );
  }
  return snapshot;
}
