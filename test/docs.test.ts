/**
 * README and docs/ stay true to the code: the README's first screen is what it is, how to
 * install, the two commands and one example; every flag is documented; links resolve; nothing
 * tells the user to write the manifests over their configuration file or to run an unpublished npx.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.ts';
import { fakeIO } from './config/fake-io.ts';
import { ROOT, runMeshready } from './helpers/cli.ts';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const docs = readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('README', () => {
  it('opens with what it is, Install, the two commands and one example, in that order', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    expect(headings.slice(0, 3)).toEqual(['## Install', '## Try it', '## Example']);
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
    expect(readme).toContain('npm ci && npm install -g .');
    expect(readme).toContain('npm pack && npm install -g ./meshready-');
    expect(readme).toContain('docker build -t');
    expect(readme).toContain('meshready manifests --image');
    // The reference lives in docs/: the README stays short.
    expect(readme.split('\n').length).toBeLessThan(200);
  });

  it('shows a real scan: the example output is what the demo snapshot gives, word for word', () => {
    const shown = /```console\n\$ meshready scan --snapshot (\S+)\n([^`]*)```/.exec(readme);
    expect(shown?.[1]).toBe('fixtures/demo/mid-migration');
    const work = mkdtempSync(path.join(tmpdir(), 'meshready-readme-'));
    try {
      // Run from a scratch directory so the reports land there, under the README's relative name.
      const run = runMeshready(['scan', '--snapshot', path.join(ROOT, 'fixtures/demo/mid-migration')], {
        cwd: work,
        env: { NO_COLOR: '1' },
      });
      expect(run.code).toBe(1);
      // The README shows it wrapped as a 100-column terminal does; piped output is one line per entry.
      const words = (output: string) => output.trim().split(/\s+/);
      expect(words(shown?.[2] ?? '')).toEqual(words(run.stdout));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('README and docs/', () => {
  const files = ['README.md', ...docs];

  it('never suggest npx meshready (not published) or writing the manifests to meshready.yaml', () => {
    for (const file of files) {
      expect(text(file), file).not.toMatch(/npx (--yes )?meshready/);
      expect(text(file), file).not.toMatch(/>\s*meshready\.yaml/);
    }
    const help = buildProgram(fakeIO(ROOT), () => {});
    let all = '';
    for (const command of [help, ...help.commands]) {
      command.configureOutput({ writeOut: (t) => (all += t), writeErr: (t) => (all += t) });
      command.outputHelp();
    }
    expect(all).toContain('meshready manifests');
    expect(all).not.toMatch(/>\s*meshready\.yaml/);
  });

  it('link only to files that exist', () => {
    // docs/convert.md is written with the convert command's own documentation.
    const elsewhere = new Set(['docs/convert.md']);
    for (const file of files) {
      for (const [, target] of text(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target as string)) continue;
        const resolved = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), target as string));
        if (elsewhere.has(resolved)) continue;
        expect(existsSync(path.join(ROOT, resolved)), `${file} -> ${target}`).toBe(true);
      }
    }
  });

  it('docs/cli.md documents every option of every command (convert in docs/convert.md)', () => {
    const cli = text('docs/cli.md');
    const program = buildProgram(fakeIO(ROOT), () => {});
    for (const command of program.commands.filter((c: Command) => c.name() !== 'convert')) {
      const section = cli.slice(cli.indexOf(`## \`meshready ${command.name()}\``));
      expect(section.length, command.name()).toBeLessThan(cli.length);
      const table = section.slice(
        0,
        section.indexOf('\n## ', 5) > 0 ? section.indexOf('\n## ', 5) : undefined,
      );
      for (const option of command.options) {
        expect(table, `${command.name()} ${option.flags}`).toContain(`\`${option.flags}\``);
      }
    }
  });
});
