/**
 * The load and fault test of the Redis-backed app, as separate processes on loopback: a real
 * redis-server, the fake GitHub (its own process, seeded with many installations and pull requests,
 * answering a share of requests with 5xx and secondary rate limits), web and worker processes of the
 * app. Signed deliveries are sent over the test's duration, round robin over the web processes; midway
 * one worker is killed with SIGKILL and started again. Once everything settled, the figures are read
 * from the fake's final state, the processes' metrics and /proc.
 *
 * Used by `npm run bench:load` (bench/load/run.ts, full size, built app) and by test/app/load.test.ts
 * (small, app run from source).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServer } from '../../test/support/redis.js';
import { plan as planDeliveries, type PlanMix, type Planned } from './schedule.js';
import {
  APP_ID,
  APP_SLUG,
  CHECK_NAME,
  HEADS_PER_PR,
  REVIEWER,
  SCORECARD_MARKER,
  SECRET,
  buildWorld,
  commentPayload,
  deliveryHeaders,
  pullRequestPayload,
  type LoadPull,
} from './world.js';

/** The repository root: app and fake processes run from it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What to run and how hard. */
export interface LoadOptions {
  prs: number;
  deliveries: number;
  /** Deliveries are spread over this many milliseconds. */
  durationMs: number;
  webs: number;
  workers: number;
  /** SIGKILL the first worker midway and start it again `restartAfterMs` later. */
  killWorker: boolean;
  restartAfterMs?: number;
  /** How to start an app process; the role (`web`, `worker`) is appended. Runs from {@link ROOT}. */
  appCommand: string[];
  /** Inject GitHub faults: 5 % 5xx and 1 % secondary rate limits on every API request. */
  faults: boolean;
  /** Seed of the delivery plan and of the fake's fault RNG. */
  seed: number;
  /** Organisations (one repository and one installation each); default one per 20 PRs. */
  orgs?: number;
  /** Where process logs and the fake's seed file go. */
  workDir: string;
  /** App environment on top of the load test's defaults (see {@link appSettings}). */
  env?: Record<string, string>;
  /** How long to wait for the queue to drain after the last delivery (default 120 s). */
  settleTimeoutMs?: number;
  /** Progress lines. */
  onProgress?: (line: string) => void;
}

/** One process's figures. */
export interface ProcessFigures {
  name: string;
  role: 'web' | 'worker' | 'fake' | 'redis' | 'harness';
  pid: number;
  /** VmHWM just before it was stopped or killed. */
  peakRssMb: number;
  killed?: boolean;
  /** Evaluations it finished (workers), from its last metrics scrape. */
  evaluations?: number;
  /** Exit code or signal when it exited without being asked to. */
  crashed?: string;
}

/** Everything the test reports; the first fields are bench/results/load.json's contract. */
export interface LoadResult {
  deliveries: number;
  acknowledged: number;
  ackP50Ms: number;
  ackP95Ms: number;
  ackP99Ms: number;
  evaluations: number;
  prs: number;
  prsFinalOnNewestHead: number;
  duplicateComments: number;
  lostJobs: number;
  requestsPerEvaluation: number;
  ackMaxMs: number;
  evaluationsByOutcome: Record<string, number>;
  githubRequests: number;
  /** Injected fault answers by status (from the fake's records). */
  faultsInjected: Record<string, number>;
  jobRetries: number;
  deadLetters: number;
  /** Check runs of ours still in progress on any head at the end. */
  openRunsLeft: number;
  /** Which ones: PR, head (push index), run id, and whether the head was the PR's newest. */
  openRuns: string[];
  /** Requests the fake flagged as ones GitHub would reject. */
  unexpectedRequests: number;
  mix: PlanMix;
  processes: ProcessFigures[];
  settled: boolean;
  /** From the last delivery's answer until settled. */
  settleMs: number;
  elapsedMs: number;
  /** The app settings used (env). */
  settings: Record<string, string>;
  /** One line per PR that is lost, not on its newest head or has duplicate scorecards (first 50). */
  problems: string[];
}

/** The app environment of the load test; `GitHub` spaces writes 1000 ms per installation, the fake need not. */
export function appSettings(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    READINESS_DEBOUNCE_MS: '500',
    READINESS_CONCURRENCY: '4',
    READINESS_JOB_LOCK_MS: '5000',
    READINESS_STALLED_INTERVAL_MS: '1000',
    READINESS_SWEEP_INTERVAL_MS: '5000',
    READINESS_JOB_BACKOFF_MS: '500',
    READINESS_JOB_ATTEMPTS: '5',
    READINESS_GITHUB_WRITE_INTERVAL_MS: '30',
    READINESS_GITHUB_RETRY_BASE_MS: '100',
    READINESS_DRAIN_DELAY_MS: '0',
    READINESS_SHUTDOWN_GRACE_MS: '10000',
    ...overrides,
  };
}

const FAULTS = [
  { status: 500, rate: 0.02 },
  { status: 502, rate: 0.015 },
  { status: 503, rate: 0.015 },
  { status: 403, kind: 'secondary', rate: 0.01, retryAfter: 1 },
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** VmHWM (peak resident set) of a live process, in KiB; 0 when it is gone. */
function peakRssKb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** What the metrics endpoint of one app process said last. */
interface Scrape {
  evaluations: Record<string, number>;
  jobRetries: number;
  deadLetters: number;
}

function parseMetrics(text: string): Scrape {
  const scrape: Scrape = { evaluations: {}, jobRetries: 0, deadLetters: 0 };
  for (const line of text.split('\n')) {
    const evaluation = /^readiness_app_evaluations_total\{outcome="(\w+)"\} (\S+)$/.exec(line);
    if (evaluation) scrape.evaluations[evaluation[1]!] = Number(evaluation[2]);
    const retries = /^readiness_app_job_retries_total (\S+)$/.exec(line);
    if (retries) scrape.jobRetries = Number(retries[1]);
    const dead = /^readiness_app_dead_letters_total (\S+)$/.exec(line);
    if (dead) scrape.deadLetters = Number(dead[1]);
  }
  return scrape;
}

/** A process the harness started. */
interface Proc {
  name: string;
  role: ProcessFigures['role'];
  child: ChildProcess;
  url?: string;
  metricsUrl?: string;
  scrape?: Scrape;
  peakKb: number;
  killed: boolean;
  stopping: boolean;
  crashed?: string;
  exited: Promise<void>;
}

function track(name: string, role: ProcessFigures['role'], child: ChildProcess): Proc {
  const proc: Proc = {
    name,
    role,
    child,
    peakKb: 0,
    killed: false,
    stopping: false,
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  child.once('exit', (code, signal) => {
    if (!proc.killed && !proc.stopping) proc.crashed = signal ?? `exit ${code}`;
  });
  return proc;
}

async function stop(proc: Proc, timeoutMs = 20_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.peakKb = Math.max(proc.peakKb, peakRssKb(proc.child.pid));
  proc.stopping = true;
  proc.child.kill('SIGTERM');
  const done = await Promise.race([proc.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!done) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
}

/** GET/POST JSON against the fake's control API. */
async function control<T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fake GitHub ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface FakeRepoState {
  comments: Array<{ id: number; issueNumber: number; body: string; login: string }>;
  checkRuns: Array<{
    id: number;
    headSha: string;
    name: string;
    status: string;
    conclusion: string | null;
    output: { title: string | null };
  }>;
}

/** A completed run that carries a verdict (not an error, not superseded or cancelled). */
function isVerdict(run: FakeRepoState['checkRuns'][number]): boolean {
  const title = run.output.title ?? '';
  return (
    run.status === 'completed' &&
    (run.conclusion === 'success' || run.conclusion === 'failure') &&
    !/^(Error:|Configuration error)/.test(title)
  );
}

/** Runs the load test; stops every process it started, also when it fails. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const progress = options.onProgress ?? (() => undefined);
  const started = Date.now();
  mkdirSync(options.workDir, { recursive: true });
  const orgs = options.orgs ?? Math.max(1, Math.ceil(options.prs / 20));
  const world = buildWorld(options.prs, orgs);
  const { plan, mix } = planDeliveries(
    options.deliveries,
    options.prs,
    options.durationMs,
    HEADS_PER_PR - 1,
    options.seed,
  );
  const settings = appSettings(options.env);
  const prefix = `load-${randomUUID().slice(0, 8)}`;
  const procs: Proc[] = [];
  const killAll = () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  };
  // A harness that dies (a test timeout) must not leave app processes behind.
  process.once('exit', killAll);
  let redis: RedisServer | undefined;
  let client: Redis | undefined;
  let scraper: NodeJS.Timeout | undefined;
  try {
    redis = await startRedisServer();
    const redisProc = track('redis-server', 'redis', redis.process);
    procs.push(redisProc);
    client = new Redis(redis.url, { maxRetriesPerRequest: 3 });

    // The fake, its own process, seeded from a file.
    const seedFile = join(options.workDir, 'fake-seed.json');
    writeFileSync(seedFile, JSON.stringify(world.seedFile));
    const fakeLog = openSync(join(options.workDir, 'fake-github.log'), 'w');
    const fakeChild = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/support/fake-github/server.ts',
        '--port',
        '0',
        '--seed-file',
        seedFile,
        '--rng-seed',
        String(options.seed),
        '--no-record-bodies',
        '--no-validate-responses',
      ],
      { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', fakeLog] },
    );
    closeSync(fakeLog);
    const fake = track('fake-github', 'fake', fakeChild);
    procs.push(fake);
    const fakeUrl = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: fakeChild.stdout! });
      lines.once('line', (line) => resolve(line.replace(/^FAKE_GITHUB_URL=/, '').trim()));
      fakeChild.once('exit', (code) =>
        reject(new Error(`the fake GitHub exited with ${code}; see ${join(options.workDir, 'fake-github.log')}`)),
      );
    });
    progress(`fake GitHub at ${fakeUrl}: ${orgs} installations, ${options.prs} PRs`);

    const privateKey = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    let serial = 0;
    const startApp = async (role: 'web' | 'worker', name: string): Promise<Proc> => {
      const port = await freePort();
      const metricsPort = await freePort();
      const log = openSync(join(options.workDir, `${name}.log`), 'a');
      const env = childEnv({
        ...settings,
        APP_ID: String(APP_ID),
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: SECRET,
        GITHUB_API_URL: fakeUrl,
        REDIS_URL: redis!.url,
        READINESS_REDIS_PREFIX: prefix,
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
      });
      const child = spawn(options.appCommand[0]!, [...options.appCommand.slice(1), role], {
        cwd: ROOT,
        env,
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      const proc = track(name, role, child);
      proc.url = `http://127.0.0.1:${port}`;
      proc.metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      procs.push(proc);
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.crashed)
          throw new Error(
            `${name} exited (${proc.crashed}) while starting; see ${join(options.workDir, `${name}.log`)}`,
          );
        const ok = await fetch(`${proc.url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return proc;
        if (Date.now() > deadline)
          throw new Error(`${name} was not ready within 60 s; see ${join(options.workDir, `${name}.log`)}`);
        await sleep(100);
      }
    };
    const webs = await Promise.all(Array.from({ length: options.webs }, (_, i) => startApp('web', `web-${i + 1}`)));
    const workers = await Promise.all(
      Array.from({ length: options.workers }, (_, i) => startApp('worker', `worker-${i + 1}`)),
    );
    serial = options.workers;
    progress(`${webs.length} web and ${workers.length} worker processes ready`);

    // Metrics are scraped all along, so a killed worker's count up to its death is kept.
    const scrape = async (proc: Proc) => {
      if (!proc.metricsUrl || proc.killed || proc.child.exitCode !== null) return;
      proc.peakKb = Math.max(proc.peakKb, peakRssKb(proc.child.pid));
      const text = await fetch(proc.metricsUrl).then(
        (r) => (r.ok ? r.text() : undefined),
        () => undefined,
      );
      if (text) proc.scrape = parseMetrics(text);
    };
    const scrapeAll = () => Promise.all(procs.filter((p) => p.role === 'web' || p.role === 'worker').map(scrape));
    scraper = setInterval(() => void scrapeAll(), 1000);

    if (options.faults) for (const fault of FAULTS) await control(fakeUrl, 'POST', '/_fake/faults', fault);

    // Send the deliveries at their planned times; answers are awaited concurrently, like GitHub's.
    const newest = world.pulls.map(() => 0);
    const sent: Array<{ event: string; id: string; body: string; web: number }> = [];
    const answers: Array<Promise<{ status: number; ms: number }>> = [];
    let roundRobin = 0;
    const t0 = Date.now();
    let killTask: Promise<void> | undefined;
    if (options.killWorker && workers.length > 0) {
      killTask = (async () => {
        await sleep(options.durationMs / 2);
        const victim = workers[0]!;
        await scrape(victim);
        victim.peakKb = Math.max(victim.peakKb, peakRssKb(victim.child.pid));
        victim.killed = true;
        victim.child.kill('SIGKILL');
        await victim.exited;
        progress(
          `killed ${victim.name} (pid ${victim.child.pid}) with SIGKILL at ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        await sleep(options.restartAfterMs ?? 3000);
        const again = await startApp('worker', `${victim.name}-restarted`);
        serial++;
        progress(`restarted it as ${again.name} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      })();
    }
    for (const item of plan) {
      await sleep(t0 + item.at - Date.now());
      const pull = world.pulls[item.pr]!;
      const delivery = await prepare(item, pull, fakeUrl, sent, () => roundRobin++ % webs.length, webs.length);
      if (item.kind === 'synchronize') newest[item.pr] = item.head;
      sent.push(delivery);
      answers.push(deliver(webs[delivery.web]!.url!, delivery));
    }
    const answered = await Promise.all(answers);
    const lastAnswer = Date.now();
    progress(`${answered.length} deliveries sent in ${((lastAnswer - t0) / 1000).toFixed(1)} s`);
    await killTask;

    // Settled: no PR has a job, the fake saw no request for a while, every newest head has a completed run.
    const settleDeadline = Date.now() + (options.settleTimeoutMs ?? 120_000);
    let quiet = 0;
    let lastSeq = 0;
    let settled = false;
    let states = new Map<string, FakeRepoState>();
    while (Date.now() < settleDeadline) {
      await sleep(1000);
      const scheduled = await client.scard(`${prefix}:scheduled`);
      const fresh = await control<Array<{ seq: number }>>(fakeUrl, 'GET', `/_fake/requests?since=${lastSeq}`);
      if (fresh.length > 0) lastSeq = fresh[fresh.length - 1]!.seq;
      if (scheduled > 0 || fresh.length > 0) {
        quiet = 0;
        continue;
      }
      states = await readStates(fakeUrl, world.repos);
      const complete = world.pulls.every((pull, i) => {
        const runs = states
          .get(pull.owner)!
          .checkRuns.filter((r) => r.name === CHECK_NAME && r.headSha === pull.heads[newest[i]!]);
        return runs.length > 0 && runs.sort((a, b) => a.id - b.id).at(-1)!.status === 'completed';
      });
      quiet = complete ? quiet + 1 : 0;
      if (quiet >= 2) {
        settled = true;
        break;
      }
    }
    const settleMs = Date.now() - lastAnswer;
    progress(
      settled
        ? `settled ${(settleMs / 1000).toFixed(1)} s after the last answer`
        : `NOT settled within ${(settleMs / 1000).toFixed(1)} s`,
    );
    clearInterval(scraper);
    scraper = undefined;
    await scrapeAll();
    states = await readStates(fakeUrl, world.repos);
    const requests = await control<Array<{ status: number; fault?: boolean }>>(fakeUrl, 'GET', '/_fake/requests');
    const unexpected = await control<unknown[]>(fakeUrl, 'GET', '/_fake/unexpected');

    // Stop the apps (workers first, so nothing is mid-write when the fake goes), then the fake and Redis.
    for (const p of procs.filter((x) => x.role === 'worker' || x.role === 'web')) await stop(p);
    await stop(fake);
    redisProc.peakKb = peakRssKb(redis.process.pid);
    redisProc.stopping = true;
    await client.quit().catch(() => undefined);
    client = undefined;
    await redis.stop();
    redis = undefined;

    // Figures.
    const acks = answered.map((a) => a.ms).sort((a, b) => a - b);
    const acknowledged = answered.filter((a) => a.status >= 200 && a.status < 300).length;
    const byOutcome: Record<string, number> = {};
    let jobRetries = 0;
    let deadLetters = 0;
    for (const p of procs) {
      for (const [outcome, n] of Object.entries(p.scrape?.evaluations ?? {}))
        byOutcome[outcome] = (byOutcome[outcome] ?? 0) + n;
      jobRetries += p.scrape?.jobRetries ?? 0;
      deadLetters += p.scrape?.deadLetters ?? 0;
    }
    const evaluations = Object.values(byOutcome).reduce((a, b) => a + b, 0);
    const faultsInjected: Record<string, number> = {};
    for (const r of requests)
      if (r.fault) faultsInjected[String(r.status)] = (faultsInjected[String(r.status)] ?? 0) + 1;
    const problems: string[] = [];
    let prsFinalOnNewestHead = 0;
    let lostJobs = 0;
    let duplicateComments = 0;
    let openRunsLeft = 0;
    const openRuns: string[] = [];
    const heads = new Map(
      world.pulls.flatMap((pull, i) =>
        pull.heads.map((sha, h) => [sha, { pull, h, newest: h === newest[i] }] as const),
      ),
    );
    for (const state of states.values()) {
      for (const run of state.checkRuns.filter((r) => r.name === CHECK_NAME && r.status !== 'completed')) {
        openRunsLeft++;
        const at = heads.get(run.headSha);
        openRuns.push(
          `run ${run.id} ${run.status} on ${at ? `${at.pull.owner}/${at.pull.repo}#${at.pull.number} head ${at.h}${at.newest ? ' (newest)' : ' (older)'}` : run.headSha}, started ${(run as { startedAt?: string }).startedAt ?? '?'}`,
        );
      }
    }
    world.pulls.forEach((pull, i) => {
      const state = states.get(pull.owner)!;
      const head = pull.heads[newest[i]!]!;
      const where = `${pull.owner}/${pull.repo}#${pull.number} (head ${newest[i]} ${head.slice(0, 8)})`;
      const runs = state.checkRuns
        .filter((r) => r.name === CHECK_NAME && r.headSha === head)
        .sort((a, b) => a.id - b.id);
      const latest = runs.at(-1);
      const expected = pull.blocked[newest[i]!] ? 'failure' : 'success';
      if (!runs.some(isVerdict)) {
        lostJobs++;
        problems.push(
          `${where}: lost — no completed evaluation on the newest head (runs: ${runs.map((r) => `${r.status}/${r.conclusion ?? '-'} "${r.output.title ?? ''}"`).join(', ') || 'none'})`,
        );
      }
      if (latest && isVerdict(latest) && latest.conclusion === expected) prsFinalOnNewestHead++;
      else if (latest)
        problems.push(
          `${where}: latest run ${latest.status}/${latest.conclusion ?? '-'} "${latest.output.title ?? ''}", expected ${expected}`,
        );
      const scorecards = state.comments.filter(
        (c) => c.issueNumber === pull.number && c.login === `${APP_SLUG}[bot]` && c.body.includes(SCORECARD_MARKER),
      ).length;
      if (scorecards > 1) {
        duplicateComments += scorecards - 1;
        problems.push(`${where}: ${scorecards} scorecard comments`);
      }
    });
    const processes: ProcessFigures[] = procs.map((p) => ({
      name: p.name,
      role: p.role,
      pid: p.child.pid ?? 0,
      peakRssMb: round1(p.peakKb / 1024),
      ...(p.killed ? { killed: true } : {}),
      ...(p.role === 'worker'
        ? { evaluations: Object.values(p.scrape?.evaluations ?? {}).reduce((a, b) => a + b, 0) }
        : {}),
      ...(p.crashed ? { crashed: p.crashed } : {}),
    }));
    processes.push({
      name: 'harness',
      role: 'harness',
      pid: process.pid,
      peakRssMb: round1(process.resourceUsage().maxRSS / 1024),
    });
    return {
      deliveries: answered.length,
      acknowledged,
      ackP50Ms: round1(percentile(acks, 50)),
      ackP95Ms: round1(percentile(acks, 95)),
      ackP99Ms: round1(percentile(acks, 99)),
      evaluations,
      prs: world.pulls.length,
      prsFinalOnNewestHead,
      duplicateComments,
      lostJobs,
      requestsPerEvaluation: evaluations > 0 ? Math.round((requests.length / evaluations) * 100) / 100 : 0,
      ackMaxMs: round1(acks.at(-1) ?? 0),
      evaluationsByOutcome: byOutcome,
      githubRequests: requests.length,
      faultsInjected,
      jobRetries,
      deadLetters,
      openRunsLeft,
      openRuns,
      unexpectedRequests: unexpected.length,
      mix,
      processes,
      settled,
      settleMs,
      elapsedMs: Date.now() - started,
      settings: { ...settings, workersKilled: options.killWorker ? '1' : '0', workersStarted: String(serial) },
      problems: problems.slice(0, 50),
    };
  } finally {
    if (scraper) clearInterval(scraper);
    for (const p of [...procs].reverse()) if (p.role !== 'redis') await stop(p, 5000).catch(() => undefined);
    await client?.quit().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    process.removeListener('exit', killAll);
  }
}

/** The environment of a child process: ours minus anything that would change how node loads code. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env['NODE_OPTIONS'];
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  return env;
}

async function readStates(
  fakeUrl: string,
  repos: Array<{ owner: string; repo: string }>,
): Promise<Map<string, FakeRepoState>> {
  const states = new Map<string, FakeRepoState>();
  for (const r of repos)
    states.set(r.owner, await control<FakeRepoState>(fakeUrl, 'GET', `/_fake/repos/${r.owner}/${r.repo}`));
  return states;
}

/** Builds a planned delivery: moves the PR's head first for a push, writes the comment first for a recheck. */
async function prepare(
  item: Planned,
  pull: LoadPull,
  fakeUrl: string,
  sent: Array<{ event: string; id: string; body: string; web: number }>,
  nextWeb: () => number,
  webs: number,
): Promise<{ event: string; id: string; body: string; web: number }> {
  switch (item.kind) {
    case 'opened':
      return {
        event: 'pull_request',
        id: randomUUID(),
        body: JSON.stringify(pullRequestPayload('opened', pull, 0)),
        web: nextWeb(),
      };
    case 'synchronize':
      await control(fakeUrl, 'POST', '/_fake/pulls/head', {
        owner: pull.owner,
        repo: pull.repo,
        number: pull.number,
        sha: pull.heads[item.head],
      });
      return {
        event: 'pull_request',
        id: randomUUID(),
        body: JSON.stringify(pullRequestPayload('synchronize', pull, item.head)),
        web: nextWeb(),
      };
    case 'recheck': {
      const body = '/readiness recheck';
      const { id } = await control<{ id: number }>(fakeUrl, 'POST', '/_fake/comments', {
        owner: pull.owner,
        repo: pull.repo,
        issueNumber: pull.number,
        body,
        author: REVIEWER,
      });
      return {
        event: 'issue_comment',
        id: randomUUID(),
        body: JSON.stringify(commentPayload(pull, { id, body, login: REVIEWER })),
        web: nextWeb(),
      };
    }
    case 'redelivery': {
      // GitHub's redelivery: the same delivery id and body, here to the other web process.
      const original = sent[item.of]!;
      return { ...original, web: (original.web + 1) % webs };
    }
  }
}

/** Sends one delivery and times it from sending to the full answer; status 0 when it got none within GitHub's 10 s. */
async function deliver(
  url: string,
  d: { event: string; id: string; body: string },
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/api/github/webhooks`, {
      method: 'POST',
      headers: deliveryHeaders(d.event, d.id, d.body, SECRET),
      body: d.body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}
