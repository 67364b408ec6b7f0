#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm run build` (also run by `npm ci`) makes it.
// Written for any Node.js, so an old one (a global or npx install on Node 20) gets one clear line
// instead of a stack trace from syntax or APIs it does not have.
import { existsSync } from 'node:fs';

const REQUIRED = [22, 12];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])) {
  process.stderr.write(
    `meshready: Node.js >= ${REQUIRED.join('.')} is required; this is Node.js ${process.versions.node} (${process.execPath})\n`,
  );
  process.exit(2);
}

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'meshready: the compiled CLI (dist/) is missing; run npm run build in the meshready directory\n',
  );
  process.exit(2);
}
await import(main.href);
