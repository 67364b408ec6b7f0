/** `meshready rules [RULE_ID] [--format text|json|markdown]`. */
import { RULES } from '../../rules/index.ts';
import { UsageError } from '../errors.ts';
import { catalogueJson, catalogueMarkdown, catalogueText, ruleText } from '../report/catalogue.ts';
import type { CliIO } from './io.ts';

export type CatalogueFormat = 'text' | 'json' | 'markdown';

export function listRules(ruleId: string | undefined, format: CatalogueFormat, io: CliIO): number {
  const rules = ruleId === undefined ? RULES : RULES.filter((rule) => rule.id === ruleId);
  if (rules.length === 0) {
    throw new UsageError(`unknown rule "${ruleId}"; \`meshready rules\` lists them`);
  }
  if (format === 'json') io.stdout.write(catalogueJson(rules));
  else if (format === 'markdown') io.stdout.write(catalogueMarkdown(rules));
  else io.stdout.write(ruleId === undefined ? catalogueText(rules) : rules.map(ruleText).join('\n'));
  return 0;
}
