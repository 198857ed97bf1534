/**
 * `releases()` of the API-only source (issue 14): the same answer as the git source — every tag and the
 * branches named like release lines, and the newest released commit of the snapshot's history — from
 * tag and branch listings and compare merge-bases, bounded, and "unknown" whenever it cannot be sure.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  githubChangeSet,
  MAX_RELEASE_COMPARES,
  type ApiComparison,
  type ApiRef,
  type ApiTreeEntry,
  type GitHubReader,
} from '../../src/source/github.js';

const sha = (s: string | Uint8Array) => createHash('sha1').update(s).digest('hex');

interface Graph {
  /** commit → files */
  trees: Record<string, Record<string, string>>;
  /** commit → parents */
  parents: Record<string, string[]>;
  /** commit → committer date (default: by insertion order, later commits newer) */
  dates?: Record<string, string>;
  refs: ApiRef[];
  truncated?: boolean;
}

/** A reader over a commit graph, with tags, branches and three-dot comparisons, counting calls. */
function graphReader(g: Graph, overrides: Partial<GitHubReader> = {}) {
  const calls = { refs: 0, compare: [] as string[], trees: [] as string[] };
  const blobs = new Map<string, Uint8Array>();
  const order = Object.keys(g.trees);
  const date = (c: string) => g.dates?.[c] ?? new Date(Date.UTC(2024, 0, 1 + order.indexOf(c))).toISOString();
  const ancestors = (c: string): Set<string> => {
    const seen = new Set<string>();
    const queue = [c];
    while (queue.length > 0) {
      const x = queue.shift()!;
      if (seen.has(x)) continue;
      seen.add(x);
      queue.push(...(g.parents[x] ?? []));
    }
    return seen;
  };
  const reader: GitHubReader = {
    listPullFiles: async () => ({ files: [], truncated: false }),
    getTree: async (commit) => {
      calls.trees.push(commit);
      return {
        truncated: false,
        entries: Object.entries(g.trees[commit] ?? {}).map(([path, content]): ApiTreeEntry => {
          const bytes = Buffer.from(content);
          const id = sha(bytes);
          blobs.set(id, bytes);
          return { path, mode: '100644', type: 'blob', sha: id, size: bytes.length };
        }),
      };
    },
    getBlob: async (id) => blobs.get(id)!,
    listRefs: async () => {
      calls.refs++;
      return { refs: g.refs, truncated: g.truncated ?? false };
    },
    compare: async (base, head): Promise<ApiComparison | undefined> => {
      calls.compare.push(`${base}...${head}`);
      const a = ancestors(base);
      const b = ancestors(head);
      const common = [...a].filter((c) => b.has(c)).sort((x, y) => Date.parse(date(y)) - Date.parse(date(x)));
      const mergeBase = common[0];
      if (!mergeBase) return undefined;
      const status =
        base === head ? 'identical' : mergeBase === base ? 'ahead' : mergeBase === head ? 'behind' : 'diverged';
      return { status, mergeBaseSha: mergeBase, mergeBaseDate: date(mergeBase) };
    },
    ...overrides,
  };
  return { reader, calls };
}

const tag = (name: string, at: string): ApiRef => ({ name, kind: 'tag', sha: at });
const branch = (name: string, at: string): ApiRef => ({ name, kind: 'branch', sha: at });

/** c1 ← c2 ← c3 (base) ← c4 (head), each adding a migration; r1 is a hotfix on a release branch cut at c2. */
function history(refs: ApiRef[], extra: Partial<Graph> = {}): Graph {
  return {
    trees: {
      c1: { 'm/001.sql': 'create table a (id int);\n' },
      c2: { 'm/001.sql': 'create table a (id int);\n', 'm/002.sql': 'create table b (id int);\n' },
      r1: {
        'm/001.sql': 'create table a (id int);\n',
        'm/002.sql': 'create table b (id int);\n',
        'fix.txt': 'hotfix\n',
      },
      c3: {
        'm/001.sql': 'create table a (id int);\n',
        'm/002.sql': 'create table b (id int);\n',
        'm/003.sql': 'create table c (id int);\n',
      },
      c4: {
        'm/001.sql': 'create table a (id int);\n',
        'm/002.sql': 'create table b (id int);\n',
        'm/003.sql': 'create table c (id bigint);\n',
      },
    },
    parents: { c2: ['c1'], r1: ['c2'], c3: ['c2'], c4: ['c3'] },
    refs,
    ...extra,
  };
}

const changeSet = (reader: GitHubReader) =>
  githubChangeSet({ reader, baseSha: 'c3', headSha: 'c4', baseRef: 'main', headRef: 'pr' });

describe('GitHub source: releases()', () => {
  it('is unknown when the reader cannot list refs (no guess)', async () => {
    const { reader } = graphReader(history([tag('v1.0.0', 'c1')]));
    const { listRefs: _l, compare: _c, ...plain } = reader;
    const cs = await changeSet(plain);
    expect(await cs.base.releases?.()).toBeUndefined();
  });

  it('has no releases when there are no tags and no release-line branches', async () => {
    const { reader, calls } = graphReader(history([branch('main', 'c3'), branch('feature/x', 'c4')]));
    const cs = await changeSet(reader);
    expect(await cs.base.releases?.()).toEqual({ refs: [] });
    expect(calls.compare).toEqual([]);
  });

  it('answers the newest released commit of the history, from tags and release branches (like git)', async () => {
    const { reader, calls } = graphReader(
      history([branch('main', 'c3'), tag('v1.0.0', 'c1'), branch('release/1.1', 'c2'), branch('feature', 'c4')]),
    );
    const cs = await changeSet(reader);
    const state = await cs.base.releases?.();
    // Named newest version first; `main` and `feature` are not release lines.
    expect(state?.refs).toEqual(['release/1.1', 'v1.0.0']);
    expect(state?.released?.sha).toBe('c2');
    expect(await state?.released?.list()).toEqual(['m/001.sql', 'm/002.sql']);
    const read = await state!.released!.read('m/002.sql');
    expect(read.ok && read.file.text).toBe('create table b (id int);\n');
    // One comparison per distinct release commit, newest version first.
    expect(calls.compare).toEqual(['c2...c3', 'c1...c3']);
  });

  it('takes the fork point of a release branch that has moved on with hotfixes (a diverged comparison)', async () => {
    const { reader } = graphReader(history([tag('v1.0.0', 'c1'), branch('release/1.1', 'r1'), tag('v1.1.1', 'r1')]));
    const cs = await changeSet(reader);
    const state = await cs.base.releases?.();
    expect(state?.released?.sha).toBe('c2');
  });

  it('is its own release point when a release contains the commit, without comparing', async () => {
    const { reader, calls } = graphReader(history([tag('v1.0.0', 'c1'), tag('v1.2.0', 'c3')]));
    const cs = await changeSet(reader);
    const state = await cs.base.releases?.();
    expect(state?.released).toBe(cs.base);
    expect(calls.compare).toEqual([]);
    // A release branch ahead of the commit (compare says `behind`): the commit is released too.
    const ahead = graphReader(history([branch('stable', 'c4')]));
    const cs2 = await changeSet(ahead.reader);
    expect((await cs2.base.releases?.())?.released).toBe(cs2.base);
  });

  it('has releases but nothing released when no release shares the history', async () => {
    const g = history([tag('v9.0.0', 'x1')]);
    g.trees['x1'] = { 'other.txt': 'x\n' };
    const { reader } = graphReader(g);
    const cs = await changeSet(reader);
    expect(await cs.base.releases?.()).toEqual({ refs: ['v9.0.0'] });
  });

  it('lists refs once per change set and caches each snapshot’s answer', async () => {
    const { reader, calls } = graphReader(history([tag('v1.0.0', 'c1'), branch('release/1.1', 'c2')]));
    const cs = await changeSet(reader);
    const [a, b] = await Promise.all([cs.base.releases?.(), cs.base.releases?.()]);
    expect(a).toBe(b);
    const head = await cs.head.releases?.();
    expect(head?.released?.sha).toBe('c2');
    // Base and head share the released snapshot and its tree listing.
    expect(head?.released).toBe(a?.released);
    await a?.released?.list();
    await head?.released?.list();
    expect(calls.trees.filter((t) => t === 'c2')).toHaveLength(1);
    expect(calls.refs).toBe(1);
    expect(calls.compare).toHaveLength(4);
  });

  it('is unknown when a listing was cut, past the comparison bound, or when GitHub fails or answers oddly', async () => {
    const cut = graphReader(history([tag('v1.0.0', 'c1')], { truncated: true }));
    expect(await (await changeSet(cut.reader)).base.releases?.()).toBeUndefined();

    const many = history(Array.from({ length: MAX_RELEASE_COMPARES + 1 }, (_, i) => tag(`v0.${i}.0`, `t${i}`)));
    for (let i = 0; i <= MAX_RELEASE_COMPARES; i++) {
      many.trees[`t${i}`] = {};
      many.parents[`t${i}`] = ['c1'];
    }
    const bounded = graphReader(many);
    expect(await (await changeSet(bounded.reader)).base.releases?.()).toBeUndefined();
    expect(bounded.calls.compare).toEqual([]);
    // Refs at the same commit count once: many tags on one commit stay within the bound.
    const same = graphReader(
      history(Array.from({ length: MAX_RELEASE_COMPARES + 5 }, (_, i) => tag(`v1.0.${i}`, 'c2'))),
    );
    expect((await (await changeSet(same.reader)).base.releases?.())?.released?.sha).toBe('c2');

    const failing = graphReader(history([tag('v1.0.0', 'c1'), tag('v1.1.0', 'c2')]), {
      compare: async () => {
        throw new Error('GitHub answered 502');
      },
    });
    expect(await (await changeSet(failing.reader)).base.releases?.()).toBeUndefined();
    const listingFails = graphReader(history([tag('v1.0.0', 'c1')]), {
      listRefs: async () => {
        throw new Error('GitHub answered 500');
      },
    });
    expect(await (await changeSet(listingFails.reader)).base.releases?.()).toBeUndefined();
    const undated = graphReader(history([tag('v1.0.0', 'c1')]), {
      compare: async () => ({ status: 'ahead', mergeBaseSha: 'c1' }),
    });
    expect(await (await changeSet(undated.reader)).base.releases?.()).toBeUndefined();
    const odd = graphReader(history([tag('v1.0.0', 'c1')]), {
      compare: async () => ({ status: 'weird', mergeBaseSha: 'c1', mergeBaseDate: '2024-01-01T00:00:00Z' }),
    });
    expect(await (await changeSet(odd.reader)).base.releases?.()).toBeUndefined();
  });
});
