/**
 * The API-only change set: line numbers from patches (or a local diff when GitHub gives none), binary
 * and mode-only changes, renames, the byte budget, and that it agrees with the in-memory change set.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  githubChangeSet,
  linesFromPatch,
  type ApiPullFile,
  type ApiTreeEntry,
  type GitHubReader,
} from '../../src/source/github.js';
import { memoryChangeSet } from '../../src/source/memory.js';

const sha = (s: string | Uint8Array) => createHash('sha1').update(s).digest('hex');

/** A reader over two in-memory trees, counting blob downloads. */
function fakeReader(
  trees: Record<string, Record<string, string | Uint8Array>>,
  files: ApiPullFile[],
  truncated = false,
) {
  const blobs = new Map<string, Uint8Array>();
  const downloads: string[] = [];
  const reader: GitHubReader = {
    listPullFiles: async () => ({ files, truncated }),
    getTree: async (commit) => ({
      truncated: false,
      entries: Object.entries(trees[commit] ?? {}).map(([path, content]): ApiTreeEntry => {
        const bytes = typeof content === 'string' ? Buffer.from(content) : content;
        const id = sha(bytes);
        blobs.set(id, bytes);
        return { path, mode: '100644', type: 'blob', sha: id, size: bytes.length };
      }),
    }),
    getBlob: async (id) => {
      downloads.push(id);
      return blobs.get(id)!;
    },
  };
  return { reader, downloads };
}

describe('linesFromPatch', () => {
  it('reads added and removed line numbers from hunks', () => {
    const patch = '@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n@@ -10 +11,2 @@\n x\n+y\n\\ No newline at end of file';
    expect(linesFromPatch(patch)).toEqual({ added: [2, 3, 12], removed: [2] });
  });
});

describe('githubChangeSet', () => {
  const base = {
    'src/a.ts': 'a\nb\nc\n',
    'src/old.ts': 'keep\n',
    'bin.png': new Uint8Array([1, 0, 2]),
    'run.sh': 'echo\n',
  };
  const head = {
    'src/a.ts': 'a\nB\nC\nc\n',
    'src/new.ts': 'keep\n',
    'bin.png': new Uint8Array([1, 0, 3]),
    'run.sh': 'echo\n',
    'big.sql': 'SELECT 1;\n'.repeat(3),
  };

  it('maps statuses, patches, renames, binaries, mode-only changes and patch-less diffs', async () => {
    const { reader } = fakeReader({ b: base, h: head }, [
      { filename: 'src/a.ts', status: 'modified', patch: '@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c', changes: 3 },
      { filename: 'src/new.ts', previous_filename: 'src/old.ts', status: 'renamed', changes: 0 },
      { filename: 'bin.png', status: 'modified', changes: 1 },
      { filename: 'run.sh', status: 'modified', changes: 0 },
      { filename: 'big.sql', status: 'added', changes: 3 },
    ]);
    const cs = await githubChangeSet({ reader, baseSha: 'b', headSha: 'h', baseRef: 'main', headRef: 'pr' });
    const byPath = Object.fromEntries(cs.files.map((f) => [f.path, f]));
    expect(byPath['src/a.ts']).toMatchObject({ status: 'modified', addedLines: [2, 3], removedLines: [2] });
    expect(byPath['src/new.ts']).toMatchObject({ status: 'renamed', previousPath: 'src/old.ts', addedLines: [] });
    expect(byPath['bin.png']).toMatchObject({ binary: true });
    expect(byPath['run.sh']?.status).toBe('mode-changed');
    expect(byPath['big.sql']).toMatchObject({ status: 'added', addedLines: [1, 2, 3] });
    expect(await cs.head.list(['src/**'])).toEqual(['src/a.ts', 'src/new.ts']);
    expect(await cs.head.grep(['B'], ['src/**'])).toEqual(['src/a.ts']);
    const read = await cs.base.read('src/old.ts');
    expect(read.ok && read.file.text).toBe('keep\n');
  });

  it('agrees with the in-memory change set on line numbers', async () => {
    const { reader } = fakeReader({ b: base, h: head }, [
      { filename: 'src/a.ts', status: 'modified', changes: 3 }, // no patch: local diff
    ]);
    const cs = await githubChangeSet({ reader, baseSha: 'b', headSha: 'h', baseRef: 'main', headRef: 'pr' });
    const mem = memoryChangeSet({ base: { 'src/a.ts': base['src/a.ts'] }, head: { 'src/a.ts': head['src/a.ts'] } });
    expect(cs.files[0]?.addedLines).toEqual(mem.files[0]?.addedLines);
    expect(cs.files[0]?.removedLines).toEqual(mem.files[0]?.removedLines);
  });

  it('stops downloading at the byte budget and records what it kept out', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 10; i++) many[`f${i}.ts`] = String(i) + 'x'.repeat(99) + '\n';
    const { reader, downloads } = fakeReader({ b: {}, h: many }, [], true);
    const cs = await githubChangeSet({
      reader,
      baseSha: 'b',
      headSha: 'h',
      baseRef: 'main',
      headRef: 'pr',
      byteBudget: 350,
    });
    const results = await Promise.all(Object.keys(many).map((p) => cs.head.read(p)));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const skipped = results.find((r) => !r.ok);
    expect(skipped).toMatchObject({ ok: false, reason: 'over-budget' });
    expect(cs.budget.used).toBe(303);
    expect(cs.budget.skipped).toHaveLength(7);
    expect(cs.budget.filesTruncated).toBe(true);
    expect(downloads).toHaveLength(3);
    // A prefilter never hides a file it could not see.
    expect((await cs.head.grep(['zzz'])).length).toBe(7);
  });

  it('downloads a blob once for both sides and every path that holds it, charging the budget once', async () => {
    const same = 'export const same = 1;\n';
    const { reader, downloads } = fakeReader(
      { b: { 'a.ts': same, 'lib/a.ts': same }, h: { 'a.ts': same, 'copy.ts': same, 'b.ts': 'changed\n' } },
      [{ filename: 'b.ts', status: 'added', changes: 1 }],
    );
    const cs = await githubChangeSet({ reader, baseSha: 'b', headSha: 'h', baseRef: 'main', headRef: 'pr' });
    const reads = await Promise.all([
      cs.base.read('a.ts'),
      cs.base.read('lib/a.ts'),
      cs.head.read('a.ts'),
      cs.head.read('copy.ts'),
      cs.head.read('b.ts'),
    ]);
    expect(reads.every((r) => r.ok && r.file.text.length > 0)).toBe(true);
    expect(downloads).toHaveLength(2);
    expect(cs.budget.used).toBe(same.length + 'changed\n'.length);
  });
});
