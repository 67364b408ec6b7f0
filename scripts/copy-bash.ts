/**
 * The second half of `npm run build`, after tsc: copies the bash the remediation script is made
 * of that lives beside the TypeScript owning it (src/remediate/checks/*.sh.hbs,
 * src/remediate/actions/<action>/<action>.sh.hbs) to the same place under the output directory,
 * where the compiled modules look for it (src/remediate/script.ts reads it next to itself).
 *
 *   node scripts/copy-bash.ts [--out-dir DIR]   (default: dist)
 *
 * Node built-ins only: the Dockerfile's build stage runs it with nothing else copied.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Copies every src/**\/*.sh.hbs to OUT_DIR/src/…; returns the files copied, relative to the root. */
export function copyBash(outDir: string): string[] {
  const copied: string[] = [];
  const visit = (relative: string) => {
    for (const entry of readdirSync(path.join(ROOT, relative), { withFileTypes: true })) {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.sh.hbs')) {
        mkdirSync(path.join(outDir, relative), { recursive: true });
        copyFileSync(path.join(ROOT, file), path.join(outDir, file));
        copied.push(file);
      }
    }
  };
  visit('src');
  return copied;
}

if (import.meta.main) {
  const at = process.argv.indexOf('--out-dir');
  const outDir = path.resolve(ROOT, at >= 0 ? (process.argv[at + 1] ?? 'dist') : 'dist');
  copyBash(outDir);
}
