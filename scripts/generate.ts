/**
 * Regenerates every generated artifact from its source, so they cannot drift:
 *  - src/gates/docs.generated.ts   (rule docs embedded for the CLI/Action/app)
 *  - schema/readiness.schema.json  (the config's JSON Schema, from the zod schema)
 *  - README.md sections between <!-- generated:rules --> and <!-- generated:config --> markers
 * `--check` writes nothing and exits 1 when any file would change (CI and a test use it).
 */
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { generatedArtifacts } from './generated-artifacts.js';

const check = process.argv.includes('--check');
const root = join(import.meta.dirname, '..');
let stale = 0;
for (const artifact of await generatedArtifacts(root)) {
  const path = join(root, artifact.path);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === artifact.content) continue;
  stale++;
  if (check) console.error(`stale: ${artifact.path} (run npm run generate)`);
  else {
    writeFileSync(path, artifact.content);
    console.log(`wrote ${artifact.path}`);
  }
}
void readdirSync;
if (check && stale > 0) process.exit(1);
if (!check && stale === 0) console.log('generated files are up to date');
