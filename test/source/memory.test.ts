import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitChangeSet } from '../../src/source/git.js';
import { memoryChangeSet, memorySnapshot } from '../../src/source/memory.js';
import { cleanupTempDirs, makeRepo } from './helpers.js';

afterAll(cleanupTempDirs);

const text = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');
const only = (base: Record<string, string | Uint8Array>, head: Record<string, string | Uint8Array>) => {
  const files = memoryChangeSet({ base, head }).files;
  expect(files).toHaveLength(1);
  return files[0]!;
};

describe('memoryChangeSet line numbers', () => {
  it('insert: only the inserted lines are added', () => {
    expect(only({ 'a.ts': text('a', 'b', 'c') }, { 'a.ts': text('a', 'x', 'y', 'b', 'c') })).toEqual({
      path: 'a.ts',
      status: 'modified',
      addedLines: [2, 3],
      removedLines: [],
      binary: false,
    });
  });

  it('delete: lines are removed at the base, nothing added', () => {
    expect(only({ 'a.ts': text('a', 'b', 'c', 'd') }, { 'a.ts': text('a', 'd') })).toMatchObject({
      addedLines: [],
      removedLines: [2, 3],
    });
  });

  it('replace: the changed line on both sides', () => {
    expect(only({ 'a.ts': text('a', 'b', 'c') }, { 'a.ts': text('a', 'B', 'c') })).toMatchObject({
      addedLines: [2],
      removedLines: [2],
    });
  });

  it('append at the end and prepend at the start', () => {
    expect(only({ 'a.ts': text('a') }, { 'a.ts': text('a', 'b') })).toMatchObject({
      addedLines: [2],
      removedLines: [],
    });
    expect(only({ 'a.ts': text('a') }, { 'a.ts': text('z', 'a') })).toMatchObject({
      addedLines: [1],
      removedLines: [],
    });
  });

  it('adding the missing final newline changes the last line, as in git', () => {
    expect(only({ 'a.ts': 'a\nb' }, { 'a.ts': 'a\nb\n' })).toMatchObject({ addedLines: [2], removedLines: [2] });
  });

  it('CRLF lines compare with their line ending', () => {
    expect(only({ 'a.txt': 'one\r\ntwo\r\n' }, { 'a.txt': 'one\r\nTWO\r\n' })).toMatchObject({
      addedLines: [2],
      removedLines: [2],
    });
    expect(only({ 'a.txt': 'one\r\ntwo\r\n' }, { 'a.txt': 'one\ntwo\n' })).toMatchObject({
      addedLines: [1, 2],
      removedLines: [1, 2],
    });
  });

  it('an added file adds every line; a removed one removes every line; empty files have none', () => {
    const cs = memoryChangeSet({
      base: { 'gone.py': text('x', 'y'), e0: '' },
      head: { 'new.py': text('1', '2', '3'), e1: '' },
    });
    expect(cs.files).toEqual([
      // Two empty files are identical, so git calls this a rename (see the statuses below).
      { path: 'e1', previousPath: 'e0', status: 'renamed', addedLines: [], removedLines: [], binary: false },
      { path: 'gone.py', status: 'removed', addedLines: [], removedLines: [1, 2], binary: false },
      { path: 'new.py', status: 'added', addedLines: [1, 2, 3], removedLines: [], binary: false },
    ]);
  });
});

describe('memoryChangeSet statuses', () => {
  const body = Array.from({ length: 10 }, (_, i) => `line ${i}`);

  it('detects an exact rename', () => {
    expect(only({ 'src/a.ts': text(...body) }, { 'lib/a.ts': text(...body) })).toEqual({
      path: 'lib/a.ts',
      previousPath: 'src/a.ts',
      status: 'renamed',
      addedLines: [],
      removedLines: [],
      binary: false,
    });
  });

  it('detects a rename with edits and reports the edited lines', () => {
    const edited = [...body];
    edited[4] = 'line four, edited';
    edited.push('line 10');
    expect(only({ 'old.ts': text(...body) }, { 'new.ts': text(...edited) })).toMatchObject({
      status: 'renamed',
      previousPath: 'old.ts',
      addedLines: [5, 11],
      removedLines: [5],
    });
  });

  it('does not call a mostly rewritten file a rename', () => {
    const rewritten = body.map((l, i) => (i < 6 ? `${l} rewritten` : l));
    const cs = memoryChangeSet({ base: { 'old.ts': text(...body) }, head: { 'new.ts': text(...rewritten) } });
    expect(cs.files.map((f) => f.status)).toEqual(['added', 'removed']);
  });

  it('pairs the most similar files when several are moved', () => {
    const a = Array.from({ length: 10 }, (_, i) => `alpha ${i}`);
    const b = Array.from({ length: 10 }, (_, i) => `beta ${i}`);
    const cs = memoryChangeSet({
      base: { 'x/a.ts': text(...a), 'x/b.ts': text(...b) },
      head: { 'y/one.ts': text(...b.slice(0, 8)), 'y/two.ts': text(...a, 'alpha 10') },
    });
    expect(cs.files.map((f) => [f.previousPath, f.path, f.status])).toEqual([
      ['x/b.ts', 'y/one.ts', 'renamed'],
      ['x/a.ts', 'y/two.ts', 'renamed'],
    ]);
  });

  it('pairs identical empty files as git diff does: added files in path order take the first unused removed one', () => {
    const cs = memoryChangeSet({
      base: { 'a/r1': '', 'a/r2': '', 'a/r3': '', 'b/t4': '' },
      head: { 'a/t0': '', 'a/t1': '', 'a/t2': '', 'a/t4': '', 'c/t4': '' },
    });
    expect(cs.files.map((f) => [f.previousPath, f.path, f.status])).toEqual([
      ['a/r1', 'a/t0', 'renamed'],
      ['a/r2', 'a/t1', 'renamed'],
      ['a/r3', 'a/t2', 'renamed'],
      ['b/t4', 'a/t4', 'renamed'],
      [undefined, 'c/t4', 'added'],
    ]);
  });

  it('flags binary files through the decoder and gives them no lines', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0a, 0x0a]);
    const png2 = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0a, 0x0b]);
    expect(only({ 'logo.png': png }, { 'logo.png': png2 })).toEqual({
      path: 'logo.png',
      status: 'modified',
      addedLines: [],
      removedLines: [],
      binary: true,
    });
    expect(only({}, { 'logo.png': png })).toMatchObject({ status: 'added', binary: true, addedLines: [] });
  });

  it('leaves unchanged files out, sorts by path, and names the refs', () => {
    const cs = memoryChangeSet({
      base: { 'b.ts': 'same\n', 'a.ts': 'x\n' },
      head: { 'b.ts': 'same\n', 'a.ts': 'y\n', 'c.ts': 'z\n' },
    });
    expect(cs.files.map((f) => f.path)).toEqual(['a.ts', 'c.ts']);
    expect([cs.baseRef, cs.headRef]).toEqual(['base', 'head']);
    const named = memoryChangeSet({ base: {}, head: {}, baseRef: 'main', headRef: 'pr-7' });
    expect([named.baseRef, named.headRef]).toEqual(['main', 'pr-7']);
  });
});

describe('memorySnapshot', () => {
  const snap = memorySnapshot({
    'src/b.ts': 'import client from "prom-client";\n',
    'src/a.ts': 'export const a = 1;\n',
    '.github/readiness.yml': 'fail-on: blocker\n',
    'bom.txt': '\uFEFFhello\n',
    'latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    'bin.dat': new Uint8Array([1, 0, 2]),
  });

  it('lists sorted paths, with dot files matched by globs', async () => {
    expect(await snap.list()).toEqual([
      '.github/readiness.yml',
      'bin.dat',
      'bom.txt',
      'latin1.txt',
      'src/a.ts',
      'src/b.ts',
    ]);
    expect(await snap.list(['**/*.yml'])).toEqual(['.github/readiness.yml']);
    expect(await snap.list(['src/*.ts', '*.txt'])).toEqual(['bom.txt', 'latin1.txt', 'src/a.ts', 'src/b.ts']);
  });

  it('reads through decodeSource: BOM stripped, invalid UTF-8 decoded as windows-1252, binary and missing files skipped', async () => {
    const bom = await snap.read('bom.txt');
    expect(bom.ok && bom.file.text).toBe('hello\n');
    const latin1 = await snap.read('latin1.txt');
    expect(latin1.ok && latin1.file.irregular).toMatch(/^not valid UTF-8 .*read as windows-1252$/);
    expect(await snap.read('bin.dat')).toMatchObject({ ok: false, reason: 'binary' });
    expect(await snap.read('nope.ts')).toMatchObject({ ok: false, reason: 'missing' });
    expect(await snap.read('src/a.ts')).toBe(await snap.read('src/a.ts')); // cached
  });

  it('applies maxFileBytes', async () => {
    const small = memorySnapshot({ 'a.ts': 'x'.repeat(11) }, { maxFileBytes: 10 });
    expect(await small.read('a.ts')).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('greps literally within globs', async () => {
    expect(await snap.grep(['prom-client', 'fail-on'])).toEqual(['.github/readiness.yml', 'src/b.ts']);
    expect(await snap.grep(['prom-client', 'fail-on'], ['src/**'])).toEqual(['src/b.ts']);
    expect(await snap.grep(['a.*'])).toEqual([]);
    expect(await snap.grep([])).toEqual([]);
  });

  it('has() and a content-derived sha', async () => {
    expect(await snap.has('src/a.ts')).toBe(true);
    expect(await snap.has('src')).toBe(false);
    expect(memorySnapshot({ a: 'x' }).sha).toBe(memorySnapshot({ a: 'x' }).sha);
    expect(memorySnapshot({ a: 'x' }).sha).not.toBe(memorySnapshot({ a: 'y' }).sha);
    expect(memorySnapshot({ a: 'x' }).sha).toMatch(/^[0-9a-f]{40}$/);
    expect(memorySnapshot({}, { sha: 'fixture' }).sha).toBe('fixture');
  });
});

describe('memoryChangeSet agrees with git', () => {
  // Random edits that keep surviving lines in order (insert fresh lines, delete, replace), so the
  // common subsequence is unique and any correct diff must give these exact line numbers.
  const edits = fc.record({
    files: fc.array(
      fc.record({
        base: fc.integer({ min: 0, max: 15 }),
        ops: fc.array(
          fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), fc.integer({ min: 1, max: 3 })),
          { maxLength: 6 },
        ),
        crlf: fc.boolean(),
        finalNewline: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  });

  it('property: same files, statuses and line numbers as git diff for random edits', async () => {
    const repo = makeRepo();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(edits, async ({ files }) => {
        round++;
        const base: Record<string, string> = {};
        const head: Record<string, string> = {};
        files.forEach((f, n) => {
          const eol = f.crlf ? '\r\n' : '\n';
          const baseLines = Array.from({ length: f.base }, (_, i) => `file ${n} line ${i}`);
          const headLines = [...baseLines];
          let fresh = 0;
          for (const [op, at, count] of f.ops) {
            const pos = headLines.length === 0 ? 0 : at % headLines.length;
            const news = Array.from({ length: count }, () => `round ${round} new ${fresh++}`);
            if (op === 'insert') headLines.splice(at % (headLines.length + 1), 0, ...news);
            else if (headLines.length > 0)
              headLines.splice(pos, op === 'delete' ? count : 1, ...(op === 'replace' ? news : []));
          }
          const join = (ls: string[]) => ls.join(eol) + (ls.length && f.finalNewline ? eol : '');
          if (baseLines.length || n % 2 === 0) base[`dir ${n}/f${n}.txt`] = join(baseLines);
          if (headLines.length || n % 3 === 0) head[`dir ${n}/f${n}.txt`] = join(headLines);
        });

        // Write base, commit, write head, commit: the same trees git diffs.
        rmSync(join(repo.dir, 'tree'), { recursive: true, force: true });
        for (const [p, c] of Object.entries(base)) repo.write(`tree/${p}`, c);
        const baseSha = repo.commit(`base ${round}`);
        rmSync(join(repo.dir, 'tree'), { recursive: true, force: true });
        for (const [p, c] of Object.entries(head)) repo.write(`tree/${p}`, c);
        repo.commit(`head ${round}`);

        const cs = await gitChangeSet({ cwd: repo.dir, base: baseSha });
        await cs.close();
        const fromGit = cs.files.map((f) => ({
          ...f,
          path: f.path.slice('tree/'.length),
          ...(f.previousPath ? { previousPath: f.previousPath.slice('tree/'.length) } : {}),
          oldMode: undefined,
          newMode: undefined,
        }));
        const fromMemory = memoryChangeSet({ base, head }).files.map((f) => ({
          ...f,
          oldMode: undefined,
          newMode: undefined,
        }));
        expect(fromMemory).toEqual(fromGit);
      }),
      { numRuns: 40, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  }, 120_000);
});
