/**
 * Webhook proxy for local development (`WEBHOOK_PROXY_URL`): GitHub delivers to a public channel
 * (smee.io or a self-hosted smee server) and a client in this process forwards each delivery, headers and
 * signature intact, to the app's own webhook path. Probot 14 does the same with `smee-client`, which it
 * loads only on demand; so does this, and it is never a dependency of the app or the package.
 */
import type { Logger } from 'pino';
import { OptionsError } from './options.js';

/** A started proxy: close it on shutdown. */
export interface WebhookProxy {
  close(): Promise<void> | void;
}

/** What a proxy client needs: the channel, where to forward, a logger. */
export interface WebhookProxyOptions {
  source: string;
  target: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** Connects a channel to the target; tests pass one that needs no network. */
export type WebhookProxyFactory = (options: WebhookProxyOptions) => Promise<WebhookProxy>;

interface SmeeClientLike {
  start(): Promise<{ close?: () => void } | undefined> | { close?: () => void } | undefined;
  stop?: () => Promise<void> | void;
}

/** The default factory: smee-client, imported when first needed. */
export const smeeProxy: WebhookProxyFactory = async ({ source, target, logger }) => {
  let SmeeClient: new (options: {
    source: string;
    target: string;
    logger: WebhookProxyOptions['logger'];
  }) => SmeeClientLike;
  try {
    // A variable specifier: smee-client is optional and must not be resolved (or bundled) at build time.
    const name = 'smee-client';
    ({ SmeeClient } = (await import(name)) as { SmeeClient: typeof SmeeClient });
  } catch {
    throw new OptionsError(
      'WEBHOOK_PROXY_URL is set but smee-client is not installed: run `npm install --no-save smee-client` (local development only)',
    );
  }
  const client = new SmeeClient({ source, target, logger });
  const events = await client.start();
  return {
    async close() {
      if (client.stop) await client.stop();
      else events?.close?.();
    },
  };
};

/** Starts forwarding `source` to `target` and says so; the returned proxy is closed with the app. */
export async function startWebhookProxy(
  options: WebhookProxyOptions,
  factory: WebhookProxyFactory = smeeProxy,
): Promise<WebhookProxy> {
  const proxy = await factory(options);
  options.logger.info(
    { source: options.source, target: options.target },
    'forwarding webhooks from the proxy channel (development only)',
  );
  return proxy;
}
