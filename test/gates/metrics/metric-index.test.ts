/**
 * The metric index on small in-memory repositories: what it records per definition (resolved name, type,
 * labels, registries, scope, service) for each library, and how it resolves across files.
 */
import { describe, expect, it } from 'vitest';
import { loadParsers } from '../../../src/lang/index.js';
import { metricsGate } from '../../../src/gates/metrics/index.js';
import { buildMetricIndex, metricFileFacts } from '../../../src/gates/metrics/metric-index.js';
import type { IndexContext } from '../../../src/core/types.js';
import type { IndexedMetric, MetricIndex } from '../../../src/gates/metrics/model.js';
import type { SourceFile } from '../../../src/lang/source-file.js';
import { MemorySnapshot } from '../../../src/source/memory.js';
import { detectServices } from '../../../src/core/services.js';
import { FactsStore, standaloneFacts } from '../../../src/core/facts.js';

/** Builds the index of a snapshot; `files` hands out given file objects (as the engine shares them between sides). */
async function build(
  snapshot: MemorySnapshot,
  options: {
    excluded?: (p: string) => boolean;
    files?: Record<string, SourceFile>;
    errors?: string[];
    store?: FactsStore;
    /** The changed files a scoped build starts from (as the engine's `scope`). */
    scope?: string[];
    /** Collects the files whose facts the build asked for. */
    asked?: string[];
  } = {},
): Promise<MetricIndex> {
  const paths = await snapshot.list();
  const services = detectServices(paths);
  const read = async (p: string) => {
    const r = await snapshot.read(p);
    const file = options.files?.[p] ?? (r.ok ? r.file : undefined);
    if (!file) return undefined;
    await loadParsers([file.language]);
    return file;
  };
  const facts = standaloneFacts(snapshot, paths, read, options.store);
  return buildMetricIndex({
    side: 'head',
    snapshot,
    paths,
    gateOptions: {},
    services: services.services,
    serviceOf: services.serviceOf,
    read,
    ...facts,
    facts: (def, path) => {
      options.asked?.push(path);
      return facts.facts(def, path);
    },
    error: (p, m) => void options.errors?.push(`${p}: ${m}`),
    excluded: options.excluded ?? (() => false),
    ...(options.scope ? { scope: { files: options.scope } } : {}),
  });
}

async function indexOf(
  files: Record<string, string>,
  excluded: (p: string) => boolean = () => false,
): Promise<MetricIndex> {
  const errors: string[] = [];
  const index = await build(new MemorySnapshot(files), { excluded, errors });
  expect(errors).toEqual([]);
  return index;
}

function byName(index: MetricIndex, name: string): IndexedMetric {
  const found = index.metrics.filter(
    (m) => m.fullName === name || (m.name.kind !== 'static' && m.nameText.includes(name)),
  );
  expect(
    found.map((m) => m.id),
    `one definition named ${name}`,
  ).toHaveLength(1);
  return found[0]!;
}

describe('metric index: prom-client', () => {
  it('resolves names through constants, templates, object constants, join() and imported constants', async () => {
    const index = await indexOf({
      'src/names.ts': `export const PREFIX = 'shop_';\nexport const NAMES = { carts: 'carts_total' } as const;\n`,
      'src/metrics.ts': [
        `import client, { Counter } from 'prom-client';`,
        `import { PREFIX } from './names.js';`,
        `const LOCAL = 'orders';`,
        `const NAMES = { carts: 'carts_total' } as const;`,
        `export const a = new Counter({ name: \`\${PREFIX}\${LOCAL}_total\`, help: 'A', labelNames: ['route', 'method'] as const });`,
        `export const b = new client.Gauge({ name: PREFIX + 'queue_depth', help: 'B' });`,
        `export const c = new Counter({ name: NAMES.carts, help: 'C' });`,
        `export const d = new client.Histogram({ name: ['shop', 'latency', 'seconds'].join('_'), help: 'D' });`,
        '',
      ].join('\n'),
    });
    const a = byName(index, 'shop_orders_total');
    expect(a).toMatchObject({
      type: 'counter',
      library: 'prom-client',
      labels: ['route', 'method'],
      scope: { kind: 'module' },
    });
    expect(a.resolvedRegistries).toEqual([{ kind: 'default' }]);
    expect(byName(index, 'shop_queue_depth').type).toBe('gauge');
    expect(byName(index, 'carts_total').type).toBe('counter');
    expect(byName(index, 'shop_latency_seconds').type).toBe('histogram');
    // The constants file has no metrics library in it, but was read to resolve the name.
    expect(index.files).toEqual(['src/metrics.ts']);
  });

  it('follows registries: `registers`, imported registries, `registers: []`, explicit registerMetric', async () => {
    const index = await indexOf({
      'src/registry.ts': `import { Registry } from 'prom-client';\nexport const registry = new Registry();\n`,
      'src/metrics.ts': [
        `import { Counter, Histogram, register } from 'prom-client';`,
        `import { registry } from './registry.js';`,
        `export const a = new Counter({ name: 'a_total', help: 'A', registers: [registry, register] });`,
        `export const b = new Histogram({ name: 'b_seconds', help: 'B', registers: [] });`,
        `registry.registerMetric(b);`,
        '',
      ].join('\n'),
    });
    const a = byName(index, 'a_total');
    expect(a.resolvedRegistries).toEqual([
      { kind: 'known', key: 'src/registry.ts#registry', label: 'registry', perCall: false },
      { kind: 'default' },
    ]);
    const b = byName(index, 'b_seconds');
    expect(b.resolvedRegistries).toEqual([]);
    expect(index.registrations).toMatchObject([
      {
        defId: b.id,
        registry: { kind: 'known', key: 'src/registry.ts#registry' },
        loc: { path: 'src/metrics.ts', line: 5 },
      },
    ]);
    expect(index.registries.map((r) => r.key)).toEqual(['src/registry.ts#registry']);
  });

  it('classifies scopes: module, route handler, middleware, Nest controller and request-scoped provider, loop, call graph', async () => {
    const index = await indexOf({
      'src/app.ts': [
        `import express from 'express';`,
        `import { Counter } from 'prom-client';`,
        `import { helper } from './helper.js';`,
        `const app = express();`,
        `export const atLoad = new Counter({ name: 'at_load_total', help: 'x' });`,
        `app.get('/items/:id', (req, res) => { new Counter({ name: 'in_route_total', help: 'x' }); helper(); });`,
        `export function mw(req, res, next) { new Counter({ name: 'in_middleware_total', help: 'x' }); next(); }`,
        `for (const x of [1, 2]) { new Counter({ name: 'in_loop_total', help: 'x' }); }`,
        '',
      ].join('\n'),
      'src/helper.ts': `import { Counter } from 'prom-client';\nexport function helper() {\n  return new Counter({ name: 'in_helper_total', help: 'x' });\n}\n`,
      'src/orders.controller.ts': [
        `import { Controller, Get, Injectable, Scope } from '@nestjs/common';`,
        `import { Counter } from 'prom-client';`,
        `@Injectable({ scope: Scope.REQUEST })`,
        `export class Ctx { constructor() { new Counter({ name: 'in_request_scoped_total', help: 'x' }); } }`,
        `@Controller('orders')`,
        `export class OrdersController {`,
        `  @Get()`,
        `  list() { return new Counter({ name: 'in_controller_total', help: 'x' }); }`,
        `}`,
        '',
      ].join('\n'),
    });
    expect(byName(index, 'at_load_total').scope).toEqual({ kind: 'module', inLoop: false });
    expect(byName(index, 'in_route_total').scope.hot).toEqual({
      reason: 'route-handler',
      detail: "the handler of app.get('/items/:id')",
    });
    expect(byName(index, 'in_middleware_total').scope.hot?.reason).toBe('middleware');
    expect(byName(index, 'in_loop_total').scope).toMatchObject({ kind: 'module', inLoop: true });
    expect(byName(index, 'in_request_scoped_total').scope.hot?.reason).toBe('request-scoped-provider');
    expect(byName(index, 'in_controller_total').scope.hot?.reason).toBe('controller-method');
    // Called from the route handler in another file: hot through the call graph, with the call site.
    expect(byName(index, 'in_helper_total').scope.hot).toMatchObject({
      reason: 'called-from-hot',
      via: { path: 'src/app.ts', line: 6 },
    });
  });

  it('records guards that make a second registration harmless or impossible', async () => {
    const index = await indexOf({
      'src/m.ts': [
        `import { Counter, register } from 'prom-client';`,
        `let c: Counter | undefined;`,
        `export function get() { if (!c) { c = new Counter({ name: 'singleton_total', help: 'x' }); } return c; }`,
        `export const r = register.getSingleMetric('reuse_total') ?? new Counter({ name: 'reuse_total', help: 'x' });`,
        `try { new Counter({ name: 'caught_total', help: 'x' }); } catch {}`,
        `(globalThis as any).__m ??= new Counter({ name: 'global_total', help: 'x' });`,
        '',
      ].join('\n'),
    });
    expect(byName(index, 'singleton_total').scope.guard).toBe('singleton');
    expect(byName(index, 'reuse_total').scope.guard).toBe('get-single-metric');
    expect(byName(index, 'caught_total').scope.guard).toBe('try');
    expect(byName(index, 'global_total').scope.guard).toBe('singleton');
  });

  it('marks names built from runtime data, and where that data comes from', async () => {
    const index = await indexOf({
      'src/m.ts': [
        `import { Counter } from 'prom-client';`,
        `export function perCustomer(customerId: string) { return new Counter({ name: \`c_\${customerId}_total\`, help: 'x', registers: [] }); }`,
        `export function helper(name: string) { return new Counter({ name, help: 'x' }); }`,
        `const SERVICE = process.env.SERVICE;`,
        `export const fromEnv = new Counter({ name: \`\${SERVICE}_requests_total\`, help: 'x' });`,
        '',
      ].join('\n'),
    });
    const runtime = index.metrics
      .filter((m) => m.name.kind === 'runtime')
      .map((m) => (m.name.kind === 'runtime' ? m.name.origins : []));
    expect(runtime).toEqual([['entity'], ['param']]);
    expect(index.metrics.filter((m) => m.name.kind === 'unknown').map((m) => m.nameText)).toEqual([
      '`${SERVICE}_requests_total`',
    ]);
  });

  it('records label values from unbounded sources', async () => {
    const index = await indexOf({
      'src/m.ts': [
        `import { Counter } from 'prom-client';`,
        `const c = new Counter({ name: 'req_total', help: 'x', labelNames: ['path', 'route'] });`,
        `export function mw(req, res, next) {`,
        `  c.inc({ path: req.originalUrl, route: req.route?.path ?? 'none' });`,
        `  c.labels(req.ip, 'x').inc();`,
        `  next();`,
        `}`,
        '',
      ].join('\n'),
    });
    expect(
      index.labelUses.filter((u) => u.source !== '').map((u) => [u.label ?? u.position, u.valueText, u.request]),
    ).toEqual([
      ['path', 'req.originalUrl', true],
      [0, 'req.ip', true],
    ]);
    // Literals are recorded too, as bounded: a label whose every value is bounded is not reported by name.
    expect(index.labelUses.filter((u) => u.bounded).map((u) => [u.label ?? u.position, u.valueText])).toEqual([
      [1, "'x'"],
    ]);
    expect(index.labelUses.every((u) => u.defId === byName(index, 'req_total').id)).toBe(true);
  });

  it('does not index excluded paths', async () => {
    const index = await indexOf(
      {
        'src/m.ts': `import { Counter } from 'prom-client';\nnew Counter({ name: 'a_total', help: 'x' });\n`,
        'test/m.test.ts': `import { Counter } from 'prom-client';\nnew Counter({ name: 'a_total', help: 'x' });\n`,
      },
      (p) => p.startsWith('test/'),
    );
    expect(index.metrics.map((m) => m.loc.path)).toEqual(['src/m.ts']);
  });
});

describe('metric index: prometheus_client', () => {
  it('builds the registered name from namespace, subsystem, unit and the counter _total rule', async () => {
    const index = await indexOf({
      'app/metrics.py': [
        `from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info`,
        `import prometheus_client as prom`,
        `NS = "shop"`,
        `REG = CollectorRegistry()`,
        `A = Counter("requests_total", "A", ["route"], namespace=NS, subsystem="http")`,
        `B = Gauge("latency", "B", unit="seconds", registry=REG)`,
        `C = prom.Histogram("render", "C", [], "", "", "", None)`,
        `D = Info("build", "D")`,
        '',
      ].join('\n'),
    });
    expect(byName(index, 'shop_http_requests')).toMatchObject({
      type: 'counter',
      labels: ['route'],
      resolvedRegistries: [{ kind: 'default' }],
    });
    expect(byName(index, 'latency_seconds').resolvedRegistries).toEqual([
      { kind: 'known', key: 'app/metrics.py#REG', label: 'REG', perCall: false },
    ]);
    expect(byName(index, 'render').resolvedRegistries).toEqual([{ kind: 'none' }]);
    expect(byName(index, 'build').type).toBe('info');
  });

  it('finds views, tasks and cached factories', async () => {
    const index = await indexOf({
      'app/views.py': [
        `import functools`,
        `from prometheus_client import Counter`,
        `@app.get("/items")`,
        `def items():`,
        `    return Counter("in_view", "x")`,
        `@shared_task`,
        `def job():`,
        `    return Counter("in_task", "x")`,
        `@functools.lru_cache(maxsize=None)`,
        `def cached():`,
        `    return Counter("in_cached", "x")`,
        `def django_view(request):`,
        `    return Counter("in_django_view", "x")`,
        '',
      ].join('\n'),
    });
    expect(byName(index, 'in_view').scope.hot?.reason).toBe('view');
    expect(byName(index, 'in_task').scope.hot?.reason).toBe('task');
    expect(byName(index, 'in_cached').scope).toMatchObject({ guard: 'cache-decorator' });
    expect(byName(index, 'in_cached').scope.hot).toBeUndefined();
    expect(byName(index, 'in_django_view').scope.hot?.reason).toBe('view');
  });

  it('resolves constants and registries imported from other modules', async () => {
    const index = await indexOf({
      'svc/names.py': `PREFIX = "svc_"\n`,
      'svc/registry.py': `from prometheus_client import CollectorRegistry\n\nREG = CollectorRegistry()\n`,
      'svc/metrics.py': `from prometheus_client import Counter\n\nfrom svc.names import PREFIX\nfrom .registry import REG\n\nJOBS = Counter(PREFIX + "jobs", "Jobs", registry=REG)\n`,
    });
    expect(byName(index, 'svc_jobs').resolvedRegistries).toEqual([
      { kind: 'known', key: 'svc/registry.py#REG', label: 'REG', perCall: false },
    ]);
  });
});

describe('metric index: client_golang', () => {
  it('handles promauto, promauto.With, plain constructors, BuildFQName, const labels and package-level names', async () => {
    const index = await indexOf({
      'go.mod': 'module example.com/svc\n',
      'internal/metrics/names.go': `package metrics\n\nconst Namespace = "svc"\n`,
      'internal/metrics/metrics.go': [
        `package metrics`,
        `import (`,
        `  "github.com/prometheus/client_golang/prometheus"`,
        `  "github.com/prometheus/client_golang/prometheus/promauto"`,
        `)`,
        `var Reg = prometheus.NewRegistry()`,
        `var factory = promauto.With(Reg)`,
        `var A = promauto.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "http", Name: "requests_total", Help: "A"}, []string{"code"})`,
        `var B = factory.NewGauge(prometheus.GaugeOpts{Name: prometheus.BuildFQName("svc", "", "queue_depth"), Help: "B", ConstLabels: prometheus.Labels{"shard": "a"}})`,
        `var C = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "svc_latency_seconds", Help: "C"})`,
        `func init() { prometheus.MustRegister(C) }`,
        '',
      ].join('\n'),
    });
    expect(byName(index, 'svc_http_requests_total')).toMatchObject({
      type: 'counter',
      labels: ['code'],
      resolvedRegistries: [{ kind: 'default' }],
      scope: { kind: 'module' },
    });
    expect(byName(index, 'svc_queue_depth')).toMatchObject({
      constLabels: 'shard=a',
      resolvedRegistries: [{ kind: 'known', key: 'go:internal/metrics#Reg' }],
    });
    const c = byName(index, 'svc_latency_seconds');
    expect(c.resolvedRegistries).toEqual([]);
    expect(index.registrations).toMatchObject([
      { defId: c.id, registry: { kind: 'default' }, fatal: true, scope: { kind: 'module' } },
    ]);
  });

  it('finds HTTP handlers and sync.Once', async () => {
    const index = await indexOf({
      'main.go': [
        `package main`,
        `import (`,
        `  "net/http"`,
        `  "sync"`,
        `  "github.com/prometheus/client_golang/prometheus"`,
        `  "github.com/prometheus/client_golang/prometheus/promauto"`,
        `)`,
        `var once sync.Once`,
        `func handle(w http.ResponseWriter, r *http.Request) {`,
        `  promauto.NewCounter(prometheus.CounterOpts{Name: "in_handler_total", Help: "x"})`,
        `  once.Do(func() { promauto.NewCounter(prometheus.CounterOpts{Name: "in_once_total", Help: "x"}) })`,
        `}`,
        `func main() { http.HandleFunc("/x", handle) }`,
        '',
      ].join('\n'),
    });
    expect(byName(index, 'in_handler_total').scope.hot?.reason).toBe('go-handler');
    expect(byName(index, 'in_once_total').scope.guard).toBe('once');
    expect(byName(index, 'in_handler_total').goMain).toBe(true);
  });
});

describe('metric index: OpenTelemetry and services', () => {
  it('records instruments with their meter, and each definition with its service', async () => {
    const index = await indexOf({
      'services/a/package.json': '{ "name": "a" }',
      'services/a/src/t.ts': `import { metrics } from '@opentelemetry/api';\nconst meter = metrics.getMeter('a', '2.0');\nexport const h = meter.createHistogram('a.duration', { unit: 's', description: 'D' });\n`,
      'services/b/pyproject.toml': '[project]\nname = "b"\n',
      'services/b/app/t.py': `from opentelemetry import metrics\n\nmeter = metrics.get_meter("b")\nc = meter.create_counter("b.calls", unit="1", description="Calls")\n`,
    });
    const h = index.metrics.find((m) => m.nameText.includes('a.duration'))!;
    expect(h).toMatchObject({
      library: 'opentelemetry',
      otelKind: 'histogram',
      meter: 'a@2.0',
      help: 'D',
      service: 'services/a',
      serviceName: 'a',
    });
    const c = index.metrics.find((m) => m.nameText.includes('b.calls'))!;
    expect(c).toMatchObject({ library: 'opentelemetry', otelKind: 'counter', meter: 'b', service: 'services/b' });
  });

  it('applies only where a metrics library is mentioned', async () => {
    const yes = new MemorySnapshot({ 'src/m.ts': `import { Counter } from 'prom-client';\n` });
    const no = new MemorySnapshot({ 'src/m.ts': `export const x = 1;\n`, 'README.md': 'prom-client is great' });
    expect(
      await metricsGate.applies({
        snapshot: yes,
        paths: await yes.list(),
        gateOptions: metricsGate.options!.parse({}),
      }),
    ).toBe(true);
    expect(
      await metricsGate.applies({ snapshot: no, paths: await no.list(), gateOptions: metricsGate.options!.parse({}) }),
    ).toBe(false);
  });
});

describe('metric index: base and head share the extraction of a file the pull request did not touch', () => {
  it('re-extracts a shared file when one of its imports resolves differently on the other side', async () => {
    const metrics = `import { Counter } from 'prom-client';\nimport { PREFIX } from './names';\nexport const a = new Counter({ name: PREFIX + 'orders_total', help: 'A' });\n`;
    const head = new MemorySnapshot({ 'src/metrics.ts': metrics, 'src/names.ts': `export const PREFIX = 'head_';\n` });
    const base = new MemorySnapshot({
      'src/metrics.ts': metrics,
      'src/names/index.ts': `export const PREFIX = 'base_';\n`,
    });
    // One facts store for both sides, as in the engine: src/metrics.ts has the same identity on both.
    const store = new FactsStore();
    expect((await build(head, { store })).metrics.map((m) => m.fullName)).toEqual(['head_orders_total']);
    const extracted = store.extractions;
    expect((await build(base, { store })).metrics.map((m) => m.fullName)).toEqual(['base_orders_total']);
    // The import resolves elsewhere on the base, so src/metrics.ts was extracted again there.
    expect(store.extractions - extracted).toBe(2);
    expect((await build(head, { store })).metrics.map((m) => m.fullName)).toEqual(['head_orders_total']);
  });

  it('extracts an untouched file once for both sides when its imports resolve alike', async () => {
    const metrics = `import { Counter } from 'prom-client';\nimport { PREFIX } from './names';\nexport const a = new Counter({ name: PREFIX + 'orders_total', help: 'A' });\n`;
    const head = new MemorySnapshot({ 'src/metrics.ts': metrics, 'src/names.ts': `export const PREFIX = 'head_';\n` });
    const base = new MemorySnapshot({ 'src/metrics.ts': metrics, 'src/names.ts': `export const PREFIX = 'base_';\n` });
    const store = new FactsStore();
    expect((await build(head, { store })).metrics.map((m) => m.fullName)).toEqual(['head_orders_total']);
    const extracted = store.extractions;
    expect((await build(base, { store })).metrics.map((m) => m.fullName)).toEqual(['base_orders_total']);
    // Only src/names.ts differs between the sides; src/metrics.ts's facts are reused.
    expect(store.extractions - extracted).toBe(1);
  });
});

describe('metric index: a scoped build loads what the changed files use', () => {
  const files = {
    // A Python package re-exports everything its __init__ imports.
    'app/metrics/__init__.py': `from .http import REQUESTS\nfrom .db import QUERIES\nfrom .jobs import JOBS\n`,
    'app/metrics/http.py': `from prometheus_client import Counter\nREQUESTS = Counter("app_requests_total", "Requests", ["route"])\n`,
    'app/metrics/db.py': `from prometheus_client import Counter\nQUERIES = Counter("app_queries_total", "Queries")\n`,
    'app/metrics/jobs.py': `from prometheus_client import Counter\nJOBS = Counter("app_jobs_total", "Jobs")\n`,
    'app/helpers.py': `from prometheus_client import Counter\n\ndef track():\n    return Counter("app_tracked_total", "Tracked")\n`,
    'app/views.py': [
      `from app.metrics import REQUESTS`,
      `from app.helpers import track`,
      ``,
      `def view(request):`,
      `    REQUESTS.labels(route=request.path).inc()`,
      `    track()`,
      ``,
    ].join('\n'),
  };

  it('follows a re-export only for the names asked of it, and the functions the changed files call', async () => {
    const errors: string[] = [];
    const index = await build(new MemorySnapshot(files), { errors, scope: ['app/views.py'] });
    expect(errors).toEqual([]);
    // The label use resolves through the package to the definition in http.py …
    const use = index.labelUses.find((u) => u.label === 'route');
    expect(index.metrics.find((m) => m.id === use?.defId)?.fullName).toBe('app_requests');
    // … the counter built by the helper the view calls is indexed …
    expect(index.metrics.map((m) => m.fullName)).toContain('app_tracked');
    // … and the modules the package re-exports for other names are not read.
    expect(index.files).not.toContain('app/metrics/db.py');
    expect(index.files).not.toContain('app/metrics/jobs.py');
    // The whole build reads every metrics file.
    expect((await indexOf(files)).files).toEqual(expect.arrayContaining(['app/metrics/db.py', 'app/metrics/jobs.py']));
  });

  it('wants, from a file another index parsed first, exactly the facts a build will ask for', async () => {
    const snapshot = new MemorySnapshot(files);
    const wanted = async (path: string, scope?: string[]) => {
      const r = await snapshot.read(path);
      if (!r.ok) throw new Error(path);
      const ctx = { excluded: () => false, ...(scope ? { scope: { files: scope } } : {}) } as unknown as IndexContext;
      return metricFileFacts.wants(r.file, ctx);
    };
    // Scoped: the changed file (it names no library, it imports a module that does) and nothing else.
    const asked: string[] = [];
    await build(snapshot, { scope: ['app/views.py'], asked });
    expect(asked).toContain('app/views.py');
    expect(await wanted('app/views.py', ['app/views.py'])).toBe(true);
    expect(await wanted('app/metrics/db.py', ['app/views.py'])).toBe(false);
    // Whole: every file that names a library.
    expect(await wanted('app/metrics/db.py')).toBe(true);
    expect(await wanted('app/views.py')).toBe(false);
  });

  it("looks for the callers of the changed files' metric-building functions, not of every loaded one", async () => {
    const repo = {
      // Unchanged: a function that builds a metric, called from two other files, and a constant the view uses.
      'app/boot.py': `from prometheus_client import Counter\nPREFIX = "app"\n\ndef start():\n    Counter("app_started_total", "Started")\n`,
      'app/worker.py': `from app.boot import start\n\nstart()\n`,
      'app/cli.py': `from app.boot import start\n\ndef main():\n    start()\n`,
      // Changed: a view that builds a metric in a function of its own, called per request.
      'app/views.py': [
        `from prometheus_client import Counter`,
        `from app.boot import PREFIX`,
        ``,
        `def record():`,
        `    Counter(PREFIX + "_views_total", "Views")`,
        ``,
        `def view(request):`,
        `    record()`,
        ``,
      ].join('\n'),
      'app/urls.py': `from app.views import view\nurlpatterns = [path("v", view)]\n`,
    };
    const asked: string[] = [];
    const index = await build(new MemorySnapshot(repo), { scope: ['app/views.py'], asked });
    expect(asked).toContain('app/boot.py');
    // Callers of record() (the changed file's own function) were looked for; callers of start() were not.
    expect(asked).not.toContain('app/worker.py');
    expect(asked).not.toContain('app/cli.py');
    expect(index.metrics.map((m) => m.fullName)).toContain('app_views');
    // The whole build follows every metric-building function.
    const whole: string[] = [];
    await build(new MemorySnapshot(repo), { asked: whole });
    expect(whole).toEqual(expect.arrayContaining(['app/worker.py', 'app/cli.py']));
  });
});
