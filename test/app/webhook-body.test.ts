/**
 * The webhook endpoint refuses bodies over GitHub's 25 MB payload cap before reading them: the signature
 * can only be checked on a whole body, so without the cap any unauthenticated sender chooses how much
 * memory a request takes. The real app on loopback; the bodies are streamed from one reused buffer so
 * the sender itself allocates almost nothing.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_WEBHOOK_BYTES } from '../../src/app/server.js';
import { BAD, expectCleanFake, latestRun, pullRequestEvent, startHarness, type Harness } from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Sent {
  status: number;
  body: string;
  /** Body bytes written before the answer came. */
  sent: number;
  /** Highest RSS growth of this process (app included) while sending, in bytes. */
  peakRssGrowth: number;
}

/** POSTs `total` bytes of junk to the webhook URL with a bogus signature, stopping once answered. */
function sendJunk(url: string, total: number, options: { chunked: boolean }): Promise<Sent> {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const startRss = process.memoryUsage().rss;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - startRss)), 10);
  return new Promise<Sent>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': 'junk',
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }),
      },
    });
    const done = (result: Sent) => {
      clearInterval(sampler);
      resolve({ ...result, peakRssGrowth: Math.max(peak, process.memoryUsage().rss - startRss) });
    };
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        done({ status: res.statusCode ?? 0, body, sent, peakRssGrowth: 0 });
        req.destroy();
      });
      res.on('error', () => done({ status: res.statusCode ?? 0, body, sent, peakRssGrowth: 0 }));
    });
    req.on('error', (error) => {
      // The server closes the connection after refusing: writes after the answer may fail.
      if (!answered) {
        clearInterval(sampler);
        reject(error);
      }
    });
    const pump = () => {
      while (!answered && sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && sent >= total) req.end();
    };
    pump();
  });
}

describe('webhook bodies over GitHub’s 25 MB cap', () => {
  it('refuses a 200 MB body by its Content-Length with 413, without reading it or growing memory', async () => {
    h = await startHarness();
    const url = h.app.url + h.options.webhookPath;
    const r = await sendJunk(url, 200 * 1024 * 1024, { chunked: false });
    expect(r.status).toBe(413);
    expect(r.body).toContain('payload too large');
    // Answered long before the body was through: at most what the socket buffers took.
    expect(r.sent).toBeLessThan(MAX_WEBHOOK_BYTES);
    expect(r.peakRssGrowth).toBeLessThan(64 * 1024 * 1024);
    expect(h.logs.some((l) => l.includes('webhook refused'))).toBe(true);
    expect(h.fake.requests).toEqual([]);
  }, 60_000);

  it('refuses a chunked body (no Content-Length) as soon as it passes 25 MB', async () => {
    h = await startHarness();
    const url = h.app.url + h.options.webhookPath;
    const r = await sendJunk(url, 200 * 1024 * 1024, { chunked: true });
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(MAX_WEBHOOK_BYTES + 16 * 1024 * 1024);
    expect(r.peakRssGrowth).toBeLessThan(96 * 1024 * 1024);
    expect(h.fake.requests).toEqual([]);
  }, 60_000);

  it('still takes a signed delivery of ordinary size, and a bad signature is still refused', async () => {
    h = await startHarness();
    const payload = pullRequestEvent('opened', { head: BAD });
    // Padding a real payload to 1 MB: large, yet well within GitHub's cap.
    payload['pull_request'].body = 'x'.repeat(1024 * 1024);
    const ok = await h.deliver('pull_request', payload);
    expect(ok.status).toBe(200);
    const forged = await h.deliver('pull_request', payload, { secret: 'not-the-secret' });
    expect(forged.status).toBe(400);
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });
});
