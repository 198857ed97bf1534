/**
 * Finds the repository file behind an import: relative JS/TS specifiers (NodeNext `./x.js` → `x.ts`,
 * directory `index` files) and Python modules (relative, or absolute by the longest dotted suffix of a
 * repository path, preferring the file nearest the importer). Packages give undefined.
 */

const JS_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

function normalise(path: string): string | undefined {
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

/** Resolves imports against one snapshot's path list. */
export class Resolver {
  private readonly paths: ReadonlySet<string>;
  private pyIndex: Map<string, string[]> | undefined;

  constructor(paths: readonly string[]) {
    this.paths = new Set(paths);
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  /** A relative JS/TS specifier from `from`; undefined for packages and misses. */
  js(from: string, spec: string): string | undefined {
    if (!spec.startsWith('.')) return undefined;
    const joined = normalise(`${dirOf(from)}/${spec}`);
    if (joined === undefined) return undefined;
    const tries = [joined];
    const m = /\.(mjs|cjs|js|jsx)$/.exec(joined);
    if (m) {
      const stem = joined.slice(0, -m[0].length);
      tries.push(stem + (m[1] === 'mjs' ? '.mts' : m[1] === 'cjs' ? '.cts' : '.ts'), `${stem}.tsx`);
    }
    for (const e of JS_EXTS) tries.push(joined + e);
    for (const e of JS_EXTS) tries.push(`${joined}/index${e}`);
    return tries.find((t) => this.paths.has(t));
  }

  /** A Python module (`.views`, `..db`, `app.health`) imported from `from`. */
  python(from: string, module: string): string | undefined {
    if (module.startsWith('.')) {
      const dots = /^\.+/.exec(module)![0].length;
      let dir = dirOf(from);
      for (let i = 1; i < dots; i++) dir = dirOf(dir);
      const rest = module.slice(dots).replace(/\./g, '/');
      const base = rest ? (dir ? `${dir}/${rest}` : rest) : dir;
      return [`${base}.py`, `${base}/__init__.py`].find((c) => this.paths.has(c));
    }
    const index = (this.pyIndex ??= this.buildPyIndex());
    const hits = index.get(module);
    if (!hits?.length) return undefined;
    const score = (p: string) => {
      let i = 0;
      while (i < p.length && i < from.length && p[i] === from[i]) i++;
      return i;
    };
    return [...hits].sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1))[0];
  }

  private buildPyIndex(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const p of this.paths) {
      if (!p.endsWith('.py')) continue;
      const parts = p.slice(0, -3).split('/');
      if (parts[parts.length - 1] === '__init__') parts.pop();
      // Every dotted suffix names the module under some source root (`src/app/db.py` → `app.db`, `db`).
      for (let i = 0; i < parts.length; i++) {
        const name = parts.slice(i).join('.');
        if (!name) continue;
        const list = out.get(name) ?? [];
        list.push(p);
        out.set(name, list);
      }
    }
    return out;
  }
}
