/**
 * Assembles the app: logger, metrics, Probot with the bounded Octokit, the queue, the service, and an
 * HTTP server that answers the probes and `/metrics` itself and hands everything else to Probot's own
 * node middleware (signature verification, event dispatch).
 *
 * Without `REDIS_URL` one process does everything with an in-memory queue. With it, the queue, the open
 * check runs, the per-PR write lock and the GitHub rate limiters live in Redis, and the process runs as
 * `web` (webhooks: verify, acknowledge, enqueue), `worker` (evaluations) or `all` (both).
 *
 * Why not Probot's `Server`: it logs every request at info level through pino-http with no way to leave
 * out probe paths (its `loggingOptions` are never applied), so a kubelet probing every few seconds would
 * flood the logs. Hosting the middleware is Probot's documented alternative.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { DestinationStream, Logger } from 'pino';
import { createNodeMiddleware, Probot } from 'probot';
import { findOpenCheckRun, getPullRequest, type OctokitLike } from '../github/index.js';
import { CheckRunTracker, RedisCheckRuns, type CheckRuns } from './check-runs.js';
import { runEvaluation, type EvaluationDeps } from './evaluate.js';
import { EVENTS, readinessApp } from './handlers.js';
import { createLogger } from './logger.js';
import { createMetrics, statusClass, type AppMetrics } from './metrics.js';
import { appOctokitClass, countingFetch } from './octokit.js';
import { errorOutputs, supersededOutput } from './outputs.js';
import { CheckPool } from './isolated-check.js';
import { CHECK_NAME, OptionsError, type AppOptions } from './options.js';
import { InProcessQueue, type EvaluationJob, type EvaluationQueue } from './queue.js';
import { EvaluationWorker, RedisEvaluationQueue } from './redis-queue.js';
import { BackgroundTasks, ReadinessService } from './service.js';
import { startWebhookProxy, type WebhookProxyFactory } from './webhook-proxy.js';

/** A running app. */
export interface RunningApp {
  /** `http://host:port` it listens on (webhooks and probes). */
  url: string;
  /** Where `/metrics` is served (the same as `url` when both ports are equal). */
  metricsUrl: string;
  server: Server;
  probot: Probot;
  log: Logger;
  metrics: AppMetrics;
  queue: EvaluationQueue;
  /** The queue worker of a Redis-backed `worker` or `all` process. */
  worker?: EvaluationWorker;
  /** Resolves when no evaluation waits or runs and every background answer was sent. */
  idle(): Promise<void>;
  /** Readiness off, stop accepting, let running evaluations finish within the grace period, close. */
  close(): Promise<void>;
}

/** Extra knobs for tests: where logs go, how a webhook proxy channel is reached. */
export interface StartOptions {
  logDestination?: DestinationStream;
  webhookProxy?: WebhookProxyFactory;
}

const PROBE_HEADERS = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };

/**
 * GitHub caps webhook payloads at 25 MB and does not deliver larger ones, so a bigger body is not
 * GitHub's. The signature can only be checked once the whole body is in memory, so without this cap an
 * unauthenticated sender decides how much memory each request takes.
 */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/**
 * Reads a webhook body up to {@link MAX_WEBHOOK_BYTES}: refused before reading anything when its
 * Content-Length says it is larger, and as soon as a body without one (chunked) grows past it. A refused
 * request is answered 413 and its connection closed; resolves to undefined then.
 */
function readWebhookBody(req: IncomingMessage, res: ServerResponse, log: Logger): Promise<string | undefined> {
  const refuse = (bytes: string) => {
    log.warn(
      { delivery: req.headers['x-github-delivery'], bytes, limit: MAX_WEBHOOK_BYTES },
      'webhook refused: body over GitHub’s 25 MB payload cap',
    );
    // The rest of the body is never kept. Once the answer is out, what is still in flight is discarded for a
    // moment before the connection is dropped: destroying a socket with unread data sends a reset, which can
    // reach the client before the 413 and hide it.
    res.once('finish', () => {
      req.on('data', () => undefined).resume();
      setTimeout(() => req.socket.destroy(), 1_000).unref();
    });
    res
      .writeHead(413, { ...PROBE_HEADERS })
      .end(`payload too large: ${bytes} bytes; GitHub never sends webhook payloads over ${MAX_WEBHOOK_BYTES} bytes\n`);
  };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_WEBHOOK_BYTES) {
    refuse(declared);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BYTES) {
        req.off('data', onData);
        req.off('end', onEnd);
        chunks.length = 0;
        req.pause();
        refuse(`more than ${MAX_WEBHOOK_BYTES}`);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/** Starts the app and resolves once it listens. */
export async function startApp(options: AppOptions, start: StartOptions = {}): Promise<RunningApp> {
  const log = createLogger({
    level: options.logLevel,
    secrets: [options.privateKey, options.webhookSecret],
    ...(start.logDestination ? { destination: start.logDestination } : {}),
  });
  const role = options.role ?? 'all';
  const redis = options.redisUrl ? await connectRedis(options.redisUrl, log) : undefined;
  const prefix = options.queue.prefix;
  const redisQueue = redis
    ? new RedisEvaluationQueue(
        redis,
        prefix,
        { attempts: options.queue.attempts, backoffMs: options.queue.backoffMs, debounceMs: options.debounceMs },
        log.child({ name: 'queue' }),
      )
    : undefined;
  let queue: EvaluationQueue | undefined = redisQueue;
  const metrics = createMetrics(() => queue?.depth() ?? 0, redisQueue ? () => redisQueue.deadLetters() : undefined);
  const github = appOctokitClass(options.github, log.child({ name: 'github' }), redis ? { redis, prefix } : undefined);
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    baseUrl: options.baseUrl,
    log,
    Octokit: github.Octokit,
    request: {
      fetch: countingFetch((method, status) => metrics.githubRequests.inc({ method, status: statusClass(status) })),
    },
  });

  const checks: CheckRuns = redis ? new RedisCheckRuns(redis, prefix, log) : new CheckRunTracker(log);
  const tasks = new BackgroundTasks(log);
  let appLogin: Promise<string | undefined> | undefined;
  // One engine worker per evaluation running at once: `concurrency` bounds both the in-process queue and
  // the Redis worker, so an evaluation normally finds one free; they are reused across evaluations.
  const pool = new CheckPool(options.concurrency);
  const evaluationDeps: EvaluationDeps = {
    // Probot's Octokit has the port's `request(route, params)`; its stricter typings are not needed here.
    auth: async (installationId: number) => (await probot.auth(installationId)) as unknown as OctokitLike,
    checks,
    appLogin: () => {
      // Our comments are authored by `<slug>[bot]`; the slug comes from GET /app once.
      appLogin ??= probot
        .auth()
        .then(async (octokit) => {
          const { data } = await octokit.request('GET /app');
          return data?.slug ? `${data.slug}[bot]` : undefined;
        })
        .catch((error: unknown) => {
          log.warn(
            { err: error },
            'could not read the app slug; any bot comment with our marker counts as the scorecard',
          );
          appLogin = undefined;
          return undefined;
        });
      return appLogin;
    },
    metrics,
    log: log.child({ name: 'evaluation' }),
    byteBudget: options.byteBudget,
    timeoutMs: options.evaluationTimeoutMs,
    pool,
    now: options.now,
    requeue: (job) => queue!.enqueue(job),
    ...(redisQueue
      ? { openRunOnStart: true, exclusive: <T>(key: string, work: () => Promise<T>) => redisQueue.exclusive(key, work) }
      : {}),
  };

  /** A job the queue gave up on: a failing check on its head says so (the PR's current head when the job named none). */
  async function publishDeadLetter(job: EvaluationJob, reason: string): Promise<void> {
    const octokit = await evaluationDeps.auth(job.installationId);
    const headSha =
      job.mergeGroup?.headSha ??
      job.headSha ??
      (await getPullRequest(octokit, { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber })).headSha;
    const head = { owner: job.owner, repo: job.repo, headSha };
    const error = new Error(
      `The evaluation was given up on (${reason}). Its worker stopped while running it more often than allowed (a crash or an out-of-memory kill are the usual causes), or it kept failing.`,
    );
    // A run with no record (Redis restarted empty) may still be open on GitHub: that one is completed.
    const runId =
      (await checks.claim(head)) ??
      (await findOpenCheckRun(octokit, { ...head, name: CHECK_NAME }).catch(() => undefined));
    await checks.complete(octokit, head, runId, errorOutputs(error, 'failure', {}).check);
  }

  let worker: EvaluationWorker | undefined;
  if (redisQueue && redis) {
    if (role !== 'web') {
      worker = new EvaluationWorker({
        queue: redisQueue,
        connection: redis,
        concurrency: options.concurrency,
        lockMs: options.queue.lockMs,
        stalledIntervalMs: options.queue.stalledIntervalMs,
        maxStalledCount: options.queue.maxStalledCount,
        sweepIntervalMs: options.queue.sweepIntervalMs,
        process: async (job, attempt) => {
          const retried = attempt.final && attempt.number > 1;
          const outcome = await runEvaluation(job, {
            ...evaluationDeps,
            retryTransient: !attempt.final,
            ...(retried ? { attempts: attempt.number } : {}),
          });
          return { deadLetter: retried && outcome === 'error' };
        },
        deadLetter: publishDeadLetter,
        onDeadLetter: () => metrics.deadLetters.inc(),
        onRetry: () => metrics.jobRetries.inc(),
        log: log.child({ name: 'worker' }),
      });
      await worker.ready();
    }
  } else
    queue = new InProcessQueue({
      process: async (job) => {
        await runEvaluation(job, evaluationDeps);
      },
      onReplaced: async (older, newer) => {
        const octokit = await evaluationDeps.auth(older.installationId);
        await checks.close(
          octokit,
          { owner: older.owner, repo: older.repo, headSha: older.headSha! },
          supersededOutput(older.headSha!, newer.headSha),
        );
      },
      concurrency: options.concurrency,
      debounceMs: options.debounceMs,
      log: log.child({ name: 'queue' }),
    });
  const service = new ReadinessService({
    queue: queue!,
    checks,
    tasks,
    log,
    ackBudgetMs: options.ackBudgetMs,
    openRunOnAck: !redis,
  });
  // A worker process takes no webhooks: its port answers the probes only.
  const middleware =
    role === 'worker'
      ? undefined
      : await createNodeMiddleware(readinessApp(service, metrics, options.appId), {
          probot,
          webhooksPath: options.webhookPath,
        });

  let draining = false;
  const sharedPort = options.metricsPort === options.port && options.port !== 0;
  /** Probes on every port; `/metrics` only on the metrics port. True when it answered the request. */
  async function ops(req: IncomingMessage, res: ServerResponse, withMetrics: boolean): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livez') {
      // Liveness depends on nothing but this process answering: a GitHub outage must not restart it.
      res.writeHead(200, PROBE_HEADERS).end('ok\n');
    } else if (path === '/readyz') {
      // Readiness is only about this process: started and not draining. GitHub is shared by all
      // replicas, so gating readiness on it would take every replica out at once.
      res.writeHead(draining ? 503 : 200, PROBE_HEADERS).end(draining ? 'shutting down\n' : 'ready\n');
    } else if (path === '/metrics' && withMetrics) {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    } else {
      return false;
    }
    return true;
  }
  const server = createServer((req, res) => void route(req, res));
  const metricsServer = sharedPort
    ? undefined
    : createServer((req, res) => {
        void ops(req, res, true).then((done) => {
          if (!done) res.writeHead(404, PROBE_HEADERS).end('not found\n');
        });
      });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (await ops(req, res, sharedPort)) return;
    if (path === options.webhookPath && req.method === 'POST') {
      const arrived = process.hrtime.bigint();
      const header = req.headers['x-github-event'];
      const event = typeof header === 'string' && (EVENTS as readonly string[]).includes(header) ? header : 'other';
      res.once('finish', () => {
        metrics.acknowledgementDuration.observe({ event }, Number(process.hrtime.bigint() - arrived) / 1e9);
        log.debug({ event, delivery: req.headers['x-github-delivery'], status: res.statusCode }, 'webhook answered');
      });
    }
    try {
      if (!middleware) {
        res
          .writeHead(404, PROBE_HEADERS)
          .end('not found: this is a worker process; webhooks go to the web processes\n');
        return;
      }
      if (path === options.webhookPath && req.method === 'POST') {
        const body = await readWebhookBody(req, res, log);
        if (body === undefined) return;
        // Probot's middleware verifies the signature of a body that was already read (`request.body`).
        (req as IncomingMessage & { body?: string }).body = body;
      }
      await middleware(req, res, () => {
        if (!res.headersSent) res.writeHead(404, PROBE_HEADERS).end('not found\n');
      });
    } catch (error) {
      log.error({ err: error }, 'request handling failed');
      if (!res.headersSent) res.writeHead(500).end();
    }
  }

  const url = await listen(server, options.port, options.host);
  const metricsUrl = metricsServer ? await listen(metricsServer, options.metricsPort, options.host) : url;
  log.info(
    {
      url,
      metricsUrl,
      role,
      queue: redis ? 'redis' : 'in-process',
      webhookPath: options.webhookPath,
      baseUrl: options.baseUrl,
      appId: options.appId,
    },
    'Readiness Gates app listening',
  );
  // A worker receives no webhooks, so only a process with the webhook endpoint listens to the channel.
  const proxy =
    options.webhookProxyUrl && role !== 'worker'
      ? await startWebhookProxy(
          { source: options.webhookProxyUrl, target: `${url}${options.webhookPath}`, logger: log },
          start.webhookProxy,
        )
      : undefined;

  return {
    url,
    metricsUrl,
    server,
    probot,
    log,
    metrics,
    queue: queue!,
    ...(worker ? { worker } : {}),
    async idle() {
      // Answers can start evaluations and evaluations can start answers: settle until both are quiet.
      do {
        await tasks.idle();
        await queue!.idle();
      } while ((await queue!.depth()) > 0);
      await tasks.idle();
    },
    async close() {
      draining = true;
      log.info({ drainDelayMs: options.drainDelayMs }, 'shutting down: readiness off, draining');
      await proxy?.close();
      if (options.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.drainDelayMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // A worker stops taking jobs and finishes its running ones within the grace period; what it
      // abandons stays in Redis and is retried by another worker once its lock expires.
      const abandoned = worker ? await worker.close(options.shutdownGraceMs) : 0;
      // With Redis down, BullMQ and ioredis wait for a reconnect forever: shutdown does not.
      const unfinished =
        ((await bounded(Promise.resolve(queue!.close(options.shutdownGraceMs)), 5000)) ?? 0) + abandoned;
      await tasks.idle();
      await pool.close();
      if (unfinished > 0)
        log.warn(
          { unfinished },
          'shutdown grace period over with evaluations still running; their checks stay pending until the next event',
        );
      server.closeAllConnections();
      await closed;
      if (metricsServer) {
        const metricsClosed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        metricsServer.closeAllConnections();
        await metricsClosed;
      }
      await bounded(github.close(), 2000);
      if (redis && (await bounded(redis.quit(), 2000)) === undefined) redis.disconnect();
      log.info('Readiness Gates app stopped');
      log.flush?.();
    },
  };
}

/** `work`'s value, or undefined when it failed or took longer than `ms` (it goes on in the background). */
async function bounded<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.catch(() => undefined),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `redis://host:port/db` without credentials, for messages. */
function redisWhere(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

/**
 * Connects to Redis or fails start-up with a message naming REDIS_URL. BullMQ's workers need
 * `maxRetriesPerRequest: null` (commands wait through a reconnect instead of failing).
 */
async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectionName: 'readiness-gates' });
  redis.on('error', (error: Error) => log.warn({ err: error, redis: redisWhere(url) }, 'Redis connection error'));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000))),
    ]);
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new OptionsError(
      `REDIS_URL: cannot connect to ${redisWhere(url)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/** Listens and returns the base URL (loopback when bound to every interface). */
async function listen(server: Server, port: number, host: string | undefined): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown =
    address.family === 'IPv6'
      ? `[${address.address === '::' ? '::1' : address.address}]`
      : address.address === '0.0.0.0'
        ? '127.0.0.1'
        : address.address;
  return `http://${shown}:${address.port}`;
}
