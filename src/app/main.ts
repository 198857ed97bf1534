/**
 * `npm start`: read the environment, start the app, stop it gracefully on SIGTERM/SIGINT. A bad setting
 * exits with status 2 and a message naming every variable at fault, before anything listens.
 * `npm run setup`: register the app from app.yml and write `.env` (see setup.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiBaseUrl, optionsFromEnv, OptionsError } from './options.js';
import { startApp } from './server.js';
import { startSetup } from './setup.js';

/**
 * Runs the app until a termination signal; resolves with the process exit code. `role` is the command
 * line's first argument (`web`, `worker`, `all`), as `npm run start:web` / `start:worker` pass it, or
 * `setup` with its own arguments in `args`.
 */
export async function run(env: NodeJS.ProcessEnv = process.env, role?: string, args: string[] = []): Promise<number> {
  // `npm run setup` writes .env; variables already set in the environment win over it.
  const envFile = join(process.cwd(), '.env');
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  if (role === 'setup') return setup(env, args);
  let app;
  try {
    app = await startApp(optionsFromEnv(env, process.cwd(), role));
  } catch (error) {
    if (error instanceof OptionsError) {
      process.stderr.write(`readiness-gates app: ${error.message}\n`);
      if (error.problems.some((p) => /^(APP_ID|PRIVATE_KEY|WEBHOOK_SECRET)/.test(p))) {
        process.stderr.write(
          'readiness-gates app: no app registered yet? `npm run setup` registers one from app.yml and writes .env\n',
        );
      }
      return 2;
    }
    throw error;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  app.log.info({ signal }, 'termination signal received');
  await app.close();
  return 0;
}

const SETUP_USAGE = `Usage: npm run setup -- [--name NAME] [--org ORG] [--webhook-url URL] [--port PORT]

Registers the GitHub App from app.yml and writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env.
  --name NAME         the app's name on GitHub, unique across GitHub (env APP_NAME; default: app.yml's name)
  --org ORG           register it under this organisation (env GH_ORG; default: your account)
  --webhook-url URL   where GitHub delivers webhooks: https://<host>/api/github/webhooks, or a
                      https://smee.io channel for local development (default: WEBHOOK_PROXY_URL)
  --port PORT         port of the local registration page (default: PORT, else 3000)`;

async function setup(env: NodeJS.ProcessEnv, args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        name: { type: 'string' },
        org: { type: 'string' },
        'webhook-url': { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`readiness-gates setup: ${(error as Error).message}\n\n${SETUP_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${SETUP_USAGE}\n`);
    return 0;
  }
  const webhookUrl = values['webhook-url'] ?? env.WEBHOOK_PROXY_URL?.trim();
  if (!webhookUrl) {
    process.stderr.write(
      'readiness-gates setup: GitHub needs a webhook URL: pass --webhook-url https://<your host>/api/github/webhooks, ' +
        'or for local development create a channel at https://smee.io/new and set WEBHOOK_PROXY_URL to it\n',
    );
    return 2;
  }
  const appName = values.name ?? env.APP_NAME?.trim();
  const org = values.org ?? env.GH_ORG?.trim();
  const ghe = env.GHE_HOST?.trim();
  const running = await startSetup({
    dir: process.cwd(),
    port: Number(values.port ?? env.PORT ?? 3000),
    ...(appName ? { appName } : {}),
    ...(org ? { org } : {}),
    webhookUrl,
    githubUrl: ghe ? `${env.GHE_PROTOCOL?.trim() || 'https'}://${ghe}` : 'https://github.com',
    apiUrl: apiBaseUrl(env),
    ...(env.WEBHOOK_PROXY_URL?.trim() ? { extraEnv: { WEBHOOK_PROXY_URL: env.WEBHOOK_PROXY_URL.trim() } } : {}),
  });
  process.stdout.write(`Open ${running.url} in a browser to register the GitHub App (Ctrl-C to stop).\n`);
  try {
    const r = await running.registered;
    process.stdout.write(
      `Registered app ${r.appId}; credentials written to ${r.envPath}.\nInstall it: ${r.htmlUrl}/installations/new\nThen: npm start\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`readiness-gates setup: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await running.close();
  }
}
