/** The catalogue is explicit and complete (STYLE §3): checked here rather than trusted. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { catalogueMarkdown } from '../../src/report/catalogue.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** SPEC §4, in catalogue order. */
const SPEC_ORDER = [
  'gke-version-istio16',
  'gke-upgrade-cr-deletion',
  'ingress-gateway-upgrade-disruption',
  'istiod-revision-ready',
  'istio-operator-health',
  'v1alpha1-security-policy',
  'galley-webhook-clusterrole',
  'galley-validating-webhook',
  'envoyfilter-usage',
  'mixer-custom-config',
  'virtualservice-removed-fields',
  'service-port-naming',
  'node-machine-vcpu',
  'cluster-vcpu-capacity',
  'workload-identity',
  'webhook-firewall-15017',
  'vpc-sc-mesh-ca',
  'namespace-injection-labels',
  'sidecar-proxy-version',
  'ingress-gateway-revision',
  'old-control-plane-scaledown',
  'istio-operator-profile',
  'gateway-port-changes',
  'install-asm-preconditions',
];

/** The files a test file imports, relative to the repository root. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '([^']+)';$/gms)].map((m) =>
    path.relative(ROOT, path.resolve(path.dirname(file), m[1] ?? '')),
  );
}

const ruleFiles = readdirSync(path.join(ROOT, 'rules'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

describe('rule registry', () => {
  it('registers every file in rules/ exactly once', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual(ruleFiles);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('lists every rule of SPEC §4, in its order, and no other', () => {
    expect(RULES.map((r) => r.id)).toEqual(SPEC_ORDER);
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      it('has the id of its file and is the default export of it', async () => {
        const module = await import(path.join(ROOT, 'rules', `${rule.id}.ts`));
        expect(module.default).toBe(rule);
      });

      it('is documented: summary, checks, why, fix and at least one reference', () => {
        for (const field of ['summary', 'checks', 'why', 'fix'] as const) {
          expect(rule.docs[field].trim().length, field).toBeGreaterThan(20);
        }
        expect(rule.docs.references.length).toBeGreaterThan(0);
        for (const ref of rule.docs.references) expect(ref.url).toMatch(/^https:\/\//);
        expect(rule.title.length).toBeGreaterThan(10);
      });

      it('has its table test, which imports it and the rule tester, and fixtures', () => {
        // ruleTester checks on the cases themselves that every status is covered and every
        // expected finding named; an import left unused is a lint error (biome.json).
        const testFile = path.join(ROOT, 'test', 'rules', `${rule.id}.test.ts`);
        expect(existsSync(testFile), testFile).toBe(true);
        expect(importsOf(testFile)).toEqual(
          expect.arrayContaining([`rules/${rule.id}.ts`, 'test/helpers/rule-tester.ts']),
        );
        expect(existsSync(path.join(ROOT, 'fixtures', 'rules', rule.id))).toBe(true);
      });
    });
  }
});

describe('docs/rules.md', () => {
  it('is the generated catalogue (run `npm run docs` after changing rule metadata)', () => {
    const committed = readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8');
    expect(committed).toBe(catalogueMarkdown(RULES));
  });
});
