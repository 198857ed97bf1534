/**
 * Property: whatever bytes arrive, decoding and every getter either work or report — they never throw.
 * (Parse errors are data; only a missing loadParsers call may throw, and everything is loaded here.)
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSource, loadParsers } from '../../src/lang/index.js';

beforeAll(async () => {
  await loadParsers([
    'typescript',
    'tsx',
    'javascript',
    'python',
    'go',
    'sql',
    'yaml',
    'dockerfile',
    'json',
    'toml',
    'prisma',
    'text',
  ]);
});

const PATHS = [
  'a.ts',
  'a.tsx',
  'a.js',
  'a.py',
  'a.go',
  'm.sql',
  'c.yaml',
  'Dockerfile',
  'p.json',
  'p.toml',
  's.prisma',
  'README',
];

// Fragments that exercise every scanner's edge: quotes, comment markers, templates, dollar quotes, CRs.
const FRAGMENTS = [
  '{{',
  '}}',
  '${{',
  "'",
  '"',
  '`',
  '${',
  '}',
  '$$',
  '$t$',
  '/*',
  '*/',
  '--',
  '//',
  '#',
  '"""',
  "'''",
  '\\',
  '\r\n',
  '\r',
  '\n',
  ' ',
  '\t',
  'SELECT 1;',
  'ALTER TABLE t ADD c int;',
  'a: 1',
  '- x',
  '---',
  'FROM x',
  'RUN \\',
  'def f():',
  'function f() {',
  'import x from "y";',
  'package main',
  '😀',
  'é',
  '\u2028',
  '\0',
];

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((parts) => new TextEncoder().encode(parts.join(''))),
);

describe('decodeSource and getters', () => {
  it('never throw, for any bytes and any language', () => {
    let parsed = 0;
    fc.assert(
      fc.property(bytesArb, fc.constantFrom(...PATHS), fc.integer({ min: -5, max: 400 }), (bytes, path, probe) => {
        const read = decodeSource(path, bytes);
        if (!read.ok) {
          expect(['binary', 'not-utf8', 'too-large']).toContain(read.reason);
          expect(read.detail.length).toBeGreaterThan(0);
          return;
        }
        parsed++;
        const f = read.file;
        const lines = f.lines();
        expect(Array.isArray(lines)).toBe(true);
        const line = f.lineAt(probe);
        expect(line).toBeGreaterThanOrEqual(1);
        expect(typeof f.lineText(line)).toBe('string');
        f.tree();
        f.sql();
        f.yaml();
        f.dockerfile();
        for (const c of f.comments()) {
          expect(c.line).toBeGreaterThanOrEqual(1);
          expect(c.line).toBeLessThanOrEqual(Math.max(1, lines.length + 1));
        }
        for (const e of f.parseErrors()) expect(typeof e).toBe('string');
        const sql = f.sql();
        for (const s of sql?.statements ?? []) {
          expect(f.text.slice(s.start, s.end)).toBe(s.text);
          expect(s.line).toBeLessThanOrEqual(s.endLine);
        }
        f.dispose();
      }),
      { numRuns: 1500 },
    );
    // The generators must actually reach the getters, not only the refusal paths.
    expect(parsed).toBeGreaterThan(500);
  });
});
