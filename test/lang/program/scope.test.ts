import { beforeAll, describe, expect, it } from 'vitest';
import { loadParsers, type TSNode } from '../../../src/lang/index.js';
import {
  GoScopes,
  JsScopes,
  PyScopes,
  jsDeclaratorOf,
  localImports,
  type GoDeclaration,
  type JsDeclaration,
} from '../../../src/lang/program/scope.js';
import { descendantsOfType, lineOf } from '../../../src/lang/ts-helpers.js';
import { fileOf } from '../helpers.js';

beforeAll(async () => {
  await loadParsers(['typescript', 'python', 'go']);
});

/**
 * Resolves every use marked `/*use* /name` (JS) or `#use` at the end of a line (Python: the last
 * identifier on that line with the given name) and returns the declaration's kind and line.
 */
function js(text: string): { at: (name: string, nth?: number) => string } {
  const root = fileOf('a.ts', text).tree()!.rootNode;
  const scopes = new JsScopes(localImports(root));
  return {
    at(name, nth = 0) {
      const uses = descendantsOfType(root, ['identifier', 'shorthand_property_identifier']).filter(
        (n) => n.text === name && n.parent?.type === 'call_expression',
      );
      const use = uses[nth];
      if (!use) throw new Error(`no call of ${name} #${nth}`);
      return describeJs(scopes.resolve(name, use));
    },
  };
}

function describeJs(d: JsDeclaration | undefined): string {
  if (!d) return 'none';
  switch (d.kind) {
    case 'var':
      return `var@${lineOf(d.declarator)}${d.module ? ' module' : ''}`;
    case 'function':
    case 'class':
      return `${d.kind}@${lineOf(d.node)}${d.module ? ' module' : ''}`;
    case 'param':
      return `param@${lineOf(d.fn)}`;
    case 'loop':
      return `loop@${lineOf(d.loop)}`;
    case 'import':
      return `import ${d.binding.module}`;
  }
}

describe('JsScopes', () => {
  it('block scope: the innermost declaration wins, hoisted functions included', () => {
    const r = js(
      [
        "import { f } from './f.js';", // 1
        'const g = () => 1;', // 2
        'function outer(f) {', // 3
        '  f();', // 4 — the parameter shadows the import
        '  { const g = 2; g(); }', // 5
        '  g();', // 6 — the module's g
        '  h();', // 7 — hoisted
        '  function h() {}', // 8
        '}',
        'f();', // 10 — the import
        'k();', // 11 — a global
      ].join('\n'),
    );
    expect(r.at('f', 0)).toBe('param@3');
    expect(r.at('g', 0)).toBe('var@5');
    expect(r.at('g', 1)).toBe('var@2 module');
    expect(r.at('h')).toBe('function@8');
    expect(r.at('f', 1)).toBe('import ./f.js');
    expect(r.at('k')).toBe('none');
  });

  it('destructuring, loops, catch, require', () => {
    const r = js(
      [
        "const { a, b: c, d = 1 } = require('./m');", // 1 — an import (module-level require)
        'const { x, y: z } = obj;', // 2
        'for (const [i, j] of pairs) { i(); }', // 3
        'for (let n = 0; n < 2; n++) n();', // 4
        'try {} catch ({ e }) { e(); }', // 5
        'function w({ p, q: [r] }, s = 2) { r(); s(); }', // 6
        'a(); c(); x(); z();',
      ].join('\n'),
    );
    expect(r.at('i')).toBe('loop@3');
    expect(r.at('n')).toBe('loop@4');
    expect(r.at('e')).toBe('param@5');
    expect(r.at('r')).toBe('param@6');
    expect(r.at('s')).toBe('param@6');
    expect(r.at('a')).toBe('import ./m');
    expect(r.at('c')).toBe('import ./m');
    expect(r.at('x')).toBe('var@2 module');
    expect(r.at('z')).toBe('var@2 module');
  });

  it('jsDeclaratorOf: the declarator in scope and before the use, not a namesake elsewhere', () => {
    const root = fileOf(
      'a.ts',
      [
        'function a() { const opts = { redact: [] }; }', // 1 — another function's namesake
        'const later = () => pino(opts);', // 2
        'const opts = { level: 1 };', // 3
        'pino(opts);', // 4
        'const { x } = y; pino(x);', // 5 — destructured: no declarator
      ].join('\n'),
    ).tree()!.rootNode;
    const uses = descendantsOfType(root, 'identifier').filter((n) => n.parent?.type === 'arguments');
    const line = (n: TSNode | undefined) => (n ? lineOf(n) : undefined);
    expect(uses.map((u) => `${u.text}@${lineOf(u)}→${line(jsDeclaratorOf(u))}`)).toEqual([
      'opts@2→undefined',
      'opts@4→3',
      'x@5→undefined',
    ]);
  });

  it('a type-only import binds nothing at runtime', () => {
    const r = js(["import type { T } from './t';", 'T();'].join('\n'));
    expect(r.at('T')).toBe('none');
  });
});

function py(text: string): (name: string, line: number) => string {
  const root = fileOf('a.py', text).tree()!.rootNode;
  const scopes = new PyScopes(localImports(root));
  return (name, line) => {
    const use = descendantsOfType(root, 'identifier').find((n: TSNode) => n.text === name && lineOf(n) === line);
    if (!use) throw new Error(`no ${name} on line ${line}`);
    const d = scopes.resolve(name, use);
    if (!d) return 'none';
    switch (d.kind) {
      case 'var':
        return `var@${lineOf(d.value!)}${d.module ? ' module' : ''}${d.classBody ? ' class' : ''}`;
      case 'function':
      case 'class':
        return `${d.kind}@${lineOf(d.node)}`;
      case 'param':
        return `param@${lineOf(d.fn)}`;
      case 'loop':
        return 'loop';
      case 'import':
        return `import ${d.binding.module}`;
    }
  };
}

describe('PyScopes', () => {
  let resolveAt: ((name: string, line: number) => string) | undefined;
  const source = [
    'from .metrics import REQUESTS', // 1
    'COUNT = 0', // 2
    'def handler(request, *args, limit=3, **kw):', // 3
    '    if request:', // 4
    '        total = 1', // 5
    '    print(total, request, limit, kw, COUNT, REQUESTS)', // 6
    '    def inner():', // 7
    '        nonlocal total', // 8
    '        total = 2', // 9
    '        return total', // 10
    'def bump():', // 11
    '    global COUNT', // 12
    '    COUNT = COUNT + 1', // 13
    'class View:', // 14
    '    name = "v"', // 15
    '    label = name', // 16
    '    def get(self):', // 17
    '        return name', // 18
    'squares = [v * v for v in range(3)]', // 19
    'for row in rows: print(row)', // 20
    'lam = lambda q: q', // 21
  ].join('\n');
  // Parsed on first use: the parsers load in beforeAll.
  const at = (name: string, line: number): string => (resolveAt ??= py(source))(name, line);

  it('function scope: assignments anywhere in the body, parameters of every kind', () => {
    expect(at('total', 6)).toBe('var@5');
    expect(at('request', 6)).toBe('param@3');
    expect(at('limit', 6)).toBe('param@3');
    expect(at('kw', 6)).toBe('param@3');
    expect(at('q', 21)).toBe('param@21');
  });

  it('module names and imports', () => {
    expect(at('COUNT', 6)).toBe('var@2 module');
    expect(at('REQUESTS', 6)).toBe('import .metrics');
    expect(at('print', 6)).toBe('none');
  });

  it('global and nonlocal skip the declaring function', () => {
    expect(at('COUNT', 13)).toBe('var@2 module');
    expect(at('total', 10)).toBe('var@5');
  });

  it('a class body is visible to its own statements, not to its methods', () => {
    expect(at('name', 16)).toBe('var@15 class');
    expect(at('name', 18)).toBe('none');
  });

  it('loop and comprehension variables', () => {
    expect(at('v', 19)).toBe('loop');
    expect(at('row', 20)).toBe('loop');
  });
});

describe('GoScopes', () => {
  const source = [
    'package m', // 1
    'var requests = prometheus.NewCounter(opts)', // 2
    'func handle(w http.ResponseWriter, r *http.Request) {', // 3
    '  use(requests, r)', // 4
    '  later := 1', // 5
    '  use(later)', // 6
    '  for i, v := range items { use(i, v) }', // 7
    '  if n, err := f(); err == nil { use(n) }', // 8
    '  { requests := 2; use(requests) }', // 9
    '}',
    'func before() { use(later) }', // 11
  ].join('\n');
  const at = (name: string, line: number, nth = 0): string => {
    const root = fileOf('a.go', source).tree()!.rootNode;
    const use = descendantsOfType(root, 'identifier').filter((n: TSNode) => n.text === name && lineOf(n) === line)[nth];
    if (!use) throw new Error(`no ${name} on line ${line}`);
    const d = new GoScopes().resolve(name, use);
    if (!d) return 'none';
    if (d.kind === 'var') return `var@${lineOf(d.value!)}${d.pkg ? ' pkg' : ''}`;
    if (d.kind === 'param') return `param ${d.type}`;
    return d.kind;
  };

  it('package level, parameters, declared-before-use in blocks', () => {
    expect(at('requests', 4)).toBe('var@2 pkg');
    expect(at('r', 4)).toBe('param *http.Request');
    expect(at('later', 6)).toBe('var@5');
    expect(at('later', 11)).toBe('none');
    expect(at('requests', 9, 1)).toBe('var@9');
  });

  it('range variables and if initialisers', () => {
    expect(at('v', 7, 1)).toBe('loop');
    expect(at('n', 8, 1)).toBe('var@8');
  });

  it('one instance answers many names across blocks and files, each as if asked alone', () => {
    const body = [
      'package m', // 1
      'func f() {', // 2
      '  use(a)', // 3
      '  a, b := 1, 2', // 4
      '  var (', // 5
      '    c = 3', // 6
      '    d, e = 4, 5', // 7
      '  )', // 8
      '  a, g := 6, 7', // 9
      '  use(a, b, c, d, e, g)', // 10
      '  { use(a); h := 8; use(h) }', // 11
      '  use(h)', // 12
      '}',
    ].join('\n');
    const describeGo = (d: GoDeclaration | undefined) =>
      !d ? 'none' : d.kind === 'var' ? `var@${lineOf(d.value!)}` : d.kind;
    const shared = new GoScopes();
    for (const text of [body, body.replace('c = 3', 'c = 30')]) {
      const root = fileOf('b.go', text).tree()!.rootNode;
      const uses = descendantsOfType(root, 'identifier').filter((n: TSNode) => /^[a-h]$/.test(n.text));
      const answers = uses.map((u: TSNode) => `${u.text}@${lineOf(u)} ${describeGo(shared.resolve(u.text, u))}`);
      expect(answers).toEqual(
        uses.map((u: TSNode) => `${u.text}@${lineOf(u)} ${describeGo(new GoScopes().resolve(u.text, u))}`),
      );
      expect(answers.filter((a: string) => / (3|10|11|12) /.test(` ${a.split('@')[1]!.split(' ')[0]} `))).toEqual([
        'a@3 none',
        'a@10 var@4',
        'b@10 var@4',
        'c@10 var@6',
        'd@10 var@7',
        'e@10 var@7',
        'g@10 var@9',
        'a@11 var@4',
        'h@11 var@11',
        'h@11 var@11',
        'h@12 none',
      ]);
    }
  });
});
