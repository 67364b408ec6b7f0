/**
 * What the formatters know of the rules: the catalogue's metadata by id. The caller (the CLI)
 * builds it from the registry and passes it in the format context, as Spectral passes its ruleset
 * to its formatters, so src/report depends on nothing above it. A report written by another
 * meshready version may name a rule this catalogue does not know: callers fall back to the
 * report's own title then.
 */
import type { Rule, RuleMetadata } from '../engine/rule.ts';

/** Plain data (no check functions), so it goes to the render worker with the report. */
export type RuleCatalogue = ReadonlyMap<string, RuleMetadata>;

/** The catalogue of these rules (the registry's, for the CLI), without their check functions. */
export function ruleCatalogue(rules: readonly RuleMetadata[]): RuleCatalogue {
  return new Map(
    rules.map((rule) => {
      const { check: _check, ...metadata } = rule as RuleMetadata & Partial<Pick<Rule, 'check'>>;
      return [rule.id, metadata];
    }),
  );
}
