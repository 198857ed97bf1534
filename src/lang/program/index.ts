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
export {
  FASTIFY_HANDLER_KEYS,
  GO_HANDLER_PARAM_TYPES,
  GO_ROUTE_METHODS,
  JS_HANDLER_REGISTRARS,
  JS_ROUTE_VERBS,
  NEST_HANDLER_DECORATORS,
  NEST_ROUTE_DECORATORS,
  PY_HANDLER_DECORATORS,
  PY_ROUTE_DECORATORS,
  PY_VIEW_DECORATORS,
  PY_VIEW_METHODS,
  ROUTE_MODULE_EXPORTS,
  fastifyRoute,
  goRouteCall,
  isJsRouteRegistrar,
  isPyViewMethod,
  joinUrlPath,
  jsDecoratorArgs,
  jsDecoratorName,
  jsDecoratorsOf,
  jsRouteCall,
  jsRoutePathIndex,
  jsRouteVerb,
  looksLikeJsRoutePath,
  nestHandlerDecorator,
  nestRequestScope,
  pyDecoratorName,
  pyRouteDecorator,
  pyRouteMethods,
  type FastifyRoute,
  type GoRouteCall,
  type JsRouteCall,
  type PyRouteDecorator,
} from './routes.js';
export {
  fileRoutePlan,
  isFileRouteCandidate,
  isNextApiRouteModule,
  isNextAppRouteModule,
  mayServe,
  nextRoute,
  type FileRoutePlan,
} from './file-routes.js';
export { dirOf, joinPath } from './paths.js';
export { parseJsonc } from './jsonc.js';
