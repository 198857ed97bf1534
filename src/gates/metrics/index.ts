import type { Gate } from '../../core/types.js';
import { metricsCoverage } from './coverage.js';
import { LIBRARY_TOKENS, SOURCE_GLOBS, metricIndex } from './metric-index.js';
import { metricsOptions, type MetricsOptions } from './options.js';
import { rules } from './rules/index.js';

/**
 * The metrics-registry gate: duplicate and colliding metric registrations (prom-client, Python
 * prometheus_client, Go client_golang, OpenTelemetry), metrics built per request, default metrics
 * registered twice, registry clears and merges, Prometheus naming, and unbounded or personal labels.
 */
export const metricsGate: Gate<MetricsOptions> = {
  id: 'metrics',
  title: 'Metrics registry',
  description:
    'Finds metrics that crash the process when registered (the same name twice in one registry, Python suffix collisions, metrics built inside a request handler, default metrics collected twice), names that break Prometheus conventions, and labels that explode cardinality or store personal data, across prom-client, prometheus_client, client_golang and OpenTelemetry.',
  options: metricsOptions,
  async applies({ snapshot }) {
    return (await snapshot.grep(LIBRARY_TOKENS, SOURCE_GLOBS)).length > 0;
  },
  indexes: [metricIndex],
  coverage: metricsCoverage,
  // Go sources define metrics too; the index reads them.
  reads: ['**/*.go'],
  rules,
};
