import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RawPatchParser } from '../../src/source/git-diff.js';
import { cleanupTempDirs, makeRepo } from './helpers.js';

afterAll(cleanupTempDirs);

/** The exact invocation git.ts streams, captured whole so it can be re-fed in arbitrary pieces. */
function diffOutput(dir: string, from: string, to: string): Buffer {
  return execFileSync(
    'git',
    [
      '-c',
      'core.quotePath=false',
      'diff-tree',
      '-r',
      '-z',
      '-M',
      '--raw',
      '-p',
      '-U0',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--no-relative',
      '--submodule=short',
      from,
      to,
    ],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  );
}

function parseInPieces(out: Buffer, cuts: number[]) {
  const parser = new RawPatchParser();
  let prev = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.push(out.subarray(prev, cut));
    prev = cut;
  }
  parser.push(out.subarray(prev));
  return parser.finish();
}

describe('RawPatchParser', () => {
  const repo = makeRepo();
  repo.writeAll({
    'a.txt': 'one\ntwo\nthree\n',
    'weird "name"\nwith newline.txt': 'x\n',
    'gone.txt': 'bye\n',
  });
  const base = repo.commit('base');
  repo.writeAll({
    'a.txt': 'one\nTWO\nthree\nfour\n',
    'weird "name"\nwith newline.txt': 'x\ny\n',
    'Ünïcode dir/new file.txt': 'hello\n',
    'big.min.js': `${'x'.repeat(100_000)}\n`,
  });
  repo.git('rm', '-q', 'gone.txt');
  const head = repo.commit('head');
  const out = diffOutput(repo.dir, base, head);

  it('reads paths verbatim from the raw records, even with quotes and newlines', () => {
    const files = parseInPieces(out, []);
    expect(files.map((f) => [f.path, f.status, f.addedLines, f.removedLines])).toEqual([
      ['a.txt', 'modified', [2, 4], [2]],
      ['big.min.js', 'added', [1], []],
      ['gone.txt', 'removed', [], [1]],
      ['weird "name"\nwith newline.txt', 'modified', [2], []],
      ['Ünïcode dir/new file.txt', 'added', [1], []],
    ]);
  });

  it('gives the same result however the stream is split', () => {
    const whole = parseInPieces(out, []);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: out.length }), { maxLength: 40 }), (cuts) => {
        expect(parseInPieces(out, cuts)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
    // One byte at a time is the harshest split.
    expect(
      parseInPieces(
        out,
        Array.from({ length: out.length }, (_, i) => i),
      ),
    ).toEqual(whole);
  });

  it('refuses output whose patches do not match its records', () => {
    const parser = new RawPatchParser();
    // Only the raw section: the patches are missing, so line numbers cannot be attributed.
    parser.push(out.subarray(0, out.indexOf('\0\0diff --git') + 2));
    expect(() => parser.finish()).toThrow(/5 changes but 0 patches/);
  });

  it('returns nothing for empty output', () => {
    expect(new RawPatchParser().finish()).toEqual([]);
  });
});
