/**
 * The Octokit class Probot builds per installation. Probot's defaults retry secondary rate limits
 * forever and its env-derived throttle options do not retry them at all; an app that must answer every
 * PR wants neither, so this class bounds both (like the port's `createOctokit` for the Action) and
 * paces writes per installation as GitHub asks.
 */
import Bottleneck from 'bottleneck';
import BottleneckLight from 'bottleneck/light.js';
import { Redis } from 'ioredis';
import { ProbotOctokit } from 'probot';
import type { Logger } from 'pino';
import type { GitHubClientOptions } from './options.js';

type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;

interface ThrottledRequest {
  method: string;
  url: string;
}

/**
 * A `fetch` that reports every HTTP attempt (retries included) with its status, for the
 * `readiness_app_github_requests_total` metric. Token exchanges go through it too.
 */
export function countingFetch(onResponse: (method: string, status: number | undefined) => void): typeof fetch {
  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    try {
      const response = await fetch(input, init);
      onResponse(method, response.status);
      return response;
    } catch (error) {
      onResponse(method, undefined);
      throw error;
    }
  };
}

type ScriptCallback = (error: Error | null, replies: unknown) => void;

/**
 * Redis 7 prefixes the errors a Lua script raises with "ERR ", so Bottleneck no longer recognises its own
 * `SETTINGS_KEY_NOT_FOUND` and `UNKNOWN_CLIENT` — the signals to re-create a limiter's keys after Redis
 * lost them (restarted empty) — and every write through the shared limiters would fail until the
 * process restarts. This strips the prefix from those two errors only, so Bottleneck's own recovery runs.
 */
function recognizeLostKeys(connection: InstanceType<typeof Bottleneck.IORedisConnection>): void {
  const target = connection as unknown as {
    __scriptArgs__(name: string, id: string, args: unknown[], cb: ScriptCallback): unknown[];
  };
  const scriptArgs = target.__scriptArgs__.bind(target);
  target.__scriptArgs__ = (name, id, args, cb) =>
    scriptArgs(name, id, args, (error, replies) => {
      const known = error ? /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)\b/.exec(error.message) : null;
      if (error && known) error.message = known[1]!;
      cb(error, replies);
    });
}

/**
 * A ProbotOctokit subclass whose retry and throttle settings win over Probot's own: bounded 5xx retries
 * (plugin-retry), bounded secondary- and primary-rate-limit retries that honour `retry-after` up to a
 * ceiling (plugin-throttling), and write spacing per installation.
 *
 * With `shared` (the Redis-backed app) the write and notification spacing lives in Redis (Bottleneck's
 * clustering), so all replicas together keep one spacing per installation, as GitHub counts it. Those
 * shared limiters only space requests and never hold a slot while one runs: a replica killed mid-request
 * would otherwise keep its slots until they expire (the throttling plugin lets them live 60 s) and stall
 * every replica's requests for that installation. The concurrency limit stays per process for the same
 * reason. Probot's own Redis option is not used: it downloads ioredis with npx at run time.
 */
export function appOctokitClass(
  github: GitHubClientOptions,
  log: Logger,
  shared?: { redis: Redis; prefix: string },
): { Octokit: typeof ProbotOctokit; close(): Promise<void> } {
  const connection = shared
    ? new Bottleneck.IORedisConnection({ client: shared.redis.duplicate({ lazyConnect: false }), Redis })
    : undefined;
  connection?.on('error', (error: Error) => log.error({ err: error }, 'shared rate limiter: Redis error'));
  if (connection) recognizeLostKeys(connection);
  const local = { timeout: 120_000 };
  const spacing = shared
    ? { timeout: 120_000, connection: connection!, maxConcurrent: null }
    : { ...local, maxConcurrent: 1 };
  const Spacing = (shared ? Bottleneck : BottleneckLight) as typeof Bottleneck;
  const id = (name: string) => (shared ? `${shared.prefix}-${name}` : `readiness-app-${name}`);
  const write = new Spacing.Group({ id: id('write'), minTime: github.writeIntervalMs, ...spacing });
  const notifications = new Spacing.Group({ id: id('notify'), minTime: github.writeIntervalMs * 3, ...spacing });
  // Every group the plugin uses is ours: its own defaults are module-wide and would keep the first
  // app's settings for every later one. GitHub allows 100 concurrent requests; 10 per installation and
  // process leaves room for other clients.
  const global = new BottleneckLight.Group({ id: id('global'), ...local, maxConcurrent: 10 });
  const auth = new BottleneckLight.Group({ id: id('auth'), ...local, maxConcurrent: 1 });
  const search = new BottleneckLight.Group({ id: id('search'), ...local, maxConcurrent: 1, minTime: 2000 });
  const bounded =
    (kind: 'secondary' | 'primary', max: number) =>
    (retryAfter: number, request: ThrottledRequest, _octokit: unknown, retryCount: number) => {
      const again = retryCount < max && retryAfter <= github.maxRetryAfterSeconds;
      log.warn(
        { method: request.method, url: request.url, retryAfter, retry: retryCount + 1, giveUp: !again },
        `GitHub ${kind} rate limit: ${again ? `retrying in ${retryAfter} s` : 'giving up'}`,
      );
      return again;
    };
  const Octokit = ProbotOctokit.defaults((instance: OctokitOptions) => ({
    ...instance,
    retry: {
      ...(instance['retry'] as object | undefined),
      retries: github.retries,
      retryAfterBaseValue: github.retryBaseMs,
    },
    throttle: {
      ...(instance['throttle'] as object | undefined),
      enabled: true,
      retryAfterBaseValue: github.retryAfterUnitMs,
      fallbackSecondaryRateRetryAfter: Math.min(60, github.maxRetryAfterSeconds),
      global,
      auth,
      search,
      write,
      notifications,
      onSecondaryRateLimit: bounded('secondary', github.maxSecondaryRetries),
      onRateLimit: bounded('primary', 1),
    },
  })) as typeof ProbotOctokit;
  return {
    Octokit,
    async close() {
      await connection?.disconnect(false);
    },
  };
}
