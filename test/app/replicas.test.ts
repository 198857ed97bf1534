/**
 * The Redis-backed app as replicas: two web processes and two workers (each a real Probot server on
 * loopback) sharing a real redis-server, against the fake GitHub.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pino from 'pino';
import { RedisCheckRuns } from '../../src/app/check-runs.js';
import { publishCheckRun, type OctokitLike } from '../../src/github/index.js';
import { startApp } from '../../src/app/server.js';
import { startFakeGitHub } from '../support/fake-github/index.js';
import { freePort, startRedisServer, type RedisServer } from '../support/redis.js';
import {
  INSTALLATION_ID,
  OWNER,
  REPO,
  startHarness,
  testOptions,
  BAD,
  FIXED,
  findingIds,
  latestRun,
  pullRequestEvent,
  push,
  runsOn,
  scorecards,
  SECRET,
  deliver,
  startCluster,
  type Cluster,
} from './support.js';

let redis: RedisServer;
let c: Cluster | undefined;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await c?.close();
  c = undefined;
});

describe('replicas sharing Redis', () => {
  it('evaluates a PR once per head across two web and two worker replicas, with one scorecard and the check on the newest head', async () => {
    c = await startCluster({ redisUrl: redis.url });
    const opened = await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }), { to: 0 });
    expect(opened.status).toBe(200);
    await c.idle();
    expect(latestRun(c as never, BAD)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    push(c as never, FIXED);
    const deliveries = await Promise.all(
      [0, 1, 0, 1].map((to) => c!.deliver('pull_request', pullRequestEvent('synchronize', { head: FIXED }), { to })),
    );
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    await c.idle();
    expect(latestRun(c as never, FIXED)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(runsOn(c as never, FIXED).filter((r) => r.status !== 'completed')).toEqual([]);
    expect(scorecards(c as never)).toHaveLength(1);
    c.fake.assertNoUnexpected();
  });

  it('answers deliveries on a web replica without calling GitHub; a worker replica takes no webhooks', async () => {
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 0 });
    const d = await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    expect(d.status).toBe(200);
    expect(d.ms).toBeLessThan(1000);
    // Verified, acknowledged, enqueued: nothing was read or written on GitHub yet.
    expect(c.fake.requests).toEqual([]);
    expect(await c.webs[0]!.queue.depth()).toBe(1);
    const worker = await c.addWorker();
    const refused = await deliver(
      `${worker.url}/api/github/webhooks`,
      'pull_request',
      pullRequestEvent('opened', { head: BAD }),
      SECRET,
    );
    expect(refused.status).toBe(404);
    expect(refused.body).toContain('worker process');
    await c.idle();
    expect(latestRun(c as never, BAD)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(runsOn(c as never, BAD)).toHaveLength(1);
  });

  it('retries a job with backoff when GitHub fails beyond the client’s own retries, then publishes the verdict', async () => {
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 2 });
    // The client retries 3 times: the 4th failure in a row fails the attempt; the job's retry succeeds.
    c.fake.injectFault({ operationId: 'repos/compare-commits', status: 502, times: 4 });
    await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await c.idle();
    expect(await c.metric('readiness_app_job_retries_total')).toBe(1);
    expect(await c.metric('readiness_app_dead_letters_total')).toBe(0);
    expect(latestRun(c as never, BAD)).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: expect.objectContaining({ title: 'Blocked: 1 new blocker · score 49' }),
    });
    expect(runsOn(c as never, BAD)).toHaveLength(1);
    expect(scorecards(c as never)).toHaveLength(1);
    expect(c.fake.pendingFaults()).toEqual([]);
  });

  it('dead-letters a job GitHub keeps failing: a failing check says so, and the metrics and logs show it', async () => {
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 1, app: { queue: { attempts: 2 } as never } });
    c.fake.injectFault({ operationId: 'repos/compare-commits', status: 503, rate: 1 });
    await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await c.idle();
    const run = latestRun(c as never, BAD)!;
    expect(run).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: expect.objectContaining({ title: 'Error: GitHub request failed' }),
    });
    expect(run.output.summary).toContain('tried 2 times');
    expect(run.output.summary).toContain('dead-letter');
    expect(await c.metric('readiness_app_dead_letters_total')).toBe(1);
    expect(await c.metric('readiness_app_job_retries_total')).toBe(1);
    expect(await c.metric('readiness_app_dead_letter_jobs')).toBeGreaterThanOrEqual(1);
    expect(c.logs.some((l) => l.includes('evaluation dead-lettered'))).toBe(true);
    // The PR is not stuck: once GitHub recovers, a push is evaluated normally.
    c.fake.clearFaults();
    push(c as never, FIXED);
    await c.deliver('pull_request', pullRequestEvent('synchronize', { head: FIXED }));
    await c.idle();
    expect(latestRun(c as never, FIXED)).toMatchObject({ conclusion: 'success' });
  });

  it('lets a worker that lost its job mid-evaluation finish without publishing twice; the job is retried by another', async () => {
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 1 });
    // The first worker's evaluation hangs on reading the PR's files…
    c.fake.injectFault({ operationId: 'pulls/list-files', delayMs: 4000, times: 1 });
    await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    const deadline = Date.now() + 10_000;
    while (c.fake.requestsFor('pulls/list-files').length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    // …and its process stops renewing the job's lock (as a frozen or partitioned worker does).
    await c.workers[0]!.worker!.close(0);
    await c.addWorker();
    await c.idle();
    await new Promise((r) => setTimeout(r, 4500)); // the first worker wakes up and tries to publish
    await c.idle();
    const runs = runsOn(c as never, BAD);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(findingIds(runs[0])).toHaveLength(1);
    expect(scorecards(c as never)).toHaveLength(1);
    // One of the two evaluations found the run completed by the other and wrote nothing.
    expect(c.logs.filter((l) => l.includes('another worker already published this head'))).toHaveLength(1);
  });

  it('refuses to start when Redis cannot be reached, naming REDIS_URL without its password', async () => {
    const fake = await startFakeGitHub();
    try {
      const port = await freePort();
      const started = Date.now();
      const error = await startApp(
        { ...testOptions(fake), role: 'worker', redisUrl: `redis://:s3cret-pass@127.0.0.1:${port}/0` },
        { logDestination: { write: () => undefined } },
      ).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(`REDIS_URL: cannot connect to redis://127.0.0.1:${port}/0: `);
      expect(error?.message).not.toContain('s3cret');
      expect(Date.now() - started).toBeLessThan(11_000);
    } finally {
      await fake.close();
    }
  });

  it('runs web and worker in one process with Redis (npm start with REDIS_URL)', async () => {
    const h = await startHarness({
      app: {
        redisUrl: redis.url,
        role: 'all',
        queue: { ...testOptions({ url: '' } as never).queue, prefix: 'single-process' },
      },
    });
    try {
      const d = await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
      expect(d.status).toBe(200);
      await h.app.idle();
      expect(h.app.worker).toBeDefined();
      expect(latestRun(h, BAD)).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(scorecards(h)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('answers 500 within GitHub’s 10 s when Redis is down, so the delivery shows as failed and can be redelivered', async () => {
    const own = await startRedisServer();
    const cluster = await startCluster({ redisUrl: own.url, webs: 1, workers: 0 });
    try {
      await own.stop();
      const d = await cluster.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
      expect(d.status).toBe(500);
      expect(d.ms).toBeLessThan(8000);
      expect(cluster.fake.requests).toEqual([]);
    } finally {
      await cluster.close();
    }
  });

  it('adopts the in-progress run of a worker that died between creating it and recording it', async () => {
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 1 });
    const octokit = (await c.workers[0]!.probot.auth(INSTALLATION_ID)) as unknown as OctokitLike;
    const orphan = await publishCheckRun(octokit, {
      owner: OWNER,
      repo: REPO,
      headSha: BAD,
      name: 'Readiness Gates',
      status: 'in_progress',
      title: 'Evaluating…',
      summary: 'x',
    });
    // The dead worker's "creating" record, about to expire without ever naming the run.
    const client = new Redis(redis.url);
    await client.set(`${c.prefix}:run:${OWNER}/${REPO}@${BAD}`, 'creating:dead-worker', 'PX', 300);
    await client.quit();
    await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await c.idle();
    const runs = runsOn(c as never, BAD);
    expect(runs.map((r) => r.id)).toEqual([orphan.checkRunId]);
    expect(runs[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(c.logs.some((l) => l.includes('adopted an in-progress check run'))).toBe(true);
  });

  it('closes the run a dead worker left open on a head the PR has moved past, even when its request named no head', async () => {
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 1 });
    const octokit = (await c.workers[0]!.probot.auth(INSTALLATION_ID)) as unknown as OctokitLike;
    // A `/readiness recheck` (no head in the request) was evaluating BAD when its worker died.
    const client = new Redis(redis.url);
    const left = await new RedisCheckRuns(client, c.prefix, pino({ level: 'silent' })).ensureInProgress(
      octokit,
      { owner: OWNER, repo: REPO, headSha: BAD },
      'recheck',
      7,
    );
    await client.quit();
    push(c as never, FIXED);
    await c.deliver('pull_request', pullRequestEvent('synchronize', { head: FIXED }));
    await c.idle();
    expect(runsOn(c as never, BAD)).toEqual([
      expect.objectContaining({ id: left, status: 'completed', conclusion: 'cancelled' }),
    ]);
    expect(latestRun(c as never, FIXED)).toMatchObject({ status: 'completed', conclusion: 'success' });
  });
});
