/**
 * Verdict integrity through the bundled Action (issue 13, items 1 and 4):
 * - a `readiness-ignore` the pull request adds next to its own blocker keeps the step failing until a
 *   maintainer comments `/readiness approve <id>` (the author's own approval is refused);
 * - a waiver in a maintainer's comment that the PR author edited is refused: on the `edited` run (its
 *   `sender`) with a reply saying why, and on any later run (the API's edit history).
 * Policy: the defaults (min-permission maintain, author may not waive or approve).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  explain,
  issueCommentPayload,
  LEAKY_AUTH,
  OWNER,
  pullRequestPayload,
  REPO,
  reportOf,
  runAction,
} from './harness.js';

afterAll(cleanup);

describe('a suppression comment the pull request adds', () => {
  let world: ActionWorld;
  let base: string;
  let head: string;
  let findingId: string;

  beforeAll(async () => {
    world = await ActionWorld.create();
    base = world.commit(BASE_FILES, 'base');
    world.repo.git('checkout', '-q', '-b', 'feature');
    head = world.commit(
      {
        'src/auth.ts': LEAKY_AUTH.replace(
          '  logger.info(',
          '  // readiness-ignore pii: it is only a demo\n  logger.info(',
        ),
      },
      'add login',
    );
    world.repo.git('checkout', '-q', 'main');
    world.pull({ number: 7, base, head, author: 'alice' });
  });
  afterAll(() => world.close());

  it('does not turn the step green: the finding waits for approval and still blocks', async () => {
    world.repo.git('checkout', '-q', 'feature');
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 7, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    world.repo.git('checkout', '-q', 'main');
    expect(run.code, explain(run)).toBe(1);
    const f = reportOf(run).findings.find((x) => x.ruleId === 'pii/sensitive-field-logged') as unknown as {
      id: string;
      state: string;
      pendingApproval?: { reason: string };
    };
    expect(f).toMatchObject({ state: 'new', pendingApproval: { reason: 'it is only a demo' } });
    findingId = f.id;
    expect(world.fake.checkRuns(OWNER, REPO, head).at(-1)).toMatchObject({ conclusion: 'failure' });
  });

  it('the author’s own approval is refused; a maintainer’s approval turns it green', async () => {
    const own = await command(world, 'alice', `/readiness approve ${findingId}`);
    expect(own.run.code, explain(own.run)).toBe(1);
    expect(own.reactions).toEqual(['-1']);

    const ok = await command(world, 'maria', `/readiness approve ${findingId}`);
    expect(ok.run.code, explain(ok.run)).toBe(0);
    expect(ok.reactions).toEqual(['+1']);
    const f = reportOf(ok.run).findings.find((x) => x.id === findingId) as unknown as {
      state: string;
      suppression: { approvedBy: string };
    };
    expect(f).toMatchObject({ state: 'suppressed', suppression: { approvedBy: 'maria' } });
    expect(world.fake.checkRuns(OWNER, REPO, head).at(-1)).toMatchObject({ conclusion: 'success' });
    world.fake.assertNoUnexpected();
  });
});

describe('a waiver in a comment someone else edited', () => {
  let world: ActionWorld;
  let base: string;
  let head: string;
  let findingId: string;

  beforeAll(async () => {
    world = await ActionWorld.create();
    base = world.commit(BASE_FILES, 'base');
    world.repo.git('checkout', '-q', '-b', 'feature');
    head = world.commit({ 'src/auth.ts': LEAKY_AUTH }, 'add login');
    world.repo.git('checkout', '-q', 'main');
    world.pull({ number: 7, base, head, author: 'alice' });
    world.repo.git('checkout', '-q', 'feature');
    const first = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 7, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    world.repo.git('checkout', '-q', 'main');
    expect(first.code, explain(first)).toBe(1);
    findingId = reportOf(first).findings.find((f) => f.ruleId === 'pii/sensitive-field-logged')!.id;
  });
  afterAll(() => world.close());

  it('the PR author editing a maintainer’s comment into a waiver: refused, with a reply saying why', async () => {
    const c = world.fake.addComment(OWNER, REPO, 7, 'Looks reasonable, but I want a second pair of eyes.', 'maria');
    const forged = `/readiness waive ${findingId} approved in chat`;
    world.fake.editComment(OWNER, REPO, c.id, forged, 'alice');
    world.fake.clearRequests();
    const run = await runAction({
      event: 'issue_comment',
      payload: issueCommentPayload({
        number: 7,
        commentId: c.id,
        body: forged,
        login: 'maria',
        action: 'edited',
        sender: 'alice',
      }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(1);
    expect(
      world.fake
        .comments(OWNER, REPO, 7)
        .find((x) => x.id === c.id)!
        .reactions.map((r) => r.content),
    ).toEqual(['-1']);
    const reply = world.fake
      .comments(OWNER, REPO, 7)
      .filter((x) => x.user.login === 'github-actions[bot]' && !x.body.startsWith('<!--'))
      .at(-1)!;
    expect(reply.body).toContain('last edited by @alice, not by its author');
    expect(world.fake.checkRuns(OWNER, REPO, head).at(-1)).toMatchObject({ conclusion: 'failure' });
    world.fake.assertNoUnexpected();
  });

  it('on a later run (a recheck), the forged waiver is still refused from the API’s edit history', async () => {
    const recheck = await command(world, 'bob', '/readiness recheck');
    expect(recheck.run.code, explain(recheck.run)).toBe(1);
    expect(world.fake.requestsFor('graphql').length).toBeGreaterThan(0);
    world.fake.assertNoUnexpected();
  });
});

/** Adds a comment by `login`, runs the Action on its `issue_comment.created`, returns the run and our reactions. */
async function command(world: ActionWorld, login: string, body: string) {
  const c = world.fake.addComment(OWNER, REPO, 7, body, login);
  world.fake.clearRequests();
  const run = await runAction({
    event: 'issue_comment',
    payload: issueCommentPayload({ number: 7, commentId: c.id, body, login }),
    workspace: world.repo.dir,
    fake: world.fake,
  });
  return {
    run,
    reactions: world.fake
      .comments(OWNER, REPO, 7)
      .find((x) => x.id === c.id)!
      .reactions.map((r) => r.content),
  };
}
