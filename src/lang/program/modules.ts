/**
 * Module resolution over a snapshot's path list: which repository file an import denotes.
 *
 * - TS/JS: relative specifiers (ESM `import`, CommonJS `require`, `import()`), with NodeNext `.js` →
 *   `.ts` and extension / `index` resolution; path aliases from the nearest `tsconfig.json`
 *   (`compilerOptions.paths` and `baseUrl`, through `extends`); workspace packages by their
 *   `package.json` name; SvelteKit's implicit `$lib` (the app's `src/lib`).
 * - Python: dotted modules (`app.metrics`) and relative ones (`.metrics`, `..a.b`), modules and packages
 *   (`__init__.py`).
 * - Go: an import path → the repository directory holding that package.
 *
 * Pure: the resolver reads nothing itself. The configuration files it needs (tsconfigs, package.json)
 * are handed to it as text, read once by `loadJsProjectConfig`. Unresolvable specifiers (third-party
 * packages) give undefined. The gates follow imports across files with it.
 */
import { parseJsonc } from './jsonc.js';
import { dirOf, joinPath } from './paths.js';

export { dirOf, joinPath } from './paths.js';

const SVELTE_CONFIGS = ['svelte.config.js', 'svelte.config.ts', 'svelte.config.mjs', 'svelte.config.cjs'];

const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** The JSON configuration files of a repository that JS resolution depends on, by path → text. */
export interface JsProjectConfig {
  /** `tsconfig.json` files and the files they extend. */
  tsconfigs: ReadonlyMap<string, string>;
  /** `package.json` files (workspace packages, by their `name`). */
  packageJsons: ReadonlyMap<string, string>;
}

/** The questions an extractor may ask a resolver (a recording wrapper can stand in for one). */
export type ModuleLookup = Pick<ModuleResolver, 'has' | 'js' | 'python' | 'goDir'>;

/** The tsconfig and package.json files to read for `JsProjectConfig` (not the files they extend). */
export function jsProjectConfigPaths(paths: readonly string[]): string[] {
  return paths.filter((p) => /(^|\/)(tsconfig\.json|package\.json)$/.test(p) && !p.includes('node_modules/'));
}

/**
 * Reads the configuration JS resolution needs: every `tsconfig.json` and `package.json` of the
 * repository, and the files the tsconfigs extend (followed within the repository).
 */
export async function loadJsProjectConfig(
  paths: readonly string[],
  readText: (path: string) => Promise<string | undefined>,
): Promise<JsProjectConfig> {
  const tsconfigs = new Map<string, string>();
  const packageJsons = new Map<string, string>();
  const all = new Set(paths);
  const wanted = jsProjectConfigPaths(paths);
  for (const p of wanted) {
    const text = await readText(p);
    if (text !== undefined) (p.endsWith('package.json') ? packageJsons : tsconfigs).set(p, text);
  }
  const workspaces = workspacePackages(packageJsons);
  // The extends chains: files not named tsconfig.json (tsconfig.base.json, a shared config package).
  let pending = [...tsconfigs.keys()];
  for (let round = 0; pending.length > 0 && round < 8; round++) {
    const next: string[] = [];
    for (const p of pending)
      for (const ext of extendsOf(parseJsonc(tsconfigs.get(p)!))) {
        const target = resolveExtends(p, ext, all, workspaces);
        if (!target || tsconfigs.has(target)) continue;
        const text = await readText(target);
        if (text === undefined) continue;
        tsconfigs.set(target, text);
        next.push(target);
      }
    pending = next;
  }
  return { tsconfigs, packageJsons };
}

/** Path aliases of one tsconfig, after `extends`, with every target a repository path pattern. */
interface AliasScope {
  /** `[pattern, targets]`, patterns with at most one `*`; targets relative to the repository root. */
  paths: Array<[string, string[]]>;
  /** The `baseUrl` directory (repository-relative), when set: bare specifiers may resolve under it. */
  baseUrl?: string;
}

/** Resolves module specifiers of one snapshot. Build once per index. */
export class ModuleResolver {
  private readonly paths: ReadonlySet<string>;
  private pythonByLast: Map<string, Array<{ path: string; parts: string[] }>> | undefined;
  private readonly pythonAnswers = new Map<string, readonly string[]>();
  private goDirs: string[] | undefined;
  private readonly tsconfigTexts: ReadonlyMap<string, string>;
  private readonly tsconfigDirs: Map<string, string>;
  private readonly aliasScopes = new Map<string, AliasScope | undefined>();
  private readonly workspaces: Map<string, WorkspacePackage>;
  /** The package.json files read for workspace packages, by path (their text). */
  readonly packageJsons: ReadonlyMap<string, string>;

  constructor(paths: readonly string[], config?: JsProjectConfig) {
    this.paths = new Set(paths);
    this.packageJsons = config?.packageJsons ?? new Map();
    this.tsconfigTexts = config?.tsconfigs ?? new Map();
    this.tsconfigDirs = new Map();
    for (const p of this.tsconfigTexts.keys()) if (/(^|\/)tsconfig\.json$/.test(p)) this.tsconfigDirs.set(dirOf(p), p);
    this.workspaces = workspacePackages(config?.packageJsons ?? new Map());
  }

  /**
   * What this resolver was built from, as plain data: `new ModuleResolver(paths, config)` in another
   * thread answers every question as this one does.
   */
  portable(): { paths: string[]; config: JsProjectConfig } {
    return { paths: [...this.paths], config: { tsconfigs: this.tsconfigTexts, packageJsons: this.packageJsons } };
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  /**
   * `./metrics.js` from `src/orders.ts` → `src/metrics.ts`; `@/lib/metrics` through the tsconfig's
   * `paths`; `@acme/metrics` to the workspace package of that name. Packages outside the repository give
   * undefined.
   */
  js(from: string, specifier: string): string | undefined {
    if (specifier.startsWith('.')) {
      const joined = joinPath(dirOf(from), specifier);
      return joined === undefined ? undefined : this.jsFile(joined);
    }
    if (specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
    return this.jsAlias(from, specifier) ?? this.svelteKitLib(from, specifier) ?? this.jsWorkspace(specifier);
  }

  /**
   * SvelteKit's implicit `$lib` alias: `src/lib` of the app (the nearest directory above the importer
   * with a `svelte.config.*`). SvelteKit writes it into a generated `.svelte-kit/tsconfig.json` that is
   * not committed, so no tsconfig of the repository declares it.
   */
  private svelteKitLib(from: string, specifier: string): string | undefined {
    if (specifier !== '$lib' && !specifier.startsWith('$lib/')) return undefined;
    for (let dir = dirOf(from); ; dir = dirOf(dir)) {
      const prefix = dir ? `${dir}/` : '';
      if (SVELTE_CONFIGS.some((c) => this.paths.has(`${prefix}${c}`)))
        return this.jsFile(`${prefix}src/lib${specifier.slice('$lib'.length)}`);
      if (dir === '') return undefined;
    }
  }

  /** `app.metrics` / `.metrics` from `src/app/api.py` → `src/app/metrics.py` (or a package `__init__.py`). */
  python(from: string, module: string): string | undefined {
    if (module.startsWith('.')) {
      const dots = /^\.+/.exec(module)![0].length;
      let dir = dirOf(from);
      for (let i = 1; i < dots; i++) dir = dirOf(dir);
      const rest = module.slice(dots).replace(/\./g, '/');
      const base = rest ? (dir ? `${dir}/${rest}` : rest) : dir;
      for (const c of [`${base}.py`, `${base}/__init__.py`]) if (this.paths.has(c)) return c;
      return undefined;
    }
    const found = this.pythonFiles(module);
    if (found.length === 0) return undefined;
    // Several files can claim a dotted name (src layouts, copies): prefer the one nearest the importer.
    return [...found].sort((a, b) => commonPrefixLength(b, from) - commonPrefixLength(a, from) || (a < b ? -1 : 1))[0];
  }

  /**
   * `from <module> import <name>`: the submodule `<module>.<name>` when it is one (`from . import views`,
   * `from app import metrics`), else the module itself (the name is defined in it).
   */
  pythonFrom(from: string, module: string, name: string): string | undefined {
    const sub = module.endsWith('.') ? `${module}${name}` : `${module}.${name}`;
    return this.python(from, sub) ?? this.python(from, module);
  }

  /** A Go import path → the repository directory holding that package, by the longest matching suffix. */
  goDir(importPath: string): string | undefined {
    const dirs = (this.goDirs ??= this.buildGoDirs());
    let best: string | undefined;
    for (const d of dirs) {
      if (d === '') continue;
      if (importPath === d || importPath.endsWith(`/${d}`)) {
        if (!best || d.length > best.length) best = d;
      }
    }
    return best;
  }

  /** A repository path written without (or with a compiled) extension → the source file it names. */
  private jsFile(joined: string): string | undefined {
    const candidates: string[] = [joined];
    // NodeNext style: `./x.js` names the file compiled from `./x.ts`.
    const ext = /\.(m|c)?js$|\.jsx$/.exec(joined);
    if (ext) {
      const stem = joined.slice(0, -ext[0].length);
      const tsExt = ext[0] === '.mjs' ? '.mts' : ext[0] === '.cjs' ? '.cts' : ext[0] === '.jsx' ? '.tsx' : '.ts';
      candidates.push(stem + tsExt, stem + (tsExt === '.tsx' ? '.ts' : '.tsx'));
    }
    for (const e of JS_EXTENSIONS) candidates.push(joined + e);
    for (const e of JS_EXTENSIONS) candidates.push(`${joined}/index${e}`);
    return candidates.find((c) => this.paths.has(c));
  }

  private jsAlias(from: string, specifier: string): string | undefined {
    const scope = this.aliasScopeOf(from);
    if (!scope) return undefined;
    // An exact pattern wins; else the `*` pattern with the longest prefix (TypeScript's rule).
    let best: { targets: string[]; star: string; prefix: number } | undefined;
    for (const [pattern, targets] of scope.paths) {
      const star = pattern.indexOf('*');
      if (star === -1) {
        if (pattern === specifier) {
          best = { targets, star: '', prefix: Infinity };
          break;
        }
        continue;
      }
      const prefix = pattern.slice(0, star);
      const suffix = pattern.slice(star + 1);
      if (
        specifier.length >= prefix.length + suffix.length &&
        specifier.startsWith(prefix) &&
        specifier.endsWith(suffix) &&
        (!best || prefix.length > best.prefix)
      )
        best = {
          targets,
          star: specifier.slice(prefix.length, specifier.length - suffix.length),
          prefix: prefix.length,
        };
    }
    if (best)
      for (const t of best.targets) {
        const found = this.jsFile(t.replace('*', best.star));
        if (found) return found;
      }
    if (scope.baseUrl !== undefined) {
      const joined = joinPath(scope.baseUrl, specifier);
      if (joined !== undefined) return this.jsFile(joined);
    }
    return undefined;
  }

  private jsWorkspace(specifier: string): string | undefined {
    const parts = specifier.split('/');
    const nameLength = specifier.startsWith('@') ? 2 : 1;
    const pkg = this.workspaces.get(parts.slice(0, nameLength).join('/'));
    if (!pkg) return undefined;
    const sub = parts.slice(nameLength).join('/');
    const entries = sub ? [sub, `src/${sub}`] : [...pkg.entries, 'index', 'src/index'];
    for (const entry of entries) {
      const joined = joinPath(pkg.dir, entry);
      if (joined === undefined) continue;
      // A built entry (`dist/index.js`) stands for its source (`src/index.ts`) when only that is committed.
      const found = this.jsFile(joined) ?? this.jsFile(joined.replace(/(^|\/)(dist|build|lib|out)\//, '$1src/'));
      if (found) return found;
    }
    return undefined;
  }

  /** The aliases that apply to a file: those of the nearest tsconfig.json above it. */
  private aliasScopeOf(from: string): AliasScope | undefined {
    let dir = dirOf(from);
    for (;;) {
      const config = this.tsconfigDirs.get(dir);
      if (config) {
        if (!this.aliasScopes.has(config)) this.aliasScopes.set(config, this.buildAliasScope(config));
        return this.aliasScopes.get(config);
      }
      if (dir === '') return undefined;
      dir = dirOf(dir);
    }
  }

  /** `paths` and `baseUrl` after `extends`: each option from the nearest config that sets it. */
  private buildAliasScope(config: string): AliasScope | undefined {
    let paths: { value: Record<string, unknown>; at: string } | undefined;
    let baseUrl: { value: string; at: string } | undefined;
    const seen = new Set<string>();
    const visit = (path: string): void => {
      if (seen.has(path) || seen.size > 16) return;
      seen.add(path);
      const json = parseJsonc(this.tsconfigTexts.get(path) ?? '');
      const options = isRecord(json) && isRecord(json.compilerOptions) ? json.compilerOptions : undefined;
      if (!paths && options && isRecord(options.paths)) paths = { value: options.paths, at: dirOf(path) };
      if (!baseUrl && options && typeof options.baseUrl === 'string')
        baseUrl = { value: options.baseUrl, at: dirOf(path) };
      // With several bases, later ones override earlier ones: visit them last first.
      for (const ext of extendsOf(json).reverse()) {
        const target = resolveExtends(path, ext, this.paths, this.workspaces);
        if (target && this.tsconfigTexts.has(target)) visit(target);
      }
    };
    visit(config);
    const base = baseUrl ? joinPath(baseUrl.at, baseUrl.value) : undefined;
    if (!paths && base === undefined) return undefined;
    const scope: AliasScope = { paths: [] };
    if (base !== undefined) scope.baseUrl = base;
    // Targets are relative to baseUrl when it is set, else to the config that declares `paths`.
    const root = base ?? paths?.at ?? '';
    for (const [pattern, targets] of Object.entries(paths?.value ?? {})) {
      if (!Array.isArray(targets)) continue;
      const resolved = targets
        .filter((t): t is string => typeof t === 'string')
        .map((t) => joinPath(root, t))
        .filter((t): t is string => t !== undefined);
      scope.paths.push([pattern, resolved]);
    }
    return scope;
  }

  /**
   * The .py files a dotted name can mean: each file whose path (less `.py`, a package by its
   * `__init__.py`) ends with the name, path parts joined by dots, as an import from any source root would
   * find it.
   */
  private pythonFiles(module: string): readonly string[] {
    if (module === '') return [];
    let found = this.pythonAnswers.get(module);
    if (found) return found;
    const last = module.slice(module.lastIndexOf('.') + 1);
    const candidates = (this.pythonByLast ??= this.buildPythonByLast()).get(last) ?? [];
    found = candidates.filter((c) => c.parts.some((_, i) => c.parts.slice(i).join('.') === module)).map((c) => c.path);
    this.pythonAnswers.set(module, found);
    return found;
  }

  /** Every .py file, by the last dot-separated word of the module it is (its path parts joined by dots). */
  private buildPythonByLast(): Map<string, Array<{ path: string; parts: string[] }>> {
    const byLast = new Map<string, Array<{ path: string; parts: string[] }>>();
    for (const p of this.paths) {
      if (!p.endsWith('.py')) continue;
      let stem = p.slice(0, -3);
      if (stem.endsWith('/__init__')) stem = stem.slice(0, -'/__init__'.length);
      const parts = stem.split('/');
      const dotted = parts.join('.');
      const last = dotted.slice(dotted.lastIndexOf('.') + 1);
      const list = byLast.get(last);
      if (list) list.push({ path: p, parts });
      else byLast.set(last, [{ path: p, parts }]);
    }
    return byLast;
  }

  private buildGoDirs(): string[] {
    const dirs = new Set<string>();
    for (const p of this.paths) if (p.endsWith('.go')) dirs.add(dirOf(p));
    return [...dirs];
  }
}

interface WorkspacePackage {
  dir: string;
  /** Entry points its package.json names (`exports["."]`, `types`, `module`, `main`), in that order. */
  entries: string[];
}

function workspacePackages(packageJsons: ReadonlyMap<string, string>): Map<string, WorkspacePackage> {
  const out = new Map<string, WorkspacePackage>();
  for (const [path, text] of packageJsons) {
    const json = parseJsonc(text);
    if (!isRecord(json) || typeof json.name !== 'string' || out.has(json.name)) continue;
    const entries: string[] = [];
    const dot = isRecord(json.exports) ? json.exports['.'] : json.exports;
    for (const e of [exportTarget(dot), json.types, json.typings, json.module, json.main])
      if (typeof e === 'string') entries.push(e);
    out.set(json.name, { dir: dirOf(path), entries });
  }
  return out;
}

/** `"./src/index.ts"`, or the first of `types`/`import`/`require`/`default` of a conditional export. */
function exportTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return undefined;
  for (const key of ['types', 'import', 'require', 'default']) {
    const found = exportTarget(value[key]);
    if (found) return found;
  }
  return undefined;
}

function extendsOf(json: unknown): string[] {
  if (!isRecord(json)) return [];
  const ext = json.extends;
  if (typeof ext === 'string') return [ext];
  return Array.isArray(ext) ? ext.filter((e): e is string => typeof e === 'string') : [];
}

/** The repository file a tsconfig's `extends` names: a relative path, or a file in a workspace package. */
function resolveExtends(
  config: string,
  ext: string,
  paths: ReadonlySet<string>,
  workspaces: ReadonlyMap<string, WorkspacePackage>,
): string | undefined {
  let base: string | undefined;
  if (ext.startsWith('.')) base = joinPath(dirOf(config), ext);
  else {
    const parts = ext.split('/');
    const nameLength = ext.startsWith('@') ? 2 : 1;
    const pkg = workspaces.get(parts.slice(0, nameLength).join('/'));
    if (pkg) base = joinPath(pkg.dir, parts.slice(nameLength).join('/') || 'tsconfig.json');
  }
  if (base === undefined) return undefined;
  return [base, `${base}.json`, `${base}/tsconfig.json`].find((c) => paths.has(c));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The module resolver of a snapshot: its paths, with the tsconfig and package.json files read through `read`. */
export async function moduleResolverFor(
  paths: readonly string[],
  read: (path: string) => Promise<{ ok: true; file: { text: string } } | { ok: false }>,
): Promise<ModuleResolver> {
  return new ModuleResolver(paths, await loadJsProjectConfigFrom(paths, read));
}

/** `loadJsProjectConfig` over a snapshot-like reader (`{ ok, file }` results); unreadable files are skipped. */
export function loadJsProjectConfigFrom(
  paths: readonly string[],
  read: (path: string) => Promise<{ ok: true; file: { text: string } } | { ok: false }>,
): Promise<JsProjectConfig> {
  return loadJsProjectConfig(paths, async (p) => {
    const r = await read(p);
    return r.ok ? r.file.text : undefined;
  });
}
