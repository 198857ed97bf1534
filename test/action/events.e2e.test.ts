/**
 * The events without a pull request to comment on (`push`, `workflow_dispatch`) and the early returns that
 * must say why nothing happened.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  example,
  explain,
  LEAKY_AUTH,
  OWNER,
  pushPayload,
  REPO,
  runAction,
  ZERO_SHA,
} from './harness.js';

let world: ActionWorld;
let base: string;
let head: string;

beforeAll(async () => {
  world = await ActionWorld.create();
  base = world.commit(BASE_FILES, 'base');
  head = world.commit({ 'src/auth.ts': LEAKY_AUTH }, 'add login');
});

afterAll(async () => {
  await world.close();
  cleanup();
});

describe('push and workflow_dispatch', () => {
  it('push compares with the previous commit and publishes a check run (no comment)', async () => {
    world.fake.clearRequests();
    const run = await runAction({
      event: 'push',
      payload: pushPayload({ before: base, after: head }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain(`merge-base ${base.slice(0, 7)}`);
    expect(world.fake.writes().map((r) => r.operationId)).toEqual(['checks/create']);
    expect(world.fake.checkRuns(OWNER, REPO, head).at(-1)).toMatchObject({ conclusion: 'failure' });
    world.fake.assertNoUnexpected();
  });

  it('push with cache-dir fills the analysis cache for the pull requests to come, with the same verdict', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rg-push-cache-')), 'cache');
    const run = await runAction({
      event: 'push',
      payload: pushPayload({ before: base, after: head }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { 'cache-dir': dir },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toMatch(/Analysis cache: 0 hit\(s\), [1-9]\d* miss\(es\); saved to /);
    expect(existsSync(join(dir, 'analysis-cache.bin'))).toBe(true);
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('a push that creates a branch compares the head with its parent', async () => {
    const run = await runAction({
      event: 'push',
      payload: pushPayload({ before: ZERO_SHA, after: head, ref: 'refs/heads/feature' }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { 'check-run': 'false' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain(`merge-base ${base.slice(0, 7)}`);
    expect(run.summary).toContain('Check run: not published (check-run: false)');
  });

  it('workflow_dispatch takes base and head from the inputs; fail-on: never reports without failing', async () => {
    const payload = example('workflow_dispatch');
    const run = await runAction({
      event: 'workflow_dispatch',
      payload,
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { base, head, 'fail-on': 'never', 'check-run': 'false' },
    });
    expect(run.code, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({ verdict: 'ready', blockers: '1' });
  });

  it('workflow_dispatch without a base fails with what to set', async () => {
    const run = await runAction({
      event: 'workflow_dispatch',
      payload: example('workflow_dispatch'),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('a workflow_dispatch run needs the `base` input');
  });

  it('a comment on an issue (not a pull request) is a logged no-op', async () => {
    world.fake.clearRequests();
    const run = await runAction({
      event: 'issue_comment',
      payload: example('issue_comment', 'created'),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toMatch(/Nothing to check: #\d+ is an issue, not a pull request/);
    expect(world.fake.requests).toEqual([]);
  });

  it('an invalid input fails the step naming the input and the allowed values', async () => {
    const run = await runAction({
      event: 'push',
      payload: pushPayload({ before: base, after: head }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { comment: 'sometimes' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::input `comment` must be one of `always`, `on-change`, `never`; got `sometimes`',
    );
  });
});
