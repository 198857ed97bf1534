/**
 * How GitHub failures reach the callers: one error type carrying the status, the operation, whether
 * the request was retried and a kind the shells can act on (a read-only fork token is not an outage).
 * The Action prints `describe()` in the job log; the app puts it in the check run.
 */

/** What went wrong, coarsely, so a caller can choose a message and a conclusion. */
export type GitHubFailureKind =
  /** 403 "Resource not accessible by integration": a read-only token (fork PR) or a missing permission. */
  | 'read-only-token'
  /** Primary or secondary rate limit that outlasted the bounded retries. */
  | 'rate-limited'
  /** 401: bad or expired credentials. */
  | 'unauthorized'
  /** 403 for another reason (e.g. "You must authenticate via a GitHub App"). */
  | 'forbidden'
  | 'not-found'
  /** 422: GitHub rejected the payload. */
  | 'validation'
  /** 5xx after the bounded retries. */
  | 'server'
  /** No HTTP answer at all (connection refused, timeout). */
  | 'network'
  | 'other';

/** Construction data of a `GitHubFailure`. */
export interface GitHubFailureInit {
  /** `METHOD /route/{template}` of the failing request. */
  operation: string;
  /** What the port was doing, in words ("updating the sticky comment"). */
  purpose: string;
  /** HTTP status; undefined when no answer arrived. */
  status: number | undefined;
  /** GitHub's `message`, or the transport error's message. */
  detail: string;
  /** How many times the request was retried before giving up (0 = sent once). */
  retries: number;
  kind: GitHubFailureKind;
  /** `x-github-request-id`, worth quoting to GitHub support. */
  requestId?: string;
  cause?: unknown;
}

/** A GitHub request that failed for good (after any retries). */
export class GitHubFailure extends Error {
  override readonly name = 'GitHubFailure';
  readonly operation: string;
  readonly purpose: string;
  readonly status: number | undefined;
  readonly detail: string;
  readonly retries: number;
  readonly kind: GitHubFailureKind;
  readonly requestId: string | undefined;

  constructor(init: GitHubFailureInit) {
    super(
      `GitHub ${init.status === undefined ? 'did not answer' : `answered ${init.status}`} while ${init.purpose} (${init.operation}): ${init.detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.operation = init.operation;
    this.purpose = init.purpose;
    this.status = init.status;
    this.detail = init.detail;
    this.retries = init.retries;
    this.kind = init.kind;
    this.requestId = init.requestId;
  }

  /** Whether the request was retried before this failure was final. */
  get retried(): boolean {
    return this.retries > 0;
  }

  /** A few lines for a job log or a check run: what failed, why, and what to do about it. */
  describe(): string {
    const lines = [this.message];
    if (this.retried) lines.push(`The request was retried ${this.retries} time(s) before giving up.`);
    const hint = HINTS[this.kind];
    if (hint) lines.push(hint);
    if (this.requestId) lines.push(`GitHub request id: ${this.requestId}`);
    return lines.join('\n');
  }
}

const HINTS: Partial<Record<GitHubFailureKind, string>> = {
  'read-only-token':
    'The token cannot write here. On pull requests from forks the GITHUB_TOKEN is read-only: use the Readiness Gates app, or a `pull_request_target` workflow that never checks out the fork’s code, to publish results. Otherwise grant the workflow or app the `checks: write` and `pull-requests: write` permissions.',
  'rate-limited': 'GitHub rate-limited these requests; re-run the check later (comment `/readiness recheck`).',
  unauthorized: 'The token was rejected: check that it is set and has not expired.',
  server: 'GitHub had a server error; re-run the check (comment `/readiness recheck`) or retry the workflow.',
  network: 'GitHub could not be reached; re-run the check when the network is back.',
};

/** Whether an error is GitHub refusing a write to a read-only token (typically a fork PR's GITHUB_TOKEN). */
export function isReadOnlyTokenError(error: unknown): boolean {
  if (error instanceof GitHubFailure) return error.kind === 'read-only-token';
  const e = error as { status?: unknown; response?: { data?: { message?: unknown } }; message?: unknown } | undefined;
  return (
    e?.status === 403 &&
    /Resource not accessible by integration/i.test(String(e.response?.data?.message ?? e.message ?? ''))
  );
}

/** Whether an error is a `GitHubFailure` (or an Octokit error) with this HTTP status. */
export function hasStatus(error: unknown, status: number): boolean {
  return (error as { status?: unknown } | undefined)?.status === status;
}

interface OctokitErrorShape {
  status?: number;
  message?: string;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
  request?: { request?: { retryCount?: number } };
}

/**
 * Wraps whatever `octokit.request` threw (an Octokit `RequestError`, a fetch failure) into a
 * `GitHubFailure`. The retry count comes from what plugin-retry and plugin-throttling record on the
 * request options (`request.retryCount`).
 */
export function toGitHubFailure(error: unknown, operation: string, purpose: string): GitHubFailure {
  if (error instanceof GitHubFailure) return error;
  const e = (error ?? {}) as OctokitErrorShape;
  // Octokit reports a transport failure (refused, reset, timed out) as status 500 with no response.
  const answered = e.response !== undefined;
  const status = answered && typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
  const data = e.response?.data as { message?: unknown; errors?: unknown } | string | undefined;
  let detail =
    typeof data === 'object' && data && typeof data.message === 'string' ? data.message : String(e.message ?? error);
  const cause = (error as { cause?: { message?: string; cause?: { code?: string } } } | undefined)?.cause;
  if (!answered && cause?.cause?.code) detail += ` (${cause.cause.code})`;
  if (typeof data === 'object' && data && Array.isArray(data.errors) && data.errors.length > 0) {
    detail += ` (${data.errors.map((x) => (typeof x === 'string' ? x : ((x as { message?: string }).message ?? JSON.stringify(x)))).join('; ')})`;
  }
  const headers = e.response?.headers ?? {};
  const requestId = headers['x-github-request-id'];
  return new GitHubFailure({
    operation,
    purpose,
    status,
    detail,
    retries: Number(e.request?.request?.retryCount ?? 0) || 0,
    kind: classify(status, detail, headers),
    ...(requestId === undefined ? {} : { requestId: String(requestId) }),
    cause: error,
  });
}

function classify(
  status: number | undefined,
  detail: string,
  headers: Record<string, string | number | undefined>,
): GitHubFailureKind {
  if (status === undefined) return 'network';
  if (
    status === 429 ||
    (status === 403 && (/rate limit/i.test(detail) || String(headers['x-ratelimit-remaining']) === '0'))
  )
    return 'rate-limited';
  if (status === 403 && /Resource not accessible by integration/i.test(detail)) return 'read-only-token';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 422) return 'validation';
  if (status >= 500) return 'server';
  return 'other';
}
