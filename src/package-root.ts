/**
 * Where the package lives, found from this module's own location so it works from src/ (tests,
 * type stripping) and from dist/src/ (the published build) alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'meshready') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the meshready package root');
    dir = parent;
  }
}

export const PACKAGE_ROOT = findRoot();

const MANIFEST = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));

export const TOOL_VERSION: string = MANIFEST.version;

/** package.json#homepage: the project's repository, where the README and docs/ are read. */
export const TOOL_HOMEPAGE: string = MANIFEST.homepage;

/**
 * Where a rule is documented, relative to the package root: docs/rules.md ships in the package.
 * There is no public project site to link to, so nothing points at one.
 */
export function ruleDocsPath(ruleId: string): string {
  return `docs/rules.md#${ruleId}`;
}

export function templatePath(name: string): string {
  return path.join(PACKAGE_ROOT, 'templates', name);
}
