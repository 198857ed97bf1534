/**
 * The program model shared by every gate: what the code means across files, derived once per language.
 *
 * - `modules.ts`: which repository file an import denotes (TS/JS relative, tsconfig `paths`/`baseUrl`
 *   through `extends`, workspace packages; Python packages and relative imports; Go directories).
 * - `scope.ts`: one scope rule per language, `resolve(name, at)` → the declaration (JS/TS block scope,
 *   Python function scope with global/nonlocal, Go block scope).
 * - `paths.ts`: repository path arithmetic. `jsonc.ts`: JSON with comments (tsconfig).
 *
 * Syntax helpers every language shares (`unwrap`, `dottedName`, `importsOf`…) stay in `../ts-helpers.ts`.
 */
export {
  ModuleResolver,
  loadJsProjectConfig,
  loadJsProjectConfigFrom,
  jsProjectConfigPaths,
  type JsProjectConfig,
  type ModuleLookup,
} from './modules.js';
export {
  JsScopes,
  PyScopes,
  GoScopes,
  jsDeclaratorOf,
  localImports,
  type JsDeclaration,
  type PyDeclaration,
  type GoDeclaration,
} from './scope.js';
export { dirOf, joinPath } from './paths.js';
export { parseJsonc } from './jsonc.js';
