import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadParsers, type MemoKey } from '../../src/lang/index.js';
import { fileOf, fixture, lineOfText } from './helpers.js';

beforeAll(async () => {
  await loadParsers(['typescript', 'tsx', 'javascript', 'python', 'go', 'sql', 'dockerfile', 'yaml']);
});

describe('tree-sitter languages', () => {
  it('parses a realistic TypeScript service without errors, caching the tree', () => {
    const f = fixture('server.ts.txt');
    expect(f.language).toBe('typescript');
    const tree = f.tree();
    expect(tree?.rootNode.type).toBe('program');
    expect(tree?.rootNode.hasError).toBe(false);
    expect(f.tree()).toBe(tree);
    expect(f.parseErrors()).toEqual([]);
    expect(tree?.language.name ?? 'typescript').toMatch(/typescript/);
  });

  it('parses TSX with JSX elements through the tsx grammar', () => {
    const f = fixture('Widget.tsx.txt');
    const root = f.tree()!.rootNode;
    expect(root.hasError).toBe(false);
    expect(root.descendantsOfType('jsx_element').length).toBeGreaterThan(0);
  });

  it('parses JSX in a .jsx file with the javascript grammar', () => {
    const f = fixture('worker.jsx.txt');
    expect(f.language).toBe('javascript');
    const root = f.tree()!.rootNode;
    expect(root.hasError).toBe(false);
    expect(root.descendantsOfType('jsx_element').length).toBe(1);
  });

  it('parses Python and Go', () => {
    const py = fixture('app.py');
    expect(py.tree()!.rootNode.type).toBe('module');
    expect(py.tree()!.rootNode.hasError).toBe(false);
    const go = fixture('main.go');
    expect(go.tree()!.rootNode.type).toBe('source_file');
    expect(go.tree()!.rootNode.hasError).toBe(false);
  });

  it('gives no tree for languages tree-sitter does not parse', () => {
    expect(fixture('0042_add_email.sql').tree()).toBeUndefined();
    expect(fileOf('README.md', '# hi').tree()).toBeUndefined();
  });

  it('reports comments with their lines, one entry per line of a block comment', () => {
    const f = fixture('server.ts.txt');
    const comments = f.comments();
    const ignore = comments.find((c) => c.text.includes('readiness-ignore'));
    expect(ignore).toEqual({
      line: lineOfText(f.text, 'readiness-ignore'),
      text: '   readiness-ignore metrics/high-cardinality-label: route is bounded */',
    });
    expect(comments).toContainEqual({
      line: lineOfText(f.text, '/* Request counter'),
      text: '/* Request counter, labelled by route.',
    });
    expect(comments).toContainEqual({
      line: lineOfText(f.text, '// readiness checks'),
      text: '// readiness checks the database',
    });
    expect(comments.every((c, i) => i === 0 || comments[i - 1]!.line <= c.line)).toBe(true);
  });

  it('reports comments in Python, Go, JSX and TSX in their own syntax', () => {
    const py = fixture('app.py')
      .comments()
      .map((c) => c.text);
    expect(py).toContain('# module level');
    expect(py).toContain('# readiness-ignore health/readiness-checks-dependencies: the db is local');
    // A docstring is a string, not a comment.
    expect(py.some((t) => t.includes('Flask service'))).toBe(false);
    const go = fixture('main.go').comments();
    expect(go.map((c) => c.text)).toEqual([
      '// requestsTotal counts HTTP requests by route.',
      '/* healthz answers liveness probes.',
      '   It must not check dependencies. */',
    ]);
    expect(
      fixture('Widget.tsx.txt')
        .comments()
        .map((c) => c.text),
    ).toEqual(["// Shows the user's name; never their email.", '/* the name only */']);
    expect(
      fixture('worker.jsx.txt')
        .comments()
        .map((c) => c.text),
    ).toEqual(['// jobs processed']);
  });

  it('keeps comment text free of the CR of CRLF files', () => {
    const f = fileOf('a.ts', '// one\r\nconst x = 1; /* a\r\n b */\r\n');
    expect(f.comments()).toEqual([
      { line: 1, text: '// one' },
      { line: 2, text: '/* a' },
      { line: 3, text: ' b */' },
    ]);
  });

  it('agrees with lineAt on tree positions in a CRLF file with non-ASCII text', () => {
    const f = fileOf('a.py', '# é😀\r\nx = "ü"\r\n\r\ny = 2\r\n');
    const y = f
      .tree()!
      .rootNode.descendantsOfType('identifier')
      .find((n) => n?.text === 'y')!;
    expect(y.startPosition.row + 1).toBe(4);
    expect(f.lineAt(y.startIndex)).toBe(4);
    expect(f.text.slice(y.startIndex, y.endIndex)).toBe('y');
  });

  it('tolerates small syntax errors but reports a file that is mostly not code', () => {
    // One broken function among ordinary code: tree-sitter recovers, and this is not worth an error.
    const healthy = Array.from(
      { length: 30 },
      (_, i) => `export function f${i}(x: number): number {\n  return x * ${i};\n}\n`,
    ).join('');
    const slightlyBroken = fileOf(
      'a.ts',
      `${healthy}function broken( {\n  return 2;\n}\n${healthy.replace(/f(\d)/g, 'g$1')}`,
    );
    expect(slightlyBroken.tree()!.rootNode.hasError).toBe(true);
    expect(slightlyBroken.parseErrors()).toEqual([]);
    const prose = fileOf(
      'notes.py',
      'This is not Python at all, it is a paragraph of English prose; sorry!\n'.repeat(5),
    );
    expect(prose.parseErrors()).toHaveLength(1);
    expect(prose.parseErrors()[0]).toMatch(
      /^\d+% of this file could not be parsed as Python; findings in it may be incomplete$/,
    );
    const template = fileOf(
      'view.js',
      '<html>\n<% if (user) { %>\n  <h1>Hello <%= user.name %></h1>\n<% } %>\n</html>\n',
    );
    expect(template.parseErrors()).toHaveLength(1);
  });

  it('frees the tree on dispose and parses again on demand', () => {
    const f = fileOf('a.go', 'package main\nfunc main() {}\n');
    const first = f.tree()!;
    f.dispose();
    const second = f.tree()!;
    expect(second).not.toBe(first);
    expect(second.rootNode.type).toBe('source_file');
    f.dispose();
    f.dispose(); // idempotent
  });

  it('keeps what the tree said of parse errors when it frees the tree, so they need no second parse', async () => {
    const { Parser } = await import('web-tree-sitter');
    const parse = vi.spyOn(Parser.prototype, 'parse');
    try {
      const prose = fileOf('notes.py', 'This is not Python at all, it is prose; sorry!\n'.repeat(5));
      const clean = fileOf('a.py', 'x = 1\n');
      for (const f of [prose, clean]) f.tree();
      parse.mockClear();
      for (const f of [prose, clean]) f.dispose();
      expect(prose.parseErrors()).toHaveLength(1);
      expect(clean.parseErrors()).toEqual([]);
      expect(parse).not.toHaveBeenCalled();
      // A file never parsed is parsed when asked.
      expect(fileOf('b.py', 'y = 2\n').parseErrors()).toEqual([]);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it('memoises a derived value per key until dispose, and stores nothing when computing it throws', () => {
    const f = fileOf('a.ts', 'export const a = 1;\n');
    const statements: MemoKey<number> = { name: 'statements' };
    const sameName: MemoKey<number> = { name: 'statements' };
    let runs = 0;
    const count = () => (runs++, f.tree()!.rootNode.namedChildCount);
    expect(f.memo(statements, count)).toBe(1);
    expect(f.memo(statements, count)).toBe(1);
    expect(runs).toBe(1);
    // Keys are told apart by identity, not by name.
    expect(f.memo(sameName, () => 7)).toBe(7);
    f.dispose();
    expect(f.memo(statements, count)).toBe(1);
    expect(runs).toBe(2);
    const failing: MemoKey<string> = { name: 'failing' };
    expect(() =>
      f.memo(failing, () => {
        throw new Error('budget spent');
      }),
    ).toThrow('budget spent');
    expect(f.memo(failing, () => 'computed again')).toBe('computed again');
  });

  it('parses a 50,000-line TypeScript file', () => {
    const text = Array.from(
      { length: 50_000 },
      (_, i) => `export const v${i} = compute(${i}, "s${i}"); // note ${i}`,
    ).join('\n');
    const f = fileOf('big.ts', text, 4 * 1024 * 1024);
    const root = f.tree()!.rootNode;
    expect(root.namedChildCount).toBe(100_000); // 50,000 statements and 50,000 comments
    expect(f.comments()).toHaveLength(50_000);
    expect(f.comments()[49_999]).toEqual({ line: 50_000, text: '// note 49999' });
    expect(f.parseErrors()).toEqual([]);
    f.dispose();
  });

  it('survives 2,000 nested arrays and 5,000 nested parentheses', () => {
    const arrays = fileOf('deep.ts', `const x = ${'['.repeat(2000)}${']'.repeat(2000)};\n// end\n`);
    expect(arrays.tree()!.rootNode.hasError).toBe(false);
    expect(arrays.comments()).toEqual([{ line: 2, text: '// end' }]);
    const parens = fileOf('deep.py', `x = ${'('.repeat(5000)}1${')'.repeat(5000)}\n`);
    expect(parens.tree()!.rootNode.type).toBe('module');
    expect(parens.parseErrors()).toEqual([]);
    const unbalanced = fileOf('deep.js', `f(${'['.repeat(3000)}`);
    expect(() => unbalanced.parseErrors()).not.toThrow();
  });
});

describe('non-tree-sitter languages', () => {
  it('parses a Dockerfile with dockerfile-ast and reads # lines as comments', () => {
    const f = fixture('Dockerfile');
    const df = f.dockerfile()!;
    expect(df.getInstructions().map((i) => i.getKeyword())).toEqual([
      'FROM',
      'WORKDIR',
      'COPY',
      'RUN',
      'COPY',
      'FROM',
      'COPY',
      'HEALTHCHECK',
      'USER',
      'CMD',
    ]);
    expect(df.getFROMs()[0]!.getImageName()).toBe('node');
    expect(f.comments()).toEqual([
      { line: 1, text: '# syntax=docker/dockerfile:1' },
      { line: 4, text: '# install deps first for caching' },
    ]);
    expect(f.parseErrors()).toEqual([]);
    expect(f.dockerfile()).toBe(df);
    expect(fileOf('a.ts', 'x').dockerfile()).toBeUndefined();
  });

  it('scans TOML comments outside strings', () => {
    const f = fixture('pyproject.toml');
    expect(f.comments()).toEqual([
      { line: 1, text: '# Project metadata' },
      { line: 3, text: '# the name' },
    ]);
    expect(f.tree()).toBeUndefined();
    expect(f.parseErrors()).toEqual([]);
  });

  it('scans Prisma // and /// comments outside strings', () => {
    const f = fixture('schema.prisma');
    expect(f.comments()).toEqual([
      { line: 1, text: '// Prisma schema' },
      { line: 4, text: '// the url' },
      { line: 7, text: '/// A user of the app' },
    ]);
  });

  it('scans JSONC comments in .json files and nothing in plain text', () => {
    const f = fileOf('tsconfig.json', '{\n  // strict\n  "a": "//not", /* b */ "c": 1\n}\n');
    expect(f.comments()).toEqual([
      { line: 2, text: '// strict' },
      { line: 3, text: '/* b */' },
    ]);
    expect(fileOf('README.md', '# Title\n// nope').comments()).toEqual([]);
  });
});
