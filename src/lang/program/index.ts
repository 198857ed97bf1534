/**
 * The program model shared by every gate: what the code means across files, derived once per language.
 *
 * - `modules.ts`: which repository file an import denotes (TS/JS with tsconfig aliases and workspace
 *   packages, Python, Go).
 * - `paths.ts`: repository path arithmetic.
 * - `jsonc.ts`: JSON with comments (tsconfig).
 */
export {
  ModuleResolver,
  loadJsProjectConfig,
  loadJsProjectConfigFrom,
  jsProjectConfigPaths,
  type JsProjectConfig,
  type ModuleLookup,
} from './modules.js';
export { dirOf, joinPath } from './paths.js';
export { parseJsonc } from './jsonc.js';
