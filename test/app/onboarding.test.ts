/**
 * A new operator's first minutes with the App: every missing setting named at once, registration from
 * app.yml through the manifest flow (against the fake GitHub's `POST /app-manifests/{code}/conversions`),
 * and webhooks through a proxy channel for local development (no network: the channel is simulated).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { optionsFromEnv, OptionsError } from '../../src/app/options.js';
import { startApp } from '../../src/app/server.js';
import { setupManifest, startSetup, updateEnvFile } from '../../src/app/setup.js';
import type { WebhookProxyOptions } from '../../src/app/webhook-proxy.js';
import { startFakeGitHub } from '../support/fake-github/index.js';
import {
  APP_ID,
  APP_SLUG,
  deliver,
  installationEvent,
  INSTALLATION_ID,
  OWNER,
  SECRET,
  testOptions,
  testPrivateKey,
} from './support.js';

const ROOT = join(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rg-onboard-'));
  dirs.push(d);
  return d;
}

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    optionsFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as OptionsError).problems;
  }
  throw new Error('expected an OptionsError');
}

describe('settings', () => {
  it('names every missing or bad variable at once', () => {
    const problems = problemsOf({ READINESS_CONCURRENCY: '0', WEBHOOK_PROXY_URL: 'smee.io/x' });
    expect(problems.map((p) => p.split(/[ :]/)[0])).toEqual([
      'APP_ID',
      'WEBHOOK_SECRET',
      'PRIVATE_KEY',
      'WEBHOOK_PROXY_URL',
      'READINESS_CONCURRENCY',
    ]);
    try {
      optionsFromEnv({});
    } catch (error) {
      expect((error as Error).message).toMatch(
        /^3 settings need fixing:\n {2}- APP_ID .*\n {2}- WEBHOOK_SECRET .*\n {2}- PRIVATE_KEY or PRIVATE_KEY_PATH /,
      );
    }
  });

  it('reads WEBHOOK_PROXY_URL', () => {
    const env = {
      APP_ID: '1',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: 'long-enough-secret',
      WEBHOOK_PROXY_URL: 'https://smee.io/abc',
    };
    expect(optionsFromEnv(env).webhookProxyUrl).toBe('https://smee.io/abc');
  });
});

describe('npm run setup: registration from app.yml', () => {
  it('serves the manifest with the chosen name, exchanges the code at the fake GitHub and writes a usable .env', async () => {
    const fake = await startFakeGitHub();
    const dir = tempDir();
    copyFileSync(join(ROOT, 'app.yml'), join(dir, 'app.yml'));
    updateEnvFile(join(dir, '.env'), { LOG_LEVEL: 'debug' }); // an existing line survives
    const setup = await startSetup({
      dir,
      port: 0,
      appName: 'Readiness Gates (acme)',
      org: 'acme',
      webhookUrl: 'https://smee.io/abc123',
      githubUrl: 'https://github.com',
      apiUrl: fake.url,
      extraEnv: { WEBHOOK_PROXY_URL: 'https://smee.io/abc123' },
    });
    try {
      const page = await (await fetch(`${setup.url}/`)).text();
      const action = /<form method="post" action="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
      expect(action).toMatch(/^https:\/\/github\.com\/organizations\/acme\/settings\/apps\/new\?state=[0-9a-f]{32}$/);
      const manifest = JSON.parse(
        /name="manifest" value="([^"]+)"/
          .exec(page)![1]!
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&'),
      ) as Record<string, any>;
      expect(manifest).toMatchObject({
        name: 'Readiness Gates (acme)',
        hook_attributes: { url: 'https://smee.io/abc123', active: true },
        redirect_url: `${setup.url}/callback`,
        default_permissions: { checks: 'write', pull_requests: 'write' },
      });
      expect(manifest['default_events']).toContain('pull_request');

      // GitHub: the user confirms the manifest, GitHub redirects back with a code and the page's state.
      fake.addManifestCode('code-1', manifest, 'acme');
      const state = new URL(action).searchParams.get('state')!;
      expect((await fetch(`${setup.url}/callback?code=code-1&state=forged`)).status).toBe(400);
      const done = await fetch(`${setup.url}/callback?code=code-1&state=${state}`);
      expect(done.status).toBe(200);
      expect(await done.text()).toContain('/installations/new');
      const registration = await setup.registered;
      expect(registration.htmlUrl).toBe('https://github.com/apps/readiness-gates-acme');

      const envPath = join(dir, '.env');
      expect(statSync(envPath).mode & 0o777).toBe(0o600);
      const env = parseEnv(readFileSync(envPath, 'utf8'));
      expect(env).toMatchObject({
        LOG_LEVEL: 'debug',
        APP_ID: String(registration.appId),
        WEBHOOK_PROXY_URL: 'https://smee.io/abc123',
      });
      expect(env['PRIVATE_KEY']).toBe(fake.world.appKeys.get(registration.appId));
      // What `npm start` then reads is a valid configuration.
      const options = optionsFromEnv(env);
      expect(options.privateKey.trim()).toBe(fake.world.appKeys.get(registration.appId)!.trim());
      expect(options.webhookSecret).toBe(env['WEBHOOK_SECRET']);
      // `docker run --env-file .env` takes each line's value verbatim, quotes included: that works too.
      const verbatim = Object.fromEntries(
        readFileSync(envPath, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(optionsFromEnv(verbatim)).toMatchObject({
        appId: registration.appId,
        webhookSecret: env['WEBHOOK_SECRET'],
        privateKey: options.privateKey,
      });
      expect(fake.requestsFor('apps/create-from-manifest')).toHaveLength(1);
      fake.assertNoUnexpected();
    } finally {
      await setup.close();
      await fake.close();
    }
  });

  it('needs app.yml, and a code works once', async () => {
    expect(() => setupManifest(tempDir(), { webhookUrl: 'https://x', redirectUrl: 'http://localhost/' })).toThrow(
      /setup needs app\.yml/,
    );
    const fake = await startFakeGitHub();
    const dir = tempDir();
    copyFileSync(join(ROOT, 'app.yml'), join(dir, 'app.yml'));
    const setup = await startSetup({
      dir,
      port: 0,
      webhookUrl: 'https://example.com/api/github/webhooks',
      githubUrl: 'https://github.com',
      apiUrl: fake.url,
    });
    setup.registered.catch(() => undefined);
    try {
      const page = await (await fetch(`${setup.url}/`)).text();
      expect(page).toContain('Register Readiness Gates'); // app.yml's name by default
      const state = /state=([0-9a-f]+)/.exec(page)![1]!;
      const r = await fetch(`${setup.url}/callback?code=unknown&state=${state}`);
      expect(r.status).toBe(502);
      expect(await r.text()).toContain('Codes expire after an hour and work once');
      await expect(setup.registered).rejects.toThrow();
    } finally {
      await setup.close();
      await fake.close();
    }
  });
});

describe('WEBHOOK_PROXY_URL', () => {
  it('forwards the channel to the webhook path, signed deliveries are accepted, and the proxy closes with the app', async () => {
    const fake = await startFakeGitHub();
    fake.addApp({
      id: APP_ID,
      slug: APP_SLUG,
      name: 'Readiness Gates',
      installations: [{ id: INSTALLATION_ID, account: OWNER }],
    });
    const seen: WebhookProxyOptions[] = [];
    let closed = 0;
    const logs: string[] = [];
    const app = await startApp(testOptions(fake, { webhookProxyUrl: 'https://smee.io/channel', drainDelayMs: 0 }), {
      logDestination: { write: (line: string) => void logs.push(line) },
      webhookProxy: async (options) => {
        seen.push(options);
        return { close: () => void closed++ };
      },
    });
    try {
      expect(seen).toHaveLength(1);
      expect(seen[0]!.source).toBe('https://smee.io/channel');
      expect(seen[0]!.target).toBe(`${app.url}/api/github/webhooks`);
      // What the proxy client does with a delivery from the channel: post it, signature intact, to the target.
      expect((await deliver(seen[0]!.target, 'installation', installationEvent(), SECRET)).status).toBe(200);
      expect(logs.join('')).toContain('forwarding webhooks from the proxy channel');
    } finally {
      await app.close();
      await fake.close();
    }
    expect(closed).toBe(1);
  });
});
