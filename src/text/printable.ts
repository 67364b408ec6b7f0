/**
 * The one sanitiser for text that came from a cluster or a snapshot and is shown to a person
 * (SPEC §10: every cluster string is inert wherever it goes). Every path that puts such text in
 * a `#` comment line (the reports' commands, remediate.sh) or on a terminal (scan summary, diff,
 * error messages, the script's messages) goes through here.
 *
 * Not quoting (that is shq's job) and not HTML or Markdown escaping: this only makes invisible,
 * line-breaking and terminal-driving characters visible as `\u{…}`, so a value can neither end a
 * comment line, nor repaint the screen, nor make text read differently from how it runs.
 */

/**
 * C0 and C1 controls and DEL (a newline would end a comment; ESC, BEL and CSI drive the
 * terminal: screen clears, OSC 8 links), line and paragraph separators, and the bidirectional
 * controls that can make code read differently from how it runs ("Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/** Does the text hold a character printable() would escape? */
export function hasInvisible(value: string): boolean {
  return value.search(INVISIBLE) >= 0;
}

/** Replaces each invisible character (the set printable() escapes), for another notation. */
export function replaceInvisible(value: string, replacement: (char: string) => string): string {
  return value.replace(INVISIBLE, replacement);
}

/** One line of inert text: every invisible character is shown as `\u{hex}`. */
export function printable(value: string): string {
  return replaceInvisible(value, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`);
}

/**
 * Text meant to span lines (a message listing several problems): each line made printable, the
 * line breaks kept. Only for text whose line breaks meshready wrote itself; a value from the
 * cluster that must stay on one line goes through printable().
 */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** A shell comment line: nothing in `text` can end the comment and start a command. */
export function commentLine(text: string): string {
  return `# ${printable(text)}`;
}
