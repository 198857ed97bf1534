/**
 * Starting a worker thread from a module of this package, wherever it runs from: the compiled (or bundled)
 * `.js` beside the caller, or, when running from the TypeScript sources (tests), a bootstrap that registers
 * tsx and imports the `.ts` module of the same name.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker running the module `js` (`new URL('./x.js', import.meta.url)` of the caller). */
export function startWorkerModule(js: URL, options: WorkerOptions = {}): Worker {
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = js.href.replace(/\.js$/, '.ts');
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
