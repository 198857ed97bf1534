/**
 * Facts extracted in worker threads (core/facts-parallel.ts): the analysis is the same with workers as
 * without, whatever the workers do — extract, fail, crash, or answer otherwise than the main thread would.
 * Most tests run the worker's side of the protocol in this thread over a real MessageChannel (structured
 * clone, asynchronous delivery), so what crosses can be counted and tampered with; one runs real worker
 * threads started the way the CLI starts them.
 */
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/loader.js';
import { analyse, type Analysis } from '../../src/core/engine.js';
import {
  FactsWorkerPool,
  serveFactsWorker,
  type FactsPort,
  type FromWorker,
  type ToWorker,
} from '../../src/core/facts-parallel.js';
import { GATES } from '../../src/gates/index.js';
import { WORKER_FACTS } from '../../src/gates/worker-facts.js';
import { factsWorkerPool, factsWorkersFromEnv } from '../../src/facts-workers.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { readTree } from '../support/rule-harness.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/rules/health/liveness-checks-dependencies/handler-changed');

/**
 * A service whose liveness probe's handler pings the database (a health blocker the PR adds), with route
 * modules that import a helper (so their facts record module lookups), Next.js and Remix route modules (file
 * routes), and a metric registered twice by the PR.
 */
function service(): { base: Record<string, string | Uint8Array>; head: Record<string, string | Uint8Array> } {
  const shared: Record<string, string> = {
    'src/lib/respond.ts': "// @ts-nocheck\nexport function ok(res) {\n  res.send('ok');\n}\n",
  };
  for (let i = 0; i < 24; i++) {
    shared[`src/routes/r${i}.ts`] =
      `// @ts-nocheck\nimport type { Express } from 'express';\nimport { ok } from '../lib/respond';\nexport function r${i}(app: Express): void {\n  app.get('/r${i}', (_req, res) => ok(res));\n}\n`;
    // Remix route modules: those without a loader serve nothing and are never parsed (nor sent to a worker).
    shared[`app/routes/page${i}.tsx`] = `export default function Page${i}() {\n  return null;\n}\n`;
    shared[`app/routes/api.r${i}.tsx`] = `export async function loader() {\n  return new Response('ok');\n}\n`;
    shared[`src/app/api/n${i}/route.ts`] =
      `import { ok } from '../../../lib/respond';\nexport async function GET() {\n  return new Response(String(ok));\n}\n`;
  }
  const metric =
    "import client from 'prom-client';\nexport const jobs = new client.Counter({ name: 'jobs_total', help: 'jobs' });\n";
  return {
    base: { ...readTree(join(FIXTURE, 'before')), ...shared, 'src/metrics.ts': metric },
    head: {
      ...readTree(join(FIXTURE, 'after')),
      ...shared,
      'src/metrics.ts': `${metric}export const runs = new client.Counter({ name: 'jobs_total', help: 'runs' });\n`,
    },
  };
}

const config = parseConfig('', '.github/readiness.yml', GATES);

/** The analysis, and apart from it how many files' facts workers extracted. */
async function run(
  workers?: FactsWorkerPool,
  fillCache = false,
): Promise<{ analysis: Omit<Analysis, 'factsFromWorkers'>; fromWorkers: number }> {
  const { factsFromWorkers, ...analysis } = await analyse({
    changeSet: memoryChangeSet(service()),
    config,
    gates: GATES,
    ...(workers ? { workers } : {}),
    ...(fillCache ? { fillCache: true } : {}),
  });
  return { analysis, fromWorkers: factsFromWorkers };
}

/**
 * One end of a MessageChannel whose other end runs the worker's side in this thread. Records what crosses;
 * `tamper` may change or drop (undefined) what the worker answers before the main thread sees it.
 */
class ChannelWorker implements FactsPort {
  readonly sent: ToWorker[] = [];
  readonly answered: FromWorker[] = [];
  private readonly port: MessagePort;
  private readonly other: MessagePort;
  private readonly wrapped = new Map<unknown, (m: FromWorker) => void>();
  private readonly gone: Array<() => void> = [];

  constructor(private readonly tamper: (m: FromWorker) => FromWorker | undefined = (m) => m) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.other = port2;
    serveFactsWorker(port2 as unknown as FactsPort, WORKER_FACTS);
  }

  postMessage(message: unknown): void {
    this.sent.push(message as ToWorker);
    this.port.postMessage(message);
  }

  on(event: 'message' | 'error' | 'exit', listener: (...args: never[]) => void): this {
    if (event === 'message') {
      const wrapped = (m: FromWorker) => {
        const t = this.tamper(m);
        if (!t) return;
        this.answered.push(t);
        (listener as (m: FromWorker) => void)(t);
      };
      this.wrapped.set(listener, wrapped);
      this.port.on('message', wrapped);
    } else this.gone.push(listener as () => void);
    return this;
  }

  off(event: 'message' | 'error' | 'exit', listener: (...args: never[]) => void): this {
    if (event === 'message') this.port.off('message', this.wrapped.get(listener)!);
    return this;
  }

  /** The worker dies: nothing more comes from it. */
  crash(): void {
    this.port.removeAllListeners('message');
    for (const l of this.gone) l();
  }

  async terminate(): Promise<number> {
    this.port.close();
    this.other.close();
    return 0;
  }

  /** The definitions of the jobs sent, and how many jobs the worker answered with facts. */
  get jobDefs(): Set<string> {
    return new Set(this.sent.flatMap((m) => (m.type === 'jobs' ? m.jobs.map((j) => j.def) : [])));
  }
  get extracted(): number {
    return this.answered.filter((m) => m.type === 'done' && m.extraction).length;
  }
}

function channelPool(make: () => ChannelWorker = () => new ChannelWorker()) {
  const workers: ChannelWorker[] = [];
  const pool = new FactsWorkerPool(
    1,
    () => {
      const w = make();
      workers.push(w);
      return w;
    },
    1,
  );
  return { pool, workers };
}

const pools: FactsWorkerPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('facts extracted in worker threads', () => {
  it('give the analysis the main thread alone gives, with files extracted by the worker', async () => {
    const alone = await run();
    expect(alone.fromWorkers).toBe(0);
    expect(alone.analysis.findings.some((f) => f.ruleId.startsWith('health/') && !f.atBase)).toBe(true);
    expect(alone.analysis.findings.some((f) => f.ruleId.startsWith('metrics/'))).toBe(true);
    for (const fill of [false, true]) {
      const { pool, workers } = channelPool();
      pools.push(pool);
      const parallel = await run(pool, fill);
      expect(parallel.analysis).toEqual((fill ? await run(undefined, true) : alone).analysis);
      const [worker] = workers;
      expect(worker!.extracted).toBeGreaterThan(0);
      expect(parallel.fromWorkers).toBe(worker!.extracted);
      // A route module that cannot serve anything costs less here than sent: the worker never gets one.
      const sentRoutes = worker!.sent.flatMap((m) =>
        m.type === 'jobs' ? m.jobs.filter((j) => j.file.path.startsWith('app/routes/')) : [],
      );
      expect(sentRoutes.length).toBeGreaterThan(0);
      expect(sentRoutes.filter((j) => !j.file.text.includes('loader'))).toEqual([]);
      expect(worker!.jobDefs).toEqual(
        new Set(
          fill
            ? ['health/file-facts', 'health/file-routes', 'metrics/file-facts']
            : ['health/file-facts', 'health/file-routes'],
        ),
      );
    }
  });

  it('every definition sent to a worker has a factory there, and one without is left to the main thread', async () => {
    const { pool, workers } = channelPool();
    pools.push(pool);
    await run(pool, true);
    for (const id of workers[0]!.jobDefs) expect(Object.keys(WORKER_FACTS)).toContain(id);

    // The worker's side answers a definition it cannot rebuild with an error, never with facts.
    const { port1, port2 } = new MessageChannel();
    serveFactsWorker(port2 as unknown as FactsPort, {});
    const answer = new Promise<FromWorker>((resolve) => port1.once('message', resolve));
    port1.postMessage({
      type: 'side',
      side: 1,
      paths: ['a.ts'],
      config: { tsconfigs: new Map(), packageJsons: new Map() },
    });
    port1.postMessage({
      type: 'jobs',
      jobs: [
        {
          id: 7,
          side: 1,
          def: 'health/file-facts',
          variant: '',
          file: { path: 'a.ts', text: 'x', language: 'typescript', bytes: 1 },
        },
      ],
    });
    expect(await answer).toEqual({ type: 'done', id: 7, error: 'no worker factory for facts health/file-facts' });
    port1.close();
  });

  it('are used only when every module lookup and consulted file they recorded holds on the main thread', async () => {
    const alone = await run();
    let tampered = 0;
    // A worker that resolves imports otherwise (a different resolver, a stale file) and finds nothing.
    const { pool, workers } = channelPool(
      () =>
        new ChannelWorker((m) => {
          if (m.type !== 'done' || !m.extraction) return m;
          const { lookups, consulted } = m.extraction;
          if (lookups.length === 0 && consulted.length === 0) return m;
          tampered++;
          return {
            ...m,
            extraction: {
              facts: { parsed: true, errors: [] },
              lookups: lookups.map((l) => ({ ...l, answer: 'src/elsewhere.ts' })),
              consulted: consulted.map((c) => ({ ...c, id: 'not-this-file' })),
            },
          };
        }),
    );
    pools.push(pool);
    const parallel = await run(pool);
    expect(parallel.analysis).toEqual(alone.analysis);
    expect(tampered).toBeGreaterThan(0);
    expect(workers[0]!.extracted).toBeGreaterThan(tampered);
    // Those that recorded nothing to check (and were left alone) were used; the tampered ones were not.
    expect(parallel.fromWorkers).toBe(workers[0]!.extracted - tampered);
  });

  it('a worker that fails every job, or dies holding jobs, leaves them to the main thread', async () => {
    const alone = await run();
    const failing = channelPool(
      () => new ChannelWorker((m) => (m.type === 'done' ? { type: 'done', id: m.id, error: 'out of memory' } : m)),
    );
    pools.push(failing.pool);
    expect(await run(failing.pool)).toEqual(alone);
    expect(failing.workers[0]!.answered.some((m) => m.type === 'done')).toBe(true);

    let dying: ChannelWorker | undefined;
    const dead = channelPool(() => {
      // Dies as soon as it is sent its first jobs, without answering any.
      const w: ChannelWorker = new ChannelWorker(() => undefined);
      const post = w.postMessage.bind(w);
      w.postMessage = (message: unknown) => {
        post(message);
        if ((message as ToWorker).type === 'jobs') setImmediate(() => w.crash());
      };
      dying = w;
      return w;
    });
    pools.push(dead.pool);
    expect(await run(dead.pool)).toEqual(alone);
    expect(dying!.jobDefs.size).toBeGreaterThan(0);
  });

  it('in real worker threads, started as the CLI starts them', async () => {
    const alone = await run();
    const pool = factsWorkerPool(2, 1)!;
    pools.push(pool);
    const parallel = await run(pool);
    expect(parallel.analysis).toEqual(alone.analysis);
    expect(pool.launched).toBe(2);
    // Retired once the indexes were built: their memory is not held while the rules run.
    expect(pool.alive).toBe(0);
    expect(parallel.fromWorkers).toBeGreaterThan(0);
  }, 60_000);
});

describe('READINESS_WORKERS', () => {
  it('sets the number of workers; 0 means none; anything else is refused with the variable named', () => {
    expect(factsWorkersFromEnv({ READINESS_WORKERS: '0' })).toBeUndefined();
    expect(factsWorkersFromEnv({ READINESS_WORKERS: '3' })?.size).toBe(3);
    for (const bad of ['-1', '1.5', 'two', '65'])
      expect(() => factsWorkersFromEnv({ READINESS_WORKERS: bad })).toThrow(
        `READINESS_WORKERS must be a whole number of worker threads from 0 to 64; got "${bad}"`,
      );
  });
});
