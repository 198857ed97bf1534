import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLines, splitLinesKeepEnds } from '../../src/source/line-diff.js';

/** Reference LCS length by dynamic programming: slow, obviously correct. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(row[j]!, row[j - 1]!);
      diag = up;
    }
  }
  return row[b.length]!;
}

const kept = (lines: readonly string[], marked: readonly number[]) => {
  const set = new Set(marked);
  return lines.filter((_, i) => !set.has(i + 1));
};

describe('splitLinesKeepEnds', () => {
  it('keeps each terminator with its line and a last line without one', () => {
    expect(splitLinesKeepEnds('a\nb\r\nc')).toEqual(['a\n', 'b\r\n', 'c']);
    expect(splitLinesKeepEnds('a\n')).toEqual(['a\n']);
    expect(splitLinesKeepEnds('')).toEqual([]);
    expect(splitLinesKeepEnds('\n\n')).toEqual(['\n', '\n']);
  });
});

describe('diffLines', () => {
  it('marks an inserted line and nothing else', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'b', 'c'])).toEqual({ removed: [], added: [2] });
  });

  it('marks a deleted line at the base', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'c'])).toEqual({ removed: [2], added: [] });
  });

  it('marks a replaced line on both sides', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'B', 'c'])).toEqual({ removed: [2], added: [2] });
  });

  it('marks the appended copy when a duplicate line is appended', () => {
    expect(diffLines(['x', 'y'], ['x', 'y', 'x', 'y'])).toEqual({ removed: [], added: [3, 4] });
  });

  it('handles empty sides', () => {
    expect(diffLines([], ['a', 'b'])).toEqual({ removed: [], added: [1, 2] });
    expect(diffLines(['a', 'b'], [])).toEqual({ removed: [1, 2], added: [] });
    expect(diffLines([], [])).toEqual({ removed: [], added: [] });
  });

  it('replaces everything when nothing is shared', () => {
    expect(diffLines(['a', 'b'], ['c', 'd', 'e'])).toEqual({ removed: [1, 2], added: [1, 2, 3] });
  });

  it('finds scattered edits in a longer file', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const b = [...a];
    b.splice(15, 1, 'changed 16'); // replace line 16
    b.splice(9, 0, 'new A', 'new B'); // insert before old line 10
    b.splice(2, 1); // delete line 3
    expect(diffLines(a, b)).toEqual({ removed: [3, 16], added: [9, 10, 17] });
  });

  it('is fast on a large file with a few edits', () => {
    const a = Array.from({ length: 100_000 }, (_, i) => `line ${i}`);
    const b = [...a];
    for (let i = 0; i < 10; i++) b[i * 9_000 + 5] = `edited ${i}`;
    const started = performance.now();
    const d = diffLines(a, b);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(d.added).toEqual(Array.from({ length: 10 }, (_, i) => i * 9_000 + 6));
    expect(d.removed).toEqual(d.added);
  });

  it('handles a large, thoroughly different pair in bounded memory', () => {
    // Quadratic-space Myers would need ~D² = 10⁸ cells here; the bisection needs O(n).
    const a = Array.from({ length: 5_000 }, (_, i) => `a${i % 97}`);
    const b = Array.from({ length: 5_000 }, (_, i) => `a${(i * 7) % 101}`);
    const d = diffLines(a, b);
    expect(kept(a, d.removed)).toEqual(kept(b, d.added));
  });

  it('property: unmarked lines form a common subsequence of maximal length (a minimal diff)', () => {
    // A small alphabet makes repeated lines, the hard case for a diff.
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 40 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const d = diffLines(a, b);
        // Sorted, 1-based, in range.
        expect(d.removed).toEqual([...d.removed].sort((x, y) => x - y));
        expect(d.added).toEqual([...d.added].sort((x, y) => x - y));
        for (const n of d.removed) expect(n >= 1 && n <= a.length).toBe(true);
        for (const n of d.added) expect(n >= 1 && n <= b.length).toBe(true);
        // Every head line not in addedLines appears in the base in order (and is not removed there).
        const common = kept(a, d.removed);
        expect(kept(b, d.added)).toEqual(common);
        expect(common.length).toBe(lcsLength(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: for random line edits, added lines are exactly the inserted ones when inserts are unique', () => {
    // Apply random inserts of never-seen lines and deletions to a base; the diff must recover them.
    const edit = fc.record({
      base: fc.array(fc.constantFrom('x', 'y', 'z', 'x y'), { minLength: 0, maxLength: 30 }),
      ops: fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat()), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(edit, ({ base, ops }) => {
        const head: string[] = [...base];
        let fresh = 0;
        for (const [insert, at, count] of ops) {
          if (insert) {
            const pos = head.length === 0 ? 0 : at % (head.length + 1);
            head.splice(pos, 0, ...Array.from({ length: (count % 3) + 1 }, () => `new ${fresh++}`));
          } else if (head.length > 0) {
            head.splice(at % head.length, 1);
          }
        }
        const d = diffLines(base, head);
        const inserted = head.flatMap((l, i) => (l.startsWith('new ') ? [i + 1] : []));
        // Every fresh line is added; the remaining added lines must be base lines moved by deletions,
        // and the diff is minimal, so their count equals what a DP LCS says.
        for (const n of inserted) expect(d.added).toContain(n);
        expect(d.added.length + d.removed.length).toBe(base.length + head.length - 2 * lcsLength(base, head));
      }),
      { numRuns: 1000 },
    );
  });
});
