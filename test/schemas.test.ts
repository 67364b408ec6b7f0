import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMAS, schemaText } from '../scripts/generate-schemas.ts';

describe('shipped JSON Schemas', () => {
  for (const [file, make] of Object.entries(SCHEMAS)) {
    it(`schemas/${file} is up to date (run \`npm run schemas\`)`, () => {
      const committed = readFileSync(path.resolve(import.meta.dirname, '..', 'schemas', file), 'utf8');
      expect(committed).toBe(schemaText(make));
    });
  }
});
