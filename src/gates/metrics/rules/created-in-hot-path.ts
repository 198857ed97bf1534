import type { FindingInput, RepoRule } from '../../../core/types.js';
import {
  changedPaths,
  conflictsOf,
  describeOther,
  libraryError,
  metricIndexOf,
  registryLabel,
  related,
  type Conflict,
} from '../analysis.js';
import type { IndexedMetric, IndexedRegistration, RegistryRef, Scope } from '../model.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/created-in-hot-path: a metric constructed (and registered) in code that runs more than once —
 * a request handler, middleware, controller method, request-scoped provider, view, task, a function
 * called from one of those or from a loop, or a function called several times at start-up. The second
 * run registers a second object under a taken name and the library throws or panics.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/created-in-hot-path',
    gate: 'metrics',
    severity: 'blocker',
    description:
      'A metric constructed and registered inside a request handler, a per-call function, a per-request class or a loop: the second call throws/panics.',
    messages: {
      perRequestTaken:
        'Metric "{{name}}" is constructed in {{detail}}, and registered in {{registry}} every time that runs — but {{other}} already registered that name, so {{error}} on the very first request that gets here.',
      perRequest:
        'Metric "{{name}}" is constructed in {{detail}}, and registered in {{registry}} every time that runs. {{error}} on the second request, so every request after the first one fails (a test that sends one request per process will not notice).',
      calledPerRequest:
        'Metric "{{name}}" is constructed in {{fn}}, which runs more than once: {{detail}}. It is registered in {{registry}} on every call; {{error}} on the second call.',
      inLoop:
        'Metric "{{name}}" is constructed inside a loop under the same name on every iteration and registered in {{registry}}; {{error}} on the second iteration.',
      calledRepeatedly:
        'Metric "{{name}}" is constructed in {{fn}}, and {{detail}}; each call registers a new object in {{registry}}, so {{error}} at start-up.',
      reloaded:
        '`{{call}}` makes {{module}} evaluate again, and its top level constructs metrics (e.g. "{{name}}" at line {{line}}) into {{registry}}, which still holds the first ones: {{error}} when the module runs again.',
      registerPerRequest:
        '`{{call}}` runs in {{detail}}. The name is then already registered, so {{error}} the second time this runs.',
    },
    fixes: {
      default:
        'Create the metric once, at module scope (or in a metrics module imported where needed), and only record values where the work happens (`counter.inc()`, `histogram.observe()`). If a per-request registry is intended, create that registry in the same function and register the metric only there.',
      registerPerRequest:
        'Register the metric once at start-up (module scope, `init()`, or app start), not in the code that runs per request.',
      reloaded:
        'Do not reload modules that define metrics: move the metrics to a module that is never reloaded, or guard them (`register.getSingleMetric(name) ?? new …`; in Python, look the collector up before creating it).',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const index = metricIndexOf(ctx);
    // A per-request metric whose name is already taken at start-up fails on the first request, not the second.
    const takenBy = new Map<string, Conflict>();
    for (const c of conflictsOf(index)) {
      if (c.kind !== 'duplicate' || c.entry.via !== 'constructor' || takenBy.has(c.entry.def.id)) continue;
      if (c.other.kind === 'entry' && (c.other.entry.scope.hot || c.other.entry.scope.kind !== 'module')) continue;
      takenBy.set(c.entry.def.id, c);
    }
    for (const def of index.metrics) {
      if (!changed.has(def.loc.path) || def.library === 'opentelemetry') continue;
      const finding = defFinding(def, takenBy.get(def.id));
      if (finding) ctx.report(finding);
    }
    for (const reload of index.reloads) {
      if (!changed.has(reload.loc.path)) continue;
      // The first metric the reloaded module builds at its top level, unguarded, in a registry that persists.
      const victim = index.metrics.find(
        (m) =>
          m.loc.path === reload.module &&
          m.scope.kind === 'module' &&
          !m.scope.guard &&
          m.library !== 'opentelemetry' &&
          m.resolvedRegistries.some(longLived),
      );
      if (!victim) continue;
      const registry = victim.resolvedRegistries.find(longLived)!;
      const name = displayName(victim);
      ctx.report({
        messageId: 'reloaded',
        data: {
          call: reload.call.length > 70 ? `${reload.call.slice(0, 67)}…` : reload.call,
          module: reload.module,
          name,
          line: victim.loc.line,
          registry: registryLabel(registry),
          error: libraryError(victim.library, name),
        },
        path: reload.loc.path,
        line: reload.loc.line,
        related: [related(victim.loc, `"${name}" is constructed when ${reload.module} loads`)],
        key: `reload:${reload.module}`,
      });
    }
    for (const reg of index.registrations) {
      if (!changed.has(reg.loc.path)) continue;
      const finding = registrationFinding(reg, index.byId.get(reg.defId ?? ''));
      if (finding) ctx.report(finding);
    }
  },
};

/** A registry that outlives the call: the default one, or a registry not created in the same call. */
function longLived(ref: RegistryRef): boolean {
  return ref.kind === 'default' || (ref.kind === 'known' && !ref.perCall);
}

function runsMoreThanOnce(scope: Scope): boolean {
  return (scope.hot !== undefined || scope.inLoop) && scope.guard === undefined;
}

function displayName(def: IndexedMetric): string {
  return def.fullName ?? (def.nameText || 'metric');
}

function defFinding(def: IndexedMetric, taken: Conflict | undefined): FindingInput | undefined {
  const scope = def.scope;
  if (!runsMoreThanOnce(scope)) return undefined;
  const registry = def.resolvedRegistries.find(longLived);
  if (!registry) return undefined;
  // A loop over names (`for (const n of names) new Counter({ name: n })`) builds different metrics.
  if (!scope.hot && def.name.kind === 'runtime' && def.name.origins.includes('loop')) return undefined;
  if (!scope.hot && def.name.kind === 'unknown') return undefined;
  const name = displayName(def);
  const data = {
    name,
    registry: registryLabel(registry),
    error: libraryError(def.library, name),
    detail: scope.hot?.detail ?? '',
    fn: scope.fnName ?? 'this function',
  };
  const base = {
    path: def.loc.path,
    line: def.loc.line,
    endLine: def.loc.endLine,
    key: `${name}@${registryLabel(registry)}`,
  };
  const hot = scope.hot;
  if (!hot) return { ...base, messageId: 'inLoop', data };
  const via = hot.via ? { related: [related(hot.via, `where ${scope.fnName ?? 'this function'} is called`)] } : {};
  if (hot.reason === 'called-repeatedly') return { ...base, messageId: 'calledRepeatedly', data, ...via };
  if (hot.reason === 'called-from-hot' || hot.reason === 'loop')
    return { ...base, messageId: 'calledPerRequest', data, ...via };
  if (taken) {
    const other = describeOther(taken.other);
    return {
      ...base,
      messageId: 'perRequestTaken',
      data: { ...data, other: other.text },
      ...(other.loc ? { related: [related(other.loc, `where "${name}" is registered at start-up`)] } : {}),
    };
  }
  return { ...base, messageId: 'perRequest', data };
}

function registrationFinding(reg: IndexedRegistration, def: IndexedMetric | undefined): FindingInput | undefined {
  if (!reg.fatal || reg.builtin || !runsMoreThanOnce(reg.scope) || !reg.scope.hot || !longLived(reg.registry))
    return undefined;
  // prom-client ignores the same object registered again; only a new object per call throws, and then
  // the constructor inside the same hot code is what gets reported.
  if (reg.library === 'prom-client') return undefined;
  // A metric created in the same call and registered there is reported at its constructor when that
  // already registers it; otherwise the register call is the first registration of a fresh object.
  const name = def ? displayName(def) : reg.targetLabel;
  return {
    messageId: 'registerPerRequest',
    data: {
      call: reg.call,
      detail: reg.scope.hot.detail,
      library: reg.library,
      error: libraryError(reg.library, name),
      name,
    },
    path: reg.loc.path,
    line: reg.loc.line,
    endLine: reg.loc.endLine,
    ...(reg.scope.hot.via ? { related: [related(reg.scope.hot.via, 'where this code is called per request')] } : {}),
    key: `register:${name}@${registryLabel(reg.registry)}`,
  };
}
