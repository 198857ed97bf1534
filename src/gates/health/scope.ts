/**
 * What of the repository a change can affect in the health model: whether any changed file feeds it
 * (a deployment file, a service manifest, code that serves routes, or code a route's handler can reach),
 * and which services' code must be read (those the change touches, and those whose route files reach a
 * changed file). Decided from paths, literal tokens and `grep`, before anything is parsed.
 */
import type { ChangeContext, ChangeSide } from '../../core/types.js';
import { isLockfileOrGenerated } from '../../core/feeds.js';
import { isComposePath } from './deploy/compose.js';
import { JS_TOKENS } from './code/js-extract.js';
import { PY_TOKENS } from './code/py-extract.js';

/** The roots of the services whose code the index reads; undefined: every service. */
export interface HealthScope {
  services: string[];
}

const CODE_GLOBS = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}', '**/*.py'];
/** Handlers are followed this many calls deep into other files (HandlerAnalyzer's MAX_DEPTH). */
const MAX_REACH_DEPTH = 3;
/** More importers than this at one step: assume a route reaches the file. */
const MAX_IMPORTERS = 200;

/** Words of code that serves or checks health, beyond the extractors' framework tokens. */
const HEALTH_CODE_TOKENS = [
  '@godaddy/terminus',
  'lightship',
  'under-pressure',
  '@nestjs/terminus',
  'fastapi_health',
  'health',
  'Health',
  'livez',
  'readyz',
  'SIGTERM',
];

/** Any of these in a changed code file: it serves routes or health checks, and feeds the model. */
const REACH_TOKENS = [...HEALTH_CODE_TOKENS, ...JS_TOKENS, ...PY_TOKENS];

/** YAML that may hold workloads, Services or Compose services (the index's own prefilter), and Helm files. */
function isDeploymentPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return (
    /\.ya?ml$/.test(name) ||
    isComposePath(path) ||
    name === 'dockerfile' ||
    name === 'containerfile' ||
    name.startsWith('dockerfile.') ||
    name.endsWith('.dockerfile') ||
    name === '.dockerignore'
  );
}

/** Manifests that make or name a service (services.ts), and Next.js config. */
function isServiceManifest(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return ['package.json', 'pyproject.toml', 'setup.py', 'requirements.txt', 'go.mod'].includes(name);
}

function isCode(path: string): boolean {
  return /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py)$/.test(path) && !/\.d\.[cm]?ts$/.test(path) && !/\.min\.js$/.test(path);
}

/** Names an importer would spell to import this file: its stem, or its directory for an index module. */
function importNames(path: string): string[] {
  const parts = path.split('/');
  const stem = parts.at(-1)!.replace(/\.[^.]+$/, '');
  const names = stem === 'index' || stem === '__init__' ? [parts.at(-2) ?? ''] : [stem];
  return names.filter((n) => n.length >= 3);
}

interface Reach {
  /** Some changed file feeds the model. */
  feeds: boolean;
  /** Service roots whose code the model must read; undefined: all of them. */
  services?: Set<string>;
}

/** Names the reach of one change for {@link ChangeContext.once}. */
const REACH = {};

/** Whether the change feeds the health model, and which services it reaches; computed once per change. */
export function healthReach(ctx: ChangeContext<unknown>): Promise<Reach> {
  return ctx.once(REACH, () => computeReach(ctx));
}

async function computeReach(ctx: ChangeContext<unknown>): Promise<Reach> {
  const code: Array<{ side: ChangeSide; paths: string[] }> = [];
  for (const side of [ctx.head, ctx.base]) {
    const paths: string[] = [];
    for (const path of side.changed) {
      if (ctx.excluded(path) || isLockfileOrGenerated(path) || /(^|\/)node_modules\//.test(path)) continue;
      // Deployment files and manifests: the model's other half, and the services' names. Any of them
      // can change what every service is judged against: the whole model.
      if (isDeploymentPath(path) || isServiceManifest(path)) return { feeds: true };
      if (isCode(path)) paths.push(path);
    }
    code.push({ side, paths });
  }
  // One side after the other: when the head's code reaches too much to tell, the base's greps are not run.
  const services = new Set<string>();
  for (const { side, paths } of code) {
    const reached = await servicesReached(side, paths);
    if (reached === undefined) return { feeds: true };
    for (const root of reached) services.add(root);
  }
  return { feeds: services.size > 0, services };
}

/** The service roots a side's changed code files feed; undefined when too many files import them to tell. */
async function servicesReached(side: ChangeSide, code: readonly string[]): Promise<Set<string> | undefined> {
  const services = new Set<string>();
  const files = await Promise.all(code.map((path) => side.read(path)));
  const pending: string[] = [];
  code.forEach((path, i) => {
    const file = files[i];
    if (!file) return;
    if (REACH_TOKENS.some((t) => file.text.includes(t)) || isNextRoute(path)) services.add(side.serviceOf(path).root);
    else pending.push(path);
  });
  // Code without those tokens feeds the model when a route file can reach it: it imports it, or imports
  // a file that does, up to the depth handlers are followed.
  const reached = await routeFilesReaching(side, pending);
  if (reached === undefined) return undefined;
  for (const path of reached) services.add(side.serviceOf(path).root);
  return services;
}

/** Route files that import (transitively) one of the files; undefined when too many files import them. */
async function routeFilesReaching(side: ChangeSide, files: readonly string[]): Promise<string[] | undefined> {
  if (files.length === 0) return [];
  // Asked now, awaited after the first importers: the two greps run side by side.
  const routeFilesAsked = side.snapshot.grep(REACH_TOKENS, CODE_GLOBS);
  routeFilesAsked.catch(() => undefined); // a failure is thrown where it is awaited
  let routeFiles: Set<string> | undefined;
  const out = new Set<string>();
  const seen = new Set<string>(files);
  let frontier = [...files];
  for (let depth = 0; depth < MAX_REACH_DEPTH && frontier.length > 0; depth++) {
    const names = [...new Set(frontier.flatMap(importNames))];
    if (names.length === 0) break;
    const importers = (await side.snapshot.grep(names, CODE_GLOBS)).filter((p) => !seen.has(p) && isCode(p));
    if (importers.length > MAX_IMPORTERS) return undefined;
    const routes = (routeFiles ??= new Set(await routeFilesAsked));
    for (const p of importers) {
      seen.add(p);
      if (routes.has(p)) out.add(p);
    }
    frontier = importers.filter((p) => !routes.has(p));
  }
  return [...out];
}

function isNextRoute(path: string): boolean {
  return (
    /(^|\/)(src\/)?app\/(.+\/)?route\.(ts|tsx|js|jsx|mjs)$/.test(path) ||
    /(^|\/)(src\/)?pages\/api\/.+\.(ts|tsx|js|jsx|mjs)$/.test(path)
  );
}
