/**
 * The bundled Action reads policy at the base branch's tip (`pull_request.base.sha`), not at the
 * merge-base: a PR branched while main was report-only is judged by main's enforcing config now, from a
 * checkout and through the API alike. The diff and the baseline still come from the merge-base.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  explain,
  LEAKY_AUTH,
  pullRequestPayload,
  reportOf,
  runAction,
  tempDir,
} from './harness.js';

let world: ActionWorld;
let mergeBase: string;
let tip: string;
let stale: string;

beforeAll(async () => {
  world = await ActionWorld.create();
  mergeBase = world.commit({ ...BASE_FILES, '.github/readiness.yml': 'fail-on: never\n' }, 'report-only');
  world.repo.git('checkout', '-q', '-b', 'feature');
  stale = world.commit({ 'src/auth.ts': LEAKY_AUTH }, 'log in');
  world.repo.git('checkout', '-q', 'main');
  // main switches to enforcing, and gains a leak of its own in a file the PR never touches.
  tip = world.commit({ '.github/readiness.yml': 'fail-on: blocker\n', 'src/legacy.ts': LEAKY_AUTH }, 'enforce');
  world.repo.git('checkout', '-q', '--detach', stale);
});

afterAll(async () => {
  await world.close();
  cleanup();
});

describe('a pull request branched before main enforced its gate', () => {
  it('is blocked by the config at the base tip when run from the checkout', async () => {
    world.pull({ number: 7, base: tip, head: stale });
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 7, base: tip, head: stale }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { comment: 'never' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'blocked', blockers: '1' });
    const report = reportOf(run) as ReturnType<typeof reportOf> & { base: { sha: string } };
    expect(report.base.sha).toBe(mergeBase);
    expect(report.findings.map((f) => f.path)).toEqual(['src/auth.ts']);
  });

  it('is blocked by the config at the base tip through the API’s file list (no checkout)', async () => {
    world.pull({ number: 8, base: tip, head: stale });
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 8, base: tip, head: stale }),
      workspace: tempDir('rg-no-checkout-'),
      fake: world.fake,
      inputs: { comment: 'never' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain("Using the GitHub API's file list instead of git");
    expect(run.outputs).toMatchObject({ verdict: 'blocked', blockers: '1' });
    world.fake.assertNoUnexpected();
  });
});
