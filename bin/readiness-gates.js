#!/usr/bin/env node
// The package bin. `npm ci` builds build/ through the `prepare` script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../build/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('readiness-gates: build/ is missing; run `npm ci` (or `npm run build`) in the checkout first.\n');
  process.exit(2);
}
await import(entry.href);
