/**
 * Verdict integrity on the app (issue 13, items 1 and 4), end to end through signed deliveries and the
 * fake GitHub:
 * - a suppression comment the PR adds next to its own blocker does not turn the check green: the finding
 *   waits for `/readiness approve <id>` by someone the base policy allows; one already at the base works;
 * - a waiver counts only in a comment whose last editor is its author: the PR author editing a
 *   maintainer's comment into `/readiness waive …` is refused, on the `edited` delivery (its `sender`)
 *   and whenever the comments are re-read (GraphQL's edit history).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTH_BAD,
  BAD,
  BASE,
  baseFiles,
  comment,
  expectCleanFake,
  findingIds,
  issueCommentEvent,
  latestRun,
  OWNER,
  pullRequestEvent,
  replies,
  REPO,
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

/** The blocker of AUTH_BAD with a marker the PR adds on the line before it. */
const AUTH_SELF_SUPPRESSED = AUTH_BAD.replace(
  '  logger.info(`login',
  '  // readiness-ignore pii: it is only a demo\n  logger.info(`login',
);
const SELF = '5e1f'.repeat(10);

function reactions(harness: Harness, commentId: number): string[] {
  return harness.fake
    .repoState(OWNER, REPO)
    .comments.get(commentId)!
    .reactions.filter((r) => r.user.login === 'readiness-gates[bot]')
    .map((r) => r.content);
}

describe('suppression comments the pull request adds', () => {
  async function selfSuppressed(): Promise<{ harness: Harness; id: string }> {
    const repo = standardRepo({
      commits: { [BASE]: baseFiles(), [SELF]: baseFiles({ 'src/auth.ts': AUTH_SELF_SUPPRESSED }) },
      parents: { [SELF]: [BASE] },
      pulls: [
        {
          number: 7,
          user: 'alice',
          head: { sha: SELF, ref: 'feature' },
          base: { sha: BASE, ref: 'main' },
          title: 'Log in',
        },
      ],
    });
    const harness = await startHarness({ repo });
    await harness.deliver('pull_request', pullRequestEvent('opened', { head: SELF }));
    await harness.app.idle();
    const [id] = findingIds(latestRun(harness, SELF));
    return { harness, id: id! };
  }

  it('a readiness-ignore the author adds next to their blocker keeps the check failing, "awaiting approval"', async () => {
    const { harness, id } = await selfSuppressed();
    h = harness;
    const run = latestRun(h, SELF)!;
    expect(run.conclusion).toBe('failure');
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    const annotation = run.annotations.find((a) => a.raw_details?.includes(id))!;
    expect(annotation.raw_details).toContain('awaiting approval');
    expect(annotation.raw_details).toContain(`/readiness approve ${id}`);
    expect(scorecards(h)[0]!.body).toContain(`/readiness approve ${id}`);
    expectCleanFake(h);
  });

  it('the author cannot approve it; a maintainer can, and the check turns green with who approved', async () => {
    const { harness, id } = await selfSuppressed();
    h = harness;
    const own = await comment(h, 'alice', `/readiness approve ${id}`);
    await h.app.idle();
    expect(reactions(h, own.id)).toEqual(['-1']);
    expect(replies(h).at(-1)!.body).toContain('may not approve its own suppression comments');
    expect(latestRun(h, SELF)!.conclusion).toBe('failure');

    const ok = await comment(h, 'maria', `/readiness approve ${id}`);
    await h.app.idle();
    expect(reactions(h, ok.id)).toEqual(['+1']);
    expect(latestRun(h, SELF)!.conclusion).toBe('success');
    expect(scorecards(h)[0]!.body).toMatch(/approved by @\u200b?maria/);
    expectCleanFake(h);
  });

  it('a suppression already at the base keeps working for the blocker the PR adds under it', async () => {
    const marker = '// readiness-ignore-file pii: demo service, logs go nowhere\n';
    const repo = standardRepo({
      commits: {
        [BASE]: baseFiles({ 'src/auth.ts': marker + baseFiles()['src/auth.ts'] }),
        [BAD]: baseFiles({ 'src/auth.ts': marker + AUTH_BAD }),
      },
      parents: { [BAD]: [BASE] },
    });
    h = await startHarness({ repo });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('success');
    expectCleanFake(h);
  });
});

describe('waivers in comments someone else edited', () => {
  async function blocked(): Promise<{ harness: Harness; id: string }> {
    const harness = await startHarness();
    await harness.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await harness.app.idle();
    expect(latestRun(harness, BAD)!.conclusion).toBe('failure');
    return { harness, id: findingIds(latestRun(harness, BAD))[0]! };
  }

  it('the PR author editing a maintainer’s comment into a waiver is refused, and the reply says why', async () => {
    const { harness, id } = await blocked();
    h = harness;
    const c = await comment(h, 'maria', 'Looks reasonable, but I want a second pair of eyes.');
    await h.app.idle();
    const forged = `/readiness waive ${id} approved in chat`;
    h.fake.editComment(OWNER, REPO, c.id, forged, 'alice');
    await h.deliver(
      'issue_comment',
      issueCommentEvent('edited', { id: c.id, body: forged, login: 'maria', sender: 'alice', previousBody: c.body }),
    );
    await h.app.idle();

    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expect(reactions(h, c.id)).toEqual(['-1']);
    const reply = replies(h).at(-1)!.body;
    expect(reply).toContain('last edited by @alice, not by its author');
    expect(scorecards(h)[0]!.body).not.toContain('approved in chat');
    // The waiver was checked against the edit history the API reports.
    expect(h.fake.requestsFor('graphql').length).toBeGreaterThan(0);
    expectCleanFake(h);
  });

  it('a forged edit whose delivery never arrived is refused when the comments are re-read', async () => {
    const { harness, id } = await blocked();
    h = harness;
    const c = await comment(h, 'maria', 'Looks reasonable.');
    await h.app.idle();
    h.fake.editComment(OWNER, REPO, c.id, `/readiness waive ${id} approved in chat`, 'alice');
    // Any later evaluation re-reads every comment: a recheck by anyone.
    await comment(h, 'bob', '/readiness recheck');
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });

  it('a maintainer editing their own comment into a waiver still counts', async () => {
    const { harness, id } = await blocked();
    h = harness;
    const c = await comment(h, 'maria', 'Let me look.');
    await h.app.idle();
    const body = `/readiness waive ${id} staging-only logger, removed in #12`;
    h.fake.editComment(OWNER, REPO, c.id, body, 'maria');
    await h.deliver(
      'issue_comment',
      issueCommentEvent('edited', { id: c.id, body, login: 'maria', previousBody: c.body }),
    );
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('success');
    expect(reactions(h, c.id)).toEqual(['+1']);
    expectCleanFake(h);
  });
});
