import type { RepoRule } from '../../../core/types.js';
import { changedPaths, metricIndexOf } from '../analysis.js';
import { exposedName, namingProblems, suggestedName } from '../naming.js';
import type { MetricsOptions } from '../options.js';
import { LABEL_NAME_RE, METRIC_NAME_RE } from '../semantics.js';

/**
 * metrics/naming-convention: names that `promtool check metrics` flags — counters without `_total`,
 * `_total` on non-counters, non-base or abbreviated units, camelCase, reserved suffixes and labels on
 * the wrong type, colons, the type in the name, (Go) no help text.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/naming-convention',
    gate: 'metrics',
    severity: 'warning',
    description:
      'Metric and label names that break Prometheus naming conventions (promtool check metrics): _total on counters only, base units, snake_case, reserved suffixes.',
    messages: {
      naming:
        'Metric "{{name}}" breaks Prometheus naming conventions ({{count}} promtool finding{{plural}}): {{problems}}. Dashboards and alerts are written against conventional names, and renaming later breaks every query that uses this one.',
    },
    fixes: {
      naming:
        'Name it e.g. "{{suggestion}}" (record values in base units: seconds, bytes), before any dashboard or alert depends on the current name.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    for (const def of metricIndexOf(ctx).metrics) {
      if (!changed.has(def.loc.path) || def.library === 'opentelemetry' || def.fullName === undefined) continue;
      // Names the library rejects are metrics/invalid-definition's, not a style question.
      if (!METRIC_NAME_RE.test(def.fullName) || (def.labels ?? []).some((l) => !LABEL_NAME_RE.test(l))) continue;
      const problems = namingProblems(def);
      if (problems.length === 0) continue;
      const onlyMinor = problems.every((p) => p.minor);
      ctx.report({
        messageId: 'naming',
        data: {
          name: exposedName(def),
          count: problems.length,
          plural: problems.length === 1 ? '' : 's',
          problems: problems.map((p) => p.text).join('; '),
          suggestion: suggestedName(def),
        },
        path: def.loc.path,
        line: def.loc.line,
        endLine: def.loc.endLine,
        ...(onlyMinor ? { severity: 'notice' as const } : {}),
        key: def.fullName,
      });
    }
  },
};
