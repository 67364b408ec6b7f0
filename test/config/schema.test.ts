/**
 * The editor schema (schemas/meshready-config.schema.json, draft-07) and the zod schema the CLI
 * validates with must agree: same examples accepted, same mistakes rejected. (test/schemas.test.ts
 * checks that the committed file is what `npm run schemas` generates.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/schema.ts';
import { ROOT } from '../helpers/cli.ts';

const schema = JSON.parse(await readFile(path.join(ROOT, 'schemas', 'meshready-config.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const cases: { name: string; yaml: string; valid: boolean }[] = [
  {
    name: 'the example of SPEC §11',
    yaml: `target: asm-1.7
upgradeTo: 1.17.12-gke.1501
excludeNamespaces: ["sandbox-*"]
rules:
  mixer-custom-config: off
suppressions:
  - rule: service-port-naming
    namespace: shop
    kind: Service
    name: cart
    reason: "TCP-only legacy service, renamed in Q1"
    owner: team-shop@example.com
    expires: 2026-12-31
annotationExemptions: false
`,
    valid: true,
  },
  { name: 'an empty mapping', yaml: '{}', valid: true },
  { name: 'an unknown top-level key', yaml: 'targets: asm-1.7', valid: false },
  {
    name: 'an unknown key in a suppression',
    yaml: 'suppressions: [{rule: a, reason: b, until: c}]',
    valid: false,
  },
  { name: 'a suppression without reason', yaml: 'suppressions: [{rule: a}]', valid: false },
  { name: 'a suppression without rule', yaml: 'suppressions: [{reason: b}]', valid: false },
  { name: 'an unknown target', yaml: 'target: istio-1.7', valid: false },
  { name: 'an unknown severity', yaml: 'rules: {a: critical}', valid: false },
  {
    name: 'a date in another format',
    yaml: 'suppressions: [{rule: a, reason: b, expires: 31/12/2026}]',
    valid: false,
  },
  { name: 'excludeNamespaces as a string', yaml: 'excludeNamespaces: sandbox-*', valid: false },
  { name: 'annotationExemptions as a string', yaml: 'annotationExemptions: "no"', valid: false },
];

describe('schemas/meshready-config.schema.json', () => {
  it('is a draft-07 schema with an $id, for editors', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toMatch(/meshready-config\.schema\.json$/);
    expect(schema.additionalProperties).toBe(false);
  });

  for (const { name, yaml, valid } of cases) {
    it(`${valid ? 'accepts' : 'rejects'} ${name}, as the CLI does`, () => {
      const value = parse(yaml);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(valid);
      expect(configSchema.safeParse(value).success).toBe(valid);
    });
  }
});
