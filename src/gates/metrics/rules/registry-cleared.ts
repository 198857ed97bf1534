import type { RepoRule } from '../../../core/types.js';
import { changedPaths, metricIndexOf, registryLabel, related } from '../analysis.js';
import type { IndexedClear, IndexedMetric } from '../model.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/registry-cleared: `register.clear()`, `removeSingleMetric(name)` or `REGISTRY.unregister(…)`
 * used to make room for a metric that is about to be created again — it hides a double evaluation of
 * the module instead of fixing it, and silently orphans the first copy's metrics.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/registry-cleared',
    gate: 'metrics',
    severity: 'warning',
    description:
      'register.clear() / removeSingleMetric / REGISTRY.unregister used at load time or right before re-creating metrics, to paper over duplicate registrations.',
    messages: {
      clearAtLoad:
        '`{{call}}` runs when this module loads and wipes {{registry}}: every metric registered before — by other modules too — keeps counting but is no longer exported. It usually silences "already registered" after a hot reload or a second bundle; the module is still evaluated twice and the first copy\'s metrics are lost.',
      clearThenCreate:
        '`{{call}}` empties {{registry}} right before {{fn}} creates metrics again (e.g. "{{name}}" at line {{line}}). This hides the duplicate registration instead of fixing it: any metric object created earlier (and still used elsewhere) stops being exported.',
      removeThenCreate:
        '`{{call}}` removes "{{name}}" from {{registry}} only to create it again at line {{line}}: code still holding the old object keeps recording into a metric nobody scrapes, and the series resets.',
      unregisterAtLoad:
        '`{{call}}` unregisters collectors from {{registry}} when this module is imported. That hides "Duplicated timeseries" when the module is imported twice, but the first copy\'s metrics keep counting unexported.',
    },
    fixes: {
      default:
        'Create metrics once per process and reuse them: one metrics module, `globalThis.__metrics ??= createMetrics()` for HMR/Next.js, `register.getSingleMetric(name) ?? new Counter(…)`, or in Python a module-level object (not re-imported under two names). Keep `clear()` for tests.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const index = metricIndexOf(ctx);
    const byPath = new Map<string, IndexedMetric[]>();
    for (const m of index.metrics) byPath.set(m.loc.path, [...(byPath.get(m.loc.path) ?? []), m]);
    for (const c of index.clears) {
      // Test set-up files reset the registry between tests on purpose.
      if (!changed.has(c.loc.path) || TEST_SETUP.test(c.loc.path)) continue;
      const after = (byPath.get(c.loc.path) ?? []).filter(
        (m) => m.loc.line > c.loc.line && sameScope(m, c) && m.library !== 'opentelemetry',
      );
      const registry = registryLabel(c.registry);
      const base = { path: c.loc.path, line: c.loc.line, key: `${c.op}@${registry}` };
      if (c.op === 'clear') {
        if (c.scope.kind === 'module') {
          ctx.report({ ...base, messageId: 'clearAtLoad', data: { call: c.call, registry } });
        } else if (after[0]) {
          const m = after[0];
          ctx.report({
            ...base,
            messageId: 'clearThenCreate',
            data: {
              call: c.call,
              registry,
              fn: c.scope.fnName ?? 'this function',
              name: m.fullName ?? m.nameText,
              line: m.loc.line,
            },
            related: [related(m.loc, 'the metric created again after the clear')],
          });
        }
        continue;
      }
      const target = c.op === 'remove' ? c.name : c.defId ? index.byId.get(c.defId)?.fullName : undefined;
      const again = target !== undefined ? after.find((m) => m.fullName === target) : undefined;
      if (again) {
        ctx.report({
          ...base,
          messageId: 'removeThenCreate',
          data: { call: c.call, registry, name: target!, line: again.loc.line },
          related: [related(again.loc, `"${target}" created again`)],
          key: `${c.op}:${target}@${registry}`,
        });
      } else if (c.op === 'unregister' && c.scope.kind === 'module') {
        ctx.report({ ...base, messageId: 'unregisterAtLoad', data: { call: c.call, registry } });
      }
    }
  },
};

const TEST_SETUP =
  /(^|\/)(jest|vitest|mocha)[.-](setup|config)[^/]*$|(^|\/)(setupTests|test-setup|setup-tests|conftest)\.[^/]+$/;

function sameScope(m: IndexedMetric, c: IndexedClear): boolean {
  if (c.scope.kind === 'module') return m.scope.kind === 'module';
  return m.scope.kind === 'function' && m.scope.fnKey === c.scope.fnKey;
}
