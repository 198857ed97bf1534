/**
 * Running git: one-shot commands, streamed commands, and the long-running `git cat-file --batch` reader.
 *
 * Every command runs at the repository's top level with the same pinned options, so user configuration
 * (quoted paths, colours, external diff drivers) cannot change what the parsers see.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SourceError } from './errors.js';

/** Options every git invocation gets: unquoted UTF-8 paths and no fsmonitor hooks (they may run repo code). */
const PINNED_CONFIG = ['-c', 'core.quotePath=false', '-c', 'core.fsmonitor=false', '-c', 'core.untrackedCache=false'];

function gitEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    // Never wait for credentials or take the index lock: this is a read-only, non-interactive tool.
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    // Stable English messages, so the hints below can recognise them.
    LC_ALL: 'C',
    LANGUAGE: 'C',
  };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Turns a spawn failure into a SourceError a user can act on. */
function spawnError(err: NodeJS.ErrnoException, cwd: string): SourceError {
  if (err.code === 'ENOENT') {
    return new SourceError(
      `could not run git in ${cwd}: ${err.message}`,
      'install git and make sure it is on PATH, and that the directory exists',
      { cause: err },
    );
  }
  return new SourceError(`could not run git in ${cwd}: ${err.message}`, undefined, { cause: err });
}

/** A hint for well-known git failures, or undefined. */
export function hintFor(stderr: string, cwd: string): string | undefined {
  if (/dubious ownership/i.test(stderr)) {
    return `mark the checkout as safe: git config --global --add safe.directory '${cwd}'`;
  }
  if (/not a git repository/i.test(stderr)) {
    return 'run inside a git checkout, or pass the checkout directory';
  }
  return undefined;
}

/**
 * Runs `git <args>` in `cwd` and collects its output (no buffer limit). Exit codes listed in `okCodes`
 * (default: 0) are returned; any other code throws a SourceError quoting git's message.
 */
export function runGit(
  cwd: string,
  args: readonly string[],
  opts: { input?: string | Buffer; okCodes?: readonly number[]; env?: NodeJS.ProcessEnv } = {},
): Promise<GitResult> {
  const okCodes = opts.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...PINNED_CONFIG, ...args], {
      cwd,
      env: gitEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // EPIPE when git exits before reading all input is reported through the exit code instead.
    child.stdin.on('error', () => {});
    child.on('error', (e) => reject(spawnError(e, cwd)));
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const result = { code: code ?? -1, stdout: Buffer.concat(out), stderr };
      if (okCodes.includes(result.code)) return resolve(result);
      reject(
        new SourceError(
          `git ${args.join(' ')} failed (${signal ? `signal ${signal}` : `exit ${code}`}): ${stderr.trim() || 'no message'}`,
          hintFor(stderr, cwd),
        ),
      );
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Runs `git <args>` and hands stdout to `onData` chunk by chunk, for outputs too large to hold twice
 * (the diff of a 3,000-file pull request). Resolves when git exits with 0.
 */
export function streamGit(cwd: string, args: readonly string[], onData: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...PINNED_CONFIG, ...args], { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    let failure: unknown;
    child.stdout.on('data', (c: Buffer) => {
      if (failure !== undefined) return;
      try {
        onData(c);
      } catch (e) {
        // A parser error: stop feeding it and report once git is gone.
        failure = e;
        child.kill();
      }
    });
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(spawnError(e, cwd)));
    child.on('close', (code, signal) => {
      if (failure !== undefined) return reject(failure);
      if (code === 0) return resolve();
      const stderr = Buffer.concat(err).toString('utf8');
      reject(
        new SourceError(
          `git ${args.join(' ')} failed (${signal ? `signal ${signal}` : `exit ${code}`}): ${stderr.trim() || 'no message'}`,
          hintFor(stderr, cwd),
        ),
      );
    });
  });
}

interface PendingRead {
  resolve: (bytes: Buffer | undefined) => void;
  reject: (err: unknown) => void;
}

interface RefCounted {
  ref?(): void;
  unref?(): void;
}

/**
 * One long-running `git cat-file --batch` per repository: requests are object ids written to its stdin,
 * answers come back in order, so thousands of reads cost one process and no per-file spawn.
 *
 * Lifetime: the process starts on the first read and is *unreferenced while idle*, so a CLI that forgets
 * to call {@link CatFileBatch.close} still exits; while reads are pending it is referenced, so Node does
 * not exit under an unsettled read. `close()` ends it deterministically (after answering pending reads).
 * A read after close starts a new process. If git dies, its pending reads reject and the next read
 * starts a new process.
 */
export class CatFileBatch {
  private session: BatchSession | undefined;

  constructor(private readonly cwd: string) {}

  /** The raw bytes of the object with id `oid`, or undefined when the repository does not have it. */
  read(oid: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(oid)) {
      return Promise.reject(new SourceError(`not an object id: ${JSON.stringify(oid)}`));
    }
    if (!this.session || !this.session.open) this.session = new BatchSession(this.cwd);
    return this.session.request(oid);
  }

  /** Ends the process after it answers every pending read; resolves when it has exited. Idempotent. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await session.close();
  }

  /** True while a process is running (for tests). */
  get running(): boolean {
    return this.session?.open ?? false;
  }
}

/** One cat-file process, its request queue and the parser state of its answer stream. */
class BatchSession {
  /** False once stdin was ended or the process died; a closed session takes no new requests. */
  open = true;
  private readonly child: ChildProcess;
  private readonly stdin: Writable;
  private readonly exited: Promise<void>;
  private queue: PendingRead[] = [];
  // Parser state: collecting a header line, filling a blob body, or skipping the "\n" after a body.
  private header: Buffer[] = [];
  private body: Buffer | undefined;
  private bodyFilled = 0;
  private trailer = 0;
  /** Writes are being held until the end of this tick. */
  private corked = false;

  constructor(private readonly cwd: string) {
    const child = spawn('git', [...PINNED_CONFIG, 'cat-file', '--batch'], {
      cwd,
      env: gitEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stdin = child.stdin!;
    const stdout = child.stdout as Readable;
    const stderrChunks: Buffer[] = [];
    this.stdin.on('error', () => {}); // EPIPE after a crash is reported through 'close'
    stdout.on('data', (chunk: Buffer) => {
      try {
        this.consume(chunk);
      } catch (err) {
        this.fail(err);
        child.kill();
      }
    });
    child.stderr!.on('data', (c: Buffer) => stderrChunks.push(c));
    this.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.open = false;
        this.fail(spawnError(err, cwd));
        resolve();
      });
      child.on('close', (code, signal) => {
        this.open = false;
        const msg = Buffer.concat(stderrChunks).toString('utf8').trim();
        this.fail(
          new SourceError(
            `git cat-file --batch ended (${signal ? `signal ${signal}` : `exit ${code}`}) before answering: ${msg || 'no message'}`,
          ),
        );
        resolve();
      });
    });
    this.setReferenced(false);
  }

  request(oid: string): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      if (this.queue.length === 1) this.setReferenced(true);
      // The requests of one tick (a prefetch asks for hundreds) go to git in one write, not one each.
      if (!this.corked) {
        this.corked = true;
        this.stdin.cork();
        process.nextTick(() => {
          this.corked = false;
          this.stdin.uncork();
        });
      }
      this.stdin.write(`${oid}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.open) {
      this.open = false;
      this.stdin.end();
    }
    // Waiting for the exit must keep Node alive; an unreferenced child would let a top-level
    // `await close()` end the process with exit code 13 (unsettled top-level await).
    this.setReferenced(true);
    await this.exited;
  }

  private setReferenced(on: boolean): void {
    const child = this.child;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<RefCounted | null>) {
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  private fail(err: unknown): void {
    const pending = this.queue;
    this.queue = [];
    for (const p of pending) p.reject(err);
  }

  private settle(bytes: Buffer | undefined): void {
    const p = this.queue.shift();
    if (!p) throw new SourceError('git cat-file --batch answered a request that was never made');
    if (this.queue.length === 0) this.setReferenced(false);
    p.resolve(bytes);
  }

  /** Feeds answer bytes through the header → body → trailer state machine. */
  private consume(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.trailer > 0) {
        const skip = Math.min(this.trailer, chunk.length - pos);
        this.trailer -= skip;
        pos += skip;
        continue;
      }
      if (this.body) {
        const take = Math.min(this.body.length - this.bodyFilled, chunk.length - pos);
        chunk.copy(this.body, this.bodyFilled, pos, pos + take);
        this.bodyFilled += take;
        pos += take;
        if (this.bodyFilled === this.body.length) {
          const done = this.body;
          this.body = undefined;
          this.trailer = 1;
          this.settle(done);
        }
        continue;
      }
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) {
        this.header.push(chunk.subarray(pos));
        return;
      }
      this.header.push(chunk.subarray(pos, nl));
      pos = nl + 1;
      const line = Buffer.concat(this.header).toString('utf8');
      this.header = [];
      this.onHeader(line);
    }
  }

  private onHeader(line: string): void {
    // "<oid> <type> <size>", or "<oid> missing" (also "ambiguous", which full ids cannot be).
    const parts = line.split(' ');
    if (parts.length === 3) {
      const size = Number(parts[2]);
      if (!Number.isSafeInteger(size) || size < 0)
        throw new SourceError(`git cat-file --batch: bad header ${JSON.stringify(line)}`);
      if (size === 0) {
        this.trailer = 1;
        this.settle(Buffer.alloc(0));
      } else {
        this.body = Buffer.allocUnsafe(size);
        this.bodyFilled = 0;
      }
      return;
    }
    if (parts.length === 2 && (parts[1] === 'missing' || parts[1] === 'ambiguous')) {
      this.settle(undefined);
      return;
    }
    throw new SourceError(`git cat-file --batch: unexpected answer ${JSON.stringify(line)} (in ${this.cwd})`);
  }
}
