/**
 * remediate.sh (SPEC §9): the report's plan (./plan.ts) rendered through templates/remediate.sh.hbs,
 * every step kind through one generic partial (templates/remediate/step.hbs), after the shared
 * prelude (templates/remediate/prelude.hbs: running, printing, backing up, preconditions), the
 * run-time checks (./checks/<file>.sh.hbs) and each fix action's own bash functions
 * (./actions/<action>/<action>.sh.hbs). A pure function of the report, so a saved JSON report
 * renders the same script.
 *
 * Shell is not HTML, so Handlebars runs with noEscape; in exchange every template is checked
 * when it is compiled: a mustache may only print through `shq` (shell quoting), `comment` (text
 * for a `#` line) or `ident` (a bash identifier). A bare `{{value}}` is a compile error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Report } from '../engine/report-model.ts';
import { PACKAGE_ROOT, templatePath } from '../package-root.ts';
import { printable } from '../text/printable.ts';
import { FIX_ACTIONS, type FixAction } from './actions/index.ts';
import { CHECK_FILES, CHECKS } from './checks/index.ts';
import { type PlanStep, planRemediation } from './plan.ts';
import { shq } from './shell.ts';
import type { Argv, Step } from './step.ts';
import { layoutSteps, Parameter, type StepView } from './steps-alike.ts';

export const SCRIPT_FILE_NAME = 'remediate.sh';

export interface ScriptContext {
  /** The JSON report the script came from, named in its header when known. */
  readonly reportFile?: string | undefined;
  /**
   * From how many steps alike on they share one function, each step one line of its phase
   * (./steps-alike.ts). Tests vary it to show that the layout changes nothing the script does.
   */
  readonly alikeMinimum?: number;
}

/** From this many steps alike on, they share a function: the namespace moves of a big cluster. */
const ALIKE_MINIMUM = 10;

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
 * One shell word, from exactly one value: NUL cannot be passed to a command at all, so it is
 * replaced; nothing else is changed (the property test checks that kubectl receives exactly the
 * original string). Text the script prints (titles, Impact lines) is made printable before it
 * reaches a template, so a cluster value cannot drive the operator's terminal.
 */
function shellWord(...args: HelperArgs): string {
  // A parameter of a function of steps alike: its value, quoted where the step is called.
  if (args.length === 2 && args[0] instanceof Parameter) return args[0].reference;
  if (args.length !== 2) throw new Error(`{{shq}} takes one value, got ${args.length - 1}: a template bug`);
  return shq(words(args, 'shq').replaceAll('\u0000', '\ufffd'));
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

/** This folder: src/remediate, or dist/src/remediate in the published build (`npm run build` copies the bash). */
const REMEDIATE_DIR = path.dirname(fileURLToPath(import.meta.url));

/** One file of the bash library: a partial, and the line naming it in the script. */
interface BashLibrary {
  readonly partial: string;
  readonly file: string;
  readonly title: string;
}

/**
 * The bash library after the prelude: the run-time checks, then each fix action's functions in
 * the guide's order. Every script carries all of it, so that the part of remediate.sh before the
 * steps is the same for every scan (and reviewed once).
 */
export function bashLibraries(): BashLibrary[] {
  const source = (file: string) => path.relative(PACKAGE_ROOT, file).replace(/^dist[/\\]/, '');
  const checks = CHECK_FILES.map((name) => {
    const file = path.join(REMEDIATE_DIR, 'checks', `${name}.sh.hbs`);
    return { partial: `checks/${name}`, file, title: `Run-time checks: ${name} (${source(file)})` };
  });
  const actions = (Object.keys(FIX_ACTIONS) as FixAction[])
    .filter((action) => FIX_ACTIONS[action].functions.length > 0)
    .sort((a, b) => FIX_ACTIONS[a].order - FIX_ACTIONS[b].order)
    .map((action) => {
      const file = path.join(REMEDIATE_DIR, 'actions', action, `${action}.sh.hbs`);
      return { partial: `actions/${action}`, file, title: `Fix action ${action} (${source(file)})` };
    });
  return [...checks, ...actions];
}

function environmentWithPartials(): typeof Handlebars {
  const hb = createEnvironment();
  loadPartials(hb, templatePath('remediate'), '');
  for (const library of bashLibraries()) {
    const source = readFileSync(library.file, 'utf8');
    checkTemplate(source, path.relative(PACKAGE_ROOT, library.file));
    hb.registerPartial(library.partial, source);
  }
  return hb;
}

let compiled: HandlebarsTemplateDelegate | undefined;

function scriptTemplate(): HandlebarsTemplateDelegate {
  if (compiled) return compiled;
  const hb = environmentWithPartials();
  const source = readFileSync(templatePath('remediate.sh.hbs'), 'utf8');
  checkTemplate(source, 'remediate.sh.hbs');
  compiled = hb.compile(source, { noEscape: true, preventIndent: true });
  return compiled;
}

/**
 * The script's functions without its steps or its options: the prelude and the bash library, as
 * remediate.sh carries them. For tests that run one function in real bash (test/conformance).
 */
export function renderBashLibrary(): string {
  const hb = environmentWithPartials();
  const source =
    '{{> prelude}}\n{{#each libraries}}\n\n# {{comment title}}\n{{> (lookup . "partial")}}\n{{/each}}';
  return hb.compile(source, { noEscape: true, preventIndent: true })({ libraries: bashLibraries() });
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

function lineViews(steps: readonly Step<string>[], written: Set<string>): LineView[] {
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

/** Above this many steps in a phase, the plan at the top of the script is one line per kind of step. */
const PLAN_DETAIL_LIMIT = 40;

interface PlanLine {
  readonly summary: string;
  readonly resource: string;
  readonly rules: string;
}

/** Steps with one summary as one line of the plan: how many, the first and the last resource. */
function planLine(steps: readonly PlanStep[], interleaved: boolean): PlanLine {
  const first = steps[0] as PlanStep;
  return {
    summary: `${first.summary} (${steps.length} steps${interleaved ? ', interleaved with the others' : ''})`,
    resource: `${first.resource}, ... ${(steps[steps.length - 1] as PlanStep).resource}`,
    rules: [...new Set(steps.flatMap((step) => step.rules))].join(', '),
  };
}

/**
 * The plan's summary of a phase: one line a step, runs of more than three steps alike one line
 * with a count; in a phase of more than PLAN_DETAIL_LIMIT steps, one line per summary (a big
 * cluster's namespace moves: relabel, restart, check, namespace after namespace).
 */
function planLines(steps: readonly PlanStep[]): PlanLine[] {
  if (steps.length > PLAN_DETAIL_LIMIT) {
    const bySummary = new Map<string, PlanStep[]>();
    for (const step of steps) {
      const alike = bySummary.get(step.summary);
      if (alike) alike.push(step);
      else bySummary.set(step.summary, [step]);
    }
    return [...bySummary.values()].map((alike) => {
      const at = steps.indexOf(alike[0] as PlanStep);
      return planLine(alike, steps[at + alike.length - 1] !== alike[alike.length - 1]);
    });
  }
  const lines: PlanLine[] = [];
  let index = 0;
  while (index < steps.length) {
    const first = steps[index] as PlanStep;
    let end = index + 1;
    while (end < steps.length && (steps[end] as PlanStep).summary === first.summary) end += 1;
    const run = steps.slice(index, end);
    if (run.length > 3) lines.push(planLine(run, false));
    else {
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
function scriptView(report: Report, alikeMinimum: number) {
  const plan = planRemediation(report);
  const titles = new Map<string, number>();
  for (const phase of plan.phases) {
    for (const step of phase.steps) titles.set(step.title, (titles.get(step.title) ?? 0) + 1);
  }
  // A title many steps share is written once, as a variable.
  const titleVariables = new Map(
    [...titles].filter(([, count]) => count > 1).map(([title], index) => [title, `TITLE_${index + 1}`]),
  );
  const written = new Set<string>();
  const layout = layoutSteps(
    plan.phases.map((phase) =>
      phase.steps.map(
        (step): StepView => ({
          rules: step.rules.join(', '),
          resource: step.resource,
          title: step.title,
          titleVariable: titleVariables.get(step.title) ?? '',
          lines: lineViews(step.steps, written),
          halts: step.steps.some((s) => s.kind === 'halt-phase-unless'),
        }),
      ),
    ),
    alikeMinimum,
  );
  const phases = plan.phases.map((phase, index) => {
    const entries = layout.phases[index] ?? [];
    return {
      id: phase.id,
      title: phase.title,
      functionName: `phase_${phase.id.replaceAll('-', '_')}`,
      scanStatus: phase.scanStatus,
      current: phase.current,
      notes: phase.notes,
      plan: planLines(phase.steps),
      // The steps with a function of their own, defined before the phases.
      steps: entries.flatMap((entry) =>
        entry.kind === 'function' ? [{ ...entry.step, functionName: entry.functionName }] : [],
      ),
      // Every step in order: the call of its function (with its values when it shares one).
      entries: entries.map((entry) =>
        entry.kind === 'function'
          ? { functionName: entry.functionName, values: [], comments: [], halts: entry.step.halts }
          : entry,
      ),
    };
  });
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
    alike: layout.alike.map((fn) => ({
      ...fn.step,
      functionName: fn.functionName,
      calls: String(fn.calls),
      parameters: fn.parameters.map((parameter, index) => `$${index + 1} ${parameter}`).join(', '),
    })),
    libraries: bashLibraries(),
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
  return scriptTemplate()({
    ...scriptView(report, context.alikeMinimum ?? ALIKE_MINIMUM),
    reportFile: context.reportFile ?? '',
  });
}
