/**
 * Snippets for the oracle tests: small programs that use prom-client or prometheus_client, generated
 * combinatorially (types × names × registries × placement × explicit registration) or written by hand
 * for the patterns the gate's rules are about (per-request metrics, default metrics, merges, clears,
 * reserved names). Each snippet is a set of module files, the order in which the "application" loads
 * them, and functions to call afterwards (a request handler called twice simulates two requests).
 */

export type Library = 'prom-client' | 'prometheus_client';

export interface Snippet {
  id: string;
  lib: Library;
  /** Module files: CommonJS `.js` for prom-client, `.py` for prometheus_client. */
  files: Record<string, string>;
  /** Modules to load, in order (paths from `files`). */
  load: string[];
  /** After loading: call `module[fn]()` `times` times (awaited). */
  calls?: Array<{ module: string; fn: string; times: number }>;
}

// ---------------------------------------------------------------------------------------------------------
// prom-client
// ---------------------------------------------------------------------------------------------------------

const JS_TYPES = [
  ['Counter', 'Counter'],
  ['Counter', 'Gauge'],
  ['Histogram', 'Summary'],
] as const;

/** How a generated prom-client metric is registered. */
type JsReg = 'default' | 'defaultExplicit' | 'r1' | 'r2' | 'none' | 'defaultAndR1';

function jsRegisters(reg: JsReg, local: boolean): string {
  const r = (name: string) => (local ? name : `shared.${name}`);
  switch (reg) {
    case 'default':
      return '';
    case 'defaultExplicit':
      return ', registers: [client.register]';
    case 'r1':
      return `, registers: [${r('r1')}]`;
    case 'r2':
      return `, registers: [${r('r2')}]`;
    case 'none':
      return ', registers: []';
    case 'defaultAndR1':
      return `, registers: [client.register, ${r('r1')}]`;
  }
}

/** prom-client pairs: two metrics, in one file or two, with every registry combination. */
export function generatedPromClient(): Snippet[] {
  const out: Snippet[] = [];
  const regs: JsReg[] = ['default', 'defaultExplicit', 'r1', 'r2', 'none', 'defaultAndR1'];
  for (const [ta, tb] of JS_TYPES) {
    for (const sameName of [true, false]) {
      for (const ra of regs) {
        for (const rb of regs) {
          for (const split of [false, true]) {
            const id = `js-${ta}-${tb}-${sameName ? 'same' : 'diff'}-${ra}-${rb}-${split ? 'two-files' : 'one-file'}`;
            const nameA = `'orders_events_total'`;
            // The second name goes through a constant and a template string, as real code does.
            const nameB = sameName ? '`${PREFIX}events_total`' : '`${PREFIX}other_total`';
            const a = `const a = new client.${ta}({ name: ${nameA}, help: 'A'${jsRegisters(ra, true)} });`;
            if (!split) {
              out.push({
                id,
                lib: 'prom-client',
                files: {
                  'metrics.js': [
                    `const client = require('prom-client');`,
                    `const PREFIX = 'orders_';`,
                    `const r1 = new client.Registry();`,
                    `const r2 = new client.Registry();`,
                    a,
                    `const b = new client.${tb}({ name: ${nameB}, help: 'B'${jsRegisters(rb, true)} });`,
                    `module.exports = { a, b };`,
                    '',
                  ].join('\n'),
                },
                load: ['metrics.js'],
              });
            } else {
              out.push({
                id,
                lib: 'prom-client',
                files: {
                  'shared.js': [
                    `const client = require('prom-client');`,
                    `const r1 = new client.Registry();`,
                    `const r2 = new client.Registry();`,
                    a,
                    `module.exports = { r1, r2, a };`,
                    '',
                  ].join('\n'),
                  'other.js': [
                    `const client = require('prom-client');`,
                    `const shared = require('./shared');`,
                    `const PREFIX = 'orders_';`,
                    `const b = new client.${tb}({ name: ${nameB}, help: 'B'${jsRegisters(rb, false)} });`,
                    `module.exports = { b };`,
                    '',
                  ].join('\n'),
                },
                load: ['shared.js', 'other.js'],
              });
            }
          }
        }
      }
    }
  }
  // Explicit registerMetric after construction: into the registry it is already in (no-op), into another
  // registry, or a second object with `registers: []` into a registry holding the name.
  for (const [ctorReg, target] of [
    ['r1', 'r1'],
    ['r1', 'r2'],
    ['default', 'client.register'],
    ['default', 'r1'],
    ['none', 'r1'],
    ['none', 'client.register'],
  ] as const) {
    for (const second of [false, true]) {
      const id = `js-explicit-${ctorReg}-${target.replace('client.', '')}-${second ? 'second-object' : 'same-object'}`;
      const lines = [
        `const client = require('prom-client');`,
        `const r1 = new client.Registry();`,
        `const r2 = new client.Registry();`,
        `const h = new client.Histogram({ name: 'upstream_seconds', help: 'Upstream'${jsRegisters(ctorReg, true)} });`,
      ];
      if (second) {
        lines.push(
          `const h2 = new client.Histogram({ name: 'upstream_seconds', help: 'Upstream again', registers: [] });`,
        );
        lines.push(`${target}.registerMetric(h2);`);
      } else lines.push(`${target}.registerMetric(h);`);
      lines.push(`module.exports = { h };`, '');
      out.push({ id, lib: 'prom-client', files: { 'metrics.js': lines.join('\n') }, load: ['metrics.js'] });
    }
  }
  return out;
}

/** prom-client patterns written by hand. */
export function handWrittenPromClient(): Snippet[] {
  const s = (id: string, files: Record<string, string>, load: string[], calls?: Snippet['calls']): Snippet => ({
    id: `js-hand-${id}`,
    lib: 'prom-client',
    files,
    load,
    ...(calls ? { calls } : {}),
  });
  const routerStub = `const routes = [];\nconst router = { post: (path, fn) => routes.push(fn), get: (path, fn) => routes.push(fn) };`;
  const handle = `async function handle() { for (const fn of routes) await fn({ params: {} }, { sendStatus() {}, end() {} }, () => {}); }`;
  return [
    s(
      'handler-twice',
      {
        'routes.js': `const client = require('prom-client');\n${routerStub}\nrouter.post('/orders', async (req, res) => {\n  const c = new client.Counter({ name: 'orders_created_total', help: 'Orders' });\n  c.inc();\n  res.sendStatus(201);\n});\n${handle}\nmodule.exports = { handle };\n`,
      },
      ['routes.js'],
      [{ module: 'routes.js', fn: 'handle', times: 2 }],
    ),
    s(
      'handler-guarded',
      {
        'routes.js': `const client = require('prom-client');\n${routerStub}\nrouter.post('/orders', async (req, res) => {\n  const c = client.register.getSingleMetric('orders_created_total') ?? new client.Counter({ name: 'orders_created_total', help: 'Orders' });\n  c.inc();\n  res.sendStatus(201);\n});\n${handle}\nmodule.exports = { handle };\n`,
      },
      ['routes.js'],
      [{ module: 'routes.js', fn: 'handle', times: 2 }],
    ),
    s(
      'handler-singleton',
      {
        'routes.js': `const client = require('prom-client');\n${routerStub}\nlet counter;\nrouter.post('/orders', async (req, res) => {\n  if (!counter) {\n    counter = new client.Counter({ name: 'orders_created_total', help: 'Orders' });\n  }\n  counter.inc();\n  res.sendStatus(201);\n});\n${handle}\nmodule.exports = { handle };\n`,
      },
      ['routes.js'],
      [{ module: 'routes.js', fn: 'handle', times: 2 }],
    ),
    s(
      'handler-per-request-registry',
      {
        'routes.js': `const client = require('prom-client');\n${routerStub}\nrouter.get('/metrics', async (req, res) => {\n  const registry = new client.Registry();\n  const g = new client.Gauge({ name: 'tenant_usage_bytes', help: 'Usage', registers: [registry] });\n  g.set(1);\n  res.end(await registry.metrics());\n});\n${handle}\nmodule.exports = { handle };\n`,
      },
      ['routes.js'],
      [{ module: 'routes.js', fn: 'handle', times: 2 }],
    ),
    s(
      'handler-takes-existing-name',
      {
        'metrics.js': `const client = require('prom-client');\nconst requests = new client.Counter({ name: 'http_requests_total', help: 'Requests' });\nmodule.exports = { requests };\n`,
        'routes.js': `const client = require('prom-client');\nrequire('./metrics');\n${routerStub}\nrouter.post('/orders', async (req, res) => {\n  const c = new client.Counter({ name: 'http_requests_total', help: 'Orders' });\n  c.inc();\n  res.sendStatus(201);\n});\n${handle}\nmodule.exports = { handle };\n`,
      },
      ['metrics.js', 'routes.js'],
      [{ module: 'routes.js', fn: 'handle', times: 1 }],
    ),
    s(
      'helper-called-from-handler',
      {
        'routes.js': `const client = require('prom-client');\n${routerStub}\nfunction track(step) {\n  const c = new client.Counter({ name: 'checkout_steps_total', help: 'Steps', labelNames: ['step'] });\n  c.inc({ step });\n}\nrouter.post('/checkout', async (req, res) => {\n  track('pay');\n  res.sendStatus(202);\n});\n${handle}\nmodule.exports = { handle };\n`,
      },
      ['routes.js'],
      [{ module: 'routes.js', fn: 'handle', times: 2 }],
    ),
    s(
      'factory-called-once',
      {
        'metrics.js': `const client = require('prom-client');\nfunction createMetrics() {\n  return { carts: new client.Counter({ name: 'carts_total', help: 'Carts' }) };\n}\nconst metrics = createMetrics();\nmodule.exports = { metrics };\n`,
      },
      ['metrics.js'],
    ),
    s(
      'factory-called-twice',
      {
        'metrics.js': `const client = require('prom-client');\nfunction createMetrics() {\n  return { carts: new client.Counter({ name: 'carts_total', help: 'Carts' }) };\n}\nconst a = createMetrics();\nconst b = createMetrics();\nmodule.exports = { a, b };\n`,
      },
      ['metrics.js'],
    ),
    s(
      'loop-same-name',
      {
        'metrics.js': `const client = require('prom-client');\nfor (const region of ['eu', 'us']) {\n  new client.Gauge({ name: 'cache_warmed', help: 'Warmed' });\n}\n`,
      },
      ['metrics.js'],
    ),
    s(
      'loop-names-from-list',
      {
        'metrics.js': `const client = require('prom-client');\nfor (const queue of ['emails', 'webhooks']) {\n  new client.Gauge({ name: \`queue_\${queue}_depth\`, help: 'Depth' });\n}\n`,
      },
      ['metrics.js'],
    ),
    s(
      'default-metrics-twice',
      {
        'a.js': `const client = require('prom-client');\nclient.collectDefaultMetrics();\n`,
        'b.js': `const { collectDefaultMetrics } = require('prom-client');\ncollectDefaultMetrics();\n`,
      },
      ['a.js', 'b.js'],
    ),
    s(
      'default-metrics-prefixes',
      {
        'a.js': `const client = require('prom-client');\nclient.collectDefaultMetrics();\nclient.collectDefaultMetrics({ prefix: 'worker_' });\n`,
      },
      ['a.js'],
    ),
    s(
      'default-metrics-registries',
      {
        'a.js': `const client = require('prom-client');\nconst r = new client.Registry();\nclient.collectDefaultMetrics();\nclient.collectDefaultMetrics({ register: r });\n`,
      },
      ['a.js'],
    ),
    s(
      'default-metrics-name-taken',
      {
        'a.js': `const client = require('prom-client');\nclient.collectDefaultMetrics();\nnew client.Gauge({ name: 'process_open_fds', help: 'Open fds' });\n`,
      },
      ['a.js'],
    ),
    s(
      'default-metrics-prefixed-name-free',
      {
        'a.js': `const client = require('prom-client');\nclient.collectDefaultMetrics({ prefix: 'app_' });\nnew client.Gauge({ name: 'process_open_fds', help: 'Open fds' });\n`,
      },
      ['a.js'],
    ),
    s(
      'default-metrics-per-request',
      {
        'routes.js': `const client = require('prom-client');\n${routerStub}\nrouter.get('/metrics', async (req, res) => {\n  client.collectDefaultMetrics();\n  res.end();\n});\n${handle}\nmodule.exports = { handle };\n`,
      },
      ['routes.js'],
      [{ module: 'routes.js', fn: 'handle', times: 2 }],
    ),
    s(
      'merge-shared-name',
      {
        'a.js': `const client = require('prom-client');\nconst a = new client.Registry();\nconst b = new client.Registry();\nnew client.Counter({ name: 'jobs_total', help: 'Jobs', registers: [a] });\nnew client.Counter({ name: 'jobs_total', help: 'Jobs', registers: [b] });\nconst all = client.Registry.merge([a, b]);\n`,
      },
      ['a.js'],
    ),
    s(
      'merge-disjoint',
      {
        'a.js': `const client = require('prom-client');\nconst a = new client.Registry();\nconst b = new client.Registry();\nnew client.Counter({ name: 'a_jobs_total', help: 'Jobs', registers: [a] });\nnew client.Counter({ name: 'b_jobs_total', help: 'Jobs', registers: [b] });\nconst all = client.Registry.merge([a, b]);\n`,
      },
      ['a.js'],
    ),
    s(
      'merge-content-types',
      {
        'a.js': `const client = require('prom-client');\nconst a = new client.Registry();\nconst b = new client.Registry(client.Registry.OPENMETRICS_CONTENT_TYPE);\nconst all = client.Registry.merge([a, b]);\n`,
      },
      ['a.js'],
    ),
    s(
      'merge-default-metrics',
      {
        'a.js': `const client = require('prom-client');\nconst a = new client.Registry();\nconst b = new client.Registry();\nclient.collectDefaultMetrics({ register: a });\nclient.collectDefaultMetrics({ register: b });\nconst all = client.Registry.merge([a, b]);\n`,
      },
      ['a.js'],
    ),
    s(
      'clear-then-recreate',
      {
        'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'renders_total', help: 'Renders' });\nclient.register.clear();\nnew client.Counter({ name: 'renders_total', help: 'Renders' });\n`,
      },
      ['a.js'],
    ),
    s(
      'remove-then-recreate',
      {
        'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'builds_total', help: 'Builds' });\nclient.register.removeSingleMetric('builds_total');\nnew client.Counter({ name: 'builds_total', help: 'Builds' });\n`,
      },
      ['a.js'],
    ),
    s(
      'try-catch-duplicate',
      {
        'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'jobs_total', help: 'Jobs' });\nlet c;\ntry {\n  c = new client.Counter({ name: 'jobs_total', help: 'Jobs' });\n} catch (e) {\n  c = client.register.getSingleMetric('jobs_total');\n}\n`,
      },
      ['a.js'],
    ),
    s(
      'registers-listed-twice',
      {
        'a.js': `const client = require('prom-client');\nconst r = new client.Registry();\nnew client.Counter({ name: 'jobs_total', help: 'Jobs', registers: [r, r] });\n`,
      },
      ['a.js'],
    ),
    s(
      'invalid-name',
      {
        'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'auth-logins-total', help: 'Logins' });\n`,
      },
      ['a.js'],
    ),
    s(
      'invalid-label',
      {
        'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'logins_total', help: 'Logins', labelNames: ['grant-type'] });\n`,
      },
      ['a.js'],
    ),
    s(
      'reserved-le',
      {
        'a.js': `const client = require('prom-client');\nnew client.Histogram({ name: 'login_seconds', help: 'Latency', labelNames: ['le'] });\n`,
      },
      ['a.js'],
    ),
    s(
      'le-on-gauge',
      {
        'a.js': `const client = require('prom-client');\nnew client.Gauge({ name: 'bucket_fill', help: 'Fill', labelNames: ['le'] });\n`,
      },
      ['a.js'],
    ),
    s(
      'reserved-quantile',
      {
        'a.js': `const client = require('prom-client');\nnew client.Summary({ name: 'payload_bytes', help: 'Size', labelNames: ['quantile'] });\n`,
      },
      ['a.js'],
    ),
    s(
      'missing-help',
      { 'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'failures_total' });\n` },
      ['a.js'],
    ),
    s(
      'empty-help',
      { 'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'failures_total', help: '' });\n` },
      ['a.js'],
    ),
    s(
      'imported-object-registered-again',
      {
        'metrics.js': `const client = require('prom-client');\nconst r = new client.Registry();\nconst h = new client.Histogram({ name: 'upstream_seconds', help: 'Upstream', registers: [r] });\nmodule.exports = { r, h };\n`,
        'server.js': `const { r, h } = require('./metrics');\nr.registerMetric(h);\n`,
      },
      ['metrics.js', 'server.js'],
    ),
    s(
      'imported-registry-second-object',
      {
        'metrics.js': `const client = require('prom-client');\nconst r = new client.Registry();\nnew client.Histogram({ name: 'upstream_seconds', help: 'Upstream', registers: [r] });\nmodule.exports = { r };\n`,
        'server.js': `const client = require('prom-client');\nconst metrics = require('./metrics');\nnew client.Gauge({ name: 'upstream_seconds', help: 'Again', registers: [metrics.r] });\n`,
      },
      ['metrics.js', 'server.js'],
    ),
    s(
      'reexported-default-register',
      {
        'metrics.js': `const client = require('prom-client');\nconst register = client.register;\nmodule.exports = { register };\n`,
        'server.js': `const client = require('prom-client');\nconst { register } = require('./metrics');\nnew client.Counter({ name: 'jobs_total', help: 'Jobs', registers: [register] });\nnew client.Counter({ name: 'jobs_total', help: 'Jobs again' });\n`,
      },
      ['metrics.js', 'server.js'],
    ),
    s(
      'global-registry-alias',
      {
        'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'jobs_total', help: 'Jobs', registers: [client.Registry.globalRegistry] });\nnew client.Counter({ name: 'jobs_total', help: 'Jobs again' });\n`,
      },
      ['a.js'],
    ),
    s(
      'names-from-object-and-join',
      {
        'a.js': `const client = require('prom-client');\nconst NAMES = { jobs: 'queue_jobs_total' };\nnew client.Counter({ name: NAMES.jobs, help: 'Jobs' });\nnew client.Counter({ name: ['queue', 'jobs', 'total'].join('_'), help: 'Jobs again' });\n`,
      },
      ['a.js'],
    ),
    s(
      'imported-constant-name',
      {
        'names.js': `const JOBS = 'queue_jobs_total';\nmodule.exports = { JOBS };\n`,
        'a.js': `const client = require('prom-client');\nconst { JOBS } = require('./names');\nnew client.Counter({ name: JOBS, help: 'Jobs' });\nnew client.Counter({ name: 'queue_jobs_total', help: 'Jobs again' });\n`,
      },
      ['a.js'],
    ),
    s(
      'options-object-variable',
      {
        'a.js': `const client = require('prom-client');\nconst r = new client.Registry();\nconst opts = { name: 'jobs_total', help: 'Jobs', registers: [r] };\nnew client.Counter(opts);\nnew client.Counter({ name: 'jobs_total', help: 'Default registry' });\n`,
      },
      ['a.js'],
    ),
    s(
      'require-cache-reload',
      {
        'metrics.js': `const client = require('prom-client');\nconst jobs = new client.Counter({ name: 'jobs_total', help: 'Jobs' });\nmodule.exports = { jobs };\n`,
        'reload.js': `function reload() {\n  delete require.cache[require.resolve('./metrics')];\n  return require('./metrics');\n}\nmodule.exports = { reload };\n`,
      },
      ['metrics.js', 'reload.js'],
      [{ module: 'reload.js', fn: 'reload', times: 1 }],
    ),
    s(
      'colon-name-valid',
      {
        'a.js': `const client = require('prom-client');\nnew client.Counter({ name: 'job:failures_total', help: 'Failures' });\n`,
      },
      ['a.js'],
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// prometheus_client
// ---------------------------------------------------------------------------------------------------------

const PY_TYPES = ['Counter', 'Gauge', 'Histogram', 'Summary', 'Info', 'Enum'] as const;
const PY_SUFFIXES = ['', '_total', '_created', '_count', '_sum', '_bucket', '_info'];

function pyCtor(type: (typeof PY_TYPES)[number], name: string, extra = ''): string {
  const states = type === 'Enum' ? ', states=["a", "b"]' : '';
  return `${type}("${name}", "Help"${states}${extra})`;
}

/**
 * prometheus_client pairs: the base metric of each type against every (type, suffix) metric, in the
 * default registry or a custom one, in one module or two.
 */
export function generatedPython(): Snippet[] {
  const out: Snippet[] = [];
  const imports = `from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary`;
  for (const ta of PY_TYPES) {
    for (const tb of PY_TYPES) {
      for (const suffix of PY_SUFFIXES) {
        for (const where of ['default', 'custom', 'two-modules'] as const) {
          const id = `py-${ta}-${tb}${suffix || '_bare'}-${where}`;
          if (where === 'two-modules') {
            out.push({
              id,
              lib: 'prometheus_client',
              files: {
                'm_a.py': `${imports}\n\nA = ${pyCtor(ta, 'jobs')}\n`,
                'm_b.py': `${imports}\n\nimport m_a\n\nB = ${pyCtor(tb, `jobs${suffix}`)}\n`,
              },
              load: ['m_a.py', 'm_b.py'],
            });
            continue;
          }
          const reg = where === 'custom' ? ', registry=reg' : '';
          out.push({
            id,
            lib: 'prometheus_client',
            files: {
              'm_a.py': `${imports}\n\nreg = CollectorRegistry()\nA = ${pyCtor(ta, 'jobs', reg)}\nB = ${pyCtor(tb, `jobs${suffix}`, reg)}\n`,
            },
            load: ['m_a.py'],
          });
        }
      }
    }
  }
  // Namespace/subsystem/unit are part of the registered name.
  for (const [a, b] of [
    ['Counter("requests", "Help", namespace="app")', 'Counter("app_requests", "Help")'],
    ['Counter("requests", "Help", namespace="app", subsystem="http")', 'Gauge("app_http_requests_total", "Help")'],
    ['Gauge("latency", "Help", unit="seconds")', 'Gauge("latency_seconds", "Help")'],
    ['Histogram("latency", "Help", unit="seconds")', 'Counter("latency_seconds_count", "Help")'],
    ['Counter("requests", "Help", namespace="app")', 'Counter("requests", "Help")'],
    ['Gauge("latency", "Help", unit="seconds")', 'Gauge("latency_milliseconds", "Help")'],
  ] as const) {
    out.push({
      id: `py-names-${a.replace(/\W+/g, '_')}-${b.replace(/\W+/g, '_')}`,
      lib: 'prometheus_client',
      files: { 'm_a.py': `from prometheus_client import Counter, Gauge, Histogram\n\nA = ${a}\nB = ${b}\n` },
      load: ['m_a.py'],
    });
  }
  return out;
}

/** prometheus_client patterns written by hand. */
export function handWrittenPython(): Snippet[] {
  const s = (id: string, files: Record<string, string>, load: string[], calls?: Snippet['calls']): Snippet => ({
    id: `py-hand-${id}`,
    lib: 'prometheus_client',
    files,
    load,
    ...(calls ? { calls } : {}),
  });
  const app = `class _App:\n    def get(self, path):\n        def deco(fn):\n            return fn\n        return deco\n\n\napp = _App()\n`;
  return [
    s(
      'register-same-object',
      {
        'm.py': `from prometheus_client import REGISTRY, Counter\n\nC = Counter("jobs", "Jobs")\nREGISTRY.register(C)\n`,
      },
      ['m.py'],
    ),
    s(
      'register-unregistered-object',
      {
        'm.py': `from prometheus_client import REGISTRY, Counter\n\nC = Counter("jobs", "Jobs", registry=None)\nREGISTRY.register(C)\n`,
      },
      ['m.py'],
    ),
    s(
      'register-same-object-other-registry',
      {
        'm.py': `from prometheus_client import CollectorRegistry, Counter\n\nreg = CollectorRegistry()\nC = Counter("jobs", "Jobs")\nreg.register(C)\n`,
      },
      ['m.py'],
    ),
    s(
      'builtin-process-name',
      { 'm.py': `from prometheus_client import Gauge\n\nG = Gauge("process_open_fds", "Open fds")\n` },
      ['m.py'],
    ),
    s('builtin-python-info', { 'm.py': `from prometheus_client import Info\n\nI = Info("python", "Python")\n` }, [
      'm.py',
    ]),
    s(
      'builtin-gc-name',
      { 'm.py': `from prometheus_client import Counter\n\nC = Counter("python_gc_collections", "GC")\n` },
      ['m.py'],
    ),
    s(
      'builtin-name-custom-registry',
      {
        'm.py': `from prometheus_client import CollectorRegistry, Gauge\n\nreg = CollectorRegistry()\nG = Gauge("process_open_fds", "Open fds", registry=reg)\n`,
      },
      ['m.py'],
    ),
    s('process-collector-again', { 'm.py': `from prometheus_client import ProcessCollector\n\nProcessCollector()\n` }, [
      'm.py',
    ]),
    s(
      'platform-collector-again',
      { 'm.py': `from prometheus_client import PlatformCollector\n\nPlatformCollector()\n` },
      ['m.py'],
    ),
    s(
      'gc-collector-custom-registry',
      {
        'm.py': `from prometheus_client import CollectorRegistry, GCCollector\n\nreg = CollectorRegistry()\nGCCollector(registry=reg)\n`,
      },
      ['m.py'],
    ),
    s(
      'process-collector-namespace',
      { 'm.py': `from prometheus_client import ProcessCollector\n\nProcessCollector(namespace="svc")\n` },
      ['m.py'],
    ),
    s(
      'view-twice',
      {
        'views.py': `from prometheus_client import Counter\n\n${app}\n\n@app.get("/items")\ndef read_items():\n    c = Counter("item_reads", "Reads")\n    c.inc()\n`,
      },
      ['views.py'],
      [{ module: 'views.py', fn: 'read_items', times: 2 }],
    ),
    s(
      'view-request-param',
      {
        'views.py': `from prometheus_client import Histogram\n\n\ndef report(request):\n    h = Histogram("report_seconds", "Time")\n    return h\n`,
      },
      ['views.py'],
      [{ module: 'views.py', fn: 'report', times: 2 }],
    ),
    s(
      'view-custom-registry',
      {
        'views.py': `from prometheus_client import CollectorRegistry, Gauge\n\n${app}\n\n@app.get("/metrics")\ndef tenant_metrics():\n    reg = CollectorRegistry()\n    g = Gauge("tenant_usage", "Usage", registry=reg)\n    g.set(1)\n`,
      },
      ['views.py'],
      [{ module: 'views.py', fn: 'tenant_metrics', times: 2 }],
    ),
    s(
      'lru-cache-factory',
      {
        'm.py': `import functools\n\nfrom prometheus_client import Counter\n\n\n@functools.lru_cache(maxsize=None)\ndef exports():\n    return Counter("exports", "Exports")\n\n\nexports()\nexports()\n`,
      },
      ['m.py'],
    ),
    s(
      'factory-called-twice',
      {
        'm.py': `from prometheus_client import Counter\n\n\ndef make():\n    return Counter("exports", "Exports")\n\n\nA = make()\nB = make()\n`,
      },
      ['m.py'],
    ),
    s(
      'try-except-duplicate',
      {
        'm.py': `from prometheus_client import Counter\n\nA = Counter("exports", "Exports")\ntry:\n    B = Counter("exports", "Exports")\nexcept ValueError:\n    B = A\n`,
      },
      ['m.py'],
    ),
    s(
      'unregister-then-recreate',
      {
        'm.py': `from prometheus_client import REGISTRY, Counter\n\nA = Counter("exports", "Exports")\nREGISTRY.unregister(A)\nB = Counter("exports", "Exports")\n`,
      },
      ['m.py'],
    ),
    s(
      'shared-custom-registry',
      {
        'metrics.py': `from prometheus_client import CollectorRegistry, Counter\n\nREG = CollectorRegistry()\nJOBS = Counter("jobs", "Jobs", registry=REG)\n`,
        'worker.py': `from prometheus_client import Gauge\n\nfrom metrics import REG\n\nJOBS_TOTAL = Gauge("jobs_total", "Queue", registry=REG)\n`,
      },
      ['metrics.py', 'worker.py'],
    ),
    s(
      'custom-registry-positional',
      {
        'm.py': `from prometheus_client import CollectorRegistry, Counter\n\nreg = CollectorRegistry()\nA = Counter("jobs", "Jobs", [], "", "", "", reg)\nB = Counter("jobs", "Jobs")\n`,
      },
      ['m.py'],
    ),
    s(
      'explicit-default-registry',
      {
        'm.py': `from prometheus_client import REGISTRY, Counter\n\nA = Counter("jobs", "Jobs", registry=REGISTRY)\nB = Counter("jobs_total", "Jobs")\n`,
      },
      ['m.py'],
    ),
    s(
      'module-alias-import',
      {
        'm.py': `import prometheus_client as prom\n\nA = prom.Counter("jobs", "Jobs")\nB = prom.Histogram("jobs_created", "Jobs")\n`,
      },
      ['m.py'],
    ),
    s(
      'imported-constant-name',
      {
        'names.py': `PREFIX = "queue_"\nJOBS = PREFIX + "jobs"\n`,
        'm.py': `from prometheus_client import Counter, Gauge\n\nfrom names import JOBS\n\nA = Counter(JOBS, "Jobs")\nB = Gauge(f"{JOBS}_total", "Queue")\n`,
      },
      ['m.py'],
    ),
    s(
      'class-attribute-metrics',
      {
        'm.py': `from prometheus_client import Counter\n\n\nclass Metrics:\n    JOBS = Counter("jobs", "Jobs")\n    FAILED = Counter("jobs_failed", "Failed")\n`,
      },
      ['m.py'],
    ),
    s(
      'registered-twice-custom',
      {
        'm.py': `from prometheus_client import CollectorRegistry, Counter\n\nreg = CollectorRegistry()\nC = Counter("jobs", "Jobs", registry=None)\nreg.register(C)\nreg.register(C)\n`,
      },
      ['m.py'],
    ),
    s(
      'importlib-reload',
      {
        'metrics.py': `from prometheus_client import Counter\n\nJOBS = Counter("jobs", "Jobs")\n`,
        'plugins.py': `import importlib\n\nimport metrics\n\n\ndef reload_all():\n    importlib.reload(metrics)\n`,
      },
      ['metrics.py', 'plugins.py'],
      [{ module: 'plugins.py', fn: 'reload_all', times: 1 }],
    ),
    s('invalid-name', { 'm.py': `from prometheus_client import Counter\n\nC = Counter("auth.logins", "Logins")\n` }, [
      'm.py',
    ]),
    s(
      'reserved-label',
      { 'm.py': `from prometheus_client import Counter\n\nC = Counter("logins", "Logins", ["__grant"])\n` },
      ['m.py'],
    ),
    s(
      'histogram-le',
      { 'm.py': `from prometheus_client import Histogram\n\nH = Histogram("login_seconds", "Latency", ["le"])\n` },
      ['m.py'],
    ),
    s(
      'summary-quantile',
      { 'm.py': `from prometheus_client import Summary\n\nS = Summary("payload_bytes", "Size", ["quantile"])\n` },
      ['m.py'],
    ),
    s(
      'gauge-le-allowed',
      { 'm.py': `from prometheus_client import Gauge\n\nG = Gauge("bucket_fill", "Fill", ["le"])\n` },
      ['m.py'],
    ),
    s(
      'info-with-unit',
      { 'm.py': `from prometheus_client import Info\n\nI = Info("build", "Build", unit="seconds")\n` },
      ['m.py'],
    ),
    s('empty-doc-allowed', { 'm.py': `from prometheus_client import Counter\n\nC = Counter("sessions", "")\n` }, [
      'm.py',
    ]),
  ];
}
