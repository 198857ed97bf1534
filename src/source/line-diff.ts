/**
 * A minimal line diff (Myers' O(ND) algorithm with the linear-space "middle snake" bisection), used by the
 * in-memory change set to say exactly which lines a change added and removed.
 *
 * The result is minimal: removed + added equals |a| + |b| − 2·LCS(a, b), and the lines left unmarked on
 * both sides form a common subsequence. Ties are broken like most diff tools: common prefixes and
 * suffixes are matched first, so appending a duplicate line marks the appended copy.
 */

/** The 1-based line numbers a diff removed from `a` and added in `b`, each sorted ascending. */
export interface LineDiff {
  removed: number[];
  added: number[];
}

/**
 * Splits text into lines that keep their terminator ("a\n", "b\r\n", and a last "c" without one), the way
 * git compares them: changing only a line ending, or adding the final newline, changes that line.
 */
export function splitLinesKeepEnds(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) break;
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** Computes a minimal diff between two line arrays. Lines are compared with `===`. */
export function diffLines(a: readonly string[], b: readonly string[]): LineDiff {
  // Intern lines as integers so the inner loops compare numbers, not strings.
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]): Int32Array => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let id = ids.get(line);
      if (id === undefined) {
        id = ids.size;
        ids.set(line, id);
      }
      out[i] = id;
    }
    return out;
  };
  const differ = new Differ(intern(a), intern(b));
  differ.run(0, a.length, 0, b.length);
  const removed: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < a.length; i++) if (differ.removedMask[i]) removed.push(i + 1);
  for (let j = 0; j < b.length; j++) if (differ.addedMask[j]) added.push(j + 1);
  return { removed, added };
}

class Differ {
  readonly removedMask: Uint8Array;
  readonly addedMask: Uint8Array;
  // Reused across bisections: sized for the largest possible D, (n + m) / 2 + 1 on each side of 0.
  private readonly forward: Int32Array;
  private readonly backward: Int32Array;

  constructor(
    private readonly a: Int32Array,
    private readonly b: Int32Array,
  ) {
    this.removedMask = new Uint8Array(a.length);
    this.addedMask = new Uint8Array(b.length);
    const size = 2 * (Math.ceil((a.length + b.length) / 2) + 2) + 1;
    this.forward = new Int32Array(size);
    this.backward = new Int32Array(size);
  }

  /** Diffs a[aLo, aHi) against b[bLo, bHi), marking removed and added positions. */
  run(aLo: number, aHi: number, bLo: number, bHi: number): void {
    const { a, b } = this;
    // Matching a common prefix and suffix is always part of some minimal edit script, and stripping them
    // keeps the bisection small and the tie-break predictable. It is also what guarantees progress: once
    // the ends differ, the middle snake can never be the whole range, so both halves are smaller.
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      aLo++;
      bLo++;
    }
    while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) {
      aHi--;
      bHi--;
    }
    if (aLo === aHi) {
      this.addedMask.fill(1, bLo, bHi);
      return;
    }
    if (bLo === bHi) {
      this.removedMask.fill(1, aLo, aHi);
      return;
    }
    const split = this.middleSnake(aLo, aHi, bLo, bHi);
    if (split === undefined) {
      // No line in common at all: everything is replaced.
      this.removedMask.fill(1, aLo, aHi);
      this.addedMask.fill(1, bLo, bHi);
      return;
    }
    this.run(aLo, aLo + split.x, bLo, bLo + split.y);
    this.run(aLo + split.x, aHi, bLo + split.y, bHi);
  }

  /**
   * Finds a point (x, y), relative to (aLo, bLo), that lies on some shortest edit path, by running the
   * greedy search forward from the start and backward from the end until the two frontiers overlap.
   * Returns undefined when the ranges share no line (the only shortest path is delete-all, insert-all).
   */
  private middleSnake(aLo: number, aHi: number, bLo: number, bHi: number): { x: number; y: number } | undefined {
    const { a, b, forward: v1, backward: v2 } = this;
    const n = aHi - aLo;
    const m = bHi - bLo;
    const maxD = Math.ceil((n + m) / 2);
    const offset = maxD + 1;
    const width = 2 * offset + 1;
    // v1[offset + k]: the furthest x reached on diagonal k (k = x − y) going forward; v2 the same going
    // backward, with x counted from the end. -1 means "not reached yet".
    v1.fill(-1, 0, width);
    v2.fill(-1, 0, width);
    v1[offset + 1] = 0;
    v2[offset + 1] = 0;
    const delta = n - m;
    // When delta is odd the paths can first meet during a forward step, otherwise during a backward step.
    const checkOnForward = (delta & 1) !== 0;
    // Diagonals that ran off the grid are skipped in later rounds.
    let k1Start = 0;
    let k1End = 0;
    let k2Start = 0;
    let k2End = 0;
    for (let d = 0; d < maxD; d++) {
      for (let k1 = -d + k1Start; k1 <= d - k1End; k1 += 2) {
        const k1Offset = offset + k1;
        let x1 =
          k1 === -d || (k1 !== d && v1[k1Offset - 1]! < v1[k1Offset + 1]!) ? v1[k1Offset + 1]! : v1[k1Offset - 1]! + 1;
        let y1 = x1 - k1;
        while (x1 < n && y1 < m && a[aLo + x1] === b[bLo + y1]) {
          x1++;
          y1++;
        }
        v1[k1Offset] = x1;
        if (x1 > n) {
          k1End += 2;
        } else if (y1 > m) {
          k1Start += 2;
        } else if (checkOnForward) {
          const k2Offset = offset + delta - k1;
          if (k2Offset >= 0 && k2Offset < width && v2[k2Offset] !== -1) {
            const x2 = n - v2[k2Offset]!;
            if (x1 >= x2) return { x: x1, y: y1 };
          }
        }
      }
      for (let k2 = -d + k2Start; k2 <= d - k2End; k2 += 2) {
        const k2Offset = offset + k2;
        let x2 =
          k2 === -d || (k2 !== d && v2[k2Offset - 1]! < v2[k2Offset + 1]!) ? v2[k2Offset + 1]! : v2[k2Offset - 1]! + 1;
        let y2 = x2 - k2;
        while (x2 < n && y2 < m && a[aHi - 1 - x2] === b[bHi - 1 - y2]) {
          x2++;
          y2++;
        }
        v2[k2Offset] = x2;
        if (x2 > n) {
          k2End += 2;
        } else if (y2 > m) {
          k2Start += 2;
        } else if (!checkOnForward) {
          const k1Offset = offset + delta - k2;
          if (k1Offset >= 0 && k1Offset < width && v1[k1Offset] !== -1) {
            const x1 = v1[k1Offset]!;
            const y1 = x1 - (k1Offset - offset);
            if (x1 >= n - x2) return { x: x1, y: y1 };
          }
        }
      }
    }
    return undefined;
  }
}
