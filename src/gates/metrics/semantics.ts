/**
 * What each client library actually does, encoded once (sources read: prom-client 15.1.3 `lib/registry.js`,
 * `lib/metric.js`, `lib/defaultMetrics.js`, `lib/metrics/*.js`; prometheus_client `registry.py`,
 * `metrics.py`, `metrics_core.py`; client_golang `registry.go`, `process_collector.go`). The oracle tests
 * (test/gates/metrics/oracle.test.ts) check these tables against the installed libraries.
 */
import type { MetricType } from './model.js';

/**
 * Names `collectDefaultMetrics()` registers (before its `prefix`), the union of every default-metric
 * module's `metricNames` in prom-client 15.1.3. Some are Linux-only (file descriptors) or depend on the
 * Node.js version (`nodejs_active_resources*`); a clash with any of them is a clash in production.
 */
export const PROM_CLIENT_DEFAULT_METRICS: readonly string[] = [
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
  'process_open_fds',
  'process_max_fds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'nodejs_version_info',
  'nodejs_gc_duration_seconds',
];

/** The name prometheus_client registers for a metric: namespace/subsystem already joined by the extractor. */
export function pythonFullName(type: MetricType, name: string, unit: string | undefined): string {
  let full = name;
  // "Munge to OpenMetrics": a counter's own `_total` is stripped, and re-added on exposition.
  if (type === 'counter' && full.endsWith('_total')) full = full.slice(0, -'_total'.length);
  if (unit && !full.endsWith(`_${unit}`)) full += `_${unit}`;
  return full;
}

/** prometheus_client's `type_suffixes` (registry.py): what each type reserves beside its own name. */
const PYTHON_TYPE_SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  summary: ['_sum', '_count', '_created'],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  info: ['_info'],
};

/** Every name a prometheus_client metric claims in its registry (`CollectorRegistry._get_names`). */
export function pythonReservedNames(type: MetricType, fullName: string): string[] {
  return [fullName, ...(PYTHON_TYPE_SUFFIXES[type] ?? []).map((s) => fullName + s)];
}

/**
 * Names the default `REGISTRY` already holds on import (ProcessCollector on Linux, PlatformCollector,
 * GCCollector), by collector. Counters reserve `_total` and `_created` too.
 */
export const PYTHON_BUILTIN_NAMES: Readonly<Record<'process' | 'platform' | 'gc', readonly string[]>> = {
  process: [
    'process_virtual_memory_bytes',
    'process_resident_memory_bytes',
    'process_start_time_seconds',
    'process_cpu_seconds',
    'process_cpu_seconds_total',
    'process_cpu_seconds_created',
    'process_open_fds',
    'process_max_fds',
  ],
  platform: ['python_info'],
  gc: [
    'python_gc_objects_collected',
    'python_gc_objects_collected_total',
    'python_gc_objects_collected_created',
    'python_gc_objects_uncollectable',
    'python_gc_objects_uncollectable_total',
    'python_gc_objects_uncollectable_created',
    'python_gc_collections',
    'python_gc_collections_total',
    'python_gc_collections_created',
  ],
};

/**
 * Names client_golang's default registry holds from the start (`newDefaultRegistry` registers a process
 * and a Go collector). The process list is complete (process_collector.go `Describe`); the Go list is the
 * stable core, not every runtime/metrics name.
 */
export const GO_BUILTIN_NAMES: Readonly<Record<'go' | 'process', readonly string[]>> = {
  process: [
    'process_cpu_seconds_total',
    'process_open_fds',
    'process_max_fds',
    'process_virtual_memory_bytes',
    'process_virtual_memory_max_bytes',
    'process_resident_memory_bytes',
    'process_start_time_seconds',
  ],
  go: [
    'go_goroutines',
    'go_threads',
    'go_info',
    'go_gc_duration_seconds',
    'go_memstats_alloc_bytes',
    'go_memstats_sys_bytes',
    'go_memstats_heap_alloc_bytes',
    'go_memstats_last_gc_time_seconds',
  ],
};

/** `^[a-zA-Z_:][a-zA-Z0-9_:]*$` — prom-client `validation.js`, prometheus_client `METRIC_NAME_RE`, client_golang model. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** `^[a-zA-Z_][a-zA-Z0-9_]*$` */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The exact messages the libraries raise, for findings that quote them. */
export const LIBRARY_ERRORS = {
  promClientDuplicate: (name: string) => `A metric with the name ${name} has already been registered.`,
  pythonDuplicate: 'Duplicated timeseries in CollectorRegistry',
  goDuplicate: 'duplicate metrics collector registration attempted',
  goMismatch:
    'a previously registered descriptor with the same fully-qualified name … has different label names or a different help string',
} as const;
