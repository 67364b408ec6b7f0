/**
 * src/report renders what it is given (STYLE §12): the report model and, in the format context,
 * the rule catalogue. It imports nothing from the rule registry (rules/), the CLI (src/cli) or
 * the collectors (src/collect), so a formatter cannot reach past its arguments.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPORT = path.resolve(import.meta.dirname, '../../src/report');
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** `from '…'`, a bare `import '…'`, `import('…')` and `export … from '…'`. */
const IMPORT = /\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g;
const FORBIDDEN = ['rules', 'src/cli', 'src/collect'];

/** The imports in `text` (the source of `file`), as paths relative to the repository root. */
function importsIn(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map((match) => {
    const target = match[1] ?? '';
    return target.startsWith('.')
      ? path.relative(REPO_ROOT, path.resolve(path.dirname(file), target))
      : target;
  });
}

function forbiddenImportsIn(file: string, text: string): string[] {
  return importsIn(file, text).filter((target) =>
    FORBIDDEN.some((folder) => target === folder || target.startsWith(`${folder}/`)),
  );
}

describe('src/report', () => {
  const files = readdirSync(REPORT, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(REPORT, file));

  it('has its formatters, and the check sees their imports', () => {
    expect(files.map((file) => path.basename(file))).toEqual(
      expect.arrayContaining(['html.ts', 'markdown.ts', 'sarif.ts', 'rule-docs.ts', 'report-view.ts']),
    );
    const sarif = path.join(REPORT, 'sarif.ts');
    expect(importsIn(sarif, readFileSync(sarif, 'utf8'))).toContain('src/engine/report-model.ts');
  });

  it('would catch an import from rules/, src/cli or src/collect', () => {
    const probe = path.join(REPORT, 'probe.ts');
    const text = [
      "import { RULES } from '../../rules/index.ts';",
      "import type { CliIO } from '../cli/io.ts';",
      "const live = await import('../collect/live.ts');",
      "import { renderTable } from '../text/wrap.ts';",
    ].join('\n');
    expect(forbiddenImportsIn(probe, text)).toEqual([
      'rules/index.ts',
      'src/cli/io.ts',
      'src/collect/live.ts',
    ]);
  });

  it.each(files.map((file) => [path.relative(REPO_ROOT, file), file]))(
    '%s imports nothing from rules/, src/cli or src/collect',
    (_name, file) => {
      expect(forbiddenImportsIn(file, readFileSync(file, 'utf8'))).toEqual([]);
    },
  );
});
