import type { RepoRule } from '../../../core/types.js';
import { changedPaths, metricIndexOf } from '../analysis.js';
import type { IndexedMetric } from '../model.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/dynamic-name: a metric whose *name* is built from runtime data — the request, a variable that
 * holds one entity (`customerId`), or any runtime value inside per-request code. Each value creates a
 * new metric family: unbounded, invisible to dashboards, and a crash the second time a value repeats.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/dynamic-name',
    gate: 'metrics',
    severity: 'blocker',
    description:
      'A metric name built from runtime data (request fields, entity ids): one metric family per value, unbounded.',
    messages: {
      dynamic:
        'The name of this {{type}} is built from runtime data ({{sources}} in {{text}}): every distinct value creates a new metric family, so the number of metrics grows without bound, no dashboard or alert can query them together, and {{repeat}}.',
    },
    fixes: {
      dynamic:
        'Use one fixed name and put the varying part in a label with a bounded set of values (e.g. `orders_total{plan="pro"}`), or leave per-entity detail to logs and traces.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    for (const def of metricIndexOf(ctx).metrics) {
      if (!changed.has(def.loc.path) || def.name.kind !== 'runtime') continue;
      const origins = def.name.origins;
      const perEntity = origins.includes('request') || origins.includes('entity');
      if (!perEntity && !def.scope.hot) continue;
      // Looked up before it is created (`getSingleMetric(name)` and an early return, a cache): a registry
      // of names managed on purpose. It does not throw on a repeat; the growth alone is a warning.
      const managed = def.scope.guard !== undefined && def.scope.guard !== 'try';
      ctx.report({
        messageId: 'dynamic',
        data: {
          type: def.library === 'opentelemetry' ? 'instrument' : def.type,
          sources: [...new Set(def.name.sources)].map((s) => `\`${s}\``).join(', '),
          text: def.name.text.length > 70 ? `${def.name.text.slice(0, 67)}…` : def.name.text,
          repeat: managed
            ? 'each name stays registered for the life of the process (it is looked up before it is created, so a repeat does not throw)'
            : repeatConsequence(def),
        },
        path: def.loc.path,
        line: def.loc.line,
        endLine: def.loc.endLine,
        ...(managed ? { severity: 'warning' as const } : {}),
        key: def.name.text,
      });
    }
  },
};

function repeatConsequence(def: IndexedMetric): string {
  if (def.library === 'opentelemetry')
    return 'each new name allocates a new stream in the SDK for the life of the process';
  return 'the second time the same value comes back, registering that name again throws (or panics)';
}
