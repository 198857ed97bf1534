/**
 * The Redis-backed queue's own guarantees, with a stand-in for the evaluation: one job per PR however
 * many replicas enqueue at once, requests folded newest-head-first, a PR's evaluations never overlapping,
 * a dead worker's job finished by another, a missing job re-created by the sweeper, retries and the
 * dead-letter state. Runs against a real redis-server.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationJob } from '../../src/app/queue.js';
import {
  EvaluationWorker,
  RedisEvaluationQueue,
  type Attempt,
  type EvaluationWorkerOptions,
} from '../../src/app/redis-queue.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';

const log = pino({ level: 'silent' });
let server: RedisServer;
const opened: Array<{ quit(): Promise<unknown> } | { close(n?: number): Promise<unknown> }> = [];

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await ('quit' in o ? o.quit() : o.close(0)).catch(() => undefined);
});

function connect(): Redis {
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  opened.push(redis);
  return redis;
}

function request(pullNumber: number, headSha: string | undefined, extra: Partial<EvaluationJob> = {}): EvaluationJob {
  return {
    installationId: 1,
    owner: 'acme',
    repo: 'shop',
    pullNumber,
    ...(headSha ? { headSha } : {}),
    reasons: [headSha ?? 'recheck'],
    commentIds: [],
    requestedAt: Date.now(),
    ...extra,
  };
}

interface Setup {
  prefix: string;
  queue(): RedisEvaluationQueue;
  worker(process: EvaluationWorkerOptions['process'], overrides?: Partial<EvaluationWorkerOptions>): EvaluationWorker;
  deadLetters: Array<{ job: EvaluationJob; reason: string }>;
}

function setup(policy: Partial<{ attempts: number; backoffMs: number; debounceMs: number }> = {}): Setup {
  const prefix = `q-${randomUUID().slice(0, 8)}`;
  const deadLetters: Setup['deadLetters'] = [];
  const make = () => {
    const q = new RedisEvaluationQueue(
      connect(),
      prefix,
      { attempts: 3, backoffMs: 20, debounceMs: 0, ...policy },
      log,
    );
    opened.push(q);
    return q;
  };
  return {
    prefix,
    queue: make,
    deadLetters,
    worker(process, overrides = {}) {
      const w = new EvaluationWorker({
        queue: make(),
        connection: connect(),
        concurrency: 4,
        lockMs: 1000,
        stalledIntervalMs: 300,
        maxStalledCount: 1,
        sweepIntervalMs: 60_000,
        process,
        deadLetter: async (job, reason) => void deadLetters.push({ job, reason }),
        onDeadLetter: () => undefined,
        onRetry: () => undefined,
        log,
        ...overrides,
      });
      opened.push(w);
      return w;
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RedisEvaluationQueue and EvaluationWorker', () => {
  it('makes one job of concurrent requests from several replicas and evaluates the newest head once, answering every comment', async () => {
    const s = setup({ debounceMs: 200 });
    const [a, b] = [s.queue(), s.queue()];
    // At the same moment on two replicas: one job.
    const burst = await Promise.all(
      ['h1', 'h2', 'h3', 'h4'].map((h, i) => (i % 2 ? a : b).enqueue(request(7, h, { commentIds: [i] }))),
    );
    expect(burst.filter((r) => r === 'queued')).toHaveLength(1);
    expect(burst.filter((r) => r === 'coalesced')).toHaveLength(3);
    // Then two more, in order, on alternating replicas: the last to arrive is the newest.
    expect(await a.enqueue(request(7, 'h5', { commentIds: [4] }))).toBe('coalesced');
    expect(await b.enqueue(request(7, 'h6', { commentIds: [5] }))).toBe('coalesced');
    expect(await a.depth()).toBe(1);
    const seen: EvaluationJob[] = [];
    s.worker(async (job) => (seen.push(job), { deadLetter: false }));
    await until(() => seen.length === 1);
    await a.idle();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headSha).toBe('h6');
    expect(seen[0]!.commentIds.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen[0]!.reasons).toHaveLength(6);
  });

  it('never runs two evaluations of one PR at once, across two workers, and runs what arrived meanwhile afterwards', async () => {
    const s = setup();
    const q = s.queue();
    let running = 0;
    let overlap = 0;
    const heads: string[] = [];
    const work = async (job: EvaluationJob) => {
      running++;
      overlap = Math.max(overlap, running);
      heads.push(job.headSha!);
      await new Promise((r) => setTimeout(r, 150));
      running--;
      return { deadLetter: false };
    };
    s.worker(work);
    s.worker(work);
    await q.enqueue(request(7, 'a'));
    await until(() => heads.length === 1);
    await q.enqueue(request(7, 'b'));
    await q.enqueue(request(7, 'c'));
    await q.enqueue(request(8, 'x'));
    await until(() => heads.length === 3);
    await q.idle();
    expect(heads.filter((h) => h !== 'x')).toEqual(['a', 'c']);
    expect(heads).toContain('x');
    // PR 8 ran beside PR 7; PR 7 never beside itself.
    expect(overlap).toBeLessThanOrEqual(2);
    const redis = connect();
    expect(await redis.keys(`${s.prefix}:slot:*`)).toEqual([]);
    expect(await redis.scard(`${s.prefix}:scheduled`)).toBe(0);
  });

  it('hands the job of a worker that stopped renewing its lock to another worker, with its requests and the newer ones', async () => {
    const s = setup();
    const q = s.queue();
    const first: EvaluationJob[] = [];
    // The first worker takes the job and never finishes (as if killed): its lock expires.
    const dead = s.worker(async (job) => {
      first.push(job);
      await new Promise(() => undefined);
      return { deadLetter: false };
    });
    await q.enqueue(request(7, 'a', { commentIds: [1] }));
    await until(() => first.length === 1);
    await dead.close(0); // force-close: stops renewing the lock, like a killed process
    await q.enqueue(request(7, 'b', { commentIds: [2] }));
    const second: EvaluationJob[] = [];
    s.worker(async (job) => (second.push(job), { deadLetter: false }));
    await until(() => second.length === 1);
    expect(second[0]).toMatchObject({ headSha: 'b' });
    expect(second[0]!.commentIds.sort()).toEqual([1, 2]);
    await q.idle();
  });

  it('retries a transient failure with backoff and dead-letters the job after its last attempt', async () => {
    const s = setup({ attempts: 3, backoffMs: 10 });
    const q = s.queue();
    const attempts: Attempt[] = [];
    s.worker(async (_job, attempt) => {
      attempts.push(attempt);
      if (!attempt.final) throw new Error('GitHub answered 502');
      return { deadLetter: true };
    });
    await q.enqueue(request(7, 'a'));
    await until(async () => (await q.deadLetters()) === 1);
    expect(attempts).toEqual([
      { number: 1, final: false },
      { number: 2, final: false },
      { number: 3, final: true },
    ]);
    // The PR's slot is free: a new push is evaluated normally.
    const after: string[] = [];
    s.worker(async (job) => (after.push(job.headSha!), { deadLetter: false }));
    await q.enqueue(request(7, 'b'));
    await until(() => after.includes('b') || attempts.length > 3);
    await q.idle();
  });

  it('dead-letters a job whose workers keep dying, publishing through deadLetter once', async () => {
    const s = setup();
    const q = s.queue();
    let taken = 0;
    const dying = () =>
      s.worker(async () => {
        taken++;
        await new Promise(() => undefined);
        return { deadLetter: false };
      });
    await q.enqueue(request(7, 'a'));
    const w1 = dying();
    await until(() => taken === 1);
    await w1.close(0);
    const w2 = dying();
    await until(() => taken === 2, 15_000);
    await w2.close(0);
    // maxStalledCount 1: the second loss fails the job; a live worker notices and dead-letters it.
    s.worker(async () => ({ deadLetter: false }));
    await until(() => s.deadLetters.length === 1, 15_000);
    expect(s.deadLetters[0]).toMatchObject({ job: { headSha: 'a' }, reason: expect.stringMatching(/stalled/) });
    await q.idle();
  });

  it('re-creates a job a crash left missing (the sweeper) and ignores a stale job', async () => {
    const s = setup({ debounceMs: 60_000 });
    const q = s.queue();
    await q.enqueue(request(7, 'a'));
    // Lose the BullMQ job, as if the process died between the script and BullMQ.
    const [job] = await q.bull.getJobs(['delayed']);
    await job!.remove();
    // A stray job for the same PR under another id must do nothing.
    await q.bull.add('evaluate', { key: 'acme/shop#7' }, { jobId: randomUUID() });
    const seen: string[] = [];
    const w = s.worker(async (j) => (seen.push(j.headSha!), { deadLetter: false }));
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
    await w.sweep();
    await until(() => seen.length === 1);
    expect(seen).toEqual(['a']);
    await q.idle();
  });

  it('holds a PR’s write lock as long as the work runs, and waits out a dead holder’s lock only until it expires', async () => {
    const s = setup();
    const q = s.queue();
    // A holder that died: its lock expires after its TTL, not after the work's.
    await connect().set(`${s.prefix}:lock:acme/shop#7`, 'dead', 'PX', 400);
    const started = Date.now();
    await q.exclusive('acme/shop#7', async () => undefined, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(Date.now() - started).toBeLessThan(2000);
    // A live holder keeps it past its TTL by renewing it: the second waits for the first to finish.
    const order: string[] = [];
    const first = q.exclusive(
      'acme/shop#7',
      async () => {
        await new Promise((r) => setTimeout(r, 900));
        order.push('first');
      },
      300,
    );
    await new Promise((r) => setTimeout(r, 50));
    await q.exclusive('acme/shop#7', async () => void order.push('second'), 300);
    await first;
    expect(order).toEqual(['first', 'second']);
  });
});
