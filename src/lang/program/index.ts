/**
 * The program model shared by every gate: what the code means across files, derived once per language.
 *
 * - `modules.ts`: which repository file an import denotes (TS/JS relative, tsconfig `paths`/`baseUrl`
 *   through `extends`, workspace packages; Python packages and relative imports; Go directories).
 * - `scope.ts`: one scope rule per language, `resolve(name, at)` → the declaration (JS/TS block scope,
 *   Python function scope with global/nonlocal, Go block scope).
 * - `routes.ts`: one route detector per language: which calls, decorators and classes register request
 *   handlers (router verbs, Fastify options and hooks, NestJS decorators, Python route decorators and
 *   class-based views, Go `HandleFunc`s), with the shared vocabulary (HTTP methods, handler keys…).
 *   `file-routes.ts`: the URLs file-system routers (Next.js, Remix, SvelteKit) derive from paths.
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
export * from './routes.js';
export * from './file-routes.js';
export { dirOf, joinPath } from './paths.js';
export { parseJsonc } from './jsonc.js';
