/**
 * remediate.sh (SPEC §9): the report's plan (./plan.ts) rendered through templates/remediate.sh.hbs,
 * every step kind through one generic partial (templates/remediate/step.hbs) and the bash library
 * its steps name (templates/remediate/lib/). A pure function of the report, so a saved JSON
 * report renders the same script.
 *
 * Shell is not HTML, so Handlebars runs with noEscape; in exchange every template is checked
 * when it is compiled: a mustache may only print through `shq` (shell quoting), `comment` (text
 * for a `#` line) or `ident` (a bash identifier). A bare `{{value}}` is a compile error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Report } from '../engine/report-model.ts';
import { templatePath } from '../package-root.ts';
import { printable } from '../text/printable.ts';
import { type PlanStep, planRemediation } from './plan.ts';
import { shq } from './shell.ts';
import { type Argv, CHECKS, type Step } from './step.ts';

export const SCRIPT_FILE_NAME = 'remediate.sh';

export interface ScriptContext {
  /** The JSON report the script came from, named in its header when known. */
  readonly reportFile?: string | undefined;
}

type HelperArgs = readonly unknown[];

/** The helpers whose output may be printed by a mustache. */
const PRINTING_HELPERS: ReadonlySet<string> = new Set(['shq', 'comment', 'ident']);
/** Block helpers the templates may use. */
const BLOCK_HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'raw']);

function words(args: HelperArgs, helper: string): string {
  const values = args.slice(0, -1); // the last argument is Handlebars' options object
  if (values.length === 0) throw new Error(`{{${helper}}} needs a value`);
  return values
    .map((value) => {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
      }
      throw new Error(
        `{{${helper}}} got ${value === undefined ? 'undefined' : typeof value}: a template bug`,
      );
    })
    .join('');
}

/**
 * One shell word. With one value it is a command argument: NUL cannot be passed to a command at
 * all, so it is replaced; nothing else is changed (the property test checks that kubectl receives
 * exactly the original string). As a message (`{{shq "Upgrade the GKE master to " params.version …}}`)
 * it is text the script prints (a step title, an Impact line before "Run this step?"), so
 * it is made printable too: a cluster value cannot drive the terminal the operator confirms on.
 */
function shellWord(...args: HelperArgs): string {
  const text = words(args, 'shq').replaceAll('\u0000', '\ufffd');
  return shq(isMessage(args) ? printable(text) : text);
}

/**
 * A message starts with template prose ("Upgrade the GKE master to " …): several parts, the first
 * holding a space. A word built of parts (`{{shq type "/" name}}`, `{{shq "gke-nodepool=" pool}}`)
 * is a command argument and passes unchanged.
 */
function isMessage(args: HelperArgs): boolean {
  return args.length > 2 && typeof args[0] === 'string' && args[0].includes(' ');
}

function identifier(...args: HelperArgs): string {
  const name = words(args, 'ident');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`not a bash identifier: ${JSON.stringify(name)}`);
  return name;
}

/** Rejects any mustache that would print a value without one of the printing helpers. */
export function checkTemplate(source: string, name: string): void {
  const fail = (what: string, node: hbs.AST.Node) => {
    throw new Error(`${name}:${node.loc?.start.line ?? '?'}: ${what}`);
  };
  const visit = (program: hbs.AST.Program | undefined): void => {
    for (const node of program?.body ?? []) {
      if (node.type === 'MustacheStatement') {
        const mustache = node as hbs.AST.MustacheStatement;
        const helper = (mustache.path as hbs.AST.PathExpression).original;
        if (!PRINTING_HELPERS.has(helper) || mustache.params.length === 0) {
          fail(`{{${helper}}} prints a value unquoted: use {{shq …}}, {{comment …}} or {{ident …}}`, node);
        }
        if (!mustache.escaped) fail('triple-stash output is not allowed', node);
      } else if (node.type === 'BlockStatement') {
        const block = node as hbs.AST.BlockStatement;
        const helper = (block.path as hbs.AST.PathExpression).original;
        if (!BLOCK_HELPERS.has(helper)) fail(`block helper {{#${helper}}} is not allowed`, node);
        if (helper !== 'raw') {
          visit(block.program);
          visit(block.inverse);
        }
      } else if (node.type === 'DecoratorBlock' || node.type === 'Decorator') {
        fail('decorators are not allowed', node);
      }
    }
  };
  visit(Handlebars.parse(source));
}

function createEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('shq', shellWord);
  hb.registerHelper('comment', (...args: HelperArgs) => printable(words(args, 'comment')));
  hb.registerHelper('ident', identifier);
  hb.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));
  return hb;
}

function loadPartials(hb: typeof Handlebars, directory: string, prefix: string): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      loadPartials(hb, file, `${prefix}${entry.name}/`);
    } else if (entry.name.endsWith('.hbs')) {
      const name = `${prefix}${entry.name.slice(0, -'.hbs'.length)}`;
      const source = readFileSync(file, 'utf8');
      checkTemplate(source, path.relative(templatePath(''), file));
      hb.registerPartial(name, source);
    }
  }
}

let compiled: HandlebarsTemplateDelegate | undefined;

function scriptTemplate(): HandlebarsTemplateDelegate {
  if (compiled) return compiled;
  const hb = createEnvironment();
  loadPartials(hb, templatePath('remediate'), '');
  const source = readFileSync(templatePath('remediate.sh.hbs'), 'utf8');
  checkTemplate(source, 'remediate.sh.hbs');
  compiled = hb.compile(source, { noEscape: true, preventIndent: true });
  return compiled;
}

/**
 * The bash library (templates/remediate/lib/*.hbs): every script carries all of it, so that the
 * part of remediate.sh before the steps is the same for every scan (and reviewed once).
 */
function libraryPartials(): string[] {
  return readdirSync(templatePath(path.join('remediate', 'lib')))
    .filter((file) => file.endsWith('.hbs'))
    .map((file) => `lib/${file.slice(0, -'.hbs'.length)}`)
    .sort();
}

/** One line of a step in the script: exactly one kind is set (templates/remediate/step.hbs). */
type LineView = Readonly<Record<string, unknown>>;

/** From this many commands alike on, they print through one `each_command` line. */
const EACH_MINIMUM = 5;

/** The word positions where `argv` differs from `first` (same length assumed). */
function differences(first: Argv, argv: Argv, into: Set<number>): void {
  for (let at = 0; at < first.length; at += 1) if (first[at] !== argv[at]) into.add(at);
}

/**
 * Commands alike but for one or two words (`kubectl edit service -n NS NAME` for each Service)
 * print through one `each_command` call: the words once, then the varying values.
 */
function commandLines(kind: 'check' | 'todoCommand', commands: readonly Argv[]): LineView[] {
  const lines: LineView[] = [];
  let index = 0;
  while (index < commands.length) {
    const first = commands[index] as Argv;
    const slots = new Set<number>();
    let end = index + 1;
    while (end < commands.length && (commands[end] as Argv).length === first.length) {
      const widened = new Set(slots);
      differences(first, commands[end] as Argv, widened);
      if (widened.size > 2) break;
      for (const slot of widened) slots.add(slot);
      end += 1;
    }
    if (end - index >= EACH_MINIMUM && slots.size > 0) {
      const positions = [...slots].sort((a, b) => a - b);
      lines.push({
        eachCommand: {
          fn: kind === 'check' ? 'check' : 'todo_command',
          count: String(first.length),
          slots: positions.join(','),
          words: first,
          values: commands.slice(index, end).flatMap((argv) => positions.map((at) => argv[at] as string)),
        },
      });
    } else {
      for (const argv of commands.slice(index, end))
        lines.push({ [kind === 'check' ? 'checkArgv' : 'todoArgv']: argv });
    }
    index = end;
  }
  return lines;
}

function lineViews(steps: readonly Step[], written: Set<string>): LineView[] {
  const lines: LineView[] = [];
  const gcloud = steps.some(
    (step) =>
      (step.kind === 'done-unless' && step.check === 'master-below') ||
      ((step.kind === 'run' || step.kind === 'check' || step.kind === 'backup') &&
        step.argv[0] === 'gcloud') ||
      (step.kind === 'call' && step.shows.some((shown) => shown.argv[0] === 'gcloud')),
  );
  if (gcloud) lines.push({ requireGcloud: true });
  let pendingChecks: Argv[] = [];
  const flush = () => {
    lines.push(...commandLines('check', pendingChecks));
    pendingChecks = [];
  };
  for (const step of steps) {
    if (step.kind !== 'check') flush();
    switch (step.kind) {
      case 'check':
        pendingChecks.push(step.argv);
        break;
      case 'note':
        lines.push({ noteText: printable(step.text) });
        break;
      case 'comment':
        if (step.once && written.has(step.text)) break;
        if (step.once) written.add(step.text);
        lines.push({ commentText: printable(step.text) });
        break;
      case 'backup':
        lines.push({ backupStep: { file: step.file, argv: step.argv } });
        break;
      case 'run':
        lines.push({ runArgv: step.argv });
        break;
      case 'todo':
        lines.push({ todoText: printable(step.text) });
        lines.push(
          ...commandLines(
            'todoCommand',
            step.commands.map((command) => command.argv),
          ),
        );
        break;
      case 'withhold-unless':
        lines.push({
          withholdUnless: { says: printable(step.says), fn: CHECK_FUNCTIONS[step.check], args: step.args },
        });
        break;
      case 'done-unless':
        lines.push({ doneUnless: { fn: CHECK_FUNCTIONS[step.check], args: step.args } });
        break;
      case 'halt-phase-unless':
        lines.push({
          haltPhaseUnless: {
            fn: CHECK_FUNCTIONS[step.check],
            args: step.args,
            reason: printable(step.reason),
          },
        });
        break;
      case 'confirm':
        lines.push({ confirmImpact: printable(step.impact) });
        break;
      case 'stop-after-phase':
        lines.push({ stopReason: printable(step.reason) });
        break;
      case 'withhold':
        lines.push({ withholdReason: printable(step.reason) });
        break;
      case 'call':
        lines.push({ callStep: { fn: step.fn, args: step.args } });
        break;
    }
  }
  flush();
  return lines;
}

const CHECK_FUNCTIONS = Object.fromEntries(
  Object.entries(CHECKS).map(([check, { fn }]) => [check, fn]),
) as Readonly<Record<keyof typeof CHECKS, string>>;

/** The plan's one-line summary per phase: runs of steps alike are one line with a count. */
function planLines(steps: readonly PlanStep[]): { summary: string; resource: string; rules: string }[] {
  const lines: { summary: string; resource: string; rules: string }[] = [];
  let index = 0;
  while (index < steps.length) {
    const first = steps[index] as PlanStep;
    let end = index + 1;
    while (end < steps.length && (steps[end] as PlanStep).summary === first.summary) end += 1;
    const run = steps.slice(index, end);
    if (run.length > 3) {
      const rules = [...new Set(run.flatMap((step) => step.rules))].join(', ');
      lines.push({
        summary: `${first.summary} (${run.length} steps)`,
        resource: `${first.resource}, ... ${(run[run.length - 1] as PlanStep).resource}`,
        rules,
      });
    } else {
      for (const step of run)
        lines.push({ summary: step.summary, resource: step.resource, rules: step.rules.join(', ') });
    }
    index = end;
  }
  return lines;
}

/** Kubernetes contexts that name the scanned cluster: the recorded one and gcloud's default name. */
function expectedContexts(cluster: Report['cluster']): string[] {
  const contexts: string[] = [];
  if (cluster.context) contexts.push(cluster.context);
  if (cluster.project && cluster.location && cluster.name) {
    contexts.push(`gke_${cluster.project}_${cluster.location}_${cluster.name}`);
  }
  return [...new Set(contexts)];
}

/** The script's view of the plan: what templates/remediate.sh.hbs renders. */
function scriptView(report: Report) {
  const plan = planRemediation(report);
  const titles = new Map<string, number>();
  for (const phase of plan.phases) {
    for (const step of phase.steps) titles.set(step.title, (titles.get(step.title) ?? 0) + 1);
  }
  // A title many steps share is written once, as a variable.
  const titleVariables = new Map(
    [...titles].filter(([, count]) => count > 1).map(([title], index) => [title, `TITLE_${index + 1}`]),
  );
  let number = 0;
  const written = new Set<string>();
  const phases = plan.phases.map((phase) => ({
    id: phase.id,
    title: phase.title,
    functionName: `phase_${phase.id.replaceAll('-', '_')}`,
    scanStatus: phase.scanStatus,
    current: phase.current,
    notes: phase.notes,
    plan: planLines(phase.steps),
    steps: phase.steps.map((step) => {
      number += 1;
      return {
        functionName: `step_${number}`,
        rules: step.rules.join(', '),
        resource: step.resource,
        title: step.title,
        titleVariable: titleVariables.get(step.title) ?? '',
        lines: lineViews(step.steps, written),
        halts: step.steps.some((s) => s.kind === 'halt-phase-unless'),
      };
    }),
  }));
  const { name, project, location } = report.cluster;
  return {
    toolVersion: report.tool.version,
    generatedAt: report.generatedAt,
    target: report.target,
    verdict: report.verdict,
    cluster: { name: name ?? '', project: project ?? '', location: location ?? '' },
    clusterLabel: printable(
      name ? `${name} (project ${project ?? 'unknown'}, location ${location ?? 'unknown'})` : 'unknown',
    ),
    expectedContexts: expectedContexts(report.cluster),
    currentPhase: plan.currentPhase,
    titles: [...titleVariables].map(([title, variable]) => ({ title, variable })),
    phases,
    libraries: libraryPartials().map((partial) => ({ partial })),
  };
}

/** One planned step as the script writes it: its function (for tests and golden renderings). */
export function renderPlanStep(step: PlanStep, functionName = 'step_1'): string {
  const partial = readFileSync(templatePath(path.join('remediate', 'step.hbs')), 'utf8');
  checkTemplate(partial, 'remediate/step.hbs');
  const hb = createEnvironment();
  return hb.compile(partial, { noEscape: true, preventIndent: true })({
    functionName,
    rules: step.rules.join(', '),
    resource: step.resource,
    title: step.title,
    titleVariable: '',
    lines: lineViews(step.steps, new Set()),
  });
}

/** The remediation script for a report: bash, to be reviewed and then run phase by phase. */
export function renderRemediationScript(report: Report, context: ScriptContext = {}): string {
  return scriptTemplate()({ ...scriptView(report), reportFile: context.reportFile ?? '' });
}
