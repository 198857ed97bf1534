/**
 * Fault injection for the fake GitHub: server errors, secondary and primary rate limits, slow answers,
 * either for the next N matching requests or at a seeded random rate for load tests.
 */
import picomatch from 'picomatch';

/** What to inject and where. */
export interface FaultSpec {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Concrete request path to match: a glob (`/repos/acme/widgets/check-runs/**`) or a RegExp. */
  path?: string | RegExp;
  /** OpenAPI operationId to match (`checks/create`). */
  operationId?: string;
  /**
   * Status to answer with. 403/429 answer like GitHub's secondary rate limit (or its primary one with
   * `kind: 'primary'`). Omit to only delay the real answer (`delayMs`).
   */
  status?: 500 | 502 | 503 | 403 | 429 | 401 | 404 | 422;
  /** For 403/429: which rate limit to imitate (default `secondary`). */
  kind?: 'secondary' | 'primary';
  /** How many matching requests to affect (default 1; unlimited in rate mode). */
  times?: number;
  /** Seconds, sent as `retry-after` (secondary) or used for `x-ratelimit-reset` (primary). */
  retryAfter?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Probability mode: affect each matching request with this probability (seeded RNG). */
  rate?: number;
}

/** A fault the server decided to apply to one request. */
export interface FaultHit {
  status?: number;
  delayMs: number;
  headers: Record<string, string>;
  body?: unknown;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  matchPath?: (path: string) => boolean;
}

const DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';

/** The active faults of one fake server. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  /** Adds a fault; returns a function that removes it. */
  add(spec: FaultSpec): () => void {
    const fault: ActiveFault = {
      spec,
      remaining: spec.times ?? (spec.rate !== undefined ? Number.POSITIVE_INFINITY : 1),
      ...(spec.path === undefined
        ? {}
        : {
            matchPath:
              typeof spec.path === 'string'
                ? picomatch(spec.path, { dot: true })
                : (p: string) => (spec.path as RegExp).test(p),
          }),
    };
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = [];
  }

  /** Faults that have not been used up, for tests asserting that every injected fault was hit. */
  pending(): FaultSpec[] {
    return this.faults.filter((f) => f.remaining > 0 && f.spec.rate === undefined).map((f) => f.spec);
  }

  /** The first matching fault for this request, consuming one of its `times`; undefined for none. */
  take(method: string, path: string, operationId: string | undefined, requestId: string): FaultHit | undefined {
    for (const fault of this.faults) {
      const { spec } = fault;
      if (fault.remaining <= 0) continue;
      if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (spec.operationId && spec.operationId !== operationId) continue;
      if (fault.matchPath && !fault.matchPath(path)) continue;
      if (spec.rate !== undefined && this.random() >= spec.rate) continue;
      fault.remaining--;
      return render(spec, requestId);
    }
    return undefined;
  }
}

function render(spec: FaultSpec, requestId: string): FaultHit {
  const delayMs = spec.delayMs ?? 0;
  const status = spec.status;
  if (status === undefined) return { delayMs, headers: {} };
  if (status === 403 || status === 429) {
    if (spec.kind === 'primary') {
      const reset = Math.ceil(Date.now() / 1000) + (spec.retryAfter ?? 60);
      return {
        status,
        delayMs,
        headers: {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': String(reset),
        },
        body: {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: DOCS,
          status: String(status),
        },
      };
    }
    return {
      status,
      delayMs,
      headers: spec.retryAfter === undefined ? {} : { 'retry-after': String(spec.retryAfter) },
      body: {
        // GitHub's wording; octokit's throttling plugin recognises it by "secondary rate".
        message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
        documentation_url: `${DOCS}#about-secondary-rate-limits`,
        status: String(status),
      },
    };
  }
  const messages: Record<number, string> = {
    500: 'Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    401: 'Bad credentials',
    404: 'Not Found',
    422: 'Validation Failed',
  };
  return { status, delayMs, headers: {}, body: { message: messages[status] ?? 'Error', status: String(status) } };
}

/** Small seeded PRNG so probability-mode faults repeat exactly between runs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
