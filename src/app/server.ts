/**
 * Assembles the app: logger, metrics, Probot with the bounded Octokit, the queue, the service, and an
 * HTTP server that answers the probes and `/metrics` itself and hands everything else to Probot's own
 * node middleware (signature verification, event dispatch).
 *
 * Why not Probot's `Server`: it logs every request at info level through pino-http with no way to leave
 * out probe paths (its `loggingOptions` are never applied), so a kubelet probing every few seconds would
 * flood the logs. Hosting the middleware is Probot's documented alternative.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { createNodeMiddleware, Probot } from 'probot';
import type { OctokitLike } from '../github/index.js';
import { CheckRunTracker } from './check-runs.js';
import { runEvaluation, type EvaluationDeps } from './evaluate.js';
import { EVENTS, readinessApp } from './handlers.js';
import { createLogger } from './logger.js';
import { createMetrics, statusClass, type AppMetrics } from './metrics.js';
import { appOctokitClass, countingFetch } from './octokit.js';
import { supersededOutput } from './outputs.js';
import type { AppOptions } from './options.js';
import { InProcessQueue, type EvaluationQueue } from './queue.js';
import { BackgroundTasks, ReadinessService } from './service.js';

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
  /** Resolves when no evaluation waits or runs and every background answer was sent. */
  idle(): Promise<void>;
  /** Readiness off, stop accepting, let running evaluations finish within the grace period, close. */
  close(): Promise<void>;
}

/** Extra knobs for tests: where logs go. */
export interface StartOptions {
  logDestination?: DestinationStream;
}

const PROBE_HEADERS = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };

/** Starts the app and resolves once it listens. */
export async function startApp(options: AppOptions, start: StartOptions = {}): Promise<RunningApp> {
  const log = createLogger({
    level: options.logLevel,
    secrets: [options.privateKey, options.webhookSecret],
    ...(start.logDestination ? { destination: start.logDestination } : {}),
  });
  let queue: EvaluationQueue | undefined;
  const metrics = createMetrics(() => queue?.depth() ?? 0);
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    baseUrl: options.baseUrl,
    log,
    Octokit: appOctokitClass(options.github, log.child({ name: 'github' })),
    request: { fetch: countingFetch((method, status) => metrics.githubRequests.inc({ method, status: statusClass(status) })) },
  });

  const checks = new CheckRunTracker(log);
  const tasks = new BackgroundTasks(log);
  let appLogin: Promise<string | undefined> | undefined;
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
          log.warn({ err: error }, 'could not read the app slug; any bot comment with our marker counts as the scorecard');
          appLogin = undefined;
          return undefined;
        });
      return appLogin;
    },
    metrics,
    log: log.child({ name: 'evaluation' }),
    byteBudget: options.byteBudget,
    timeoutMs: options.evaluationTimeoutMs,
    now: options.now,
    requeue: (job) => queue!.enqueue(job),
  };
  queue = new InProcessQueue({
    process: async (job) => {
      await runEvaluation(job, evaluationDeps);
    },
    onReplaced: async (older, newer) => {
      const octokit = await evaluationDeps.auth(older.installationId);
      await checks.close(octokit, { owner: older.owner, repo: older.repo, headSha: older.headSha! }, supersededOutput(older.headSha!, newer.headSha));
    },
    concurrency: options.concurrency,
    debounceMs: options.debounceMs,
    log: log.child({ name: 'queue' }),
  });
  const service = new ReadinessService({ queue, checks, tasks, log, ackBudgetMs: options.ackBudgetMs });
  const middleware = await createNodeMiddleware(readinessApp(service, metrics, options.appId), { probot, webhooksPath: options.webhookPath });

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
  log.info({ url, metricsUrl, webhookPath: options.webhookPath, baseUrl: options.baseUrl, appId: options.appId }, 'Readiness Gates app listening');

  return {
    url,
    metricsUrl,
    server,
    probot,
    log,
    metrics,
    queue,
    async idle() {
      // Answers can start evaluations and evaluations can start answers: settle until both are quiet.
      do {
        await tasks.idle();
        await queue!.idle();
      } while (queue!.depth() > 0);
      await tasks.idle();
    },
    async close() {
      draining = true;
      log.info({ drainDelayMs: options.drainDelayMs }, 'shutting down: readiness off, draining');
      if (options.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.drainDelayMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const unfinished = await queue!.close(options.shutdownGraceMs);
      await tasks.idle();
      if (unfinished > 0) log.warn({ unfinished }, 'shutdown grace period over with evaluations still running; their checks stay pending until the next event');
      server.closeAllConnections();
      await closed;
      if (metricsServer) {
        const metricsClosed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        metricsServer.closeAllConnections();
        await metricsClosed;
      }
      log.info('Readiness Gates app stopped');
      log.flush?.();
    },
  };
}

/** Listens and returns the base URL (loopback when bound to every interface). */
async function listen(server: Server, port: number, host: string | undefined): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  return `http://${shown}:${address.port}`;
}
