/**
 * The entry of a facts worker thread (see core/facts-parallel.ts and facts-workers.ts): extracts the facts
 * the main thread sends, with the definitions the gates register.
 */
import { parentPort } from 'node:worker_threads';
import { serveFactsWorker, type FactsPort } from './core/facts-parallel.js';
import { WORKER_FACTS } from './gates/worker-facts.js';

if (!parentPort) throw new Error('facts-worker runs as a worker thread');
serveFactsWorker(parentPort as unknown as FactsPort, WORKER_FACTS);
