import { afterAll, describe, expect, it } from 'vitest';
import { gitChangeSet, type GitChangeSet } from '../../src/source/git.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { cleanupTempDirs, makeRepo } from './helpers.js';

afterAll(cleanupTempDirs);

const open: GitChangeSet[] = [];
afterAll(async () => {
  await Promise.all(open.map((cs) => cs.close()));
});

describe('Snapshot.releases', () => {
  it('git: no tags or release branches means no releases', async () => {
    const repo = makeRepo();
    repo.write('a.sql', 'select 1;\n');
    const base = repo.commit('one');
    repo.write('b.sql', 'select 2;\n');
    repo.commit('two');
    const cs = await gitChangeSet({ cwd: repo.dir, base, head: 'HEAD' });
    open.push(cs);
    expect(await cs.base.releases()).toEqual({ refs: [] });
  });

  it('git: the newest released commit of the history, from tags and release branches', async () => {
    const repo = makeRepo();
    repo.write('m/001.sql', 'create table a (id int);\n');
    repo.commit('one');
    repo.git('tag', 'v1.0.0');
    repo.write('m/002.sql', 'create table b (id int);\n');
    const released = repo.commit('two');
    repo.git('branch', 'release/1.1');
    repo.write('m/003.sql', 'create table c (id int);\n');
    const base = repo.commit('three (unreleased)');
    repo.write('m/004.sql', 'create table d (id int);\n');
    repo.commit('four');
    const cs = await gitChangeSet({ cwd: repo.dir, base, head: 'HEAD' });
    open.push(cs);
    const state = await cs.base.releases();
    expect(state?.refs).toEqual(expect.arrayContaining(['v1.0.0', 'release/1.1']));
    expect(state?.released?.sha).toBe(released);
    expect(await state?.released?.list()).toEqual(['m/001.sql', 'm/002.sql']);
    // A released commit is its own release point.
    repo.git('tag', 'v1.2.0', base);
    const again = await gitChangeSet({ cwd: repo.dir, base, head: 'HEAD' });
    open.push(again);
    expect((await again.base.releases())?.released?.sha).toBe(base);
  });

  it('memory: answers what the change set was given, or undefined', async () => {
    const plain = memoryChangeSet({ base: { a: '1' }, head: { a: '2' } });
    expect(await plain.base.releases()).toBeUndefined();
    const cs = memoryChangeSet({
      base: { a: '1' },
      head: { a: '2' },
      releases: { refs: ['v1'], released: { a: '0' } },
    });
    const state = await cs.base.releases();
    expect(state?.refs).toEqual(['v1']);
    expect(await state?.released?.list()).toEqual(['a']);
  });
});
