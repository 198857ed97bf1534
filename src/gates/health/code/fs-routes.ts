/**
 * Routes that frameworks derive from file paths: Next.js (App Router `app/…/route.ts`, Pages Router
 * `pages/api/…`), Remix / React Router flat routes (`app/routes/api.health.ts` with a `loader`) and
 * SvelteKit endpoints (`src/routes/health/+server.ts`). The URL comes from the path relative to the
 * service root; the handlers are the module's exported functions.
 */
import type { TSNode } from '../../../lang/source-file.js';
import type { Framework } from '../model.js';
import { functionOf, type FileInfo } from './codebase.js';
import { handlerRef, joinPaths, type RawFacts } from './routes.js';

/** Frameworks whose routes come from files and whose server the framework runs (no `listen` in the code). */
export const FILE_ROUTED: ReadonlySet<Framework> = new Set<Framework>(['next', 'remix', 'sveltekit']);

const HTTP_EXPORTS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A file some file-system router may serve (decided on the path alone, before any parse). */
export function isFileRouteCandidate(path: string): boolean {
  return (
    /(^|\/)(src\/)?app\/(.+\/)?route\.(ts|tsx|js|jsx|mjs)$/.test(path) ||
    /(^|\/)(src\/)?pages\/api\/.+\.(ts|tsx|js|jsx|mjs)$/.test(path) ||
    /(^|\/)app\/routes\/.+\.(ts|tsx|js|jsx|mjs)$/.test(path) ||
    /(^|\/)src\/routes\/(.+\/)?\+server\.(ts|js)$/.test(path)
  );
}

/**
 * What a file-system router would make of a file, decided on its path and the repository's paths alone
 * (no parse): the URL it serves and how its handlers are exported. Undefined when it serves nothing for
 * the service rooted at `root`. Part of the analysis cache's key for the file's routes.
 */
export type FileRoutePlan =
  { kind: 'sveltekit'; url: string } | { kind: 'remix'; url: string } | { kind: 'next'; rel: string };

export function fileRoutePlan(path: string, root: string, paths: ReadonlySet<string>): FileRoutePlan | undefined {
  const rel = root ? path.slice(root.length + 1) : path;
  const svelte = /^src\/routes\/(.*?)\/?\+server\.\w+$/.exec(rel);
  if (svelte) return { kind: 'sveltekit', url: svelteKitPath(svelte[1] ?? '') };
  const remix = /^(app\/routes)\/(.+)\.\w+$/.exec(rel);
  if (remix) {
    const url = remixPath(remix[2]!, `${root ? `${root}/` : ''}${remix[1]}`, paths);
    return url === undefined ? undefined : { kind: 'remix', url };
  }
  return { kind: 'next', rel };
}

/**
 * Whether a module's text can export what its plan needs: every name a file exports appears in its text,
 * so a Remix route without the word `loader`, or a SvelteKit endpoint without an HTTP method's name,
 * serves nothing and need not be parsed.
 */
export function mayServe(plan: FileRoutePlan, text: string): boolean {
  if (plan.kind === 'remix') return text.includes('loader');
  if (plan.kind === 'sveltekit') return HTTP_EXPORTS.some((m) => text.includes(m));
  return true;
}

/** Adds the routes a file-system-routed module serves, as its {@link fileRoutePlan} says. */
export function fileRoutes(info: FileInfo, f: RawFacts, plan: FileRoutePlan): void {
  if (plan.kind === 'sveltekit') return add(info, f, 'sveltekit', plan.url, methodExports(info));
  if (plan.kind === 'remix') {
    if (!info.exports.has('loader')) return;
    return add(info, f, 'remix', plan.url, [['GET', info.exports.get('loader')!]]);
  }
  nextRoute(info, f, plan.rel);
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
  return HTTP_EXPORTS.filter((m) => info.exports.has(m)).map((m) => [m, info.exports.get(m)!]);
}

/** SvelteKit: `(group)` folders add nothing, `[id]` is a parameter, `[...rest]` a catch-all, `[[lang]]` optional. */
function svelteKitPath(dir: string): string {
  const parts: string[] = [];
  for (const s of dir.split('/').filter(Boolean)) {
    if (/^\(.*\)$/.test(s) || /^\[\[.*\]\]$/.test(s)) continue;
    if (/^\[\.\.\./.test(s)) parts.push('*');
    else parts.push(s.replace(/\[(\w+)(=\w+)?\]/g, ':$1'));
  }
  return joinPaths(...parts);
}

/**
 * Remix / React Router flat routes: `api.health.ts` → `/api/health`, `_index` → the parent, `_auth.login`
 * (pathless layout) → `/login`, `concerts_.mine` → `/concerts/mine`, `$id` → `:id`, `$` → `*`,
 * `sitemap[.]xml` → `/sitemap.xml`; a folder's `route.tsx` is the folder's route. Remix 1 nested folders
 * (`api/health.ts`) are read the same way when the folder has no `route` module, and remix-flat-routes
 * `+` folders are flattened (`api+/health.ts` is `api.health.ts`). Undefined for files that
 * are not route modules (helpers beside a folder's `route.tsx`).
 */
function remixPath(name: string, routesDir: string, paths: ReadonlySet<string>): string | undefined {
  const all = name.split('/');
  // remix-flat-routes hybrid folders: `api+/health.ts` is `api.health.ts`.
  const flat: string[] = [];
  while (all.length > 1 && all[0]!.endsWith('+')) flat.push(all.shift()!.slice(0, -1));
  const folders = all;
  let file = folders.pop()!;
  if (folders.length > 0) {
    const dir = [...flat.map((f) => `${f}+`), ...folders].join('/');
    const folderRoute = ['tsx', 'ts', 'jsx', 'js'].some((e) => paths.has(`${routesDir}/${dir}/route.${e}`));
    if (file === 'route' && folders.length === 1) file = folders.pop()!;
    else if (folderRoute) return undefined;
  }
  const segments: string[] = [];
  for (const part of [...flat, ...folders, file]) segments.push(...splitRemixName(part));
  const parts: string[] = [];
  for (const s of segments) {
    if (s === '_index' || s === 'index' || s === 'route') continue;
    if (s.startsWith('_')) continue; // pathless layout
    let seg = s.endsWith('_') ? s.slice(0, -1) : s;
    seg = seg.replace(/^\((.*)\)$/, '$1'); // optional segment: served with it too
    if (seg === '$') parts.push('*');
    else if (seg.startsWith('$')) parts.push(`:${seg.slice(1)}`);
    else parts.push(seg.replace(/\[([^\]]*)\]/g, '$1'));
  }
  return joinPaths(...parts);
}

/** Splits a flat route name on dots outside `[…]` escapes. */
function splitRemixName(name: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of name) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.filter(Boolean);
}

/** Next.js App Router `app/…/route.ts` (exported `GET`…) and Pages Router `pages/api/…` (default export). */
function nextRoute(info: FileInfo, f: RawFacts, rel: string): void {
  let segments: string[];
  const app = /^(?:src\/)?app\/(.*?)\/?route\.\w+$/.exec(rel);
  const pages = /^(?:src\/)?pages\/(api\/.+)\.\w+$/.exec(rel);
  if (app) segments = (app[1] ?? '').split('/').filter(Boolean);
  else if (pages) segments = pages[1]!.split('/');
  else return; // a route file outside this service's app dir
  if (segments.some((s) => s.startsWith('_'))) return; // private folders are not routed
  if (segments[segments.length - 1] === 'index' && pages) segments.pop();
  const parts = segments
    .filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith('@'))
    .map((s) => (/^\[\[?\.\.\./.test(s) ? '*' : s));
  const urlPath = joinPaths(...parts);
  f.frameworks.add('next');
  if (app) return add(info, f, 'next', urlPath, methodExports(info));
  if (info.exports.has('default')) return add(info, f, 'next', urlPath, [['ALL', info.exports.get('default')!]]);
  if (info.defaultExpr) {
    f.frameworks.add('next');
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
