/**
 * The self-contained HTML report: templates/report.html.hbs with the partials, stylesheet and
 * script in templates/report/. Report values reach the page only through Handlebars' HTML
 * escaping; our own stylesheet and script are inlined raw and allowed by hash in the page's
 * Content-Security-Policy, which allows nothing else (no network, no injected script).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Report } from '../engine/report-model.ts';
import { templatePath } from '../package-root.ts';
import type { FormatContext } from './formats.ts';
import { buildReportView } from './report-view.ts';

interface PageAssets {
  readonly css: string;
  readonly js: string;
  readonly csp: string;
}

function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source).digest('base64')}'`;
}

export function contentSecurityPolicy(css: string, js: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspHash(css)}`,
    `script-src ${cspHash(js)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Helpers the HTML template uses; each returns plain text, which Handlebars then escapes. */
export function registerHtmlHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('count', (value: unknown) =>
    typeof value === 'number' ? value.toLocaleString('en-US') : String(value ?? 0),
  );
  // Rule documentation is Markdown with `code` spans: mark the spans up, escaping every part.
  handlebars.registerHelper('docText', (value: unknown) => {
    const escapeHtml = handlebars.Utils.escapeExpression;
    const parts = String(value ?? '').split(/`([^`]+)`/);
    return new handlebars.SafeString(
      parts
        .map((part, index) => (index % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
        .join(''),
    );
  });
  // A value as JSON text for the page's script (a data attribute), escaped like any other text.
  handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));
  handlebars.registerHelper('plural', (value: unknown, one: unknown, many: unknown) =>
    value === 1 ? String(one) : String(many),
  );
}

let compiled: { template: Handlebars.TemplateDelegate; assets: PageAssets } | undefined;

function load(): { template: Handlebars.TemplateDelegate; assets: PageAssets } {
  if (compiled) return compiled;
  const handlebars = Handlebars.create();
  registerHtmlHelpers(handlebars);
  const partials = templatePath('report');
  for (const file of readdirSync(partials).filter((name) => name.endsWith('.hbs'))) {
    handlebars.registerPartial(path.basename(file, '.hbs'), readFileSync(path.join(partials, file), 'utf8'));
  }
  // Our own assets, inlined raw: nothing in them comes from the report.
  const css = readFileSync(path.join(partials, 'report.css'), 'utf8');
  const js = readFileSync(path.join(partials, 'report.js'), 'utf8');
  if (js.includes('</script') || css.includes('</style'))
    throw new Error('report assets must not close their element');
  compiled = {
    template: handlebars.compile(readFileSync(templatePath('report.html.hbs'), 'utf8'), {
      preventIndent: true,
    }),
    assets: { css, js, csp: contentSecurityPolicy(css, js) },
  };
  return compiled;
}

/**
 * Compiles the page's template now (Handlebars compiles on first use): the render worker does it
 * while the rules run, so the report's rendering does not wait for it (about 0.2 s).
 */
export function compileHtmlTemplate(): void {
  const { template, assets } = load();
  template({ assets });
}

export function renderHtml(report: Report, context: Pick<FormatContext, 'rules'>): string {
  const { template, assets } = load();
  return template({ ...buildReportView(report, context.rules), assets });
}
