/**
 * Reading repositories through the port against the fake GitHub: PR files up to GitHub's 3,000,
 * contents (including the >1 MB path through the blobs API), trees, comparisons and permissions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compareCommits,
  getBlob,
  getCollaboratorPermission,
  getFileContent,
  getPullRequest,
  createGitHubReader,
  getTree,
  GitHubFailure,
  listPullFiles,
  listRefs,
  REFS_LIMIT,
  permissionAtLeast,
  repositoryConfigReader,
} from '../../src/github/index.js';
import type { FakeGitHub, SeedPullFile } from '../support/fake-github/index.js';
import { BASE_SHA, HEAD_SHA, OWNER, REPO, startSeededFake, testOctokit } from './helpers.js';

let fake: FakeGitHub;
beforeEach(async () => {
  fake = await startSeededFake();
});
afterEach(async () => {
  fake.assertNoUnexpected();
  await fake.close();
});

const files = (n: number): SeedPullFile[] =>
  Array.from({ length: n }, (_, i) => ({
    filename: `gen/f${String(i).padStart(4, '0')}.ts`,
    status: 'added',
    additions: 1,
    deletions: 0,
    patch: '@@ -0,0 +1,1 @@\n+x',
  }));

describe('listPullFiles', () => {
  it('lists real diffs of a small PR', async () => {
    const result = await listPullFiles(testOctokit(fake), { owner: OWNER, repo: REPO, pullNumber: 7 });
    expect(result.truncated).toBe(false);
    expect(result.files.map((f) => [f.path, f.status, f.additions, f.deletions])).toEqual([
      ['db/001.sql', 'added', 1, 0],
      ['src/app.ts', 'modified', 1, 1],
    ]);
    expect(result.files[0]?.patch).toBe('@@ -0,0 +1,1 @@\n+ALTER TABLE t DROP COLUMN c;');
  });

  it('pages through 3,000 files and flags that GitHub lists no more', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      pulls: [{ number: 8, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA }, files: files(3_500) }],
    });
    const result = await listPullFiles(testOctokit(fake), { owner: OWNER, repo: REPO, pullNumber: 8 });
    expect(result.files).toHaveLength(3_000);
    expect(result.truncated).toBe(true);
    expect(new Set(result.files.map((f) => f.path)).size).toBe(3_000);
    expect(fake.requestsFor('pulls/list-files').map((r) => r.query['page'])).toEqual(
      Array.from({ length: 30 }, (_, i) => String(i + 1)),
    );
  });

  it('stops after the last short page without asking for an empty one', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      pulls: [{ number: 9, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA }, files: files(250) }],
    });
    const result = await listPullFiles(testOctokit(fake), { owner: OWNER, repo: REPO, pullNumber: 9 });
    expect(result).toMatchObject({ truncated: false });
    expect(result.files).toHaveLength(250);
    expect(fake.requestsFor('pulls/list-files')).toHaveLength(3);
  });

  it('reports renames with their previous path', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: 'mv',
      commits: { b: { 'old/name.ts': 'same\n' }, h: { 'new/name.ts': 'same\n' } },
      pulls: [{ number: 1, head: { sha: 'h' }, base: { sha: 'b' } }],
    });
    const { files: changed } = await listPullFiles(testOctokit(fake), { owner: OWNER, repo: 'mv', pullNumber: 1 });
    expect(changed).toEqual([
      expect.objectContaining({ path: 'new/name.ts', status: 'renamed', previousPath: 'old/name.ts' }),
    ]);
  });
});

describe('contents, trees and blobs', () => {
  it('reads a file at a ref and returns undefined for a missing one', async () => {
    const octokit = testOctokit(fake);
    expect(await getFileContent(octokit, { owner: OWNER, repo: REPO, path: 'src/app.ts', ref: BASE_SHA })).toBe(
      'export const a = 1;\n',
    );
    expect(await getFileContent(octokit, { owner: OWNER, repo: REPO, path: 'db/001.sql', ref: 'feature' })).toBe(
      'ALTER TABLE t DROP COLUMN c;\n',
    );
    expect(
      await getFileContent(octokit, { owner: OWNER, repo: REPO, path: '.github/readiness.yml', ref: BASE_SHA }),
    ).toBeUndefined();
  });

  it('throws for a directory, which is not file content', async () => {
    const error = await getFileContent(testOctokit(fake), {
      owner: OWNER,
      repo: REPO,
      path: 'src',
      ref: BASE_SHA,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubFailure);
    expect((error as GitHubFailure).detail).toContain('not a file');
  });

  it('fetches files over 1 MB through the blobs API', async () => {
    const big = `${'x'.repeat(1_100_000)}\n`;
    fake.seedRepo({ owner: OWNER, repo: 'big', commits: { s: { 'data/huge.sql': big } } });
    expect(
      await getFileContent(testOctokit(fake), { owner: OWNER, repo: 'big', path: 'data/huge.sql', ref: 's' }),
    ).toBe(big);
    expect(fake.requests.map((r) => r.operationId)).toEqual(['repos/get-content', 'git/get-blob']);
  });

  it('lists a recursive tree by commit sha and reads a blob by its sha', async () => {
    const octokit = testOctokit(fake);
    const tree = await getTree(octokit, { owner: OWNER, repo: REPO, sha: HEAD_SHA });
    expect(tree.truncated).toBe(false);
    expect(tree.entries.filter((e) => e.type === 'blob').map((e) => [e.path, e.size])).toEqual([
      ['README.md', 7],
      ['db/001.sql', 29],
      ['src/app.ts', 20],
    ]);
    const app = tree.entries.find((e) => e.path === 'src/app.ts')!;
    expect((await getBlob(octokit, { owner: OWNER, repo: REPO, sha: app.sha })).toString()).toBe(
      'export const a = 2;\n',
    );
    const top = await getTree(octokit, { owner: OWNER, repo: REPO, sha: HEAD_SHA, recursive: false });
    expect(top.entries.map((e) => e.path)).toEqual(['README.md', 'db', 'src']);
  });
});

describe('pull requests and comparisons', () => {
  it('reads PR metadata and recognises a fork', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      pulls: [
        {
          number: 10,
          user: 'outsider',
          head: { sha: HEAD_SHA, ref: 'patch-1', repo: 'outsider/shop' },
          base: { sha: BASE_SHA },
        },
      ],
    });
    const octokit = testOctokit(fake);
    expect(await getPullRequest(octokit, { owner: OWNER, repo: REPO, pullNumber: 7 })).toMatchObject({
      headSha: HEAD_SHA,
      baseSha: BASE_SHA,
      isFork: false,
      changedFiles: 2,
    });
    expect(await getPullRequest(octokit, { owner: OWNER, repo: REPO, pullNumber: 10 })).toMatchObject({
      isFork: true,
      headRepo: 'outsider/shop',
      author: 'outsider',
    });
  });

  it('compares base and head through the merge base', async () => {
    const mid = 'd'.repeat(40);
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      commits: { [mid]: { 'README.md': '# shop v2\n', 'src/app.ts': 'export const a = 1;\n' } },
      parents: { [mid]: [BASE_SHA] },
      branches: { main: mid },
    });
    const result = await compareCommits(testOctokit(fake), { owner: OWNER, repo: REPO, base: 'main', head: 'feature' });
    // main moved on (README) after the branch point; the three-dot diff shows only the branch's changes.
    expect(result).toMatchObject({ mergeBaseSha: BASE_SHA, status: 'diverged', aheadBy: 1, behindBy: 1 });
    expect(result.files.map((f) => f.path)).toEqual(['db/001.sql', 'src/app.ts']);
  });
});

describe('tags, branches and release comparisons (releases of the API-only source)', () => {
  it('lists tags and branches page by page, up to a bound it reports', async () => {
    const tags = Object.fromEntries(Array.from({ length: REFS_LIMIT + 1 }, (_, i) => [`v0.${i}.0`, BASE_SHA]));
    fake.seedRepo({ owner: OWNER, repo: REPO, tags, branches: { 'release/1.0': BASE_SHA } });
    const octokit = testOctokit(fake);
    const t = await listRefs(octokit, { owner: OWNER, repo: REPO, kind: 'tag' });
    expect(t).toMatchObject({ truncated: true });
    expect(t.refs).toHaveLength(REFS_LIMIT);
    expect(fake.requestsFor('repos/list-tags')).toHaveLength(3);
    const b = await listRefs(octokit, { owner: OWNER, repo: REPO, kind: 'branch' });
    expect(b.truncated).toBe(false);
    expect(b.refs).toEqual(
      expect.arrayContaining([
        { name: 'release/1.0', sha: BASE_SHA },
        { name: 'main', sha: BASE_SHA },
      ]),
    );
  });

  it('the reader lists both kinds and compares a release with a commit, with the merge-base date', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      tags: { 'v1.0.0': BASE_SHA },
      commitDates: { [BASE_SHA]: '2024-02-03T04:05:06Z' },
    });
    const reader = createGitHubReader(testOctokit(fake), {
      owner: OWNER,
      repo: REPO,
      target: { kind: 'pull', pullNumber: 7 },
    });
    const { refs, truncated } = await reader.listRefs!();
    expect(truncated).toBe(false);
    expect(refs).toEqual(
      expect.arrayContaining([
        { name: 'v1.0.0', kind: 'tag', sha: BASE_SHA },
        { name: 'main', kind: 'branch', sha: BASE_SHA },
      ]),
    );
    expect(await reader.compare!('v1.0.0', HEAD_SHA)).toEqual({
      status: 'ahead',
      mergeBaseSha: BASE_SHA,
      mergeBaseDate: '2024-02-03T04:05:06Z',
    });
  });
});

describe('getCollaboratorPermission', () => {
  it('uses role_name to tell maintain and triage apart', async () => {
    const octokit = testOctokit(fake);
    const roles: Record<string, string> = {};
    for (const user of ['ada', 'maria', 'alice', 'tom', 'rita', 'stranger', OWNER]) {
      roles[user] = await getCollaboratorPermission(octokit, { owner: OWNER, repo: REPO, username: user });
    }
    expect(roles).toEqual({
      ada: 'admin',
      maria: 'maintain',
      alice: 'write',
      tom: 'triage',
      rita: 'read',
      stranger: 'read',
      [OWNER]: 'admin',
    });
  });

  it('gives none on a private repository to users without access', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: 'secret',
      private: true,
      commits: { s: { a: 'a' } },
      permissions: { maria: 'maintain' },
    });
    const octokit = testOctokit(fake);
    expect(await getCollaboratorPermission(octokit, { owner: OWNER, repo: 'secret', username: 'stranger' })).toBe(
      'none',
    );
    expect(await getCollaboratorPermission(octokit, { owner: OWNER, repo: 'secret', username: 'Maria' })).toBe(
      'maintain',
    );
  });

  it('orders roles for policy checks', () => {
    expect(permissionAtLeast('maintain', 'write')).toBe(true);
    expect(permissionAtLeast('write', 'maintain')).toBe(false);
    expect(permissionAtLeast('triage', 'read')).toBe(true);
    expect(permissionAtLeast('none', 'read')).toBe(false);
  });
});

describe('repositoryConfigReader (extends: another repository)', () => {
  it('reads a path on the default branch, or at a ref, and says undefined for a missing file', async () => {
    fake.seedRepo({
      owner: 'acme',
      repo: 'policy',
      commits: {
        p1: { '.github/readiness.yml': 'fail-on: warning\n' },
        p2: { '.github/readiness.yml': 'fail-on: never\n', 'teams/api.yml': 'baseline: off\n' },
      },
      branches: { main: 'p2', v1: 'p1' },
    });
    const read = repositoryConfigReader(testOctokit(fake));
    expect(await read({ owner: 'acme', repo: 'policy' }, '.github/readiness.yml')).toBe('fail-on: never\n');
    expect(await read({ owner: 'acme', repo: 'policy', ref: 'v1' }, '.github/readiness.yml')).toBe(
      'fail-on: warning\n',
    );
    expect(await read({ owner: 'acme', repo: 'policy' }, 'teams/api.yml')).toBe('baseline: off\n');
    expect(await read({ owner: 'acme', repo: 'policy' }, 'missing.yml')).toBeUndefined();
    expect(fake.requestsFor('repos/get-content')[0]?.query['ref']).toBeUndefined();
  });
});
