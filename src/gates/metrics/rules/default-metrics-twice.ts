import type { RepoRule } from '../../../core/types.js';
import { at, changedPaths, metricIndexOf, registryLabel, related } from '../analysis.js';
import type { IndexedDefaultMetrics, IndexedRegistration, Loc, Scope } from '../model.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/default-metrics-twice: the process/runtime metrics registered twice in one registry —
 * `collectDefaultMetrics()` called twice (or per request), a Python built-in collector constructed again
 * on the default registry, a Go/process collector registered again on client_golang's default registry.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/default-metrics-twice',
    gate: 'metrics',
    severity: 'blocker',
    description:
      'Default/process metrics registered twice in one registry (collectDefaultMetrics called twice or per request, built-in Python/Go collectors registered again).',
    messages: {
      twice:
        'collectDefaultMetrics() already ran for {{registry}}{{prefix}} at {{other}}. Each call registers the same ~30 metrics again, so prom-client throws "A metric with the name {{prefixRaw}}process_cpu_user_seconds_total has already been registered." {{moment}}.',
      perCall:
        'collectDefaultMetrics() runs in {{detail}}, so it registers the default metrics in {{registry}} on every call; prom-client throws "A metric with the name {{prefixRaw}}process_cpu_user_seconds_total has already been registered." the second time.',
      builtinDefault:
        '{{call}} registers {{what}} in the default registry, which already has it from the start: {{error}}, so the service crashes {{moment}}.',
      builtinTwice:
        '{{call}} registers {{what}} in {{registry}} again (already at {{other}}): {{error}}, so the service crashes {{moment}}.',
    },
    fixes: {
      default:
        'Call collectDefaultMetrics() exactly once per registry, at start-up (one shared metrics module); give a second registry its own `register`, or a distinct `prefix`. If a library (e.g. a Prometheus middleware) already collects them, disable one of the two.',
      builtinDefault:
        'Drop this registration: the default registry already exports these metrics. To expose them in a custom registry, register the collector there instead (`registry=my_registry`, `reg.MustRegister(collectors.NewGoCollector())`).',
      builtinTwice: 'Register the collector once per registry, at start-up.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const index = metricIndexOf(ctx);
    checkDefaultMetrics(ctx, index.defaultMetrics, changed);
    checkBuiltins(ctx, index.registrations, changed);
  },
};

type Ctx = Parameters<RepoRule['check']>[0];

function moment(scope: Scope): string {
  if (scope.kind === 'module') return 'at start-up';
  return `when ${scope.fnName ?? 'the enclosing function'} runs`;
}

function registryKey(r: IndexedDefaultMetrics['registry']): string | undefined {
  if (r.kind === 'default') return 'default';
  if (r.kind === 'known') return r.key;
  return undefined;
}

function runsMoreThanOnce(scope: Scope): boolean {
  return (scope.hot !== undefined || scope.inLoop) && scope.guard === undefined;
}

function earlier(a: Loc, b: Loc): boolean {
  return a.path < b.path || (a.path === b.path && a.line < b.line);
}

function checkDefaultMetrics(ctx: Ctx, calls: IndexedDefaultMetrics[], changed: Set<string>): void {
  const groups = new Map<string, IndexedDefaultMetrics[]>();
  for (const call of calls) {
    if (call.scope.guard) continue;
    const longLived = call.registry.kind === 'default' || (call.registry.kind === 'known' && !call.registry.perCall);
    if (changed.has(call.loc.path) && longLived && runsMoreThanOnce(call.scope)) {
      ctx.report({
        messageId: 'perCall',
        data: {
          detail: call.scope.hot?.detail ?? 'a loop',
          registry: registryLabel(call.registry),
          prefixRaw: call.prefix ?? '',
        },
        line: call.loc.line,
        path: call.loc.path,
        ...(call.scope.hot?.via ? { related: [related(call.scope.hot.via, 'where this code is called')] } : {}),
        key: `perCall@${registryLabel(call.registry)}`,
      });
      continue;
    }
    const key = registryKey(call.registry);
    if (key === undefined || call.prefix === undefined) continue;
    const g = `${call.service}\u0000${key}\u0000${call.prefix}`;
    groups.set(g, [...(groups.get(g) ?? []), call]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => (earlier(a.loc, b.loc) ? -1 : 1));
    const first = sorted[0]!;
    for (const call of sorted.slice(1)) {
      if (!changed.has(call.loc.path)) continue;
      ctx.report({
        messageId: 'twice',
        data: {
          registry: registryLabel(call.registry),
          prefix: call.prefix ? ` with prefix "${call.prefix}"` : '',
          prefixRaw: call.prefix ?? '',
          other: at(first.loc),
          moment: moment(call.scope),
        },
        path: call.loc.path,
        line: call.loc.line,
        related: [related(first.loc, 'the first collectDefaultMetrics() call for this registry')],
        key: `twice@${registryLabel(call.registry)}:${call.prefix ?? ''}`,
      });
    }
  }
}

const BUILTIN_WHAT: Record<NonNullable<IndexedRegistration['builtin']>, string> = {
  go: 'the Go runtime collector',
  process: 'the process collector',
  platform: 'the platform collector (python_info)',
  gc: 'the garbage-collector collector',
  'build-info': 'the build-info collector',
};

function builtinError(reg: IndexedRegistration): string {
  return reg.library === 'prometheus_client'
    ? 'prometheus_client raises ValueError("Duplicated timeseries in CollectorRegistry: {…}")'
    : 'client_golang returns "duplicate metrics collector registration attempted" and MustRegister panics';
}

function checkBuiltins(ctx: Ctx, regs: IndexedRegistration[], changed: Set<string>): void {
  const groups = new Map<string, IndexedRegistration[]>();
  for (const reg of regs) {
    if (!reg.builtin || !reg.fatal || reg.scope.guard) continue;
    if (reg.registry.kind === 'default' && reg.builtin !== 'build-info') {
      if (!changed.has(reg.loc.path)) continue;
      ctx.report({
        messageId: 'builtinDefault',
        data: {
          call: reg.call.length > 70 ? `${reg.call.slice(0, 67)}…` : reg.call,
          what: BUILTIN_WHAT[reg.builtin],
          error: builtinError(reg),
          moment: moment(reg.scope),
        },
        path: reg.loc.path,
        line: reg.loc.line,
        key: `builtin:${reg.builtin}@default`,
      });
      continue;
    }
    if (reg.registry.kind !== 'known' && reg.registry.kind !== 'default') continue;
    const key = `${reg.service}\u0000${reg.registry.kind === 'known' ? reg.registry.key : 'default'}\u0000${reg.builtin}`;
    groups.set(key, [...(groups.get(key) ?? []), reg]);
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => (earlier(a.loc, b.loc) ? -1 : 1));
    const first = sorted[0]!;
    for (const reg of sorted) {
      const again = reg !== first || runsMoreThanOnce(reg.scope);
      if (!again || !changed.has(reg.loc.path)) continue;
      ctx.report({
        messageId: 'builtinTwice',
        data: {
          call: reg.call.length > 70 ? `${reg.call.slice(0, 67)}…` : reg.call,
          what: BUILTIN_WHAT[reg.builtin!],
          registry: registryLabel(reg.registry),
          other: reg === first ? (reg.scope.hot?.detail ?? 'a loop') : at(first.loc),
          error: builtinError(reg),
          moment: reg === first ? 'the second time this runs' : moment(reg.scope),
        },
        path: reg.loc.path,
        line: reg.loc.line,
        ...(reg !== first ? { related: [related(first.loc, 'the first registration of this collector')] } : {}),
        key: `builtin:${reg.builtin}@${registryLabel(reg.registry)}`,
      });
    }
  }
}
