/**
 * SPEC §1: on a terminal, help, `rules` and the summary wrap to its width and are never wider
 * than 100 columns; piped output is not wrapped. Run in a real pseudo-terminal: util-linux
 * `script` gives the CLI a pty whose width `stty cols` sets, as a user's terminal would.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';

const MAIN = 'src/cli/main.ts';

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The CLI's stdout on a pty of `columns` columns (the pty turns \n into \r\n), colour codes
 * removed; stderr (the progress line) goes elsewhere.
 */
function inTerminal(columns: number, args: readonly string[]): string {
  const cli = [process.execPath, MAIN, ...args].map(shellQuote).join(' ');
  const result = spawnSync(
    'script',
    ['-qec', `stty cols ${columns} rows 50; ${cli} 2>/dev/null`, '/dev/null'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '', TERM: 'xterm' },
    },
  );
  expect(result.error, 'util-linux script is installed').toBeUndefined();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes are what is removed
  return result.stdout.replaceAll('\r\n', '\n').replace(/\x1b\[[\d;]*m/g, '');
}

function piped(args: readonly string[]): string {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return result.stdout;
}

const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
const withoutSpace = (text: string) => text.replace(/\s+/g, '');

const COMMANDS: readonly (readonly string[])[] = [
  ['--help'],
  ['scan', '--help'],
  ['manifests', '--help'],
  ['rules'],
  ['rules', 'gateway-port-changes'],
  [
    'scan',
    '--snapshot',
    'fixtures/demo/mid-migration',
    '--format',
    'json',
    '--output-dir',
    '/tmp/meshready-width',
  ],
];

describe('terminal width', () => {
  it.each(COMMANDS)('wraps to a 60-column terminal: %s', (...args) => {
    const text = inTerminal(60, args);
    expect(text.length).toBeGreaterThan(200);
    expect(widest(text)).toBeLessThanOrEqual(60);
  });

  it.each(COMMANDS)('is never wider than 100 columns on a wide terminal: %s', (...args) => {
    const text = inTerminal(220, args);
    expect(widest(text)).toBeLessThanOrEqual(100);
    // It does use the room: a 100-column terminal is not wrapped at 80.
    expect(widest(text)).toBeGreaterThan(80);
  });

  it('does not wrap piped output', () => {
    expect(widest(piped(['rules']))).toBeGreaterThan(100);
    expect(widest(piped(['scan', '--help']))).toBeGreaterThan(100);
  });

  it.each([['--help'], ['scan', '--help'], ['rules', 'gateway-port-changes']])(
    'only moves line breaks: the wrapped text is the piped text (%s)',
    (...args) => {
      expect(withoutSpace(inTerminal(50, args))).toBe(withoutSpace(piped(args)));
    },
  );

  it('keeps rule ids whole in the table when the terminal has room', () => {
    const table = inTerminal(100, ['rules']);
    for (const line of piped(['rules', '--format', 'json']).match(/"id": "[^"]+"/g) ?? []) {
      expect(table).toContain(line.slice(7, -1));
    }
  });
});
