import type { RepoRule } from '../../../core/types.js';
import { changedPaths, entriesOf, metricIndexOf, registryLabel, related, sameRegistry } from '../analysis.js';
import type { Loc, MetricIndex, RegistryRef } from '../model.js';
import { PROM_CLIENT_DEFAULT_METRICS } from '../semantics.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/registry-merge-conflict: `Registry.merge([a, b])` where both registries hold a metric of the
 * same name, or where their content types differ — prom-client throws in both cases.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/registry-merge-conflict',
    gate: 'metrics',
    severity: 'blocker',
    description:
      'prom-client Registry.merge of registries that share a metric name or differ in content type: merge throws.',
    messages: {
      sharedName:
        'Registry.merge() gets {{a}} and {{b}}, which both hold "{{name}}". merge re-registers every metric into a new registry, so prom-client throws "A metric with the name {{name}} has already been registered." {{moment}}.',
      contentType:
        'Registry.merge() gets {{a}} (OpenMetrics) and {{b}} (Prometheus text format): prom-client throws "Registers can only be merged if they have the same content type" {{moment}}.',
    },
    fixes: {
      sharedName:
        "Rename one of the metrics, register it in only one of the registries, or give each registry's default metrics a distinct `prefix`.",
      contentType:
        'Create both registries with the same content type (`new Registry(Registry.OPENMETRICS_CONTENT_TYPE)` for both, or neither).',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const index = metricIndexOf(ctx);
    for (const merge of index.merges) {
      if (!changed.has(merge.loc.path)) continue;
      const regs = merge.registries.filter((r) => r.kind === 'default' || r.kind === 'known');
      const moment =
        merge.scope.kind === 'module' ? 'at start-up' : `when ${merge.scope.fnName ?? 'this function'} runs`;
      let reported = false;
      for (let i = 0; i < regs.length && !reported; i++) {
        for (let j = i + 1; j < regs.length && !reported; j++) {
          const a = regs[i]!;
          const b = regs[j]!;
          const ca = openMetrics(index, a);
          const cb = openMetrics(index, b);
          if (ca !== undefined && cb !== undefined && ca !== cb) {
            const [om, prom] = ca ? [a, b] : [b, a];
            ctx.report({
              messageId: 'contentType',
              data: { a: registryLabel(om), b: registryLabel(prom), moment },
              path: merge.loc.path,
              line: merge.loc.line,
              key: 'content-type',
            });
            reported = true;
            continue;
          }
          const shared = sharedName(index, merge.service, a, b);
          if (shared) {
            ctx.report({
              messageId: 'sharedName',
              data: { a: registryLabel(a), b: registryLabel(b), name: shared.name, moment },
              path: merge.loc.path,
              line: merge.loc.line,
              related: shared.locs.slice(0, 2).map((l) => related(l, `"${shared.name}" registered here`)),
              key: shared.name,
            });
            reported = true;
          }
        }
      }
    }
  },
};

/** Whether a registry is OpenMetrics; undefined when unknown. The default registry is Prometheus text. */
function openMetrics(index: MetricIndex, ref: RegistryRef): boolean | undefined {
  if (ref.kind === 'default') return false;
  if (ref.kind !== 'known') return undefined;
  return index.registries.find((r) => r.key === ref.key)?.openMetrics;
}

function namesIn(index: MetricIndex, service: string, ref: RegistryRef): Map<string, Loc> {
  const out = new Map<string, Loc>();
  for (const e of entriesOf(index)) {
    if (
      e.def.library === 'prom-client' &&
      e.def.service === service &&
      sameRegistry(e.registry, ref) &&
      !out.has(e.def.fullName!)
    )
      out.set(e.def.fullName!, e.loc);
  }
  for (const d of index.defaultMetrics) {
    if (d.service !== service || d.prefix === undefined || !sameRegistry(d.registry, ref)) continue;
    for (const n of PROM_CLIENT_DEFAULT_METRICS) if (!out.has(d.prefix + n)) out.set(d.prefix + n, d.loc);
  }
  return out;
}

function sharedName(
  index: MetricIndex,
  service: string,
  a: RegistryRef,
  b: RegistryRef,
): { name: string; locs: Loc[] } | undefined {
  const na = namesIn(index, service, a);
  if (sameRegistry(a, b)) {
    const first = [...na][0];
    return first ? { name: first[0], locs: [first[1]] } : undefined;
  }
  const nb = namesIn(index, service, b);
  for (const [name, loc] of na) {
    const other = nb.get(name);
    if (other) return { name, locs: [loc, other] };
  }
  return undefined;
}
