/**
 * End-to-end harness for the Probot app: a fake GitHub (OpenAPI-validated, stateful, fault-injecting)
 * with the app registered and installed, the real app listening on loopback with a freshly generated
 * private key, and signed webhook deliveries built from @octokit/webhooks-examples payloads.
 */
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import { defaultOptions, type AppOptions } from '../../src/app/options.js';
import { startApp, type RunningApp } from '../../src/app/server.js';
import { startFakeGitHub, type FakeGitHub, type SeedRepo } from '../support/fake-github/index.js';

export const OWNER = 'acme';
export const REPO = 'shop';
export const APP_ID = 4242;
export const APP_SLUG = 'readiness-gates';
export const INSTALLATION_ID = 77;
export const SECRET = 'webhook-secret-for-tests';
export const CHECK_NAME = 'Readiness Gates';

/** Commits of the seeded repository: a base, a push that logs a password, a push that fixes it. */
export const BASE = 'ba5e'.repeat(10);
export const BAD = 'bad0'.repeat(10);
export const FIXED = 'f1e5'.repeat(10);

const LOGGER = "import pino from 'pino';\n\nexport const logger = pino();\n";
const PACKAGE = JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { pino: '^9.0.0' } }, null, 2) + '\n';

/** `src/auth.ts` at the base: logs nothing sensitive. */
export const AUTH_BASE =
  "import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username } = req.body;\n  logger.info({ username }, 'login attempt');\n}\n";
/** The bad push: a password reaches a log line (pii/sensitive-field-logged, a blocker). */
export const AUTH_BAD =
  "import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username, password } = req.body;\n  logger.info(`login attempt for ${username} with ${password}`);\n}\n";
/** The fix: only whether a password was given. */
export const AUTH_FIXED =
  "import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username, password } = req.body;\n  logger.info({ username, hasPassword: Boolean(password) }, 'login attempt');\n}\n";

/** The files of the base commit (extra files can be merged in). */
export function baseFiles(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'package.json': PACKAGE,
    'src/logger.ts': LOGGER,
    'src/auth.ts': AUTH_BASE,
    'README.md': '# shop\n',
    ...extra,
  };
}

/** The standard repository: PR #7 by alice (write) from `feature`, head BAD, with maria (maintain), rita (read). */
export function standardRepo(overrides: Partial<SeedRepo> = {}): SeedRepo {
  return {
    owner: OWNER,
    repo: REPO,
    commits: {
      [BASE]: baseFiles(),
      [BAD]: baseFiles({ 'src/auth.ts': AUTH_BAD }),
      [FIXED]: baseFiles({ 'src/auth.ts': AUTH_FIXED }),
    },
    parents: { [BAD]: [BASE], [FIXED]: [BAD] },
    branches: { main: BASE },
    pulls: [
      {
        number: 7,
        user: 'alice',
        head: { sha: BAD, ref: 'feature' },
        base: { sha: BASE, ref: 'main' },
        title: 'Log in with a password',
      },
    ],
    permissions: { alice: 'write', maria: 'maintain', rita: 'read' },
    ...overrides,
  };
}

let cachedKey: string | undefined;
/** A real RSA key, generated once per test file: Probot signs its app JWTs with it. */
export function testPrivateKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return cachedKey;
}

/** Options for a test app pointed at the fake: fast retries, no write spacing, no debounce. */
export function testOptions(fake: FakeGitHub, overrides: Partial<AppOptions> = {}): AppOptions {
  const defaults = defaultOptions();
  return {
    ...defaults,
    appId: APP_ID,
    privateKey: testPrivateKey(),
    webhookSecret: SECRET,
    baseUrl: fake.url,
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    debounceMs: 0,
    evaluationTimeoutMs: 60_000,
    drainDelayMs: 0,
    shutdownGraceMs: 10_000,
    logLevel: 'debug',
    ...overrides,
    // Retries stay real but fast: 5 ms retry base, `retry-after: 1` waits 10 ms.
    github: { ...defaults.github, retryBaseMs: 5, retryAfterUnitMs: 10, writeIntervalMs: 0, ...overrides.github },
  };
}

/** A running fake + app, with captured log lines. */
export interface Harness {
  fake: FakeGitHub;
  app: RunningApp;
  options: AppOptions;
  /** Every JSON log line the app wrote. */
  logs: string[];
  deliver(event: string, payload: unknown, options?: { secret?: string; signature?: string }): Promise<Delivery>;
  close(): Promise<void>;
}

/** What a delivery got back. */
export interface Delivery {
  status: number;
  body: string;
  /** Milliseconds from sending to the full answer. */
  ms: number;
}

/** Starts the fake (seeded) and the app. */
export async function startHarness(options: { repo?: SeedRepo; app?: Partial<AppOptions> } = {}): Promise<Harness> {
  const fake = await startFakeGitHub();
  fake.addApp({
    id: APP_ID,
    slug: APP_SLUG,
    name: 'Readiness Gates',
    installations: [{ id: INSTALLATION_ID, account: OWNER }],
  });
  fake.seedRepo(options.repo ?? standardRepo());
  const logs: string[] = [];
  const appOptions = testOptions(fake, options.app);
  const app = await startApp(appOptions, { logDestination: { write: (line: string) => void logs.push(line) } });
  return {
    fake,
    app,
    options: appOptions,
    logs,
    deliver: (event, payload, o = {}) =>
      deliver(app.url + appOptions.webhookPath, event, payload, o.secret ?? SECRET, o.signature),
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

/** Sends one webhook delivery the way GitHub does: JSON body, event and delivery headers, HMAC-SHA256 signature. */
export async function deliver(
  url: string,
  event: string,
  payload: unknown,
  secret: string,
  signature?: string,
  id: string = randomUUID(),
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/test',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-installation-target-type': 'integration',
      'x-github-hook-installation-target-id': String(APP_ID),
      'x-hub-signature-256': signature ?? `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------------------
// Payloads: real examples from @octokit/webhooks-examples, adjusted to the seeded repository.
// ---------------------------------------------------------------------------------------------------------

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, any>>;
}
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleGroup[];

/** A deep copy of the first real example of `event` with `action` (or the first example at all). */
export function example(event: string, action?: string): Record<string, any> {
  const group = examples.find((g) => g.name === event);
  if (!group) throw new Error(`no example payloads for ${event}`);
  const found = (action && group.examples.find((e) => e.action === action)) || group.examples[0];
  return structuredClone(found!);
}

function user(login: string, type: 'User' | 'Bot' = 'User'): Record<string, any> {
  return {
    login,
    id: 1000 + login.length,
    node_id: `U_${login}`,
    type,
    site_admin: false,
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
  };
}

function adjustRepo(payload: Record<string, any>): void {
  const repo = payload['repository'];
  Object.assign(repo, {
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    html_url: `https://github.com/${OWNER}/${REPO}`,
    url: `https://api.github.com/repos/${OWNER}/${REPO}`,
    default_branch: 'main',
  });
  Object.assign(repo.owner, { login: OWNER, type: 'Organization' });
  payload['installation'] = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=' };
}

/** A `pull_request` delivery for PR `number` at `head`. */
export function pullRequestEvent(
  action: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review' | 'edited',
  options: { number?: number; head: string; base?: string; author?: string; changes?: Record<string, unknown> },
): Record<string, any> {
  const payload = example('pull_request', action === 'edited' ? 'opened' : action);
  payload['action'] = action;
  const number = options.number ?? 7;
  payload['number'] = number;
  adjustRepo(payload);
  const pr = payload['pull_request'];
  Object.assign(pr, {
    number,
    state: 'open',
    draft: false,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}`,
    user: user(options.author ?? 'alice'),
  });
  Object.assign(pr.head, { sha: options.head, ref: 'feature', label: `${OWNER}:feature`, repo: payload['repository'] });
  Object.assign(pr.base, {
    sha: options.base ?? BASE,
    ref: 'main',
    label: `${OWNER}:main`,
    repo: payload['repository'],
  });
  if (action === 'synchronize') payload['after'] = options.head;
  if (action === 'edited') payload['changes'] = options.changes ?? { title: { from: 'Old title' } };
  payload['sender'] = user(options.author ?? 'alice');
  return payload;
}

/** An `issue_comment` delivery for a comment that exists in the fake (its id and body). */
export function issueCommentEvent(
  action: 'created' | 'edited',
  comment: { id: number; body: string; login: string; type?: 'User' | 'Bot'; previousBody?: string; sender?: string },
  options: { number?: number; onIssue?: boolean } = {},
): Record<string, any> {
  const payload = example('issue_comment', action);
  payload['action'] = action;
  adjustRepo(payload);
  const number = options.number ?? 7;
  Object.assign(payload['issue'], {
    number,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
    state: 'open',
  });
  if (options.onIssue) delete payload['issue'].pull_request;
  else
    payload['issue'].pull_request = {
      url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
      diff_url: null,
      patch_url: null,
      merged_at: null,
    };
  Object.assign(payload['comment'], { id: comment.id, body: comment.body, user: user(comment.login, comment.type) });
  if (action === 'edited') payload['changes'] = { body: { from: comment.previousBody ?? '' } };
  // Who made the change: the author, unless someone else edited the comment.
  payload['sender'] = comment.sender ? user(comment.sender) : user(comment.login, comment.type);
  return payload;
}

/** A `check_run.rerequested` delivery for our check run on `head` of PR `number`. */
export function checkRunRerequestedEvent(head: string, number = 7): Record<string, any> {
  const payload = example('check_run', 'rerequested');
  adjustRepo(payload);
  const run = payload['check_run'];
  Object.assign(run, { name: CHECK_NAME, head_sha: head });
  run.app = { ...run.app, id: APP_ID, slug: APP_SLUG };
  run.pull_requests = [
    {
      url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}`,
      id: 1,
      number,
      head: { ref: 'feature', sha: head, repo: { id: 1, url: '', name: REPO } },
      base: { ref: 'main', sha: BASE, repo: { id: 1, url: '', name: REPO } },
    },
  ];
  return payload;
}

/** A `check_suite.rerequested` delivery for the suite of `head`, listing PR `number`. */
export function checkSuiteRerequestedEvent(head: string, number = 7): Record<string, any> {
  const payload = example('check_suite', 'rerequested');
  adjustRepo(payload);
  const suite = payload['check_suite'];
  suite.head_sha = head;
  suite.pull_requests = [
    {
      url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}`,
      id: 1,
      number,
      head: { ref: 'feature', sha: head, repo: { id: 1, url: '', name: REPO } },
      base: { ref: 'main', sha: BASE, repo: { id: 1, url: '', name: REPO } },
    },
  ];
  return payload;
}

/** An `installation.created` delivery for the test installation. */
export function installationEvent(): Record<string, any> {
  const payload = example('installation', 'created');
  Object.assign(payload['installation'], { id: INSTALLATION_ID, app_id: APP_ID });
  Object.assign(payload['installation'].account, { login: OWNER });
  return payload;
}

/** A `merge_group.checks_requested` delivery. */
export function mergeGroupEvent(head: string, base: string, prNumber = 7): Record<string, any> {
  const payload = example('merge_group', 'checks_requested');
  adjustRepo(payload);
  Object.assign(payload['merge_group'], {
    head_sha: head,
    base_sha: base,
    base_ref: 'refs/heads/main',
    head_ref: `refs/heads/gh-readonly-queue/main/pr-${prNumber}-${head}`,
  });
  return payload;
}

// ---------------------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------------------

/** Our check runs on a head, oldest first. */
export function runsOn(h: Harness, head: string) {
  return h.fake.checkRuns(OWNER, REPO, head).filter((r) => r.name === CHECK_NAME);
}

/** The newest of our check runs on a head (what GitHub shows and a required check reads). */
export function latestRun(h: Harness, head: string) {
  const runs = runsOn(h, head);
  return runs[runs.length - 1];
}

/** Our scorecard comments on PR `number`. */
export function scorecards(h: Harness, number = 7) {
  return h.fake
    .comments(OWNER, REPO, number)
    .filter((c) => c.user.login === `${APP_SLUG}[bot]` && c.body.includes('<!-- readiness-gates:scorecard -->'));
}

/** Replies (non-scorecard comments) by the app on PR `number`. */
export function replies(h: Harness, number = 7) {
  return h.fake
    .comments(OWNER, REPO, number)
    .filter((c) => c.user.login === `${APP_SLUG}[bot]` && !c.body.includes('<!-- readiness-gates:scorecard -->'));
}

/** The finding ids in a check run's annotations (`Finding id: …` in raw_details). */
export function findingIds(run: { annotations: Array<{ raw_details?: string }> } | undefined): string[] {
  return (run?.annotations ?? [])
    .map((a) => /Finding id: (\S+)/.exec(a.raw_details ?? '')?.[1])
    .filter((x): x is string => Boolean(x));
}

/** Adds a comment in the fake and delivers its `issue_comment.created` event; returns the comment. */
export async function comment(h: Harness, login: string, body: string, number = 7) {
  const c = h.fake.addComment(OWNER, REPO, number, body, login);
  const d = await h.deliver('issue_comment', issueCommentEvent('created', { id: c.id, body, login }, { number }));
  expect(d.status).toBe(200);
  return c;
}

/** Moves the PR's head (a push) in the fake's state, as GitHub does before it sends `synchronize`. */
export function push(h: Harness, head: string, number = 7): void {
  const pull = h.fake.repoState(OWNER, REPO).pulls.get(number)!;
  pull.head.sha = head;
  h.fake.repoState(OWNER, REPO).branches.set(pull.head.ref, head);
}

/** Every request was one GitHub would accept, and every injected fault was used. */
export function expectCleanFake(h: Harness): void {
  h.fake.assertNoUnexpected();
  expect(h.fake.pendingFaults()).toEqual([]);
}

/** `YYYY-MM-DD` `days` after `from` (UTC). */
export function day(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------
// Redis-backed replicas
// ---------------------------------------------------------------------------------------------------------

/** Web and worker replicas of the Redis-backed app sharing one Redis and one fake GitHub. */
export interface Cluster {
  fake: FakeGitHub;
  webs: RunningApp[];
  workers: RunningApp[];
  logs: string[];
  /** The replicas' Redis key prefix. */
  prefix: string;
  /** Delivers to web replica `to` (default: round robin). */
  deliver(event: string, payload: unknown, options?: { to?: number; id?: string }): Promise<Delivery>;
  /** Starts one more worker replica. */
  addWorker(): Promise<RunningApp>;
  /** Sum of a metric's values over every replica (stopped ones included). */
  metric(name: string): Promise<number>;
  /** Waits until the shared queue is empty and every replica's background work settled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts `webs` web and `workers` worker replicas against a fresh fake and the given Redis. */
export async function startCluster(options: {
  redisUrl: string;
  webs?: number;
  workers?: number;
  repo?: SeedRepo;
  app?: Partial<AppOptions>;
}): Promise<Cluster> {
  const fake = await startFakeGitHub();
  fake.addApp({
    id: APP_ID,
    slug: APP_SLUG,
    name: 'Readiness Gates',
    installations: [{ id: INSTALLATION_ID, account: OWNER }],
  });
  fake.seedRepo(options.repo ?? standardRepo());
  const logs: string[] = [];
  // Each cluster gets its own key prefix, so clusters of several tests never see each other's jobs.
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const start = (role: 'web' | 'worker') => {
    const base = testOptions(fake, options.app);
    return startApp(
      {
        ...base,
        role,
        redisUrl: options.redisUrl,
        queue: {
          ...defaultOptions().queue,
          prefix,
          lockMs: 2000,
          stalledIntervalMs: 500,
          sweepIntervalMs: 1000,
          backoffMs: 50,
          ...options.app?.queue,
        },
      },
      { logDestination: { write: (line: string) => void logs.push(line) } },
    );
  };
  const webs = await Promise.all(Array.from({ length: options.webs ?? 2 }, () => start('web')));
  const workers = await Promise.all(Array.from({ length: options.workers ?? 2 }, () => start('worker')));
  let next = 0;
  const all = [...webs, ...workers];
  return {
    fake,
    webs,
    workers,
    logs,
    prefix,
    async addWorker() {
      const app = await start('worker');
      workers.push(app);
      all.push(app);
      return app;
    },
    async metric(name) {
      let sum = 0;
      for (const app of all) {
        const metric = app.metrics.registry.getSingleMetric(name);
        if (metric) for (const v of (await metric.get()).values) sum += v.value;
      }
      return sum;
    },
    deliver(event, payload, o = {}) {
      const web = webs[o.to ?? next++ % webs.length]!;
      return deliver(web.url + '/api/github/webhooks', event, payload, SECRET, undefined, o.id);
    },
    async idle() {
      for (let settled = 0; settled < 2;) {
        const before = fake.requests.length;
        for (const app of all) await app.idle();
        await new Promise((r) => setTimeout(r, 100));
        settled = fake.requests.length === before ? settled + 1 : 0;
      }
    },
    async close() {
      await Promise.all(all.map((app) => app.close()));
      await fake.close();
    },
  };
}
