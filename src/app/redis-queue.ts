/**
 * The Redis-backed evaluation queue, for running the app as several replicas: web replicas verify,
 * acknowledge and enqueue; worker replicas evaluate. BullMQ carries the jobs (delays, retries with
 * backoff, locks that expire when a worker dies, a failed set that serves as the dead-letter queue); the
 * per-PR bookkeeping around it is ours, in a few atomic Lua scripts.
 *
 * Per PR (the {@link jobKey}) Redis holds a slot:
 * - `<prefix>:slot:<key>` (hash): `job`, the id of the one BullMQ job that exists for the PR (absent:
 *   none is scheduled), and `owner`, a token of the attempt that took it last (a worker presumed dead
 *   that wakes up finds another owner and finishes nothing);
 * - `<prefix>:slot:<key>:waiting` (list): requests that arrived since that job last started, as JSON;
 * - `<prefix>:slot:<key>:running` (list): requests the job is evaluating now.
 * `<prefix>:scheduled` (set) lists the keys with a scheduled job, for the sweeper.
 *
 * Enqueueing appends to `waiting` and schedules a job only when none is scheduled, so concurrent
 * deliveries and redeliveries on any replica make one job. A job moves `waiting` into `running` when it
 * starts and evaluates all of it folded into one request (the newest head wins, every command to answer
 * is kept), so a burst of pushes costs one evaluation of the newest head. When it finishes it drops
 * `running` and, when requests arrived meanwhile, schedules the PR's next job itself, under a new id: a
 * PR never has two jobs, so its evaluations never overlap. A worker that dies mid-evaluation leaves
 * `running` in place; BullMQ hands its job to another worker once the lock expires, and that worker
 * evaluates `running` plus anything that arrived since. Nothing is lost in between: every script checks
 * that the job calling it is still the PR's job (a stale job does nothing), and the sweeper re-creates a
 * job that a crash between a script and BullMQ left missing, and dead-letters one BullMQ gave up on.
 */
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { jobKey, mergeJobs, type EnqueueResult, type EvaluationJob, type EvaluationQueue } from './queue.js';

/** BullMQ's queue name under the prefix. */
export const QUEUE_NAME = 'evaluations';

/** Requests kept per PR while its job runs; older ones are dropped (the newest head always survives). */
const MAX_WAITING = 200;

/** What a BullMQ job carries: only the PR's key, its requests live in the slot. */
interface SlotJobData {
  key: string;
}

const ENQUEUE = `
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
local current = redis.call('HGET', KEYS[1], 'job')
if current then return {'coalesced', current} end
redis.call('HSET', KEYS[1], 'job', ARGV[3])
redis.call('SADD', KEYS[4], ARGV[2])
return {'queued', ARGV[3]}
`;

const TAKE = `
if redis.call('HGET', KEYS[1], 'job') ~= ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'owner', ARGV[2])
while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do end
return redis.call('LRANGE', KEYS[3], 0, -1)
`;

const FINISH = `
if redis.call('HGET', KEYS[1], 'job') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[4] then return false end
redis.call('DEL', KEYS[3])
if redis.call('LLEN', KEYS[2]) > 0 then
  redis.call('HSET', KEYS[1], 'job', ARGV[3])
  redis.call('HDEL', KEYS[1], 'owner')
  return ARGV[3]
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[2])
return ''
`;

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** Retry policy and timings of jobs. */
export interface JobPolicy {
  /** Attempts per job, the first included; after the last the job is dead-lettered. */
  attempts: number;
  /** First retry delay; each further retry doubles it. */
  backoffMs: number;
  /** Quiet time before a PR's job starts, so a burst of pushes settles. */
  debounceMs: number;
}

/** The Redis keys of one deployment. */
class Keys {
  constructor(readonly prefix: string) {}
  slot(key: string): string {
    return `${this.prefix}:slot:${key}`;
  }
  waiting(key: string): string {
    return `${this.prefix}:slot:${key}:waiting`;
  }
  running(key: string): string {
    return `${this.prefix}:slot:${key}:running`;
  }
  get scheduled(): string {
    return `${this.prefix}:scheduled`;
  }
  lock(key: string): string {
    return `${this.prefix}:lock:${key}`;
  }
}

/** Parses a stored request; a corrupt one is dropped with a log line rather than blocking the PR. */
function parseRequests(entries: string[], log: Logger): EvaluationJob[] {
  const jobs: EvaluationJob[] = [];
  for (const entry of entries) {
    try {
      jobs.push(JSON.parse(entry) as EvaluationJob);
    } catch (error) {
      log.error({ err: error, entry: entry.slice(0, 200) }, 'dropped a stored request that is not JSON');
    }
  }
  return jobs;
}

/**
 * The producer side, used by every replica: enqueue (web), hand commands over and re-create jobs
 * (workers). Implements {@link EvaluationQueue} so the service does not know which queue it has.
 */
export class RedisEvaluationQueue implements EvaluationQueue {
  readonly keys: Keys;
  readonly bull: Queue<SlotJobData>;
  private closed = false;

  constructor(
    readonly redis: Redis,
    prefix: string,
    readonly policy: JobPolicy,
    private readonly log: Logger,
  ) {
    this.keys = new Keys(prefix);
    this.bull = new Queue<SlotJobData>(QUEUE_NAME, { connection: redis, prefix });
    this.bull.on('error', (error) => this.log.warn({ err: error }, 'queue connection error'));
  }

  /**
   * Appends the request to its PR's slot and creates the PR's job when it has none. Fails after
   * `timeoutMs` when Redis does not answer (the connection waits through reconnects otherwise), so a
   * webhook is answered 500 — visible in GitHub's delivery log, and redeliverable — well within GitHub's 10 s.
   */
  async enqueue(job: EvaluationJob, timeoutMs = 5000): Promise<EnqueueResult> {
    if (this.closed) {
      this.log.info({ key: jobKey(job), reasons: job.reasons }, 'not queued: the app is shutting down');
      return 'refused';
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${timeoutMs} ms; the request was not queued`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.append(job), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async append(job: EvaluationJob): Promise<EnqueueResult> {
    const key = jobKey(job);
    const k = this.keys;
    const [result, id] = (await this.redis.eval(
      ENQUEUE,
      4,
      k.slot(key),
      k.waiting(key),
      k.running(key),
      k.scheduled,
      JSON.stringify(job),
      key,
      randomUUID(),
      MAX_WAITING,
    )) as [EnqueueResult, string];
    if (result === 'queued') await this.schedule(key, id, this.policy.debounceMs);
    return result;
  }

  /** Creates the BullMQ job of a PR (idempotent: BullMQ ignores a second job with the same id). */
  async schedule(key: string, id: string, delayMs: number): Promise<void> {
    await this.bull.add(
      'evaluate',
      { key },
      {
        jobId: id,
        delay: delayMs,
        attempts: this.policy.attempts,
        backoff: { type: 'exponential', delay: this.policy.backoffMs },
        removeOnComplete: true,
        // The failed set is the dead-letter queue: kept a week for inspection.
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      },
    );
  }

  /** Jobs waiting, delayed or running, across all replicas. */
  async depth(): Promise<number> {
    const counts = await this.bull.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  /** Jobs in the dead-letter state (BullMQ's failed set). */
  async deadLetters(): Promise<number> {
    return this.bull.getFailedCount();
  }

  /** Resolves once no job waits or runs (tests; a real deployment never drains the shared queue). */
  async idle(pollMs = 50): Promise<void> {
    while ((await this.depth()) > 0 || (await this.redis.scard(this.keys.scheduled)) > 0)
      await new Promise((r) => setTimeout(r, pollMs));
  }

  /** Stops enqueueing; queued jobs stay in Redis for the workers, so nothing is abandoned. */
  async close(): Promise<number> {
    this.closed = true;
    await this.bull.close();
    return 0;
  }

  /**
   * Runs `work` while holding the PR's write lock, waiting up to `waitMs` for it. The lock lives `ttlMs`
   * and is renewed while `work` runs, so a holder that dies blocks the PR for at most `ttlMs`.
   */
  async exclusive<T>(key: string, work: () => Promise<T>, ttlMs = 10_000, waitMs = 120_000): Promise<T> {
    const lock = this.keys.lock(key);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await this.redis.set(lock, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`could not take the write lock of ${key} within ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const renew = setInterval(
      () => {
        this.redis
          .eval(RENEW, 1, lock, token, ttlMs)
          .catch((error: unknown) => this.log.warn({ err: error, key }, 'could not renew a write lock'));
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.redis
        .eval(UNLOCK, 1, lock, token)
        .catch((error: unknown) =>
          this.log.warn({ err: error, key }, 'could not release a write lock; it expires by itself'),
        );
    }
  }

  /**
   * Moves the PR's waiting requests to running and returns all of them, with the attempt's owner token
   * for {@link finish}; undefined for a stale job.
   */
  async take(key: string, jobId: string): Promise<{ requests: EvaluationJob[]; owner: string } | undefined> {
    const k = this.keys;
    const owner = randomUUID();
    const entries = (await this.redis.eval(TAKE, 3, k.slot(key), k.waiting(key), k.running(key), jobId, owner)) as
      string[] | null;
    return entries === null ? undefined : { requests: parseRequests(entries, this.log), owner };
  }

  /**
   * The PR's job is done: drop what it evaluated and schedule the next job when requests arrived
   * meanwhile. False for a stale job (another already finished the slot).
   */
  async finish(key: string, jobId: string, owner: string): Promise<boolean> {
    const k = this.keys;
    const next = (await this.redis.eval(
      FINISH,
      4,
      k.slot(key),
      k.waiting(key),
      k.running(key),
      k.scheduled,
      jobId,
      key,
      randomUUID(),
      owner,
    )) as string | null;
    if (next === null) return false;
    if (next !== '') await this.schedule(key, next, this.policy.debounceMs);
    return true;
  }
}

/** What a worker does with one PR's folded requests. */
export interface Attempt {
  /** 1 for the first attempt. */
  number: number;
  /** No retry follows this one: publish whatever happens. */
  final: boolean;
}

/** Options of {@link EvaluationWorker}. */
export interface EvaluationWorkerOptions {
  queue: RedisEvaluationQueue;
  /** A connection BullMQ may block on (`maxRetriesPerRequest: null`). */
  connection: Redis;
  concurrency: number;
  /** How long a job's lock lasts without renewal: how soon a dead worker's job is retried. */
  lockMs: number;
  /** How often workers look for jobs whose lock expired. */
  stalledIntervalMs: number;
  /** How often a job may lose its worker before it is dead-lettered. */
  maxStalledCount: number;
  /** How often the sweeper checks that every scheduled PR has a live job. */
  sweepIntervalMs: number;
  /**
   * Evaluates the folded request. Throws to have the job retried with backoff (only when the attempt
   * is not final); resolves `deadLetter: true` when it published a failure that retries did not fix.
   */
  process(job: EvaluationJob, attempt: Attempt): Promise<{ deadLetter: boolean }>;
  /** A job BullMQ gave up on outside `process` (its workers kept dying): publish a failing check. */
  deadLetter(job: EvaluationJob, reason: string): Promise<void>;
  onDeadLetter(reason: string): void;
  onRetry(): void;
  log: Logger;
}

/** Runs evaluations from the shared queue. */
export class EvaluationWorker {
  private readonly worker: Worker<SlotJobData>;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private readonly active = new Set<Promise<string>>();

  constructor(private readonly options: EvaluationWorkerOptions) {
    const { queue } = options;
    this.worker = new Worker<SlotJobData>(QUEUE_NAME, (job) => this.run(job), {
      connection: options.connection,
      prefix: queue.keys.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
      autorun: true,
    });
    this.worker.on('failed', (job, error) => {
      if (!job) return;
      const reason = error?.message ?? job.failedReason ?? 'unknown';
      const exhausted =
        error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(reason);
      if (!exhausted) return; // a retry follows
      options.onDeadLetter(reason);
      options.log.error(
        { jobId: job.id, key: job.data.key, attempts: job.attemptsMade, reason },
        'evaluation dead-lettered: kept in the failed set, its pull request has a failing check',
      );
      void this.deadLetterOutside(job.data.key, job.id!, reason);
    });
    this.worker.on('error', (error) => options.log.error({ err: error }, 'queue worker error'));
    this.sweeper = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => options.log.warn({ err: error }, 'queue sweep failed'))
        .finally(() => (this.sweeping = undefined));
    }, options.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** Resolves once the worker is connected and taking jobs. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  private async run(bullJob: Job<SlotJobData>): Promise<string> {
    const { key } = bullJob.data;
    const jobId = bullJob.id!;
    const running = this.attempt(bullJob, key, jobId);
    this.active.add(running);
    try {
      return await running;
    } finally {
      this.active.delete(running);
    }
  }

  private async attempt(bullJob: Job<SlotJobData>, key: string, jobId: string): Promise<string> {
    const { queue, log } = this.options;
    const taken = await queue.take(key, jobId);
    if (!taken) return 'stale';
    const { requests, owner } = taken;
    if (requests.length === 0) {
      await queue.finish(key, jobId, owner);
      return 'empty';
    }
    const job = requests.reduce(mergeJobs);
    const attempt: Attempt = {
      number: bullJob.attemptsMade + 1,
      final: bullJob.attemptsMade + 1 >= (bullJob.opts.attempts ?? 1),
    };
    let deadLetter = false;
    try {
      ({ deadLetter } = await this.options.process(job, attempt));
    } catch (error) {
      // A retry needs the job: Redis restarted empty has none to retry, and the check run the evaluation
      // opened would stay in progress forever. Publish the failure now, as for a last attempt.
      const lost = !attempt.final && (await queue.bull.getJobState(jobId).catch(() => 'unknown')) === 'unknown';
      if (lost)
        log.error(
          { err: error, key, jobId },
          'evaluation failed transiently and its job is gone (Redis lost its data?): publishing the failure instead of retrying',
        );
      if (!attempt.final && !lost) {
        this.options.onRetry();
        log.warn(
          { err: error, key, attempt: attempt.number, of: bullJob.opts.attempts },
          'evaluation failed transiently; retrying with backoff',
        );
        throw error;
      }
      log.error({ err: error, key }, 'evaluation failed on its last attempt');
      await this.options
        .deadLetter(job, error instanceof Error ? error.message : String(error))
        .catch((e: unknown) => log.error({ err: e, key }, 'could not publish the dead letter'));
      deadLetter = true;
    }
    await queue.finish(key, jobId, owner);
    if (deadLetter) throw new UnrecoverableError(`dead-lettered after ${attempt.number} attempt(s)`);
    return 'done';
  }

  /** Dead-letters a PR's job that BullMQ failed without our processor finishing it (idempotent). */
  private async deadLetterOutside(key: string, jobId: string, reason: string): Promise<void> {
    const { queue, log } = this.options;
    try {
      const taken = await queue.take(key, jobId);
      if (!taken) return; // our processor already finished it
      if (taken.requests.length > 0) await this.options.deadLetter(taken.requests.reduce(mergeJobs), reason);
      await queue.finish(key, jobId, taken.owner);
    } catch (error) {
      log.error({ err: error, key }, 'could not dead-letter a job; the sweeper tries again');
    }
  }

  /** Re-creates jobs a crash left missing and dead-letters jobs BullMQ gave up on. */
  async sweep(): Promise<void> {
    const { queue, log } = this.options;
    const keys = await queue.redis.smembers(queue.keys.scheduled);
    for (const key of keys) {
      const id = await queue.redis.hget(queue.keys.slot(key), 'job');
      if (!id) continue;
      const state = await queue.bull.getJobState(id);
      if (state === 'unknown') {
        log.warn(
          { key, jobId: id },
          'a scheduled evaluation had no job (a process died between two steps); re-creating it',
        );
        await queue.schedule(key, id, 0);
      } else if (state === 'failed') {
        const job = await queue.bull.getJob(id);
        await this.deadLetterOutside(key, id, job?.failedReason ?? 'failed');
      }
      // Completed jobs are removed as they complete (removeOnComplete), after their slot was finished.
    }
  }

  /**
   * Stops taking jobs and waits up to `graceMs` for running ones; after that they are abandoned to
   * their locks, which expire so another worker retries them. Returns how many were abandoned.
   */
  async close(graceMs: number): Promise<number> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    // Pausing stops taking jobs without waiting; BullMQ's close() cannot be bounded once started.
    await this.worker.pause(true);
    let timer: NodeJS.Timeout | undefined;
    if (this.active.size > 0 && graceMs > 0) {
      const drained = Promise.allSettled([...this.active]).then(() => undefined);
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    const abandoned = this.active.size;
    await this.worker.close(abandoned > 0);
    return abandoned;
  }
}
