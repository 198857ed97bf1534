/**
 * Small helpers over tree-sitter trees that the gates share: walking, positions, literal values, call
 * shapes, scopes and imports. They work on TypeScript/TSX/JavaScript and Python trees, and on Go where
 * the shape is the same; each decides by node type, so no language argument is needed.
 *
 * Nothing here recurses in JS over the tree's depth: generated or minified code nests thousands deep.
 */
import type { Node as TSNode, Tree } from 'web-tree-sitter';

/** Return `false` from a visitor to skip the node's children. */
export type Visitor = (node: TSNode) => void | boolean;

/**
 * Visits `node` and its descendants in document order (pre-order), iteratively. Only named nodes are
 * visited unless `anonymous` is set (then `(`, `new`, `=`… are visited too).
 */
export function walk(node: TSNode, visit: Visitor, opts: { anonymous?: boolean } = {}): void {
  const cursor = node.walk();
  try {
    for (;;) {
      const enter = opts.anonymous === true || cursor.nodeIsNamed ? visit(cursor.currentNode) !== false : true;
      if (enter && cursor.gotoFirstChild()) continue;
      // Find the next node: a sibling of this node or of its nearest ancestor below the start node.
      for (;;) {
        if (cursor.currentDepth === 0) return;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Descendants of `node` (not `node` itself) whose type is one of `types`, in document order. */
export function descendantsOfType(node: TSNode, types: string | readonly string[]): TSNode[] {
  const list = typeof types === 'string' ? [types] : [...types];
  const out: TSNode[] = [];
  // The native search (a cursor inside WASM) includes the start node when it matches; drop it.
  for (const found of node.descendantsOfType(list)) {
    if (found && found.id !== node.id) out.push(found);
  }
  return out;
}

/** 1-based line where the node starts. */
export function lineOf(node: TSNode): number {
  return node.startPosition.row + 1;
}

/** 1-based line of the node's last character (a node ending just after a newline ends on the line before). */
export function endLineOf(node: TSNode): number {
  const { row, column } = node.endPosition;
  return column === 0 && row > node.startPosition.row ? row : row + 1;
}

/** The node's source text. */
export function nodeText(node: TSNode): string {
  return node.text;
}

/** Wrappers that leave an expression's value as it is: parentheses and TypeScript's type-only forms. */
const TRANSPARENT = new Set([
  'parenthesized_expression',
  'non_null_expression',
  'as_expression',
  'satisfies_expression',
  'type_assertion',
]);
const AWAIT = new Set(['await_expression', 'await']);

function unwrapThrough(node: TSNode, through: (type: string) => boolean): TSNode {
  let n = node;
  while (through(n.type)) {
    // `<T>x` puts the type first; every other wrapper its operand.
    const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment' && c.type !== 'type_arguments');
    if (!inner) break;
    n = inner;
  }
  return n;
}

/**
 * `(x)`, `x!`, `x as T`, `x satisfies T`, `<T>x` → `x`, repeatedly (any language's parentheses); other
 * nodes unchanged. These wrappers never change the value, so a name or literal read through them is the
 * same name or literal.
 */
export function unwrap(node: TSNode): TSNode {
  return unwrapThrough(node, (t) => TRANSPARENT.has(t));
}

/**
 * `unwrap`, and through `await x` too (JS/TS and Python): the value once settled. For callers that
 * look at what an expression produces (`await pool.query()` is the query call), not at its exact value.
 */
export function unwrapAwait(node: TSNode): TSNode {
  return unwrapThrough(node, (t) => TRANSPARENT.has(t) || AWAIT.has(t));
}

// ---------------------------------------------------------------------------------------------------------
// String literals
// ---------------------------------------------------------------------------------------------------------

function fromCodePoint(hex: string, raw: string): string {
  const cp = Number.parseInt(hex, 16);
  return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : raw;
}

const JS_SIMPLE: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };

/** Cooks the body of a JS/TS string or template chunk (the part between the quotes). */
function cookJs(body: string): string {
  return body.replace(
    /\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-7]{1,3})|(\r\n|[\n\r\u2028\u2029])|([\s\S]))/g,
    (raw, cp?: string, u4?: string, x2?: string, oct?: string, newline?: string, ch?: string) => {
      if (cp !== undefined) return fromCodePoint(cp, raw);
      if (u4 !== undefined) return String.fromCharCode(Number.parseInt(u4, 16));
      if (x2 !== undefined) return String.fromCharCode(Number.parseInt(x2, 16));
      if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8));
      if (newline !== undefined) return ''; // line continuation
      return JS_SIMPLE[ch!] ?? ch!;
    },
  );
}

const PY_SIMPLE: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Cooks a non-raw Python string body. Unknown escapes keep their backslash, as Python does; `\N{…}` stays as written. */
function cookPython(body: string): string {
  return body.replace(
    /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{1,3})|(\r\n|\n)|([\s\S]))/g,
    (raw, x2?: string, u4?: string, u8?: string, oct?: string, newline?: string, ch?: string) => {
      if (x2 !== undefined) return String.fromCharCode(Number.parseInt(x2, 16));
      if (u4 !== undefined) return String.fromCharCode(Number.parseInt(u4, 16));
      if (u8 !== undefined) return fromCodePoint(u8, raw);
      if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8));
      if (newline !== undefined) return '';
      return PY_SIMPLE[ch!] ?? raw;
    },
  );
}

const GO_SIMPLE: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Cooks a Go interpreted string body. (`\xNN` is a byte in Go; here it becomes the code point NN.) */
function cookGo(body: string): string {
  return body.replace(
    /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|([\s\S]))/g,
    (raw, x2?: string, u4?: string, u8?: string, oct?: string, ch?: string) => {
      if (x2 !== undefined) return String.fromCharCode(Number.parseInt(x2, 16));
      if (u4 !== undefined) return String.fromCharCode(Number.parseInt(u4, 16));
      if (u8 !== undefined) return fromCodePoint(u8, raw);
      if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8));
      return GO_SIMPLE[ch!] ?? raw;
    },
  );
}

/** Static parts and interpolated expressions of a template; `strings.length === expressions.length + 1`. */
export interface TemplateParts {
  strings: string[];
  expressions: TSNode[];
}

/** A Python string node's prefix letters (lower-cased) and its body bounds inside `node.text`. */
function pythonStringShape(node: TSNode): { prefix: string; bodyStart: number; bodyEnd: number } | undefined {
  const start = node.namedChildren.find((c) => c?.type === 'string_start');
  const end = node.namedChildren.findLast((c) => c?.type === 'string_end');
  if (!start || !end) return undefined;
  const prefix = start.text.replace(/['"]/g, '').toLowerCase();
  return { prefix, bodyStart: start.endIndex, bodyEnd: end.startIndex };
}

function pythonTemplateParts(node: TSNode): TemplateParts | undefined {
  const shape = pythonStringShape(node);
  if (!shape || shape.prefix.includes('b')) return undefined;
  const raw = shape.prefix.includes('r');
  const fstring = shape.prefix.includes('f') || shape.prefix.includes('t');
  const cook = (chunk: string): string => {
    // In f-strings `{{`/`}}` stand for literal braces; collapse them before escapes are read.
    const braces = fstring ? chunk.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : chunk;
    return raw ? braces : cookPython(braces);
  };
  const strings: string[] = [];
  const expressions: TSNode[] = [];
  const source = node.text;
  const base = node.startIndex;
  let at = shape.bodyStart;
  for (const child of node.namedChildren) {
    if (child?.type !== 'interpolation') continue;
    strings.push(cook(source.slice(at - base, child.startIndex - base)));
    const expr = child.childForFieldName('expression') ?? child.namedChildren.find((c) => c !== null) ?? child;
    expressions.push(expr);
    at = child.endIndex;
  }
  strings.push(cook(source.slice(at - base, shape.bodyEnd - base)));
  return { strings, expressions };
}

function jsTemplateParts(node: TSNode): TemplateParts {
  const strings: string[] = [];
  const expressions: TSNode[] = [];
  const source = node.text;
  const base = node.startIndex;
  let at = node.startIndex + 1; // after the opening backtick
  for (const child of node.namedChildren) {
    if (child?.type !== 'template_substitution') continue;
    strings.push(cookJs(source.slice(at - base, child.startIndex - base)));
    expressions.push(child.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? child);
    at = child.endIndex;
  }
  strings.push(cookJs(source.slice(at - base, node.endIndex - 1 - base)));
  return { strings, expressions };
}

/**
 * The parts of a template literal (`a${b}c`) or Python f-string (`f"a{b}c"`): its cooked static text and
 * the interpolated expression nodes. A plain string literal gives one part and no expressions; adjacent
 * Python strings are merged. Anything else (including bytes literals) gives undefined.
 */
export function templateParts(node: TSNode): TemplateParts | undefined {
  const n = unwrap(node);
  switch (n.type) {
    case 'template_string':
      return jsTemplateParts(n);
    case 'string':
      if (n.namedChildren.some((c) => c?.type === 'string_start')) return pythonTemplateParts(n);
      return { strings: [cookJs(n.text.slice(1, -1))], expressions: [] };
    case 'concatenated_string': {
      const merged: TemplateParts = { strings: [''], expressions: [] };
      for (const part of n.namedChildren) {
        if (!part || part.type === 'comment') continue;
        const p = templateParts(part);
        if (!p) return undefined;
        merged.strings[merged.strings.length - 1] += p.strings[0]!;
        merged.strings.push(...p.strings.slice(1));
        merged.expressions.push(...p.expressions);
      }
      return merged;
    }
    case 'interpreted_string_literal':
      return { strings: [cookGo(n.text.slice(1, -1))], expressions: [] };
    case 'raw_string_literal':
      // Go discards carriage returns from raw strings.
      return { strings: [n.text.slice(1, -1).replace(/\r/g, '')], expressions: [] };
    default:
      return undefined;
  }
}

/**
 * The value of a string literal: JS/TS quotes, a template literal without substitutions, a Python
 * string (incl. an f-string without interpolations, adjacent strings concatenated; not bytes), a Go
 * interpreted or raw string. Escapes are decoded. Anything else: undefined.
 */
export function stringValue(node: TSNode): string | undefined {
  const parts = templateParts(node);
  return parts && parts.expressions.length === 0 ? parts.strings[0] : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Names and calls
// ---------------------------------------------------------------------------------------------------------

const NAME_TYPES = new Set([
  'identifier',
  'property_identifier',
  'private_property_identifier',
  'shorthand_property_identifier',
  'type_identifier',
  'field_identifier',
  'package_identifier',
  'this',
  'super',
]);

/**
 * The dotted name of an identifier or member chain: `app.get`, `this.logger.info`, `logging.getLogger`,
 * `prometheus.NewCounter`, `a?.b` → `a.b`, `a['b']` → `a.b`. Undefined when a link is not a plain name
 * (a call, a computed index…), because then there is no stable name to match on.
 */
export function dottedName(node: TSNode | null | undefined): string | undefined {
  const parts: string[] = [];
  let n: TSNode | null | undefined = node;
  while (n) {
    n = unwrap(n);
    if (NAME_TYPES.has(n.type)) {
      parts.push(n.text);
      break;
    }
    let object: TSNode | null;
    let property: string | undefined;
    switch (n.type) {
      case 'member_expression': // JS/TS
        object = n.childForFieldName('object');
        property = n.childForFieldName('property')?.text;
        break;
      case 'attribute': // Python
        object = n.childForFieldName('object');
        property = n.childForFieldName('attribute')?.text;
        break;
      case 'selector_expression': // Go
        object = n.childForFieldName('operand');
        property = n.childForFieldName('field')?.text;
        break;
      case 'subscript_expression': {
        object = n.childForFieldName('object');
        const index = n.childForFieldName('index');
        property = index ? stringValue(index) : undefined;
        break;
      }
      default:
        return undefined;
    }
    if (property === undefined || !object) return undefined;
    parts.push(property);
    n = object;
  }
  return parts.length > 0 ? parts.reverse().join('.') : undefined;
}

/**
 * The dotted name of what a call calls: `app.get(…)` → `app.get`, `new Counter(…)` → `Counter`,
 * `new client.Counter(…)` → `client.Counter`, Python `logging.getLogger(…)`, Go `prometheus.NewCounter(…)`.
 * Undefined for a node that is not a call or a callee without a dotted name (`f()()`).
 */
export function calleeName(call: TSNode): string | undefined {
  switch (call.type) {
    case 'call_expression': // JS/TS and Go
    case 'call': // Python
      return dottedName(call.childForFieldName('function'));
    case 'new_expression':
      return dottedName(call.childForFieldName('constructor'));
    default:
      return undefined;
  }
}

/** The arguments node of a call (`(…)`, or the template of a tagged template), if any. */
function argumentsOf(call: TSNode): TSNode | null {
  return call.childForFieldName('arguments');
}

/**
 * The positional arguments of a call, in order: JS/TS (including `new`), Python (without keyword
 * arguments and `**kw`; `*args` is included as its `list_splat` node) and Go. A tagged template's one
 * argument is its template.
 */
export function positionalArgs(call: TSNode): TSNode[] {
  const args = argumentsOf(call);
  if (!args) return [];
  if (args.type === 'template_string' || args.type === 'generator_expression') return [args];
  return args.namedChildren.filter(
    (a): a is TSNode =>
      a !== null && a.type !== 'comment' && a.type !== 'keyword_argument' && a.type !== 'dictionary_splat',
  );
}

/** Python keyword arguments of a call: name → value node. Empty for other languages. */
export function keywordArgs(call: TSNode): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  const args = argumentsOf(call);
  if (!args) return out;
  for (const a of args.namedChildren) {
    if (a?.type !== 'keyword_argument') continue;
    const name = a.childForFieldName('name');
    const value = a.childForFieldName('value');
    if (name && value) out.set(name.text, value);
  }
  return out;
}

/** A literal key as a string: a name, a string literal or a number; undefined for computed keys. */
function keyName(key: TSNode | null | undefined): string | undefined {
  if (!key) return undefined;
  const k = key.type === 'literal_element' ? (key.namedChildren.find((c) => c !== null) ?? key) : key;
  if (NAME_TYPES.has(k.type) || k.type === 'number' || k.type === 'integer' || k.type === 'int_literal') return k.text;
  if (k.type === 'computed_property_name') {
    const inner = k.namedChildren.find((c) => c !== null);
    return inner ? stringValue(inner) : undefined;
  }
  return stringValue(k);
}

/**
 * The literal keys of an object-like literal → their value nodes: a JS/TS object (`pair`, shorthand
 * `{ a }` → the identifier, methods → the method), a Python dict with literal keys, a Go composite
 * literal's keyed elements (`CounterOpts{Name: "x"}`). Spreads and computed keys are skipped; a repeated
 * key keeps its last value, as at runtime.
 */
export function objectProps(objectNode: TSNode): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  let node = unwrap(objectNode);
  if (node.type === 'composite_literal') node = node.childForFieldName('body') ?? node;
  for (const child of node.namedChildren) {
    if (!child) continue;
    switch (child.type) {
      case 'pair': {
        const key = child.childForFieldName('key');
        // A bare name as a Python dict key is a variable, not a literal key.
        const name = node.type === 'dictionary' && key?.type === 'identifier' ? undefined : keyName(key);
        const value = child.childForFieldName('value');
        if (name !== undefined && value) out.set(name, value);
        break;
      }
      case 'shorthand_property_identifier':
        out.set(child.text, child);
        break;
      case 'method_definition': {
        const name = keyName(child.childForFieldName('name'));
        if (name !== undefined) out.set(name, child);
        break;
      }
      case 'keyed_element': {
        const [key, value] = child.namedChildren.filter((c): c is TSNode => c !== null && c.type !== 'comment');
        const name = keyName(key);
        if (name !== undefined && value) {
          out.set(
            name,
            value.type === 'literal_element' ? (value.namedChildren.find((c) => c !== null) ?? value) : value,
          );
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------------------

const FUNCTION_TYPES = new Set([
  // JS/TS
  'function_declaration',
  'function_expression',
  'function', // older javascript grammars
  'generator_function_declaration',
  'generator_function',
  'arrow_function',
  'method_definition',
  // Python
  'function_definition',
  'lambda',
  // Go (function_declaration is shared with JS)
  'method_declaration',
  'func_literal',
]);

const CLASS_TYPES = new Set(['class_declaration', 'abstract_class_declaration', 'class', 'class_definition']);

/** A function or class and its name, when the code gives it one. */
export interface NamedScope {
  node: TSNode;
  name?: string;
}

/**
 * The name a function or class expression gets from where it is written: `const f = () => …`,
 * `{ f: () => … }`, `module.exports.f = function …`, `f = lambda: …`, `f := func() {…}`, a class field.
 */
function contextualName(node: TSNode): string | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  switch (parent.type) {
    case 'variable_declarator':
      return parent.childForFieldName('value')?.id === node.id ? parent.childForFieldName('name')?.text : undefined;
    case 'pair':
      return parent.childForFieldName('value')?.id === node.id ? keyName(parent.childForFieldName('key')) : undefined;
    case 'assignment_expression': // JS
    case 'assignment': // Python
      return parent.childForFieldName('right')?.id === node.id
        ? dottedName(parent.childForFieldName('left'))
        : undefined;
    case 'public_field_definition':
    case 'field_definition':
      return keyName(parent.childForFieldName('name') ?? parent.childForFieldName('property'));
    case 'expression_list': {
      // Go: `f := func() {…}` / `var f = func() {…}`; pair the value with the name at the same position.
      const holder = parent.parent;
      if (!holder) return undefined;
      const values = parent.namedChildren.filter((c): c is TSNode => c !== null);
      const at = values.findIndex((c) => c.id === node.id);
      const names =
        holder.type === 'short_var_declaration'
          ? (holder.childForFieldName('left')?.namedChildren ?? [])
          : holder.type === 'var_spec'
            ? holder.childrenForFieldName('name')
            : [];
      return names[at]?.text;
    }
    default:
      return undefined;
  }
}

function scopeOf(node: TSNode, types: ReadonlySet<string>): NamedScope | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (!types.has(n.type)) continue;
    const name = n.childForFieldName('name')?.text ?? contextualName(n);
    return name === undefined ? { node: n } : { node: n, name };
  }
  return undefined;
}

/**
 * The nearest function around `node` (not `node` itself): function, arrow, method, generator, Python
 * `def`/`lambda`, Go func/method/func literal; with its declared or contextual name when there is one.
 */
export function enclosingFunction(node: TSNode): NamedScope | undefined {
  return scopeOf(node, FUNCTION_TYPES);
}

/**
 * The functions of one syntax tree as nested byte ranges, for scope lookups that must not walk up
 * `node.parent`: tree-sitter finds a parent by descending from the root, so walking up from a node at depth
 * d costs O(d²), and a 40 KB `a + a + … + b` made that cubic over its operands.
 */
export class FunctionScopes {
  /** Function nodes in document order; `parents[i]` is the index of the innermost one around `nodes[i]`, or -1. */
  private readonly nodes: TSNode[];
  private readonly starts: number[];
  private readonly ends: number[];
  private readonly parents: number[];

  constructor(readonly root: TSNode) {
    this.nodes = descendantsOfType(root, [...FUNCTION_TYPES]);
    this.starts = this.nodes.map((n) => n.startIndex);
    this.ends = this.nodes.map((n) => n.endIndex);
    this.parents = [];
    const open: number[] = [];
    for (let i = 0; i < this.nodes.length; i++) {
      while (open.length > 0 && this.ends[open.at(-1)!]! < this.ends[i]!) open.pop();
      this.parents.push(open.at(-1) ?? -1);
      open.push(i);
    }
  }

  /**
   * The functions around `node` (not `node` itself), innermost first; the same as following
   * {@link enclosingFunction} outwards, in O(log n + nesting) without touching the tree.
   */
  around(node: TSNode): TSNode[] {
    const start = node.startIndex;
    const end = node.endIndex;
    // The last function starting at or before `node`; every function around it is that one or an ancestor.
    let lo = 0;
    let hi = this.starts.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= start) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const out: TSNode[] = [];
    for (let i = at; i !== -1; i = this.parents[i]!) {
      if (this.nodes[i]!.id === node.id) continue;
      if (this.starts[i]! <= start && this.ends[i]! >= end) out.push(this.nodes[i]!);
    }
    return out;
  }
}

/** The nearest class around `node` (JS/TS class declaration or expression, Python class). Go has none. */
export function enclosingClass(node: TSNode): NamedScope | undefined {
  return scopeOf(node, CLASS_TYPES);
}

/**
 * True when `node` runs once, when its module loads: not inside a function, method or lambda, and not in
 * a JS/TS instance field initializer (which runs per instance). Python class bodies and static class
 * fields count as module level.
 */
export function isModuleLevel(node: TSNode): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (FUNCTION_TYPES.has(n.type)) return false;
    if (
      (n.type === 'public_field_definition' || n.type === 'field_definition') &&
      !n.children.some((c) => c?.type === 'static')
    ) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Imports
// ---------------------------------------------------------------------------------------------------------

/** One name an import brings into scope. */
export interface ImportBinding {
  /** The module specifier as written: `prom-client`, `prometheus_client`, `.models`, a Go import path. */
  module: string;
  /**
   * What is imported: an exported name; `default` for a default import; `*` for the whole module (a
   * namespace import, a CommonJS `require` bound to one name, a Python `import x` or a Go import — and,
   * with `local` also `*`, a Python `from x import *`).
   */
  imported: string;
  /** The name code uses: the alias, the bound name, for Python `import a.b` the dotted `a.b`, for Go the package name. */
  local: string;
  line: number;
  /** TypeScript `import type` (no runtime binding). */
  typeOnly: boolean;
}

/** Go's default package name for an import path: the last element, skipping a `/vN` major-version suffix. */
function goPackageName(path: string): string {
  const parts = path.split('/');
  let last = parts.pop() ?? path;
  if (/^v\d+$/.test(last) && parts.length > 0) last = parts.pop()!;
  // gopkg.in/yaml.v3 → yaml
  return last.replace(/\.v\d+$/, '');
}

/**
 * Every import in a tree, by module specifier → the local bindings it creates (an empty list for a
 * side-effect import or a `require()` whose result is not bound to a name). Covers ES imports (default,
 * named with aliases, namespace, `import type`), TS `import x = require()`, CommonJS `require()` and
 * `await import()` bound by `const x = …`, `const { a: b } = …` or `const a = require('m').a`, Python
 * `import a.b as c` / `from m import a as b` / `from m import *`, and Go imports.
 */
export function importsOf(treeOrNode: Tree | TSNode): Map<string, ImportBinding[]> {
  const root = 'rootNode' in treeOrNode ? treeOrNode.rootNode : treeOrNode;
  // Several indexes ask for the imports of the same tree; the search visits every node, so a whole
  // tree's answer is kept (plain data, by tree object) and each caller gets its own copy.
  const tree = root.tree;
  const whole = 'rootNode' in treeOrNode || root.id === tree.rootNode.id;
  let found = whole ? importsByTree.get(tree) : undefined;
  if (!found) {
    found = searchImports(root);
    if (whole) importsByTree.set(tree, found);
  }
  const copy = new Map<string, ImportBinding[]>();
  for (const [module, list] of found)
    copy.set(
      module,
      list.map((b) => ({ ...b })),
    );
  return copy;
}

/** `importsOf` answers for whole trees; a freed tree's entry goes with it. */
const importsByTree = new WeakMap<Tree, Map<string, ImportBinding[]>>();

/**
 * A JS/TS or Python module's import statements when they all sit at its top level (as ES modules require,
 * and as most Python modules have them), found without visiting the rest of the tree. Each statement holds
 * one `import` keyword of the text; when the top level holds as many statements as the text has `import`
 * words, none can be nested (in a `declare module` block, a Python `try:` or `if TYPE_CHECKING:`, an
 * error). Undefined otherwise (a comment or string saying "import" is enough). Python's `from __future__
 * import …` counts as a statement but is no import of a module, here as in the whole-tree search.
 */
function topLevelImports(root: TSNode): TSNode[] | undefined {
  if ((root.type !== 'program' && root.type !== 'module') || root.parent) return undefined;
  const found: TSNode[] = [];
  let statements = 0;
  const cursor = root.walk();
  try {
    if (cursor.gotoFirstChild()) {
      do {
        const type = cursor.nodeType;
        if (type === 'import_statement' || type === 'import_from_statement') {
          found.push(cursor.currentNode);
          statements++;
        } else if (type === 'future_import_statement') statements++;
      } while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
  }
  return statements === (root.text.match(/\bimport\b/g)?.length ?? 0) ? found : undefined;
}

function searchImports(root: TSNode): Map<string, ImportBinding[]> {
  const out = new Map<string, ImportBinding[]>();
  const bind = (module: string, imported: string, local: string, at: TSNode, typeOnly = false): void => {
    const list = out.get(module) ?? [];
    if (local !== '') list.push({ module, imported, local, line: lineOf(at), typeOnly });
    out.set(module, list);
  };
  const touch = (module: string): void => {
    if (!out.has(module)) out.set(module, []);
  };

  // Looking at every call is the expensive part; skip it when no require()/import() is written at all.
  const dynamic = /\brequire\s*\(|\bimport\s*\(/.test(root.text);
  const types = ['import_statement', 'import_from_statement', 'import_spec'];
  const nodes = dynamic
    ? descendantsOfType(root, [...types, 'call_expression'])
    : (topLevelImports(root) ?? descendantsOfType(root, types));
  for (const node of nodes) {
    switch (node.type) {
      case 'import_statement':
        // Python's import_statement has `name` fields; the ES one has a `source`.
        if (node.childForFieldName('name')) pythonImport(node, bind);
        else esImport(node, bind, touch);
        break;
      case 'import_from_statement':
        pythonFromImport(node, bind, touch);
        break;
      case 'import_spec': {
        const pathNode = node.childForFieldName('path');
        const path = pathNode ? stringValue(pathNode) : undefined;
        if (path === undefined) break;
        const name = node.childForFieldName('name')?.text;
        bind(path, '*', name ?? goPackageName(path), node);
        break;
      }
      case 'call_expression':
        requireCall(node, bind, touch);
        break;
    }
  }
  return out;
}

type Bind = (module: string, imported: string, local: string, at: TSNode, typeOnly?: boolean) => void;
type Touch = (module: string) => void;

function esImport(node: TSNode, bind: Bind, touch: Touch): void {
  const requireClause = node.namedChildren.find((c) => c?.type === 'import_require_clause');
  if (requireClause) {
    const source = requireClause.childForFieldName('source');
    const module = source ? stringValue(source) : undefined;
    const name = requireClause.namedChildren.find((c) => c?.type === 'identifier');
    if (module !== undefined && name) bind(module, '*', name.text, node);
    return;
  }
  const source = node.childForFieldName('source');
  const module = source ? stringValue(source) : undefined;
  if (module === undefined) return;
  touch(module);
  const statementTypeOnly = node.children.some((c) => c?.type === 'type');
  const clause = node.namedChildren.find((c) => c?.type === 'import_clause');
  if (!clause) return;
  for (const part of clause.namedChildren) {
    if (!part) continue;
    if (part.type === 'identifier') {
      bind(module, 'default', part.text, node, statementTypeOnly);
    } else if (part.type === 'namespace_import') {
      const name = part.namedChildren.find((c) => c?.type === 'identifier');
      if (name) bind(module, '*', name.text, node, statementTypeOnly);
    } else if (part.type === 'named_imports') {
      for (const spec of part.namedChildren) {
        if (spec?.type !== 'import_specifier') continue;
        const name = spec.childForFieldName('name');
        if (!name) continue;
        const imported = stringValue(name) ?? name.text; // `import { "a-b" as c }`
        const local = spec.childForFieldName('alias')?.text ?? imported;
        const typeOnly = statementTypeOnly || spec.children.some((c) => c?.type === 'type');
        bind(module, imported, local, node, typeOnly);
      }
    }
  }
}

function pythonImport(node: TSNode, bind: Bind): void {
  for (const name of node.childrenForFieldName('name')) {
    if (name.type === 'aliased_import') {
      const module = name.childForFieldName('name')?.text;
      const alias = name.childForFieldName('alias')?.text;
      if (module && alias) bind(module, '*', alias, node);
    } else {
      // `import a.b` binds `a`, through which code writes `a.b.x`; the dotted name is what calls show.
      bind(name.text, '*', name.text, node);
    }
  }
}

function pythonFromImport(node: TSNode, bind: Bind, touch: Touch): void {
  const module = node.childForFieldName('module_name')?.text;
  if (!module) return;
  touch(module);
  if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) bind(module, '*', '*', node);
  for (const name of node.childrenForFieldName('name')) {
    if (name.type === 'aliased_import') {
      const imported = name.childForFieldName('name')?.text;
      const alias = name.childForFieldName('alias')?.text;
      if (imported && alias) bind(module, imported, alias, node);
    } else {
      bind(module, name.text, name.text, node);
    }
  }
}

/** `require('m')` / `import('m')` with a literal specifier, and what its result is bound to. */
function requireCall(call: TSNode, bind: Bind, touch: Touch): void {
  const fn = call.childForFieldName('function');
  if (!fn || !((fn.type === 'identifier' && fn.text === 'require') || fn.type === 'import')) return;
  const [first] = positionalArgs(call);
  const module = first ? stringValue(first) : undefined;
  if (module === undefined) return;
  touch(module);
  let value: TSNode = call;
  let parent = call.parent;
  if (parent?.type === 'await_expression') {
    value = parent;
    parent = parent.parent;
  }
  // `const x = require('m').name`
  let imported = '*';
  if (parent?.type === 'member_expression' && parent.childForFieldName('object')?.id === value.id) {
    const property = parent.childForFieldName('property')?.text;
    if (!property) return;
    imported = property;
    value = parent;
    parent = parent.parent;
  }
  if (parent?.type !== 'variable_declarator' || parent.childForFieldName('value')?.id !== value.id) return;
  const target = parent.childForFieldName('name');
  if (!target) return;
  if (target.type === 'identifier') {
    bind(module, imported, target.text, call);
  } else if (target.type === 'object_pattern' && imported === '*') {
    for (const p of target.namedChildren) {
      if (p?.type === 'shorthand_property_identifier_pattern') {
        bind(module, p.text, p.text, call);
      } else if (p?.type === 'pair_pattern') {
        const key = keyName(p.childForFieldName('key'));
        const local = p.childForFieldName('value');
        // `{ a: b = 1 }` wraps the name in an assignment_pattern.
        const name = local?.type === 'assignment_pattern' ? local.childForFieldName('left') : local;
        if (key !== undefined && name?.type === 'identifier') bind(module, key, name.text, call);
      }
    }
  }
}
