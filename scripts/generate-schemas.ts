/**
 * Writes the JSON Schemas that ship in schemas/, generated from the zod schemas (STYLE §8).
 * `npm run schemas` runs it; test/schemas.test.ts fails when a committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { configJsonSchema } from '../src/config/schema.ts';
import { reportJsonSchema } from '../src/engine/report-model.ts';
import { PACKAGE_ROOT } from '../src/package-root.ts';

export const SCHEMAS: Readonly<Record<string, () => Record<string, unknown>>> = {
  'report.schema.json': reportJsonSchema,
  'meshready-config.schema.json': configJsonSchema,
};

export function schemaText(make: () => Record<string, unknown>): string {
  return `${JSON.stringify(make(), null, 2)}\n`;
}

if (import.meta.main) {
  for (const [file, make] of Object.entries(SCHEMAS)) {
    writeFileSync(path.join(PACKAGE_ROOT, 'schemas', file), schemaText(make));
    console.log(`wrote schemas/${file}`);
  }
}
