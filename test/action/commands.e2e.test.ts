/**
 * `/readiness` commands through `issue_comment` runs, and the merge queue honouring the waivers of the
 * pull request it merges. Policy: the defaults (min-permission maintain, author may not waive).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  explain,
  issueCommentPayload,
  LEAKY_AUTH,
  mergeGroupPayload,
  OWNER,
  pullRequestPayload,
  REPO,
  reportOf,
  runAction,
} from './harness.js';

let world: ActionWorld;
let base: string;
let head: string;
let findingId: string;

beforeAll(async () => {
  world = await ActionWorld.create();
  base = world.commit(BASE_FILES, 'base');
  world.repo.git('checkout', '-q', '-b', 'feature');
  head = world.commit({ 'src/auth.ts': LEAKY_AUTH }, 'add login');
  // The workspace of an issue_comment run is the default branch; the Action fetches the PR's commits itself.
  world.repo.git('checkout', '-q', 'main');
  world.pull({ number: 7, base, head, author: 'alice' });
  const first = await runAction({
    event: 'pull_request',
    payload: pullRequestPayload({ number: 7, base, head }),
    workspace: world.repo.dir,
    fake: world.fake,
  });
  expect(first.code, explain(first)).toBe(1);
  findingId = reportOf(first).findings.find((f) => f.ruleId === 'pii/sensitive-field-logged')!.id;
});

afterAll(async () => {
  await world.close();
  cleanup();
});

async function comment(login: string, body: string) {
  const c = world.fake.addComment(OWNER, REPO, 7, body, login);
  world.fake.clearRequests();
  const run = await runAction({
    event: 'issue_comment',
    payload: issueCommentPayload({ number: 7, commentId: c.id, body, login }),
    workspace: world.repo.dir,
    fake: world.fake,
  });
  return { run, comment: world.fake.comments(OWNER, REPO, 7).find((x) => x.id === c.id)! };
}

const scorecard = () =>
  world.fake.comments(OWNER, REPO, 7).filter((c) => c.body.startsWith('<!-- readiness-gates:scorecard -->'));
const replies = () =>
  world.fake
    .comments(OWNER, REPO, 7)
    .filter((c) => c.user.login === 'github-actions[bot]' && !c.body.startsWith('<!--'));

describe('/readiness commands on a pull request', () => {
  it('the author waiving their own finding is refused: 👎, a reply saying why, still blocked', async () => {
    const { run, comment: c } = await comment('alice', `/readiness waive ${findingId} it is only a demo`);
    expect(run.code, explain(run)).toBe(1);
    expect(c.reactions.map((r) => r.content)).toEqual(['-1']);
    const [reply] = replies();
    expect(reply!.body).toContain('@alice, this was not applied');
    expect(reply!.body).toContain('opened this pull request and may not waive');
    expect(world.fake.checkRuns(OWNER, REPO, head).at(-1)).toMatchObject({ conclusion: 'failure' });
    world.fake.assertNoUnexpected();
  });

  it('a read-only user is refused with the permission they have and the one needed', async () => {
    const { run, comment: c } = await comment('rita', `/readiness waive ${findingId} looks fine to me`);
    expect(run.code, explain(run)).toBe(1);
    expect(c.reactions.map((r) => r.content)).toEqual(['-1']);
    expect(replies().at(-1)!.body).toContain(
      '@rita has `read` permission on this repository; waivers need `maintain` or higher',
    );
  });

  it('a maintainer’s waiver applies: 👍, the check turns green, the scorecard lists who, why and until', async () => {
    const { run, comment: c } = await comment(
      'maria',
      `/readiness waive ${findingId} --until 2999-01-01 staging-only logger, removed in #12`,
    );
    expect(run.code, explain(run)).toBe(0);
    expect(run.outputs['verdict']).toBe('ready');
    expect(c.reactions.map((r) => r.content)).toEqual(['+1']);
    expect(world.fake.checkRuns(OWNER, REPO, head).at(-1)).toMatchObject({ conclusion: 'success' });
    const [card] = scorecard();
    expect(scorecard()).toHaveLength(1);
    expect(card!.body).toContain('staging-only logger, removed in #12');
    expect(card!.body).toContain('maria');
    // --until is capped at the comment's date + max-days (90), and the reply says so.
    const waived = reportOf(run).findings.find((f) => f.id === findingId) as unknown as {
      state: string;
      suppression: { until: string; by: string };
    };
    expect(waived.state).toBe('waived');
    const cap = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    expect([cap, new Date(Date.now() + 89 * 86_400_000).toISOString().slice(0, 10)]).toContain(
      waived.suppression.until,
    );
    expect(replies().at(-1)!.body).toContain('`waivers.max-days` caps how long a waiver may last');
    world.fake.assertNoUnexpected();
  });

  it('help is answered without re-evaluating', async () => {
    const { run, comment: c } = await comment('bob', '/readiness help');
    expect(run.code, explain(run)).toBe(0);
    expect(c.reactions.map((r) => r.content)).toEqual(['+1']);
    expect(replies().at(-1)!.body).toContain('/readiness waive <finding-id> [--until YYYY-MM-DD] <reason>');
    expect(world.fake.requestsFor('checks/create')).toEqual([]);
  });

  it('the merge queue applies the pull request’s waivers to the group', async () => {
    world.repo.git('checkout', '-q', '-b', 'gh-readonly-queue/main/pr-7', 'main');
    world.repo.git(
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'merge',
      '-q',
      '--no-ff',
      '-m',
      'Merge pull request #7',
      'feature',
    );
    const group = world.mirror(world.repo.head());
    world.repo.git('checkout', '-q', 'main');
    world.fake.clearRequests();
    const run = await runAction({
      event: 'merge_group',
      payload: mergeGroupPayload({ base, head: group, pr: 7 }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(0);
    expect(run.summary).toContain('merge queue, pull request #7');
    expect(world.fake.checkRuns(OWNER, REPO, group)).toMatchObject([
      { conclusion: 'success', name: 'Readiness Gates' },
    ]);
    // No pull request to comment on in a merge group.
    expect(world.fake.writes().map((r) => r.operationId)).toEqual(['checks/create']);
    world.fake.assertNoUnexpected();
  });

  it('unwaive by the maintainer: blocked again', async () => {
    const { run, comment: c } = await comment('maria', `/readiness unwaive ${findingId}`);
    expect(run.code, explain(run)).toBe(1);
    expect(c.reactions.map((r) => r.content)).toEqual(['+1']);
    expect(world.fake.checkRuns(OWNER, REPO, head).at(-1)).toMatchObject({ conclusion: 'failure' });
    expect(scorecard()).toHaveLength(1);
  });
});
