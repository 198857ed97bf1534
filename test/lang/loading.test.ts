/**
 * Parser loading. This file must stay alone in its module graph (vitest isolates test files), because it
 * asserts what is *not* loaded.
 */
import { describe, expect, it } from 'vitest';
import { loadedParsers, loadParsers } from '../../src/lang/index.js';
import { treeSitterParser } from '../../src/lang/parsers.js';
import { fileOf } from './helpers.js';

describe('loadParsers', () => {
  it('starts with nothing loaded and getters name the missing loadParsers call', () => {
    expect(loadedParsers().size).toBe(0);
    const py = fileOf('app/main.py', 'x = 1\n');
    expect(() => py.tree()).toThrow(
      "the python parser is not loaded (reading app/main.py); call loadParsers(['python']) before using it",
    );
    expect(() => fileOf('m.sql', 'SELECT 1;').sql()).toThrow(/the sql parser is not loaded .*loadParsers\(\['sql'\]\)/);
    expect(() => fileOf('Dockerfile', 'FROM x').dockerfile()).toThrow(/the dockerfile parser is not loaded/);
  });

  it('loads only what is asked: a Python-only change never loads the SQL or TypeScript parsers', async () => {
    await loadParsers(['python', 'python']);
    expect([...loadedParsers()]).toEqual(['python']);
    expect(fileOf('a.py', 'x = 1\n').tree()!.rootNode.type).toBe('module');
    expect(() => fileOf('m.sql', 'SELECT 1;').sql()).toThrow(/sql parser is not loaded/);
    expect(() => fileOf('a.ts', 'let x = 1').tree()).toThrow(/typescript parser is not loaded/);
  });

  it('is idempotent and safe to call concurrently', async () => {
    const pythonParser = treeSitterParser('python', 'x');
    await Promise.all([
      loadParsers(['go', 'python']),
      loadParsers(['go']),
      loadParsers(new Set(['go', 'yaml'] as const)),
      loadParsers([]),
    ]);
    expect(treeSitterParser('python', 'x')).toBe(pythonParser);
    const goParser = treeSitterParser('go', 'x');
    await loadParsers(['go']);
    expect(treeSitterParser('go', 'x')).toBe(goParser);
    expect([...loadedParsers()].sort()).toEqual(['go', 'python', 'yaml']);
  });

  it('gives each file a tree of its own language', async () => {
    await loadParsers(['typescript', 'tsx', 'javascript']);
    expect(fileOf('a.ts', 'let x: number = 1').tree()!.rootNode.hasError).toBe(false);
    expect(fileOf('a.tsx', 'const a = <div>{x as number}</div>').tree()!.rootNode.hasError).toBe(false);
    // `<T>(x)` is a type assertion in .ts but JSX-ish in .tsx; each grammar must be the right one.
    expect(fileOf('b.ts', 'const y = <number>x;').tree()!.rootNode.hasError).toBe(false);
    expect(fileOf('b.tsx', 'const y = <number>x;').tree()!.rootNode.hasError).toBe(true);
    expect(fileOf('c.js', 'const el = <App />;').tree()!.rootNode.hasError).toBe(false);
  });

  it('returns a copy, not live state', () => {
    const snapshot = loadedParsers() as Set<string>;
    expect(() => snapshot.add('sql')).not.toThrow();
    expect(loadedParsers().has('sql')).toBe(false);
  });
});
