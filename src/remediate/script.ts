/**
 * remediate.sh (SPEC §9): the report's plan rendered through templates/remediate.sh.hbs and one
 * partial per fix action (templates/remediate/*.hbs). A pure function of the report, so a saved
 * JSON report renders the same script.
 *
 * Shell is not HTML, so Handlebars runs with noEscape; in exchange every template is checked
 * when it is compiled: a mustache may only print through `shq` (shell quoting), `comment` (text
 * for a `#` line) or `ident` (a bash identifier). A bare `{{value}}` is a compile error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { templatePath } from '../package-root.ts';
import type { Report } from '../report/model.ts';
import { planRemediation } from './plan.ts';
import { shq } from './shell.ts';
import { printable } from './text.ts';

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
  hb.registerHelper('join', (values: unknown, separator: unknown) =>
    Array.isArray(values) ? values.join(typeof separator === 'string' ? separator : ', ') : '',
  );
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

/** The remediation script for a report: bash, to be reviewed and then run phase by phase. */
export function renderRemediationScript(report: Report, context: ScriptContext = {}): string {
  const plan = planRemediation(report);
  return scriptTemplate()({ ...plan, reportFile: context.reportFile ?? '' });
}
