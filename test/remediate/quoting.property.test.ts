/**
 * The report's commands and the script's dry run quote every word the same way: src/remediate/
 * shell.ts (TypeScript) and shell_word in templates/remediate/prelude.hbs (bash), run by real bash on
 * the same random words, invisible and non-ASCII characters included, under C and UTF-8 locales.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { templatePath } from '../../src/package-root.ts';
import { shq } from '../../src/remediate/shell.ts';

/** The bash functions the dry run quotes with, taken from the template itself. */
function quotingFunctions(): string {
  const template = readFileSync(templatePath('remediate/prelude.hbs'), 'utf8');
  const body = (name: string) => {
    const match = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(template);
    if (!match) throw new Error(`${name} not found in remediate/prelude.hbs`);
    return match[0];
  };
  return ['shell_word', 'has_invisible', 'ansi_c_word'].map(body).join('\n');
}

function bashQuotes(words: readonly string[], locale: string): string[] {
  const script = `${quotingFunctions()}\nfor word in "$@"; do shell_word "$word"; printf '\\n'; done\n`;
  const run = spawnSync('bash', ['-c', script, 'quote', ...words], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LC_ALL: locale },
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').slice(0, -1);
}

/** Characters that matter: quotes, shell syntax, controls, C1, bidi, separators, BOM, non-ASCII. */
const interesting = fc.constantFrom(
  ...`'"\\$\`!;&|<>(){}[]*?~# \t\n\r\u001b\u0007\u007f\u0085\u009b\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069\ufeffé名✓-_=:,./@%+`,
);
const word = fc
  .array(fc.oneof(interesting, fc.string({ unit: 'grapheme', maxLength: 3 })), { maxLength: 12 })
  .map((parts) => parts.join('').replaceAll('\u0000', ''));

describe('shell quoting: the reports and the dry run agree', () => {
  it.each(['C', 'C.UTF-8'])(
    'gives every word the same quoting in TypeScript and bash (LC_ALL=%s)',
    (locale) => {
      const words = fc.sample(word, 400).filter((w) => w !== '');
      expect(bashQuotes(words, locale)).toEqual(words.map(shq));
    },
  );

  it('round-trips: bash reads back the exact word from the quoted form', () => {
    const words = fc.sample(word, 100).filter((w) => w !== '');
    const script = words.map((w) => `printf '%s\\0' ${shq(w)}`).join('\n');
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(run.stdout.split('\u0000').slice(0, -1)).toEqual(words);
  });
});
