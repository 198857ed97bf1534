#!/usr/bin/env node
// The package bin. The npm package ships the bundled CLI (dist-cli/, built by `prepack`, no dependencies);
// a checkout runs the compiled sources (build/, built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entries = [new URL('../build/cli/index.js', import.meta.url), new URL('../dist-cli/index.js', import.meta.url)];
const entry = entries.find((url) => existsSync(fileURLToPath(url)));
if (!entry) {
  process.stderr.write(
    'readiness-gates: neither build/ nor dist-cli/ exists; run `npm ci` (or `npm run build`) in the checkout first.\n',
  );
  process.exit(2);
}
await import(entry.href);
