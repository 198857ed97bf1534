/**
 * `npm run setup` (`node build/app/index.js setup`): registers the GitHub App from `app.yml` through
 * GitHub's manifest flow and writes its credentials to `.env`, so that `npm start` runs without copying a
 * key by hand.
 *
 * 1. A local page (http://localhost:3000) holds the manifest — app.yml with the chosen name, the webhook
 *    URL and a redirect back here — in a form that posts it to GitHub's "new app" page (of an
 *    organisation with `--org`).
 * 2. GitHub creates the app and redirects to `/callback?code=…&state=…`; the state must match the page's.
 * 3. Probot's `ManifestCreation` exchanges the code (`POST /app-manifests/{code}/conversions`, valid for
 *    an hour) for the app's id, private key and webhook secret, which are written to `.env` (mode 0600,
 *    other lines kept). The page then links to the app's installation page and the command exits.
 *
 * Only the exchange talks to GitHub; nothing else of the app starts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { OptionsError } from './options.js';

export interface SetupOptions {
  /** Directory holding app.yml; `.env` is written here. */
  dir: string;
  /** Port of the local page (0 picks a free one). */
  port: number;
  host?: string;
  /** The app's name on GitHub (`--name`, `APP_NAME`); names are unique across GitHub. Default: app.yml's. */
  appName?: string;
  /** Register under this organisation (`--org`, `GH_ORG`) instead of the signed-in user. */
  org?: string;
  /** Where GitHub sends webhooks (`--webhook-url`, else `WEBHOOK_PROXY_URL`). */
  webhookUrl: string;
  /** GitHub's web address: https://github.com, or the GitHub Enterprise Server host. */
  githubUrl: string;
  /** The REST API root the code is exchanged at. */
  apiUrl: string;
  /** Extra `.env` entries to write with the credentials (e.g. WEBHOOK_PROXY_URL). */
  extraEnv?: Record<string, string>;
}

/** What the registration produced. */
export interface Registration {
  appId: number;
  /** The app's page; `${htmlUrl}/installations/new` installs it. */
  htmlUrl: string;
  envPath: string;
}

export interface RunningSetup {
  /** The local page to open in a browser. */
  url: string;
  /** Resolves once the app is registered and `.env` written. */
  registered: Promise<Registration>;
  close(): Promise<void>;
}

/** The manifest to register: app.yml with the name, webhook URL and redirect of this setup. */
export function setupManifest(
  dir: string,
  options: { appName?: string; webhookUrl: string; redirectUrl: string },
): Record<string, unknown> {
  const path = join(dir, 'app.yml');
  if (!existsSync(path))
    throw new OptionsError(`setup needs app.yml in ${dir} (the manifest the app is registered from)`);
  const manifest = parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const hook = (manifest['hook_attributes'] ?? {}) as Record<string, unknown>;
  return {
    ...manifest,
    ...(options.appName ? { name: options.appName } : {}),
    hook_attributes: { ...hook, url: options.webhookUrl, active: true },
    redirect_url: options.redirectUrl,
  };
}

/**
 * Writes `entries` into the `.env` at `path`, keeping every other line. A value with anything but plain
 * characters is double-quoted with newlines escaped, which Node's `process.loadEnvFile` (and dotenv) read
 * back as written.
 */
export function updateEnvFile(path: string, entries: Record<string, string>): void {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  const kept = lines.filter((line) => {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    return line.trim() !== '' && !(key && key in entries);
  });
  for (const [key, raw] of Object.entries(entries)) {
    // Probot hands the key over already quoted. Plain values stay unquoted, because `docker run --env-file`
    // keeps quotes as part of the value; the private key needs them (its newlines), and the app strips them.
    const value = raw.replace(/^"([\s\S]*)"$/, '$1');
    const plain = /^[\w./:@+=,-]*$/.test(value);
    kept.push(
      plain
        ? `${key}=${value}`
        : `${key}="${value.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n').replace(/"/g, '\\"')}"`,
    );
  }
  writeFileSync(path, `${kept.join('\n')}\n`, { mode: 0o600 });
}

interface ManifestCreationLike {
  createAppFromCode(code: string, probotOptions: Record<string, unknown>): Promise<string>;
}

/** Probot's ManifestCreation (not in its package exports, so loaded beside its entry), writing to `envPath`. */
async function probotManifestCreation(
  envPath: string,
  onEnv: (env: Record<string, string>) => void,
): Promise<ManifestCreationLike> {
  const entry = createRequire(import.meta.url).resolve('probot');
  const { ManifestCreation } = (await import(new URL('./manifest-creation.js', pathToFileURL(entry)).href)) as {
    ManifestCreation: new (options: {
      updateEnv: (env: Record<string, string>) => Record<string, string>;
    }) => ManifestCreationLike;
  };
  return new ManifestCreation({
    updateEnv: (env) => {
      updateEnvFile(envPath, env);
      onEnv(env);
      return env;
    },
  });
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Serves the registration page until GitHub redirects back with a code, then writes `.env`. */
export async function startSetup(options: SetupOptions): Promise<RunningSetup> {
  const state = randomBytes(16).toString('hex');
  const envPath = join(options.dir, '.env');
  let resolveRegistered!: (r: Registration) => void;
  let rejectRegistered!: (e: unknown) => void;
  const registered = new Promise<Registration>((resolve, reject) => {
    resolveRegistered = resolve;
    rejectRegistered = reject;
  });
  // Fail on a missing app.yml now, not when the browser opens the page.
  setupManifest(options.dir, { ...options, redirectUrl: 'http://localhost/' });

  let base = '';
  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const html = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    if (req.method === 'GET' && url.pathname === '/') {
      const manifest = setupManifest(options.dir, { ...options, redirectUrl: `${base}/callback` });
      const action = `${options.githubUrl}${options.org ? `/organizations/${encodeURIComponent(options.org)}` : ''}/settings/apps/new?state=${state}`;
      return void html(
        200,
        `<!doctype html><meta charset="utf-8"><title>Register ${escapeHtml(String(manifest['name']))}</title>` +
          `<h1>Register ${escapeHtml(String(manifest['name']))}</h1>` +
          `<p>Webhooks will be delivered to <code>${escapeHtml(options.webhookUrl)}</code>. GitHub asks you to confirm, then sends you back here.</p>` +
          `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">` +
          `<button type="submit">Register the GitHub App on ${escapeHtml(options.org ?? 'your account')}</button></form>`,
      );
    }
    if (req.method === 'GET' && url.pathname === '/callback') {
      const code = url.searchParams.get('code');
      if (!code)
        return void html(400, '<p>GitHub did not send a code. Start again from <a href="/">the setup page</a>.</p>');
      if (url.searchParams.get('state') !== state)
        return void html(
          400,
          '<p>This registration was not started from this setup page. Start again from <a href="/">the setup page</a>.</p>',
        );
      try {
        let written: Record<string, string> = {};
        const creation = await probotManifestCreation(envPath, (env) => (written = env));
        const htmlUrl = await creation.createAppFromCode(code, { baseUrl: options.apiUrl, request: { retries: 0 } });
        if (options.extraEnv && Object.keys(options.extraEnv).length) updateEnvFile(envPath, options.extraEnv);
        const registration = { appId: Number(written['APP_ID']), htmlUrl, envPath };
        html(
          200,
          `<!doctype html><meta charset="utf-8"><p>Registered. Its credentials are in <code>${escapeHtml(envPath)}</code>.</p><p><a href="${escapeHtml(htmlUrl)}/installations/new">Install the app</a> on the repositories it should check, then run <code>npm start</code>.</p>`,
        );
        resolveRegistered(registration);
      } catch (error) {
        html(
          502,
          `<p>Exchanging the code with GitHub failed: ${escapeHtml(error instanceof Error ? error.message : String(error))}. Codes expire after an hour and work once; start again from <a href="/">the setup page</a>.</p>`,
        );
        rejectRegistered(error);
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://localhost:${port}`;
  return {
    url: base,
    registered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
