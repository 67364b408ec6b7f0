/**
 * Globs for names in the configuration (`excludeNamespaces`, suppression namespace/kind/name).
 * Kubernetes names hold no `/`, so only `*` (any run of characters, also none) and `?` (one
 * character) are special; everything else matches itself. Matching is case-sensitive, like
 * Kubernetes names and kinds.
 */
export type NameMatcher = (name: string) => boolean;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function globToRegExp(glob: string): RegExp {
  const pattern = [...glob]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char)))
    .join('');
  return new RegExp(`^${pattern}$`, 's');
}

/** A matcher for any of the globs; with no globs nothing matches. */
export function anyGlob(globs: readonly string[]): NameMatcher {
  if (globs.length === 0) return () => false;
  const expressions = globs.map(globToRegExp);
  return (name) => expressions.some((expression) => expression.test(name));
}
