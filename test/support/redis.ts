/**
 * A real `redis-server` on loopback for the tests of the Redis-backed app: started on a free port with
 * persistence off, stopped (and its data gone) afterwards. The suite's global setup finds or installs it
 * (test/support/system-deps.ts); without it the tests fail saying how to get it, rather than skipping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find, REDIS } from './system-deps.js';

/** A running redis-server. */
export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

let resolved: string | undefined;

/**
 * Where redis-server is: `REDIS_SERVER_BIN`, else PATH, else Debian's /usr/bin. Probed once per process;
 * the error names each candidate with its real spawn error (ENOENT is "not installed", EAGAIN or ENOMEM
 * is a loaded machine).
 */
export function redisServerBinary(): string {
  if (resolved) return resolved;
  const found = find(REDIS);
  if (found.ok) return (resolved = found.command);
  throw new Error(
    `redis-server could not be started (${found.tried.join('; ')}). The Redis-backed app tests run a real Redis: install it (Debian/Ubuntu: \`sudo apt-get install -y redis-server\`; npm test does this itself when it may) or point REDIS_SERVER_BIN at the binary.`,
  );
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** How long a start may take: generous, because the suite shares a loaded machine (two cores, parallel forks). */
const START_TIMEOUT_MS = 30_000;
/** Spawn errors worth another try: the machine is short of processes or memory for a moment. */
const TRANSIENT = new Set(['EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE']);

/**
 * Starts redis-server and resolves once it answers PING. Retries on a transient spawn error and when the
 * port it was given was taken in the meantime; any other failure is reported with redis-server's own words.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerBinary();
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 5; attempt++) {
    const outcome = await tryStart(binary);
    if (outcome.ok) return outcome.server;
    failures.push(`attempt ${attempt}: ${outcome.message}`);
    if (!outcome.retry) break;
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
  throw new Error(`redis-server (${binary}) did not start: ${failures.join(' | ')}`);
}

type Attempt = { ok: true; server: RedisServer } | { ok: false; retry: boolean; message: string };

async function tryStart(binary: string): Promise<Attempt> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'readiness-redis-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--loglevel',
    'warning',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let spawnError: NodeJS.ErrnoException | undefined;
  // An 'error' event (ENOENT, EACCES, EAGAIN…) is the real reason; without a listener it would crash the worker.
  child.once('error', (err: NodeJS.ErrnoException) => (spawnError = err));
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      cleanup();
      return { ok: false, retry: TRANSIENT.has(spawnError.code ?? ''), message: `spawn failed: ${spawnError.message}` };
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      cleanup();
      const inUse = /Address already in use/i.test(output);
      return {
        ok: false,
        retry: inUse,
        message: `exited with ${child.exitCode ?? child.signalCode}: ${output.trim() || '(no output)'}`,
      };
    }
    if (await answersPing(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      cleanup();
      return {
        ok: false,
        retry: false,
        message: `did not answer PING on port ${port} within ${START_TIMEOUT_MS / 1000} s: ${output.trim() || '(no output)'}`,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    ok: true,
    server: {
      url: `redis://127.0.0.1:${port}`,
      port,
      process: child,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        cleanup();
      },
    },
  };
}

/** Whether something on the port answers a RESP PING with PONG. */
async function answersPing(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    socket.setTimeout(500, () => done(false));
  });
}
