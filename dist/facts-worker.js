import { createRequire as __rgCreateRequire } from 'node:module';
import { fileURLToPath as __rgFileURLToPath } from 'node:url';
import { dirname as __rgDirname } from 'node:path';
const require = __rgCreateRequire(import.meta.url);
const __filename = __rgFileURLToPath(import.meta.url);
const __dirname = __rgDirname(__filename);
import {
  healthWorkerFacts,
  metricsWorkerFacts,
  migrationsWorkerFacts,
  serveFactsWorker
} from "./chunk-XG5R5HQJ.js";
import "./chunk-TJK4CWLY.js";

// src/facts-worker.ts
import { parentPort } from "node:worker_threads";

// src/gates/worker-facts.ts
var WORKER_FACTS = {
  ...healthWorkerFacts,
  ...metricsWorkerFacts,
  ...migrationsWorkerFacts
};

// src/facts-worker.ts
if (!parentPort) throw new Error("facts-worker runs as a worker thread");
serveFactsWorker(parentPort, WORKER_FACTS);
