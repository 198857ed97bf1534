/**
 * The Octokit the port needs, and the one the Action builds. The port only calls
 * `octokit.request(route, params)`, so it works with this instance, with `@actions/github`'s
 * `getOctokit()` and with the per-installation Octokit that Probot hands an app.
 */
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { toGitHubFailure } from './errors.js';

/** What an Octokit response looks like to the port. */
export interface OctokitResponseLike {
  status: number;
  data: unknown;
  headers: Record<string, string | number | undefined>;
}

/**
 * The narrow slice of Octokit the port uses. Any Octokit (core, `@actions/github`'s `getOctokit()`,
 * Probot's per-installation instance) fits; tests assign all three.
 */
export interface OctokitLike {
  request(route: string, params?: Record<string, unknown>): Promise<OctokitResponseLike>;
}

/** Logger for retry/rate-limit notices (the Action passes `@actions/core`'s, the app its pino). */
export interface OctokitLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of `createOctokit`. */
export interface CreateOctokitOptions {
  token: string;
  /** API root, e.g. `process.env.GITHUB_API_URL` (default `https://api.github.com`). */
  baseUrl?: string;
  userAgent?: string;
  /**
   * Retries of server errors (5xx) and other transient answers, by `@octokit/plugin-retry`
   * (default 3; it never retries 400/401/403/404/410/422/451). Delays grow quadratically from
   * `retryBaseMs` (default 1000 ms: 1 s, 4 s, 9 s).
   */
  retries?: number;
  retryBaseMs?: number;
  /** Rate-limit handling by `@octokit/plugin-throttling`. */
  throttle?: ThrottleOptions;
  /** Where retry and rate-limit notices go (default: warnings to stderr, nothing else). */
  log?: OctokitLog;
}

/** Bounds of the rate-limit handling. */
export interface ThrottleOptions {
  /** Default true. Disabling also disables the spacing of writes. */
  enabled?: boolean;
  /** How many times one request is retried after a secondary rate limit (default 2). */
  maxSecondaryRetries?: number;
  /** How many times one request is retried after exhausting the primary rate limit (default 1). */
  maxPrimaryRetries?: number;
  /**
   * Longest wait accepted, in seconds (default 60). A limit that asks for longer fails fast with a
   * `rate-limited` GitHubFailure instead of stalling a workflow or a webhook handler.
   */
  maxRetryAfterSeconds?: number;
  /**
   * Milliseconds per second of `retry-after` (default 1000). Tests shrink it to keep retries fast
   * while still exercising the path; production leaves it alone.
   */
  retryAfterUnitMs?: number;
  /**
   * Minimum spacing of content-creating requests in ms (default 1000, GitHub's guidance against
   * secondary limits; writes that notify people are spaced three times as far). Tests use 0.
   */
  writeIntervalMs?: number;
}

/** One set of write limiters per spacing, shared by every Octokit of the process: limits are per token, not per instance. */
const writeGroups = new Map<number, { write: Bottleneck.Group; notifications: Bottleneck.Group }>();

function groupsFor(intervalMs: number) {
  let groups = writeGroups.get(intervalMs);
  if (!groups) {
    groups = {
      write: new Bottleneck.Group({
        id: `readiness-write-${intervalMs}`,
        maxConcurrent: 1,
        minTime: intervalMs,
        timeout: 120_000,
      }),
      notifications: new Bottleneck.Group({
        id: `readiness-notify-${intervalMs}`,
        maxConcurrent: 1,
        minTime: intervalMs * 3,
        timeout: 120_000,
      }),
    };
    writeGroups.set(intervalMs, groups);
  }
  return groups;
}

const RetryingOctokit = Octokit.plugin(throttling, retry);

/** The Octokit `createOctokit` returns: core + throttling + retry. */
export type ReadinessOctokit = InstanceType<typeof RetryingOctokit>;

const defaultLog: OctokitLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

/**
 * An Octokit for the Action: token auth, bounded retries of 5xx (plugin-retry) and of primary and
 * secondary rate limits honouring `retry-after` (plugin-throttling), writes spaced per GitHub's
 * guidance. Probot builds its own Octokit with the same two plugins.
 */
export function createOctokit(options: CreateOctokitOptions): ReadinessOctokit {
  const log = options.log ?? defaultLog;
  const t = options.throttle ?? {};
  const maxSecondary = t.maxSecondaryRetries ?? 2;
  const maxPrimary = t.maxPrimaryRetries ?? 1;
  const maxWait = t.maxRetryAfterSeconds ?? 60;
  const groups = groupsFor(t.writeIntervalMs ?? 1000);
  return new RetryingOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'readiness-gates',
    log,
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    throttle:
      t.enabled === false
        ? { enabled: false }
        : {
            enabled: true,
            retryAfterBaseValue: t.retryAfterUnitMs ?? 1000,
            fallbackSecondaryRateRetryAfter: Math.min(60, maxWait),
            write: groups.write,
            notifications: groups.notifications,
            onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
              const again = retryCount < maxSecondary && retryAfter <= maxWait;
              log.warn(
                `GitHub secondary rate limit on ${request.method} ${request.url}: ${again ? `retrying in ${retryAfter} s` : 'giving up'} (retry ${retryCount + 1} of ${maxSecondary}).`,
              );
              return again;
            },
            onRateLimit: (retryAfter, request, _octokit, retryCount) => {
              const again = retryCount < maxPrimary && retryAfter <= maxWait;
              log.warn(
                `GitHub rate limit exhausted on ${request.method} ${request.url}: ${again ? `retrying in ${retryAfter} s` : 'giving up'}.`,
              );
              return again;
            },
          },
  });
}

/**
 * Sends one request and turns any failure into a `GitHubFailure` naming the route and the purpose.
 * Every port function goes through here, so callers only ever see `GitHubFailure`.
 */
export async function call<T>(
  octokit: OctokitLike,
  route: string,
  params: Record<string, unknown>,
  purpose: string,
): Promise<{ data: T; status: number; headers: OctokitResponseLike['headers'] }> {
  try {
    const response = await octokit.request(route, params);
    return { data: response.data as T, status: response.status, headers: response.headers };
  } catch (error) {
    throw toGitHubFailure(error, route, purpose);
  }
}
