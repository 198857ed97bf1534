/**
 * The engine's analysis in a worker thread. The app's main thread keeps answering webhooks and `/livez`
 * while a pull request is analysed here, and can stop an analysis that runs past its time with
 * `worker.terminate()` — which a timer on the main thread cannot do to synchronous work. The worker
 * answers with the analysis (plain data); the main thread judges it, for each set of waivers, in
 * microseconds to milliseconds (see `judgeCheck` in pipeline.ts).
 *
 * A worker is reused (see `CheckPool` in isolated-check.ts), so the parsers it loaded serve the next
 * check too: it runs one check per `run` message, one at a time, and every message of a check carries
 * that check's job number. Answers for any other job (a late one from a previous check) are ignored.
 *
 * The worker never talks to GitHub: every snapshot read is a message to the main thread, which owns the
 * GitHub change set (its byte budget, its failure recording). Only plain data crosses.
 */
import { parentPort } from 'node:worker_threads';
import { MemoryCache } from '../core/cache.js';
import { DiskCache } from '../source/disk-cache.js';
import type { ChangedFile, ReadResult, ReleaseState, Snapshot } from '../core/types.js';
import { SourceFileImpl } from '../lang/source-file-impl.js';
import type { Language } from '../lang/source-file.js';
import { analyseCheck, type CheckAnalysis } from '../pipeline.js';

/** What the main thread hands the worker for one check. */
export interface WorkerInput {
  baseSha: string;
  headSha: string;
  /** The base branch's tip, where policy is read (absent: the base itself). */
  policySha?: string;
  /** Whether `extends:` entries naming other repositories can be read (through the main thread). */
  remoteConfig?: boolean;
  baseRef: string;
  headRef: string;
  files: ChangedFile[];
  unlisted?: string;
  repositoryUrl?: string;
}

/** A read result that can be posted: a decoded file as its text and facts. */
export type WireRead =
  | { ok: true; file: { path: string; text: string; language: Language; bytes: number; irregular?: string } }
  | Extract<ReadResult, { ok: false }>;

/** What a check asks the main thread for. */
export type WorkerRequest =
  | { type: 'call'; id: number; side: Side; method: SnapshotMethod; args: unknown[] }
  | { type: 'repositoryConfig'; id: number; repository: { owner: string; repo: string; ref?: string }; path: string };

/** Messages from the worker; `job` is the check they belong to. */
export type WorkerMessage = { job: number } & (
  | WorkerRequest
  | { type: 'done'; analysis: CheckAnalysis }
  | { type: 'error'; name: string; message: string; issues?: unknown }
);

/** Messages to the worker: start a check, or the answer to one of its requests. */
export type MainMessage =
  { type: 'run'; job: number; input: WorkerInput } | { type: 'answer'; job: number; id: number; value: unknown };

/** The snapshots the main thread serves: the change set's, and the released snapshot of each. */
export type Side = 'base' | 'head' | 'policy' | `${'base' | 'head' | 'policy'}:released`;

/** The snapshot methods the main thread serves. */
export type SnapshotMethod = 'list' | 'read' | 'grep' | 'has' | 'releases';

/** `releases()` as it crosses threads: the released snapshot as its commit (served as `<side>:released`). */
export type WireReleases = { refs: string[]; releasedSha?: string } | null;

const port = parentPort;

/**
 * Per-file facts this worker learnt, kept for its next evaluations (workers are reused): the files a pull
 * request did not change are the same blobs on its next push and on the other pull requests of the
 * repository. Keyed by path and content, so nothing of one repository is served to another that does
 * not hold the same file. Bounded by READINESS_FACTS_CACHE_MB (default 64; 0 keeps nothing). With
 * READINESS_FACTS_CACHE_DIR the facts are kept on disk there (the CLI's format), saved after every
 * evaluation that added some, and a restarted App starts from them: the workers of one process share the
 * file (each loads it when it starts; the last to save keeps its view, a cache may lose entries, never
 * serve wrong ones).
 */
const factsCacheMb = Number(process.env['READINESS_FACTS_CACHE_MB'] ?? '64');
const factsCacheDir = process.env['READINESS_FACTS_CACHE_DIR'];
const cacheBytes = Number.isFinite(factsCacheMb) && factsCacheMb > 0 ? factsCacheMb * 1024 * 1024 : 0;
const cache: MemoryCache | DiskCache | undefined =
  cacheBytes === 0 ? undefined : factsCacheDir ? new DiskCache(factsCacheDir, cacheBytes) : new MemoryCache(cacheBytes);

/** After an evaluation: a disk store writes what it learnt and lets go of the values it deserialised. */
function endRun(): void {
  if (!(cache instanceof DiskCache)) return;
  cache.save();
  cache.endRun();
}

if (port) {
  /** The running check: its job number and its unanswered requests. */
  let current: { job: number; pending: Map<number, (value: unknown) => void> } | undefined;
  port.on('message', (m: MainMessage) => {
    if (m.type === 'run') {
      current = { job: m.job, pending: new Map() };
      run(m.job, m.input, current.pending);
    } else if (m.job === current?.job) {
      current.pending.get(m.id)?.(m.value);
      current.pending.delete(m.id);
    }
  });
}

/** Runs one check; its requests and its result carry `job`. */
function run(job: number, input: WorkerInput, pending: Map<number, (value: unknown) => void>): void {
  const out = port!;
  let next = 0;
  const ask = <T>(message: (id: number) => WorkerRequest): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = next++;
      pending.set(id, resolve as (value: unknown) => void);
      out.postMessage({ ...message(id), job } satisfies WorkerMessage);
    });
  const call = <T>(side: Side, method: SnapshotMethod, args: unknown[]): Promise<T> =>
    ask<T>((id) => ({ type: 'call', id, side, method, args }));

  const snapshot = (side: Side, sha: string): Snapshot => {
    const reads = new Map<string, Promise<ReadResult>>();
    let releases: Promise<ReleaseState | undefined> | undefined;
    const self: Snapshot = {
      sha,
      list: (globs) => call<string[]>(side, 'list', [globs]),
      grep: (tokens, globs) => call<string[]>(side, 'grep', [tokens, globs]),
      has: (path) => call<boolean>(side, 'has', [path]),
      read(path) {
        let r = reads.get(path);
        if (!r) {
          r = call<WireRead>(side, 'read', [path]).then((w) =>
            w.ok
              ? {
                  ok: true as const,
                  file: new SourceFileImpl(w.file.path, w.file.text, w.file.language, w.file.bytes, w.file.irregular),
                }
              : w,
          );
          reads.set(path, r);
        }
        return r;
      },
      releases() {
        // Only base, head and policy are asked; a released snapshot answers "unknown" about its own releases.
        if (side.endsWith(':released')) return Promise.resolve(undefined);
        releases ??= call<WireReleases>(side, 'releases', []).then((w): ReleaseState | undefined => {
          if (!w) return undefined;
          if (w.releasedSha === undefined) return { refs: w.refs };
          const released = w.releasedSha === sha ? self : snapshot(`${side}:released` as Side, w.releasedSha);
          return { refs: w.refs, released };
        });
        return releases;
      },
    };
    return self;
  };

  analyseCheck({
    changeSet: {
      base: snapshot('base', input.baseSha),
      head: snapshot('head', input.headSha),
      ...(input.policySha ? { policy: snapshot('policy', input.policySha) } : {}),
      baseRef: input.baseRef,
      headRef: input.headRef,
      files: input.files,
      ...(input.unlisted ? { unlisted: input.unlisted } : {}),
    },
    ...(input.remoteConfig
      ? {
          readRepositoryConfig: (repository, path) =>
            ask<string | undefined>((id) => ({ type: 'repositoryConfig', id, repository, path })),
        }
      : {}),
    ...(input.repositoryUrl ? { repositoryUrl: input.repositoryUrl } : {}),
    ...(cache ? { cache } : {}),
  }).then(
    (analysis) => {
      endRun();
      out.postMessage({ type: 'done', job, analysis } satisfies WorkerMessage);
    },
    (error: unknown) => {
      endRun();
      const e = error as { name?: string; message?: string; issues?: unknown };
      out.postMessage({
        type: 'error',
        job,
        name: e.name ?? 'Error',
        message: e.message ?? String(error),
        ...(e.issues ? { issues: e.issues } : {}),
      } satisfies WorkerMessage);
    },
  );
}
