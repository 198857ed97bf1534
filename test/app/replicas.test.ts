/**
 * The Redis-backed app as replicas: two web processes and two workers (each a real Probot server on
 * loopback) sharing a real redis-server, against the fake GitHub.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { BAD, FIXED, latestRun, pullRequestEvent, push, runsOn, scorecards, startCluster, type Cluster } from './support.js';

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
    const deliveries = await Promise.all([0, 1, 0, 1].map((to) => c!.deliver('pull_request', pullRequestEvent('synchronize', { head: FIXED }), { to })));
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    await c.idle();
    expect(latestRun(c as never, FIXED)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(runsOn(c as never, FIXED).filter((r) => r.status !== 'completed')).toEqual([]);
    expect(scorecards(c as never)).toHaveLength(1);
    c.fake.assertNoUnexpected();
  });
});
