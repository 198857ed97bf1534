/**
 * Event resolution over real webhook payloads (adjusted): what each event compares, which pull request it
 * comments on, whether the token can write, and the early returns that say why nothing runs.
 */
import { describe, expect, it } from 'vitest';
import { EventError, resolveEvent } from '../../src/action/event.js';
import {
  example,
  issueCommentPayload,
  mergeGroupPayload,
  pullRequestPayload,
  pushPayload,
  workflowRunPayload,
  ZERO_SHA,
} from './harness.js';

const B = 'b'.repeat(40);
const H = 'c'.repeat(40);
const check = { mode: 'check' as const };

describe('resolveEvent', () => {
  it('pull_request: the PR head against its base, writable for a same-repository branch', () => {
    expect(
      resolveEvent('pull_request', pullRequestPayload({ number: 7, base: B, head: H, author: 'alice' }), check),
    ).toEqual({
      kind: 'pull',
      event: 'pull_request',
      owner: 'acme',
      repo: 'shop',
      number: 7,
      base: B,
      head: H,
      baseRef: 'main',
      headRef: 'feature',
      headSha: H,
      author: 'alice',
      fork: false,
      readOnly: false,
    });
  });

  it('pull_request from a fork: read-only token; pull_request_target from a fork: writable', () => {
    const payload = pullRequestPayload({ number: 7, base: B, head: H, fork: true });
    expect(resolveEvent('pull_request', payload, check)).toMatchObject({ fork: true, readOnly: true });
    expect(resolveEvent('pull_request_target', payload, check)).toMatchObject({
      fork: true,
      readOnly: false,
      event: 'pull_request_target',
    });
  });

  it('a fork that was deleted (head.repo null) is still a fork', () => {
    const payload = pullRequestPayload({ number: 7, base: B, head: H });
    payload.pull_request.head.repo = null;
    expect(resolveEvent('pull_request', payload, check)).toMatchObject({ fork: true, readOnly: true });
  });

  it('inputs override the commits of any event', () => {
    const t = resolveEvent('pull_request', pullRequestPayload({ number: 7, base: B, head: H }), {
      mode: 'check',
      base: 'origin/release',
      head: 'HEAD',
    });
    expect(t).toMatchObject({ base: 'origin/release', head: 'HEAD', headSha: H });
  });

  it('a closed pull request is skipped with the reason', () => {
    expect(
      resolveEvent('pull_request', pullRequestPayload({ number: 7, base: B, head: H, action: 'closed' }), check),
    ).toEqual({
      kind: 'skip',
      reason: 'pull request #7 was closed; nothing to check',
    });
  });

  it('merge_group: base and head of the group, and the PR whose waivers apply from the queue branch name', () => {
    expect(resolveEvent('merge_group', mergeGroupPayload({ base: B, head: H, pr: 104 }), check)).toEqual({
      kind: 'commits',
      event: 'merge_group',
      owner: 'acme',
      repo: 'shop',
      base: B,
      head: H,
      baseRef: 'main',
      headRef: `gh-readonly-queue/main/pr-104-${B}`,
      pullNumber: 104,
    });
  });

  it('push: the previous commit; a new branch: the head’s parent; a deleted branch or a tag: skipped', () => {
    expect(resolveEvent('push', pushPayload({ before: B, after: H }), check)).toMatchObject({
      kind: 'commits',
      base: B,
      head: H,
      baseRef: 'main',
      headRef: 'main',
    });
    expect(
      resolveEvent('push', pushPayload({ before: ZERO_SHA, after: H, ref: 'refs/heads/topic' }), check),
    ).toMatchObject({ kind: 'commits', base: undefined, baseRef: 'topic^' });
    const deleted = pushPayload({ before: B, after: ZERO_SHA });
    deleted.deleted = true;
    expect(resolveEvent('push', deleted, check)).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('deleted'),
    });
    expect(
      resolveEvent('push', pushPayload({ before: ZERO_SHA, after: H, ref: 'refs/tags/v1.0.0' }), check),
    ).toMatchObject({ kind: 'skip', reason: expect.stringContaining('tag v1.0.0') });
  });

  it('workflow_dispatch: needs a base input; head defaults to GITHUB_SHA', () => {
    const payload = example('workflow_dispatch');
    expect(() => resolveEvent('workflow_dispatch', payload, check)).toThrow(EventError);
    expect(
      resolveEvent('workflow_dispatch', payload, { mode: 'check', base: 'v1.2.0' }, { GITHUB_SHA: H }),
    ).toMatchObject({ kind: 'commits', base: 'v1.2.0', head: H, baseRef: 'v1.2.0' });
  });

  it('issue_comment: a /readiness command on a PR; issues, bots and comments without a command are skipped', () => {
    const payload = issueCommentPayload({
      number: 7,
      commentId: 99,
      body: 'Thanks!\n/readiness recheck',
      login: 'maria',
    });
    expect(resolveEvent('issue_comment', payload, check)).toEqual({
      kind: 'comment',
      event: 'issue_comment',
      owner: 'acme',
      repo: 'shop',
      number: 7,
      action: 'created',
      commentId: 99,
      body: 'Thanks!\n/readiness recheck',
      login: 'maria',
      sender: 'maria',
    });
    // An edit names its editor, who may not be the comment's author.
    expect(
      resolveEvent(
        'issue_comment',
        issueCommentPayload({
          number: 7,
          commentId: 99,
          body: '/readiness waive x y',
          login: 'maria',
          action: 'edited',
          sender: 'alice',
        }),
        check,
      ),
    ).toMatchObject({
      action: 'edited',
      login: 'maria',
      sender: 'alice',
    });
    expect(
      resolveEvent(
        'issue_comment',
        issueCommentPayload({ number: 7, commentId: 1, body: 'LGTM', login: 'maria' }),
        check,
      ),
    ).toMatchObject({ kind: 'skip', reason: 'the comment holds no /readiness command' });
    expect(resolveEvent('issue_comment', example('issue_comment', 'created'), check)).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('is an issue, not a pull request'),
    });
    const bot = issueCommentPayload({ number: 7, commentId: 1, body: '/readiness recheck', login: 'renovate[bot]' });
    bot.comment.user.type = 'Bot';
    expect(resolveEvent('issue_comment', bot, check)).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('by a bot'),
    });
    // A deleted command still re-evaluates: the waiver it granted is gone.
    expect(
      resolveEvent(
        'issue_comment',
        issueCommentPayload({
          number: 7,
          commentId: 1,
          body: '/readiness waive abc ok',
          login: 'maria',
          action: 'deleted',
        }),
        check,
      ),
    ).toMatchObject({ kind: 'comment', action: 'deleted' });
  });

  it('mode publish: reads the workflow_run head and pull requests, whatever the event', () => {
    const payload = workflowRunPayload({ headSha: H });
    payload.workflow_run.pull_requests = [{ number: 12 }];
    expect(resolveEvent('workflow_run', payload, { mode: 'publish' })).toEqual({
      kind: 'publish',
      event: 'workflow_run',
      owner: 'acme',
      repo: 'shop',
      runHeadSha: H,
      pullNumbers: [12],
    });
  });

  it('an unsupported event names the supported ones', () => {
    expect(() => resolveEvent('release', example('release'), check)).toThrow(
      /not supported; run Readiness Gates on pull_request, pull_request_target, merge_group, push, workflow_dispatch or issue_comment/,
    );
  });

  it('the repository comes from GITHUB_REPOSITORY when the payload has none', () => {
    const payload = pushPayload({ before: B, after: H });
    delete payload.repository;
    expect(resolveEvent('push', payload, check, { GITHUB_REPOSITORY: 'octo/widgets' })).toMatchObject({
      owner: 'octo',
      repo: 'widgets',
    });
    expect(() => resolveEvent('push', payload, check, {})).toThrow(/cannot tell which repository/);
  });
});
