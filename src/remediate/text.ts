/**
 * Text from the cluster made safe to show: in a `#` comment of remediate.sh, or in a message it
 * prints. Not quoting (that is shq's job): this only makes invisible and line-breaking
 * characters visible, so a value can neither end a comment line nor disguise the code around it.
 */

/**
 * C0 and C1 controls and DEL (a newline would end a comment; escape sequences repaint the
 * terminal), line and paragraph separators, and the bidirectional controls that can make code
 * read differently from how it runs ("Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

export function printable(value: string): string {
  return value.replace(INVISIBLE, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`);
}
