/**
 * The metric index: built once per snapshot over every TS/JS/Python/Go file that mentions a metrics
 * library. Each file is parsed and its facts extracted (extract-*.ts); then names, registries, metric
 * objects and functions are resolved across files, and the per-call analysis marks code that runs per
 * request or more than once ("hot") through the call graph.
 */
import type { ChangeContext, IndexContext, IndexDef, Service } from '../../core/types.js';
import { isLockfileOrGenerated } from '../../core/feeds.js';
import { isRecord } from '../../core/cache.js';
import type { FactsDef } from '../../core/facts.js';
import type { WorkerFactory } from '../../core/facts-parallel.js';
import type { SourceFile } from '../../lang/source-file.js';
import { extractGo } from './extract-go.js';
import { extractJs } from './extract-js.js';
import { extractPython } from './extract-python.js';
import type {
  CallSite,
  FacadeDecl,
  FileFacts,
  HotReason,
  IndexedMetric,
  Loc,
  MetricDef,
  MetricIndex,
  ObjectExpr,
  RegistryExpr,
  RegistryRef,
  ResolvedName,
  Scope,
  StrPart,
} from './model.js';
import { expand, resolveName, staticValue, type ConstantLookup } from './parts.js';
import { dirOf, type ModuleLookup } from '../../lang/program/modules.js';
import { pythonFullName } from './semantics.js';

export const METRIC_INDEX_ID = 'metric-index';

/** Tokens a file must contain to be indexed (a cheap `grep` before any parse). */
export const LIBRARY_TOKENS: readonly string[] = ['prom-client', 'prometheus_client', 'client_golang', 'opentelemetry'];
/** Files that make other modules evaluate again (reloads): indexed too, though they need no metrics library. */
const RELOAD_TOKENS: readonly string[] = ['require.cache', 'importlib.reload', 'import reload'];
export const SOURCE_GLOBS: readonly string[] = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}', '**/*.py', '**/*.go'];

/** At most this many extra files are parsed to find who calls a metric-building function. */
const MAX_CALLER_FILES = 200;
/** Rounds of loading files that hold imported constants/registries. */
const MAX_DEPENDENCY_ROUNDS = 3;

function isSource(path: string): boolean {
  return (
    /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py|go)$/.test(path) && !/\.d\.[cm]?ts$/.test(path) && !/\.min\.js$/.test(path)
  );
}

function extract(file: SourceFile, resolver: ModuleLookup): FileFacts | undefined {
  if (!file.tree()) return undefined;
  switch (file.language) {
    case 'typescript':
    case 'tsx':
    case 'javascript':
      return extractJs(file, resolver);
    case 'python':
      return extractPython(file, resolver);
    case 'go':
      return extractGo(file, resolver);
    default:
      return undefined;
  }
}

/**
 * One file's metric facts: definitions, registries, call sites, constants and imports, as plain data. An
 * extraction depends on the file's text and on what its imports resolve to (the facts stage records and
 * re-checks those answers), so a file the pull request did not touch is extracted once for both sides
 * and, with the analysis cache, once for every later run.
 */
export const metricFileFacts: FactsDef<FileFacts | undefined, IndexContext> = {
  id: 'metrics/file-facts',
  // A file another index parsed first is extracted ahead only when `build` certainly loads it: a scoped
  // build loads the changed files that feed it (whether they name a metrics library or import a module
  // that does), what they import and the files that spell their names, not every file that mentions a
  // metrics library (extracting those ahead was most of the synthetic 20-file PR's CPU); a whole build
  // loads every file that names a library.
  wants(file, ctx) {
    if (ctx.excluded(file.path) || !isSource(file.path)) return false;
    const scope = ctx.scope as MetricScope | undefined;
    return scope ? scope.files.includes(file.path) : LIBRARY_TOKENS.some((t) => file.text.includes(t));
  },
  extract: (file, ctx) => extract(file, ctx.modules),
  portable: true,
  isFacts: (value): value is FileFacts | undefined =>
    value === undefined || (isRecord(value) && typeof value.path === 'string' && Array.isArray(value.metrics)),
};

/** The index definition the gate registers. */
export const metricIndex: IndexDef<MetricIndex> = {
  id: METRIC_INDEX_ID,
  async build(ctx) {
    return buildMetricIndex(ctx);
  },
  async feeds(ctx) {
    return (await metricFeeders(ctx)).length > 0;
  },
  // The changed files that feed it: the build starts from them and looks up, by name, only the files
  // that could collide with what they define.
  async scope(ctx): Promise<MetricScope> {
    return { files: await metricFeeders(ctx) };
  },
  facts: [metricFileFacts],
};

/** Builds the index for one snapshot. Exported for tests. */
export async function buildMetricIndex(ctx: IndexContext): Promise<MetricIndex> {
  const candidates = await ctx.snapshot.grep(LIBRARY_TOKENS, SOURCE_GLOBS);
  if (candidates.length === 0) return emptyIndex();
  const allPaths = new Set(ctx.paths);
  const facts = new Map<string, FileFacts>();
  const scope = ctx.scope as MetricScope | undefined;
  const load = async (path: string): Promise<void> => {
    if (facts.has(path) || ctx.excluded(path) || !isSource(path)) return;
    try {
      const f = await ctx.facts(metricFileFacts, path);
      if (f) facts.set(path, f);
    } catch (err) {
      ctx.error(path, `the metrics index could not analyse this file: ${(err as Error).message}`);
    }
  };

  // Files holding constants, registries or metric objects that indexed files import.
  const primary = new Set(scope?.files ?? []);
  const loadDependencies = async () => {
    for (let round = 0; round < MAX_DEPENDENCY_ROUNDS; round++) {
      const wanted = new Set<string>();
      for (const m of askedModules(facts, primary)) if (!facts.has(m) && allPaths.has(m)) wanted.add(m);
      const goDirs = goDirsReferenced(facts);
      if (goDirs.size > 0)
        for (const p of ctx.paths) if (p.endsWith('.go') && goDirs.has(dirOf(p)) && !facts.has(p)) wanted.add(p);
      if (wanted.size === 0) break;
      for (const p of wanted) await load(p);
    }
  };

  const libraryFiles = new Set<string>();
  const scoped = scope ? await loadScoped(ctx, scope, candidates, facts, load, loadDependencies) : false;
  if (scoped) {
    for (const path of candidates) if (facts.has(path)) libraryFiles.add(path);
  } else {
    await ctx.prefetch?.(
      candidates.filter((p) => !ctx.excluded(p) && isSource(p)),
      metricFileFacts,
    );
    for (const path of candidates) await load(path);
    for (const path of facts.keys()) libraryFiles.add(path);
    if (libraryFiles.size === 0) return emptyIndex();
    for (const path of await ctx.snapshot.grep(RELOAD_TOKENS, SOURCE_GLOBS)) await load(path);
    await loadDependencies();
  }

  // Files that call the functions and classes which build metrics: they tell whether a function runs
  // once, per request or in a loop. A scoped build asks this of the changed files' functions only: how
  // often a function elsewhere runs is the same on both sides, unless a changed file now calls it, and
  // that call is in the changed file.
  const callees = calleeNamesWorthFollowing(scoped ? new Map([...facts].filter(([path]) => primary.has(path))) : facts);
  if (callees.length > 0) {
    const callers = (await ctx.snapshot.grep(callees, SOURCE_GLOBS))
      .filter((p) => !facts.has(p))
      .slice(0, MAX_CALLER_FILES);
    for (const p of callers) await load(p);
    // Callers of a facade (`createCounter({ … })`) import it through modules that may not be loaded yet.
    if ([...facts.values()].some((f) => f.facadeCalls.length > 0)) await loadDependencies();
  }

  return resolveIndex([...facts.values()], ctx.serviceOf, libraryFiles);
}

/** What the change can affect: the changed files that feed the index (either side's path). */
export interface MetricScope {
  files: string[];
}

/** Tokens of code that uses metrics without naming a library (it imports a metrics module of its own). */
const USE_TOKENS: readonly string[] = [
  'metric',
  'Metric',
  'Counter',
  'Gauge',
  'Histogram',
  'labels(',
  'WithLabelValues',
  '.inc(',
  '.observe(',
  'startTimer',
];

/** Names the feeders of one change for {@link ChangeContext.once}. */
const FEEDERS = {};

/**
 * The changed source files that feed the metric index: they name a metrics library, reload modules, use
 * metrics, or import a file that names a library. Computed once per change.
 */
export function metricFeeders(ctx: ChangeContext): Promise<string[]> {
  return ctx.once(FEEDERS, () => computeFeeders(ctx));
}

async function computeFeeders(ctx: ChangeContext): Promise<string[]> {
  const out = new Set<string>();
  for (const side of [ctx.head, ctx.base]) {
    const changed = side.changed.filter((p) => isSource(p) && !ctx.excluded(p) && !isLockfileOrGenerated(p));
    if (changed.length === 0) continue;
    const libraries = await side.snapshot.grep(LIBRARY_TOKENS, SOURCE_GLOBS);
    // How a file would spell an import of one of them: `…/name'`, `…/name.js"`, `from .name import`.
    const spellings = [...new Set(libraries.flatMap(importNames))].flatMap((n) => [
      `/${n}'`,
      `/${n}"`,
      `/${n}.`,
      `import ${n}`,
      `.${n} import`,
      `from ${n} `,
    ]);
    const tokens = [...LIBRARY_TOKENS, ...RELOAD_TOKENS, ...USE_TOKENS, ...spellings];
    for (const path of changed) {
      const file = await side.read(path);
      if (!file) continue;
      const text = file.text;
      if (tokens.some((t) => text.includes(t))) out.add(path);
    }
  }
  return [...out].sort();
}

/** Names an importer spells to import a file: its stem, or its directory for an index module. */
function importNames(path: string): string[] {
  const parts = path.split('/');
  const stem = parts.at(-1)!.replace(/\.[^.]+$/, '');
  // Go imports a package: its directory.
  const name = stem === 'index' || stem === '__init__' || path.endsWith('.go') ? (parts.at(-2) ?? '') : stem;
  return name.length >= 3 ? [name] : [];
}

/** Where metric names are spelled in parts. */
const SPLIT_GLOBS: readonly string[] = ['**/*.go', '**/*.py'];

/** Python's sample suffixes: a family's stem is what every one of its series starts with. */
const SERIES_SUFFIX = /_(total|created|count|sum|bucket|info|gcount|gsum)$/;

/** A name spelled in parts (Go's Namespace/Subsystem, Python's namespace=): the rest, and the parts before it. */
interface SplitName {
  rest: string;
  prefix: string[];
}

/**
 * The words to look up across the repository for the metric names these facts define: each name's stem
 * (every series of a family starts with it), and, for Go and Python, the name without its first one or
 * two segments (a namespace or subsystem another file may spell apart). Undefined when some name cannot
 * be looked up that way (no static name, or a word too short to search for) or when the facts hold what
 * concerns a whole registry (default metrics, clears, merges, reloads): then the whole repository is
 * indexed.
 */
function nameTokens(
  index: MetricIndex,
  changed: ReadonlySet<string>,
): { whole: string[]; split: SplitName[] } | undefined {
  const whole = new Set<string>();
  const split = new Map<string, SplitName>();
  for (const list of [index.defaultMetrics, index.clears, index.merges, index.reloads])
    if (list.some((x) => changed.has(x.loc.path))) return undefined;
  for (const m of index.metrics) {
    const name = m.fullName ?? (m.name.kind === 'static' ? m.name.value : undefined);
    if (name === undefined) return undefined;
    const stem = name.replace(SERIES_SUFFIX, '');
    if (stem.length < 4) return undefined;
    whole.add(stem);
    for (const word of [name, stem]) {
      const segments = word.split(/[_.:]/);
      for (const drop of [1, 2]) {
        const rest = segments.slice(drop).join('_');
        if (segments.length > drop && rest.length >= 4)
          split.set(`${rest}\u0000${drop}`, { rest, prefix: segments.slice(0, drop).filter(Boolean) });
      }
    }
  }
  return { whole: [...whole], split: [...split.values()] };
}

/**
 * Loads what a scoped build needs: the changed files that feed the index, what they import, the files
 * that mention the names they define (and the metric files importing such a file's constants), and the
 * dependencies of all of those. False when the names cannot be looked up (the caller then indexes the
 * whole repository).
 */
async function loadScoped(
  ctx: IndexContext,
  scope: MetricScope,
  candidates: readonly string[],
  facts: Map<string, FileFacts>,
  load: (path: string) => Promise<void>,
  loadDependencies: () => Promise<void>,
): Promise<boolean> {
  const allPaths = new Set(ctx.paths);
  const changed = new Set(scope.files.filter((p) => allPaths.has(p)));
  for (const path of changed) await load(path);
  await loadDependencies();
  // Go code uses metric objects of other packages (`metrics.Requests.WithLabelValues(…)`): the whole
  // build has them as library files; here their packages are loaded for what the loaded files reference.
  // Go names another package's object by a `go:<dir>#<name>` key (its name parts are loaded above).
  const goDirs = new Set<string>();
  for (const f of facts.values()) {
    for (const target of [...f.labelUses, ...f.registrations].map((u) => u.target))
      if (target.kind === 'local' && target.key.startsWith('go:'))
        goDirs.add(target.key.slice(3, target.key.indexOf('#')));
  }
  for (const p of ctx.paths) if (p.endsWith('.go') && goDirs.has(dirOf(p))) await load(p);
  const tokens = nameTokens(resolveIndex([...facts.values()], ctx.serviceOf), changed);
  if (tokens === undefined) return false;
  if (tokens.whole.length > 0) {
    const libraries = new Set(candidates);
    const hits = new Set(await ctx.snapshot.grep(tokens.whole, SOURCE_GLOBS));
    // A name spelled in parts: a Go or Python file with the rest that also spells the parts before it.
    if (tokens.split.length > 0) {
      for (const path of await ctx.snapshot.grep([...new Set(tokens.split.map((t) => t.rest))], SPLIT_GLOBS)) {
        if (hits.has(path) || facts.has(path)) continue;
        const text = (await ctx.read(path))?.text;
        if (text && tokens.split.some((t) => text.includes(t.rest) && t.prefix.every((p) => text.includes(p))))
          hits.add(path);
      }
    }
    for (const path of hits) await load(path);
    // A hit that names no library holds a name as a constant: the metric files importing it (or, in Go,
    // sharing its package) define the metric.
    const constants = [...hits].filter((p) => !libraries.has(p));
    const names = [...new Set(constants.flatMap(importNames))];
    const importers = names.length ? await ctx.snapshot.grep(names, SOURCE_GLOBS) : [];
    const constantDirs = new Set(constants.filter((p) => p.endsWith('.go')).map(dirOf));
    for (const path of candidates)
      if (importers.includes(path) || (path.endsWith('.go') && constantDirs.has(dirOf(path)))) await load(path);
  }
  await loadDependencies();
  return true;
}

function emptyIndex(): MetricIndex {
  return {
    metrics: [],
    registrations: [],
    registries: [],
    defaultMetrics: [],
    clears: [],
    merges: [],
    labelUses: [],
    reloads: [],
    files: [],
    byId: new Map(),
  };
}

/** Adds `name` to what is asked of `module`; false when it was asked already (Go packages are not asked here). */
function addName(asked: Map<string, Set<string>>, module: string, name: string): boolean {
  if (module.startsWith('go:')) return false;
  let names = asked.get(module);
  if (!names) asked.set(module, (names = new Set()));
  if (names.has(name)) return false;
  names.add(name);
  return true;
}

/** The names one file imports from other modules for its facts, by module (`*`: the whole module). */
function askedNames(f: FileFacts, out: Map<string, Set<string>>): void {
  const ask = (module: string, name: string) => void addName(out, module, name);
  const parts = (list: StrPart[] | undefined) => {
    for (const p of list ?? []) if (p.kind === 'import') ask(p.module, p.name);
  };
  const reg = (r: RegistryExpr) => {
    if (r.kind === 'import') ask(r.module, r.name);
  };
  const obj = (o: ObjectExpr | undefined) => {
    if (o?.kind === 'import') ask(o.module, o.name);
  };
  for (const m of f.metrics) {
    parts(m.nameParts);
    parts(m.unit);
    m.registries.forEach(reg);
  }
  for (const r of f.registrations) {
    reg(r.registry);
    obj(r.target);
  }
  for (const d of f.defaultMetrics) {
    reg(d.registry);
    parts(d.prefix);
  }
  for (const c of f.clears) {
    reg(c.registry);
    obj(c.target);
    parts(c.nameParts);
  }
  for (const m of f.merges) m.registries.forEach(reg);
  for (const u of f.labelUses) obj(u.target);
  for (const r of f.reloads) ask(r.module, '*');
  for (const c of f.facadeCalls) {
    if (c.callee.kind === 'import') ask(c.callee.module, c.callee.name);
    else if (c.callee.kind === 'method' && c.callee.module) ask(c.callee.module, '*');
  }
}

/**
 * The modules the loaded files need: those they import names from, and, through the modules already
 * loaded, the modules those names are re-exported from — only for the names asked (a Python module
 * re-exports everything it imports: following every re-export loaded most of a package for one name).
 */
function askedModules(facts: Map<string, FileFacts>, primary: ReadonlySet<string>): Set<string> {
  const asked = new Map<string, Set<string>>();
  for (const f of facts.values()) askedNames(f, asked);
  // What the changed files call: a function of another module that builds metrics runs as often as they
  // call it (the call graph decides whether that is per request).
  for (const path of primary) {
    const f = facts.get(path);
    if (!f) continue;
    for (const c of f.calls) if (c.callee.kind === 'import') addName(asked, c.callee.module, c.callee.name);
  }
  const seen = new Set<string>();
  const queue: Array<[string, string]> = [];
  for (const [module, names] of asked) for (const name of names) queue.push([module, name]);
  const add = (module: string, name: string) => {
    if (addName(asked, module, name)) queue.push([module, name]);
  };
  for (let next = queue.pop(); next; next = queue.pop()) {
    const [module, name] = next;
    const key = `${module}\u0000${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const f = facts.get(module);
    if (!f) continue; // loaded this round; its re-exports are followed in the next one
    const ex = f.exports;
    // A function asked for: the functions of other modules it calls, as the changed files' own calls.
    const fnKey = name === '*' ? undefined : ex.functions[name];
    for (const c of f.calls)
      if (c.callee.kind === 'import' && (name === '*' || (fnKey !== undefined && c.scope.fnKey === fnKey)))
        add(c.callee.module, c.callee.name);
    if (name !== '*' && (name in ex.constants || name in ex.registries || name in ex.bindings || name in ex.functions))
      continue;
    for (const r of ex.reexports) {
      if (name === '*') add(r.module, r.name);
      else if (r.as === name) add(r.module, r.name);
      else if (r.as === '*') add(r.module, name);
    }
  }
  return new Set(asked.keys());
}

function goDirsReferenced(facts: Map<string, FileFacts>): Set<string> {
  const dirs = new Set<string>();
  for (const f of facts.values()) {
    for (const m of f.metrics)
      for (const p of m.nameParts) if (p.kind === 'import' && p.module.startsWith('go:')) dirs.add(p.module.slice(3));
  }
  return dirs;
}

/** Names of functions/classes that build or register metrics in a function body (not per request already). */
function calleeNamesWorthFollowing(facts: Map<string, FileFacts>): string[] {
  const keys = new Set<string>();
  for (const f of facts.values()) {
    for (const item of [...f.metrics, ...f.registrations, ...f.defaultMetrics]) {
      const s = item.scope;
      if (s.kind === 'function' && !s.hot && !s.guard && s.fnKey) keys.add(s.fnKey);
    }
  }
  const names = new Set<string>();
  for (const f of facts.values()) {
    // One-level facades (`createCounter(options)`): their callers hold the definitions.
    for (const d of f.facades) {
      keys.add(d.fnKey);
      // A class method facade is called on an instance: its callers spell the method name.
      if (d.method && d.method.length >= 4) names.add(d.method);
    }
    for (const fn of f.functions) {
      if (!keys.has(fn.key)) continue;
      const simple = fn.name.includes('.') ? fn.name.split('.')[0]! : fn.name;
      if (simple.length >= 4) names.add(simple);
      for (const e of fn.exported) if (e !== 'default' && e.length >= 4) names.add(e);
    }
  }
  return [...names].slice(0, 50);
}

// -----------------------------------------------------------------------------------------------------------
// Resolution
// -----------------------------------------------------------------------------------------------------------

/** Resolves facts of many files into the index. Exported for tests. */
export function resolveIndex(
  all: FileFacts[],
  serviceOf: (path: string) => Service,
  libraryFiles?: Set<string>,
): MetricIndex {
  const byPath = new Map(all.map((f) => [f.path, f]));
  const byGoDir = new Map<string, FileFacts[]>();
  for (const f of all) {
    if (!f.goPackage) continue;
    const list = byGoDir.get(f.goPackage.dir) ?? [];
    list.push(f);
    byGoDir.set(f.goPackage.dir, list);
  }

  /** Follows `export … from` chains to the file that declares `name`. */
  const exportOwner = (module: string, name: string, depth = 0): { facts: FileFacts; name: string } | undefined => {
    const f = byPath.get(module);
    if (!f || depth > 6) return undefined;
    const ex = f.exports;
    if (name in ex.constants || name in ex.registries || name in ex.bindings || name in ex.functions)
      return { facts: f, name };
    for (const r of ex.reexports) {
      if (r.as === name || (r.as === '*' && r.name === '*')) {
        const found = exportOwner(r.module, r.as === '*' ? name : r.name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };

  const constants: ConstantLookup = (module, name) => {
    if (module.startsWith('go:')) {
      for (const f of byGoDir.get(module.slice(3)) ?? []) {
        const c = f.goConstants?.[name];
        if (c) return c;
      }
      return undefined;
    }
    const owner = exportOwner(module, name);
    return owner?.facts.exports.constants[owner.name];
  };

  const resolveRegistry = (r: RegistryExpr, depth = 0): RegistryRef => {
    switch (r.kind) {
      case 'default':
      case 'none':
        return r;
      case 'local':
        return { kind: 'known', key: r.key, label: r.label, perCall: r.perCall };
      case 'unknown':
        return r;
      case 'import': {
        const owner = exportOwner(r.module, r.name);
        if (owner && depth < 6) {
          const exp = owner.facts.exports.registries[owner.name];
          if (exp) return resolveRegistry(exp.kind === 'local' ? { ...exp, label: r.label } : exp, depth + 1);
          const binding = owner.facts.exports.bindings[owner.name];
          if (binding) return { kind: 'known', key: binding, label: r.label, perCall: false };
        }
        // An import we cannot see into is still one object: every importer shares it.
        return { kind: 'known', key: `${r.module}#${r.name}`, label: r.label, perCall: false };
      }
    }
  };

  // Metric definitions by binding key (one binding may hold several definitions, e.g. in branches).
  const defsByBinding = new Map<string, MetricDef[]>();
  for (const f of all) {
    for (const m of f.metrics) {
      if (!m.binding) continue;
      const list = defsByBinding.get(m.binding) ?? [];
      list.push(m);
      defsByBinding.set(m.binding, list);
    }
  }
  const resolveObject = (o: ObjectExpr | undefined): string | undefined => {
    if (!o) return undefined;
    switch (o.kind) {
      case 'inline':
        return o.defId;
      case 'local': {
        const defs = defsByBinding.get(o.key);
        return defs?.length === 1 ? defs[0]!.id : undefined;
      }
      case 'import': {
        const owner = exportOwner(o.module, o.name);
        const key = owner?.facts.exports.bindings[owner.name];
        const defs = key ? defsByBinding.get(key) : undefined;
        return defs?.length === 1 ? defs[0]!.id : undefined;
      }
      default:
        return undefined;
    }
  };

  const resolveCallee = (c: CallSite['callee']): string | undefined => {
    switch (c.kind) {
      case 'local':
        return c.key;
      case 'package':
        return `go:${c.dir}#${c.name}`;
      case 'import': {
        const owner = exportOwner(c.module, c.name);
        return owner?.facts.exports.functions[owner.name];
      }
    }
  };

  // One-level facades: `createCounter({ name, … })` is a definition when `createCounter` passes its options
  // straight to a metric constructor; the facade decides the library and type.
  const facades = new Map<string, FacadeDecl>();
  const methodFacades = new Map<string, FacadeDecl>();
  for (const f of all)
    for (const d of f.facades) {
      facades.set(d.fnKey, d);
      if (d.method && !methodFacades.has(d.method)) methodFacades.set(d.method, d);
    }
  const metricsOf = new Map<FileFacts, MetricDef[]>();
  for (const f of all) {
    const extra: MetricDef[] = [];
    for (const c of f.facadeCalls) {
      const callee = c.callee;
      let facade: FacadeDecl | undefined;
      if (callee.kind === 'method') facade = methodFacades.get(callee.name);
      else {
        const key = resolveCallee(callee);
        facade = key ? facades.get(key) : undefined;
      }
      // argIndex -1: the caller passed it by keyword (`name=`).
      if (!facade || (c.argIndex !== -1 && facade.paramIndex !== c.argIndex)) continue;
      extra.push({
        ...c.def,
        library: facade.library,
        type: facade.typeFromCall ? c.def.type : facade.type,
        ...(facade.display
          ? { facade: { key: facade.fnKey, display: facade.display, raises: facade.raises === true } }
          : {}),
        ...(facade.defaultRegistry ? { registries: [{ kind: 'default' as const }] } : {}),
        ...(facade.raises && facade.display && !facade.defaultRegistry
          ? {
              registries: [
                {
                  kind: 'local',
                  key: `facade:${facade.fnKey}`,
                  label: facade.display,
                  perCall: false,
                },
              ],
            }
          : {}),
      });
    }
    metricsOf.set(f, extra.length > 0 ? [...f.metrics, ...extra] : f.metrics);
    for (const m of extra) {
      if (!m.binding) continue;
      const list = defsByBinding.get(m.binding) ?? [];
      list.push(m);
      defsByBinding.set(m.binding, list);
    }
  }

  const hotFns = propagateHot(all, resolveCallee);
  const withHot = (s: Scope): Scope => {
    if (s.kind !== 'function' || s.hot || !s.fnKey) return s;
    const h = hotFns.get(s.fnKey);
    return h ? { ...s, hot: h } : s;
  };

  const index = emptyIndex();
  index.files = all.filter((f) => !libraryFiles || libraryFiles.has(f.path)).map((f) => f.path);
  for (const f of all) {
    const service = serviceOf(f.path);
    for (const m of metricsOf.get(f) ?? f.metrics) {
      const name = resolveName(m.nameParts, constants, m.nameText);
      let fullName: string | undefined;
      let finalName: ResolvedName = name;
      if (name.kind === 'static') {
        if (m.library === 'prometheus_client') {
          const unit = m.unit ? staticValue(expand(m.unit, constants)) : undefined;
          if (m.unit && unit === undefined) finalName = { kind: 'unknown', text: m.nameText };
          else fullName = pythonFullName(m.type, name.value, unit);
        } else fullName = name.value;
      }
      const im: IndexedMetric = {
        ...m,
        name: finalName,
        ...(fullName !== undefined ? { fullName } : {}),
        resolvedRegistries: m.registries.map((r) => resolveRegistry(r)),
        scope: withHot(m.scope),
        service: service.root,
        serviceName: service.name,
      };
      index.metrics.push(im);
      index.byId.set(im.id, im);
    }
    for (const r of f.registrations) {
      const defId = resolveObject(r.target);
      index.registrations.push({
        ...r,
        registry: resolveRegistry(r.registry),
        ...(defId ? { defId } : {}),
        targetLabel: r.target.label,
        scope: withHot(r.scope),
        service: service.root,
      });
    }
    for (const r of f.registries) index.registries.push({ ...r, scope: withHot(r.scope), service: service.root });
    for (const d of f.defaultMetrics) {
      const prefix = staticValue(expand(d.prefix, constants));
      index.defaultMetrics.push({
        loc: d.loc,
        scope: withHot(d.scope),
        registry: resolveRegistry(d.registry),
        ...(prefix !== undefined ? { prefix } : {}),
        service: service.root,
      });
    }
    for (const c of f.clears) {
      const name = c.nameParts ? staticValue(expand(c.nameParts, constants)) : undefined;
      const defId = resolveObject(c.target);
      index.clears.push({
        library: c.library,
        op: c.op,
        call: c.call,
        loc: c.loc,
        scope: withHot(c.scope),
        registry: resolveRegistry(c.registry),
        ...(name !== undefined ? { name } : {}),
        ...(defId ? { defId } : {}),
        service: service.root,
      });
    }
    for (const r of f.reloads) index.reloads.push({ ...r, scope: withHot(r.scope) });
    for (const m of f.merges)
      index.merges.push({
        loc: m.loc,
        scope: withHot(m.scope),
        registries: m.registries.map((r) => resolveRegistry(r)),
        service: service.root,
      });
    for (const u of f.labelUses) {
      const defId = resolveObject(u.target);
      const { target: _target, ...rest } = u;
      index.labelUses.push({ ...rest, ...(defId ? { defId } : {}), service: service.root });
    }
  }
  return index;
}

/**
 * Which functions run per request or more than once: seeded by call sites in hot code or loops, and
 * by functions called at module load from two or more places; propagated through callers.
 */
function propagateHot(
  all: FileFacts[],
  resolveCallee: (c: CallSite['callee']) => string | undefined,
): Map<string, { reason: HotReason; detail: string; via: Loc }> {
  const hot = new Map<string, { reason: HotReason; detail: string; via: Loc }>();
  const edges: Array<{ target: string; site: CallSite }> = [];
  for (const f of all) {
    for (const site of f.calls) {
      const target = resolveCallee(site.callee);
      if (target) edges.push({ target, site });
    }
  }
  const at = (l: Loc) => `${l.path}:${l.line}`;
  // Called at module load from several places in one file: each call builds it again. (Call sites in
  // different files may belong to different entry points — separate processes — so they do not count.)
  const moduleCalls = new Map<string, CallSite[]>();
  for (const { target, site } of edges) {
    if (site.scope.kind !== 'module' || site.scope.guard || site.scope.inLoop) continue;
    const key = `${site.loc.path}\u0000${target}`;
    moduleCalls.set(key, [...(moduleCalls.get(key) ?? []), site]);
  }
  for (const [key, sites] of moduleCalls) {
    if (sites.length < 2) continue;
    const target = key.split('\u0000')[1]!;
    const second = sites[1]!;
    hot.set(target, {
      reason: 'called-repeatedly',
      detail: `it is called ${sites.length} times at start-up (${sites.map((s) => at(s.loc)).join(', ')})`,
      via: second.loc,
    });
  }
  for (let round = 0; round < 8; round++) {
    let changed = false;
    for (const { target, site } of edges) {
      if (hot.has(target) || site.scope.guard) continue;
      const s = site.scope;
      let entry: { reason: HotReason; detail: string; via: Loc } | undefined;
      if (s.hot)
        entry = {
          reason: 'called-from-hot',
          detail: `${site.display} at ${at(site.loc)}, in ${s.hot.detail}`,
          via: site.loc,
        };
      else if (s.inLoop)
        entry = { reason: 'loop', detail: `${site.display} inside a loop at ${at(site.loc)}`, via: site.loc };
      else if (s.kind === 'function' && s.fnKey && hot.has(s.fnKey)) {
        const outer = hot.get(s.fnKey)!;
        entry = {
          reason: 'called-from-hot',
          detail: `${site.display} at ${at(site.loc)}, in ${s.fnName ?? 'a function'} — ${outer.detail}`,
          via: site.loc,
        };
      }
      if (entry) {
        hot.set(target, entry);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return hot;
}

/** The metrics gate's facts a worker thread can extract (see core/facts-parallel.ts). */
export const metricsWorkerFacts: Readonly<Record<string, WorkerFactory>> = {
  [metricFileFacts.id]: () => metricFileFacts as FactsDef<unknown, never>,
};
