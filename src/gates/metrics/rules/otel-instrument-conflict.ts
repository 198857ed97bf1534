import type { RepoRule } from '../../../core/types.js';
import { at, changedPaths, metricIndexOf, related, reportHere } from '../analysis.js';
import type { IndexedMetric } from '../model.js';
import type { MetricsOptions } from '../options.js';
import { staticValue } from '../parts.js';

/**
 * metrics/otel-instrument-conflict: one OpenTelemetry meter creates two instruments with the same name
 * (case-insensitive) but a different kind, unit or description. The SDK does not throw; it reports a
 * duplicate-instrument conflict, and the data under that name is no longer what either caller meant.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/otel-instrument-conflict',
    gate: 'metrics',
    severity: 'warning',
    description: 'An OpenTelemetry instrument name reused on one meter with a different kind, unit or description.',
    messages: {
      conflict:
        'Instrument "{{name}}" is created on meter {{meter}} as {{this}}, but {{other}} creates it as {{that}}. OpenTelemetry identifies an instrument by name (case-insensitively) within a meter: the SDK reports a duplicate-instrument conflict (OTel JS logs "A view or instrument with the name … has already been registered") and exports either two conflicting streams under one name or only one of them, so one caller\'s data is wrong or missing.',
    },
    fixes: {
      conflict:
        'Create the instrument once and share it, or give the second one its own name; keep kind, unit and description identical wherever the same name is created.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const groups = new Map<string, IndexedMetric[]>();
    for (const def of metricIndexOf(ctx).metrics) {
      if (def.library !== 'opentelemetry' || def.name.kind !== 'static' || !def.meter) continue;
      const key = `${def.service}\u0000${def.meter}\u0000${def.name.value.toLowerCase()}`;
      groups.set(key, [...(groups.get(key) ?? []), def]);
    }
    for (const defs of groups.values()) {
      for (const def of defs) {
        // Pair with any conflicting instrument for which this side is the one to report.
        const other = defs.find((o) => o !== def && differs(def, o) && reportHere(ctx, changed, def.loc, o.loc));
        if (!other) continue;
        ctx.report({
          messageId: 'conflict',
          data: {
            name: (def.name as { value: string }).value,
            meter: `"${def.meter}"`,
            this: describe(def),
            that: describe(other),
            other: at(other.loc),
          },
          path: def.loc.path,
          line: def.loc.line,
          endLine: def.loc.endLine,
          related: [related(other.loc, `the other "${(other.name as { value: string }).value}" instrument`)],
          key: `${def.meter}:${(def.name as { value: string }).value.toLowerCase()}`,
        });
      }
    }
  },
};

function unitOf(def: IndexedMetric): string | undefined {
  return def.unit ? staticValue(def.unit) : '';
}

/** Different identity: kind, or a unit/description that both sides state literally and that differ. */
function differs(a: IndexedMetric, b: IndexedMetric): boolean {
  if (a.otelKind !== b.otelKind) return true;
  const ua = unitOf(a);
  const ub = unitOf(b);
  if (ua !== undefined && ub !== undefined && ua !== ub) return true;
  const da = typeof a.help === 'string' ? a.help : a.help === undefined ? '' : undefined;
  const db = typeof b.help === 'string' ? b.help : b.help === undefined ? '' : undefined;
  return da !== undefined && db !== undefined && da !== db;
}

function describe(def: IndexedMetric): string {
  const unit = unitOf(def);
  const parts = [`${/^[aeiou]/.test(def.otelKind ?? '') ? 'an' : 'a'} ${def.otelKind}`];
  if (unit) parts.push(`unit "${unit}"`);
  if (typeof def.help === 'string' && def.help) parts.push(`description "${def.help}"`);
  return parts.join(', ');
}
