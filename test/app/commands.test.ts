/**
 * `/readiness` commands in PR comments, end to end: waivers by people the base branch's policy allows
 * (👍, green check, listed with who/why/until), refusals (👎 and a reply saying why), expiry, recheck,
 * help and explain. Waiver authority comes from the fake's collaborator permissions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTH_BAD,
  BAD,
  baseFiles,
  comment,
  day,
  expectCleanFake,
  findingIds,
  issueCommentEvent,
  latestRun,
  OWNER,
  pullRequestEvent,
  push,
  replies,
  REPO,
  runsOn,
  scorecards,
  standardRepo,
  startHarness,
  type Harness,
} from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The app's clock, moved by tests to expire waivers. */
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

/** A blocked PR #7 and the id of its one blocker. */
async function blocked(): Promise<{ h: Harness; id: string }> {
  offsetMs = 0;
  const harness = await startHarness({ app: { now: clock } });
  await harness.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
  await harness.app.idle();
  expect(latestRun(harness, BAD)?.conclusion).toBe('failure');
  const [id] = findingIds(latestRun(harness, BAD));
  expect(id).toMatch(/^[0-9a-f]{12}$/);
  return { h: harness, id: id! };
}

function reactions(h: Harness, commentId: number): string[] {
  return h.fake
    .repoState(OWNER, REPO)
    .comments.get(commentId)!
    .reactions.filter((r) => r.user.login === 'readiness-gates[bot]')
    .map((r) => r.content);
}

describe('waivers', () => {
  it('a maintainer’s waiver turns the check green and is shown with who, why and until', async () => {
    const r = await blocked();
    h = r.h;
    const id = r.id;
    const until = day(new Date(), 30);
    const c = await comment(
      h,
      'maria',
      `/readiness waive ${id} --until ${until} The log goes to a sink that drops this field; fix in #12`,
    );
    await h.app.idle();

    expect(reactions(h, c.id)).toEqual(['+1']);
    const run = latestRun(h, BAD)!;
    expect(run.conclusion).toBe('success');
    expect(run.output.title).toMatch(/^Ready: no new blockers/);
    expect(runsOn(h, BAD).map((r) => r.conclusion)).toEqual(['failure', 'success']);
    const card = scorecards(h);
    expect(card).toHaveLength(1);
    // The scorecard names who waived (with a zero-width joiner, so the comment does not notify them).
    expect(card[0]!.body).toMatch(/\| waiver \| @\u200b?maria \|/);
    expect(card[0]!.body).toContain('fix in #12');
    expect(card[0]!.body).toContain(until);
    expect(replies(h)).toEqual([]);
    expectCleanFake(h);
  });

  it('refuses the PR author’s own waiver with 👎 and a reply saying why; the check stays failing', async () => {
    const r = await blocked();
    h = r.h;
    const c = await comment(h, 'alice', `/readiness waive ${r.id} it is fine, trust me`);
    await h.app.idle();
    expect(reactions(h, c.id)).toEqual(['-1']);
    const [reply] = replies(h);
    expect(reply!.body).toContain('@alice');
    expect(reply!.body).toContain('opened this pull request and may not waive');
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });

  it('refuses a waiver by a user with read permission', async () => {
    const r = await blocked();
    h = r.h;
    const c = await comment(h, 'rita', `/readiness waive ${r.id} looks harmless to me`);
    await h.app.idle();
    expect(reactions(h, c.id)).toEqual(['-1']);
    expect(replies(h)[0]!.body).toMatch(
      /@rita has `read` permission on this repository; waivers need `maintain` or higher/,
    );
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });

  it('an expired waiver stops applying: the check fails again and the scorecard says it expired', async () => {
    const r = await blocked();
    h = r.h;
    const until = day(new Date(), 1);
    await comment(h, 'maria', `/readiness waive ${r.id} --until ${until} accepted until the hotfix ships`);
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('success');

    offsetMs = 3 * 86_400_000; // three days later
    const c = await comment(h, 'rita', '/readiness recheck');
    await h.app.idle();
    expect(reactions(h, c.id)).toEqual(['+1']);
    const run = latestRun(h, BAD)!;
    expect(run.conclusion).toBe('failure');
    const card = scorecards(h)[0]!.body;
    expect(card).toMatch(/expired/i);
    expect(card).toContain(until);
    expectCleanFake(h);
  });

  it('unwaive and an edited-away waiver are re-read on the next evaluation', async () => {
    const r = await blocked();
    h = r.h;
    const waive = `/readiness waive ${r.id} accepted for the demo`;
    const c = await comment(h, 'maria', waive);
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('success');

    // Maria edits the waiver away: the edit event alone re-evaluates, and the waiver is gone.
    const record = h.fake.repoState(OWNER, REPO).comments.get(c.id)!;
    record.body = 'never mind';
    await h.deliver(
      'issue_comment',
      issueCommentEvent('edited', { id: c.id, body: 'never mind', login: 'maria', previousBody: waive }),
    );
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');

    // Waive again, then unwaive.
    await comment(h, 'maria', waive);
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('success');
    const u = await comment(h, 'maria', `/readiness unwaive ${r.id}`);
    await h.app.idle();
    expect(reactions(h, u.id)).toEqual(['+1']);
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });

  it('answers a waiver whose evaluation was superseded by a push, on the newer head', async () => {
    offsetMs = 0;
    const repo = standardRepo();
    const moved = 'b2b2'.repeat(10);
    repo.commits![moved] = baseFiles({ 'src/auth.ts': AUTH_BAD, 'README.md': '# shop, v2\n' });
    repo.parents![moved] = [BAD];
    h = await startHarness({ repo, app: { now: clock } });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    const [id] = findingIds(latestRun(h, BAD));

    // The waiver's evaluation is slow; the branch moves while it runs.
    h.fake.injectFault({ operationId: 'pulls/list-files', delayMs: 300, times: 1 });
    const c = await comment(h, 'maria', `/readiness waive ${id} accepted: the sink drops it`);
    const deadline = Date.now() + 10_000;
    while (h.fake.requestsFor('pulls/list-files').length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    push(h, moved);
    await h.app.idle();

    expect(runsOn(h, BAD).map((r) => r.conclusion)).toEqual(['failure', 'cancelled']);
    expect(latestRun(h, moved)).toMatchObject({ conclusion: 'success' });
    expect(reactions(h, c.id)).toEqual(['+1']);
    expect(scorecards(h)).toHaveLength(1);
    expectCleanFake(h);
  });

  it('refuses a waive without a reason or for an unknown finding', async () => {
    const r = await blocked();
    h = r.h;
    const c = await comment(h, 'maria', `/readiness waive ${r.id}\n/readiness waive 000000000000 no such thing`);
    await h.app.idle();
    expect(reactions(h, c.id)).toEqual(['-1']);
    const body = replies(h)[0]!.body;
    expect(body).toContain('needs a reason');
    expect(body).toContain('no finding `000000000000`');
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });
});

describe('other commands', () => {
  it('/readiness recheck re-evaluates with a new check run and a 👍', async () => {
    const r = await blocked();
    h = r.h;
    const before = runsOn(h, BAD).length;
    const c = await comment(h, 'alice', '/readiness recheck');
    await h.app.idle();
    expect(reactions(h, c.id)).toEqual(['+1']);
    expect(runsOn(h, BAD)).toHaveLength(before + 1);
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expect(scorecards(h)).toHaveLength(1);
    expectCleanFake(h);
  });

  it('help and explain are answered in place without an evaluation; a typo gets a 👎 with a suggestion', async () => {
    h = await startHarness();
    const help = await comment(h, 'rita', '/readiness help');
    const explain = await comment(h, 'rita', '/readiness explain pii/sensitive-field-logged');
    const typo = await comment(h, 'rita', '/readiness wavie 123 because');
    await h.app.idle();
    expect(reactions(h, help.id)).toEqual(['+1']);
    expect(reactions(h, explain.id)).toEqual(['+1']);
    expect(reactions(h, typo.id)).toEqual(['-1']);
    const bodies = replies(h).map((c) => c.body);
    expect(bodies.some((b) => b.includes('/readiness waive <finding-id>'))).toBe(true);
    expect(bodies.some((b) => b.includes('# pii/sensitive-field-logged'))).toBe(true);
    expect(bodies.some((b) => b.includes('Did you mean `/readiness waive`?'))).toBe(true);
    expect(h.fake.requestsFor('checks/create')).toEqual([]);
    expectCleanFake(h);
  });

  it('ignores comments by bots and comments on issues, saying why in the log', async () => {
    h = await startHarness();
    const bot = h.fake.addComment(OWNER, REPO, 7, '/readiness recheck', 'other-app[bot]');
    await h.deliver(
      'issue_comment',
      issueCommentEvent('created', { id: bot.id, body: bot.body, login: 'other-app[bot]', type: 'Bot' }),
    );
    await h.deliver(
      'issue_comment',
      issueCommentEvent('created', { id: 999, body: '/readiness recheck', login: 'rita' }, { onIssue: true }),
    );
    const plain = h.fake.addComment(OWNER, REPO, 7, 'LGTM', 'rita');
    await h.deliver('issue_comment', issueCommentEvent('created', { id: plain.id, body: 'LGTM', login: 'rita' }));
    await h.app.idle();
    expect(h.fake.writes()).toEqual([]);
    const infos = h.logs.filter((l) => l.includes('"level":"info"')).join('\n');
    expect(infos).toContain('written by a bot');
    expect(infos).toContain('on an issue, not a pull request');
    expect(infos).toContain('holds no /readiness command');
    expectCleanFake(h);
  });
});
