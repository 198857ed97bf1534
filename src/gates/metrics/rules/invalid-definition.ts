import type { RepoRule } from '../../../core/types.js';
import { changedPaths, metricIndexOf } from '../analysis.js';
import type { IndexedMetric } from '../model.js';
import type { MetricsOptions } from '../options.js';
import { LABEL_NAME_RE, METRIC_NAME_RE } from '../semantics.js';

/**
 * metrics/invalid-definition: a metric the library refuses to construct — an invalid metric or label
 * name, a label reserved for its type (`le` on histograms, `quantile` on summaries, `__…` in Python and
 * Go), a missing help text (prom-client), a unit on a Python Info/Enum.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/invalid-definition',
    gate: 'metrics',
    severity: 'blocker',
    description:
      'A metric definition the client library rejects at construction (invalid name or label, reserved label, missing help): it throws/panics when the code runs.',
    messages: {
      invalidName:
        'Metric name "{{name}}" is not a valid Prometheus name (letters, digits, `_` and `:`, not starting with a digit): {{error}}, so this code crashes {{moment}}.',
      invalidLabel:
        'Label name "{{label}}" of "{{name}}" is not a valid Prometheus label name (letters, digits and `_`, not starting with a digit): {{error}}, so this code crashes {{moment}}.',
      reservedLabel: 'Label "{{label}}" is reserved for {{owner}}: {{error}}, so this code crashes {{moment}}.',
      missingHelp:
        'Metric "{{name}}" has no help text: prom-client throws "Missing mandatory help parameter" when it is constructed, so this code crashes {{moment}}.',
      missingName:
        'This {{type}} has no name: prom-client throws "Missing mandatory name parameter" when it is constructed, so this code crashes {{moment}}.',
      unitNotAllowed:
        '{{type}} "{{name}}" is given a unit: prometheus_client raises ValueError("Metric name is of a type that cannot have a unit: …"), so this code crashes {{moment}}.',
    },
    fixes: {
      default:
        'Use a snake_case name made of letters, digits and underscores (`orders_created_total`), give every metric a help text, and rename reserved labels (`le` → `bucket_limit`, `quantile` → `percentile_group`).',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    for (const def of metricIndexOf(ctx).metrics) {
      if (!changed.has(def.loc.path) || def.library === 'opentelemetry') continue;
      const problem = firstProblem(def);
      if (!problem) continue;
      ctx.report({
        messageId: problem.id,
        data: { name: def.fullName ?? def.nameText, type: def.type, moment: moment(def), ...problem.data },
        path: def.loc.path,
        line: def.loc.line,
        endLine: def.loc.endLine,
        key: `${problem.id}:${def.fullName ?? def.nameText}`,
      });
    }
  },
};

function moment(def: IndexedMetric): string {
  if (def.scope.kind === 'module') return 'at start-up';
  return `when ${def.scope.fnName ?? 'the enclosing function'} runs`;
}

function nameError(def: IndexedMetric, name: string): string {
  switch (def.library) {
    case 'prom-client':
      return 'prom-client throws "Invalid metric name"';
    case 'prometheus_client':
      return `prometheus_client raises ValueError("Invalid metric name: ${name}")`;
    default:
      return 'client_golang reports the descriptor as invalid, and MustRegister/promauto panic';
  }
}

function labelError(def: IndexedMetric, label: string): string {
  switch (def.library) {
    case 'prom-client':
      return 'prom-client throws "Invalid label name"';
    case 'prometheus_client':
      return `prometheus_client raises ValueError("Invalid label metric name: ${label}")`;
    default:
      return 'client_golang reports the descriptor as invalid, and MustRegister/promauto panic';
  }
}

function firstProblem(def: IndexedMetric): { id: string; data: Record<string, string> } | undefined {
  if (def.library === 'prom-client' && def.name.kind === 'unknown' && def.nameText === '')
    return { id: 'missingName', data: {} };
  if (def.fullName !== undefined && !METRIC_NAME_RE.test(def.fullName))
    return { id: 'invalidName', data: { error: nameError(def, def.fullName) } };
  for (const label of def.labels ?? []) {
    if (!LABEL_NAME_RE.test(label)) return { id: 'invalidLabel', data: { label, error: labelError(def, label) } };
  }
  for (const label of def.labels ?? []) {
    if (label === 'le' && def.type === 'histogram') {
      return {
        id: 'reservedLabel',
        data: {
          label,
          owner: 'histogram buckets',
          error:
            def.library === 'prom-client'
              ? 'prom-client throws "le is a reserved label keyword"'
              : def.library === 'prometheus_client'
                ? 'prometheus_client raises ValueError("Reserved label metric name: le")'
                : 'client_golang panics ("le" is not allowed as a histogram label)',
        },
      };
    }
    if (label === 'quantile' && def.type === 'summary') {
      return {
        id: 'reservedLabel',
        data: {
          label,
          owner: 'summary quantiles',
          error:
            def.library === 'prom-client'
              ? 'prom-client throws "quantile is a reserved label keyword"'
              : def.library === 'prometheus_client'
                ? 'prometheus_client raises ValueError("Reserved label metric name: quantile")'
                : 'client_golang panics ("quantile" is not allowed as a summary label)',
        },
      };
    }
    if (label.startsWith('__') && def.library !== 'prom-client') {
      return {
        id: 'reservedLabel',
        data: {
          label,
          owner: 'Prometheus itself (the `__` prefix)',
          error:
            def.library === 'prometheus_client'
              ? `prometheus_client raises ValueError("Reserved label metric name: ${label}")`
              : 'client_golang reports the descriptor as invalid, and MustRegister/promauto panic',
        },
      };
    }
  }
  // prom-client treats an empty help as missing (`if (!this.help)`); an unknown expression may be fine.
  if (def.library === 'prom-client' && (def.help === undefined || def.help === ''))
    return { id: 'missingHelp', data: {} };
  if (
    def.library === 'prometheus_client' &&
    (def.type === 'info' || def.type === 'enum') &&
    def.unit &&
    def.unit.length > 0
  ) {
    return { id: 'unitNotAllowed', data: { type: def.type === 'info' ? 'Info' : 'Enum' } };
  }
  return undefined;
}
