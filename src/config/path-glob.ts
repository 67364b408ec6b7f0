/**
 * Globs for snapshot file paths (`--exclude-path`, `excludePaths` in meshready.yaml), as
 * kubeconform's `-ignore-filename-pattern` leaves files out of a directory scan, with the glob
 * syntax of .gitignore that users already know:
 * - `/` separates segments; within one, `*` and `?` are the name globs of glob.ts (never `/`);
 * - a segment `**` matches any number of segments, none included;
 * - a glob without `/` matches the file's name at any depth (`ratings_data.json`, `*.bak.json`);
 *   one with a `/` matches the whole path (`src/mongodb/*.json`; `testdata/` after a segment of
 *   two stars leaves out every testdata directory).
 * Paths are matched with `/` separators on every platform. Matching takes time proportional to
 * the glob's segments times the path's segments (a table, no backtracking), each segment in
 * linear time (glob.ts).
 */
import { globMatcher, type NameMatcher } from './glob.ts';

export type PathMatcher = (path: string) => boolean;

const ANY_SEGMENTS = '**';

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '' && segment !== '.');
}

/** A matcher for one path glob. */
export function pathGlobMatcher(glob: string): PathMatcher {
  const parts = segmentsOf(glob.replaceAll('\\', '/'));
  if (parts.length === 0) return () => false;
  if (parts.length === 1 && parts[0] !== ANY_SEGMENTS && !glob.includes('/')) {
    const matchesName = globMatcher(parts[0] as string);
    return (path) => matchesName(segmentsOf(path).at(-1) ?? '');
  }
  const matchers: (NameMatcher | typeof ANY_SEGMENTS)[] = parts.map((part) =>
    part === ANY_SEGMENTS ? ANY_SEGMENTS : globMatcher(part),
  );
  return (path) => {
    const names = segmentsOf(path);
    // reachable[j]: the glob's parts so far can match the path's first j segments.
    let reachable = Array.from({ length: names.length + 1 }, (_, j) => j === 0);
    for (const matcher of matchers) {
      const next = new Array<boolean>(names.length + 1).fill(false);
      for (let j = 0; j <= names.length; j++) {
        if (matcher === ANY_SEGMENTS) {
          // `**` takes any number of segments: from the first reachable place on, all are.
          next[j] = reachable[j] === true || (j > 0 && next[j - 1] === true);
        } else if (j > 0 && reachable[j - 1] === true && matcher(names[j - 1] as string)) {
          next[j] = true;
        }
      }
      reachable = next;
    }
    return reachable[names.length] === true;
  };
}

/** A matcher for any of the globs, compiled once; with no globs nothing matches. */
export function pathGlobsMatcher(globs: readonly string[]): (path: string) => string | undefined {
  const compiled = globs.map((glob) => ({ glob, matches: pathGlobMatcher(glob) }));
  return (path) => compiled.find((entry) => entry.matches(path))?.glob;
}
