/**
 * The code side of the health index: files loaded on demand, each with its imports and top-level
 * declarations, and name resolution across relative imports. Syntax nodes live here only while the
 * index is being built; the index itself keeps plain data.
 */
import type { MemoKey, SourceFile, TSNode } from '../../../lang/source-file.js';
import { importsOf, type ImportBinding } from '../../../lang/ts-helpers.js';
import type { ModuleResolver } from '../../../lang/program/modules.js';

export type Lang = 'js' | 'py';

/** One parsed source file and its module-level names. */
export interface FileInfo {
  file: SourceFile;
  path: string;
  lang: Lang;
  root: TSNode;
  /** Local name → the import that binds it. */
  bindings: Map<string, ImportBinding>;
  /** Module specifiers imported (for framework detection). */
  modules: Set<string>;
  /**
   * Module-level declarations: functions and classes (the declaration node), variables (the declarator,
   * whose `value` is the initializer; Python: the assignment).
   */
  decls: Map<string, TSNode>;
  /** Exported name → local name (`default` included); JS only. */
  exports: Map<string, string>;
  /** `export default <expression>` / `module.exports = <expression>`. */
  defaultExpr?: TSNode;
}

/** What a name stands for after following imports. */
export interface Resolved {
  info: FileInfo;
  /** The declaration (function, class, declarator, assignment) or the expression of a default export. */
  node: TSNode;
  name: string;
}

/** An import of a package (not a repository file). */
export interface External {
  module: string;
  imported: string;
}

const JS_LANGS = new Set(['typescript', 'tsx', 'javascript']);

/**
 * A file's module-level names depend on its syntax tree alone, so the base and head indexes share them
 * for the files the pull request did not touch (one file object on both sides). Memoised on the file and
 * dropped with its tree, so a later parse never sees freed nodes.
 */
const FILE_INFO: MemoKey<FileInfo> = { name: 'health file info' };

/**
 * What one extraction depended on besides its own file: the files it looked into, the module resolutions
 * it asked for and the errors it reported. The index hands the first two to the facts stage, which records
 * the files' identities and checks both again before the facts are reused on another snapshot.
 */
export interface Dependencies {
  consulted: Array<{ path: string }>;
  lookups: Array<{ method: 'js' | 'python'; from: string; spec: string; answer: string | undefined }>;
  errors: Array<{ path: string; message: string }>;
}

/** Module resolution as the extractors see it; answers are recorded while a file is being extracted. */
class RecordingResolver {
  session: Dependencies | undefined;
  constructor(private readonly inner: ModuleResolver) {}
  /** The package.json files the resolver read (not a question about paths: nothing to record). */
  get packageJsons(): ReadonlyMap<string, string> {
    return this.inner.packageJsons;
  }
  js(from: string, spec: string): string | undefined {
    const answer = this.inner.js(from, spec);
    this.session?.lookups.push({ method: 'js', from, spec, answer });
    return answer;
  }
  python(from: string, spec: string): string | undefined {
    const answer = this.inner.python(from, spec);
    this.session?.lookups.push({ method: 'python', from, spec, answer });
    return answer;
  }
}

/** Loads and indexes files; resolves names through relative imports. */
export class CodeBase {
  private readonly infos = new Map<string, FileInfo | null>();
  readonly resolver: RecordingResolver;
  private sessionPath: string | undefined;

  constructor(
    /** The snapshot's module resolver (`IndexContext.modules`: tsconfig aliases and workspace packages). */
    private readonly plainResolver: ModuleResolver,
    private readonly read: (path: string) => Promise<SourceFile | undefined>,
    private readonly reportError: (path: string, message: string) => void,
  ) {
    this.resolver = new RecordingResolver(this.plainResolver);
  }

  /** An error during an extraction is part of its record (its index reports it); otherwise reported now. */
  private onError(path: string, message: string): void {
    if (this.resolver.session) this.resolver.session.errors.push({ path, message });
    else this.reportError(path, message);
  }

  /** Runs one file's extraction and returns what it depended on. */
  async record(path: string, run: () => Promise<void>): Promise<Dependencies> {
    const deps: Dependencies = { consulted: [], lookups: [], errors: [] };
    this.resolver.session = deps;
    this.sessionPath = path;
    try {
      await run();
    } finally {
      this.resolver.session = undefined;
      this.sessionPath = undefined;
    }
    return deps;
  }

  /** Frees a file's syntax tree; its info is built again (a new parse) if asked for later. */
  release(path: string): void {
    const info = this.infos.get(path);
    this.infos.delete(path);
    if (info) info.file.dispose();
  }

  /** Frees every tree loaded so far. */
  releaseAll(): void {
    for (const path of [...this.infos.keys()]) this.release(path);
  }

  /** A file's info, parsing it on first use; undefined for non-source or unreadable files. */
  async info(path: string): Promise<FileInfo | undefined> {
    const session = this.resolver.session;
    if (session && path !== this.sessionPath && !session.consulted.some((c) => c.path === path)) {
      session.consulted.push({ path });
    }
    const cached = this.infos.get(path);
    if (cached !== undefined) return cached ?? undefined;
    this.infos.set(path, null);
    const file = await this.read(path);
    if (!file) return undefined;
    const lang: Lang | undefined = JS_LANGS.has(file.language) ? 'js' : file.language === 'python' ? 'py' : undefined;
    if (!lang) return undefined;
    try {
      const tree = file.tree();
      if (!tree) return undefined;
      const info = file.memo(FILE_INFO, () => buildInfo(file, lang, tree.rootNode));
      this.infos.set(path, info);
      return info;
    } catch (err) {
      this.onError(path, `the health gate could not analyse this file: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Infos loaded so far (no IO). */
  loaded(path: string): FileInfo | undefined {
    return this.infos.get(path) ?? undefined;
  }

  /** The repository file an import of `info` points at. */
  target(info: FileInfo, module: string): string | undefined {
    return info.lang === 'js' ? this.resolver.js(info.path, module) : this.resolver.python(info.path, module);
  }

  /**
   * Follows `name` in `info`: a local declaration, or an import of a repository file (recursively, a few
   * hops). An import of a package gives `{ external }`.
   */
  async resolve(info: FileInfo, name: string, depth = 0): Promise<Resolved | { external: External } | undefined> {
    const local = info.decls.get(name);
    if (local) return { info, node: local, name };
    const binding = info.bindings.get(name);
    if (!binding || depth > 4) return undefined;
    // Python `from . import views` imports a submodule, not a name of the package.
    if (info.lang === 'py' && binding.imported !== '*') {
      const sub = this.target(info, pyJoin(binding.module, binding.imported));
      const subInfo = sub ? await this.info(sub) : undefined;
      if (subInfo) return { info: subInfo, node: subInfo.root, name: '*' };
    }
    const path = this.target(info, binding.module);
    if (!path) return { external: { module: binding.module, imported: binding.imported } };
    const target = await this.info(path);
    if (!target) return undefined;
    if (binding.imported === '*') return { info: target, node: target.root, name: '*' };
    return this.resolveExport(target, binding.imported, depth + 1);
  }

  /** An exported name of a module (JS `export`, Python module-level names). */
  async resolveExport(
    info: FileInfo,
    exported: string,
    depth = 0,
  ): Promise<Resolved | { external: External } | undefined> {
    if (info.lang === 'py') return this.resolve(info, exported, depth);
    if (exported === 'default') {
      const local = info.exports.get('default');
      if (local && local !== 'default') return this.resolve(info, local, depth);
      if (info.defaultExpr) return { info, node: info.defaultExpr, name: 'default' };
      return undefined;
    }
    const local = info.exports.get(exported) ?? (info.decls.has(exported) ? exported : undefined);
    if (local) return this.resolve(info, local, depth);
    // `export * from './x'` and `export { a } from './x'` are resolved through the bindings table.
    const binding = info.bindings.get(exported);
    if (binding) return this.resolve(info, exported, depth);
    return undefined;
  }
}

/** `from pkg import mod` → `pkg.mod`; `from . import views` → `.views`. */
export function pyJoin(module: string, name: string): string {
  return /^\.+$/.test(module) ? `${module}${name}` : `${module}.${name}`;
}

/** The initializer of a declarator / the right side of a Python assignment; undefined for functions and classes. */
export function valueOf(decl: TSNode): TSNode | undefined {
  if (decl.type === 'variable_declarator') return decl.childForFieldName('value') ?? undefined;
  if (decl.type === 'assignment' || decl.type === 'assignment_expression')
    return decl.childForFieldName('right') ?? undefined;
  return undefined;
}

/** The function node a declaration stands for (function declarations, `const f = () => …`, Python `def`). */
export function functionOf(decl: TSNode): TSNode | undefined {
  if (FUNCTION_NODES.has(decl.type)) return decl;
  if (decl.type === 'decorated_definition') {
    const def = decl.childForFieldName('definition');
    return def && FUNCTION_NODES.has(def.type) ? def : undefined;
  }
  const v = valueOf(decl);
  if (v && FUNCTION_NODES.has(v.type)) return v;
  return undefined;
}

export const FUNCTION_NODES = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'function_definition',
  'lambda',
]);

function buildInfo(file: SourceFile, lang: Lang, root: TSNode): FileInfo {
  const imports = importsOf(root);
  const bindings = new Map<string, ImportBinding>();
  for (const list of imports.values()) for (const b of list) if (!b.typeOnly) bindings.set(b.local, b);
  // Type-only imports still tell us a parameter's type (`db: TypeOrmHealthIndicator`).
  for (const list of imports.values()) for (const b of list) if (!bindings.has(b.local)) bindings.set(b.local, b);
  const info: FileInfo = {
    file,
    path: file.path,
    lang,
    root,
    bindings,
    modules: new Set(imports.keys()),
    decls: new Map(),
    exports: new Map(),
  };
  if (lang === 'js') indexJs(info);
  else indexPython(info);
  return info;
}

function indexJs(info: FileInfo): void {
  const declare = (node: TSNode, exported: boolean, isDefault: boolean) => {
    switch (node.type) {
      case 'function_declaration':
      case 'generator_function_declaration':
      case 'class_declaration':
      case 'abstract_class_declaration': {
        const name = node.childForFieldName('name')?.text;
        if (name) {
          info.decls.set(name, node);
          if (exported) info.exports.set(isDefault ? 'default' : name, name);
        } else if (isDefault) info.defaultExpr = node;
        break;
      }
      case 'lexical_declaration':
      case 'variable_declaration':
        for (const d of node.namedChildren) {
          if (d?.type !== 'variable_declarator') continue;
          const nameNode = d.childForFieldName('name');
          if (nameNode?.type === 'identifier') {
            info.decls.set(nameNode.text, d);
            if (exported) info.exports.set(nameNode.text, nameNode.text);
          }
        }
        break;
      default:
        break;
    }
  };
  for (const stmt of info.root.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'export_statement') {
      const isDefault = stmt.children.some((c) => c?.type === 'default');
      const decl = stmt.childForFieldName('declaration');
      if (decl) {
        declare(decl, true, isDefault);
        continue;
      }
      const value = stmt.childForFieldName('value');
      if (value && isDefault) {
        if (value.type === 'identifier') info.exports.set('default', value.text);
        else info.defaultExpr = value;
        continue;
      }
      const clause = stmt.namedChildren.find((c) => c?.type === 'export_clause');
      const source = stmt.childForFieldName('source');
      for (const spec of clause?.namedChildren ?? []) {
        if (spec?.type !== 'export_specifier') continue;
        const name = spec.childForFieldName('name')?.text;
        const alias = spec.childForFieldName('alias')?.text;
        // A re-export (`export { a as b } from './x'`) is bound under its exported name below.
        if (name) info.exports.set(alias ?? name, source ? (alias ?? name) : name);
      }
      // `export { a } from './x'`: bind the re-exported names so resolution follows them.
      if (source && clause) {
        const module = source.text.slice(1, -1);
        for (const spec of clause.namedChildren) {
          if (spec?.type !== 'export_specifier') continue;
          const name = spec.childForFieldName('name')?.text;
          const alias = spec.childForFieldName('alias')?.text;
          if (name)
            info.bindings.set(alias ?? name, {
              module,
              imported: name,
              local: alias ?? name,
              line: stmt.startPosition.row + 1,
              typeOnly: false,
            });
        }
      }
      continue;
    }
    if (stmt.type === 'expression_statement') {
      // CommonJS: `module.exports = x`, `module.exports.f = …`, `exports.f = …`.
      const expr = stmt.namedChildren[0];
      if (expr?.type === 'assignment_expression') {
        const left = expr.childForFieldName('left')?.text ?? '';
        const right = expr.childForFieldName('right');
        if (!right) continue;
        if (left === 'module.exports') {
          if (right.type === 'identifier') info.exports.set('default', right.text);
          else if (right.type === 'object') {
            for (const p of right.namedChildren) {
              if (p?.type === 'shorthand_property_identifier') info.exports.set(p.text, p.text);
              else if (p?.type === 'pair' && p.childForFieldName('value')?.type === 'identifier') {
                info.exports.set(p.childForFieldName('key')?.text ?? '', p.childForFieldName('value')!.text);
              }
            }
            info.defaultExpr = right;
          } else info.defaultExpr = right;
        } else {
          const m = /^(?:module\.)?exports\.(\w+)$/.exec(left);
          if (m) {
            if (right.type === 'identifier') info.exports.set(m[1]!, right.text);
            else info.decls.set(m[1]!, expr);
          }
        }
      }
      continue;
    }
    declare(stmt, false, false);
  }
}

function indexPython(info: FileInfo): void {
  for (const stmt of info.root.namedChildren) {
    if (!stmt) continue;
    let node: TSNode = stmt;
    if (node.type === 'decorated_definition') {
      const def = node.childForFieldName('definition');
      const name = def?.childForFieldName('name')?.text;
      if (def && name) info.decls.set(name, def);
      continue;
    }
    if (node.type === 'function_definition' || node.type === 'class_definition') {
      const name = node.childForFieldName('name')?.text;
      if (name) info.decls.set(name, node);
      continue;
    }
    if (node.type === 'expression_statement') {
      const inner = node.namedChildren[0];
      if (!inner) continue;
      node = inner;
      if (node.type === 'assignment') {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') info.decls.set(left.text, node);
      }
    }
  }
}
