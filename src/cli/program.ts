/**
 * The commander program. Each command lives in its own file; this one only declares options
 * and hands typed values to them. Errors propagate to main.ts, the only place that exits.
 */
import { Command, CommanderError, Option } from 'commander';
import { TARGETS, type Target } from '../engine/vocabulary.ts';
import { UsageError } from '../errors.ts';
import { TOOL_VERSION } from '../package-root.ts';
import { DEFAULT_FORMATS, FORMATS, type Format, isFormat } from '../report/formats.ts';
import { wrapText } from '../text/wrap.ts';
import { collect as collectBundle } from './collect.ts';
import { convert } from './convert.ts';
import { diff } from './diff.ts';
import { type CliIO, wrapWidth } from './io.ts';
import { DEFAULT_IMAGE, manifests } from './manifests.ts';
import { RENDERABLE_FORMATS, type RenderableFormat, renderReport } from './report.ts';
import { type CatalogueFormat, listRules } from './rules.ts';
import { type FailOn, scan } from './scan.ts';
import { addLiveSourceOptions, liveFlagsOf } from './source.ts';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
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

const SCAN_EXIT_CODES = `
Exit codes:
  0  no unsuppressed finding at or above --fail-on, and every gating rule was checked
  1  at least one such finding, or the verdict is UNKNOWN (a gating rule could not be
     checked); --fail-on never exits 0 whatever the scan found
  2  usage, configuration or input error (bad flag; unreadable or malformed file, named with its line;
     a snapshot with nothing recognised in it)
  3  the scan could not run (cluster or API unreachable, credentials rejected)`;

/** Examples and exit codes after each command's options, as kubectl and gcloud print them. */
const HELP_AFTER: Readonly<Record<string, string>> = {
  meshready: `
Examples:
  meshready scan --snapshot ./snapshot --upgrade-to 1.17.12-gke.1501
  meshready scan --context gke_my-project_europe-west1_prod --target asm-1.7
  meshready rules service-port-naming
${SCAN_EXIT_CODES}

Run "meshready COMMAND --help" for a command's options and examples.`,
  scan: `
Without --snapshot or a live option, scan reads the cluster of kubectl's current context.

Examples:
  # Files dumped with kubectl and gcloud (see the README for the commands)
  meshready scan --snapshot ./snapshot --upgrade-to 1.17.12-gke.1501
  # The current kubectl context; reports in ./meshready-report
  meshready scan
  # A named context, checked for Anthos Service Mesh 1.7
  meshready scan --context gke_my-project_europe-west1_prod --target asm-1.7
  # CI: JSON on stdout, fail only on findings the last report did not have
  meshready scan --snapshot ./snapshot --json --baseline last.json --fail-on-new > report.json
${SCAN_EXIT_CODES}`,
  collect: `
Without a live option, collect reads the cluster of kubectl's current context.

Examples:
  meshready collect --output cluster.json.gz
  meshready collect --context gke_my-project_europe-west1_prod --output prod.yaml
  meshready scan --snapshot cluster.json.gz

Exit codes:
  0  the bundle was written
  2  usage or input error (bad flag, unreadable kubeconfig)
  3  the cluster or an API could not be read`,
  rules: `
Examples:
  meshready rules
  meshready rules service-port-naming
  meshready rules --format markdown > rules.md

Exit codes:
  0  printed
  2  usage error (unknown rule or format)`,
  report: `
Examples:
  meshready report meshready-report/meshready-report.json --format markdown >> "$GITHUB_STEP_SUMMARY"
  meshready report old/meshready-report.json --format html --output report.html

Exit codes:
  0  rendered
  2  usage or input error (unreadable or malformed report)`,
  diff: `
Examples:
  meshready diff last.json tonight.json
  meshready diff last.json tonight.json --format markdown
  meshready diff --fail-on-new --fail-on warning last.json tonight.json

Exit codes:
  0  compared (with --fail-on-new: no new finding at or above --fail-on)
  1  with --fail-on-new: at least one new unsuppressed finding at or above --fail-on
  2  usage or input error (unreadable or malformed report)`,
  convert: `
Without --snapshot or a live option, convert reads the cluster of kubectl's current context.
The output allows a request exactly when Istio 1.4 did; what cannot be written that way is
refused (named on stderr with the reason) and nothing is written for it. See docs/convert.md.

Examples:
  # The v1beta1 policies of a snapshot, reviewed before they are applied
  meshready convert --snapshot ./snapshot --output v1beta1-policies.yaml
  kubectl apply --dry-run=server -f v1beta1-policies.yaml
  # The current kubectl context, with a custom mesh root namespace
  meshready convert --root-namespace mesh-root > v1beta1-policies.yaml
  # Objects with fields 1.4 ignored (typos?) converted as 1.4 read them
  meshready convert --snapshot ./snapshot --ignore-unknown-fields

Exit codes:
  0  every v1alpha1 object was converted (warnings, if any, on stderr)
  1  at least one object could not be converted faithfully (named on stderr; the rest is written)
  2  usage or input error (bad flag; unreadable or malformed file, named with its line)
  3  the cluster or an API could not be read`,
  manifests: `
Examples:
  # Review, then apply (not into meshready.yaml: that is the configuration's name)
  meshready manifests --image registry.example.com/meshready:0.1.0 > meshready-cronjob.yaml
  meshready manifests --image registry.example.com/meshready:0.1.0 | kubectl apply -f -
  meshready manifests --gcp-service-account meshready@my-project.iam.gserviceaccount.com

Exit codes:
  0  printed
  2  usage error`,
};

/** One error style for commander's messages and ours: "meshready: what went wrong". */
function outputError(text: string, write: (text: string) => void): void {
  write(text.replace(/^error: /, 'meshready: '));
}

function withHelp(command: Command): Command {
  const after = HELP_AFTER[command.name()];
  return after === undefined ? command : command.addHelpText('after', after);
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
      // Help on a terminal wraps to its width, at most 100 columns (SPEC §1): commander wraps the
      // option descriptions in their column, and what it leaves too long (examples, a narrow
      // terminal) wraps here. Piped help is not wrapped at all.
      writeOut: (text) => io.stdout.write(wrapText(text, wrapWidth(io, 'stdout'))),
      writeErr: (text) => io.stderr.write(wrapText(text, wrapWidth(io, 'stderr'))),
      getOutHelpWidth: () => wrapWidth(io, 'stdout') ?? Number.MAX_SAFE_INTEGER,
      getErrHelpWidth: () => wrapWidth(io, 'stderr') ?? Number.MAX_SAFE_INTEGER,
      outputError: (text, write) => outputError(text, write),
    })
    // Wrap descriptions however narrow their column is (commander's default gives up below 40).
    .configureHelp({ minWidthToWrap: 12 });

  addLiveSourceOptions(
    program
      .command('scan')
      .description('scan a snapshot or a live cluster and write the readiness reports')
      .option('--snapshot <path>', 'offline: snapshot file or directory (repeatable)', collect)
      .option(
        '--exclude-path <glob>',
        'offline: leave files of a --snapshot directory out, e.g. "src/mongodb/*.json" (repeatable)',
        collect,
      ),
  )
    .addOption(new Option('--target <target>', 'migration target').choices(TARGETS).default('istio-1.6'))
    .option('--upgrade-to <version>', 'GKE version the cluster will be upgraded to, e.g. 1.17.12-gke.1501')
    .option('--format <formats>', `comma-separated: ${FORMATS.join(',')}`, DEFAULT_FORMATS.join(','))
    .option('--output-dir <dir>', 'where the reports go', './meshready-report')
    .option(
      '--json',
      'print the JSON report to stdout (and nothing else there); report files only with --output-dir or --format',
    )
    .addOption(
      new Option(
        '--fail-on <level>',
        'exit 1 when a finding is at or above this level, or the verdict is UNKNOWN (never: always 0)',
      )
        .choices(['error', 'warning', 'info', 'never'])
        .default('error'),
    )
    .option('--config <file>', 'configuration file (default: ./meshready.yaml when present)')
    .option('--baseline <file>', 'an earlier JSON report: mark findings new/unchanged, list resolved ones')
    .option('--fail-on-new', 'only findings not in the --baseline decide the exit code')
    .option('--no-annotation-exemptions', 'ignore meshready.dev/ignore annotations on objects')
    .option('--sarif-root <dir>', 'directory SARIF file locations are relative to', '.')
    .option(
      '--sarif-category <id>',
      'SARIF category (automationDetails.id; default meshready/<cluster>/<target>)',
    )
    .option('-q, --quiet', 'no summary')
    .option('-v, --verbose', 'stack traces on errors')
    .action(async (opts, command: Command) => {
      // With --json the report goes to stdout; files only when asked for with --output-dir or --format.
      const filesAsked = ['outputDir', 'format'].some((name) => command.getOptionValueSource(name) === 'cli');
      done(
        await scan(
          {
            snapshot: opts.snapshot ?? [],
            excludePaths: opts.excludePath ?? [],
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
            writeFiles: !opts.json || filesAsked,
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
    .requiredOption(
      '--output <file>',
      '(required) the bundle: FILE.json, .yaml or .yml, gzipped when it ends in .gz',
    )
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
      .option('--snapshot <path>', 'offline: snapshot file or directory (repeatable)', collect),
  )
    .option(
      '--root-namespace <ns>',
      "where mesh-wide objects go (default: the mesh config's, else istio-system)",
    )
    .option(
      '--allow-no-cluster-rbac-config',
      'convert ServiceRoles even without a ClusterRbacConfig (adds enforcement)',
    )
    .option(
      '--ignore-unknown-fields',
      'convert objects with fields Istio 1.4 did not know as 1.4 read them: without those fields',
    )
    .option('--output <file>', 'write the YAML to this file instead of stdout')
    .option('-q, --quiet', 'only the objects that could not be converted on stderr')
    .option('-v, --verbose', 'stack traces on errors')
    .action(async (opts) => {
      done(
        await convert(
          {
            snapshot: opts.snapshot ?? [],
            live: liveFlagsOf(opts),
            rootNamespace: opts.rootNamespace,
            allowNoClusterRbacConfig: opts.allowNoClusterRbacConfig === true,
            ignoreUnknownFields: opts.ignoreUnknownFields === true,
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
      new Option('--format <format>', '(required) output format')
        .choices(RENDERABLE_FORMATS)
        .makeOptionMandatory(),
    )
    .option('--output <file>', 'write to this file instead of stdout')
    .option('--sarif-root <dir>', 'directory SARIF file locations are relative to', '.')
    .option(
      '--sarif-category <id>',
      'SARIF category (automationDetails.id; default meshready/<cluster>/<target>)',
    )
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
    // A flag and a separate level, as scan has them: an optional value would swallow OLD.json.
    .option('--fail-on-new', 'exit 1 when a new unsuppressed finding is at or above --fail-on')
    .addOption(
      new Option('--fail-on <level>', 'the level --fail-on-new counts from')
        .choices(['error', 'warning', 'info'])
        .default('error'),
    )
    .action(async (oldFile: string, newFile: string, opts) => {
      done(
        await diff(
          oldFile,
          newFile,
          { format: opts.json ? 'json' : opts.format, failOnNew: opts.failOnNew ? opts.failOn : undefined },
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

  for (const command of [program, ...program.commands]) withHelp(command);
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
