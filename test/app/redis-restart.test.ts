/**
 * Redis restarted empty (no persistence) while a worker evaluates: the record of the check run it opened
 * is gone. The run has no record, so nobody else completed it; the worker adopts it and completes it
 * instead of leaving it `in_progress` forever. A real redis-server, killed and started again empty on
 * the same port, under web and worker replicas of the app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redisServerBinary, startRedisServer, type RedisServer } from '../support/redis.js';
import { BAD, latestRun, OWNER, pullRequestEvent, REPO, startCluster, type Cluster } from './support.js';

let redis: RedisServer | undefined;
let restarted: { child: ChildProcess; dir: string } | undefined;
let c: Cluster | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
  if (restarted) {
    const exited = new Promise((r) => restarted!.child.once('exit', r));
    restarted.child.kill('SIGTERM');
    await exited;
    rmSync(restarted.dir, { recursive: true, force: true });
    restarted = undefined;
  }
  await redis?.stop();
  redis = undefined;
});

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    socket.setTimeout(500, () => done(false));
  });
}

/** Kills the server and starts an empty one on the same port, as a restart without persistence does. */
async function restartEmpty(server: RedisServer): Promise<void> {
  // Without persistence a graceful stop loses everything just as a crash does (and leaves an exit code).
  const exited = new Promise((r) => server.process.once('exit', r));
  server.process.kill('SIGTERM');
  await exited;
  const dir = mkdtempSync(join(tmpdir(), 'readiness-redis-restart-'));
  const child = spawn(
    redisServerBinary(),
    [
      '--port',
      String(server.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ],
    { stdio: 'ignore' },
  );
  restarted = { child, dir };
  const deadline = Date.now() + 10_000;
  while (!(await pong(server.port))) {
    if (Date.now() > deadline) throw new Error('redis-server did not come back');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Redis restarted empty during an evaluation', () => {
  it('the worker adopts the run it opened, which has no record any more, and completes it', async () => {
    redis = await startRedisServer();
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 1 });
    // The evaluation is slow to read the PR's files: Redis restarts meanwhile.
    c.fake.injectFault({ operationId: 'pulls/list-files', delayMs: 1500, times: 1 });
    expect((await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }))).status).toBe(200);
    await until(
      'the worker to open the run and read the files',
      () => latestRun(c as never, BAD)?.status === 'in_progress' && c!.fake.requestsFor('pulls/list-files').length > 0,
    );
    await restartEmpty(redis);

    await until('the run to be completed', () => latestRun(c as never, BAD)?.status === 'completed', 30_000);
    const runs = c.fake.checkRuns(OWNER, REPO, BAD);
    expect(runs.filter((r) => r.status !== 'completed')).toEqual([]);
    expect(latestRun(c as never, BAD)).toMatchObject({
      conclusion: 'failure',
      output: expect.objectContaining({ title: 'Blocked: 1 new blocker · score 49' }),
    });
    expect(c.logs.some((l) => l.includes('no record'))).toBe(true);
  }, 60_000);

  it('a transient failure after the restart cannot be retried (the job is gone): the open run is completed as failed, not left pending', async () => {
    redis = await startRedisServer();
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 1 });
    c.fake.injectFault({ operationId: 'pulls/list-files', delayMs: 1500, times: 1 });
    expect((await c.deliver('pull_request', pullRequestEvent('opened', { head: BAD }))).status).toBe(200);
    await until(
      'the worker to open the run and read the files',
      () => latestRun(c as never, BAD)?.status === 'in_progress' && c!.fake.requestsFor('pulls/list-files').length > 0,
    );
    await restartEmpty(redis);
    // GitHub fails every try of the client (1 + 3 retries): the attempt fails transiently.
    c.fake.injectFault({ operationId: 'git/get-tree', status: 502, times: 4 });

    await until('the run to be completed', () => latestRun(c as never, BAD)?.status === 'completed', 30_000);
    const runs = c.fake.checkRuns(OWNER, REPO, BAD);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(runs[0]!.output.summary).toContain('given up');
    expect(c.logs.some((l) => l.includes('its job is gone'))).toBe(true);
  }, 60_000);
});
