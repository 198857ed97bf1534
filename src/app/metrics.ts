/**
 * The app's own Prometheus metrics, served at `/metrics`. Each app instance has its own registry (tests
 * run several apps in one process, and a library must not write to prom-client's global registry). Label
 * values come from small fixed sets — never a repository, PR number, user or sha, which would grow the
 * series without bound.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How an evaluation ended. */
export type EvaluationOutcome = 'ready' | 'blocked' | 'error' | 'superseded' | 'skipped';

/** The metrics and the registry they live in. */
export interface AppMetrics {
  registry: Registry;
  /** Webhook deliveries accepted, by event name (`pull_request`, `issue_comment`…). */
  webhooks: Counter<'event'>;
  /** Evaluations finished, by outcome. */
  evaluations: Counter<'outcome'>;
  /** Wall time of evaluations, from start to published result. */
  evaluationDuration: Histogram<'outcome'>;
  /** Time from a webhook's arrival to its answer. */
  acknowledgementDuration: Histogram<'event'>;
  /** GitHub API requests made, by method and status class (`2xx`, `4xx`, `5xx`, `network`). */
  githubRequests: Counter<'method' | 'status'>;
  /** Errors by kind (`config`, `github`, `engine`, `timeout`, `publish`). */
  errors: Counter<'kind'>;
  /** Queue jobs retried after a transient failure (Redis-backed queue). */
  jobRetries: Counter;
  /** Queue jobs given up on after their retries (Redis-backed queue): their PRs got a failing check. */
  deadLetters: Counter;
}

/** Status classes that label API calls. */
export function statusClass(status: number | undefined): string {
  if (status === undefined || status <= 0) return 'network';
  return `${Math.floor(status / 100)}xx`;
}

/**
 * Creates the registry and every metric once per app instance (at start-up, never per request).
 * `queueDepth` is read when Prometheus scrapes, so the gauge is always current.
 */
export function createMetrics(
  queueDepth: () => number | Promise<number>,
  deadLetterDepth?: () => Promise<number>,
): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'readiness_app_' });
  const evaluations = new Counter({
    name: 'readiness_app_evaluations_total',
    help: 'Pull request evaluations finished, by outcome (ready, blocked, error, superseded, skipped).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const evaluationDuration = new Histogram({
    name: 'readiness_app_evaluation_duration_seconds',
    help: 'Time from the start of an evaluation to its published result.',
    labelNames: ['outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const acknowledgementDuration = new Histogram({
    name: 'readiness_app_webhook_acknowledgement_duration_seconds',
    help: 'Time from a webhook delivery arriving to the app answering it (GitHub gives up after 10 s).',
    labelNames: ['event'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'readiness_app_queue_depth',
    help: 'Evaluations waiting or running.',
    registers: [registry],
    async collect() {
      this.set(await queueDepth());
    },
  });
  if (deadLetterDepth) {
    new Gauge({
      name: 'readiness_app_dead_letter_jobs',
      help: 'Evaluation jobs in the dead-letter state (the shared queue’s failed set, kept a week).',
      registers: [registry],
      async collect() {
        this.set(await deadLetterDepth());
      },
    });
  }
  const jobRetries = new Counter({
    name: 'readiness_app_job_retries_total',
    help: 'Evaluation jobs retried with backoff after a transient GitHub failure (Redis-backed queue).',
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'readiness_app_dead_letters_total',
    help: 'Evaluation jobs given up on after their retries; each one left a failing check on its pull request.',
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'readiness_app_webhooks_total',
    help: 'Verified webhook deliveries, by event.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const githubRequests = new Counter({
    name: 'readiness_app_github_requests_total',
    help: 'GitHub API requests, by method and status class; retries count as requests.',
    labelNames: ['method', 'status'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'readiness_app_errors_total',
    help: 'Evaluations or publications that failed, by kind (config, github, engine, timeout, publish).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  return {
    registry,
    webhooks,
    evaluations,
    evaluationDuration,
    acknowledgementDuration,
    githubRequests,
    errors,
    jobRetries,
    deadLetters,
  };
}
