/**
 * The YAML parsers compared on kubectl's output: each item of a kubectl YAML List (cut by
 * splitYamlList, as the loader does) parsed by the yaml library (parseDocument + toJS) and by
 * js-yaml, best of three, and whether both give the same values.
 *   node bench/yaml-parsers.ts FILE.yaml...
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { parseYamlListItem, splitYamlList } from '../src/snapshot/yaml-list.ts';

function best(run: () => unknown[]): { ms: number; values: unknown[] } {
  let ms = Number.POSITIVE_INFINITY;
  let values: unknown[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    values = run();
    ms = Math.min(ms, performance.now() - started);
  }
  return { ms, values };
}

for (const file of process.argv.slice(2)) {
  const split = splitYamlList(readFileSync(file, 'utf8'));
  if (!split) {
    process.stdout.write(`${file}: not a kubectl YAML List\n`);
    continue;
  }
  const chunks = [...split.items];
  const yaml = best(() =>
    chunks.map((c) => parseDocument(c.text, { prettyErrors: false, uniqueKeys: false }).toJS()),
  );
  const jsYaml = best(() => chunks.map((c) => parseYamlListItem(c.text)?.value));
  process.stdout.write(
    `${file}: ${chunks.length} items; yaml ${(yaml.ms / 1000).toFixed(2)} s, js-yaml ${(jsYaml.ms / 1000).toFixed(2)} s ` +
      `(${(yaml.ms / jsYaml.ms).toFixed(1)}× faster); same values: ${isDeepStrictEqual(yaml.values, jsYaml.values)}\n`,
  );
}
