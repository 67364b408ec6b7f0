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
 * It prints a table with the ratios the targets are stated in, and writes bench-out/results.json.
 *
 *   node bench/run.ts [--sizes S,M,L] [--out bench-out] [--latency-ms 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateCluster, SIZES } from '../fixtures/generate-cluster.ts';
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

export interface Measurement {
  readonly size: string;
  readonly task: string;
  readonly seconds: number;
  /** Peak resident set size of the measured process, in MB (undefined without /usr/bin/time). */
  readonly peakMb: number | undefined;
  readonly requests?: number;
  readonly exitCode: number | null;
  readonly note?: string;
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
    env: { ...process.env, ...env },
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
  return { size, task, seconds, peakMb: line ? Number(line[2]) / 1024 : undefined, exitCode };
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
): Promise<Measurement[]> {
  const dir = await prepare(sizeName, out);
  const reports = path.join(dir, 'reports');
  const scan = (input: string) => [
    MAIN,
    'scan',
    '--snapshot',
    path.join(dir, input),
    '--format',
    'html,json,sarif,markdown',
    '--output-dir',
    path.join(reports, input),
    '--quiet',
  ];
  const results: Measurement[] = [];
  results.push(await measure(sizeName, 'scan json', process.execPath, scan('json')));
  const html = await htmlOpenTiming(path.join(reports, 'json', 'meshready-report.html'));
  results.push({
    size: sizeName,
    task: 'html open (chromium)',
    seconds: html.loadMs / 1000,
    peakMb: undefined,
    exitCode: 0,
    note: `first contentful paint ${(html.firstContentfulPaintMs / 1000).toFixed(2)} s`,
  });
  results.push(await measure(sizeName, 'scan yaml', process.execPath, scan('yaml')));
  results.push(await measure(sizeName, 'scan bundle', process.execPath, scan('bundle')));
  results.push(
    await measure(sizeName, 'bare JSON.parse', process.execPath, [
      path.join(ROOT, 'bench', 'bare-parse.ts'),
      'json',
      ...filesIn(path.join(dir, 'json')),
    ]),
  );
  results.push(
    await measure(sizeName, 'bare yaml parse', process.execPath, [
      BIG_HEAP,
      path.join(ROOT, 'bench', 'bare-parse.ts'),
      'yaml',
      ...filesIn(path.join(dir, 'yaml')),
    ]),
  );

  const server = await startBenchApiServer(path.join(dir, 'json'), latencyMs);
  try {
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
  lines.push('', 'ratios (targets: scan/bare <= 1.5 in time and memory, live/kubectl <= 1, L/M time <= 12)');
  for (const size of sizes) {
    lines.push(
      `${size}: json scan/JSON.parse time ${ratio(find(size, 'scan json'), find(size, 'bare JSON.parse'), 'seconds')}, ` +
        `memory ${ratio(find(size, 'scan json'), find(size, 'bare JSON.parse'), 'peakMb')}; ` +
        `yaml scan/yaml parse time ${ratio(find(size, 'scan yaml'), find(size, 'bare yaml parse'), 'seconds')}, ` +
        `memory ${ratio(find(size, 'scan yaml'), find(size, 'bare yaml parse'), 'peakMb')}; ` +
        `live/kubectl time ${ratio(find(size, 'live collect'), find(size, 'kubectl get pods'), 'seconds')}`,
    );
  }
  if (sizes.includes('L') && sizes.includes('M')) {
    for (const task of ['scan json', 'scan yaml', 'scan bundle', 'live collect']) {
      lines.push(`L/M ${task}: ${ratio(find('L', task), find('M', task), 'seconds')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function runBench(
  sizes: readonly string[],
  out: string,
  latencyMs: number,
): Promise<Measurement[]> {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('bench: the build failed');
  const results: Measurement[] = [];
  for (const size of sizes) {
    if (!Object.hasOwn(SIZES, size)) throw new Error(`unknown size ${size}`);
    results.push(...(await benchSize(size as keyof typeof SIZES, out, latencyMs)));
    process.stderr.write(`finished ${size}\n`);
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const out = path.resolve(ROOT, value('--out', 'bench-out'));
  const results = await runBench(
    value('--sizes', 'S,M,L').split(','),
    out,
    Number(value('--latency-ms', '5')),
  );
  process.stdout.write(formatTable(results));
  process.stdout.write(
    `\nmachine: ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU'}, `,
  );
  process.stdout.write(`${(await import('node:os')).cpus().length} cores, node ${process.version}\n`);
}
