/**
 * Module resolution over a snapshot's path list (no file reads): which repository file a relative JS/TS
 * specifier, a Python dotted module or a Go import path denotes. The gates use it to follow imports
 * across files (metric objects and registries, health handlers and helpers). Unresolvable specifiers
 * (packages) give undefined.
 */

const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** The directory part of a repository path ('' at the root). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

function normalize(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The questions an extractor may ask a resolver (a recording wrapper can stand in for one). */
export type ModuleLookup = Pick<ModuleResolver, 'has' | 'js' | 'python' | 'goDir'>;

/** Resolves module specifiers of one snapshot. Build once per index. */
export class ModuleResolver {
  private readonly paths: ReadonlySet<string>;
  private pythonModules: Map<string, string[]> | undefined;
  private goDirs: string[] | undefined;

  constructor(paths: readonly string[]) {
    this.paths = new Set(paths);
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  /** `./metrics.js` from `src/orders.ts` → `src/metrics.ts`. Only relative specifiers resolve. */
  js(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith('.')) return undefined;
    const joined = normalize(`${dirOf(from)}/${specifier}`);
    if (joined === undefined) return undefined;
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
    const table = (this.pythonModules ??= this.buildPythonTable());
    const found = table.get(module);
    if (!found || found.length === 0) return undefined;
    // Several files can claim a dotted name (src layouts, copies): prefer the one nearest the importer.
    return [...found].sort((a, b) => commonPrefixLength(b, from) - commonPrefixLength(a, from) || (a < b ? -1 : 1))[0];
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

  private buildPythonTable(): Map<string, string[]> {
    const table = new Map<string, string[]>();
    for (const p of this.paths) {
      if (!p.endsWith('.py')) continue;
      let stem = p.slice(0, -3);
      if (stem.endsWith('/__init__')) stem = stem.slice(0, -'/__init__'.length);
      const parts = stem.split('/');
      for (let i = 0; i < parts.length; i++) {
        const key = parts.slice(i).join('.');
        if (!key) continue; // a root __init__.py names no module
        const list = table.get(key) ?? [];
        list.push(p);
        table.set(key, list);
      }
    }
    return table;
  }

  private buildGoDirs(): string[] {
    const dirs = new Set<string>();
    for (const p of this.paths) if (p.endsWith('.go')) dirs.add(dirOf(p));
    return [...dirs];
  }
}
