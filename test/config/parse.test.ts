import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.ts';
import { InputError } from '../../src/errors.ts';

const KNOWN = new Set(['service-port-naming', 'namespace-injection-labels', 'mixer-custom-config']);

function parse(text: string) {
  return parseConfig('meshready.yaml', text, KNOWN);
}

/** The InputError a text raises; fails the test when it parses. */
function problem(text: string): InputError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const SPEC_EXAMPLE = `target: asm-1.7                      # same as --target; flags win over the file
upgradeTo: 1.17.12-gke.1501
excludeNamespaces: ["sandbox-*"]     # globs; excluded objects are not evaluated
rules:
  mixer-custom-config: off           # off | error | warning | info (severity override)
suppressions:
  - rule: service-port-naming        # required
    namespace: shop                  # globs; omitted = any
    kind: Service
    name: cart
    reason: "TCP-only legacy service, renamed in Q1"   # required
    owner: team-shop@example.com
    expires: 2026-12-31              # after this date the suppression no longer applies
`;

describe('parseConfig', () => {
  it('reads the example of SPEC §11 as written (unquoted off and dates stay strings)', () => {
    expect(parse(SPEC_EXAMPLE)).toEqual({
      target: 'asm-1.7',
      upgradeTo: '1.17.12-gke.1501',
      excludeNamespaces: ['sandbox-*'],
      rules: { 'mixer-custom-config': 'off' },
      suppressions: [
        {
          rule: 'service-port-naming',
          namespace: 'shop',
          kind: 'Service',
          name: 'cart',
          reason: 'TCP-only legacy service, renamed in Q1',
          owner: 'team-shop@example.com',
          expires: '2026-12-31',
        },
      ],
    });
  });

  it('treats an empty file or one with only comments as an empty configuration', () => {
    expect(parse('')).toEqual({});
    expect(parse('# nothing yet\n')).toEqual({});
  });

  it('names the line of an unknown top-level key and lists the allowed ones', () => {
    const error = problem('target: istio-1.6\nexclude_namespaces: [a]\n');
    expect(error.file).toBe('meshready.yaml');
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^meshready\.yaml:2: unknown key "exclude_namespaces"/);
    expect(error.message).toContain('allowed: target, upgradeTo, excludeNamespaces');
  });

  it('names the line of an unknown key inside a suppression', () => {
    const error = problem(
      ['suppressions:', '  - rule: service-port-naming', '    reason: ok', '    expiry: 2026-01-01'].join(
        '\n',
      ),
    );
    expect(error.line).toBe(4);
    expect(error.message).toContain('unknown key "expiry" in suppressions[0]');
  });

  it('names the line of a value of the wrong type', () => {
    const error = problem('target: istio-1.6\nexcludeNamespaces: sandbox-*\n');
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/excludeNamespaces: .*expected array/);
  });

  it('rejects a target or severity outside the vocabulary at its line', () => {
    expect(problem('target: istio-1.7\n').line).toBe(1);
    const severity = problem('rules:\n  service-port-naming: critical\n');
    expect(severity.line).toBe(2);
    expect(severity.message).toContain('rules.service-port-naming');
  });

  it('requires a reason and names the suppression it is missing from', () => {
    const error = problem('suppressions:\n  - rule: service-port-naming\n    owner: me\n');
    expect(error.line).toBe(2);
    expect(error.message).toContain('suppressions[0].reason is required');
    const blank = problem('suppressions:\n  - rule: service-port-naming\n    reason: "  "\n');
    expect(blank.line).toBe(3);
    expect(blank.message).toContain('a reason is required');
  });

  it('rejects dates that are not calendar dates', () => {
    const base = 'suppressions:\n  - rule: service-port-naming\n    reason: ok\n    expires: ';
    expect(problem(`${base}2026-02-30\n`).message).toContain('not a calendar date');
    expect(problem(`${base}31/12/2026\n`).message).toContain('expected a date YYYY-MM-DD');
    expect(problem(`${base}31/12/2026\n`).line).toBe(4);
    expect(parse(`${base}2028-02-29\n`).suppressions?.[0]?.expires).toBe('2028-02-29');
  });

  it('rejects an upgradeTo that is not a GKE version', () => {
    const error = problem('target: istio-1.6\nupgradeTo: 1.17.x\n');
    expect(error.line).toBe(2);
    expect(error.message).toContain('expected a GKE version');
    // Unquoted, 1.17 is a YAML number: the message says what type was expected.
    expect(problem('upgradeTo: 1.17\n').message).toMatch(/upgradeTo: .*expected string, received number/);
  });

  it('rejects unknown rule ids, in rules and in suppressions, at their lines', () => {
    const error = problem(
      [
        'rules:',
        '  service-port-naming: info',
        '  mixer-config: off',
        'suppressions:',
        '  - rule: port-naming',
        '    reason: typo',
      ].join('\n'),
    );
    expect(error.line).toBe(3);
    expect(error.message).toContain('unknown rule "mixer-config"');
    // Every problem is listed, each with its own line.
    expect(error.message).toContain('meshready.yaml:5: suppressions[0].rule: unknown rule "port-naming"');
  });

  it('reports malformed YAML and duplicate keys with their line', () => {
    const syntax = problem('target: istio-1.6\nrules: [unclosed\n');
    expect(syntax.message).toMatch(/malformed YAML/);
    expect(syntax.line).toBeGreaterThanOrEqual(2);
    const duplicate = problem('target: istio-1.6\ntarget: asm-1.6\n');
    expect(duplicate.line).toBe(2);
    expect(duplicate.message).toMatch(/malformed YAML: .*unique/i);
  });

  it('rejects a document that is not a mapping', () => {
    const error = problem('- target: istio-1.6\n');
    expect(error.line).toBe(1);
    expect(error.message).toContain('must be a mapping');
  });

  it('refuses an excludeNamespaces glob that would hide istio-system or kube-system, at its line', () => {
    const star = problem('target: istio-1.6\nexcludeNamespaces: ["*"]\n');
    expect(star.line).toBe(2);
    expect(star.message).toContain('istio-system and kube-system');
    const istio = problem('excludeNamespaces:\n  - sandbox-*\n  - istio-*\n');
    expect(istio.line).toBe(3);
    expect(istio.message).toMatch(/excludeNamespaces\[1\]: "istio-\*" would exclude istio-system;/);
    expect(problem('excludeNamespaces: ["kube-?ystem"]\n').message).toContain('kube-system');
    expect(parse('excludeNamespaces: ["istio-system-*", "sandbox-*"]\n').excludeNamespaces).toHaveLength(2);
  });

  it('refuses a __proto__ key anywhere instead of silently ignoring it', () => {
    const rules = problem('target: istio-1.6\nrules:\n  __proto__: off\n');
    expect(rules.line).toBe(3);
    expect(rules.message).toContain('"__proto__" in rules');
    expect(problem('__proto__:\n  target: asm-1.7\n').line).toBe(1);
    expect(
      problem('suppressions:\n  - rule: service-port-naming\n    reason: r\n    __proto__: {}\n').line,
    ).toBe(4);
  });

  it('turns a YAML alias bomb into an input error, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f'].entries()) {
      const previous = String.fromCharCode(97 + index);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const error = problem(`${levels.join('\n')}\n`);
    expect(error.message).toMatch(/meshready\.yaml: malformed YAML: .*alias/i);
  });
});
