/**
 * The sticky scorecard comment against the fake GitHub: one comment per PR, edited in place, never a
 * write when nothing changed, and never touching anyone else's comment.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addReaction,
  listIssueComments,
  upsertStickyComment,
  type UpsertStickyCommentOptions,
} from '../../src/github/index.js';
import type { FakeGitHub } from '../support/fake-github/index.js';
import { OWNER, REPO, startSeededFake, testOctokit } from './helpers.js';

const MARKER = '<!-- readiness-gates:scorecard -->';
let fake: FakeGitHub;
beforeEach(async () => {
  fake = await startSeededFake();
});
afterEach(async () => {
  fake.assertNoUnexpected();
  await fake.close();
});

const sticky = (body: string, extra: Partial<UpsertStickyCommentOptions> = {}): UpsertStickyCommentOptions => ({
  owner: OWNER,
  repo: REPO,
  issueNumber: 7,
  body: `${MARKER}\n${body}`,
  marker: MARKER,
  mode: 'on-change',
  ownLogin: 'github-actions[bot]',
  ...extra,
});

describe('upsertStickyComment', () => {
  it('creates, then updates in place, then makes no write when the body is unchanged', async () => {
    const octokit = testOctokit(fake);
    const created = await upsertStickyComment(octokit, sticky('**Blocked**: 1 blocker'));
    expect(created).toMatchObject({ action: 'created', deletedDuplicates: 0 });
    expect(created.htmlUrl).toContain(`#issuecomment-${created.commentId}`);

    const updated = await upsertStickyComment(octokit, sticky('**Ready**'));
    expect(updated).toMatchObject({ action: 'updated', commentId: created.commentId });
    expect(fake.comments(OWNER, REPO, 7).map((c) => c.body)).toEqual([`${MARKER}\n**Ready**`]);

    fake.clearRequests();
    const unchanged = await upsertStickyComment(octokit, sticky('**Ready**'));
    expect(unchanged).toMatchObject({ action: 'unchanged', commentId: created.commentId });
    expect(fake.writes()).toEqual([]);
    expect(fake.requests.map((r) => r.operationId)).toEqual(['issues/list-comments']);
  });

  it('re-sends an identical body in `always` mode and does nothing at all in `never` mode', async () => {
    const octokit = testOctokit(fake);
    await upsertStickyComment(octokit, sticky('same'));
    fake.clearRequests();
    expect((await upsertStickyComment(octokit, sticky('same', { mode: 'always' }))).action).toBe('updated');
    expect(fake.writes().map((r) => r.operationId)).toEqual(['issues/update-comment']);
    fake.clearRequests();
    expect(await upsertStickyComment(octokit, sticky('other', { mode: 'never' }))).toEqual({
      action: 'skipped',
      deletedDuplicates: 0,
    });
    expect(fake.requests).toEqual([]);
  });

  it('keeps the newest of several copies (from concurrent runs) and deletes the others', async () => {
    const older = fake.addComment(OWNER, REPO, 7, `${MARKER}\nold run`, 'github-actions[bot]');
    const newer = fake.addComment(OWNER, REPO, 7, `${MARKER}\nnewer run`, 'github-actions[bot]');
    const result = await upsertStickyComment(testOctokit(fake), sticky('latest'));
    expect(result).toEqual(expect.objectContaining({ action: 'updated', commentId: newer.id, deletedDuplicates: 1 }));
    expect(fake.comments(OWNER, REPO, 7).map((c) => [c.id, c.body])).toEqual([[newer.id, `${MARKER}\nlatest`]]);
    expect(fake.requestsFor('issues/delete-comment').map((r) => r.path)).toEqual([
      `/repos/${OWNER}/${REPO}/issues/comments/${older.id}`,
    ]);
  });

  it('never touches a comment by someone else that carries our marker', async () => {
    const impostor = fake.addComment(OWNER, REPO, 7, `${MARKER}\nI copied your marker`, 'mallory');
    const otherBot = fake.addComment(OWNER, REPO, 7, `${MARKER}\nanother bot quoting it`, 'renovate[bot]');
    const result = await upsertStickyComment(testOctokit(fake), sticky('ours'));
    expect(result.action).toBe('created');
    const comments = fake.comments(OWNER, REPO, 7);
    expect(comments.find((c) => c.id === impostor.id)?.body).toBe(`${MARKER}\nI copied your marker`);
    expect(comments.find((c) => c.id === otherBot.id)?.body).toBe(`${MARKER}\nanother bot quoting it`);
    expect(comments).toHaveLength(3);
  });

  it('finds our comment beyond the first page of a long discussion', async () => {
    const ours = fake.addComment(OWNER, REPO, 7, `${MARKER}\nv1`, 'github-actions[bot]');
    for (let i = 0; i < 230; i++) fake.addComment(OWNER, REPO, 7, `chatter ${i}`, 'alice');
    const result = await upsertStickyComment(testOctokit(fake), sticky('v2'));
    expect(result).toMatchObject({ action: 'updated', commentId: ours.id });
    expect(fake.requestsFor('issues/list-comments')).toHaveLength(3);
  });

  it('adds the marker when the body lacks it, and rejects an over-long body before any request', async () => {
    const octokit = testOctokit(fake);
    await upsertStickyComment(octokit, { ...sticky(''), body: 'no marker here' });
    expect(fake.comments(OWNER, REPO, 7)[0]?.body).toBe(`${MARKER}\nno marker here`);
    fake.clearRequests();
    await expect(upsertStickyComment(octokit, sticky('x'.repeat(65_536)))).rejects.toThrow(RangeError);
    expect(fake.requests).toEqual([]);
  });

  it('without ownLogin, treats only Bot-authored marker comments as ours', async () => {
    fake.addComment(OWNER, REPO, 7, `${MARKER}\nhuman`, 'mallory');
    const bot = fake.addComment(OWNER, REPO, 7, `${MARKER}\nbot`, 'github-actions[bot]');
    const result = await upsertStickyComment(testOctokit(fake), sticky('new', { ownLogin: undefined }));
    expect(result).toMatchObject({ action: 'updated', commentId: bot.id });
  });
});

describe('listIssueComments and addReaction', () => {
  it('lists comments oldest first with their authors and apps', async () => {
    const octokit = testOctokit(fake);
    fake.addComment(OWNER, REPO, 7, '/readiness recheck', 'maria');
    await upsertStickyComment(octokit, sticky('scorecard'));
    const comments = await listIssueComments(octokit, { owner: OWNER, repo: REPO, issueNumber: 7 });
    expect(comments.map((c) => [c.user?.login, c.viaApp, c.authorAssociation])).toEqual([
      ['maria', null, 'COLLABORATOR'],
      ['github-actions[bot]', 'github-actions', 'NONE'],
    ]);
  });

  it('reacts to a command once; a repeated reaction reports that it existed', async () => {
    const octokit = testOctokit(fake);
    const command = fake.addComment(OWNER, REPO, 7, '/readiness recheck', 'maria');
    const first = await addReaction(octokit, { owner: OWNER, repo: REPO, commentId: command.id, content: 'eyes' });
    const again = await addReaction(octokit, { owner: OWNER, repo: REPO, commentId: command.id, content: 'eyes' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect(fake.comments(OWNER, REPO, 7)[0]?.reactions.map((r) => [r.content, r.user.login])).toEqual([
      ['eyes', 'github-actions[bot]'],
    ]);
  });
});
