/**
 * The health index: one model per snapshot of what each service serves and what its deployment files
 * ask for (see model.ts). Deployment files are read first, so the code side knows which paths probes
 * target and analyses those handlers (and every health-named route) in depth.
 */
import type { IndexContext, IndexDef, Service } from '../../core/types.js';
import { isRecord } from '../../core/cache.js';
import type { FactsContext, FactsDef } from '../../core/facts.js';
import type { WorkerEnv, WorkerFactory } from '../../core/facts-parallel.js';
import { CodeBase, functionOf, type Dependencies, type FileInfo } from './code/codebase.js';
import { HandlerAnalyzer } from './code/handler.js';
import { clientsOf } from './code/clients.js';
import { fileRoutePlan, fileRoutes, isFileRouteCandidate, mayServe, type FileRoutePlan } from './code/fs-routes.js';
import { extractJs, JS_TOKENS, JS_WEB_MODULES } from './code/js-extract.js';
import { extractPython, PY_TOKENS } from './code/py-extract.js';
import { dirOf } from '../../lang/program/modules.js';
import {
  emptyFacts,
  joinPaths,
  mergeFacts,
  plainFacts,
  type HandlerRef,
  type LiveHandler,
  type RawFacts,
  type RawRoute,
} from './code/routes.js';
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import { isComposePath, parseCompose } from './deploy/compose.js';
import { parseDockerfile } from './deploy/dockerfile.js';
import { chartOf, type HelmContext, type HelmValues } from './deploy/helm.js';
import { looksLikeKube, parseKube, type KubeParse } from './deploy/kube.js';
import { ypath, ystr, type YNode } from './deploy/yaml-util.js';
import { httpTargetOf, shellWords } from './deploy/commands.js';
import { healthOptions, type HealthOptions } from './options.js';
import { healthReach, type HealthScope } from './scope.js';
import { isLockfileOrGenerated } from '../../core/feeds.js';
import {
  composeKey,
  containerKey,
  type CodeService,
  type ComposeService,
  type Container,
  type Dockerfile,
  type HandlerFacts,
  type HealthModel,
  type Mapping,
  type Route,
  type Workload,
} from './model.js';

export const HEALTH_INDEX_ID = 'health-model';

const JS_GLOBS = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];
const PY_GLOBS = ['**/*.py'];
const YAML_GLOBS = ['**/*.{yaml,yml}'];

/** Paths that look like health endpoints by name. */
export const HEALTH_PATH =
  /(^|\/)(_?health|healthz|healthcheck|health-check|health_check|livez|readyz|live|ready|liveness|readiness|startup|startupz|started|status|ping|alive|heartbeat|hc|ht|__health)(\/|$)/i;

/** Libraries whose routes are health checks by definition. */
const HEALTH_LIBRARIES = new Set(['terminus', 'lightship', 'under-pressure', 'fastapi-health']);

/** The index definition the gate registers. */
export const healthIndex: IndexDef<HealthModel, HealthOptions> = {
  id: HEALTH_INDEX_ID,
  async build(ctx) {
    return buildHealthModel(ctx);
  },
  async feeds(ctx) {
    return (await healthReach(ctx)).feeds;
  },
  // Only the services whose code the change touches or reaches; deployment files are always all read.
  async scope(ctx): Promise<HealthScope | undefined> {
    const reach = await healthReach(ctx);
    return reach.services ? { services: [...reach.services].sort() } : undefined;
  },
};

function isSource(path: string): boolean {
  return /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py)$/.test(path) && !/\.d\.[cm]?ts$/.test(path) && !/\.min\.js$/.test(path);
}

function isDockerfilePath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return (
    name === 'dockerfile' ||
    name === 'containerfile' ||
    name.startsWith('dockerfile.') ||
    (name.endsWith('.dockerfile') && name.length > 11)
  );
}

/** Builds the model for one snapshot. Exported for tests. */
export async function buildHealthModel(ctx: IndexContext<HealthOptions>): Promise<HealthModel> {
  const options = healthOptions(ctx.gateOptions);
  const paths = ctx.paths.filter((p) => !ctx.excluded(p) && !/(^|\/)node_modules\//.test(p));
  const model: HealthModel = {
    services: [],
    workloads: [],
    kubeServices: [],
    publicBackends: [],
    compose: [],
    dockerfiles: [],
    containerMap: {},
    composeMap: {},
    dockerfileMap: {},
  };

  // 1. Deployment files.
  const pathSet = new Set(paths);
  const chartDirs = new Set(paths.filter((p) => /(^|\/)Chart\.ya?ml$/.test(p)).map(dirOf));
  const valuesCache = new Map<string, HelmValues | undefined>();
  const valuesOf = async (chart: string): Promise<HelmValues | undefined> => {
    if (valuesCache.has(chart)) return valuesCache.get(chart);
    const path = valuesPathOf(chart);
    const v = helmValues(path, pathSet.has(path) ? await ctx.read(path) : undefined);
    valuesCache.set(chart, v);
    return v;
  };
  const yamlCandidates = new Set(await ctx.snapshot.grep(['kind:', 'services:'], YAML_GLOBS));
  /** Probe settings of each chart that only Helm could render: one note per chart, not one per setting. */
  const helmNotes = new Map<string, Array<{ path: string; line: number }>>();
  for (const path of paths) {
    if (!/\.ya?ml$/i.test(path) || !yamlCandidates.has(path) || isLockfileOrGenerated(path)) continue;
    const chart = isComposePath(path) ? undefined : chartOf(path, chartDirs);
    const valuesPath = chart === undefined ? undefined : valuesPathOf(chart);
    const manifest = await ctx.facts(
      manifestFacts(chart, valuesPath !== undefined && pathSet.has(valuesPath) ? valuesPath : undefined),
      path,
    );
    if (!manifest) continue;
    if (manifest.kind === 'compose') model.compose.push(...manifest.compose);
    else if (manifest.kind === 'error') ctx.error(path, manifest.message);
    else if (manifest.kind === 'kube') {
      model.workloads.push(...manifest.workloads);
      model.kubeServices.push(...manifest.services);
      model.publicBackends.push(...manifest.publicBackends);
      if (chart !== undefined)
        for (const n of manifest.notes) helmNotes.set(chart, [...(helmNotes.get(chart) ?? []), { path, line: n.line }]);
      else for (const n of manifest.notes) ctx.error(path, `line ${n.line}: ${n.message}`);
    }
  }
  for (const [chart, notes] of helmNotes) {
    const shown = notes.slice(0, 3).map((n) => `${n.path}:${n.line}`);
    const more = notes.length > shown.length ? ` and ${notes.length - shown.length} more` : '';
    ctx.error(
      `${chart ? `${chart}/` : ''}Chart.yaml`,
      `${notes.length} probe ${notes.length === 1 ? 'setting comes' : 'settings come'} from templates the health gate cannot render without running Helm, so ${notes.length === 1 ? 'it was' : 'they were'} not checked (${shown.join(', ')}${more})`,
    );
  }
  for (const path of paths) {
    if (!isDockerfilePath(path)) continue;
    const df = await ctx.facts(dockerfileFacts, path);
    if (df) model.dockerfiles.push(df);
  }

  // 2. Code.
  const code = new CodeBase(await ctx.modules(), ctx.read, ctx.error);
  const analyzer = new HandlerAnalyzer(code);
  const facts = new Map<string, RawFacts>();
  const factsOf = (root: string) => {
    let f = facts.get(root);
    if (!f) facts.set(root, (f = emptyFacts()));
    return f;
  };
  const jsFiles = new Set(await ctx.snapshot.grep(JS_TOKENS, JS_GLOBS));
  const pyFiles = new Set(await ctx.snapshot.grep(PY_TOKENS, PY_GLOBS));
  // Scoped to the services the change can affect: the code of the others is not read.
  const scope = ctx.scope as HealthScope | undefined;
  const scoped = scope ? new Set(scope.services) : undefined;
  const inScope = (p: string) => !scoped || scoped.has(ctx.serviceOf(p).root);
  const fileRouted = paths.filter((p) => isFileRouteCandidate(p) && inScope(p));
  const sources = paths.filter((p) => isSource(p) && (jsFiles.has(p) || pyFiles.has(p)) && inScope(p));
  const fileFacts = fileFactsOf(code);
  const routeDefs = new Map<string, FactsDef<RawFacts | null, IndexContext>>();
  for (const path of fileRouted) {
    const plan = fileRoutePlan(path, ctx.serviceOf(path).root, pathSet);
    if (plan) routeDefs.set(path, fileRoutesFacts(plan, code));
  }
  // Both lists are asked for below, in this order (worker threads take a big build's files from the end).
  await ctx.prefetch?.(sources, fileFacts);
  await ctx.prefetch?.([...routeDefs.keys()], (path) => routeDefs.get(path));
  for (const path of sources) {
    const record = await ctx.facts(fileFacts, path);
    if (!record) continue;
    for (const e of record.errors) ctx.error(e.path, e.message);
    if (!record.parsed) continue;
    const f = factsOf(ctx.serviceOf(path).root);
    if (record.facts) mergeFacts(f, record.facts);
  }
  for (const [path, def] of routeDefs) {
    const routes = await ctx.facts(def, path);
    if (routes) mergeFacts(factsOf(ctx.serviceOf(path).root), routes);
  }
  await djangoRoots(ctx, code, facts);
  // Everything below works on plain facts; the few handlers analysed in depth are parsed again.
  code.releaseAll();

  // Paths some check targets: their handlers are analysed even when not named like health endpoints.
  const targeted = new Set<string>();
  for (const w of model.workloads)
    for (const c of w.containers)
      for (const p of Object.values(c.probes)) if (p?.path) targeted.add(normalisePath(p.path));
  for (const s of model.compose) {
    const t = s.healthcheck
      ? httpTargetOf(s.healthcheck.form === 'CMD-SHELL' ? shellWords(s.healthcheck.argv.join(' ')) : s.healthcheck.argv)
      : undefined;
    if (t) targeted.add(normalisePath(t.path));
  }
  for (const d of model.dockerfiles)
    for (const h of d.healthchecks) {
      const t = httpTargetOf(h.form === 'shell' ? shellWords(h.text) : h.argv);
      if (t) targeted.add(normalisePath(t.path));
    }
  for (const p of [options.liveness, options.readiness, options.startup]) if (p) targeted.add(normalisePath(p));

  // 3. Per service.
  const allMounts = [...facts.values()].flatMap((f) => f.mounts);
  const allRouters = [...facts.values()].flatMap((f) => f.routers);
  const prefixes = prefixResolver(allRouters, allMounts);
  const serviceList: Service[] = ctx.services.length ? [...ctx.services] : [ctx.serviceOf('')];
  for (const root of facts.keys())
    if (!serviceList.some((s) => s.root === root)) serviceList.push(ctx.serviceOf(root === '' ? 'x' : `${root}/x`));
  for (const svc of serviceList) {
    const f = facts.get(svc.root) ?? emptyFacts();
    const cs: CodeService = {
      root: svc.root,
      name: svc.name,
      aliases: await aliasesOf(ctx, svc),
      runtime: svc.languages.includes('node')
        ? 'node'
        : svc.languages.includes('python')
          ? 'python'
          : svc.languages.includes('go')
            ? 'go'
            : 'unknown',
      frameworks: [...f.frameworks].sort(),
      routes: [],
      listens: f.listens,
      shutdown: { handled: f.shutdown.length > 0 || f.signalAware.length > 0, handlers: f.shutdown },
      uncertain: [...f.uncertain],
      catchAll: f.catchAll,
      mentioned: [],
      clients: await clientsOf(svc.root, pathSet, code.resolver.packageJsons, async (p) => (await ctx.read(p))?.text),
    };
    if (f.nestGrace) {
      // Facts may be shared with the other snapshot's model (unchanged files): copy, never mutate.
      const grace = f.nestGrace;
      cs.shutdown.handlers = cs.shutdown.handlers.map((h) =>
        h.via === 'nest' ? { ...h, drainMs: grace.ms, drainLoc: grace.loc, closesImmediately: grace.ms === 0 } : h,
      );
    }
    for (const raw of f.routes) {
      for (const route of placeRoute(raw, f, prefixes)) {
        const plain = route.path.replace(/^re:/, '').replace(/[\^$?()\\]/g, '');
        const wanted =
          HEALTH_LIBRARIES.has(route.framework) ||
          HEALTH_PATH.test(plain) ||
          HEALTH_PATH.test(`/${plain}`) ||
          [...targeted].some((t) => pathsCompatible(route, t));
        if (wanted) {
          const handler = raw.facts ?? (await handlerFactsOf(raw, analyzer, code, ctx));
          if (handler) route.handler = handler;
        }
        cs.routes.push(route);
      }
    }
    model.services.push(cs);
  }

  // Probe paths named in source files that gave us no route: a route may hide behind code we cannot follow.
  const routeFiles = new Set(
    [...facts.values()].flatMap((f) => [...f.routes.map((r) => r.loc.path), ...f.mounts.map((m) => m.loc.path)]),
  );
  for (const target of targeted) {
    const segment = target.split('/').filter(Boolean).pop();
    if (!segment || segment.length < 3) continue;
    for (const hit of await ctx.snapshot.grep([segment], [...JS_GLOBS, ...PY_GLOBS])) {
      if (ctx.excluded(hit) || routeFiles.has(hit) || !isSource(hit) || !inScope(hit)) continue;
      const cs = model.services.find((s) => s.root === ctx.serviceOf(hit).root);
      if (cs && !cs.mentioned.includes(target)) cs.mentioned.push(target);
    }
  }

  // 4. Which code each deployment unit runs.
  mapDeployments(model, ctx, await ownImagesOf(ctx, paths, model, chartDirs, valuesOf));
  return model;
}

/** True when a file only type-imports a web framework (a routes module that receives the app). */
function hasTypeImportOf(info: FileInfo): boolean {
  for (const b of info.bindings.values()) if (JS_WEB_MODULES.includes(b.module)) return true;
  return false;
}

/** Resolves the prefixes an app/router id is served under; undefined when unknown. */
function prefixResolver(routers: RawFacts['routers'], mounts: RawFacts['mounts']) {
  const byId = new Map(routers.map((r) => [r.id, r]));
  const byChild = new Map<string, RawFacts['mounts']>();
  for (const m of mounts) byChild.set(m.child, [...(byChild.get(m.child) ?? []), m]);
  const memo = new Map<string, string[] | undefined>();
  const resolve = (id: string, depth: number): string[] | undefined => {
    if (memo.has(id)) return memo.get(id);
    if (depth > 8) return undefined;
    const router = byId.get(id);
    const ms = byChild.get(id) ?? [];
    let out: string[] | undefined;
    if (ms.length === 0) out = router?.app ? [router.ownPrefix] : undefined;
    else {
      out = [];
      for (const m of ms) {
        const parents =
          m.parent.kind === 'root' ? [''] : m.parent.kind === 'unknown' ? undefined : resolve(m.parent.id, depth + 1);
        if (!parents || m.prefix === undefined) {
          out = undefined;
          break;
        }
        const own = m.replacesOwn ? '' : (router?.ownPrefix ?? '');
        for (const p of parents) out.push(joinPaths(p, m.prefix, own));
      }
    }
    memo.set(id, out ? [...new Set(out)] : undefined);
    return memo.get(id);
  };
  return (id: string) => resolve(id, 0);
}

/** The full paths a raw route is served at. */
function placeRoute(raw: RawRoute, f: RawFacts, prefixes: (id: string) => string[] | undefined): Route[] {
  const base = {
    framework: raw.framework,
    method: raw.method,
    loc: raw.loc,
    ...(raw.port !== undefined ? { port: raw.port } : {}),
  };
  if (raw.regex) return [{ ...base, path: `re:${raw.path}`, certainty: 'suffix' }];
  let paths: string[] | undefined;
  if (raw.receiver.kind === 'root') paths = [''];
  else if (raw.receiver.kind === 'id') paths = prefixes(raw.receiver.id);
  // NestJS global prefix.
  if (raw.framework === 'nest' && f.globalPrefix) {
    const gp = f.globalPrefix;
    const bare = raw.path.replace(/^\/+/, '');
    const excluded = gp.exclude.some((e) => {
      const x = e.replace(/^\/+|\/+$/g, '');
      const wild = /(\(\.\*\)|\*)$/.test(x);
      const stem = x.replace(/\/?(\(\.\*\)|\*)$/, '');
      return wild ? bare === stem || bare.startsWith(`${stem}/`) : bare === x;
    });
    if (gp.prefix === undefined && !excluded) paths = undefined;
    else if (!excluded) paths = (paths ?? ['']).map((p) => joinPaths(p, gp.prefix!));
  }
  if (!paths) return [{ ...base, path: joinPaths(raw.path), certainty: 'suffix' }];
  return paths.map((p) => ({ ...base, path: joinPaths(p, raw.path), certainty: 'exact' as const }));
}

/** A probe path, without query string and trailing slash, lower-cased. */
export function normalisePath(path: string): string {
  const p = path.split('?')[0]!.split('#')[0]!;
  const out = `/${p.replace(/^\/+|\/+$/g, '')}`.toLowerCase();
  return out;
}

/** One route segment, classified once. */
type Segment = { rest: true } | { rest: false; param: boolean; literal: string; star: boolean; wildcard?: RegExp };

/** A route path compiled for matching: a regex route, or its normalised segments. */
type Matcher = { kind: 're'; re: RegExp | undefined } | { kind: 'segments'; segments: Segment[] };

/**
 * Compiled matchers and normalised targets, by path text. Rules ask "which routes serve this probe path"
 * for every probe against every route of a service, so each route path is parsed once, not per question.
 * Bounded, since the app process evaluates many repositories.
 */
const matchers = new Map<string, Matcher>();
const targets = new Map<string, string[]>();
const MEMO_LIMIT = 50_000;

function matcherOf(routePath: string): Matcher {
  let m = matchers.get(routePath);
  if (m) return m;
  if (routePath.startsWith('re:')) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(routePath.slice(3), 'i');
    } catch {
      re = undefined; // a pattern we cannot read: assume it serves
    }
    m = { kind: 're', re };
  } else {
    const segments = normalisePath(routePath)
      .split('/')
      .filter(Boolean)
      .map((r): Segment => {
        const rest =
          r === '*' ||
          r === '(.*)' ||
          /^\[\[?\.\.\./.test(r) ||
          /^\{\w+:path\}$/.test(r) ||
          /^<path:/.test(r) ||
          /^:\w+\*$/.test(r);
        if (rest) return { rest: true };
        return { rest: false, param: /^[:{<[]/.test(r), literal: r, star: r.includes('*') };
      });
    m = { kind: 'segments', segments };
  }
  if (matchers.size >= MEMO_LIMIT) matchers.clear();
  matchers.set(routePath, m);
  return m;
}

/** A `*` segment as a regex, built on first use (where the uncompiled matcher built it). */
function wildcardOf(segment: Segment & { rest: false }): RegExp {
  return (segment.wildcard ??= new RegExp(
    `^${segment.literal.replace(/[.+?^${}()|\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
  ));
}

function targetSegments(path: string): string[] {
  let ts = targets.get(path);
  if (ts) return ts;
  ts = normalisePath(path).split('/').filter(Boolean);
  if (targets.size >= MEMO_LIMIT) targets.clear();
  targets.set(path, ts);
  return ts;
}

/** Does a route serve a (normalised) path? Exact routes must match whole; suffix routes at the end. */
export function routeServes(route: Route, path: string): boolean {
  return servesPath(matcherOf(route.path), route.certainty, path);
}

function servesPath(m: Matcher, certainty: Route['certainty'], path: string): boolean {
  if (m.kind === 're') {
    if (!m.re) return true;
    const target = normalisePath(path);
    return m.re.test(target.slice(1)) || m.re.test(`${target.slice(1)}/`);
  }
  const rs = m.segments;
  const ts = targetSegments(path);
  const matchFrom = (ti: number): boolean => {
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (r.rest) return true;
      const t = ts[ti + i];
      if (t === undefined || !(r.param || r.literal === t || (r.star && wildcardOf(r).test(t)))) return false;
    }
    return ti + rs.length === ts.length;
  };
  if (certainty === 'exact') return matchFrom(0);
  for (let start = 0; start <= ts.length; start++) if (matchFrom(start)) return true;
  return false;
}

/** Cheap compatibility test used to decide which handlers to analyse. */
function pathsCompatible(route: Route, target: string): boolean {
  return servesPath(matcherOf(route.path), 'suffix', target);
}

/** One route's handler analysis as the facts stage keeps it, with the errors it reported. */
interface HandlerRecord {
  facts: HandlerFacts | null;
  errors: Array<{ path: string; message: string }>;
}

function isHandlerRecord(value: unknown): value is HandlerRecord {
  if (!isRecord(value) || !Array.isArray(value.errors)) return false;
  if (!value.errors.every((e: unknown) => isRecord(e) && typeof e.path === 'string' && typeof e.message === 'string'))
    return false;
  const f = value.facts;
  return f === null || (isRecord(f) && isRecord(f.loc) && Array.isArray(f.deps) && Array.isArray(f.leaks));
}

/**
 * The in-depth analysis of one route's handlers, as facts of the first handler's file with the handlers'
 * places as the variant: the facts stage records every file the analysis looked into and every module
 * resolution, so a handler whose code and helpers are unchanged is analysed once for both sides and, with
 * the analysis cache, once for every later run.
 */
async function handlerFactsOf(
  raw: RawRoute,
  analyzer: HandlerAnalyzer,
  code: CodeBase,
  ctx: IndexContext,
): Promise<HandlerFacts | undefined> {
  const first = raw.handlers[0];
  if (!first) return undefined;
  const def: FactsDef<HandlerRecord, IndexContext> = {
    id: 'health/handler-facts',
    wants: () => false,
    variant: () => JSON.stringify(raw.handlers),
    isFacts: isHandlerRecord,
    async extract(_file, stage) {
      let facts: HandlerFacts | undefined;
      // No file is the session's own: every file the analysis reads is a dependency.
      const deps = await code.record('', async () => {
        facts = await analyseHandlers(raw, analyzer, code);
      });
      // The facts stage frees the first handler's tree next: the code base lets go of it first.
      code.release(first.path);
      await dependOn(deps, stage);
      return { facts: facts ?? null, errors: deps.errors };
    },
  };
  const record = await ctx.facts(def, first.path);
  for (const e of record?.errors ?? []) ctx.error(e.path, e.message);
  return record?.facts ?? undefined;
}

/**
 * Hands what a code-base session depended on (its module resolutions and the files it looked into) to the
 * facts stage, which records them and checks them again before the facts are reused.
 */
async function dependOn(deps: Dependencies, stage: FactsContext): Promise<void> {
  for (const l of deps.lookups) stage.modules[l.method](l.from, l.spec);
  for (const c of deps.consulted) await stage.consult(c.path);
}

async function analyseHandlers(
  raw: RawRoute,
  analyzer: HandlerAnalyzer,
  code: CodeBase,
): Promise<HandlerFacts | undefined> {
  let merged: HandlerFacts | undefined;
  for (const ref of raw.handlers) {
    let info = await code.info(ref.path);
    let node = info ? nodeAt(info.root, ref) : undefined;
    if (!info || !node) continue;
    if (node.type === 'identifier') {
      const r = await code.resolve(info, node.text);
      const fn = r && 'node' in r ? functionOf(r.node) : undefined;
      if (!fn || !r || !('node' in r)) continue;
      node = fn;
      info = r.info;
    } else if (
      node.type === 'member_expression' ||
      node.type === 'call_expression' ||
      node.type === 'attribute' ||
      node.type === 'object'
    ) {
      continue;
    }
    const facts = await analyzer.analyse(node, info);
    merged = merged
      ? {
          loc: facts.loc,
          deps: [...merged.deps, ...facts.deps],
          leaks: [...merged.leaks, ...facts.leaks],
          readsShutdownState: merged.readsShutdownState || facts.readsShutdownState,
          errorStatus: !(merged.errorStatus === false && facts.errorStatus === false),
          ...(merged.checksNothing && facts.checksNothing ? { checksNothing: true } : {}),
        }
      : facts;
  }
  return merged;
}

/** The node a handler reference names, in a (new) parse of its file. */
function nodeAt(root: TSNode, ref: HandlerRef): TSNode | undefined {
  for (let n: TSNode | null = root.descendantForIndex(ref.start, ref.end); n; n = n.parent) {
    if (n.startIndex === ref.start && n.endIndex === ref.end && n.type === ref.type) return n;
    if (n.startIndex < ref.start || n.endIndex > ref.end) break;
  }
  return undefined;
}

/** One file's facts as the facts stage keeps them: plain, with the errors its extraction reported. */
interface FileRecord {
  /** False when the file has no syntax tree (not read as code at all). */
  parsed: boolean;
  /** Undefined when the file serves nothing the gate reads (no web framework, no signal handling). */
  facts: RawFacts | undefined;
  /** Reported again each time the facts are used: a reused extraction says what the first one said. */
  errors: Array<{ path: string; message: string }>;
}

/** Where a chart's values live (`chart`: its directory, '' at the root). */
function valuesPathOf(chart: string): string {
  return chart ? `${chart}/values.yaml` : 'values.yaml';
}

/** A chart's values file as templates are resolved against it; undefined when missing or without a document. */
function helmValues(path: string, file: SourceFile | undefined): HelmValues | undefined {
  const parsed = file?.yaml();
  const doc = parsed?.documents[0];
  return file && parsed && doc
    ? { path, ctx: { lc: parsed.lineCounter, text: file.text }, root: doc.contents as YNode }
    : undefined;
}

/** What one YAML file adds to the model: Compose services, Kubernetes objects, or why it could not be read. */
type ManifestFacts =
  | { kind: 'compose'; compose: ComposeService[] }
  | ({ kind: 'kube' } & KubeParse)
  | { kind: 'error'; message: string }
  | { kind: 'none' };

const manifestDefs = new Map<string, FactsDef<ManifestFacts, IndexContext>>();

/**
 * The facts of one deployment YAML file under `chart` (a Helm chart's directory; undefined: no chart)
 * whose values file is `valuesPath` (undefined: none the gate reads). Parsed once per file content and
 * values, and kept in the analysis cache: a repository's manifests are parsed again only when they change.
 */
function manifestFacts(
  chart: string | undefined,
  valuesPath: string | undefined,
): FactsDef<ManifestFacts, IndexContext> {
  const variant = JSON.stringify([chart ?? null, valuesPath ?? null]);
  let def = manifestDefs.get(variant);
  if (def) return def;
  def = {
    id: 'health/manifest',
    wants: () => false,
    resolves: false,
    variant: () => variant,
    isFacts: (value): value is ManifestFacts =>
      isRecord(value) &&
      ((value.kind === 'compose' && Array.isArray(value.compose)) ||
        (value.kind === 'kube' &&
          Array.isArray(value.workloads) &&
          Array.isArray(value.services) &&
          Array.isArray(value.publicBackends) &&
          Array.isArray(value.notes)) ||
        (value.kind === 'error' && typeof value.message === 'string') ||
        value.kind === 'none'),
    async extract(file, stage) {
      if (isComposePath(file.path)) return { kind: 'compose', compose: parseCompose(file) };
      if (!looksLikeKube(file.text)) return { kind: 'none' };
      let helm: HelmContext | undefined;
      if (chart !== undefined) {
        const values = valuesPath !== undefined ? helmValues(valuesPath, await stage.consult(valuesPath)) : undefined;
        helm = { chartDir: chart, ...(values ? { values } : {}) };
      }
      if (!helm && file.yaml()?.templated) return { kind: 'none' }; // a template outside a chart: nothing to resolve against
      try {
        return { kind: 'kube', ...parseKube(file, helm) };
      } catch (err) {
        return { kind: 'error', message: `the health gate could not read this manifest: ${(err as Error).message}` };
      }
    },
  };
  manifestDefs.set(variant, def);
  return def;
}

/** One Dockerfile's stages and health checks (null: not a Dockerfile the gate can read), kept like a manifest's. */
const dockerfileFacts: FactsDef<Dockerfile | null, IndexContext> = {
  id: 'health/dockerfile',
  wants: () => false,
  resolves: false,
  isFacts: (value): value is Dockerfile | null =>
    value === null || (isRecord(value) && typeof value.path === 'string' && Array.isArray(value.healthchecks)),
  extract: (file) => parseDockerfile(file) ?? null,
};

function isFileRecord(value: unknown): value is FileRecord {
  return (
    isRecord(value) &&
    typeof value.parsed === 'boolean' &&
    Array.isArray(value.errors) &&
    value.errors.every((e: unknown) => isRecord(e) && typeof e.path === 'string' && typeof e.message === 'string') &&
    (value.facts === undefined || isStoredFacts(value.facts))
  );
}

/** The shape of plain facts read back from the cache. */
function isStoredFacts(value: unknown): value is RawFacts {
  return (
    isRecord(value) &&
    Array.isArray(value.routes) &&
    Array.isArray(value.mounts) &&
    Array.isArray(value.routers) &&
    Array.isArray(value.listens) &&
    Array.isArray(value.shutdown) &&
    Array.isArray(value.uncertain) &&
    Array.isArray(value.catchAll) &&
    Array.isArray(value.signalAware) &&
    value.frameworks instanceof Set
  );
}

/**
 * The health facts of one code file: its routes, mounts, routers, listeners and shutdown handling, with
 * names followed into the files it imports through the build's {@link CodeBase}. The facts stage records
 * the module resolutions and the files the extraction looked into, so a file the pull request did not
 * touch is extracted once for both sides and, with the analysis cache, once for every later run. The
 * syntax tree is freed as soon as the facts are out: the index never holds the repository's trees.
 */
function fileFactsOf(code: CodeBase): FactsDef<FileRecord, IndexContext> {
  return {
    id: 'health/file-facts',
    // The health index reads its code files itself; nothing is extracted ahead for it.
    wants: () => false,
    portable: true,
    isFacts: isFileRecord,
    async extract(file, stage) {
      const path = file.path;
      let parsed = false;
      let facts: RawFacts | undefined;
      let failure: string | undefined;
      const deps = await code.record(path, async () => {
        const info = await code.info(path);
        if (!info) return;
        parsed = true;
        if (
          info.lang === 'js' &&
          ![...info.modules].some((m) => JS_WEB_MODULES.includes(m)) &&
          !/SIGTERM|\.listen\(/.test(info.file.text) &&
          !hasTypeImportOf(info)
        )
          return;
        // Facts found before a failure are kept, as they always were.
        const live = emptyFacts<LiveHandler>();
        try {
          if (info.lang === 'js') await extractJs(info, code, live);
          else await extractPython(info, code, live);
        } catch (err) {
          failure = `the health gate could not analyse this file: ${(err as Error).message}`;
        }
        facts = plainFacts(live);
      });
      if (failure !== undefined) deps.errors.push({ path, message: failure });
      code.release(path);
      await dependOn(deps, stage);
      return { parsed, facts, errors: deps.errors };
    },
  };
}

/**
 * The routes one file-system-routed module serves (Remix, Next.js, SvelteKit), as facts of the module with
 * what its path makes of it (the plan) as the variant. Route modules are many (a Remix app has hundreds):
 * only those whose text can serve something are parsed, and each tree is freed at once. Null: the module
 * serves nothing (remembered, so the next run need not parse it to find out again).
 */
function fileRoutesFacts(plan: FileRoutePlan, code: CodeBase): FactsDef<RawFacts | null, IndexContext> {
  return {
    id: 'health/file-routes',
    wants: () => false,
    portable: true,
    cheap: (file) => !mayServe(plan, file.text),
    variant: () => JSON.stringify(plan),
    isFacts: (value): value is RawFacts | null => value === null || isStoredFacts(value),
    async extract(file) {
      if (!mayServe(plan, file.text)) return null;
      const info = await code.info(file.path);
      if (!info) return null;
      const routes = emptyFacts();
      try {
        fileRoutes(info, routes, plan);
      } finally {
        code.release(file.path);
      }
      return routes;
    },
  };
}

/**
 * The health gate's facts a worker thread can extract (see core/facts-parallel.ts): its own code base over
 * the worker's view of the snapshot, whose trees are freed whenever the worker is idle.
 */
export const healthWorkerFacts: Readonly<Record<string, WorkerFactory>> = {
  'health/file-facts': (_variant, env) => fileFactsOf(workerCode(env)),
  'health/file-routes': (variant, env) => fileRoutesFacts(JSON.parse(variant) as FileRoutePlan, workerCode(env)),
};

function workerCode(env: WorkerEnv): CodeBase {
  return env.shared(
    'health/code',
    () =>
      new CodeBase(
        env.resolver,
        (path) => env.read(path),
        (path, message) => {
          // Every read of a worker's extraction is inside its session, which records errors; this is a bug.
          throw new Error(`unexpected error outside an extraction (${path}: ${message})`);
        },
      ),
    (code) => code.releaseAll(),
  );
}

/** Django's root URL conf: `ROOT_URLCONF` in settings, else a urls.py beside settings.py. */
async function djangoRoots(ctx: IndexContext, code: CodeBase, facts: Map<string, RawFacts>): Promise<void> {
  const settings = await ctx.snapshot.grep(['ROOT_URLCONF'], PY_GLOBS);
  const roots = new Set<string>();
  for (const s of settings) {
    if (ctx.excluded(s)) continue;
    const file = await ctx.read(s);
    const m = file ? /^ROOT_URLCONF\s*=\s*['"]([\w.]+)['"]/m.exec(file.text) : null;
    const path = m ? code.resolver.python(s, m[1]!) : undefined;
    if (path) roots.add(path);
  }
  if (roots.size === 0) {
    for (const p of ctx.paths)
      if (/(^|\/)urls\.py$/.test(p) && ctx.paths.includes(`${dirOf(p) ? `${dirOf(p)}/` : ''}settings.py`)) roots.add(p);
  }
  for (const root of roots) {
    const f = facts.get(ctx.serviceOf(root).root);
    f?.routers.push({ id: `${root}#urlpatterns`, app: true, ownPrefix: '', loc: { path: root, line: 1 } });
  }
}

/** Names deployment files may use for a service: its directory, package.json name, configured name. */
async function aliasesOf(ctx: IndexContext, svc: Service): Promise<string[]> {
  const out = new Set<string>([svc.name]);
  if (svc.root) out.add(svc.root.slice(svc.root.lastIndexOf('/') + 1));
  const pkgPath = svc.root ? `${svc.root}/package.json` : 'package.json';
  if (ctx.paths.includes(pkgPath)) {
    const file = await ctx.read(pkgPath);
    try {
      const name = (JSON.parse(file?.text ?? '{}') as { name?: unknown }).name;
      if (typeof name === 'string') out.add(name.replace(/^@[^/]+\//, ''));
    } catch {
      // A broken package.json names nothing.
    }
  }
  const pyproject = svc.root ? `${svc.root}/pyproject.toml` : 'pyproject.toml';
  if (ctx.paths.includes(pyproject)) {
    const file = await ctx.read(pyproject);
    const m = file ? /^\s*name\s*=\s*["']([^"']+)["']/m.exec(file.text) : null;
    if (m) out.add(m[1]!);
  }
  return [...out].filter((a) => a !== '' && a !== 'root');
}

/** Normalised name for matching images and services: `orders_api`, `Orders-API` → `ordersapi`. */
export function normName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The image's repository name without registry, path and tag: `ghcr.io/acme/orders-api:1.2` → `orders-api`. */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const tail = noDigest.slice(lastSlash + 1);
  return tail.split(':')[0]!;
}

/** Images of infrastructure we never map to repository code. */
const INFRA_IMAGES = new Set(
  [
    'postgres',
    'postgresql',
    'redis',
    'valkey',
    'mysql',
    'mariadb',
    'mongo',
    'mongodb',
    'rabbitmq',
    'memcached',
    'nginx',
    'httpd',
    'envoy',
    'haproxy',
    'traefik',
    'busybox',
    'alpine',
    'elasticsearch',
    'opensearch',
    'kafka',
    'zookeeper',
    'minio',
    'vault',
    'consul',
    'jaeger',
    'prometheus',
    'grafana',
    'loki',
    'tempo',
    'otel-collector',
    'opentelemetry-collector',
    'opentelemetry-collector-contrib',
    'fluentd',
    'fluent-bit',
    'cloudflared',
    'pgbouncer',
    'keycloak',
    'localstack',
    'mailhog',
    'mailpit',
    'nats',
    'etcd',
    'cassandra',
    'clickhouse',
    'clickhouse-server',
    'pause',
    'istio-proxy',
    'proxyv2',
    'oauth2-proxy',
    'cloud-sql-proxy',
  ].map(normName),
);

/** Datastores, brokers and caches by the words of their image (or container) name. */
const DATASTORES = new Set([
  'postgres',
  'postgresql',
  'postgis',
  'timescaledb',
  'mysql',
  'mariadb',
  'percona',
  'redis',
  'valkey',
  'keydb',
  'dragonfly',
  'memcached',
  'mongo',
  'mongodb',
  'clickhouse',
  'elasticsearch',
  'opensearch',
  'rabbitmq',
  'kafka',
  'redpanda',
  'zookeeper',
  'minio',
  'nats',
  'cassandra',
  'scylla',
  'etcd',
  'couchdb',
  'neo4j',
  'influxdb',
  'cockroach',
  'cockroachdb',
  'meilisearch',
  'typesense',
  'qdrant',
  'weaviate',
]);

/**
 * Whether a container runs a vendor datastore (postgres, redis, clickhouse, kafka…): by its image, or by
 * its name when the image is templated. Their charts check the same thing for liveness and readiness
 * (`pg_isready`, `redis-cli ping`, a TCP port), which is right for them.
 */
export function isVendorDatastore(image: string | undefined, name?: string): boolean {
  const words = (s: string) => s.toLowerCase().split(/[^a-z0-9]+/);
  if (image && !/[{}$]|_{4,}/.test(image)) return words(imageName(image)).some((w) => DATASTORES.has(w));
  return name !== undefined && words(name).some((w) => DATASTORES.has(w));
}

function isInfraImage(image: string | undefined): boolean {
  if (!image) return false;
  if (/^(docker\.io\/)?bitnami\//.test(image)) return true;
  return INFRA_IMAGES.has(normName(imageName(image)));
}

/** Runtimes a Compose service may run the repository's own code in (mounted as a volume), without a build. */
const RUNTIME_IMAGES = new Set([
  'node',
  'python',
  'golang',
  'ruby',
  'bun',
  'deno',
  'denoland/deno',
  'oven/bun',
  'pypy',
]);

/** Files that build or push images: CI workflows, bake files, Makefiles, skaffold, shell scripts. */
function isBuildScript(path: string): boolean {
  return (
    /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path) ||
    /(^|\/)\.gitlab-ci\.ya?ml$/.test(path) ||
    /^\.circleci\/config\.ya?ml$/.test(path) ||
    /(^|\/)(docker-bake\.(hcl|json)|Makefile|skaffold\.ya?ml|Taskfile\.ya?ml|justfile)$/.test(path) ||
    // Shell scripts only when their path says they build or ship images: a repository may hold hundreds.
    /(^|\/)[^/]*(docker|image|build|release|publish|push|deploy)[^/]*\.sh$/i.test(path)
  );
}

/**
 * Image references a build script tags or pushes: `-t ref`, `--tag=ref`, `tags:`/`images:`/`IMAGE_NAME:`
 * values and blocks, `docker push ref`; with `builds`, plain `image:` keys too (skaffold artifacts).
 */
export function builtImageRefs(text: string, builds = false): string[] {
  const out: string[] = [];
  const add = (ref: string | undefined) => {
    const r = ref?.trim().replace(/^['"]|['",]$/g, '');
    if (r && /^[\w.${}\-/:@ ]+$/.test(r) && !r.startsWith('-')) out.push(r);
  };
  for (const m of text.matchAll(/(?:^|\s)(?:-t|--tag)(?:=|\s+)["']?([^\s"']+)/g)) add(m[1]);
  for (const m of text.matchAll(/\bdocker\s+(?:image\s+)?push\s+(?:-\S+\s+)*["']?([^\s"']+)/g)) add(m[1]);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // Not a plain `image:`: in workflows that is the job's or a service container's image, not a built one.
    const m =
      /^(\s*)-?\s*["']?((?:images|tags|image[_-]name|[A-Z_]*IMAGE(?:_NAME|_REPO(?:SITORY)?)?)|(?<built>image))["']?\s*[:=]\s*(.*)$/.exec(
        lines[i]!,
      );
    if (!m || (m.groups?.built && !builds)) continue;
    const value = m[4]!.replace(/\s+#.*$/, '').trim();
    if (/^[|>][+-]?$/.test(value) || value === '') {
      // A block (`images: |` then one ref a line) or a YAML list.
      const indent = m[1]!.length;
      for (let j = i + 1; j < lines.length; j++) {
        const line = lines[j]!;
        if (!line.trim()) continue;
        if (line.length - line.trimStart().length <= indent) break;
        for (const part of line.trim().replace(/^-\s*/, '').split(',')) add(part.replace(/^type=\S+,?/, ''));
      }
    } else for (const part of value.replace(/^\[|\]$/g, '').split(',')) add(part);
  }
  return out;
}

/**
 * Names (normalised, see `imageName`) of the images this repository builds: Compose services with a
 * `build:` and an `image:`, images CI workflows and build scripts tag or push, and the top-level
 * `image.repository` of each chart's values (the chart's own application).
 */
async function ownImagesOf(
  ctx: IndexContext,
  paths: readonly string[],
  model: HealthModel,
  chartDirs: ReadonlySet<string>,
  valuesOf: (chart: string) => Promise<HelmValues | undefined>,
): Promise<Set<string>> {
  const out = new Set<string>();
  const add = (ref: string) => {
    const n = normName(imageName(ref));
    if (n) out.add(n);
  };
  for (const s of model.compose) if (s.buildContext !== undefined && s.image) add(s.image);
  for (const path of paths) {
    if (!isBuildScript(path)) continue;
    const file = await ctx.read(path);
    if (!file || !/docker|buildx|podman|kaniko|image/i.test(file.text)) continue;
    for (const ref of builtImageRefs(file.text, /skaffold|bake/.test(path))) add(ref);
  }
  for (const chart of chartDirs) {
    const values = await valuesOf(chart);
    const repo = values ? ystr(ypath(values.root, 'image', 'repository')) : undefined;
    if (repo) add(repo);
  }
  return out;
}

/**
 * Whether an image is certainly not built from this repository: infrastructure by name, or a concrete
 * reference that matches no image the repository builds and no name of its services. Its checks are
 * never judged against our code (a `clickhouse` container is not tied to a Node service because a path
 * or port coincides). Templated references and bare language runtimes (code mounted as a volume) are
 * not decided here.
 */
function isThirdPartyImage(image: string | undefined, own: ReadonlySet<string>, services: CodeService[]): boolean {
  if (!image) return false;
  if (isInfraImage(image)) return true;
  if (/[{}$]|_{4,}/.test(image)) return false;
  const name = normName(imageName(image));
  if (!name || own.has(name)) return false;
  const bare = image
    .split('@')[0]!
    .replace(/:[^/:]*$/, '')
    .replace(/^(docker\.io\/)?(library\/)?/, '');
  if (RUNTIME_IMAGES.has(bare) || RUNTIME_IMAGES.has(name)) return false;
  return !services.some((s) => s.aliases.some((a) => normName(a) === name));
}

function mapDeployments(model: HealthModel, ctx: IndexContext, own: ReadonlySet<string>): void {
  const thirdParty = (image: string | undefined) => isThirdPartyImage(image, own, model.services);
  const httpServices = model.services.filter((s) => s.routes.length > 0 || s.listens.length > 0);
  const byAlias = (name: string | undefined): CodeService[] => {
    if (!name) return [];
    const n = normName(name);
    if (!n) return [];
    return model.services.filter((s) => s.aliases.some((a) => normName(a) === n));
  };
  const pick = (candidates: CodeService[], reason: string): Mapping | undefined => {
    const unique = [...new Map(candidates.map((c) => [c.root, c])).values()];
    return unique.length === 1 ? { root: unique[0]!.root, reason } : undefined;
  };
  const nonRoot = (path: string): CodeService | undefined => {
    const s = ctx.serviceOf(path);
    if (s.root === '' || s.marker === 'fallback') return undefined;
    return model.services.find((c) => c.root === s.root);
  };

  for (const d of model.dockerfiles) model.dockerfileMap[d.path] = ctx.serviceOf(d.path).root;

  const mapContainer = (w: Workload, c: Container): Mapping => {
    if (isInfraImage(c.image)) return {};
    // A templated image we cannot read, in a container named like a datastore (`valkey`, `clickhouse`):
    // the vendor's, even when a library of ours shares the name or ours is the only service.
    if ((!c.image || /[{}$]|_{4,}/.test(c.image)) && isVendorDatastore(undefined, c.name)) return {};
    // A manifest inside a service's folder runs that service, whatever its image is called.
    const located = nonRoot(w.chart ?? w.path);
    if (located) return { root: located.root, reason: 'path' };
    if (thirdParty(c.image)) return {};
    return (
      pick(byAlias(c.image ? imageName(c.image) : undefined), 'image name') ??
      pick(byAlias(c.name), 'container name') ??
      // A workload's name says nothing about its sidecars.
      (w.containers.length === 1 ? pick(byAlias(w.name), 'workload name') : undefined) ??
      (httpServices.length === 1 && w.containers.length === 1
        ? { root: httpServices[0]!.root, reason: 'only service' }
        : {})
    );
  };
  for (const w of model.workloads)
    for (const c of w.containers) model.containerMap[containerKey(w, c)] = mapContainer(w, c);

  const mapCompose = (s: ComposeService): Mapping => {
    if (s.buildContext !== undefined) {
      const svc = ctx.serviceOf(s.buildContext === '' ? 'x' : `${s.buildContext}/x`);
      const cs = model.services.find((c) => c.root === svc.root);
      if (cs && (svc.root === s.buildContext || s.buildContext.startsWith(`${svc.root}/`) || svc.root === ''))
        return { root: cs.root, reason: 'build context' };
    }
    if (thirdParty(s.image)) return {};
    return (
      pick(byAlias(s.image ? imageName(s.image) : undefined), 'image name') ??
      pick(byAlias(s.containerName), 'container name') ??
      pick(byAlias(s.name), 'compose service name') ??
      {}
    );
  };
  for (const s of model.compose) model.composeMap[composeKey(s)] = mapCompose(s);
}

/** The Dockerfile a compose service builds, or the one of its code service when there is exactly one. */
export function dockerfileFor(
  model: HealthModel,
  root: string | undefined,
  compose?: ComposeService,
): Dockerfile | undefined {
  if (compose?.buildContext !== undefined) {
    const path = compose.dockerfile ?? (compose.buildContext ? `${compose.buildContext}/Dockerfile` : 'Dockerfile');
    const d = model.dockerfiles.find((x) => x.path === path);
    if (d) return d;
  }
  if (root === undefined) return undefined;
  const own = model.dockerfiles.filter((d) => model.dockerfileMap[d.path] === root && dirOf(d.path) === root);
  return own.length === 1 ? own[0] : undefined;
}
