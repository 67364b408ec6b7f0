#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm run build` (also run by `npm ci`) makes it.
import '../dist/src/cli/main.js';
