/**
 * src/engine is the generic rule machinery (STYLE §12): Istio and GKE facts live in src/istio and
 * src/gke, which may build on the engine, never the other way round; and it renders nothing: the
 * reports (src/report), the remediation model (src/remediate) and the CLI build on its output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE = path.resolve(import.meta.dirname, '../../src/engine');
/** `from '…'`, a bare `import '…'` and `import('…')`. */
const IMPORT = /\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  return [...readFileSync(path.join(ENGINE, file), 'utf8').matchAll(IMPORT)].map((m) => m[1] ?? '');
}

describe('src/engine', () => {
  const files = readdirSync(ENGINE).filter((f) => f.endsWith('.ts'));

  it('has its modules, among them the generic snapshot index', () => {
    expect(files).toContain('snapshot-index.ts');
    expect(importsOf('snapshot-index.ts')).toContain('../snapshot/model.ts');
  });

  it.each(files)('%s imports nothing from src/istio or src/gke', (file) => {
    expect(importsOf(file).filter((target) => /^\.\.\/(istio|gke)\//.test(target))).toEqual([]);
  });

  it.each(files)('%s imports nothing from src/report, src/remediate or src/cli', (file) => {
    expect(importsOf(file).filter((target) => /^\.\.\/(report|remediate|cli)\//.test(target))).toEqual([]);
  });
});
