/**
 * Rule documentation, embedded at build time so the CLI, the bundled Action and the app can explain a
 * rule without reading files next to the code. `npm run generate` rewrites docs.generated.ts from the
 * `<rule>.md` files; a test fails when it is stale.
 */
import { RULE_DOCS } from './docs.generated.js';

export function ruleDocs(id: string): string | undefined {
  return RULE_DOCS[id];
}
