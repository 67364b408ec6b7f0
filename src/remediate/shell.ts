/**
 * POSIX shell quoting: the result is always one word, whatever the input holds.
 *
 * A value with invisible characters (newline, ESC, bidi controls: see src/text/printable.ts) is
 * written in bash's ANSI-C quoting, `$'…'`, with those characters as `\xHH` bytes of their UTF-8
 * encoding: the command still passes exactly the original string (the scripts and the commands
 * the reports show are bash), but it stays on one line and shows no control character wherever
 * it is displayed (a terminal, a Markdown fence, a pasted block).
 */
import { hasInvisible, replaceInvisible } from '../text/printable.ts';

function ansiC(text: string): string {
  const quoted = text.replace(/['\\]/g, '\\$&');
  const body = replaceInvisible(quoted, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join(''),
  );
  return `$'${body}'`;
}

export function shq(value: string | number | boolean): string {
  const text = String(value);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  if (hasInvisible(text)) return ansiC(text);
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** One command line from words, each quoted. */
export function commandLine(words: readonly (string | number)[]): string {
  return words.map(shq).join(' ');
}
