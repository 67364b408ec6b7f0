/**
 * The registry's rules as the formatters see them: src/report imports nothing from rules/, so
 * the commands that render reports pass this in the format context.
 */
import { RULES } from '../../rules/index.ts';
import { ruleCatalogue } from '../report/rule-docs.ts';

export const RULE_CATALOGUE = ruleCatalogue(RULES);
