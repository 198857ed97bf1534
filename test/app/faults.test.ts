/**
 * Failure handling end to end: forged deliveries are refused before anything is written; transient
 * GitHub failures (5xx, secondary rate limits) are retried and the result is still published; persistent
 * ones conclude the check per `on-error` with the reason and the recheck hint — never green by accident.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BAD,
  BASE,
  comment,
  OWNER,
  REPO,
  expectCleanFake,
  latestRun,
  pullRequestEvent,
  runsOn,
  scorecards,
  SECRET,
  standardRepo,
  startHarness,
  type Harness,
} from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('webhook signatures', () => {
  it('rejects a delivery signed with another secret, a tampered body and a missing signature, writing nothing', async () => {
    h = await startHarness();
    const payload = pullRequestEvent('opened', { head: BAD });
    const wrongSecret = await h.deliver('pull_request', payload, { secret: 'not-the-secret' });
    const body = JSON.stringify(payload);
    const tampered = await h.deliver(
      'pull_request',
      { ...payload, number: 8 },
      { signature: `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
    );
    const unsigned = await fetch(h.app.url + h.options.webhookPath, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1' },
      body,
    });
    expect(wrongSecret.status).toBe(400);
    expect(tampered.status).toBe(400);
    expect(unsigned.status).toBe(400);
    await h.app.idle();
    // Not a single request reached GitHub, let alone a write.
    expect(h.fake.requests).toEqual([]);
    expect(h.logs.some((l) => l.includes('signature does not match'))).toBe(true);
  });
});

describe('transient GitHub failures', () => {
  it('retries 5xx answers and secondary rate limits, then publishes the result', async () => {
    h = await startHarness();
    h.fake.injectFault({ operationId: 'checks/create', status: 502, times: 1 });
    h.fake.injectFault({ operationId: 'pulls/list-files', status: 500, times: 2 });
    h.fake.injectFault({ operationId: 'git/get-blob', status: 503, times: 1 });
    h.fake.injectFault({ operationId: 'issues/create-comment', status: 403, retryAfter: 1, times: 1 });
    h.fake.injectFault({ operationId: 'checks/update', status: 429, retryAfter: 1, times: 1 });

    const delivery = await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    expect(delivery.status).toBe(200);
    await h.app.idle();

    expect(latestRun(h, BAD)).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: expect.objectContaining({ title: 'Blocked: 1 new blocker · score 49' }),
    });
    expect(runsOn(h, BAD)).toHaveLength(1);
    expect(scorecards(h)).toHaveLength(1);
    // Each faulted request was answered with the fault, then retried to success.
    const faulted = h.fake.requests.filter((r) => r.fault);
    expect(faulted.map((r) => r.status).sort()).toEqual([403, 429, 500, 500, 502, 503]);
    for (const f of faulted) {
      expect(h.fake.requests.some((r) => r.seq > f.seq && r.operationId === f.operationId && r.status < 300)).toBe(
        true,
      );
    }
    expect(h.logs.some((l) => l.includes('secondary rate limit: retrying in 1 s'))).toBe(true);
    expectCleanFake(h);
  });
});

describe('persistent GitHub failures', () => {
  it('concludes the check as failing with the reason and the recheck hint, and recovers on recheck', async () => {
    h = await startHarness();
    const stop = h.fake.injectFault({ operationId: 'git/get-tree', status: 500, rate: 1 });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();

    const run = latestRun(h, BAD)!;
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toBe('Error: GitHub request failed');
    expect(run.output.summary).toContain('GitHub answered 500 while listing the repository tree');
    expect(run.output.summary).toContain('retried 3 time(s)');
    expect(run.output.summary).toContain('/readiness recheck');
    expect(scorecards(h)[0]!.body).toContain('could not check this pull request');
    // One first attempt and three retries.
    expect(h.fake.requestsFor('git/get-tree').filter((r) => r.status === 500)).toHaveLength(4);

    stop();
    await comment(h, 'alice', '/readiness recheck');
    await h.app.idle();
    expect(latestRun(h, BAD)!.output.title).toBe('Blocked: 1 new blocker · score 49');
    expect(scorecards(h)).toHaveLength(1);
    h.fake.assertNoUnexpected();
  });

  it('fails the check when a file a gate needs cannot be downloaded, instead of analysing without it', async () => {
    h = await startHarness();
    // Not a changed file: src/logger.ts is read by the gates' repository-wide look-ups, where the engine
    // treats an unreadable file as absent. A GitHub outage must not pass for "nothing to check".
    const logger = h.fake.repoState(OWNER, REPO).lookup(BAD, 'src/logger.ts')!.sha;
    h.fake.injectFault({
      operationId: 'git/get-blob',
      path: `/repos/${OWNER}/${REPO}/git/blobs/${logger}`,
      status: 503,
      rate: 1,
    });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    expect(h.fake.requests.filter((r) => r.fault).length).toBeGreaterThan(0);
    const run = latestRun(h, BAD)!;
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toBe('Error: GitHub request failed');
    expect(run.output.summary).toContain(`GitHub answered 503 while reading blob ${logger.slice(0, 7)}`);
    h.fake.assertNoUnexpected();
  });

  it('concludes neutral when the base branch says on-error: neutral', async () => {
    const repo = standardRepo();
    for (const sha of [BASE, BAD])
      (repo.commits![sha] as Record<string, string>)['.github/readiness.yml'] = 'on-error: neutral\n';
    h = await startHarness({ repo });
    h.fake.injectFault({ operationId: 'issues/list-comments', status: 502, rate: 1 });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    const run = latestRun(h, BAD)!;
    expect(run.conclusion).toBe('neutral');
    expect(run.output.summary).toContain('on-error: neutral');
    expect(run.output.summary).toContain('GitHub answered 502 while listing the pull request comments');
    h.fake.assertNoUnexpected();
  });

  it('leaves the check pending, never green, when GitHub refuses the result itself', async () => {
    h = await startHarness();
    h.fake.injectFault({ operationId: 'checks/update', status: 500, rate: 1 });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    const runs = runsOn(h, BAD);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'in_progress', conclusion: null });
    expect(h.logs.some((l) => l.includes('could not publish the result'))).toBe(true);
    h.fake.assertNoUnexpected();
  });
});
