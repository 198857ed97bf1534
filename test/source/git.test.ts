import { chmodSync, mkdirSync, realpathSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangedFile } from '../../src/core/types.js';
import { cacheKey, MemoryCache } from '../../src/core/cache.js';
import { SourceError } from '../../src/source/errors.js';
import { gitChangeSet, gitPathspecs, GitSnapshot, type GitChangeSet } from '../../src/source/git.js';
import { CatFileBatch } from '../../src/source/git-process.js';
import { cleanupTempDirs, makeRepo, tempDir, TestRepo } from './helpers.js';

afterAll(cleanupTempDirs);

const open: GitChangeSet[] = [];
afterAll(async () => {
  await Promise.all(open.map((cs) => cs.close()));
});

async function changeSet(opts: Parameters<typeof gitChangeSet>[0]): Promise<GitChangeSet> {
  const cs = await gitChangeSet(opts);
  open.push(cs);
  return cs;
}

async function sourceError(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return err as SourceError;
  }
  throw new Error('expected a SourceError, got success');
}

const lines = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');

describe('gitChangeSet: statuses, lines and modes', () => {
  const repo = makeRepo();
  const oldName = Array.from({ length: 12 }, (_, i) => `export const line${i + 1} = ${i + 1};`);
  repo.writeAll({
    'README.md': '# demo\n',
    'src/app.ts': lines('L1', 'L2', 'L3', 'L4', 'L5'),
    'src/old-name.ts': lines(...oldName),
    'remove-me.txt': lines('a', 'b'),
    'scripts/run.sh': lines('#!/bin/sh', 'echo hi'),
    'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
    'windows.txt': 'one\r\ntwo\r\nthree\r\n',
    'docs/a file with spaces.md': lines('hello'),
    'scripts/build.sh': lines('echo build'),
    'was-file': lines('a', 'b'),
  });
  symlinkSync('README.md', join(repo.dir, 'was-link'));
  const baseSha = repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');

  repo.write('src/app.ts', lines('L1', 'L2 changed', 'L3', 'L4', 'N1', 'N2', 'L5'));
  repo.git('mv', 'src/old-name.ts', 'src/new-name.ts');
  const renamed = [...oldName];
  renamed[2] = 'export const line3 = 33;';
  renamed.push('export const line13 = 13;');
  repo.write('src/new-name.ts', lines(...renamed));
  repo.git('rm', '-q', 'remove-me.txt');
  chmodSync(join(repo.dir, 'scripts/run.sh'), 0o755);
  repo.write('assets/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x09]));
  repo.write('windows.txt', 'one\r\nTWO\r\nthree\r\n');
  repo.write('docs/a file with spaces.md', lines('hello', 'world'));
  repo.write('i18n/naïve café/日本語.txt', lines('こんにちは'));
  repo.write(`quote"and'apostrophe.txt`, lines('q'));
  repo.write('src/new.ts', lines('import client from "prom-client";', 'export const x = 1;'));
  symlinkSync('src/app.ts', join(repo.dir, 'link-to-app'));
  // Mode and content change together; and type changes both ways (file → symlink, symlink → file).
  repo.write('scripts/build.sh', lines('echo build', 'echo more'));
  chmodSync(join(repo.dir, 'scripts/build.sh'), 0o755);
  rmSync(join(repo.dir, 'was-file'));
  symlinkSync('README.md', join(repo.dir, 'was-file'));
  rmSync(join(repo.dir, 'was-link'));
  repo.write('was-link', lines('now a file'));
  repo.git('add', '-A');
  // A submodule without network: a gitlink entry pointing at any commit id.
  repo.git('update-index', '--add', '--cacheinfo', `160000,${baseSha},vendor/lib`);
  const headSha = repo.commit('feature work', { stage: false });

  const expected: ChangedFile[] = [
    {
      path: 'assets/logo.png',
      status: 'modified',
      addedLines: [],
      removedLines: [],
      binary: true,
      oldMode: '100644',
      newMode: '100644',
    },
    {
      path: 'docs/a file with spaces.md',
      status: 'modified',
      addedLines: [2],
      removedLines: [],
      binary: false,
      oldMode: '100644',
      newMode: '100644',
    },
    {
      path: 'i18n/naïve café/日本語.txt',
      status: 'added',
      addedLines: [1],
      removedLines: [],
      binary: false,
      newMode: '100644',
    },
    { path: 'link-to-app', status: 'added', addedLines: [], removedLines: [], binary: false, newMode: '120000' },
    {
      path: `quote"and'apostrophe.txt`,
      status: 'added',
      addedLines: [1],
      removedLines: [],
      binary: false,
      newMode: '100644',
    },
    {
      path: 'remove-me.txt',
      status: 'removed',
      addedLines: [],
      removedLines: [1, 2],
      binary: false,
      oldMode: '100644',
    },
    {
      path: 'scripts/build.sh',
      status: 'modified',
      addedLines: [2],
      removedLines: [],
      binary: false,
      oldMode: '100644',
      newMode: '100755',
    },
    {
      path: 'scripts/run.sh',
      status: 'mode-changed',
      addedLines: [],
      removedLines: [],
      binary: false,
      oldMode: '100644',
      newMode: '100755',
    },
    {
      path: 'src/app.ts',
      status: 'modified',
      addedLines: [2, 5, 6],
      removedLines: [2],
      binary: false,
      oldMode: '100644',
      newMode: '100644',
    },
    {
      path: 'src/new-name.ts',
      previousPath: 'src/old-name.ts',
      status: 'renamed',
      addedLines: [3, 13],
      removedLines: [3],
      binary: false,
      oldMode: '100644',
      newMode: '100644',
    },
    { path: 'src/new.ts', status: 'added', addedLines: [1, 2], removedLines: [], binary: false, newMode: '100644' },
    { path: 'vendor/lib', status: 'added', addedLines: [], removedLines: [], binary: false, newMode: '160000' },
    {
      path: 'was-file',
      status: 'modified',
      addedLines: [],
      removedLines: [1, 2],
      binary: false,
      oldMode: '100644',
      newMode: '120000',
    },
    {
      path: 'was-link',
      status: 'modified',
      addedLines: [1],
      removedLines: [],
      binary: false,
      oldMode: '120000',
      newMode: '100644',
    },
    {
      path: 'windows.txt',
      status: 'modified',
      addedLines: [2],
      removedLines: [2],
      binary: false,
      oldMode: '100644',
      newMode: '100644',
    },
  ];

  it('reports every kind of change with exact line numbers and modes', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    expect(cs.files).toEqual(expected);
    expect(cs.base.sha).toBe(baseSha);
    expect(cs.head.sha).toBe(headSha);
    expect(cs.baseRef).toBe('main');
    expect(cs.headRef).toBe('feature');
    expect(cs.shallow).toBe(false);
  });

  it('works the same from a subdirectory of the checkout', async () => {
    const cs = await changeSet({ cwd: join(repo.dir, 'src'), base: 'main' });
    expect(cs.files).toEqual(expected);
    expect(cs.root).toBe(realpathSync(repo.dir));
    expect(cs.shallow).toBe(false);
    expect(await cs.head.grep(['L2 changed'])).toEqual(['src/app.ts']);
  });

  it('works in a bare clone, whose root is the repository itself', async () => {
    const bare = join(tempDir(), 'bare.git');
    repo.git('clone', '-q', '--bare', repo.dir, bare);
    const cs = await changeSet({ cwd: bare, base: 'main', head: 'feature' });
    expect(cs.root).toBe(bare);
    expect(cs.shallow).toBe(false);
    expect(cs.files).toEqual(expected);
  });

  it('lists regular files only, sorted, with dot-file-aware globs', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    expect(await cs.head.list()).toEqual([
      'README.md',
      'assets/logo.png',
      'docs/a file with spaces.md',
      'i18n/naïve café/日本語.txt',
      `quote"and'apostrophe.txt`,
      'scripts/build.sh',
      'scripts/run.sh',
      'src/app.ts',
      'src/new-name.ts',
      'src/new.ts',
      'was-link',
      'windows.txt',
    ]);
    expect(await cs.head.list(['src/**/*.ts'])).toEqual(['src/app.ts', 'src/new-name.ts', 'src/new.ts']);
    expect(await cs.head.list(['**/*.{md,txt}'])).toEqual([
      'README.md',
      'docs/a file with spaces.md',
      'i18n/naïve café/日本語.txt',
      `quote"and'apostrophe.txt`,
      'windows.txt',
    ]);
    expect(await cs.base.list(['src/*.ts'])).toEqual(['src/app.ts', 'src/old-name.ts']);
  });

  it('reads files, and says why it skips symlinks, submodules, binaries and missing paths', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    const app = await cs.head.read('src/app.ts');
    expect(app.ok && app.file.text).toBe(lines('L1', 'L2 changed', 'L3', 'L4', 'N1', 'N2', 'L5'));
    const unicode = await cs.head.read('i18n/naïve café/日本語.txt');
    expect(unicode.ok && unicode.file.text).toBe('こんにちは\n');
    const crlf = await cs.head.read('windows.txt');
    expect(crlf.ok && crlf.file.text).toBe('one\r\nTWO\r\nthree\r\n');
    expect(crlf.ok && crlf.file.lines()).toEqual(['one', 'TWO', 'three']);
    expect(await cs.head.read('link-to-app')).toMatchObject({ ok: false, reason: 'symlink' });
    expect(await cs.head.read('was-file')).toMatchObject({ ok: false, reason: 'symlink' });
    expect(await cs.base.read('was-link')).toMatchObject({ ok: false, reason: 'symlink' });
    expect(await cs.head.read('vendor/lib')).toMatchObject({ ok: false, reason: 'submodule' });
    expect(await cs.head.read('assets/logo.png')).toMatchObject({ ok: false, reason: 'binary' });
    expect(await cs.head.read('remove-me.txt')).toMatchObject({ ok: false, reason: 'missing' });
    const removed = await cs.base.read('remove-me.txt');
    expect(removed.ok && removed.file.text).toBe('a\nb\n');
    // Cached: the same promise result object comes back.
    expect(await cs.head.read('src/app.ts')).toBe(app);
  });

  it('answers has() for files, symlinks and submodules, but not directories', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    expect(await cs.head.has('src/app.ts')).toBe(true);
    expect(await cs.head.has('link-to-app')).toBe(true);
    expect(await cs.head.has('vendor/lib')).toBe(true);
    expect(await cs.head.has('src')).toBe(false);
    expect(await cs.head.has('src/old-name.ts')).toBe(false);
    expect(await cs.base.has('src/old-name.ts')).toBe(true);
  });

  it('skips files over maxFileBytes as too-large without reading them', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main', maxFileBytes: 10 });
    const r = await cs.head.read('src/app.ts');
    expect(r).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!r.ok && r.detail).toMatch(/over the 10 bytes limit/);
    expect((await cs.head.read('README.md')).ok).toBe(true); // 7 bytes
  });

  it('greps literally with globs, tokens that look like options, and no matches', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    expect(await cs.head.grep(['prom-client'])).toEqual(['src/new.ts']);
    expect(await cs.head.grep(['L1', 'hello'])).toEqual(['docs/a file with spaces.md', 'src/app.ts']);
    expect(await cs.head.grep(['L1', 'hello'], ['**/*.md'])).toEqual(['docs/a file with spaces.md']);
    expect(await cs.head.grep(['L1', 'hello'], ['src/{app,new}.ts'])).toEqual(['src/app.ts']);
    expect(await cs.head.grep(['こんにちは'])).toEqual(['i18n/naïve café/日本語.txt']);
    expect(await cs.head.grep(['L.*'])).toEqual([]); // -F: no regex
    expect(await cs.head.grep(['--version', '-e'])).toEqual([]);
    expect(await cs.head.grep(['nothing matches this'])).toEqual([]);
    expect(await cs.head.grep([])).toEqual([]);
    // A symlink's target text ("src/app.ts") is not file content.
    expect(await cs.head.grep(['src/app.ts'])).toEqual([]);
    // The base is its own commit.
    expect(await cs.base.grep(['prom-client'])).toEqual([]);
    expect(await cs.base.grep(['line3 = 3;'])).toEqual(['src/old-name.ts']);
  });

  it('answers head greps from the base for shared blobs exactly as a search of the whole head would', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    const catFile = new CatFileBatch(repo.dir);
    const alone = new GitSnapshot(repo.dir, cs.head.sha, catFile, 1024 * 1024);
    try {
      const cases: [string[], string[] | undefined][] = [
        [['L1', 'hello', 'line3', 'b', 'echo', 'q', 'こんにちは', 'now a file', 'a'], undefined],
        [['line3 = 33', 'line13'], ['**/*.{ts,tsx}']],
        [['line3 = 3;'], ['src/**']], // only in the removed side of a rename
        [
          ['hello', 'world'],
          ['docs/*.md', '**/*.txt'],
        ],
        [['echo'], ['scripts/*.sh']], // a mode change keeps the file in the search
        [['README'], undefined], // symlink targets are never hits
        [['PNG', 'TWO', 'two'], ['**/*.{png,txt}']],
        [['zzz\nN1'], undefined], // git matches each line of a token on its own
        [['zzz\n'], ['**/*.{ts,md}']], // git skips an empty line
      ];
      for (const [tokens, globs] of cases)
        expect(await cs.head.grep(tokens, globs)).toEqual(await alone.grep(tokens, globs));
    } finally {
      await catFile.close();
    }
  });

  it('searches a whole commit in this process exactly as git grep does', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    const catFile = new CatFileBatch(repo.dir);
    // No room for blobs in this process: every whole-commit grep runs git grep, the oracle.
    const viaGit = (sha: string) => new GitSnapshot(repo.dir, sha, catFile, 1024 * 1024, undefined, undefined, 0);
    const inProcess = (sha: string) => new GitSnapshot(repo.dir, sha, catFile, 1024 * 1024);
    try {
      const cases: [string[], string[] | undefined][] = [
        [['L1', 'hello', 'line3', 'b', 'echo', 'q', 'こんにちは', 'now a file', 'a'], undefined],
        [['L.*', 'a|b', '(x', 'c++', '$', '[ab]', '\\', '^L', 'e$'], undefined], // regex syntax is literal
        [['naïve', 'café', '日本'], undefined], // UTF-8 bytes, also in paths
        [['line3 = 33', 'line13'], ['**/*.{ts,tsx}']],
        [['PNG', 'TWO', 'two', 'IHDR'], ['**/*.{png,txt}']], // binary blobs are searched too
        [['zzz\nN1', 'L2\nL3'], undefined], // each line of a token on its own, never across lines
        [['\n', ''.padEnd(0)], ['**/*.md']], // only empty lines: nothing to match
        [['README', 'src/app.ts'], undefined], // symlink targets are never hits
        [['hello'], ['nothing/**']],
      ];
      for (const sha of [cs.base.sha, cs.head.sha])
        for (const [tokens, globs] of cases) {
          const expected = await viaGit(sha).grep(tokens, globs);
          expect(await inProcess(sha).grep(tokens, globs), JSON.stringify([sha, tokens, globs])).toEqual(expected);
        }
      // The oracle does find things: the comparison is not between two empty lists.
      expect(await viaGit(cs.head.sha).grep(['hello'])).not.toEqual([]);
      // Thousands of tokens go to git, with the same answer.
      const many = [...Array.from({ length: 3000 }, (_, i) => `no-such-token-${i}`), 'hello'];
      expect(await inProcess(cs.head.sha).grep(many)).toEqual(await viaGit(cs.head.sha).grep(['hello']));
      // Text given back after the index builds is read again for a later grep.
      const snapshot = inProcess(cs.head.sha);
      const before = await snapshot.grep(['hello', 'L1'], ['**/*.md']);
      snapshot.releaseSearchText();
      expect(await snapshot.grep(['hello'], ['**/*.{md,ts}'])).toEqual(
        await viaGit(cs.head.sha).grep(['hello'], ['**/*.{md,ts}']),
      );
      expect(before).toEqual(await viaGit(cs.head.sha).grep(['hello', 'L1'], ['**/*.md']));
    } finally {
      await catFile.close();
    }
  });

  it("answers a grep from a nearby commit's cached answer and the difference, exactly as git grep does", async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    const catFile = new CatFileBatch(repo.dir);
    const viaGit = (sha: string) => new GitSnapshot(repo.dir, sha, catFile, 1024 * 1024, undefined, undefined, 0);
    // No room for a whole-commit search in this process: a whole search here would be git's.
    const cached = (sha: string, cache: MemoryCache) =>
      new GitSnapshot(repo.dir, sha, catFile, 1024 * 1024, undefined, cache, 0);
    const cases: [string[], string[] | undefined][] = [
      [['L1', 'hello', 'line3', 'b', 'echo', 'q', 'こんにちは', 'now a file', 'a'], undefined],
      [['line3 = 3;', 'line13'], ['**/*.{ts,tsx}']], // one side of a rename each
      [['PNG', 'TWO', 'two'], ['**/*.{png,txt}']],
      [['README', 'src/app.ts'], undefined], // symlink targets are never hits, also after a type change
      [['echo'], ['scripts/*.sh']], // a mode change
      [['two'], undefined], // a hit on one side only, in a file both have
      [['N1'], ['src/**']],
      [['hello'], ['nothing/**']],
    ];
    try {
      // Either way round: the head from the base's answers, the base from the head's.
      for (const [from, to] of [
        [cs.base.sha, cs.head.sha],
        [cs.head.sha, cs.base.sha],
      ] as const) {
        const cache = new MemoryCache(1 << 24);
        for (const [tokens, globs] of cases) await cached(from, cache).grep(tokens, globs);
        for (const [tokens, globs] of cases)
          expect(await cached(to, cache).grep(tokens, globs), JSON.stringify([to, tokens, globs])).toEqual(
            await viaGit(to).grep(tokens, globs),
          );
      }
      // The answer really starts from the cached one: a path planted in it that did not change stays.
      const cache = new MemoryCache(1 << 24);
      await cached(cs.base.sha, cache).grep(['hello']);
      cache.set(cacheKey('grep', cs.base.sha, JSON.stringify([['hello'], []])), ['README.md']);
      expect(await cached(cs.head.sha, cache).grep(['hello'])).toEqual(['README.md', 'docs/a file with spaces.md']);
      // A commit git does not know, or a corrupt list of commits, leaves the whole search to git.
      const unknown = new MemoryCache(1 << 24);
      unknown.set(cacheKey('grep-near', JSON.stringify([['hello'], []])), ['f'.repeat(40), 42]);
      expect(await cached(cs.head.sha, unknown).grep(['hello'])).toEqual(await viaGit(cs.head.sha).grep(['hello']));
      unknown.set(cacheKey('grep-near', JSON.stringify([['L1'], []])), ['f'.repeat(40)]);
      unknown.set(cacheKey('grep', 'f'.repeat(40), JSON.stringify([['L1'], []])), ['README.md']);
      expect(await cached(cs.head.sha, unknown).grep(['L1'])).toEqual(await viaGit(cs.head.sha).grep(['L1']));
    } finally {
      await catFile.close();
    }
  });

  it('turns brace lists into real pathspecs and gives up on anything git may read differently', () => {
    expect(gitPathspecs(['**/*.{ts,tsx}', '**/*.py'])).toEqual([':(glob)**/*.ts', ':(glob)**/*.tsx', ':(glob)**/*.py']);
    expect(gitPathspecs(['src/{a,b{c,d}}/*.go'])).toEqual([
      ':(glob)src/a/*.go',
      ':(glob)src/bc/*.go',
      ':(glob)src/bd/*.go',
    ]);
    expect(gitPathspecs(['**/*.{yaml,yml}', '**/*.yml'])).toEqual([':(glob)**/*.yaml', ':(glob)**/*.yml']);
    expect(gitPathspecs(undefined)).toEqual([]);
    // A range, a single-item group, an unbalanced brace, a class or a negation searches every file.
    for (const glob of [
      '**/*.{1..3}',
      '**/{a}.ts',
      '**/*.{ts',
      '**/*.ts}',
      '**/[ab].ts',
      '!**/*.ts',
      '**/*.\\{ts,js\\}',
    ]) {
      expect(gitPathspecs(['**/*.py', glob])).toEqual([]);
    }
  });

  it('returns an empty change set when base and head are the same commit', async () => {
    const cs = await changeSet({ cwd: repo.dir, base: 'feature', head: 'feature' });
    expect(cs.files).toEqual([]);
    expect(cs.base.sha).toBe(cs.head.sha);
  });

  it('names an unknown ref', async () => {
    const err = await sourceError(gitChangeSet({ cwd: repo.dir, base: 'no-such-branch' }));
    expect(err.message).toMatch(/unknown base ref "no-such-branch"/);
    const head = await sourceError(gitChangeSet({ cwd: repo.dir, base: 'main', head: 'nope~3' }));
    expect(head.message).toMatch(/unknown head ref "nope~3"/);
    const opt = await sourceError(gitChangeSet({ cwd: repo.dir, base: '--output=/tmp/x' }));
    expect(opt.message).toMatch(/invalid base ref/);
  });

  it('says when the directory is not a git repository', async () => {
    const dir = tempDir();
    const err = await sourceError(gitChangeSet({ cwd: dir }));
    expect(err.message).toBe(`${dir} is not inside a git repository`);
    expect(err.hint).toBeTruthy();
  });

  it('says when git cannot even start in the directory', async () => {
    const err = await sourceError(gitChangeSet({ cwd: join(tempDir(), 'does-not-exist') }));
    expect(err.message).toMatch(/could not run git/);
  });
});

describe('gitChangeSet: merge-base', () => {
  it('compares against the branch point, so later changes on the base are not PR changes', async () => {
    const repo = makeRepo();
    repo.writeAll({ 'shared.txt': lines('1', '2', '3'), 'feature.txt': lines('f') });
    repo.commit('root');
    repo.write('shared.txt', lines('1', '2', '3', '4'));
    const branchPoint = repo.commit('branch point');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('feature.txt', lines('f', 'g'));
    const head = repo.commit('feature');
    repo.git('checkout', '-q', 'main');
    repo.write('shared.txt', lines('0', '1', '2', '3', '4'));
    repo.write('main-only.txt', lines('m'));
    const mainTip = repo.commit('main moves on');

    const cs = await changeSet({ cwd: repo.dir, base: 'main', head: 'feature' });
    expect(cs.files.map((f) => [f.path, f.status, f.addedLines])).toEqual([['feature.txt', 'modified', [2]]]);
    expect(cs.base.sha).toBe(branchPoint);
    expect(cs.baseTipSha).toBe(mainTip);
    expect(cs.head.sha).toBe(head);
    expect(cs.baseRef).toBe('main');
    expect(cs.headRef).toBe('feature');
    // The base snapshot is the branch point too: main's later file is not in it.
    expect(await cs.base.has('main-only.txt')).toBe(false);
    const shared = await cs.base.read('shared.txt');
    expect(shared.ok && shared.file.text).toBe(lines('1', '2', '3', '4'));
  });

  it('refuses unrelated histories with a clear message', async () => {
    const repo = makeRepo();
    repo.write('a.txt', 'a\n');
    repo.commit('a');
    repo.git('checkout', '-q', '--orphan', 'other');
    repo.write('a.txt', 'b\n');
    repo.commit('b');
    const err = await sourceError(gitChangeSet({ cwd: repo.dir, base: 'main' }));
    expect(err.message).toMatch(/have no common history/);
  });
});

describe('gitChangeSet: default base', () => {
  function repoWithFeature(): TestRepo {
    const repo = makeRepo();
    repo.write('a.txt', 'a\n');
    repo.commit('a');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('a.txt', 'a\nb\n');
    repo.commit('b');
    return repo;
  }

  it('uses the upstream when the branch tracks another branch', async () => {
    const repo = repoWithFeature();
    repo.git('branch', '-q', 'release', 'main');
    repo.git('branch', '-q', '--set-upstream-to', 'release');
    const cs = await changeSet({ cwd: repo.dir });
    expect(cs.baseRef).toBe('release');
    expect(cs.files.map((f) => f.path)).toEqual(['a.txt']);
  });

  it('falls back to main when there is no upstream and no remote', async () => {
    const cs = await changeSet({ cwd: repoWithFeature().dir });
    expect(cs.baseRef).toBe('main');
    expect(cs.headRef).toBe('feature');
  });

  it("uses origin/HEAD in a clone, ignoring an upstream that is the branch's own remote copy", async () => {
    const origin = repoWithFeature();
    origin.git('checkout', '-q', 'main');
    origin.git('branch', '-q', '-m', 'main', 'trunk'); // not a name in the fixed fallback list
    const clone = new TestRepo(join(tempDir(), 'clone'));
    mkdirSync(clone.dir);
    clone.git('clone', '-q', `file://${origin.dir}`, '.');
    clone.git('checkout', '-q', '-b', 'topic');
    clone.write('t.txt', 't\n');
    clone.commit('t');
    clone.git('push', '-q', '-u', 'origin', 'topic'); // upstream: origin/topic, its own copy
    const cs = await changeSet({ cwd: clone.dir });
    expect(cs.baseRef).toBe('origin/trunk');
    expect(cs.files.map((f) => f.path)).toEqual(['t.txt']);
  });

  it('does not pick the head branch itself, and says what it tried', async () => {
    const repo = makeRepo();
    repo.write('a.txt', 'a\n');
    repo.commit('a');
    const err = await sourceError(gitChangeSet({ cwd: repo.dir }));
    expect(err.message).toBe(
      'cannot tell which branch this change targets: tried origin/main, origin/master, main, master',
    );
    expect(err.hint).toMatch(/--base/);
  });

  it('on the default branch itself, uncommitted work is judged against HEAD, and it says so', async () => {
    const repo = makeRepo();
    repo.write('a.txt', 'a\n');
    const head = repo.commit('a');
    repo.write('b.txt', 'b\n');
    const cs = await gitChangeSet({ cwd: repo.dir, workingTree: true });
    try {
      expect(cs.baseRef).toBe('HEAD');
      expect(cs.base.sha).toBe(head);
      expect(cs.files.map((f) => f.path)).toEqual(['b.txt']);
      expect(cs.baseFallback).toMatch(
        /^no other branch to compare with \(tried origin\/main, origin\/master, main, master\): judging the uncommitted changes against HEAD; pass --base REF/,
      );
    } finally {
      await cs.close();
    }
    // Nothing uncommitted: there is no change, and it still says what to pass.
    repo.commit('b');
    const err = await sourceError(gitChangeSet({ cwd: repo.dir, workingTree: true }));
    expect(err.message).toMatch(/^cannot tell which branch this change targets/);
  });
});

describe('gitChangeSet: working tree', () => {
  it('sees a same-size edit whose stat data matches the index (git’s “racily clean” entry)', async () => {
    // Deterministic racy git: the file keeps its size, inode and mtime, ctime is not trusted, and the index
    // is older than the entry, so only git's re-hashing of racily clean entries can see the edit. That needs
    // the temporary index to keep the real index's mtime.
    const repo = makeRepo();
    repo.git('config', 'core.trustctime', 'false');
    repo.write('base.txt', 'base\n');
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'pr');
    const stamp = new Date('2001-01-01T00:00:00Z');
    repo.write('a.ts', 'export const a = 1;\n');
    utimesSync(join(repo.dir, 'a.ts'), stamp, stamp);
    repo.commit('pr');
    repo.write('a.ts', 'export const a = 2;\n');
    utimesSync(join(repo.dir, 'a.ts'), stamp, stamp);
    const old = new Date('2000-01-01T00:00:00Z');
    utimesSync(join(repo.dir, '.git', 'index'), old, old);
    const cs = await gitChangeSet({ cwd: repo.dir, base: 'main', workingTree: true });
    try {
      expect(cs.files.map((f) => f.path)).toEqual(['a.ts']);
      expect(cs.workingTree?.paths).toEqual(['a.ts']);
    } finally {
      await cs.close();
    }
  });
});

describe('gitChangeSet: large pull requests', () => {
  it('handles 3,000 changed files with one diff and reads 2,000 of them through one cat-file', async () => {
    const repo = makeRepo();
    const base: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) base[`gen/f${i}.ts`] = `export const v${i} = ${i};\n`;
    repo.writeAll(base);
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'big');
    for (let i = 0; i < 1000; i++)
      repo.write(`gen/f${i}.ts`, `export const v${i} = ${i};\nexport const w${i} = ${i * 2};\n`);
    const toRemove = Array.from({ length: 500 }, (_, k) => `gen/f${1000 + k}.ts`);
    for (const p of toRemove) rmSync(join(repo.dir, p));
    for (let i = 0; i < 1500; i++)
      repo.write(
        `gen/new/n${i}.ts`,
        `// generated file number ${i}\nexport function n${i}(): number { return ${i} * 3; }\n`,
      );
    repo.commit('big change');

    const started = performance.now();
    const cs = await changeSet({ cwd: repo.dir, base: 'main' });
    const diffMs = performance.now() - started;
    expect(cs.files).toHaveLength(3000);
    const byStatus = (s: string) => cs.files.filter((f) => f.status === s);
    expect(byStatus('modified')).toHaveLength(1000);
    expect(byStatus('removed')).toHaveLength(500);
    expect(byStatus('added')).toHaveLength(1500);
    expect(cs.files.find((f) => f.path === 'gen/f7.ts')).toMatchObject({ addedLines: [2], removedLines: [] });
    expect(cs.files.find((f) => f.path === 'gen/new/n42.ts')).toMatchObject({ addedLines: [1, 2] });

    const readStarted = performance.now();
    const paths = (await cs.head.list(['gen/**'])).slice(0, 2000);
    expect(paths).toHaveLength(2000);
    const results = await Promise.all(paths.map((p) => cs.head.read(p)));
    const readMs = performance.now() - readStarted;
    for (const [i, r] of results.entries()) {
      expect(r.ok).toBe(true);
      const p = paths[i]!;
      if (r.ok && p.startsWith('gen/new/')) expect(r.file.text).toContain(`export function ${p.slice(8, -3)}()`);
    }
    await cs.close();
    console.info(`3,000-file change set: diff ${diffMs.toFixed(0)} ms, 2,000 reads ${readMs.toFixed(0)} ms`);
    expect(diffMs).toBeLessThan(30_000);
    expect(readMs).toBeLessThan(30_000);
  }, 120_000);
});
