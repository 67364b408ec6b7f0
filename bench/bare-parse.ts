/**
 * The bare cost of the input, for the benchmark's ratios: read each file and parse it with
 * JSON.parse, or with the yaml library (every document to plain JS, as yaml.parse does).
 *   node bench/bare-parse.ts json|yaml FILE...
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [mode, ...files] = process.argv.slice(2);
let documents = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  if (mode === 'json') {
    JSON.parse(text);
    documents++;
  } else {
    for (const document of parseAllDocuments(text)) {
      document.toJS();
      documents++;
    }
  }
}
process.stdout.write(`${documents} documents\n`);
