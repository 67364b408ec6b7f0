/** POSIX shell quoting: the result is always one word, whatever the input holds. */
export function shq(value: string | number | boolean): string {
  const text = String(value);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** One command line from words, each quoted. */
export function commandLine(words: readonly (string | number)[]): string {
  return words.map(shq).join(' ');
}
