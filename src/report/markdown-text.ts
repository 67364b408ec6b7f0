/**
 * Turning untrusted text into GitHub-flavoured Markdown that shows exactly that text: no markup,
 * no raw HTML, no autolinks or @-mentions, nothing that breaks a table row or a code fence.
 */
import { printable } from '../text/printable.ts';

/**
 * ASCII punctuation that starts Markdown or HTML constructs inside a line; CommonMark lets `\`
 * escape each. With `[` and `]` escaped no link can form, so `(`, `)` and `!` need nothing, and
 * the text never starts a line, so `#`, `+`, `-` and digits cannot start a block.
 */
const MARKDOWN_SPECIALS = /[\\`*_[\]<>|~&]/g;

function collapse(value: unknown, maxLength?: number): string {
  let text = printable(
    String(value ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  if (maxLength !== undefined && text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return text;
}

/** Inline text, safe in a paragraph, a list item or a table cell. */
export function markdownText(value: unknown, maxLength?: number): string {
  return (
    collapse(value, maxLength)
      .replace(MARKDOWN_SPECIALS, (char) => `\\${char}`)
      // GFM autolinks `http://…` and `www.…`; GitHub turns @name into a mention.
      .replace(/:\/\//g, ':\\/\\/')
      .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\\.`)
      .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
  );
}

/** An inline code span that holds any text; pipes are escaped so it can sit in a table cell. */
export function markdownCode(value: unknown, maxLength?: number): string {
  const text = collapse(value, maxLength).replaceAll('|', '\\|');
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longestRun + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${ticks}${padded}${ticks}`;
}

/** A fenced code block whose fence is longer than any backtick run inside it. */
export function markdownFence(lines: readonly string[], language = ''): string {
  const body = lines.join('\n');
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${body}\n${fence}`;
}

/** A link target: only http(s), with characters that would end the link percent-encoded. */
export function markdownUrl(value: unknown): string {
  const url = String(value ?? '');
  if (!/^https?:\/\//i.test(url)) return '#';
  return url.replace(
    /[\s()<>[\]"'`|\\]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}
