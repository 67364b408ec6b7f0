/**
 * `meshready collect [live options] --output FILE`: read the cluster (read-only) and write the
 * snapshot bundle, for review or a scan somewhere without access to the cluster (air-gapped).
 * `scan --snapshot FILE` on the bundle gives the same results as a live scan.
 */
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { UsageError } from '../errors.ts';
import { TOOL_VERSION } from '../package-root.ts';
import { snapshotToBundle } from '../snapshot/bundle.ts';
import { type ClusterSnapshot, PART_LABELS } from '../snapshot/model.ts';
import type { CliIO } from './io.ts';
import { ensureDirectory, writeOutputFile } from './output-files.ts';
import { Progress } from './progress.ts';
import { collectFromCluster, type LiveFlags } from './source.ts';

export interface CollectOptions {
  readonly live: LiveFlags;
  readonly output: string;
  readonly quiet: boolean;
}

/** The bundle's format from the file name; `scan --snapshot DIR` only picks these names up. */
export function bundleFormatOf(file: string): { format: 'json' | 'yaml'; gzip: boolean } {
  const gzip = file.endsWith('.gz');
  const name = (gzip ? file.slice(0, -'.gz'.length) : file).toLowerCase();
  if (name.endsWith('.json')) return { format: 'json', gzip };
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return { format: 'yaml', gzip };
  throw new UsageError(
    `--output "${file}": name the bundle *.json, *.yaml or *.yml (add .gz to compress), so \`scan --snapshot\` recognises it`,
  );
}

function collectSummary(snapshot: ClusterSnapshot, written: string, bytes: number): string {
  const objects =
    Object.values(snapshot.kube).reduce((sum, objects) => sum + objects.length, 0) +
    (snapshot.gkeCluster ? 1 : 0) +
    snapshot.firewalls.length +
    snapshot.machineTypes.length;
  const lines = [
    `meshready ${TOOL_VERSION}: collected ${objects} objects from ${snapshot.source.inputs.join(' and ')}`,
  ];
  const missing = Object.entries(snapshot.coverage).flatMap(([part, coverage]) =>
    coverage.collected ? [] : [`  ${PART_LABELS[part as keyof typeof PART_LABELS]}: ${coverage.reason}`],
  );
  if (missing.length > 0) lines.push('Not collected (rules that need these will say unknown):', ...missing);
  lines.push(`Wrote: ${written} (${Math.ceil(bytes / 1024)} KiB)`);
  return `${lines.join('\n')}\n`;
}

export async function collect(options: CollectOptions, io: CliIO): Promise<number> {
  const { format, gzip } = bundleFormatOf(options.output);
  const progress = new Progress(io);
  const snapshot = await collectFromCluster(options.live, io, progress);
  progress.done();
  const bundle = snapshotToBundle(snapshot, io.now(), TOOL_VERSION);
  const text =
    format === 'json' ? `${JSON.stringify(bundle, null, 2)}\n` : stringify(bundle, { lineWidth: 0 });
  const bytes = gzip ? gzipSync(text) : Buffer.from(text);
  const file = path.resolve(io.cwd, options.output);
  // Through a temporary file and a rename: never half a bundle, never through a planted link.
  await ensureDirectory(path.dirname(file), path.dirname(options.output) || '.');
  await writeOutputFile(file, options.output, bytes);
  if (!options.quiet)
    io.stderr.write(collectSummary(snapshot, path.relative(io.cwd, file) || file, bytes.length));
  return 0;
}
