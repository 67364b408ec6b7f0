/**
 * `npm run bench`: generates clusters of size S, M and L (fixtures/generate-cluster.ts) and
 * measures, in separate processes, wall time, peak RSS and request counts of:
 *   1. an offline scan of the kubectl List JSON files, writing every format;
 *   2. the same from the kubectl YAML files;
 *   3. the same from the `meshready collect` bundle;
 *   4. the bare cost of the input: JSON.parse of each JSON file, the yaml library's parse of
 *      each YAML file;
 *   5. a live collection (`meshready collect`) against the local test API server with 5 ms
 *      added latency per request;
 *   6. `kubectl get pods -A -o json --chunk-size=500` against the same server.
 *   7. the same JSON scan single-threaded (MESHREADY_LOAD_WORKERS=0), checking that it finds the
 *      same findings (fingerprints and file:line) as the parallel one;
 *   8. `migrating` (not by default): the JSON scan again with a ready istiod revision added, so
 *      that every namespace's move is planned: remediate.sh at its largest;
 *   9. once per run, the production install: `npm ci --omit=dev` of this package.json and lock
 *      into a temporary directory (time, and size on disk of node_modules).
 * It prints a table with the ratios the targets are stated in, and writes bench-out/results.json.
 *
 *   node bench/run.ts [--sizes S,M,L] [--tasks LIST] [--out bench-out] [--latency-ms 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateCluster, readyIstiodList, SIZES } from '../fixtures/generate-cluster.ts';
import { copyBash } from '../scripts/copy-bash.ts';
import { TOOL_VERSION } from '../src/package-root.ts';
import { snapshotToBundle } from '../src/snapshot/bundle.ts';
import { loadSnapshot } from '../src/snapshot/load.ts';
import { htmlOpenTiming } from './html-open.ts';
import { startBenchApiServer } from './live.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The compiled CLI, as users run it (runBench builds it first). */
const MAIN = path.join(ROOT, 'bin', 'meshready.js');
const HAS_GNU_TIME = existsSync('/usr/bin/time');
/** Room for the yaml library's document tree of a 150 MB YAML file. */
const BIG_HEAP = '--max-old-space-size=20000';

/** The tasks `--tasks` selects from, per size (install: once per run). */
export const TASKS = {
  json: 'scan json, writing every format',
  html: 'the HTML report of that scan opened in Chromium (needs json)',
  'json-1': 'the same scan single-threaded, and the check that its findings are the same (needs json)',
  migrating:
    'scan json of the cluster with a ready istiod added: every namespace move planned (remediate.sh)',
  yaml: 'scan yaml',
  bundle: 'scan bundle',
  'bare-json': 'bare JSON.parse of the JSON files',
  'bare-yaml': 'bare yaml library parse of the YAML files (13 GB at L)',
  live: 'live collect against the test API server',
  kubectl: 'kubectl get pods against the same server',
  install: 'npm ci --omit=dev into a temporary directory (once per run)',
} as const;
export type Task = keyof typeof TASKS;
/** What runBench does unless told: the per-size tasks of the smoke test. */
export const DEFAULT_TASKS: readonly Task[] = [
  'json',
  'html',
  'yaml',
  'bundle',
  'bare-json',
  'bare-yaml',
  'live',
  'kubectl',
];

export interface Measurement {
  readonly size: string;
  readonly task: string;
  readonly seconds: number;
  /** Peak resident set size of the measured process, in MB (undefined without /usr/bin/time). */
  readonly peakMb: number | undefined;
  readonly requests?: number;
  readonly exitCode: number | null;
  readonly note?: string;
  /** install: node_modules on disk. */
  readonly installMiB?: number;
  /** scan json: remediate.sh, in bytes. */
  readonly remediateBytes?: number;
  /** A scan's phases as MESHREADY_TIMING prints them, e.g. `read 5.41 s, rules 1.32 s, write 2.95 s`. */
  readonly phases?: string;
  /** json-1: whether the findings equal the parallel scan's. */
  readonly sameFindings?: boolean;
}

async function measure(
  size: string,
  task: string,
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Measurement> {
  const timed = HAS_GNU_TIME
    ? ['/usr/bin/time', ['-f', 'MESHREADY_BENCH %e %M', command, ...args]]
    : [command, args];
  const started = performance.now();
  const child = spawn(timed[0] as string, timed[1] as string[], {
    cwd: ROOT,
    // Scans print their phases on stderr (src/cli/timing.ts); other commands ignore it.
    env: { ...process.env, MESHREADY_TIMING: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exitCode: number | null = await new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const seconds = (performance.now() - started) / 1000;
  const line = /MESHREADY_BENCH ([\d.]+) (\d+)/.exec(stderr);
  if (exitCode !== 0 && exitCode !== 1) {
    process.stderr.write(`bench: ${task} (${size}) exited ${exitCode}:\n${stderr.slice(-2000)}\n`);
  }
  const phases = phasesOf(stderr);
  return {
    size,
    task,
    seconds,
    peakMb: line ? Number(line[2]) / 1024 : undefined,
    exitCode,
    ...(phases ? { phases } : {}),
  };
}

/** `read 5.41 s, rules 1.32 s, write 2.95 s` from MESHREADY_TIMING's lines, or undefined. */
export function phasesOf(stderr: string): string | undefined {
  const names: Record<string, string> = {
    'read the snapshot': 'read',
    'rules and commands': 'rules',
    'write the files': 'write',
  };
  const phases = [...stderr.matchAll(/^timing: (.+?) +([\d.]+) s$/gm)]
    .filter((match) => (match[1] as string) in names)
    .map((match) => `${names[match[1] as string]} ${Number(match[2]).toFixed(2)} s`);
  return phases.length > 0 ? phases.join(', ') : undefined;
}

function megabytes(file: string): string {
  return existsSync(file) ? `${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB` : 'missing';
}

/**
 * The output files of two scans of the same snapshot that differ once each scan's time
 * (`generatedAt`, which every format prints as is) is taken out.
 */
function differingOutputs(a: string, b: string): string[] {
  const timeOf = (dir: string) =>
    (JSON.parse(readFileSync(path.join(dir, 'meshready-report.json'), 'utf8')) as { generatedAt: string })
      .generatedAt;
  const [timeA, timeB] = [timeOf(a), timeOf(b)];
  const names = [...new Set([...readdirSync(a), ...readdirSync(b)])].sort();
  return names.filter((name) => {
    const [fileA, fileB] = [path.join(a, name), path.join(b, name)];
    if (!existsSync(fileA) || !existsSync(fileB)) return true;
    return (
      readFileSync(fileA, 'utf8').replaceAll(timeA, 'TIME') !==
      readFileSync(fileB, 'utf8').replaceAll(timeB, 'TIME')
    );
  });
}

/** Fingerprint and file:line of every finding of a JSON report, sorted. */
function findingKeys(reportFile: string): string[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    results: { findings: { fingerprint: string; location?: { file: string; line: number } }[] }[];
  };
  return report.results
    .flatMap((r) =>
      r.findings.map((f) => `${f.fingerprint} ${f.location?.file ?? ''}:${f.location?.line ?? ''}`),
    )
    .sort();
}

/** `npm ci --omit=dev` of this package's manifest and lock in a temporary directory. */
export async function measureInstall(): Promise<Measurement> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshready-install-'));
  try {
    copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(dir, 'package-lock.json'));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const started = performance.now();
    // --ignore-scripts: this package's own `prepare` builds with devDependencies.
    const run = spawnSync(npm, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const seconds = (performance.now() - started) / 1000;
    const du = spawnSync('du', ['-sm', path.join(dir, 'node_modules')], { encoding: 'utf8' });
    const mib = Number(/^(\d+)/.exec(du.stdout ?? '')?.[1] ?? Number.NaN);
    if (run.status !== 0) process.stderr.write(`bench: npm ci failed:\n${run.stderr}\n`);
    return {
      size: '-',
      task: 'install (npm ci --omit=dev)',
      seconds,
      peakMb: undefined,
      exitCode: run.status,
      note: `node_modules ${mib} MiB on disk (du -sm)`,
      installMiB: mib,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function filesIn(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((f) => path.join(dir, f));
}

async function prepare(sizeName: keyof typeof SIZES, out: string): Promise<string> {
  const dir = path.join(out, sizeName);
  const marker = path.join(dir, '.complete');
  if (!existsSync(marker)) {
    process.stderr.write(`generating cluster ${sizeName} in ${dir}…\n`);
    await generateCluster({ size: SIZES[sizeName], out: dir, seed: 42 });
    const snapshot = await loadSnapshot([path.join(dir, 'json')]);
    mkdirSync(path.join(dir, 'bundle'), { recursive: true });
    writeFileSync(
      path.join(dir, 'bundle', 'snapshot.json'),
      JSON.stringify(snapshotToBundle(snapshot, new Date('2026-11-25T00:00:00Z'), TOOL_VERSION)),
    );
    writeFileSync(marker, new Date().toISOString());
  }
  return dir;
}

async function benchSize(
  sizeName: keyof typeof SIZES,
  out: string,
  latencyMs: number,
  tasks: readonly Task[],
): Promise<Measurement[]> {
  const dir = await prepare(sizeName, out);
  const reports = path.join(dir, 'reports');
  const scan = (input: string, outputs = input) => [
    MAIN,
    'scan',
    '--snapshot',
    path.join(dir, input),
    '--format',
    'html,json,sarif,markdown',
    '--output-dir',
    path.join(reports, outputs),
    '--quiet',
  ];
  const results: Measurement[] = [];
  const has = (task: Task) => tasks.includes(task);
  if (has('json')) {
    const json = await measure(sizeName, 'scan json', process.execPath, scan('json'));
    const outputs = path.join(reports, 'json');
    const remediate = path.join(outputs, 'remediate.sh');
    results.push({
      ...json,
      ...(existsSync(remediate) ? { remediateBytes: statSync(remediate).size } : {}),
      note: `remediate.sh ${megabytes(remediate)}, HTML ${megabytes(path.join(outputs, 'meshready-report.html'))}, JSON ${megabytes(path.join(outputs, 'meshready-report.json'))}${json.phases ? `; ${json.phases}` : ''}`,
    });
  }
  if (has('migrating')) {
    // The same files, and an istiod of the revision namespaces select (istio-1611) that is ready.
    const migrating = path.join(dir, 'json-migrating');
    if (!existsSync(migrating)) {
      mkdirSync(migrating);
      for (const file of readdirSync(path.join(dir, 'json')))
        symlinkSync(path.join('..', 'json', file), path.join(migrating, file));
      writeFileSync(path.join(migrating, 'istiod.json'), readyIstiodList('istio-1611'));
    }
    const args = [
      MAIN,
      'scan',
      '--snapshot',
      migrating,
      '--format',
      'json',
      '--output-dir',
      path.join(reports, 'json-migrating'),
      '--quiet',
    ];
    const run = await measure(sizeName, 'scan json (mid-migration)', process.execPath, args);
    const remediate = path.join(reports, 'json-migrating', 'remediate.sh');
    results.push({
      ...run,
      ...(existsSync(remediate) ? { remediateBytes: statSync(remediate).size } : {}),
      note: `remediate.sh ${megabytes(remediate)} (every namespace move planned)`,
    });
  }
  if (has('html')) {
    const html = await htmlOpenTiming(path.join(reports, 'json', 'meshready-report.html'));
    results.push({
      size: sizeName,
      task: 'html open (chromium)',
      seconds: html.loadMs / 1000,
      peakMb: undefined,
      exitCode: 0,
      note: `first contentful paint ${(html.firstContentfulPaintMs / 1000).toFixed(2)} s`,
    });
  }
  if (has('json-1')) {
    const single = await measure(sizeName, 'scan json (1 thread)', process.execPath, scan('json', 'json-1'), {
      MESHREADY_LOAD_WORKERS: '0',
      MESHREADY_RENDER_WORKERS: '0',
    });
    const parallelKeys = findingKeys(path.join(reports, 'json', 'meshready-report.json'));
    const singleKeys = findingKeys(path.join(reports, 'json-1', 'meshready-report.json'));
    const differing = differingOutputs(path.join(reports, 'json'), path.join(reports, 'json-1'));
    const same = JSON.stringify(parallelKeys) === JSON.stringify(singleKeys) && differing.length === 0;
    results.push({
      ...single,
      sameFindings: same,
      note: same
        ? `same ${parallelKeys.length} findings (fingerprint, file:line) and same files, but for the scan time, as the parallel scan`
        : `DIFFERENT: ${singleKeys.length} findings single-threaded, ${parallelKeys.length} parallel; files differing: ${differing.join(', ') || 'none'}`,
    });
  }
  if (has('yaml')) results.push(await measure(sizeName, 'scan yaml', process.execPath, scan('yaml')));
  if (has('bundle')) results.push(await measure(sizeName, 'scan bundle', process.execPath, scan('bundle')));
  if (has('bare-json')) {
    results.push(
      await measure(sizeName, 'bare JSON.parse', process.execPath, [
        path.join(ROOT, 'bench', 'bare-parse.ts'),
        'json',
        ...filesIn(path.join(dir, 'json')),
      ]),
    );
  }
  if (has('bare-yaml')) {
    results.push(
      await measure(sizeName, 'bare yaml parse', process.execPath, [
        BIG_HEAP,
        path.join(ROOT, 'bench', 'bare-parse.ts'),
        'yaml',
        ...filesIn(path.join(dir, 'yaml')),
      ]),
    );
  }
  if (!has('live') && !has('kubectl')) return results;
  const server = await startBenchApiServer(path.join(dir, 'json'), latencyMs);
  try {
    if (has('live')) {
      server.resetRequests();
      const live = await measure(sizeName, 'live collect', process.execPath, [
        MAIN,
        'collect',
        '--kubeconfig',
        server.kubeconfig,
        '--output',
        path.join(dir, 'live-bundle.json.gz'),
        '--quiet',
      ]);
      results.push({ ...live, requests: server.requestCount() });
    }
    if (has('kubectl')) {
      server.resetRequests();
      const kubectl = await measure(sizeName, 'kubectl get pods', 'kubectl', [
        '--kubeconfig',
        server.kubeconfig,
        'get',
        'pods',
        '-A',
        '-o',
        'json',
        '--chunk-size=500',
      ]);
      results.push({ ...kubectl, requests: server.requestCount() });
    }
  } finally {
    await server.close();
  }
  return results;
}

function ratio(a: Measurement | undefined, b: Measurement | undefined, field: 'seconds' | 'peakMb'): string {
  const x = a?.[field];
  const y = b?.[field];
  return x !== undefined && y !== undefined && y > 0 ? `${(x / y).toFixed(2)}×` : 'n/a';
}

export function formatTable(results: readonly Measurement[]): string {
  const rows = [['size', 'task', 'wall s', 'peak MB', 'requests', 'exit', 'note']];
  for (const r of results) {
    rows.push([
      r.size,
      r.task,
      r.seconds.toFixed(2),
      r.peakMb === undefined ? 'n/a' : r.peakMb.toFixed(0),
      r.requests === undefined ? '' : String(r.requests),
      String(r.exitCode),
      r.note ?? '',
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  const sizes = [...new Set(results.map((r) => r.size))];
  const find = (size: string, task: string) => results.find((r) => r.size === size && r.task === task);
  lines.push(
    '',
    'ratios (targets: json scan/JSON.parse <= 1.0 in time and memory, yaml scan/yaml parse <= 0.25, live/kubectl <= 1, L/M time <= 12, remediate.sh at L <= 2 MiB, install <= 150 MiB)',
  );
  for (const size of sizes.filter((s) => s !== '-')) {
    const single = find(size, 'scan json (1 thread)');
    if (single) {
      lines.push(
        `${size}: json scan single-threaded/JSON.parse time ${ratio(single, find(size, 'bare JSON.parse'), 'seconds')}, ` +
          `memory ${ratio(single, find(size, 'bare JSON.parse'), 'peakMb')}; ` +
          `parallel/single-threaded time ${ratio(find(size, 'scan json'), single, 'seconds')}; ` +
          `same findings: ${single.sameFindings ? 'yes' : 'NO'}`,
      );
    }
    for (const task of ['scan json', 'scan json (mid-migration)']) {
      const remediate = find(size, task)?.remediateBytes;
      if (remediate !== undefined)
        lines.push(`${size}: remediate.sh ${(remediate / 1024 / 1024).toFixed(2)} MiB (${task})`);
    }
    lines.push(
      `${size}: json scan/JSON.parse time ${ratio(find(size, 'scan json'), find(size, 'bare JSON.parse'), 'seconds')}, ` +
        `memory ${ratio(find(size, 'scan json'), find(size, 'bare JSON.parse'), 'peakMb')}; ` +
        `yaml scan/yaml parse time ${ratio(find(size, 'scan yaml'), find(size, 'bare yaml parse'), 'seconds')}, ` +
        `memory ${ratio(find(size, 'scan yaml'), find(size, 'bare yaml parse'), 'peakMb')}; ` +
        `live/kubectl time ${ratio(find(size, 'live collect'), find(size, 'kubectl get pods'), 'seconds')}`,
    );
  }
  if (sizes.includes('L') && sizes.includes('M')) {
    for (const task of ['scan json', 'scan json (1 thread)', 'scan yaml', 'scan bundle', 'live collect']) {
      if (find('L', task) && find('M', task))
        lines.push(`L/M ${task}: ${ratio(find('L', task), find('M', task), 'seconds')}`);
    }
  }
  const install = find('-', 'install (npm ci --omit=dev)');
  if (install)
    lines.push(`production install: ${install.installMiB} MiB on disk, ${install.seconds.toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

export async function runBench(
  sizes: readonly string[],
  out: string,
  latencyMs: number,
  tasks: readonly Task[] = DEFAULT_TASKS,
): Promise<Measurement[]> {
  for (const task of tasks) if (!Object.hasOwn(TASKS, task)) throw new Error(`unknown task ${task}`);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('bench: the build failed');
  copyBash(path.join(ROOT, 'dist'));
  const results: Measurement[] = [];
  for (const size of sizes) {
    if (!Object.hasOwn(SIZES, size)) throw new Error(`unknown size ${size}`);
    results.push(...(await benchSize(size as keyof typeof SIZES, out, latencyMs, tasks)));
    process.stderr.write(`finished ${size}\n`);
  }
  if (tasks.includes('install')) results.push(await measureInstall());
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

const HELP = `node bench/run.ts [options]   (npm run bench -- [options])
  --sizes S,M,L     sizes to run (default S,M,L; L needs 14 GB for the bare yaml parse)
  --tasks LIST      comma-separated tasks (default: all):
${Object.entries(TASKS)
  .map(([task, what]) => `                      ${task.padEnd(10)} ${what}`)
  .join('\n')}
  --out DIR         where clusters and reports are written (default bench-out)
  --latency-ms N    latency added to every test API server request (default 5)
`;

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const value = (flag: string, fallback: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const out = path.resolve(ROOT, value('--out', 'bench-out'));
  const results = await runBench(
    value('--sizes', 'S,M,L').split(','),
    out,
    Number(value('--latency-ms', '5')),
    value('--tasks', Object.keys(TASKS).join(',')).split(',') as Task[],
  );
  process.stdout.write(formatTable(results));
  process.stdout.write(
    `\nmachine: ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU'}, `,
  );
  process.stdout.write(`${(await import('node:os')).cpus().length} cores, node ${process.version}\n`);
}
