/**
 * The facts definitions a worker thread can rebuild, by id (core/facts-parallel.ts): every definition
 * marked `portable` has its factory here (test/core/facts-parallel.test.ts checks it).
 */
import type { WorkerFactory } from '../core/facts-parallel.js';
import { healthWorkerFacts } from './health/health-index.js';
import { metricsWorkerFacts } from './metrics/metric-index.js';
import { migrationsWorkerFacts } from './migrations/history.js';

export const WORKER_FACTS: Readonly<Record<string, WorkerFactory>> = {
  ...healthWorkerFacts,
  ...metricsWorkerFacts,
  ...migrationsWorkerFacts,
};
