/**
 * Runs `runCheck` in a worker thread (see engine-worker.ts) with a hard time limit: past it the worker is
 * terminated, whatever it was doing, and the evaluation fails with {@link EngineTimeout}. The main
 * thread only serves the worker's snapshot reads, so webhooks and `/livez` are answered meanwhile.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../config/types.js';
import type { Waiver } from '../core/engine.js';
import type { ReadinessReport } from '../core/report.js';
import type { ChangeSet, ReadResult, Snapshot } from '../core/types.js';
import type { RepositoryConfigReader } from '../pipeline.js';
import type { Side, WireRead, WireReleases, WorkerInput, WorkerMessage } from './engine-worker.js';

/** The engine ran past its time limit and was stopped. */
export class EngineTimeout extends Error {
  override readonly name = 'EngineTimeout';
}

export interface IsolatedCheckOptions {
  changeSet: ChangeSet;
  now: Date;
  repositoryUrl?: string;
  waivers?: readonly Waiver[];
  timeoutMs: number;
  /** Reads `extends:` entries in other repositories (served on the main thread, which has the token). */
  readRepositoryConfig?: RepositoryConfigReader;
}

/**
 * The worker's entry: the compiled .js next to this file; when running from the TypeScript sources
 * (tests), a bootstrap that registers tsx and imports the .ts module.
 */
function startWorker(workerData: WorkerInput): Worker {
  const js = new URL('./engine-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  const ts = new URL('./engine-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

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

/** The report of `runCheck` computed in a worker thread, or an error; never runs longer than `timeoutMs`. */
export function runCheckIsolated(options: IsolatedCheckOptions): Promise<ReadinessReport> {
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
    now: options.now.toISOString(),
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
    ...(options.waivers ? { waivers: [...options.waivers] } : {}),
  };
  const worker = startWorker(input);
  return new Promise<ReadinessReport>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
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
          if (!settled) worker.postMessage({ id, value });
        },
        (error: unknown) => finish(() => reject(error)),
      );
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'repositoryConfig') {
        answer(m.id, options.readRepositoryConfig!(m.repository, m.path));
      } else if (m.type === 'call') {
        answer(
          m.id,
          resolveSide(changeSet, m.side).then((snapshot) => serve(snapshot, m.method, m.args)),
        );
      } else if (m.type === 'done') {
        finish(() => resolve(m.report as ReadinessReport));
      } else {
        const error =
          m.name === 'ConfigError' && Array.isArray(m.issues)
            ? new ConfigError(m.issues as ConstructorParameters<typeof ConfigError>[0])
            : Object.assign(new Error(m.message), { name: m.name });
        finish(() => reject(error));
      }
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`the analysis worker exited with code ${code} before answering`))),
    );
  });
}
