/**
 * Unified diffs for the fake's PR files and compare endpoints, in the shape GitHub puts in a file's
 * `patch` field: hunks only (no `---`/`+++` header), three lines of context, and
 * `\ No newline at end of file` where it applies. Consumers parse added line ranges out of these, so
 * they have to be real diffs, not placeholders.
 */

/** Marks the last line of a file that has no trailing newline, so `a` and `a\n` differ as they do in git. */
const NO_EOL = '\u0000no-eol';

interface Edit {
  op: ' ' | '-' | '+';
  line: string;
}

/** Result of diffing two texts. */
export interface TextDiff {
  patch: string;
  additions: number;
  deletions: number;
}

/** Above this many cells the LCS table is skipped and the changed middle is treated as a replacement. */
const MAX_LCS_CELLS = 4_000_000;

/** Diffs two texts line by line. `undefined` stands for "file absent" (added or removed file). */
export function unifiedDiff(before: string | undefined, after: string | undefined, context = 3): TextDiff {
  const a = splitLines(before ?? '');
  const b = splitLines(after ?? '');
  const edits = diffLines(a, b);
  const additions = edits.filter((e) => e.op === '+').length;
  const deletions = edits.filter((e) => e.op === '-').length;
  return { patch: formatHunks(edits, context), additions, deletions };
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

function diffLines(a: string[], b: string[]): Edit[] {
  // Common prefix and suffix first: most PR edits are local, and this keeps the LCS table small.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = a.slice(0, start).map((line) => ({ op: ' ', line }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > MAX_LCS_CELLS) {
    for (const line of midA) edits.push({ op: '-', line });
    for (const line of midB) edits.push({ op: '+', line });
  } else {
    edits.push(...lcsEdits(midA, midB));
  }
  for (const line of a.slice(endA)) edits.push({ op: ' ', line });
  return edits;
}

function lcsEdits(a: string[], b: string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  // lengths[i][j] = LCS length of a[i..] and b[j..], flattened.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * (m + 1) + j + 1]! + 1
          : Math.max(lengths[(i + 1) * (m + 1) + j]!, lengths[i * (m + 1) + j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lengths[(i + 1) * (m + 1) + j]! >= lengths[i * (m + 1) + j + 1]!) {
      edits.push({ op: '-', line: a[i]! });
      i++;
    } else {
      edits.push({ op: '+', line: b[j]! });
      j++;
    }
  }
  while (i < n) edits.push({ op: '-', line: a[i++]! });
  while (j < m) edits.push({ op: '+', line: b[j++]! });
  return edits;
}

function formatHunks(edits: Edit[], context: number): string {
  const changed = edits.map((e, i) => (e.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  // Group changes whose context windows touch into one hunk.
  const ranges: Array<[number, number]> = [];
  for (const i of changed) {
    const lo = Math.max(0, i - context);
    const hi = Math.min(edits.length - 1, i + context);
    const last = ranges[ranges.length - 1];
    if (last && lo <= last[1] + 1) last[1] = hi;
    else ranges.push([lo, hi]);
  }
  // Line numbers (1-based) before each edit index.
  const oldLineAt: number[] = [];
  const newLineAt: number[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const e of edits) {
    oldLineAt.push(oldLine);
    newLineAt.push(newLine);
    if (e.op !== '+') oldLine++;
    if (e.op !== '-') newLine++;
  }
  const out: string[] = [];
  for (const [lo, hi] of ranges) {
    const slice = edits.slice(lo, hi + 1);
    const oldCount = slice.filter((e) => e.op !== '+').length;
    const newCount = slice.filter((e) => e.op !== '-').length;
    // An empty side is reported at the line before it, as `diff -u` and git do (`-0,0` for a new file).
    const oldStart = oldCount === 0 ? oldLineAt[lo]! - 1 : oldLineAt[lo]!;
    const newStart = newCount === 0 ? newLineAt[lo]! - 1 : newLineAt[lo]!;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const e of slice) {
      if (e.line.endsWith(NO_EOL))
        out.push(`${e.op}${e.line.slice(0, -NO_EOL.length)}`, '\\ No newline at end of file');
      else out.push(`${e.op}${e.line}`);
    }
  }
  return out.join('\n');
}
