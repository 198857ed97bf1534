/**
 * Facts extracted in worker threads while the main thread extracts others: both cores on a big build.
 *
 * An index that is about to ask for the facts of many files (`IndexContext.prefetch` with `portable`
 * definitions) has the unknown ones queued here. Workers take jobs from the back of the queue, the index
 * asks from the front as before: a file it reaches that a worker is extracting is awaited, one still queued
 * is taken back and extracted here. A job is the file's text and the definition's id and variant; the
 * worker rebuilds the definition from a table the gates register (`src/gates/worker-facts.ts`), builds the
 * snapshot's module resolver from the same paths and project files as this thread's, and reads any other
 * file it consults through this thread. What comes back is adopted only when every question it recorded
 * has the same answer here (`FactsStore.adopt`), so a worker can make a check slower, never different: a
 * worker that fails, crashes or answers otherwise leaves its files to this thread.
 */
import { loadParsers } from '../lang/index.js';
import { ModuleResolver, type JsProjectConfig } from '../lang/program/modules.js';
import { SourceFileImpl } from '../lang/source-file-impl.js';
import type { Language, SourceFile } from '../lang/source-file.js';
import {
  memoKey,
  runExtraction,
  type Answers,
  type Delegated,
  type Extraction,
  type FactsDef,
  type FactsSideAccess,
  type FactsStore,
  type SideFacts,
  type UnknownFacts,
} from './facts.js';

/** Fewer unknown files than this are extracted on the main thread alone: a worker's start costs more. */
export const DEFAULT_MIN_JOBS = 200;
/** Files sent to a worker at once, and how many it may hold (so it never waits for the main thread). */
const BATCH = 8;
const IN_FLIGHT = 4 * BATCH;
/** How long the main thread may run without letting the workers' messages in, while they have jobs. */
const BREATHE_MS = 1;

/** A file as it crosses threads. */
export interface WireFile {
  path: string;
  text: string;
  language: Language;
  bytes: number;
  irregular?: string;
  blobId?: string;
}

function toWire(file: SourceFile): WireFile {
  return {
    path: file.path,
    text: file.text,
    language: file.language,
    bytes: file.bytes,
    ...(file.irregular !== undefined ? { irregular: file.irregular } : {}),
    ...(file.blobId !== undefined ? { blobId: file.blobId } : {}),
  };
}

function fromWire(wire: WireFile): SourceFile {
  const file: SourceFile = new SourceFileImpl(wire.path, wire.text, wire.language, wire.bytes, wire.irregular);
  if (wire.blobId !== undefined) file.blobId = wire.blobId;
  return file;
}

/** What the main thread sends a worker. */
export type ToWorker =
  | { type: 'side'; side: number; paths: string[]; config: JsProjectConfig }
  | { type: 'jobs'; jobs: Array<{ id: number; side: number; def: string; variant: string; file: WireFile }> }
  | { type: 'file'; id: number; file: WireFile | null };

/** What a worker sends back. */
export type FromWorker =
  | { type: 'read'; id: number; side: number; path: string }
  | { type: 'done'; id: number; extraction?: Extraction; error?: string };

/** A worker thread as the pool uses it: Node's `Worker` (or, in tests, one end of a `MessageChannel`). */
export interface FactsPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: never) => void): unknown;
  on(event: 'error' | 'exit', listener: () => void): unknown;
  off(event: 'message' | 'error' | 'exit', listener: (...args: never[]) => void): unknown;
  ref?(): void;
  unref?(): void;
  terminate?(): Promise<number>;
}

/**
 * Up to `size` worker threads for facts, started on first use and kept for the process's later checks.
 * A worker holds the process open only while it has jobs. {@link close} terminates them.
 */
export class FactsWorkerPool {
  private readonly started: FactsPort[] = [];
  /** Workers started so far, over the pool's life (a retired worker counts). */
  launched = 0;

  constructor(
    readonly size: number,
    private readonly start: () => FactsPort,
    /** The fewest unknown files worth handing to workers (default {@link DEFAULT_MIN_JOBS}). */
    readonly minJobs = DEFAULT_MIN_JOBS,
  ) {
    if (!(size >= 1)) throw new RangeError(`a facts worker pool needs at least one worker, not ${size}`);
  }

  /** @internal The workers, started now if not yet. */
  ports(): FactsPort[] {
    while (this.started.length < this.size) {
      const port = this.start();
      this.launched++;
      port.unref?.();
      // A worker that fails between evaluations (nobody listening) must not take the process down with it:
      // the next evaluation finds it gone and its files are extracted on the main thread.
      port.on('error', () => undefined);
      this.started.push(port);
    }
    return this.started;
  }

  /** Workers running now (started and not retired). */
  get alive(): number {
    return this.started.length;
  }

  /**
   * Stops the workers started so far, without waiting: their memory (a heap and the parsers' WebAssembly
   * memory each, which never shrinks) is given back before the rules run. Later evaluations start new ones.
   */
  retire(): void {
    for (const port of this.started.splice(0)) void port.terminate?.();
  }

  async close(): Promise<void> {
    await Promise.all(this.started.splice(0).map((port) => port.terminate?.()));
  }
}

let nextToken = 1;
let nextJob = 1;

interface SideState {
  token: number;
  access: FactsSideAccess;
  answers: Answers;
}

interface Job {
  id: number;
  key: string;
  item: UnknownFacts;
  side: SideState;
  state: 'queued' | 'running' | 'taken' | 'done';
  done: Promise<void>;
  resolve: () => void;
}

interface WorkerState {
  port: FactsPort;
  /** The snapshots introduced to this worker (the message that does it, once posted). */
  sides: Map<number, Promise<void>>;
  running: Map<number, Job>;
  dead: boolean;
  listeners: { message: (m: FromWorker) => void; gone: () => void };
}

/**
 * One evaluation's share of a {@link FactsWorkerPool}: the queue of delegated extractions and the answers
 * to what the workers ask. Registered on the evaluation's store, whose lookups settle a key first.
 */
export class ParallelFacts implements Delegated {
  private readonly queue: Job[] = [];
  private readonly jobs = new Map<string, Job>();
  private readonly sides = new Map<SideFacts, SideState>();
  private readonly tokens = new Map<number, SideState>();
  private workers: WorkerState[] | undefined;
  private breathed = 0;

  constructor(
    private readonly pool: FactsWorkerPool,
    private readonly store: FactsStore,
  ) {
    store.delegated = this;
  }

  /**
   * Queues the portable ones of `items` (files of `side` whose facts are unknown) for the workers, when
   * there are enough to pay for them. Returns how many were queued.
   */
  spread(side: SideFacts, items: readonly UnknownFacts[]): number {
    const portable = items.filter((i) => i.slot.def.portable === true);
    if (portable.length < this.pool.minJobs) return 0;
    let state = this.sides.get(side);
    if (!state) {
      state = { token: nextToken++, ...side.delegation() };
      this.sides.set(side, state);
      this.tokens.set(state.token, state);
    }
    let queued = 0;
    for (const item of portable) {
      const key = memoKey(item.slot, item.identity);
      if (this.jobs.has(key)) continue;
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const job: Job = { id: nextJob++, key, item, side: state, state: 'queued', done, resolve };
      this.jobs.set(key, job);
      this.queue.push(job);
      queued++;
    }
    this.workers ??= this.pool.ports().map((port) => this.attach(port));
    this.pump();
    return queued;
  }

  settle(key: string): Promise<void> | undefined {
    const job = this.jobs.get(key);
    if (!job) return this.breathe();
    if (job.state === 'queued') {
      job.state = 'taken';
      this.jobs.delete(key);
      return this.breathe();
    }
    return job.state === 'running' ? job.done : this.breathe();
  }

  /**
   * While workers have jobs, lets the event loop run every few milliseconds: an index whose files are all
   * prefetched only awaits promises that are already settled, and the workers' requests (files, results,
   * more jobs) would wait for the whole build.
   */
  private breathe(): Promise<void> | undefined {
    if (!this.workers?.some((w) => w.running.size > 0)) return undefined;
    const now = performance.now();
    if (now - this.breathed < BREATHE_MS) return undefined;
    this.breathed = now;
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** The indexes are built: stops listening to the workers and retires them (see {@link FactsWorkerPool.retire}). */
  close(): void {
    for (const w of this.workers ?? []) {
      w.port.off('message', w.listeners.message);
      w.port.off('error', w.listeners.gone);
      w.port.off('exit', w.listeners.gone);
      w.port.unref?.();
    }
    if (this.workers?.length) this.pool.retire();
    this.workers = [];
    // Whatever is still queued or running (an index that failed before asking for it) is this thread's now:
    // nothing waits for a worker that was let go.
    for (const job of this.jobs.values()) job.resolve();
    this.jobs.clear();
    this.queue.length = 0;
  }

  private attach(port: FactsPort): WorkerState {
    const w: WorkerState = {
      port,
      sides: new Map(),
      running: new Map(),
      dead: false,
      listeners: { message: (m) => this.onMessage(w, m), gone: () => this.onGone(w) },
    };
    port.on('message', w.listeners.message);
    port.on('error', w.listeners.gone);
    port.on('exit', w.listeners.gone);
    return w;
  }

  private pump(): void {
    for (const w of this.workers ?? []) {
      while (!w.dead && w.running.size < IN_FLIGHT) {
        const batch: Job[] = [];
        while (batch.length < BATCH && this.queue.length > 0) {
          const job = this.queue.pop()!;
          if (job.state === 'queued') batch.push(job);
        }
        if (batch.length === 0) return;
        for (const job of batch) {
          job.state = 'running';
          w.running.set(job.id, job);
        }
        w.port.ref?.();
        void this.send(w, batch);
      }
    }
  }

  private async send(w: WorkerState, batch: readonly Job[]): Promise<void> {
    const jobs: Extract<ToWorker, { type: 'jobs' }>['jobs'] = [];
    for (const job of batch) {
      try {
        await this.introduce(w, job.side);
        const file = await job.side.access.read(job.item.path);
        if (!file) throw new Error('unreadable');
        const { def, variant } = job.item.slot;
        if (def.cheap?.(file)) {
          // Cheaper extracted here than sent, answered and checked: given back to the main thread.
          void this.finish(w, job);
          continue;
        }
        jobs.push({ id: job.id, side: job.side.token, def: def.id, variant, file: toWire(file) });
      } catch {
        // Left to the main thread, which reports what it finds.
        void this.finish(w, job);
      }
    }
    if (jobs.length > 0 && !w.dead) w.port.postMessage({ type: 'jobs', jobs } satisfies ToWorker);
  }

  /** Tells a worker about a snapshot (its paths and project files) before its first job there. */
  private introduce(w: WorkerState, side: SideState): Promise<void> {
    let told = w.sides.get(side.token);
    if (!told) {
      told = side.access.modules().then((resolver: ModuleResolver) => {
        const { paths, config } = resolver.portable();
        w.port.postMessage({ type: 'side', side: side.token, paths, config } satisfies ToWorker);
      });
      w.sides.set(side.token, told);
    }
    return told;
  }

  private onMessage(w: WorkerState, message: FromWorker): void {
    if (message.type === 'read') void this.answerRead(w, message);
    else if (message.type === 'done') {
      const job = w.running.get(message.id);
      if (job) void this.finish(w, job, message.extraction);
    }
  }

  private async answerRead(w: WorkerState, message: Extract<FromWorker, { type: 'read' }>): Promise<void> {
    let file: SourceFile | undefined;
    try {
      file = await this.tokens.get(message.side)?.access.read(message.path);
    } catch {
      file = undefined; // the worker's answer will not hold here: the file is extracted on this thread
    }
    if (!w.dead)
      w.port.postMessage({ type: 'file', id: message.id, file: file ? toWire(file) : null } satisfies ToWorker);
  }

  private async finish(w: WorkerState, job: Job, extraction?: Extraction): Promise<void> {
    if (!w.running.delete(job.id)) return;
    try {
      if (extraction) await this.store.adopt(job.item.slot, job.item.identity, extraction, job.side.answers);
    } catch {
      // Not adopted: extracted on this thread when asked for.
    }
    job.state = 'done';
    this.jobs.delete(job.key);
    job.resolve();
    if (w.running.size === 0) w.port.unref?.();
    this.pump();
  }

  private onGone(w: WorkerState): void {
    if (w.dead) return;
    w.dead = true;
    for (const job of [...w.running.values()]) void this.finish(w, job);
  }
}

/** Rebuilds a portable definition in a worker from its variant. */
export type WorkerFactory = (variant: string, env: WorkerEnv) => FactsDef<unknown, never>;

/** What a worker's definitions work with on one snapshot. */
export interface WorkerEnv {
  /** The snapshot's module resolver, built from the main thread's paths and project files. */
  readonly resolver: ModuleResolver;
  /** Another file of the snapshot, read through the main thread (parser loaded). */
  read(path: string): Promise<SourceFile | undefined>;
  /** One value per snapshot that a gate's definitions share; `release` runs whenever the worker is idle. */
  shared<T>(key: string, make: () => T, release?: (value: T) => void): T;
}

/** The worker's end of one snapshot. */
class WorkerSide implements WorkerEnv {
  readonly resolver: ModuleResolver;
  private readonly files = new Map<string, Promise<SourceFile | undefined>>();
  private readonly defs = new Map<string, FactsDef<unknown, never>>();
  private readonly values = new Map<string, { value: unknown; release?: (value: never) => void }>();

  constructor(
    readonly token: number,
    paths: readonly string[],
    config: JsProjectConfig,
    private readonly fetch: (path: string) => Promise<WireFile | null>,
  ) {
    this.resolver = new ModuleResolver(paths, config);
  }

  /** The file of the job being extracted: the definitions read it through {@link read} too. */
  current: SourceFile | undefined;

  read(path: string): Promise<SourceFile | undefined> {
    if (path === this.current?.path) return Promise.resolve(this.current);
    let file = this.files.get(path);
    if (!file) {
      file = this.fetch(path).then(async (wire) => {
        if (!wire) return undefined;
        const f = fromWire(wire);
        await loadParsers([f.language]);
        return f;
      });
      this.files.set(path, file);
    }
    return file;
  }

  shared<T>(key: string, make: () => T, release?: (value: T) => void): T {
    let entry = this.values.get(key);
    if (!entry) this.values.set(key, (entry = { value: make(), ...(release ? { release } : {}) }));
    return entry.value as T;
  }

  def(id: string, variant: string, factories: Readonly<Record<string, WorkerFactory>>): FactsDef<unknown, never> {
    const key = `${id}\u0000${variant}`;
    let def = this.defs.get(key);
    if (!def) {
      const factory = factories[id];
      if (!factory) throw new Error(`no worker factory for facts ${id}`);
      this.defs.set(key, (def = factory(variant, this)));
    }
    return def;
  }

  /** Frees what the definitions hold between jobs (syntax trees of the files they consulted). */
  idle(): void {
    for (const { value, release } of this.values.values()) release?.(value as never);
  }

  dispose(): void {
    this.idle();
    for (const file of this.files.values()) void file.then((f) => f?.dispose());
  }
}

/** The worker's side of the protocol: answers jobs one at a time, asking the main thread for other files. */
export function serveFactsWorker(port: FactsPort, factories: Readonly<Record<string, WorkerFactory>>): void {
  const sides = new Map<number, WorkerSide>();
  const reads = new Map<number, (file: WireFile | null) => void>();
  let nextRead = 1;
  let pending = 0;
  let chain: Promise<void> = Promise.resolve();
  const post = (message: FromWorker) => port.postMessage(message);

  const run = async (job: Extract<ToWorker, { type: 'jobs' }>['jobs'][number]): Promise<void> => {
    const side = sides.get(job.side);
    const file = fromWire(job.file);
    try {
      if (!side) throw new Error(`unknown snapshot ${job.side}`);
      const def = side.def(job.def, job.variant, factories);
      await loadParsers([file.language]);
      side.current = file;
      const extraction = await runExtraction(
        def,
        undefined,
        file,
        (p) => side.read(p),
        async () => side.resolver,
      );
      post({ type: 'done', id: job.id, extraction });
    } catch (err) {
      post({ type: 'done', id: job.id, error: (err as Error).message });
    } finally {
      if (side) side.current = undefined;
      file.dispose();
      if (--pending === 0) side?.idle();
    }
  };

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'side': {
        const fetch = (path: string) =>
          new Promise<WireFile | null>((resolve) => {
            const id = nextRead++;
            reads.set(id, resolve);
            post({ type: 'read', id, side: message.side, path });
          });
        sides.set(message.side, new WorkerSide(message.side, message.paths, message.config, fetch));
        // Two snapshots (base and head) of the latest evaluation are kept; older ones are let go.
        for (const token of [...sides.keys()].sort((a, b) => a - b).slice(0, -2)) {
          sides.get(token)?.dispose();
          sides.delete(token);
        }
        break;
      }
      case 'file':
        reads.get(message.id)?.(message.file);
        reads.delete(message.id);
        break;
      case 'jobs':
        pending += message.jobs.length;
        for (const job of message.jobs) chain = chain.then(() => run(job));
        break;
    }
  });
}
