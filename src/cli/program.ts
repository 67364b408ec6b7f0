/**
 * The commander program. Each command lives in its own file; this one only declares options
 * and hands typed values to them. Errors propagate to main.ts, the only place that exits.
 */
import { Command, CommanderError, Option } from 'commander';
import { TARGETS, type Target } from '../engine/vocabulary.ts';
import { UsageError } from '../errors.ts';
import { TOOL_VERSION } from '../package-root.ts';
import { DEFAULT_FORMATS, FORMATS, type Format, isFormat } from '../report/formats.ts';
import { collect as collectBundle } from './collect.ts';
import { convert } from './convert.ts';
import { diff } from './diff.ts';
import type { CliIO } from './io.ts';
import { DEFAULT_IMAGE, manifests } from './manifests.ts';
import { RENDERABLE_FORMATS, type RenderableFormat, renderReport } from './report.ts';
import { type CatalogueFormat, listRules } from './rules.ts';
import { type FailOn, scan } from './scan.ts';
import { addLiveSourceOptions, liveFlagsOf } from './source.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseFormats(value: string): Format[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknownNames = names.filter((name) => !isFormat(name));
  if (unknownNames.length > 0 || names.length === 0) {
    throw new UsageError(
      `--format: unknown format "${unknownNames.join(',')}" (choose from ${FORMATS.join(', ')})`,
    );
  }
  return [...new Set(names as Format[])];
}

export function buildProgram(io: CliIO, done: (exitCode: number) => void): Command {
  const program = new Command('meshready')
    .description(
      'Read-only readiness scanner for GKE clusters moving from the Istio on GKE add-on (1.4) to Istio 1.6 and ASM.',
    )
    .version(TOOL_VERSION, '--version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  addLiveSourceOptions(
    program
      .command('scan')
      .description('scan a snapshot or a live cluster and write the readiness reports')
      .option('--snapshot <path>', 'snapshot file or directory (repeatable)', collect, []),
  )
    .addOption(new Option('--target <target>', 'migration target').choices(TARGETS).default('istio-1.6'))
    .option('--upgrade-to <version>', 'GKE version the cluster will be upgraded to, e.g. 1.17.12-gke.1501')
    .option('--format <formats>', `comma-separated: ${FORMATS.join(',')}`, DEFAULT_FORMATS.join(','))
    .option('--output-dir <dir>', 'where the reports go', './meshready-report')
    .option('--json', 'print the JSON report to stdout (and nothing else on stdout)')
    .addOption(
      new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level')
        .choices(['error', 'warning', 'info', 'never'])
        .default('error'),
    )
    .option('--config <file>', 'configuration file (default: ./meshready.yaml when present)')
    .option('--baseline <file>', 'an earlier JSON report: mark findings new/unchanged, list resolved ones')
    .option('--fail-on-new', 'only findings not in the --baseline decide the exit code')
    .option('--no-annotation-exemptions', 'ignore meshready.dev/ignore annotations on objects')
    .option('--sarif-root <dir>', 'directory SARIF file locations are relative to', '.')
    .option('--sarif-category <id>', 'SARIF automationDetails.id (one per scanned cluster/target)')
    .option('-q, --quiet', 'no summary on stderr')
    .option('-v, --verbose', 'stack traces on errors')
    .action(async (opts, command: Command) => {
      const outputDirGiven = command.getOptionValueSource('outputDir') === 'cli';
      done(
        await scan(
          {
            snapshot: opts.snapshot,
            live: liveFlagsOf(opts),
            // Flags win over the config file; a default is not a flag.
            target: command.getOptionValueSource('target') === 'cli' ? (opts.target as Target) : undefined,
            upgradeTo: opts.upgradeTo,
            config: opts.config,
            baseline: opts.baseline,
            failOnNew: opts.failOnNew === true,
            annotationExemptions:
              command.getOptionValueSource('annotationExemptions') === 'cli' ? false : undefined,
            formats: parseFormats(opts.format),
            outputDir: opts.outputDir,
            writeFiles: !opts.json || outputDirGiven,
            json: opts.json === true,
            failOn: opts.failOn as FailOn,
            quiet: opts.quiet === true,
            sarifRoot: opts.sarifRoot,
            sarifCategory: opts.sarifCategory,
          },
          io,
        ),
      );
    });

  addLiveSourceOptions(
    program
      .command('collect')
      .description('read a live cluster (read-only) and write a snapshot bundle for `scan --snapshot`'),
  )
    .requiredOption('--output <file>', 'the bundle: FILE.json, .yaml or .yml, gzipped when it ends in .gz')
    .option('-q, --quiet', 'no summary on stderr')
    .option('-v, --verbose', 'stack traces on errors')
    .action(async (opts) => {
      done(
        await collectBundle({ live: liveFlagsOf(opts), output: opts.output, quiet: opts.quiet === true }, io),
      );
    });

  addLiveSourceOptions(
    program
      .command('convert')
      .description(
        'print the v1alpha1 security policies as the security.istio.io/v1beta1 objects Istio 1.6 reads',
      )
      .option('--snapshot <path>', 'snapshot file or directory (repeatable)', collect, []),
  )
    .option(
      '--root-namespace <ns>',
      "where mesh-wide objects go (default: the mesh config's, else istio-system)",
    )
    .option(
      '--allow-no-cluster-rbac-config',
      'convert ServiceRoles even without a ClusterRbacConfig (adds enforcement)',
    )
    .option('--output <file>', 'write the YAML to this file instead of stdout')
    .option('-q, --quiet', 'only the objects that could not be converted on stderr')
    .option('-v, --verbose', 'stack traces on errors')
    .action(async (opts) => {
      done(
        await convert(
          {
            snapshot: opts.snapshot,
            live: liveFlagsOf(opts),
            rootNamespace: opts.rootNamespace,
            allowNoClusterRbacConfig: opts.allowNoClusterRbacConfig === true,
            output: opts.output,
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });

  program
    .command('rules')
    .description('list the rule catalogue, or explain one rule')
    .argument('[rule-id]', 'a rule id')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .action((ruleId: string | undefined, opts) => {
      done(listRules(ruleId, opts.format as CatalogueFormat, io));
    });

  program
    .command('report')
    .description('re-render a saved JSON report as HTML, SARIF or Markdown')
    .argument('<report>', 'a JSON report written by `meshready scan` (meshready-report.json)')
    .addOption(
      new Option('--format <format>', 'output format').choices(RENDERABLE_FORMATS).makeOptionMandatory(),
    )
    .option('--output <file>', 'write to this file instead of stdout')
    .option('--sarif-root <dir>', 'directory SARIF file locations are relative to', '.')
    .option('--sarif-category <id>', 'SARIF automationDetails.id (one per scanned cluster/target)')
    .option('--remediation-script <file>', 'also write remediate.sh, made from this report, to <file>')
    .action(async (reportFile: string, opts) => {
      done(
        await renderReport(
          reportFile,
          {
            format: opts.format as RenderableFormat,
            output: opts.output,
            sarifRoot: opts.sarifRoot,
            sarifCategory: opts.sarifCategory,
            remediationScript: opts.remediationScript,
          },
          io,
        ),
      );
    });

  program
    .command('diff')
    .description('compare two JSON reports: new, resolved and unchanged findings')
    .argument('<old>', 'the earlier JSON report (the baseline)')
    .argument('<new>', 'the later JSON report')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('--json', 'same as --format json: {"new", "resolved", "unchanged", "unverified"}')
    .addOption(
      new Option('--fail-on-new [level]', 'exit 1 when a new unsuppressed finding is at or above level')
        .choices(['error', 'warning', 'info'])
        .preset('error'),
    )
    .action(async (oldFile: string, newFile: string, opts) => {
      done(
        await diff(
          oldFile,
          newFile,
          { format: opts.json ? 'json' : opts.format, failOnNew: opts.failOnNew },
          io,
        ),
      );
    });

  program
    .command('manifests')
    .description('print the read-only RBAC and a CronJob for a scheduled in-cluster scan (YAML)')
    .option('--namespace <ns>', 'namespace of the scanner', 'meshready')
    .option('--no-create-namespace', 'do not print the Namespace (it exists already)')
    .option('--image <image>', 'the meshready container image', DEFAULT_IMAGE)
    .option('--schedule <cron>', 'when to scan, in cron syntax', '0 2 * * *')
    .option('--kube-version <version>', "the cluster's Kubernetes version (picks the CronJob API)", '1.16')
    .option('--gcp-service-account <email>', 'Google service account for Workload Identity')
    .option('--project <project>', 'GKE project, passed to the scan')
    .option('--location <location>', 'GKE location, passed to the scan')
    .option('--cluster <cluster>', 'GKE cluster name, passed to the scan')
    .addOption(new Option('--target <target>', 'migration target, passed to the scan').choices(TARGETS))
    .addOption(
      new Option('--fail-on <level>', 'passed to the scan').choices(['error', 'warning', 'info', 'never']),
    )
    .option('--config <file>', 'a meshready.yaml to ship in a ConfigMap and scan with')
    .option('--output-claim <pvc>', 'an existing PersistentVolumeClaim the reports are also written to')
    .action(async (opts) => {
      done(await manifests({ ...opts, createNamespace: opts.createNamespace !== false }, io));
    });

  return program;
}

/** Runs the CLI and returns its exit code; typed errors propagate to the caller. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with exit code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  return exitCode;
}
