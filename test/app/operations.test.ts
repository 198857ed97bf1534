/**
 * Running the app: probes, Prometheus metrics, logs without credentials, graceful shutdown, and
 * `npm start`'s entry point as a real process configured from the environment.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scrub } from '../../src/app/logger.js';
import { optionsFromEnv, OptionsError, parseBytes } from '../../src/app/options.js';
import { startFakeGitHub } from '../support/fake-github/index.js';
import {
  APP_ID,
  APP_SLUG,
  BAD,
  deliver,
  INSTALLATION_ID,
  latestRun,
  OWNER,
  pullRequestEvent,
  REPO,
  SECRET,
  standardRepo,
  startHarness,
  testPrivateKey,
  type Harness,
} from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('probes and metrics', () => {
  it('answers liveness and readiness without depending on GitHub', async () => {
    h = await startHarness();
    await h.fake.close(); // GitHub unreachable: the probes must not care
    expect(await get(`${h.app.url}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(`${h.app.url}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
    expect(await get(`${h.app.metricsUrl}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
    // Probes are not logged (a kubelet probing every few seconds would flood the logs).
    expect(h.logs.filter((l) => l.includes('/livez') || l.includes('/readyz'))).toEqual([]);
    await h.app.close();
    h = undefined;
  });

  it('exposes evaluations, duration, queue depth, API calls, errors and acknowledgement time at /metrics', async () => {
    h = await startHarness();
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    h.fake.injectFault({ operationId: 'git/get-tree', status: 500, rate: 1 });
    await h.deliver('pull_request', pullRequestEvent('reopened', { head: BAD }));
    await h.app.idle();

    // The metrics are not on the internet-facing webhook port.
    expect((await get(`${h.app.url}/metrics`)).status).toBe(404);
    const metrics = await get(`${h.app.metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    const text = metrics.body;
    expect(text).toMatch(/^readiness_app_evaluations_total\{outcome="blocked"\} 1$/m);
    expect(text).toMatch(/^readiness_app_evaluations_total\{outcome="error"\} 1$/m);
    expect(text).toMatch(/^readiness_app_evaluation_duration_seconds_count\{outcome="blocked"\} 1$/m);
    expect(text).toMatch(/^readiness_app_queue_depth 0$/m);
    expect(text).toMatch(/^readiness_app_webhooks_total\{event="pull_request"\} 2$/m);
    expect(text).toMatch(/^readiness_app_webhook_acknowledgement_duration_seconds_count\{event="pull_request"\} 2$/m);
    expect(text).toMatch(/^readiness_app_errors_total\{kind="github"\} 1$/m);
    const gets = Number(/^readiness_app_github_requests_total\{method="GET",status="2xx"\} (\d+)$/m.exec(text)?.[1]);
    expect(gets).toBeGreaterThan(5);
    expect(text).toMatch(/^readiness_app_github_requests_total\{method="GET",status="5xx"\} 4$/m);
    expect(text).toMatch(/^readiness_app_process_cpu_seconds_total /m);
  });
});

describe('logs', () => {
  it('never contain the private key, the webhook secret or any token GitHub issued', async () => {
    h = await startHarness();
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }), { secret: 'wrong-secret-here' });
    h.fake.injectFault({ operationId: 'checks/update', status: 500, rate: 1 });
    await h.deliver('pull_request', pullRequestEvent('reopened', { head: BAD }));
    await h.app.idle();
    const issued = [...h.fake.world.tokens.keys()].filter((t) => t.startsWith('ghs_'));
    expect(issued.length).toBeGreaterThan(0);

    // Even code that logs credentials on purpose gets them removed, by field and by shape.
    const key = testPrivateKey();
    h.app.log.info(
      { token: issued[0], headers: { authorization: `token ${issued[0]}` }, privateKey: key },
      'debugging with credentials',
    );
    h.app.log.warn(`token in a message: ${issued[0]} and the key ${key} and the secret ${SECRET}`);
    h.app.log.flush?.();

    const all = h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(20);
    expect(all).toContain('debugging with credentials');
    for (const token of issued) expect(all).not.toContain(token);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('PRIVATE KEY');
    for (const line of key.split('\n').filter((l) => l.length > 20)) expect(all).not.toContain(line);
    // Every line is one JSON object with a level and a message.
    for (const line of h.logs)
      expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), msg: expect.any(String) });
  });

  it('scrubs token-shaped strings and exact secrets from a serialised line', () => {
    const line = JSON.stringify({
      msg: 'x ghs_abcdefghijklmnopqrstuvwxyz012345 y',
      jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjQyNDJ9.c2lnbmF0dXJlLXZhbHVl',
      auth: 'Bearer 0123456789abcdef0123456789abcdef',
    });
    const out = scrub(line, ['my-webhook-secret']);
    expect(out).not.toMatch(/ghs_abc|eyJhbGci|0123456789abcdef0123/);
    expect(scrub('{"msg":"my-webhook-secret"}', ['my-webhook-secret'])).toBe('{"msg":"[redacted]"}');
  });
});

describe('shutdown', () => {
  it('turns readiness off, finishes the running evaluation, then stops', async () => {
    h = await startHarness({ app: { drainDelayMs: 150 } });
    h.fake.injectFault({ operationId: 'pulls/list-files', delayMs: 300, times: 1 });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    const closing = h.app.close();
    await new Promise((r) => setTimeout(r, 50));
    expect((await get(`${h.app.url}/readyz`)).status).toBe(503);
    expect((await get(`${h.app.url}/livez`)).status).toBe(200);
    await closing;
    expect(latestRun(h, BAD)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    await h.fake.close();
    h = undefined;
  });
});

describe('configuration from the environment', () => {
  const key = () => testPrivateKey();
  const base = () => ({ APP_ID: '4242', PRIVATE_KEY: key(), WEBHOOK_SECRET: 'long-enough-secret' });

  it('reads roles, Redis and queue settings; a worker needs no webhook secret', () => {
    const { WEBHOOK_SECRET: _secret, ...noSecret } = base();
    const worker = optionsFromEnv(
      {
        ...noSecret,
        REDIS_URL: 'redis://cache:6379/2',
        READINESS_JOB_ATTEMPTS: '3',
        READINESS_GITHUB_WRITE_INTERVAL_MS: '250',
      },
      process.cwd(),
      'worker',
    );
    expect(worker).toMatchObject({
      role: 'worker',
      redisUrl: 'redis://cache:6379/2',
      queue: { attempts: 3, prefix: 'readiness' },
      github: { writeIntervalMs: 250, retries: 3 },
    });
    expect(optionsFromEnv(base())).toMatchObject({ role: 'all' });
    expect(optionsFromEnv(base()).redisUrl).toBeUndefined();
    expect(optionsFromEnv({ ...base(), READINESS_ROLE: 'web', REDIS_URL: 'rediss://u:p@cache:6380' }).role).toBe('web');
  });

  it('reads the key as PEM, with \\n escapes, as base64 or from a file, and GHE hosts', () => {
    expect(optionsFromEnv(base()).privateKey).toBe(`${key().trim()}\n`);
    expect(optionsFromEnv({ ...base(), PRIVATE_KEY: key().replace(/\n/g, '\\n') }).privateKey).toBe(
      `${key().trim()}\n`,
    );
    expect(optionsFromEnv({ ...base(), PRIVATE_KEY: Buffer.from(key()).toString('base64') }).privateKey).toBe(
      `${key().trim()}\n`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'rg-key-'));
    writeFileSync(join(dir, 'app.pem'), key());
    const { PRIVATE_KEY: _omit, ...withoutKey } = base();
    expect(optionsFromEnv({ ...withoutKey, PRIVATE_KEY_PATH: join(dir, 'app.pem') }).privateKey).toBe(
      `${key().trim()}\n`,
    );
    expect(optionsFromEnv({ ...base(), GHE_HOST: 'github.example.com' }).baseUrl).toBe(
      'https://github.example.com/api/v3',
    );
    expect(optionsFromEnv({ ...base(), READINESS_BYTE_BUDGET: '8MiB' }).byteBudget).toBe(8 * 1024 * 1024);
  });

  it('refuses bad settings naming the variable, never echoing a key', () => {
    const fails = (env: NodeJS.ProcessEnv) => {
      try {
        optionsFromEnv(env);
      } catch (error) {
        expect(error).toBeInstanceOf(OptionsError);
        return (error as Error).message;
      }
      throw new Error('expected an OptionsError');
    };
    expect(fails({ ...base(), APP_ID: 'abc' })).toMatch(/^APP_ID/);
    expect(fails({ ...base(), WEBHOOK_SECRET: '' })).toMatch(/^WEBHOOK_SECRET/);
    expect(fails({ ...base(), PRIVATE_KEY: 'not-a-key-but-a-secret' })).not.toContain('not-a-key-but-a-secret');
    expect(fails({ ...base(), READINESS_CONCURRENCY: '0' })).toMatch(/^READINESS_CONCURRENCY/);
    expect(fails({ ...base(), LOG_LEVEL: 'loud' } as unknown as NodeJS.ProcessEnv)).toMatch(/^LOG_LEVEL/);
    expect(() => parseBytes('lots', 'READINESS_BYTE_BUDGET')).toThrow(/READINESS_BYTE_BUDGET/);
    // Roles and Redis.
    expect(fails({ ...base(), READINESS_ROLE: 'web' })).toMatch(/web role needs REDIS_URL/);
    expect(() => optionsFromEnv(base(), process.cwd(), 'worker')).toThrow(/worker role needs REDIS_URL/);
    expect(() => optionsFromEnv(base(), process.cwd(), 'scheduler')).toThrow(
      /role argument must be one of all, web, worker/,
    );
    expect(fails({ ...base(), REDIS_URL: 'http://cache:6379' })).toMatch(/^REDIS_URL must start with redis:\/\//);
    expect(fails({ ...base(), REDIS_URL: 'redis://:hunter2-secret@' })).not.toContain('hunter2');
    expect(fails({ ...base(), REDIS_URL: 'redis://localhost:6379', READINESS_JOB_ATTEMPTS: '0' })).toMatch(
      /^READINESS_JOB_ATTEMPTS/,
    );
  });
});

describe('npm start', () => {
  it('runs from the environment, evaluates a delivery, logs JSON without secrets and exits 0 on SIGTERM', async () => {
    const fake = await startFakeGitHub();
    fake.addApp({ id: APP_ID, slug: APP_SLUG, installations: [{ id: INSTALLATION_ID, account: OWNER }] });
    fake.seedRepo(standardRepo());
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/app/index.ts'], {
      cwd: process.cwd(),
      env: {
        PATH: process.env['PATH'],
        APP_ID: String(APP_ID),
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: SECRET,
        GITHUB_API_URL: fake.url,
        HOST: '127.0.0.1',
        PORT: '0',
        METRICS_PORT: '0',
        READINESS_DEBOUNCE_MS: '0',
        READINESS_DRAIN_DELAY_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(
        () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1],
        20_000,
        () => `no listening line; stdout: ${out}\nstderr: ${err}`,
      );
      expect((await get(`${url}/livez`)).status).toBe(200);
      const d = await deliver(
        `${url}/api/github/webhooks`,
        'pull_request',
        pullRequestEvent('opened', { head: BAD }),
        SECRET,
      );
      expect(d.status).toBe(200);
      await waitFor(
        () => fake.checkRuns(OWNER, REPO, BAD).find((r) => r.status === 'completed'),
        20_000,
        () => `no completed check run; stdout: ${out}`,
      );
      expect(fake.checkRuns(OWNER, REPO, BAD)[0]).toMatchObject({ conclusion: 'failure' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await fake.close();
    }
    const lines = out.split('\n').filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(out).toContain('termination signal received');
    for (const secret of [
      SECRET,
      'PRIVATE KEY',
      ...[...fake.world.tokens.keys()].filter((t) => t.startsWith('ghs_')),
    ]) {
      expect(out + err).not.toContain(secret);
    }
  }, 60_000);
});

async function waitFor<T>(probe: () => T | undefined, ms: number, describe: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((r) => setTimeout(r, 50));
  }
}
