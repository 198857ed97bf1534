/**
 * Routes that frameworks derive from file paths, decided on paths alone (no parse): Next.js (App Router
 * `app/…/route.ts` exporting `GET`…, Pages Router `pages/api/…` with a default export), Remix / React
 * Router flat routes (`app/routes/api.health.ts` with a `loader`) and SvelteKit endpoints
 * (`src/routes/health/+server.ts`). The URL comes from the path relative to the service root; which
 * exports handle which method is said by {@link FileRoutePlan} and {@link ROUTE_MODULE_EXPORTS}.
 */
import { joinUrlPath, ROUTE_MODULE_EXPORTS } from './routes.js';

/**
 * A file some file-system router may serve, for the health gate's service routes: the JS/TS extensions
 * those routers load by default.
 */
export function isFileRouteCandidate(path: string): boolean {
  return (
    /(^|\/)(src\/)?app\/(.+\/)?route\.(ts|tsx|js|jsx|mjs)$/.test(path) ||
    /(^|\/)(src\/)?pages\/api\/.+\.(ts|tsx|js|jsx|mjs)$/.test(path) ||
    /(^|\/)app\/routes\/.+\.(ts|tsx|js|jsx|mjs)$/.test(path) ||
    /(^|\/)src\/routes\/(.+\/)?\+server\.(ts|js)$/.test(path)
  );
}

/**
 * A Next.js App Router route handler module (`app/…/route.ts`, exporting `GET`…), by its path anywhere
 * in the repository and with any JS/TS extension (`.mts`, `.cjs` too).
 */
export function isNextAppRouteModule(path: string): boolean {
  return /(^|\/)app\/(.*\/)?route\.[cm]?[jt]sx?$/.test(path);
}

/** A Next.js Pages Router API route (`pages/api/…`, answering with its default export), by its path. */
export function isNextApiRouteModule(path: string): boolean {
  return /(^|\/)pages\/api\//.test(path);
}

/**
 * What a file-system router would make of a file, decided on its path and the repository's paths alone:
 * the URL it serves, or for Next.js the path relative to the service root ({@link nextRoute} reads it).
 * Undefined when it serves nothing for the service rooted at `root`.
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
  if (plan.kind === 'sveltekit') return ROUTE_MODULE_EXPORTS.some((m) => text.includes(m));
  return true;
}

/**
 * A Next.js route module's URL from its path relative to the service root: App Router `app/…/route.ts`
 * (handlers exported as `GET`…) or Pages Router `pages/api/…` (the default export answers every method).
 * Route groups `(x)` and parallel slots `@x` add nothing, catch-alls `[...x]` are `*`, private `_x`
 * folders are not routed. Undefined for a module outside this service's app or pages directory.
 */
export function nextRoute(rel: string): { router: 'app' | 'pages'; url: string } | undefined {
  let segments: string[];
  const app = /^(?:src\/)?app\/(.*?)\/?route\.\w+$/.exec(rel);
  const pages = /^(?:src\/)?pages\/(api\/.+)\.\w+$/.exec(rel);
  if (app) segments = (app[1] ?? '').split('/').filter(Boolean);
  else if (pages) segments = pages[1]!.split('/');
  else return undefined;
  if (segments.some((s) => s.startsWith('_'))) return undefined;
  if (segments[segments.length - 1] === 'index' && pages) segments.pop();
  const parts = segments
    .filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith('@'))
    .map((s) => (/^\[\[?\.\.\./.test(s) ? '*' : s));
  return { router: app ? 'app' : 'pages', url: joinUrlPath(...parts) };
}

/** SvelteKit: `(group)` folders add nothing, `[id]` is a parameter, `[...rest]` a catch-all, `[[lang]]` optional. */
function svelteKitPath(dir: string): string {
  const parts: string[] = [];
  for (const s of dir.split('/').filter(Boolean)) {
    if (/^\(.*\)$/.test(s) || /^\[\[.*\]\]$/.test(s)) continue;
    if (/^\[\.\.\./.test(s)) parts.push('*');
    else parts.push(s.replace(/\[(\w+)(=\w+)?\]/g, ':$1'));
  }
  return joinUrlPath(...parts);
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
  return joinUrlPath(...parts);
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
