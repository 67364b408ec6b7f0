/**
 * Rule metadata for the formatters, looked up by id in the registry. A report written by another
 * meshready version may name a rule this one does not know: callers fall back to the report's
 * own title then.
 */
import { RULES } from '../../rules/index.ts';
import type { Rule } from '../engine/rule.ts';

const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(ruleId: string): Rule | undefined {
  return RULES_BY_ID.get(ruleId);
}
