/**
 * The health gate's routes from file-system routers (Next.js, Remix / React Router, SvelteKit): the URL
 * each module serves comes from the shared route detector (`lang/program/file-routes.ts`); the handlers
 * are the module's exported functions.
 */
import type { TSNode } from '../../../lang/source-file.js';
import { nextRoute, type FileRoutePlan } from '../../../lang/program/file-routes.js';
import { ROUTE_MODULE_EXPORTS } from '../../../lang/program/routes.js';
import type { Framework } from '../model.js';
import { functionOf, type FileInfo } from './codebase.js';
import { handlerRef, type RawFacts } from './routes.js';

export {
  fileRoutePlan,
  isFileRouteCandidate,
  mayServe,
  type FileRoutePlan,
} from '../../../lang/program/file-routes.js';

/** Frameworks whose routes come from files and whose server the framework runs (no `listen` in the code). */
export const FILE_ROUTED: ReadonlySet<Framework> = new Set<Framework>(['next', 'remix', 'sveltekit']);

/** Adds the routes a file-system-routed module serves, as its {@link fileRoutePlan} says. */
export function fileRoutes(info: FileInfo, f: RawFacts, plan: FileRoutePlan): void {
  if (plan.kind === 'sveltekit') return add(info, f, 'sveltekit', plan.url, methodExports(info));
  if (plan.kind === 'remix') {
    if (!info.exports.has('loader')) return;
    return add(info, f, 'remix', plan.url, [['GET', info.exports.get('loader')!]]);
  }
  nextRouteOf(info, f, plan.rel);
}

function add(
  info: FileInfo,
  f: RawFacts,
  framework: Framework,
  urlPath: string,
  methods: Array<[string, string]>,
): void {
  if (methods.length === 0) return;
  f.frameworks.add(framework);
  for (const [method, local] of methods) {
    const decl = info.decls.get(local);
    const fn = decl ? functionOf(decl) : undefined;
    // `export { GET } from '@/modules/health/route'`: the handler is the re-exported (or imported) name,
    // which the analysis follows through the module resolver (relative paths, tsconfig aliases, `$lib`).
    const forwarded = !decl && info.bindings.has(local) ? exportedName(info, local) : undefined;
    const handler = fn ?? forwarded;
    f.routes.push({
      framework,
      method,
      path: urlPath,
      receiver: { kind: 'root' },
      loc: { path: info.path, line: (decl ?? forwarded ?? info.root).startPosition.row + 1 },
      handlers: handler ? [handlerRef({ node: handler, info })] : [],
    });
  }
}

/**
 * The identifier of an `export { … }` clause that stands for `local`: the alias of a re-export
 * (`export { handler as GET } from …` is bound as `GET`), else the exported local name.
 */
function exportedName(info: FileInfo, local: string): TSNode | undefined {
  for (const spec of info.root.descendantsOfType('export_specifier')) {
    const reexport = spec?.parent?.parent?.childForFieldName('source');
    const node = (reexport && spec?.childForFieldName('alias')) || spec?.childForFieldName('name');
    if (node?.text === local && node.type === 'identifier') return node;
  }
  return undefined;
}

/** Exported `GET`, `POST`… functions (Next.js route handlers, SvelteKit endpoints). */
function methodExports(info: FileInfo): Array<[string, string]> {
  return ROUTE_MODULE_EXPORTS.filter((m) => info.exports.has(m)).map((m) => [m, info.exports.get(m)!]);
}

/** Next.js App Router `app/…/route.ts` (exported `GET`…) and Pages Router `pages/api/…` (default export). */
function nextRouteOf(info: FileInfo, f: RawFacts, rel: string): void {
  const route = nextRoute(rel);
  if (!route) return; // a route file outside this service's app dir, or a private folder
  const urlPath = route.url;
  f.frameworks.add('next');
  if (route.router === 'app') return add(info, f, 'next', urlPath, methodExports(info));
  if (info.exports.has('default')) return add(info, f, 'next', urlPath, [['ALL', info.exports.get('default')!]]);
  if (info.defaultExpr) {
    f.routes.push({
      framework: 'next',
      method: 'ALL',
      path: urlPath,
      receiver: { kind: 'root' },
      loc: { path: info.path, line: 1 },
      handlers: [handlerRef({ node: info.defaultExpr, info })],
    });
  }
}
