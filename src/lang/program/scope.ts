/**
 * One scope rule per language: which declaration a name used at some node refers to.
 *
 * - JS/TS (`JsScopes`): block scope. Walking out from the use: the declarations of each enclosing block
 *   (`const`/`let`/`var`, destructuring, hoisted `function` and `class` declarations, wherever they
 *   stand in the block), the parameters of each enclosing function (destructured ones too), `for`/`for…of`
 *   bindings, `catch (e)`; at the end the file's imports. A module-level `const x = require('m')` is an
 *   import, not a variable.
 * - Python (`PyScopes`): function scope. The parameters and assignments of each enclosing function or
 *   lambda (assignments anywhere in its body's if/try/with blocks, not in nested defs), loop and
 *   comprehension variables, a class body only for code directly in it (methods do not see it),
 *   `global`/`nonlocal` skipping the function that declares them, then the module, then its imports.
 *
 * - Go (`GoScopes`): block scope. In a function's blocks only what is declared before the use
 *   (`var`, `const`, `:=`); at package level every `var`/`const` of the file; parameters, `for`/`range`
 *   variables, and `if`/`switch` initialisers (`if v, err := f(); …`).
 *
 * Declarations are syntax nodes of the tree given (they live as long as it does). Both classes cache by
 * node id: build one per parsed file.
 */
import type { TSNode, Tree } from '../source-file.js';
import { importsOf, unwrap, walk, type ImportBinding } from '../ts-helpers.js';

/** What a JS/TS name resolves to. */
export type JsDeclaration =
  | { kind: 'var'; name: string; declarator: TSNode; value: TSNode | null; block: TSNode; module: boolean }
  | { kind: 'function'; name: string; node: TSNode; module: boolean }
  | { kind: 'class'; name: string; node: TSNode; module: boolean }
  /** A function's parameter (`fn` the function) or a `catch` clause's (`fn` the clause). */
  | { kind: 'param'; name: string; fn: TSNode }
  | { kind: 'loop'; name: string; loop: TSNode }
  | { kind: 'import'; name: string; binding: ImportBinding };

/** What a Python name resolves to. */
export type PyDeclaration =
  | { kind: 'var'; name: string; value: TSNode | null; block: TSNode; module: boolean; classBody: boolean }
  | { kind: 'function'; name: string; node: TSNode; module: boolean }
  | { kind: 'class'; name: string; node: TSNode; module: boolean }
  | { kind: 'param'; name: string; fn: TSNode }
  | { kind: 'loop'; name: string }
  | { kind: 'import'; name: string; binding: ImportBinding };

export const JS_FUNCTION_TYPES: ReadonlySet<string> = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'generator_function_declaration',
  'generator_function',
  'arrow_function',
  'method_definition',
]);
const JS_BLOCK_TYPES = new Set(['program', 'statement_block', 'switch_body', 'class_body']);

/** JS/TS block scope over one file. `imports`: local name → the import binding it (value imports). */
export class JsScopes {
  /**
   * Per block: the first declaration of each name among its own statements, indexed in one pass (lookups
   * repeat a lot: every `.inc()` resolves its receiver; scanning once per name was quadratic in the
   * statements of a large module).
   */
  private readonly blocks = new Map<number, Map<string, JsDeclaration>>();
  private readonly params = new Map<number, readonly string[]>();

  constructor(private readonly imports: ReadonlyMap<string, ImportBinding>) {}

  /** The declaration `name` refers to where `at` stands; undefined for globals and unknown names. */
  resolve(name: string, at: TSNode): JsDeclaration | undefined {
    for (let n: TSNode | null = at; n; n = n.parent) {
      if (JS_BLOCK_TYPES.has(n.type)) {
        const found = this.declarationIn(n, name);
        if (found) return found;
      }
      if (JS_FUNCTION_TYPES.has(n.type)) {
        let params = this.params.get(n.id);
        if (!params) this.params.set(n.id, (params = jsParamNames(n)));
        if (params.includes(name)) return { kind: 'param', name, fn: n };
      }
      if (n.type === 'for_in_statement') {
        const left = n.childForFieldName('left');
        if (left && jsPatternNames(left).includes(name)) return { kind: 'loop', name, loop: n };
      }
      if (n.type === 'for_statement') {
        const init = n.childForFieldName('initializer');
        if (init && jsDeclarators(init).some((d) => jsPatternNames(d.childForFieldName('name')).includes(name)))
          return { kind: 'loop', name, loop: n };
      }
      if (n.type === 'catch_clause') {
        const p = n.childForFieldName('parameter');
        if (p && jsPatternNames(p).includes(name)) return { kind: 'param', name, fn: n };
      }
    }
    const binding = this.imports.get(name);
    return binding ? { kind: 'import', name, binding } : undefined;
  }

  /** The declaration of `name` among a block's own statements (not nested blocks), if any. */
  declarationIn(block: TSNode, name: string): JsDeclaration | undefined {
    let index = this.blocks.get(block.id);
    if (!index) this.blocks.set(block.id, (index = this.index(block)));
    return index.get(name);
  }

  private index(block: TSNode): Map<string, JsDeclaration> {
    const module = block.type === 'program';
    const index = new Map<string, JsDeclaration>();
    const bind = (name: string, decl: JsDeclaration) => {
      if (!index.has(name)) index.set(name, decl);
    };
    for (const raw of block.namedChildren) {
      const child = raw.type === 'export_statement' ? (raw.childForFieldName('declaration') ?? raw) : raw;
      if (child.type === 'lexical_declaration' || child.type === 'variable_declaration') {
        for (const d of jsDeclarators(child)) {
          const target = d.childForFieldName('name');
          const names = target?.type === 'identifier' ? [target.text] : target ? jsPatternNames(target) : [];
          const value = d.childForFieldName('value');
          for (const name of names) {
            // `const x = require('m')` (and destructured requires) are imports, not plain variables.
            const binding = this.imports.get(name);
            if (binding && module && isRequire(value)) bind(name, { kind: 'import', name, binding });
            // Destructured (`const { a } = obj`): the value is the whole object.
            else bind(name, { kind: 'var', name, declarator: d, value, block, module });
          }
        }
      } else if (child.type === 'function_declaration' || child.type === 'generator_function_declaration') {
        const name = child.childForFieldName('name')?.text;
        if (name !== undefined) bind(name, { kind: 'function', name, node: child, module });
      } else if (child.type === 'class_declaration' || child.type === 'abstract_class_declaration') {
        const name = child.childForFieldName('name')?.text;
        if (name !== undefined) bind(name, { kind: 'class', name, node: child, module });
      }
    }
    return index;
  }
}

/**
 * The `const`/`let`/`var` declarator (`x = …`, not a destructuring) that a JS/TS identifier refers to
 * under the block-scope rule, when it stands before the use; undefined otherwise (a parameter, an
 * import, a global, a declaration further down).
 */
export function jsDeclaratorOf(id: TSNode, scopes: JsScopes = new JsScopes(new Map())): TSNode | undefined {
  const d = scopes.resolve(id.text, id);
  if (d?.kind !== 'var' || d.declarator.startIndex >= id.startIndex) return undefined;
  return d.declarator.childForFieldName('name')?.type === 'identifier' ? d.declarator : undefined;
}

/** `require('m')`, `require('m').x`, `await import('m')`. */
export function isRequire(value: TSNode | null): boolean {
  let v = value ? unwrap(value) : undefined;
  if (v?.type === 'await_expression') v = v.namedChildren[0];
  if (v?.type === 'member_expression') v = v.childForFieldName('object') ?? undefined;
  if (v?.type !== 'call_expression') return false;
  const fn = v.childForFieldName('function');
  return (fn?.type === 'identifier' && fn.text === 'require') || fn?.type === 'import';
}

/** The declarators of a `const`/`let`/`var` declaration. */
export function jsDeclarators(decl: TSNode): TSNode[] {
  return decl.namedChildren.filter((c) => c.type === 'variable_declarator');
}

/** Identifiers bound by a parameter or destructuring pattern. */
export function jsPatternNames(pattern: TSNode | null): string[] {
  if (!pattern) return [];
  if (pattern.type === 'identifier' || pattern.type === 'shorthand_property_identifier_pattern') return [pattern.text];
  const out: string[] = [];
  walk(pattern, (n) => {
    if (n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern') {
      // In `{ a: b }` only `b` is bound; in `x = 1` only `x`.
      const parent = n.parent;
      if (parent?.type === 'pair_pattern' && parent.childForFieldName('key')?.id === n.id) return undefined;
      if (
        (parent?.type === 'assignment_pattern' || parent?.type === 'object_assignment_pattern') &&
        parent.childForFieldName('right')?.id === n.id
      )
        return undefined;
      out.push(n.text);
    }
    // Type annotations and default values bind nothing.
    if (n.type === 'type_annotation') return false;
    return undefined;
  });
  return out;
}

/** Parameter names of a function, in order (destructured parameters contribute their bound names). */
export function jsParamNames(fn: TSNode): string[] {
  const single = fn.childForFieldName('parameter');
  if (single) return [single.text];
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of params.namedChildren) {
    if (p.type === 'comment') continue;
    const pattern =
      p.type === 'required_parameter' || p.type === 'optional_parameter' ? p.childForFieldName('pattern') : p;
    if (!pattern) continue;
    if (pattern.type === 'identifier') out.push(pattern.text);
    else if (pattern.type === 'assignment_pattern') out.push(pattern.childForFieldName('left')?.text ?? '');
    else out.push(...jsPatternNames(pattern));
  }
  return out;
}

/** What a Go name resolves to. `pkg`: declared at package level. */
export type GoDeclaration =
  | { kind: 'var'; name: string; value: TSNode | null; pkg: boolean; block: TSNode }
  | { kind: 'param'; name: string; fn: TSNode; type: string }
  | { kind: 'loop'; name: string };

export const GO_FUNCTION_TYPES: ReadonlySet<string> = new Set([
  'function_declaration',
  'method_declaration',
  'func_literal',
]);

/** Go block scope over one file. */
export class GoScopes {
  /**
   * Package-level names of the file, to the statement declaring each first: built once per file, so a
   * lookup costs the same in a generated file with thousands of top-level declarations.
   */
  private packageNames: { root: TSNode; names: Map<string, TSNode> } | undefined;

  private packageStatement(root: TSNode, name: string): TSNode | undefined {
    if (!this.packageNames?.root.equals(root)) {
      const names = new Map<string, TSNode>();
      for (const stmt of root.namedChildren)
        for (const declared of goDeclaredNames(stmt)) if (!names.has(declared)) names.set(declared, stmt);
      this.packageNames = { root, names };
    }
    return this.packageNames.names.get(name);
  }

  /**
   * The statements of a block that declare each name, in order: built once per block, so resolving every
   * name of a long function costs a lookup per enclosing block, not a scan of its statements.
   */
  private blockNames: { tree: Tree; byBlock: Map<number, Map<string, TSNode[]>> } | undefined;

  private declaring(block: TSNode, name: string): readonly TSNode[] {
    if (this.blockNames?.tree !== block.tree) this.blockNames = { tree: block.tree, byBlock: new Map() };
    let names = this.blockNames.byBlock.get(block.id);
    if (!names) {
      names = new Map();
      for (const stmt of block.namedChildren)
        for (const declared of goDeclaredNames(stmt)) {
          const list = names.get(declared);
          if (!list) names.set(declared, [stmt]);
          else if (list[list.length - 1] !== stmt) list.push(stmt);
        }
      this.blockNames.byBlock.set(block.id, names);
    }
    return names.get(name) ?? [];
  }

  /** The declaration `name` refers to where `at` stands; undefined for imports, builtins and other files' names. */
  resolve(name: string, at: TSNode): GoDeclaration | undefined {
    for (let n: TSNode | null = at; n; n = n.parent) {
      if (n.type === 'block' || n.type === 'statement_list') {
        for (const stmt of this.declaring(n, name)) {
          if (stmt.startIndex > at.startIndex) break;
          const found = goDeclarationIn(stmt, name, n);
          if (found) return found;
        }
      }
      if (n.type === 'if_statement' || n.type === 'expression_switch_statement' || n.type === 'type_switch_statement') {
        const init = n.childForFieldName('initializer');
        const found = init && at.startIndex >= init.endIndex ? goDeclarationIn(init, name, n) : undefined;
        if (found) return found;
      }
      if (GO_FUNCTION_TYPES.has(n.type)) {
        for (const p of goParams(n)) if (p.name === name) return { kind: 'param', name, fn: n, type: p.type };
      }
      if (n.type === 'for_statement') {
        const clause = n.namedChildren.find((c) => c.type === 'range_clause' || c.type === 'for_clause');
        const left =
          clause?.type === 'range_clause' ? clause.childForFieldName('left') : clause?.childForFieldName('initializer');
        if (left && goIdentifiers(left).includes(name)) return { kind: 'loop', name };
      }
      if (n.type === 'source_file') {
        const stmt = this.packageStatement(n, name);
        const found = stmt && goDeclarationIn(stmt, name, n);
        if (found) return found;
      }
    }
    return undefined;
  }
}

/** The declaration of `name` by one statement of `block` (`var`/`const` groups, `:=`), if any. */
function goDeclarationIn(stmt: TSNode, name: string, block: TSNode): GoDeclaration | undefined {
  const pkg = block.type === 'source_file';
  if (stmt.type === 'var_declaration' || stmt.type === 'const_declaration') {
    const specs: TSNode[] = [];
    walk(stmt, (n) => {
      if (n.type === 'var_spec' || n.type === 'const_spec') specs.push(n);
      return n.type === 'var_spec' || n.type === 'const_spec' ? false : undefined;
    });
    for (const spec of specs) {
      const names = spec.childrenForFieldName('name');
      const at = names.findIndex((n) => n.text === name);
      if (at === -1) continue;
      const values = spec.childForFieldName('value')?.namedChildren ?? [];
      return { kind: 'var', name, value: values[at] ?? null, pkg, block };
    }
  }
  if (stmt.type === 'short_var_declaration') {
    const names = stmt.childForFieldName('left')?.namedChildren ?? [];
    const at = names.findIndex((n) => n.text === name);
    if (at !== -1)
      return {
        kind: 'var',
        name,
        value: stmt.childForFieldName('right')?.namedChildren[at] ?? null,
        pkg: false,
        block,
      };
  }
  return undefined;
}

/** The names one statement declares, as `goDeclarationIn` finds them (`var`/`const` groups, `:=`). */
function goDeclaredNames(stmt: TSNode): string[] {
  if (stmt.type === 'var_declaration' || stmt.type === 'const_declaration') {
    const out: string[] = [];
    walk(stmt, (n) => {
      if (n.type !== 'var_spec' && n.type !== 'const_spec') return undefined;
      for (const id of n.childrenForFieldName('name')) out.push(id.text);
      return false;
    });
    return out;
  }
  if (stmt.type === 'short_var_declaration')
    return (stmt.childForFieldName('left')?.namedChildren ?? []).map((n) => n.text);
  return [];
}

/** Every identifier under a node. */
export function goIdentifiers(node: TSNode): string[] {
  const out: string[] = [];
  walk(node, (n) => {
    if (n.type === 'identifier') out.push(n.text);
  });
  return out;
}

/** Parameters of a Go function/method/literal: name and type text (`r`, `*http.Request`). */
export function goParams(fn: TSNode): Array<{ name: string; type: string }> {
  const list = fn.childForFieldName('parameters');
  if (!list) return [];
  const out: Array<{ name: string; type: string }> = [];
  for (const p of list.namedChildren) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    const type = p.childForFieldName('type')?.text ?? '';
    const names = p.childrenForFieldName('name');
    if (names.length === 0) out.push({ name: '', type });
    for (const n of names) out.push({ name: n.text, type });
  }
  return out;
}

const PY_COMPREHENSIONS = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);
const PY_NESTED_BLOCKS = new Set([
  'if_statement',
  'try_statement',
  'with_statement',
  'else_clause',
  'elif_clause',
  'except_clause',
  'finally_clause',
  'block',
]);

/** Python function scope over one file. `imports`: local name → the import binding it. */
export class PyScopes {
  /** Per block (and whether it is a class body): the first binding of each name, indexed in one pass. */
  private readonly blocks = new Map<string, Map<string, PyDeclaration>>();
  private readonly params = new Map<number, readonly string[]>();
  /** Per function body: the names it declares `global` or `nonlocal`. */
  private readonly outer = new Map<number, ReadonlySet<string>>();

  constructor(private readonly imports: ReadonlyMap<string, ImportBinding>) {}

  /** The declaration `name` refers to where `at` stands; undefined for builtins and unknown names. */
  resolve(name: string, at: TSNode): PyDeclaration | undefined {
    let inFunction = false;
    for (let n: TSNode | null = at; n; n = n.parent) {
      if (n.type === 'function_definition' || n.type === 'lambda') {
        if (this.paramNames(n).includes(name)) return { kind: 'param', name, fn: n };
        const body = n.childForFieldName('body');
        inFunction = true;
        // `global x` / `nonlocal x`: assignments here bind the outer name.
        if (body && !this.outerNames(body).has(name)) {
          const found = this.declarationIn(body, name, false, false);
          if (found) return found;
        }
        continue;
      }
      if (n.type === 'class_definition' && !inFunction) {
        const body = n.childForFieldName('body');
        const found = body ? this.declarationIn(body, name, false, true) : undefined;
        if (found) return found;
      }
      if (n.type === 'for_statement' || n.type === 'for_in_clause') {
        const left = n.childForFieldName('left');
        if (left && pyIdentifiers(left).includes(name)) return { kind: 'loop', name };
      }
      if (PY_COMPREHENSIONS.has(n.type)) {
        for (const clause of n.namedChildren) {
          if (clause.type !== 'for_in_clause') continue;
          const left = clause.childForFieldName('left');
          if (left && pyIdentifiers(left).includes(name)) return { kind: 'loop', name };
        }
      }
      if (n.type === 'module') {
        const found = this.declarationIn(n, name, true, false);
        if (found) return found;
      }
    }
    const binding = this.imports.get(name);
    return binding ? { kind: 'import', name, binding } : undefined;
  }

  private paramNames(fn: TSNode): readonly string[] {
    let names = this.params.get(fn.id);
    if (!names) this.params.set(fn.id, (names = pyParamNames(fn)));
    return names;
  }

  private outerNames(body: TSNode): ReadonlySet<string> {
    let names = this.outer.get(body.id);
    if (!names) this.outer.set(body.id, (names = outerNames(body)));
    return names;
  }

  /**
   * The first binding of `name` among the statements of `block` (recursing into if/try/with blocks, not
   * into defs): an assignment, a def or a class. `module`/`classBody` say what kind of block it is.
   */
  declarationIn(block: TSNode, name: string, module: boolean, classBody: boolean): PyDeclaration | undefined {
    // One pass per block, not one per name looked up in it: a module with many names was rescanned for
    // each (quadratic in the statements of large modules).
    const key = `${block.id}\u0000${classBody ? 1 : 0}`;
    let index = this.blocks.get(key);
    if (!index) this.blocks.set(key, (index = indexPyBlock(block, module, classBody)));
    return index.get(name);
  }
}

/**
 * The first binding of each name among the statements of `block`, in statement order (recursing into
 * if/try/with blocks, not into defs): an assignment, a def or a class.
 */
function indexPyBlock(block: TSNode, module: boolean, classBody: boolean): Map<string, PyDeclaration> {
  const index = new Map<string, PyDeclaration>();
  const bind = (name: string, decl: PyDeclaration) => {
    if (!index.has(name)) index.set(name, decl);
  };
  const visit = (b: TSNode) => {
    for (const stmt of b.namedChildren) {
      if (stmt.type === 'expression_statement') {
        const a = stmt.namedChildren[0];
        if (a?.type === 'assignment') {
          const left = a.childForFieldName('left');
          const names =
            left?.type === 'identifier'
              ? [left.text]
              : left && (left.type === 'pattern_list' || left.type === 'tuple_pattern')
                ? pyIdentifiers(left)
                : [];
          if (names.length > 0) {
            const value = a.childForFieldName('right');
            for (const name of names) bind(name, { kind: 'var', name, value, block, module, classBody });
          }
        }
      } else if (stmt.type === 'function_definition' || stmt.type === 'decorated_definition') {
        const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        const name = def?.childForFieldName('name')?.text;
        if (def && name !== undefined)
          bind(
            name,
            def.type === 'class_definition'
              ? { kind: 'class', name, node: def, module }
              : { kind: 'function', name, node: def, module },
          );
      } else if (stmt.type === 'class_definition') {
        const name = stmt.childForFieldName('name')?.text;
        if (name !== undefined) bind(name, { kind: 'class', name, node: stmt, module });
      } else if (PY_NESTED_BLOCKS.has(stmt.type)) {
        visit(stmt);
      }
    }
  };
  visit(block);
  return index;
}

/** The names a function body declares global or nonlocal (in its own statements, not nested defs). */
function outerNames(body: TSNode): ReadonlySet<string> {
  const names = new Set<string>();
  // Cheap test first: most bodies have neither keyword.
  if (!/\b(global|nonlocal)\b/.test(body.text)) return names;
  walk(body, (n) => {
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') return false;
    if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
      for (const c of n.namedChildren) if (c.type === 'identifier') names.add(c.text);
      return false;
    }
    return undefined;
  });
  return names;
}

/** Every identifier in a target (`a`, `a, b`, `(a, [b, c])`). */
export function pyIdentifiers(node: TSNode): string[] {
  if (node.type === 'identifier') return [node.text];
  const out: string[] = [];
  walk(node, (n) => {
    if (n.type === 'identifier') out.push(n.text);
  });
  return out;
}

/** Parameter names of a Python function or lambda. */
export function pyParamNames(fn: TSNode): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of params.namedChildren) {
    if (p.type === 'identifier') out.push(p.text);
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const n = p.childForFieldName('name');
      if (n) out.push(n.text);
    } else if (
      p.type === 'typed_parameter' ||
      p.type === 'list_splat_pattern' ||
      p.type === 'dictionary_splat_pattern'
    ) {
      const n = p.namedChildren.find((c) => c.type === 'identifier');
      if (n) out.push(n.text);
    }
  }
  return out;
}

/** Local name → the import binding it, for the scope rules (type-only imports bind nothing; the last wins). */
export function localImports(root: TSNode): Map<string, ImportBinding> {
  const out = new Map<string, ImportBinding>();
  for (const bindings of importsOf(root).values()) for (const b of bindings) if (!b.typeOnly) out.set(b.local, b);
  return out;
}
