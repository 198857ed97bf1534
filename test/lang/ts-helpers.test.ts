import { beforeAll, describe, expect, it } from 'vitest';
import type { Node as TSNode } from 'web-tree-sitter';
import { loadParsers } from '../../src/lang/index.js';
import {
  calleeName,
  descendantsOfType,
  dottedName,
  endLineOf,
  enclosingClass,
  enclosingFunction,
  importsOf,
  isModuleLevel,
  keywordArgs,
  lineOf,
  nodeText,
  objectProps,
  positionalArgs,
  stringValue,
  templateParts,
  unwrap,
  unwrapAwait,
  walk,
} from '../../src/lang/ts-helpers.js';
import { fileOf, fixture } from './helpers.js';

beforeAll(async () => {
  await loadParsers(['typescript', 'tsx', 'javascript', 'python', 'go']);
});

function root(path: string, text: string): TSNode {
  return fileOf(path, text).tree()!.rootNode;
}

/** The first node of `type` whose text is `text` (or the first of that type). */
function find(node: TSNode, type: string, text?: string): TSNode {
  const found = descendantsOfType(node, type).find((n) => text === undefined || n.text === text);
  if (!found) throw new Error(`no ${type}${text === undefined ? '' : ` "${text}"`}`);
  return found;
}

/** Every call in a tree, in document order, by callee name. */
function calls(node: TSNode): TSNode[] {
  return descendantsOfType(node, ['call_expression', 'new_expression', 'call']);
}

describe('walk', () => {
  it('visits named nodes in document order and can skip subtrees', () => {
    const r = root('a.ts', 'function f(a) { return g(a); }\nconst x = 1;');
    const seen: string[] = [];
    walk(r, (n) => {
      seen.push(n.type);
      return n.type !== 'function_declaration';
    });
    expect(seen).toEqual([
      'program',
      'function_declaration',
      'lexical_declaration',
      'variable_declarator',
      'identifier',
      'number',
    ]);
  });

  it('visits anonymous nodes on request', () => {
    const r = root('a.py', 'x = 1');
    const anon: string[] = [];
    walk(r, (n) => void (n.isNamed || anon.push(n.type)), { anonymous: true });
    expect(anon).toEqual(['=']);
  });

  it('walks a subtree only, and copes with 5,000 levels of nesting', () => {
    const r = root('a.ts', `const a = [1];\nconst deep = ${'['.repeat(5000)}${']'.repeat(5000)};`);
    const arrays: number[] = [];
    walk(r.namedChild(0)!, (n) => void (n.type === 'array' && arrays.push(lineOf(n))));
    expect(arrays).toEqual([1]);
    let count = 0;
    walk(r, (n) => void (n.type === 'array' && count++));
    expect(count).toBe(5001);
  });
});

describe('positions and text', () => {
  it('gives 1-based start and end lines', () => {
    const r = root('a.ts', '\nfunction f() {\n  return 1;\n}\n');
    const fn = find(r, 'function_declaration');
    expect(lineOf(fn)).toBe(2);
    expect(endLineOf(fn)).toBe(4);
    expect(nodeText(find(r, 'return_statement'))).toBe('return 1;');
  });

  it('does not count a trailing newline inside a node as another line', () => {
    // Roots and Go statement lists end at column 0 of the line after their last character.
    const py = root('a.py', 'def f():\n    return 1\n\nx = 2\n');
    expect([lineOf(py), endLineOf(py)]).toEqual([1, 4]);
    expect(endLineOf(find(py, 'function_definition'))).toBe(2);
    const go = root('a.go', 'package m\nfunc f() {\n\ta()\n\tb()\n}\n');
    const body = find(go, 'statement_list');
    expect(body.endPosition.column).toBe(0);
    expect([lineOf(body), endLineOf(body)]).toEqual([3, 4]);
    // A one-line node that is empty at column 0 stays on its line.
    expect(endLineOf(root('a.py', ''))).toBe(1);
  });

  it('excludes the node itself from descendantsOfType', () => {
    const r = root('a.ts', 'function a() { function b() {} }');
    const outer = find(r, 'function_declaration');
    expect(descendantsOfType(outer, 'function_declaration').map((n) => n.childForFieldName('name')!.text)).toEqual([
      'b',
    ]);
    expect(descendantsOfType(r, ['function_declaration', 'identifier']).map((n) => n.type)).toEqual([
      'function_declaration',
      'identifier',
      'function_declaration',
      'identifier',
    ]);
  });
});

describe('stringValue', () => {
  it('decodes JS/TS strings and templates without substitutions', () => {
    const r = root('a.ts', "f('it\\'s', \"a\\u0041\\x42\\u{1F600}\\n\", `plain\\tx`, `has ${x}`, 42, x);");
    const args = positionalArgs(find(r, 'call_expression'));
    expect(args.map(stringValue)).toEqual(["it's", 'aAB😀\n', 'plain\tx', undefined, undefined, undefined]);
  });

  it('decodes Python strings, raw strings, f-strings without interpolation and concatenations', () => {
    const r = root(
      'a.py',
      `f('a\\tb', r'a\\tb', f"lit {{x}}", f"{x}", b'bytes', "x" 'y', ("multi"\n "line"), """tri\nple""", '\\N{DASH}')`,
    );
    const args = positionalArgs(find(r, 'call'));
    expect(args.map(stringValue)).toEqual([
      'a\tb',
      'a\\tb',
      'lit {x}',
      undefined,
      undefined,
      'xy',
      'multiline',
      'tri\nple',
      '\\N{DASH}',
    ]);
  });

  it('decodes Go interpreted and raw strings', () => {
    const r = root('a.go', 'package main\nfunc main() { f("a\\n\\"b\\"", `raw\\n`) }');
    expect(positionalArgs(find(r, 'call_expression')).map(stringValue)).toEqual(['a\n"b"', 'raw\\n']);
  });
});

describe('templateParts', () => {
  it('splits a JS template into cooked static parts and expressions', () => {
    const r = root('a.ts', 'log(`user ${user.email} logged in\\n from ${ip}`);');
    const parts = templateParts(find(r, 'template_string'))!;
    expect(parts.strings).toEqual(['user ', ' logged in\n from ', '']);
    expect(parts.expressions.map((e) => e.text)).toEqual(['user.email', 'ip']);
  });

  it('splits a Python f-string, including format specs and brace escapes', () => {
    const r = root('a.py', 'log(f"{{user}} {user.email!r:>10} at {ip}")');
    const parts = templateParts(find(r, 'string'))!;
    expect(parts.strings).toEqual(['{user} ', ' at ', '']);
    expect(parts.expressions.map((e) => e.text)).toEqual(['user.email', 'ip']);
  });

  it('merges adjacent Python strings and treats plain strings as one part', () => {
    const r = root('a.py', 'x = "a" f"b{c}d"');
    expect(templateParts(find(r, 'concatenated_string'))).toMatchObject({ strings: ['ab', 'd'] });
    expect(templateParts(find(root('a.ts', 'x = "s"'), 'string'))).toEqual({ strings: ['s'], expressions: [] });
    expect(templateParts(find(root('a.ts', 'x = y'), 'identifier', 'y'))).toBeUndefined();
  });
});

describe('calleeName', () => {
  it('names TS/JS calls and constructors', () => {
    const r = root(
      'a.ts',
      "app.get('/x', h); this.logger.info('x'); new Counter({}); new client.Counter({}); a?.b.c(); a['b'](); f()(); express(); super.m(); new Foo<Bar>();",
    );
    expect(calls(r).map(calleeName)).toEqual([
      'app.get',
      'this.logger.info',
      'Counter',
      'client.Counter',
      'a.b.c',
      'a.b',
      undefined, // f()() — the outer call
      'f',
      'express',
      'super.m',
      'Foo',
    ]);
  });

  it('names Python and Go calls', () => {
    const py = root('a.py', 'logging.getLogger(__name__).info("x")\nself.logger.warning("y")\nCounter("a", "b")');
    expect(calls(py).map(calleeName)).toEqual([undefined, 'logging.getLogger', 'self.logger.warning', 'Counter']);
    const go = root(
      'a.go',
      'package main\nvar c = prometheus.NewCounter(prometheus.CounterOpts{})\nfunc main() { http.HandleFunc("/", h) }',
    );
    expect(calls(go).map(calleeName)).toEqual(['prometheus.NewCounter', 'http.HandleFunc']);
    expect(calleeName(find(go, 'identifier', 'c'))).toBeUndefined();
  });

  it('dottedName handles long chains without recursion', () => {
    const chain = Array.from({ length: 3000 }, (_, i) => `p${i}`).join('.');
    const r = root('a.js', `${chain};`);
    expect(dottedName(find(r, 'expression_statement').namedChild(0))).toBe(chain);
  });
});

describe('arguments', () => {
  it('lists positional arguments of JS calls, constructors and tagged templates', () => {
    const r = root('a.ts', 'f(a, /* c */ b, ...rest); new C(1); sql`SELECT ${x}`;');
    const [f, c, tag] = calls(r);
    expect(positionalArgs(f!).map((n) => n.text)).toEqual(['a', 'b', '...rest']);
    expect(positionalArgs(c!).map((n) => n.text)).toEqual(['1']);
    expect(positionalArgs(tag!).map((n) => n.type)).toEqual(['template_string']);
    expect(keywordArgs(f!).size).toBe(0);
  });

  it('separates Python positional and keyword arguments', () => {
    const r = root('a.py', 'Histogram("request_seconds", "help", *extra, buckets=(0.1, 1.0), namespace="api", **kw)');
    const call = find(r, 'call');
    expect(positionalArgs(call).map((n) => n.text)).toEqual(['"request_seconds"', '"help"', '*extra']);
    const kw = keywordArgs(call);
    expect([...kw.keys()]).toEqual(['buckets', 'namespace']);
    expect(stringValue(kw.get('namespace')!)).toBe('api');
    expect(positionalArgs(find(root('a.py', 'sum(x for x in y)'), 'call')).map((n) => n.type)).toEqual([
      'generator_expression',
    ]);
  });
});

describe('objectProps', () => {
  it('maps TS/JS object literal keys to value nodes', () => {
    const r = root(
      'a.ts',
      "x = { name: 'a', 'help': \"h\", 3: n, ['lit']: 1, [dyn]: 2, short, m() {}, ...rest, name: 'last' };",
    );
    const props = objectProps(find(r, 'object'));
    expect([...props.keys()]).toEqual(['name', 'help', '3', 'lit', 'short', 'm']);
    expect(stringValue(props.get('name')!)).toBe('last');
    expect(props.get('short')!.text).toBe('short');
    expect(props.get('m')!.type).toBe('method_definition');
  });

  it('maps Python dict literal keys and Go composite literal fields', () => {
    const py = objectProps(find(root('a.py', 'd = {"k": 1, "n": {"x": 2}, v: 3, **rest}'), 'dictionary'));
    expect([...py.keys()]).toEqual(['k', 'n']);
    const go = objectProps(
      find(root('a.go', 'package m\nvar o = prometheus.CounterOpts{Name: "x_total", Help: `h`}'), 'composite_literal'),
    );
    expect([...go.keys()]).toEqual(['Name', 'Help']);
    expect(stringValue(go.get('Name')!)).toBe('x_total');
    expect(stringValue(go.get('Help')!)).toBe('h');
  });
});

describe('scopes', () => {
  it('finds the enclosing function and its name in TS', () => {
    const r = root(
      'a.ts',
      [
        'function outer() { a(); }',
        'const arrow = () => b();',
        'const expr = function () { c(); };',
        'class K { method() { d(); } field = () => e(); static s = f(); }',
        'obj = { handler: () => g() };',
        'module.exports.h = function () { h(); };',
        'app.get("/", (req, res) => i());',
        'j();',
      ].join('\n'),
    );
    const byCallee = new Map(calls(r).map((c) => [calleeName(c), c] as const));
    const fnName = (callee: string): string | undefined => enclosingFunction(byCallee.get(callee)!)?.name;
    expect(fnName('a')).toBe('outer');
    expect(fnName('b')).toBe('arrow');
    expect(fnName('c')).toBe('expr');
    expect(fnName('d')).toBe('method');
    expect(fnName('e')).toBe('field');
    expect(fnName('g')).toBe('handler');
    expect(fnName('h')).toBe('module.exports.h');
    expect(enclosingFunction(byCallee.get('i')!)).toMatchObject({ node: { type: 'arrow_function' } });
    expect(enclosingFunction(byCallee.get('i')!)?.name).toBeUndefined();
    expect(enclosingFunction(byCallee.get('j')!)).toBeUndefined();
    expect(enclosingClass(byCallee.get('d')!)?.name).toBe('K');
    expect(enclosingClass(byCallee.get('a')!)).toBeUndefined();
    expect(enclosingFunction(find(r, 'function_declaration'))).toBeUndefined(); // not itself
  });

  it('finds the enclosing function and class in Python and Go', () => {
    const py = root(
      'a.py',
      'class Health:\n    def ready(self):\n        check()\n    cb = lambda: other()\n\nasync def main():\n    run()\n',
    );
    const byCallee = new Map(calls(py).map((c) => [calleeName(c), c] as const));
    expect(enclosingFunction(byCallee.get('check')!)?.name).toBe('ready');
    expect(enclosingClass(byCallee.get('check')!)?.name).toBe('Health');
    expect(enclosingFunction(byCallee.get('other')!)?.name).toBe('cb');
    expect(enclosingFunction(byCallee.get('run')!)?.name).toBe('main');
    const go = root('a.go', 'package m\nfunc (s *S) Serve() { a() }\nfunc main() { f := func() { b() }; f() }');
    const goCalls = new Map(calls(go).map((c) => [calleeName(c), c] as const));
    expect(enclosingFunction(goCalls.get('a')!)?.name).toBe('Serve');
    expect(enclosingFunction(goCalls.get('b')!)?.name).toBe('f');
    expect(enclosingFunction(goCalls.get('f')!)?.name).toBe('main');
    expect(enclosingClass(goCalls.get('a')!)).toBeUndefined();
  });

  it('tells module-level code from code that runs per call or per instance', () => {
    const ts = root(
      'a.ts',
      'const a = new Counter();\nfunction f() { new Counter(); }\nclass K { i = new Counter(); static s = new Counter(); }\nif (x) { new Counter(); }',
    );
    expect(calls(ts).map(isModuleLevel)).toEqual([true, false, false, true, true]);
    const py = root(
      'a.py',
      'A = Counter()\nclass K:\n    B = Counter()\n    def m(self):\n        Counter()\nf = lambda: Counter()\n',
    );
    expect(calls(py).map(isModuleLevel)).toEqual([true, true, false, false]);
    const go = root('a.go', 'package m\nvar c = prometheus.NewCounter(o)\nfunc f() { prometheus.NewCounter(o) }');
    expect(calls(go).map(isModuleLevel)).toEqual([true, false]);
  });
});

describe('importsOf', () => {
  it('reads ES imports, TS import-require and CommonJS require', () => {
    const imports = importsOf(
      fileOf(
        'a.ts',
        [
          "import client, { Counter as C, type Registry } from 'prom-client';",
          "import * as ns from 'ns';",
          "import type { T } from 'types';",
          "import 'side-effect';",
          "import legacy = require('legacy');",
          "const { Counter: C2, Gauge } = require('prom-client');",
          "const whole = require('whole');",
          "const H = require('prom-client').Histogram;",
          "const { default: d } = await import('dyn');",
          "require('dotenv').config();",
          'const notAModule = require(name);',
        ].join('\n'),
      ).tree()!,
    );
    const summary = Object.fromEntries(
      [...imports].map(([m, bs]) => [
        m,
        bs.map((b) => `${b.imported}→${b.local}${b.typeOnly ? ' (type)' : ''}@${b.line}`),
      ]),
    );
    expect(summary).toEqual({
      'prom-client': [
        'default→client@1',
        'Counter→C@1',
        'Registry→Registry (type)@1',
        'Counter→C2@6',
        'Gauge→Gauge@6',
        'Histogram→H@8',
      ],
      ns: ['*→ns@2'],
      types: ['T→T (type)@3'],
      'side-effect': [],
      legacy: ['*→legacy@5'],
      whole: ['*→whole@7'],
      dyn: ['default→d@9'],
      dotenv: [],
    });
  });

  it('finds an ES import nested below the top level (a `declare module` block) as well as the top-level ones', () => {
    const summary = (path: string, text: string) =>
      Object.fromEntries([...importsOf(fileOf(path, text).tree()!)].map(([m, bs]) => [m, bs.map((b) => b.local)]));
    // Only top-level imports, and a word "import" nowhere else: the same answer as a walk of every node.
    expect(summary('a.ts', "import a from 'a';\nimport { b } from 'b';\nexport const x = a + b;\n")).toEqual({
      a: ['a'],
      b: ['b'],
    });
    // One nested in a module declaration.
    expect(
      summary('types.d.ts', "import a from 'a';\ndeclare module 'm' {\n  import { N } from 'nested';\n}\n"),
    ).toEqual({ a: ['a'], nested: ['N'] });
    // A comment saying "import" changes nothing.
    expect(summary('c.ts', "// import everything\nimport c from 'c';\n")).toEqual({ c: ['c'] });
    // A module without imports.
    expect(summary('d.js', 'export default 1;\n')).toEqual({});
  });

  it('finds a Python import nested in a block as well as the top-level ones', () => {
    const summary = (text: string) =>
      Object.fromEntries(
        [...importsOf(fileOf('m.py', text).tree()!)].map(([m, bs]) => [m, bs.map((b) => `${b.local}@${b.line}`)]),
      );
    const top = 'from __future__ import annotations\nimport os\nfrom app.metrics import REQUESTS\n';
    expect(summary(top)).toEqual({ os: ['os@2'], 'app.metrics': ['REQUESTS@3'] });
    expect(summary(`${top}if TYPE_CHECKING:\n    from app.models import User\n`)).toEqual({
      os: ['os@2'],
      'app.metrics': ['REQUESTS@3'],
      'app.models': ['User@5'],
    });
    expect(summary(`${top}def f():\n    import json\n    return json\n`)).toEqual({
      os: ['os@2'],
      'app.metrics': ['REQUESTS@3'],
      json: ['json@5'],
    });
    expect(summary(`"""Nothing to import here."""\n${top}`)).toEqual({ os: ['os@3'], 'app.metrics': ['REQUESTS@4'] });
  });

  it('reads Python imports', () => {
    const imports = importsOf(
      fileOf(
        'a.py',
        'import prometheus_client as pc, os\nimport os.path\nfrom prometheus_client import Counter as C, Gauge\nfrom . import sibling\nfrom .models import *\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\n',
      ).tree()!,
    );
    const summary = Object.fromEntries(
      [...imports].map(([m, bs]) => [m, bs.map((b) => `${b.imported}→${b.local}@${b.line}`)]),
    );
    expect(summary).toEqual({
      prometheus_client: ['*→pc@1', 'Counter→C@3', 'Gauge→Gauge@3'],
      os: ['*→os@1'],
      'os.path': ['*→os.path@2'],
      '.': ['sibling→sibling@4'],
      '.models': ['*→*@5'],
      ujson: ['*→json@7'],
      json: ['*→json@9'],
    });
  });

  it('reads Go imports with their package names', () => {
    const imports = importsOf(fixture('main.go').tree()!);
    expect([...imports.keys()]).toEqual([
      'log',
      'net/http',
      'github.com/prometheus/client_golang/prometheus',
      'github.com/prometheus/client_golang/prometheus/promhttp',
    ]);
    expect(imports.get('net/http')![0]).toMatchObject({ imported: '*', local: 'http' });
    const more = importsOf(
      root(
        'a.go',
        'package m\nimport (\n  p "github.com/x/prom"\n  _ "embed"\n  "gopkg.in/yaml.v3"\n  "github.com/a/b/v2"\n)',
      ),
    );
    expect([...more].map(([m, [b]]) => `${m}=${b!.local}`)).toEqual([
      'github.com/x/prom=p',
      'embed=_',
      'gopkg.in/yaml.v3=yaml',
      'github.com/a/b/v2=b',
    ]);
  });

  it('works on the realistic fixtures', () => {
    expect(
      importsOf(fixture('server.ts.txt').tree()!)
        .get('prom-client')!
        .map((b) => b.local),
    ).toEqual(['client', 'PromCounter']);
    expect(
      importsOf(fixture('worker.jsx.txt').tree()!)
        .get('prom-client')!
        .map((b) => `${b.imported}→${b.local}`),
    ).toEqual(['Counter→Counter', 'Histogram→Hist']);
    expect(
      importsOf(fixture('app.py').tree()!)
        .get('prometheus_client')!
        .map((b) => b.local),
    ).toEqual(['C', 'Histogram', 'generate_latest']);
  });
});

describe('unwrap / unwrapAwait', () => {
  /** The initializer of `const v = …` (JS/TS) or the right side of `v = …` (Python). */
  function valueOf(path: string, text: string): TSNode {
    const r = root(path, text);
    const d = descendantsOfType(r, ['variable_declarator', 'assignment'])[0]!;
    return d.childForFieldName('value') ?? d.childForFieldName('right')!;
  }

  it('sees through parentheses and the type-only wrappers, repeatedly', () => {
    expect(unwrap(valueOf('a.ts', 'const v = ((opts as Options)!) satisfies X;')).text).toBe('opts');
    expect(unwrap(valueOf('a.ts', 'const v = <Options>(opts);')).text).toBe('opts');
    expect(unwrap(valueOf('a.py', 'v = (opts)')).text).toBe('opts');
    expect(unwrap(find(root('a.go', 'package m\nfunc f() { g((opts)) }'), 'parenthesized_expression')).text).toBe(
      'opts',
    );
  });

  it('leaves await to unwrapAwait (JS/TS and Python)', () => {
    expect(unwrap(valueOf('a.ts', 'const v = await (db.query());')).type).toBe('await_expression');
    expect(unwrapAwait(valueOf('a.ts', 'const v = (await (db.query() as Promise<R>))!;')).text).toBe('db.query()');
    expect(unwrapAwait(valueOf('a.py', 'async def f():\n    v = await (db.fetch())')).text).toBe('db.fetch()');
  });

  it('leaves other nodes as they are', () => {
    const n = valueOf('a.ts', 'const v = a.b;');
    expect(unwrap(n)).toBe(n);
    expect(unwrapAwait(n)).toBe(n);
  });
});
