/** `meshready rules [RULE_ID] [--format text|json|markdown]`. */
import { RULES } from '../../rules/index.ts';
import { UsageError } from '../errors.ts';
import { catalogueJson, catalogueMarkdown, catalogueText, ruleText } from '../report/catalogue.ts';
import { type CliIO, wrapWidth } from './io.ts';

export type CatalogueFormat = 'text' | 'json' | 'markdown';

export function listRules(ruleId: string | undefined, format: CatalogueFormat, io: CliIO): number {
  const rules = ruleId === undefined ? RULES : RULES.filter((rule) => rule.id === ruleId);
  if (rules.length === 0) {
    const guesses = ruleId === undefined ? [] : similarRuleIds(ruleId);
    const guess = guesses.length > 0 ? ` (did you mean ${guesses.join(' or ')}?)` : '';
    throw new UsageError(`unknown rule "${ruleId}"${guess}; \`meshready rules\` lists them`);
  }
  if (format === 'json') io.stdout.write(catalogueJson(rules));
  else if (format === 'markdown') io.stdout.write(catalogueMarkdown(rules));
  else {
    const width = wrapWidth(io, 'stdout');
    io.stdout.write(
      ruleId === undefined
        ? catalogueText(rules, width)
        : rules.map((rule) => ruleText(rule, width)).join('\n'),
    );
  }
  return 0;
}

/** Levenshtein distance, for did-you-mean on rule ids. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Rule ids that contain what was typed, or are a typo or two away from it. */
export function similarRuleIds(typed: string): string[] {
  const query = typed.toLowerCase();
  return RULES.map((rule) => rule.id).filter(
    (id) => (query.length >= 3 && id.includes(query)) || editDistance(query, id) <= 2,
  );
}
