/**
 * Runs `analyseCheck` in a worker thread (see engine-worker.ts) with a hard time limit: past it the worker
 * is terminated, whatever it was doing, and the evaluation fails with {@link EngineTimeout}. The main
 * thread only serves the worker's snapshot reads, so webhooks and `/livez` are answered meanwhile, and
 * judges the analysis the worker answers with (`judgeCheck`: pure, fast, as often as waivers need).
 *
 * Workers come from a {@link CheckPool} and are reused: starting one loads the WASM parsers again, which
 * costs more than most checks. A worker runs one check at a time; a check that ends any other way than
 * by the worker's own answer (time limit, a failed read, a crash) terminates that worker only, and the
 * pool starts a new one when it is next needed.
 */
import type { Worker } from 'node:worker_threads';
import { ConfigError } from '../config/types.js';
import type { Waiver } from '../core/engine.js';
import type { ReadinessReport } from '../core/report.js';
import type { ChangeSet, ReadResult, Snapshot } from '../core/types.js';
import { judgeCheck, type CheckAnalysis, type RepositoryConfigReader } from '../pipeline.js';
import { startWorkerModule } from '../worker-start.js';
import type { MainMessage, Side, WireRead, WireReleases, WorkerInput, WorkerMessage } from './engine-worker.js';

/** The engine ran past its time limit and was stopped. */
export class EngineTimeout extends Error {
  override readonly name = 'EngineTimeout';
}

export interface IsolatedAnalysisOptions {
  changeSet: ChangeSet;
  repositoryUrl?: string;
  timeoutMs: number;
  /** Reads `extends:` entries in other repositories (served on the main thread, which has the token). */
  readRepositoryConfig?: RepositoryConfigReader;
  /** The workers to run in (absent: a process-wide pool of {@link DEFAULT_POOL_SIZE}). */
  pool?: CheckPool;
}

export interface IsolatedCheckOptions extends IsolatedAnalysisOptions {
  now: Date;
  waivers?: readonly Waiver[];
}

/** The worker's entry: engine-worker.js next to this file (see {@link startWorkerModule}). */
export function startEngineWorker(): Worker {
  return startWorkerModule(new URL('./engine-worker.js', import.meta.url));
}

/** Workers kept when no pool is given: the app's default `READINESS_CONCURRENCY`. */
export const DEFAULT_POOL_SIZE = 4;

/**
 * At most `size` engine workers, each running one check at a time and reused for the next. The app
 * sizes it to the number of evaluations it runs at once (`READINESS_CONCURRENCY`, which bounds both the
 * in-process queue and the Redis worker), so a check normally finds a worker free there; beyond `size`,
 * checks wait in order. An idle worker does not keep the process alive (`unref`); {@link close}
 * terminates them all.
 */
export class CheckPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private readonly waiting: Array<{ resolve: (worker: Worker) => void; reject: (error: Error) => void }> = [];
  private closed = false;
  /** Workers started so far (a reused worker counts once). */
  started = 0;

  constructor(
    readonly size: number,
    private readonly start: () => Worker = startEngineWorker,
  ) {
    if (!(size >= 1)) throw new RangeError(`a check pool needs at least one worker, not ${size}`);
  }

  /** A worker for one check: an idle one, a new one while fewer than `size` exist, or the next released. */
  acquire(): Promise<Worker> {
    if (this.closed) return Promise.reject(new Error('the analysis worker pool is closed'));
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(this.take(idle));
    if (this.busy.size < this.size) return Promise.resolve(this.take(this.spawn()));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Gives back a worker whose check ended with its own answer: it serves the next check. */
  release(worker: Worker): void {
    if (!this.busy.delete(worker)) return;
    if (this.closed) {
      void worker.terminate();
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next.resolve(this.take(worker));
      return;
    }
    worker.unref();
    this.idle.push(worker);
  }

  /** Terminates a worker (timed out, crashed, or left mid-check); a waiting check gets a new one. */
  discard(worker: Worker): void {
    this.forget(worker);
    void worker.terminate();
    const next = this.waiting.shift();
    if (next && !this.closed) next.resolve(this.take(this.spawn()));
  }

  /**
   * Terminates the idle workers, and each busy one as its check ends: a check still running past the
   * shutdown grace period is left to finish or time out as before (its job is not failed by shutdown).
   * Checks still waiting for a worker fail.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const { reject } of this.waiting.splice(0)) reject(new Error('the analysis worker pool is closed'));
    await Promise.all(this.idle.splice(0).map((worker) => worker.terminate()));
  }

  private spawn(): Worker {
    const worker = this.start();
    this.started++;
    // An idle worker that dies (it should not) leaves the pool; a busy one's check sees the exit.
    worker.on('error', () => undefined);
    worker.on('exit', () => this.forget(worker));
    return worker;
  }

  private take(worker: Worker): Worker {
    this.busy.add(worker);
    worker.ref();
    return worker;
  }

  private forget(worker: Worker): void {
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
  }
}

let shared: CheckPool | undefined;
/** The pool used when a check names none, started on first use. */
function sharedPool(): CheckPool {
  return (shared ??= new CheckPool(DEFAULT_POOL_SIZE));
}

/** Tags checks, so an answer to or from a previous check on the same worker is told apart. */
let jobs = 0;

function toWire(result: ReadResult): WireRead {
  if (!result.ok) return result;
  const { path, text, language, bytes, irregular } = result.file;
  return { ok: true, file: { path, text, language, bytes, ...(irregular !== undefined ? { irregular } : {}) } };
}

async function serve(snapshot: Snapshot, method: string, args: unknown[]): Promise<unknown> {
  switch (method) {
    case 'list':
      return snapshot.list(args[0] as string[] | undefined);
    case 'grep':
      return snapshot.grep(args[0] as string[], args[1] as string[] | undefined);
    case 'has':
      return snapshot.has(args[0] as string);
    case 'read':
      return toWire(await snapshot.read(args[0] as string));
    case 'releases': {
      const state = snapshot.releases ? await snapshot.releases() : undefined;
      const wire: WireReleases = state
        ? { refs: [...state.refs], ...(state.released ? { releasedSha: state.released.sha } : {}) }
        : null;
      return wire;
    }
    default:
      throw new Error(`unknown snapshot method ${method}`);
  }
}

function snapshotFor(changeSet: ChangeSet, side: 'base' | 'head' | 'policy'): Snapshot {
  if (side === 'policy') return changeSet.policy ?? changeSet.base;
  return side === 'base' ? changeSet.base : changeSet.head;
}

/** The snapshot a side names; a `<side>:released` one is the released snapshot that side's `releases()` answered. */
async function resolveSide(changeSet: ChangeSet, side: Side): Promise<Snapshot> {
  const [of, released] = side.split(':') as ['base' | 'head' | 'policy', string | undefined];
  const snapshot = snapshotFor(changeSet, of);
  if (!released) return snapshot;
  const state = snapshot.releases ? await snapshot.releases() : undefined;
  if (!state?.released) throw new Error(`the ${of} snapshot has no released snapshot to read`);
  return state.released;
}

/** The report of `runCheck`: analysed in a worker thread ({@link analyseIsolated}), judged here. */
export async function runCheckIsolated(options: IsolatedCheckOptions): Promise<ReadinessReport> {
  const checked = await analyseIsolated(options);
  return judgeCheck(checked, { now: options.now, ...(options.waivers ? { waivers: options.waivers } : {}) });
}

/** The analysis of `analyseCheck` computed in a worker thread, or an error; never runs longer than `timeoutMs` once it has a worker. */
export async function analyseIsolated(options: IsolatedAnalysisOptions): Promise<CheckAnalysis> {
  const { changeSet } = options;
  const input: WorkerInput = {
    baseSha: changeSet.base.sha,
    headSha: changeSet.head.sha,
    ...(changeSet.policy ? { policySha: changeSet.policy.sha } : {}),
    ...(options.readRepositoryConfig ? { remoteConfig: true } : {}),
    baseRef: changeSet.baseRef,
    headRef: changeSet.headRef,
    files: changeSet.files,
    ...(changeSet.unlisted ? { unlisted: changeSet.unlisted } : {}),
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
  };
  const pool = options.pool ?? sharedPool();
  const worker = await pool.acquire();
  const job = ++jobs;
  return new Promise<CheckAnalysis>((resolve, reject) => {
    let settled = false;
    /** Ends the check; `reusable` when the worker answered it and is free for the next one. */
    const finish = (reusable: boolean, fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reusable) pool.release(worker);
      else pool.discard(worker);
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(false, () =>
          reject(
            new EngineTimeout(
              `The analysis took longer than ${Math.round(options.timeoutMs / 1000)} s (READINESS_EVALUATION_TIMEOUT_MS) and was stopped.`,
            ),
          ),
        ),
      options.timeoutMs,
    );
    const answer = (id: number, work: Promise<unknown>) =>
      work.then(
        (value) => {
          if (!settled) worker.postMessage({ type: 'answer', job, id, value } satisfies MainMessage);
        },
        // The worker still waits for this answer: it is not reused.
        (error: unknown) => finish(false, () => reject(error)),
      );
    const onMessage = (m: WorkerMessage) => {
      if (m.job !== job) return; // a late message from a previous check on this worker
      if (m.type === 'repositoryConfig') {
        answer(m.id, options.readRepositoryConfig!(m.repository, m.path));
      } else if (m.type === 'call') {
        answer(
          m.id,
          resolveSide(changeSet, m.side).then((snapshot) => serve(snapshot, m.method, m.args)),
        );
      } else if (m.type === 'done') {
        finish(true, () => resolve(m.analysis));
      } else {
        const error =
          m.name === 'ConfigError' && Array.isArray(m.issues)
            ? new ConfigError(m.issues as ConstructorParameters<typeof ConfigError>[0])
            : Object.assign(new Error(m.message), { name: m.name });
        finish(true, () => reject(error));
      }
    };
    const onError = (error: Error) => finish(false, () => reject(error));
    const onExit = (code: number) =>
      finish(false, () => reject(new Error(`the analysis worker exited with code ${code} before answering`)));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'run', job, input } satisfies MainMessage);
  });
}
