/**
 * The app's settings: what `npm start` reads from the environment, and what tests pass directly. Every
 * value is validated once at start-up, and a bad one stops the process with a message naming the
 * variable, rather than surfacing as a confusing failure on the first webhook.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Name of the check run; a required status check matches on it, so it never changes. */
export const CHECK_NAME = 'Readiness Gates';

/** Everything the app needs to run. Only the first three have no default. */
export interface AppOptions {
  /** The GitHub App's id (`APP_ID`). */
  appId: number;
  /** The app's private key, PEM (`PRIVATE_KEY` or the file at `PRIVATE_KEY_PATH`). */
  privateKey: string;
  /** The webhook secret configured on the app (`WEBHOOK_SECRET`); unsigned deliveries are refused. */
  webhookSecret: string;
  /** REST API root: `https://api.github.com`, or `https://<host>/api/v3` on GitHub Enterprise Server. */
  baseUrl: string;
  /** Listening port (`PORT`, default 3000; 0 picks a free one). */
  port: number;
  /** Listening address (`HOST`); undefined listens on every interface, as a container needs. */
  host?: string;
  /**
   * Port of `/metrics` (`METRICS_PORT`, default 9464, Prometheus' exporter convention). The webhook port
   * faces the internet (GitHub must reach it), so the metrics stay off it; the probes answer on both.
   * Set it equal to `PORT` to serve everything on one port.
   */
  metricsPort: number;
  /** Where GitHub posts webhooks (`WEBHOOK_PATH`). */
  webhookPath: string;
  /** Bytes of file content one evaluation may download (`READINESS_BYTE_BUDGET`, default 50 MiB). */
  byteBudget: number;
  /** Evaluations running at once across all pull requests (`READINESS_CONCURRENCY`, default 4). */
  concurrency: number;
  /**
   * Quiet time before an evaluation starts (`READINESS_DEBOUNCE_MS`, default 500 ms): pushes that arrive
   * within it are coalesced, so a burst of pushes costs one evaluation of the newest head.
   */
  debounceMs: number;
  /** An evaluation taking longer than this is abandoned and reported as an error (`READINESS_EVALUATION_TIMEOUT_MS`, default 10 min). */
  evaluationTimeoutMs: number;
  /**
   * How long a webhook handler waits for the in-progress check run to be created before answering
   * anyway (default 3 s; GitHub gives up on a delivery after 10 s). The creation continues after the answer.
   */
  ackBudgetMs: number;
  /**
   * After SIGTERM, how long `/readyz` answers 503 while requests are still served, so load balancers stop
   * sending deliveries before the listener closes (`READINESS_DRAIN_DELAY_MS`, default 5 s).
   */
  drainDelayMs: number;
  /** Then how long running evaluations may take to finish (`READINESS_SHUTDOWN_GRACE_MS`, default 20 s). */
  shutdownGraceMs: number;
  /** pino level (`LOG_LEVEL`, default info). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** GitHub request retries and rate-limit handling. */
  github: GitHubClientOptions;
  /** The clock; tests move it to expire waivers. */
  now: () => Date;
  /**
   * Redis (`REDIS_URL`, e.g. `redis://redis:6379/0`): set, evaluations go through a shared BullMQ queue and
   * the app can run as several replicas; unset, one process queues in memory.
   */
  redisUrl?: string;
  /**
   * What this process does (`npm start` = `all`, `npm run start:web`, `npm run start:worker`, or
   * `READINESS_ROLE`): `web` answers webhooks and enqueues, `worker` evaluates, `all` both. `web` and
   * `worker` need Redis.
   */
  role: AppRole;
  /** The shared queue's retries and timings (Redis only). */
  queue: QueuePolicyOptions;
  /**
   * A webhook proxy channel (`WEBHOOK_PROXY_URL`, e.g. `https://smee.io/…`) whose deliveries are forwarded
   * to this process, for local development without a public address. Never in production.
   */
  webhookProxyUrl?: string;
}

/** What one process of the app does. */
export type AppRole = 'all' | 'web' | 'worker';
export const APP_ROLES: readonly AppRole[] = ['all', 'web', 'worker'];

/** Retries, locks and timings of the Redis-backed queue. */
export interface QueuePolicyOptions {
  /** Prefix of every Redis key the app writes (`READINESS_REDIS_PREFIX`, default `readiness`). */
  prefix: string;
  /** Attempts per evaluation job before it is dead-lettered (`READINESS_JOB_ATTEMPTS`, default 5). */
  attempts: number;
  /** First retry delay, doubled for each further retry (`READINESS_JOB_BACKOFF_MS`, default 2 s: 2, 4, 8, 16 s). */
  backoffMs: number;
  /**
   * How long a worker's hold on a job lasts unless renewed (`READINESS_JOB_LOCK_MS`, default 60 s): after
   * a worker dies, its job is retried by another within this plus the stalled-check interval.
   */
  lockMs: number;
  /** How often workers look for jobs whose worker died (`READINESS_STALLED_INTERVAL_MS`, default 15 s). */
  stalledIntervalMs: number;
  /** How often a job may lose its worker before it is dead-lettered (`READINESS_MAX_STALLED`, default 2). */
  maxStalledCount: number;
  /** How often each worker checks that every scheduled PR has a live job (`READINESS_SWEEP_INTERVAL_MS`, default 30 s). */
  sweepIntervalMs: number;
}

/** How the app's Octokit retries and paces requests. */
export interface GitHubClientOptions {
  /** Retries of 5xx and network failures (`READINESS_GITHUB_RETRIES`, default 3). */
  retries: number;
  /** Base of the quadratic retry delay in ms (`READINESS_GITHUB_RETRY_BASE_MS`, default 1000: 1 s, 4 s, 9 s). */
  retryBaseMs: number;
  /** Retries of one request after a secondary rate limit (default 2). */
  maxSecondaryRetries: number;
  /** Longest `retry-after` honoured, in seconds (default 60); a longer one fails the request at once. */
  maxRetryAfterSeconds: number;
  /** Milliseconds per second of `retry-after` (default 1000; tests shrink it). */
  retryAfterUnitMs: number;
  /**
   * Spacing of content-creating requests per installation in ms (`READINESS_GITHUB_WRITE_INTERVAL_MS`,
   * default 1000, GitHub's guidance; shared by all replicas with Redis; tests and benchmarks against a
   * fake lower it).
   */
  writeIntervalMs: number;
}

/** Defaults of everything but the credentials. */
export function defaultOptions(): Omit<AppOptions, 'appId' | 'privateKey' | 'webhookSecret'> {
  return {
    baseUrl: 'https://api.github.com',
    port: 3000,
    metricsPort: 9464,
    webhookPath: '/api/github/webhooks',
    byteBudget: 50 * 1024 * 1024,
    concurrency: 4,
    debounceMs: 500,
    evaluationTimeoutMs: 10 * 60_000,
    ackBudgetMs: 3_000,
    drainDelayMs: 5_000,
    shutdownGraceMs: 20_000,
    logLevel: 'info',
    github: {
      retries: 3,
      retryBaseMs: 1000,
      maxSecondaryRetries: 2,
      maxRetryAfterSeconds: 60,
      retryAfterUnitMs: 1000,
      writeIntervalMs: 1000,
    },
    now: () => new Date(),
    role: 'all',
    queue: {
      prefix: 'readiness',
      attempts: 5,
      backoffMs: 2000,
      lockMs: 60_000,
      stalledIntervalMs: 15_000,
      maxStalledCount: 2,
      sweepIntervalMs: 30_000,
    },
  };
}

/**
 * Settings that cannot be used; the message names each variable and what it expects. Every problem is
 * reported at once (`problems`), so a first start-up does not turn into one restart per missing variable.
 */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  readonly problems: readonly string[];

  constructor(messageOrProblems: string | readonly string[]) {
    const problems = typeof messageOrProblems === 'string' ? [messageOrProblems] : messageOrProblems;
    super(
      problems.length === 1
        ? problems[0]!
        : `${problems.length} settings need fixing:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `52428800`, `50MiB`, `50MB`, `512KiB`… → bytes. */
export function parseBytes(value: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i.exec(value);
  if (!m) throw new OptionsError(`${name} must be a number of bytes such as 52428800 or 50MiB, got "${value}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  const bytes = Math.floor(Number(m[1]) * factor);
  if (bytes < 1) throw new OptionsError(`${name} must be at least 1 byte, got "${value}"`);
  return bytes;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new OptionsError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

/**
 * The private key from `PRIVATE_KEY` (PEM text, PEM with literal `\n` escapes as many secret stores keep
 * it, or base64 of the PEM) or from the file at `PRIVATE_KEY_PATH`.
 */
export function readPrivateKey(env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  let key: string;
  if (env.PRIVATE_KEY?.trim()) {
    // A .env line `PRIVATE_KEY="…"` read by a loader that keeps the quotes.
    key = env.PRIVATE_KEY.trim().replace(/^"([\s\S]*)"$/, '$1');
    if (!key.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(key))
      key = Buffer.from(key, 'base64').toString('utf8').trim();
    key = key.replace(/\\n/g, '\n').trim();
  } else if (env.PRIVATE_KEY_PATH?.trim()) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH.trim());
    try {
      key = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new OptionsError(
        `PRIVATE_KEY_PATH: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  } else {
    throw new OptionsError(
      'PRIVATE_KEY or PRIVATE_KEY_PATH must be set to the private key of the GitHub App (the .pem file from its settings page)',
    );
  }
  // Never echo the value: only say what is wrong with its shape.
  if (!/^-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----$/.test(key)) {
    throw new OptionsError(
      'the private key is not a PEM private key (expected "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN PRIVATE KEY-----")',
    );
  }
  return `${key}\n`;
}

/** The REST API root: `GITHUB_API_URL`, else GitHub Enterprise Server's `GHE_HOST` (+ `GHE_PROTOCOL`), else github.com. */
export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_API_URL?.trim()) return env.GITHUB_API_URL.trim().replace(/\/+$/, '');
  if (env.GHE_HOST?.trim()) return `${env.GHE_PROTOCOL?.trim() || 'https'}://${env.GHE_HOST.trim()}/api/v3`;
  return 'https://api.github.com';
}

/** `REDIS_URL`, checked for a scheme ioredis understands (the value may hold a password: never echoed). */
function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.REDIS_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OptionsError('REDIS_URL must be a URL such as redis://host:6379/0 or rediss://user:password@host:6380');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new OptionsError(`REDIS_URL must start with redis:// or rediss://, got "${url.protocol}//…"`);
  return raw;
}

/** `WEBHOOK_PROXY_URL`: an http(s) URL of a proxy channel (smee.io or a self-hosted smee server). */
function proxyUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.WEBHOOK_PROXY_URL?.trim();
  if (!raw) return undefined;
  if (!/^https?:\/\/[^/\s]+/.test(raw))
    throw new OptionsError(`WEBHOOK_PROXY_URL must be an http(s) URL such as https://smee.io/<channel>, got "${raw}"`);
  return raw;
}

/**
 * Reads and validates the environment that `npm start` runs with. Throws OptionsError naming the variable.
 * `role` comes from the command line (`npm run start:web` passes `web`) and wins over `READINESS_ROLE`.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd(), roleArg?: string): AppOptions {
  const defaults = defaultOptions();
  const problems: string[] = [];
  /** Runs one read; an OptionsError is collected and `fallback` stands in, so every problem is found. */
  const read = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof OptionsError)) throw error;
      problems.push(...error.problems);
      return fallback;
    }
  };
  const appId = read(() => {
    const id = Number(env.APP_ID);
    if (!env.APP_ID || !Number.isInteger(id) || id < 1)
      throw new OptionsError(`APP_ID must be the GitHub App's numeric id, got "${env.APP_ID ?? ''}"`);
    return id;
  }, 0);
  const role = read((): AppRole => {
    const rawRole = (roleArg ?? env.READINESS_ROLE ?? '').trim().toLowerCase() || 'all';
    if (!(APP_ROLES as readonly string[]).includes(rawRole)) {
      throw new OptionsError(
        `${roleArg !== undefined ? 'the role argument' : 'READINESS_ROLE'} must be one of ${APP_ROLES.join(', ')}, got "${roleArg ?? env.READINESS_ROLE}"`,
      );
    }
    return rawRole as AppRole;
  }, 'all');
  const redis = read(() => redisUrl(env), undefined);
  if (role !== 'all' && !redis && !problems.some((p) => p.startsWith('REDIS_URL'))) {
    problems.push(
      `the ${role} role needs REDIS_URL: web and worker processes share their work through Redis (without it, run \`npm start\`, which does both in one process)`,
    );
  }
  const webhookSecret = env.WEBHOOK_SECRET ?? '';
  if (webhookSecret.length < 8 && role !== 'worker') {
    problems.push(
      'WEBHOOK_SECRET must be set to the webhook secret configured on the GitHub App (at least 8 characters); deliveries are verified with it',
    );
  }
  const privateKey = read(() => readPrivateKey(env, cwd), '');
  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || defaults.logLevel) as AppOptions['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const webhookPath = env.WEBHOOK_PATH?.trim() || defaults.webhookPath;
  if (!webhookPath.startsWith('/')) problems.push(`WEBHOOK_PATH must start with "/", got "${webhookPath}"`);
  const webhookProxyUrl = read(() => proxyUrl(env), undefined);
  const int = (name: string, fallback: number, min: number) => read(() => integer(env, name, fallback, min), fallback);
  const options: AppOptions = {
    ...defaults,
    appId,
    privateKey,
    webhookSecret,
    baseUrl: apiBaseUrl(env),
    port: int('PORT', defaults.port, 0),
    metricsPort: int('METRICS_PORT', defaults.metricsPort, 0),
    ...(env.HOST?.trim() ? { host: env.HOST.trim() } : {}),
    webhookPath,
    byteBudget: env.READINESS_BYTE_BUDGET?.trim()
      ? read(() => parseBytes(env.READINESS_BYTE_BUDGET!, 'READINESS_BYTE_BUDGET'), defaults.byteBudget)
      : defaults.byteBudget,
    concurrency: int('READINESS_CONCURRENCY', defaults.concurrency, 1),
    debounceMs: int('READINESS_DEBOUNCE_MS', defaults.debounceMs, 0),
    evaluationTimeoutMs: int('READINESS_EVALUATION_TIMEOUT_MS', defaults.evaluationTimeoutMs, 1000),
    drainDelayMs: int('READINESS_DRAIN_DELAY_MS', defaults.drainDelayMs, 0),
    shutdownGraceMs: int('READINESS_SHUTDOWN_GRACE_MS', defaults.shutdownGraceMs, 0),
    logLevel,
    github: {
      ...defaults.github,
      retries: int('READINESS_GITHUB_RETRIES', defaults.github.retries, 0),
      retryBaseMs: int('READINESS_GITHUB_RETRY_BASE_MS', defaults.github.retryBaseMs, 0),
      writeIntervalMs: int('READINESS_GITHUB_WRITE_INTERVAL_MS', defaults.github.writeIntervalMs, 0),
    },
    role,
    ...(redis ? { redisUrl: redis } : {}),
    ...(webhookProxyUrl ? { webhookProxyUrl } : {}),
    queue: {
      prefix: env.READINESS_REDIS_PREFIX?.trim() || defaults.queue.prefix,
      attempts: int('READINESS_JOB_ATTEMPTS', defaults.queue.attempts, 1),
      backoffMs: int('READINESS_JOB_BACKOFF_MS', defaults.queue.backoffMs, 0),
      lockMs: int('READINESS_JOB_LOCK_MS', defaults.queue.lockMs, 1000),
      stalledIntervalMs: int('READINESS_STALLED_INTERVAL_MS', defaults.queue.stalledIntervalMs, 100),
      maxStalledCount: int('READINESS_MAX_STALLED', defaults.queue.maxStalledCount, 0),
      sweepIntervalMs: int('READINESS_SWEEP_INTERVAL_MS', defaults.queue.sweepIntervalMs, 100),
    },
  };
  if (problems.length) throw new OptionsError(problems);
  return options;
}
