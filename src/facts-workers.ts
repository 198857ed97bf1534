/**
 * Worker threads for the facts stage, as the CLI and the Action start them: `cores − 1` workers (at most
 * {@link MAX_FACTS_WORKERS}), none on a single core. The app does not use them: it already runs checks in
 * parallel workers.
 */
import { availableParallelism } from 'node:os';
import { FactsWorkerPool, type FactsPort } from './core/facts-parallel.js';
import { startWorkerModule } from './worker-start.js';

/**
 * A worker's JavaScript heap: past it the worker dies (a file no extraction should need that much for), and
 * its files are extracted on the main thread, which reports what it finds.
 */
const LIMITS = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 8 };

/** More workers than this wait on the main thread, which reads every file they extract. */
export const MAX_FACTS_WORKERS = 3;

/** The workers to use when not told: one per core beyond the main thread's, at most {@link MAX_FACTS_WORKERS}. */
export function defaultFactsWorkers(): number {
  return Math.min(MAX_FACTS_WORKERS, Math.max(0, availableParallelism() - 1));
}

/** A facts worker: facts-worker.js beside this module (see {@link startWorkerModule}). */
export function startFactsWorker(): FactsPort {
  return startWorkerModule(new URL('./facts-worker.js', import.meta.url), {
    resourceLimits: LIMITS,
  }) as unknown as FactsPort;
}

/** A pool of `size` facts workers (default {@link defaultFactsWorkers}); undefined for none. */
export function factsWorkerPool(size = defaultFactsWorkers(), minJobs?: number): FactsWorkerPool | undefined {
  return size >= 1 ? new FactsWorkerPool(size, startFactsWorker, minJobs) : undefined;
}

/**
 * The pool `READINESS_WORKERS` asks for: that many workers (`0`: none), or the default when unset. Throws a
 * RangeError naming the variable for anything else.
 */
export function factsWorkersFromEnv(env: Record<string, string | undefined>): FactsWorkerPool | undefined {
  const raw = env.READINESS_WORKERS;
  if (raw === undefined || raw === '') return factsWorkerPool();
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n > 64)
    throw new RangeError(`READINESS_WORKERS must be a whole number of worker threads from 0 to 64; got "${raw}"`);
  return factsWorkerPool(n);
}
