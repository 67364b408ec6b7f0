/**
 * Globs for names in the configuration (`excludeNamespaces`, suppression namespace/kind/name).
 * Kubernetes names hold no `/`, so only `*` (any run of characters, also none) and `?` (one
 * character) are special; everything else matches itself. Matching is case-sensitive, like
 * Kubernetes names and kinds.
 *
 * Matching never backtracks (SPEC §11: globs are matched in linear time). A glob is split at
 * its stars into literal segments (where `?` is any one character): the first segment must be a
 * prefix, the last a suffix, and each middle one is taken at its leftmost place after the
 * previous. Taking the leftmost place is always right, because what follows a star may start
 * anywhere later, so a regular expression such as `^.*a.*a.*b$` (which backtracks
 * exponentially on a long run of `a`s) is never built.
 */
export type NameMatcher = (name: string) => boolean;

/** Does `segment` (with `?` for any one character) match `name` at `start`? */
function segmentMatchesAt(segment: string, name: string, start: number): boolean {
  if (start + segment.length > name.length) return false;
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index];
    if (char !== '?' && char !== name[start + index]) return false;
  }
  return true;
}

/** The leftmost place at or after `from` where `segment` matches, or -1. */
function findSegment(segment: string, name: string, from: number): number {
  if (!segment.includes('?')) return name.indexOf(segment, from);
  for (let start = from; start + segment.length <= name.length; start++) {
    if (segmentMatchesAt(segment, name, start)) return start;
  }
  return -1;
}

/** A matcher for one glob. */
export function globMatcher(glob: string): NameMatcher {
  const segments = glob.split('*');
  if (segments.length === 1) {
    return (name) => name.length === glob.length && segmentMatchesAt(glob, name, 0);
  }
  const first = segments[0] as string;
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const minimumLength = first.length + last.length + middle.reduce((sum, s) => sum + s.length, 0);
  return (name) => {
    if (name.length < minimumLength) return false;
    if (!segmentMatchesAt(first, name, 0)) return false;
    const end = name.length - last.length;
    if (!segmentMatchesAt(last, name, end)) return false;
    let position = first.length;
    for (const segment of middle) {
      const found = findSegment(segment, name, position);
      if (found < 0 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  };
}

/** A matcher for any of the globs; with no globs nothing matches. */
export function anyGlob(globs: readonly string[]): NameMatcher {
  if (globs.length === 0) return () => false;
  const matchers = globs.map(globMatcher);
  return (name) => matchers.some((matches) => matches(name));
}
