/**
 * Serves a demo snapshot (fixtures/demo/<name>) as a live cluster: its kubectl dumps from the
 * Kubernetes API test server (HTTPS, bearer token), its gcloud documents from the GKE/Compute
 * test server, and a kubeconfig whose context is named as gcloud names it. The same files can be
 * scanned offline, so live and offline results can be compared.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/program.ts';
import { COLLECTED_RESOURCES } from '../../src/collect/resources.ts';
import { CollectError, InputError, UsageError } from '../../src/errors.ts';
import {
  type GoogleApiServer,
  type GoogleApiServerOptions,
  startGoogleApiServer,
} from '../helpers/google-api-server.ts';
import {
  type KubeApiServer,
  type KubeApiServerOptions,
  rawKubeObjectsFromFiles,
  type ServedResource,
  startKubeApiServer,
} from '../helpers/kube-api-server.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const DEMOS = path.join(ROOT, 'fixtures', 'demo');
/** The only demo with a machine-types dump; the others borrow it (all run in europe-west1-b). */
export const MACHINE_TYPES_FILE = path.join(DEMOS, 'asm-candidate', 'gcloud', 'machine-types.json');
export const TOKEN = 'meshready-test-token';

type Raw = Record<string, unknown>;

/**
 * Every custom resource the collector lists, served as the table of kinds declares it (so every
 * row of the collector's list is requested); the Mixer kinds as Istio 1.4 names them.
 */
export const COLLECTED_CUSTOM_RESOURCES: readonly ServedResource[] = COLLECTED_RESOURCES.filter(
  (row) => row.group.includes('istio') || row.group === 'cloud.google.com',
).flatMap((row) =>
  (row.resource === '*' ? (row.grantedResources ?? []) : [row.resource]).map((resource) => ({
    group: row.group,
    version: row.version,
    resource,
    // Istio 1.4's Mixer kinds are lower-case singulars (`rule`, `handler`).
    kind: row.resource === '*' ? resource.replace(/s$/, '') : row.kind,
    namespaced: row.scope === 'Namespaced',
  })),
);

export interface DemoCluster {
  readonly kube: KubeApiServer;
  readonly google: GoogleApiServer;
  readonly kubeconfig: string;
  readonly context: string;
  /** What an offline scan of the same data reads. */
  readonly offlineInputs: readonly string[];
  /** The live source options that reach this cluster. */
  readonly liveArgs: readonly string[];
  readonly project: string;
  close(): Promise<void>;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export async function startDemoCluster(
  demo: string,
  options: {
    kube?: Partial<KubeApiServerOptions>;
    google?: Partial<GoogleApiServerOptions>;
    /** Objects served in addition to the demo's. */
    extraObjects?: readonly Raw[];
  } = {},
): Promise<DemoCluster> {
  const dir = path.join(DEMOS, demo);
  const kubectlDir = path.join(dir, 'kubectl');
  const objects = [
    ...rawKubeObjectsFromFiles(readdirSync(kubectlDir).map((file) => path.join(kubectlDir, file))),
    ...(options.extraObjects ?? []),
  ];
  const cluster = readJson(path.join(dir, 'gcloud', 'cluster.json')) as Raw;
  const project = /\/projects\/([^/]+)\//.exec(String(cluster.selfLink))?.[1] ?? 'unknown';
  const location = String(cluster.location);
  const machineTypesFile = readdirSync(path.join(dir, 'gcloud')).includes('machine-types.json')
    ? path.join(dir, 'gcloud', 'machine-types.json')
    : MACHINE_TYPES_FILE;
  const kube = await startKubeApiServer({ objects, tls: true, token: TOKEN, ...options.kube });
  const google = await startGoogleApiServer({
    clusters: [{ project, location, cluster }],
    firewalls: { [project]: readJson(path.join(dir, 'gcloud', 'firewall-rules.json')) as Raw[] },
    machineTypes: { [project]: readJson(machineTypesFile) as Raw[] },
    ...options.google,
  });
  const context = `gke_${project}_${location}_${String(cluster.name)}`;
  const work = await mkdtemp(path.join(tmpdir(), 'meshready-live-'));
  const kubeconfig = await kube.writeKubeconfig(path.join(work, 'kubeconfig.yaml'), { context });
  return {
    kube,
    google,
    kubeconfig,
    context,
    project,
    offlineInputs:
      machineTypesFile === MACHINE_TYPES_FILE && demo !== 'asm-candidate' ? [dir, machineTypesFile] : [dir],
    liveArgs: [
      '--kubeconfig',
      kubeconfig,
      '--container-api-endpoint',
      google.url,
      '--compute-api-endpoint',
      google.url,
    ],
    async close() {
      await Promise.all([kube.close(), google.close()]);
    },
  };
}

// ---- running the CLI ---------------------------------------------------------------------------

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The exit codes of src/cli/main.ts (which cannot be imported: it runs on import). */
function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof InputError) return 2;
  if (error instanceof CollectError) return 3;
  throw error;
}

/** Runs the CLI in this process (the test servers keep serving while it waits). */
export async function runInProcess(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stderrIsTTY: options.tty === true,
    cwd: options.cwd ?? ROOT,
    env: { ...options.env },
    now: () => new Date('2026-11-25T10:00:00Z'),
  };
  try {
    return { code: await runCli(argv, io), stdout, stderr };
  } catch (error) {
    return { code: exitCodeOf(error), stdout, stderr: `${stderr}meshready: ${(error as Error).message}\n` };
  }
}

/** Runs the real CLI as a child process, without blocking the test servers in this process. */
export function runChild(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'src', 'cli', 'main.ts'), ...argv],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// ---- comparing reports ------------------------------------------------------------------------

/**
 * A report without what legitimately differs between sources: where it came from (`source`),
 * when (`generatedAt`), the kube context (only a live scan knows it) and file locations of
 * findings (only files have them).
 */
export function comparable(report: Raw): Raw {
  const { source: _source, generatedAt: _generatedAt, ...rest } = report;
  const cluster = { ...(rest.cluster as Raw) };
  delete cluster.context;
  return JSON.parse(
    JSON.stringify({ ...rest, cluster }, (key, value) =>
      key === 'location' && typeof value === 'object' ? undefined : value,
    ),
  );
}
