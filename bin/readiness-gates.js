#!/usr/bin/env node
// The package bin. The npm package ships the bundled CLI (dist-cli/, built by `prepack`, no dependencies);
// a checkout runs the compiled sources (build/, built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Node 22.1 and later keep the compiled code of the modules below on disk (in the system's temporary
// directory, as TypeScript's own CLI does), so a second check does not compile them again; Node 20 has no
// such cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
try {
  module.enableCompileCache?.();
} catch {
  // A cache that cannot be enabled only makes start-up slower.
}

const entries = [new URL('../build/cli/index.js', import.meta.url), new URL('../dist-cli/index.js', import.meta.url)];
const entry = entries.find((url) => existsSync(fileURLToPath(url)));
if (!entry) {
  process.stderr.write(
    'readiness-gates: neither build/ nor dist-cli/ exists; run `npm ci` (or `npm run build`) in the checkout first.\n',
  );
  process.exit(2);
}
await import(entry.href);
