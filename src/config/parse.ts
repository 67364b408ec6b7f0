/**
 * Parses `meshready.yaml` text into a validated configuration. Every problem is an InputError
 * naming the file and the line of the offending key or value (the `yaml` library keeps source
 * ranges), so a typo in a suppression points at itself.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.ts';
import { globMatcher } from './glob.ts';
import { configSchema, type MeshreadyConfig, suppressionConfigSchema } from './schema.ts';
import { type PathKey, pathText, SourcePositions } from './source-positions.ts';

interface Problem {
  readonly line: number;
  readonly message: string;
}

/** The keys an object at this path may hold, for "unknown key" messages. */
function allowedKeys(path: readonly PathKey[]): readonly string[] {
  if (path.length === 0) return Object.keys(configSchema.shape);
  if (path[0] === 'suppressions' && path.length === 2) return Object.keys(suppressionConfigSchema.shape);
  return [];
}

function valueAt(value: unknown, path: readonly PathKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function problemsOf(issue: z.core.$ZodIssue, value: unknown, positions: SourcePositions): Problem[] {
  const where = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(issue.path);
    return issue.keys.map((key) => ({
      line: positions.lineOfKey(issue.path, key),
      message:
        `unknown key "${key}"${where ? ` in ${where}` : ''}` +
        (allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''),
    }));
  }
  const missing = issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined;
  return [
    {
      line: positions.lineAt(issue.path),
      message: missing ? `${where} is required` : `${where || 'configuration'}: ${issue.message}`,
    },
  ];
}

function ruleIdProblems(
  config: MeshreadyConfig,
  knownRuleIds: ReadonlySet<string>,
  positions: SourcePositions,
): Problem[] {
  const unknownRule = (ruleId: string) =>
    `unknown rule "${ruleId}" (\`meshready rules\` lists the catalogue)`;
  const problems: Problem[] = [];
  for (const ruleId of Object.keys(config.rules ?? {})) {
    if (!knownRuleIds.has(ruleId))
      problems.push({ line: positions.lineOfKey(['rules'], ruleId), message: unknownRule(ruleId) });
  }
  (config.suppressions ?? []).forEach((suppression, index) => {
    if (!knownRuleIds.has(suppression.rule)) {
      problems.push({
        line: positions.lineAt(['suppressions', index, 'rule']),
        message: `suppressions[${index}].rule: ${unknownRule(suppression.rule)}`,
      });
    }
  });
  return problems;
}

/** Namespaces `excludeNamespaces` may never hide (SPEC §11): without them the scan would lie. */
export const CONTROL_PLANE_NAMESPACES = ['istio-system', 'kube-system'] as const;

function excludeProblems(config: MeshreadyConfig, positions: SourcePositions): Problem[] {
  const problems: Problem[] = [];
  (config.excludeNamespaces ?? []).forEach((glob, index) => {
    const hidden = CONTROL_PLANE_NAMESPACES.filter(globMatcher(glob));
    if (hidden.length > 0) {
      problems.push({
        line: positions.lineAt(['excludeNamespaces', index]),
        message:
          `excludeNamespaces[${index}]: "${glob}" would exclude ${hidden.join(' and ')}; ` +
          'the control plane is always evaluated',
      });
    }
  });
  return problems;
}

/**
 * `__proto__` as a key would set the prototype of the parsed object rather than name a setting
 * (`rules: {__proto__: off}` was accepted and did nothing), so it is refused wherever it appears.
 */
function prototypeKeyProblems(value: unknown, positions: SourcePositions, path: PathKey[] = []): Problem[] {
  if (value === null || typeof value !== 'object') return [];
  const problems: Problem[] = [];
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) {
    problems.push({
      line: positions.lineOfKey(path, '__proto__'),
      message: `key "__proto__"${path.length > 0 ? ` in ${pathText(path)}` : ''} is not allowed`,
    });
  }
  for (const [key, child] of Object.entries(value)) {
    problems.push(
      ...prototypeKeyProblems(child, positions, [...path, Array.isArray(value) ? Number(key) : key]),
    );
  }
  return problems;
}

function fail(file: string, problems: readonly Problem[]): never {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const [first, ...rest] = sorted as [Problem, ...Problem[]];
  const more = rest.map((p) => `\n  ${file}:${p.line}: ${p.message}`).join('');
  throw new InputError(file, first.line, `${first.message}${more}`);
}

/**
 * @param knownRuleIds the catalogue's rule ids; a rule id elsewhere is an error (a typo would
 *   otherwise silently suppress nothing).
 */
export function parseConfig(file: string, text: string, knownRuleIds: ReadonlySet<string>): MeshreadyConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const positions = new SourcePositions(document, lines);
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const line = syntaxError.linePos?.[0].line ?? positions.lineOfOffset(syntaxError.pos[0]);
    throw new InputError(file, line, `malformed YAML: ${syntaxError.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // The yaml library refuses alias bombs (and other unresolvable documents) by throwing.
    throw new InputError(file, undefined, `malformed YAML: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(file, positions.lineAt([]), 'the configuration must be a mapping of settings');
  }
  const prototypeKeys = prototypeKeyProblems(value, positions);
  if (prototypeKeys.length > 0) fail(file, prototypeKeys);
  const parsed = configSchema.safeParse(value);
  if (!parsed.success)
    fail(
      file,
      parsed.error.issues.flatMap((issue) => problemsOf(issue, value, positions)),
    );
  const problems = [
    ...ruleIdProblems(parsed.data, knownRuleIds, positions),
    ...excludeProblems(parsed.data, positions),
  ];
  if (problems.length > 0) fail(file, problems);
  return parsed.data;
}
