/**
 * Retries and failures through the real plugins (retry + throttling) against the fake GitHub's
 * injected faults: transient errors heal, secondary limits wait as long as GitHub asks, permanent
 * failures end in a GitHubFailure after a bounded number of attempts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { getOctokit } from '@actions/github';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GitHubFailure,
  getPullRequest,
  isReadOnlyTokenError,
  toGitHubFailure,
  upsertStickyComment,
  type OctokitLike,
} from '../../src/github/index.js';
import type { FakeGitHub } from '../support/fake-github/index.js';
import { ACTIONS_TOKEN, FORK_TOKEN, OWNER, REPO, captureLog, startSeededFake, testOctokit } from './helpers.js';

let fake: FakeGitHub;
beforeEach(async () => {
  fake = await startSeededFake();
});
afterEach(async () => {
  await fake.close();
});

const comment = (octokit: OctokitLike, body = 'hello') =>
  octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: OWNER,
    repo: REPO,
    issue_number: 7,
    body,
  });
const pull = { owner: OWNER, repo: REPO, pullNumber: 7 };

describe('createOctokit retries', () => {
  it.each([500, 502] as const)('retries a %i and then succeeds', async (status) => {
    fake.injectFault({ operationId: 'pulls/get', status, times: 2 });
    const info = await getPullRequest(testOctokit(fake), pull);
    expect(info.number).toBe(7);
    expect(fake.requestsFor('pulls/get').map((r) => r.status)).toEqual([status, status, 200]);
  });

  it('honours retry-after on a secondary rate limit (403), then succeeds', async () => {
    const log = captureLog();
    fake.injectFault({ operationId: 'issues/create-comment', status: 403, retryAfter: 1 });
    const started = Date.now();
    await comment(testOctokit(fake, ACTIONS_TOKEN, { log }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(fake.requestsFor('issues/create-comment').map((r) => r.status)).toEqual([403, 201]);
    expect(fake.comments(OWNER, REPO, 7)).toHaveLength(1);
    expect(log.messages.join('\n')).toMatch(/secondary rate limit .* retrying in 1 s/);
  });

  it('scales retry-after by retryAfterUnitMs and honours a 429 the same way', async () => {
    fake.injectFault({ operationId: 'issues/create-comment', status: 429, retryAfter: 3 });
    const started = Date.now();
    await comment(testOctokit(fake, ACTIONS_TOKEN, { throttle: { retryAfterUnitMs: 100 } }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(fake.requestsFor('issues/create-comment').map((r) => r.status)).toEqual([429, 201]);
  });

  it('gives up at once when GitHub asks to wait longer than the bound', async () => {
    fake.injectFault({ operationId: 'issues/create-comment', status: 403, retryAfter: 120 });
    const started = Date.now();
    const error = await upsertStickyComment(testOctokit(fake), {
      owner: OWNER,
      repo: REPO,
      issueNumber: 7,
      body: 'x',
      marker: '<!-- m -->',
      mode: 'on-change',
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({
      name: 'GitHubFailure',
      status: 403,
      kind: 'rate-limited',
      purpose: 'creating the scorecard comment',
    });
  });

  it('turns a permanent 500 into a GitHubFailure after a bounded number of retries', async () => {
    fake.injectFault({ operationId: 'pulls/get', status: 500, times: 100 });
    const error = await getPullRequest(testOctokit(fake, ACTIONS_TOKEN, { retries: 2 }), pull).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubFailure);
    const failure = error as GitHubFailure;
    expect(failure).toMatchObject({
      status: 500,
      kind: 'server',
      retries: 2,
      operation: 'GET /repos/{owner}/{repo}/pulls/{pull_number}',
    });
    expect(failure.retried).toBe(true);
    expect(failure.requestId).toMatch(/^FAKE:/);
    expect(failure.describe()).toContain('retried 2 time(s)');
    expect(fake.requestsFor('pulls/get')).toHaveLength(3);
  });

  it('does not retry what retrying cannot fix (404, 422)', async () => {
    const error = await getPullRequest(testOctokit(fake), { ...pull, pullNumber: 999 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, kind: 'not-found', retries: 0 });
    expect(fake.requestsFor('pulls/get')).toHaveLength(1);
  });

  it('reports a refused connection as a network failure', async () => {
    const url = fake.url;
    await fake.close();
    try {
      const error = await getPullRequest(testOctokit({ url } as FakeGitHub, ACTIONS_TOKEN, { retries: 0 }), pull).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'GitHubFailure', kind: 'network', status: undefined });
      expect((error as GitHubFailure).describe()).toMatch(/did not answer/);
    } finally {
      fake = await startSeededFake(); // afterEach closes it
    }
  });
});

describe('read-only tokens', () => {
  it('surfaces the fork token’s 403 on a write as a distinct, unretried error', async () => {
    const error = await comment(testOctokit(fake, FORK_TOKEN)).catch((e: unknown) => e);
    expect(isReadOnlyTokenError(error)).toBe(true); // the raw Octokit error
    const failure = toGitHubFailure(error, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'commenting');
    expect(isReadOnlyTokenError(failure)).toBe(true);
    expect(failure.describe()).toMatch(/fork/);
    expect(fake.requestsFor('issues/create-comment')).toHaveLength(1);
    // A secondary rate limit is also a 403 but not a read-only token.
    expect(
      isReadOnlyTokenError({
        status: 403,
        response: { data: { message: 'You have exceeded a secondary rate limit' } },
      }),
    ).toBe(false);
  });
});

describe('other Octokits fit the port', () => {
  it("works with @actions/github's getOctokit pointed at GITHUB_API_URL", async () => {
    const octokit = getOctokit(ACTIONS_TOKEN, { baseUrl: fake.url });
    const info = await getPullRequest(octokit, pull);
    expect(info).toMatchObject({ headRef: 'feature', baseRef: 'main', author: 'alice', isFork: false });
    fake.assertNoUnexpected();
  });

  it("works with Probot's per-installation Octokit, commenting as <slug>[bot]", async () => {
    fake.addApp({ id: 4242, slug: 'readiness-gates', installations: [{ id: 99, account: OWNER }] });
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const probot = new Probot({
      appId: 4242,
      privateKey,
      baseUrl: fake.url,
      Octokit: ProbotOctokit.defaults({ throttle: { enabled: false }, retry: { enabled: false } }),
      logLevel: 'fatal',
    });
    const octokit = await probot.auth(99);
    const result = await upsertStickyComment(octokit, {
      owner: OWNER,
      repo: REPO,
      issueNumber: 7,
      body: 'from the app',
      marker: '<!-- m -->',
      mode: 'on-change',
      ownLogin: 'readiness-gates[bot]',
    });
    expect(result.action).toBe('created');
    expect(fake.comments(OWNER, REPO, 7)[0]?.user).toMatchObject({
      login: 'readiness-gates[bot]',
      app: { slug: 'readiness-gates' },
    });
    expect(fake.requestsFor('apps/create-installation-access-token')).toHaveLength(1);
    fake.assertNoUnexpected();
  });
});
