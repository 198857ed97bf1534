/**
 * The Octokit class Probot builds per installation. Probot's defaults retry secondary rate limits
 * forever and its env-derived throttle options do not retry them at all; an app that must answer every
 * PR wants neither, so this class bounds both (like the port's `createOctokit` for the Action) and
 * paces writes per installation as GitHub asks.
 */
import Bottleneck from 'bottleneck/light.js';
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

/**
 * A ProbotOctokit subclass whose retry and throttle settings win over Probot's own: bounded 5xx retries
 * (plugin-retry), bounded secondary- and primary-rate-limit retries that honour `retry-after` up to a
 * ceiling (plugin-throttling), and write spacing per installation.
 */
export function appOctokitClass(github: GitHubClientOptions, log: Logger): typeof ProbotOctokit {
  const groupOptions = { maxConcurrent: 1, timeout: 120_000 };
  const write = new Bottleneck.Group({ id: 'readiness-app-write', minTime: github.writeIntervalMs, ...groupOptions });
  const notifications = new Bottleneck.Group({ id: 'readiness-app-notify', minTime: github.writeIntervalMs * 3, ...groupOptions });
  const bounded = (kind: 'secondary' | 'primary', max: number) => (retryAfter: number, request: ThrottledRequest, _octokit: unknown, retryCount: number) => {
    const again = retryCount < max && retryAfter <= github.maxRetryAfterSeconds;
    log.warn({ method: request.method, url: request.url, retryAfter, retry: retryCount + 1, giveUp: !again }, `GitHub ${kind} rate limit: ${again ? `retrying in ${retryAfter} s` : 'giving up'}`);
    return again;
  };
  return ProbotOctokit.defaults((instance: OctokitOptions) => ({
    ...instance,
    retry: { ...(instance['retry'] as object | undefined), retries: github.retries, retryAfterBaseValue: github.retryBaseMs },
    throttle: {
      ...(instance['throttle'] as object | undefined),
      enabled: true,
      retryAfterBaseValue: github.retryAfterUnitMs,
      fallbackSecondaryRateRetryAfter: Math.min(60, github.maxRetryAfterSeconds),
      write,
      notifications,
      onSecondaryRateLimit: bounded('secondary', github.maxSecondaryRetries),
      onRateLimit: bounded('primary', 1),
    },
  })) as typeof ProbotOctokit;
}
