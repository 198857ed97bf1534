import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/source/errors.js';
import { gitChangeSet, type GitChangeSet } from '../../src/source/git.js';
import { cleanupTempDirs, makeRepo, tempDir, TestRepo } from './helpers.js';

afterAll(cleanupTempDirs);

const open: GitChangeSet[] = [];
afterAll(async () => {
  await Promise.all(open.map((cs) => cs.close()));
});

/**
 * origin: main m1..m80, then feature f1..f3 branches off m80, then main moves on with m81..m83.
 * The PR (feature into main) adds f.txt only. The long history keeps clones shallow even after a
 * `--deepen=50`, so the tests see a shallow clone that works, not one that became complete.
 */
function makeOrigin(): { origin: TestRepo; mainTip: string; branchPoint: string } {
  const origin = makeRepo();
  let branchPoint = '';
  for (let i = 1; i <= 80; i++) {
    origin.write('m.txt', `m${i}\n`);
    branchPoint = origin.commit(`m${i}`);
  }
  origin.git('checkout', '-q', '-b', 'feature');
  for (let i = 1; i <= 3; i++) {
    origin.write('f.txt', Array.from({ length: i }, (_, k) => `f${k + 1}\n`).join(''));
    origin.commit(`f${i}`);
  }
  origin.git('checkout', '-q', 'main');
  let mainTip = '';
  for (let i = 81; i <= 83; i++) {
    origin.write('m.txt', `m${i}\n`);
    mainTip = origin.commit(`m${i}`);
  }
  return { origin, mainTip, branchPoint };
}

/** `git clone --depth N` through file:// with --no-local, so the clone really is shallow. */
function shallowClone(origin: TestRepo, depth: number, extra: string[] = []): TestRepo {
  const clone = new TestRepo(join(tempDir(), 'clone'));
  mkdirSync(clone.dir);
  clone.git(
    'clone',
    '-q',
    '--no-local',
    `--depth=${depth}`,
    '--branch',
    'feature',
    ...extra,
    `file://${origin.dir}`,
    '.',
  );
  return clone;
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return err as SourceError;
  }
  throw new Error('expected a SourceError');
}

/** Runs the `git fetch …` the error message tells the user to run, exactly as written. */
function runSuggestedFetch(clone: TestRepo, err: SourceError): string {
  const m = /`(git fetch [^`]+)`/.exec(err.message);
  expect(m, err.message).not.toBeNull();
  const [, ...args] = m![1]!.split(' ');
  clone.git(...args);
  return m![1]!;
}

async function expectOnlyFeatureChange(clone: TestRepo, base: string, branchPoint: string): Promise<void> {
  const cs = await gitChangeSet({ cwd: clone.dir, base });
  open.push(cs);
  expect(cs.shallow).toBe(true);
  expect(cs.base.sha).toBe(branchPoint);
  expect(cs.files.map((f) => [f.path, f.status, f.addedLines])).toEqual([['f.txt', 'added', [1, 2, 3]]]);
  const f = await cs.head.read('f.txt');
  expect(f.ok && f.file.text).toBe('f1\nf2\nf3\n');
}

describe('gitChangeSet in shallow clones', () => {
  const { origin, mainTip, branchPoint } = makeOrigin();

  it('names the missing base commit and the fetch that brings it; after that fetch it works', async () => {
    const clone = shallowClone(origin, 1);
    expect(clone.git('rev-parse', '--is-shallow-repository').trim()).toBe('true');
    const err = await failure(gitChangeSet({ cwd: clone.dir, base: mainTip }));
    expect(err.message).toBe(
      `the base commit ${mainTip} is not in this shallow clone: run \`git fetch --deepen=50 origin ${mainTip}\` or check out with \`fetch-depth: 0\``,
    );
    runSuggestedFetch(clone, err);
    await expectOnlyFeatureChange(clone, mainTip, branchPoint);
  });

  it('says when the base is present but the branch point is not, and the deepen fixes it', async () => {
    const clone = shallowClone(origin, 1, ['--no-single-branch']);
    expect(clone.git('rev-parse', 'origin/main').trim()).toBe(mainTip); // the base tip is here
    const err = await failure(gitChangeSet({ cwd: clone.dir, base: 'origin/main' }));
    expect(err.message).toMatch(
      new RegExp(
        `^the merge-base of origin/main \\(${mainTip.slice(0, 12)}\\) and feature \\([0-9a-f]{12}\\) is not in this shallow clone: ` +
          'run `git fetch --deepen=50 origin main` or check out with `fetch-depth: 0`$',
      ),
    );
    expect(err.hint).toMatch(/fetch-depth: 0/);
    runSuggestedFetch(clone, err);
    await expectOnlyFeatureChange(clone, 'origin/main', branchPoint);
  });

  it('fetches a missing remote branch into the ref the user named', async () => {
    const clone = shallowClone(origin, 1); // single-branch: no origin/main at all
    const err = await failure(gitChangeSet({ cwd: clone.dir, base: 'origin/main' }));
    expect(err.message).toMatch(/^the base ref "origin\/main" is not in this shallow clone/);
    expect(runSuggestedFetch(clone, err)).toBe(
      'git fetch --deepen=50 origin +refs/heads/main:refs/remotes/origin/main',
    );
    await expectOnlyFeatureChange(clone, 'origin/main', branchPoint);
  });

  it('prints the full commit id in the fetch when the base was given abbreviated (git fetch refuses short ids)', async () => {
    const clone = shallowClone(origin, 1, ['--no-single-branch']);
    const short = mainTip.slice(0, 10);
    const err = await failure(gitChangeSet({ cwd: clone.dir, base: short }));
    expect(err.message).toContain(`run \`git fetch --deepen=50 origin ${mainTip}\``);
    runSuggestedFetch(clone, err);
    await expectOnlyFeatureChange(clone, short, branchPoint);
  });

  it('says git fetch needs the full id when an abbreviated base commit is missing', async () => {
    const clone = shallowClone(origin, 1);
    const err = await failure(gitChangeSet({ cwd: clone.dir, base: mainTip.slice(0, 12) }));
    expect(err.message).toBe(
      `the base commit ${mainTip.slice(0, 12)} is not in this shallow clone, and git fetch needs the full commit id: ` +
        'run `git fetch --deepen=50 <remote> <full commit id>` or check out with `fetch-depth: 0`',
    );
    expect(err.hint).toContain(`git rev-parse ${mainTip.slice(0, 12)}`);
  });

  it('works normally when the clone is shallow but deep enough', async () => {
    const clone = shallowClone(origin, 10, ['--no-single-branch']);
    await expectOnlyFeatureChange(clone, 'origin/main', branchPoint);
  });

  it('hints at the remote branch when a local name is unknown in a full clone', async () => {
    const clone = new TestRepo(join(tempDir(), 'full'));
    mkdirSync(clone.dir);
    clone.git('clone', '-q', '--branch', 'feature', `file://${origin.dir}`, '.');
    const err = await failure(gitChangeSet({ cwd: clone.dir, base: 'main' }));
    expect(err.message).toBe('unknown base ref "main": git has no commit by that name');
    expect(err.hint).toBe('did you mean origin/main?');
  });
});
