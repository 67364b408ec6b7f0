/**
 * `meshready convert`: print the v1beta1 equivalents of the v1alpha1 security policies found in a
 * snapshot or a live cluster (SPEC §12). Exit 0 when everything converted, 1 when an object could
 * not be converted faithfully (named on stderr with the reason; nothing is written for it).
 * Warnings (parts 1.4 ignored, documented 1.6 differences) go to stderr and do not change the exit.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertSnapshot, describeSource, rootNamespaceOf } from '../convert/index.ts';
import { renderPoliciesYaml } from '../convert/yaml.ts';
import { UsageError } from '../errors.ts';
import { TOOL_VERSION } from '../package-root.ts';
import type { CliIO } from './io.ts';
import { Progress } from './progress.ts';
import { type LiveFlags, readSnapshot, snapshotSourceOf } from './source.ts';

export interface ConvertCliOptions {
  readonly snapshot: readonly string[];
  readonly live?: LiveFlags | undefined;
  readonly rootNamespace?: string | undefined;
  readonly allowNoClusterRbacConfig: boolean;
  readonly ignoreUnknownFields?: boolean | undefined;
  readonly output?: string | undefined;
  readonly quiet: boolean;
}

export async function convert(options: ConvertCliOptions, io: CliIO): Promise<number> {
  const source = snapshotSourceOf(options.snapshot, options.live);
  if (options.rootNamespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.rootNamespace)) {
    throw new UsageError(`--root-namespace "${options.rootNamespace}" is not a namespace name`);
  }
  const progress = new Progress(io);
  const snapshot = await readSnapshot(source, io, progress);
  progress.done();
  const rootNamespace = options.rootNamespace ?? rootNamespaceOf(snapshot);
  const result = convertSnapshot(snapshot, {
    rootNamespace,
    allowNoClusterRbacConfig: options.allowNoClusterRbacConfig,
    ignoreUnknownFields: options.ignoreUnknownFields === true,
  });
  const yaml = renderPoliciesYaml(
    result.objects,
    `security.istio.io/v1beta1 objects written by meshready ${TOOL_VERSION} convert (root namespace ${rootNamespace}).\nApply with a server-side dry run first: kubectl apply --dry-run=server -f FILE`,
  );
  if (options.output !== undefined) {
    const file = path.resolve(io.cwd, options.output);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, yaml);
  } else {
    io.stdout.write(yaml);
  }
  for (const problem of result.problems) {
    io.stderr.write(`meshready: cannot convert ${describeSource(problem.source)}: ${problem.reason}\n`);
  }
  if (!options.quiet) {
    for (const warning of result.warnings) {
      io.stderr.write(`meshready: warning: ${describeSource(warning.source)}: ${warning.reason}\n`);
    }
    for (const skipped of result.skipped) {
      io.stderr.write(
        `meshready: nothing written for ${describeSource(skipped.source)}: ${skipped.reason}\n`,
      );
    }
    const failed = result.problems.length > 0 ? `, ${result.problems.length} could not be converted` : '';
    io.stderr.write(`meshready: ${result.objects.length} v1beta1 objects written${failed}\n`);
  }
  return result.problems.length > 0 ? 1 : 0;
}
