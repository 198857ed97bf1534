import type { RepoRule } from '../../../core/types.js';
import { at, changedPaths, metricIndexOf, related } from '../analysis.js';
import type { IndexedMetric } from '../model.js';
import { exposedName } from '../naming.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/cross-service-conflict: two services of one repository export the same metric name with a
 * different type or label set. Scraped into one Prometheus, the series mix: queries and alerts written
 * for one service silently aggregate the other, and type-specific functions (rate, histogram_quantile)
 * return nonsense.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/cross-service-conflict',
    gate: 'metrics',
    severity: 'warning',
    description:
      'The same metric name exported by two services of the repository with a different type or label set (a collision in a shared Prometheus).',
    messages: {
      type: '"{{name}}" is a {{type}} here but a {{otherType}} in service {{otherService}} ({{other}}). In a shared Prometheus both land in one metric family: rate()/histogram_quantile() over it mix incompatible series and alerts for either service misfire.',
      labels:
        '"{{name}}" has labels [{{labels}}] here but [{{otherLabels}}] in service {{otherService}} ({{other}}). In a shared Prometheus, queries that aggregate by a label one service lacks silently drop or merge the other service\'s series.',
    },
    fixes: {
      default:
        "Prefix each service's metrics with its name (e.g. `{{service}}_…`), or agree on one type and label set for the shared name.",
    },
  },
  check(ctx) {
    const index = metricIndexOf(ctx);
    if (new Set(index.metrics.map((m) => m.service)).size < 2) return;
    const changed = changedPaths(ctx);
    const byFamily = new Map<string, IndexedMetric[]>();
    for (const def of index.metrics) {
      if (
        def.library === 'opentelemetry' ||
        def.fullName === undefined ||
        def.type === 'enum' ||
        def.type === 'untyped'
      )
        continue;
      const family = familyName(def);
      byFamily.set(family, [...(byFamily.get(family) ?? []), def]);
    }
    for (const [family, defs] of byFamily) {
      for (const def of defs) {
        if (!changed.has(def.loc.path)) continue;
        const others = defs.filter((o) => o.service !== def.service);
        const typeClash = others.find((o) => promType(o) !== promType(def));
        const labelClash = def.labels ? others.find((o) => o.labels && !sameSet(o.labels, def.labels!)) : undefined;
        const other = typeClash ?? labelClash;
        if (!other) continue;
        const base = {
          path: def.loc.path,
          line: def.loc.line,
          endLine: def.loc.endLine,
          related: [related(other.loc, `"${exposedName(other)}" in service ${other.serviceName}`)],
          key: `${family}:${other.serviceName}`,
        };
        const data = {
          name: exposedName(def),
          type: promType(def),
          otherType: promType(other),
          otherService: other.serviceName,
          other: at(other.loc),
          labels: (def.labels ?? []).join(', '),
          otherLabels: (other.labels ?? []).join(', '),
          service: def.serviceName.replace(/[^a-zA-Z0-9_]/g, '_'),
        };
        ctx.report({ ...base, messageId: typeClash ? 'type' : 'labels', data });
      }
    }
  },
};

function promType(def: IndexedMetric): string {
  return def.type === 'info' ? 'gauge' : def.type;
}

/** The family a scrape shows: counters without their `_total` (as Prometheus and OpenMetrics group them). */
function familyName(def: IndexedMetric): string {
  const exposed = exposedName(def);
  return def.type === 'counter' ? exposed.replace(/_total$/, '') : exposed;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
