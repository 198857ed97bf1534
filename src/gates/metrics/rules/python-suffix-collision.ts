import type { RepoRule } from '../../../core/types.js';
import {
  changedPaths,
  reportHere,
  conflictsOf,
  describeOther,
  metricIndexOf,
  moment,
  registryLabel,
  related,
  type Conflict,
} from '../analysis.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/python-suffix-collision: two prometheus_client metrics with different names that still collide,
 * because the library reserves suffixed sample names per type (`_total`, `_created`, `_count`, `_sum`,
 * `_bucket`, `_info`) and strips a counter's own `_total`.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/python-suffix-collision',
    gate: 'metrics',
    severity: 'blocker',
    description:
      'Python prometheus_client metrics whose names differ but collide through reserved suffixes (`x` vs `x_total`, a counter vs `x_created`, a histogram vs `x_count`, Info vs `x_info`).',
    messages: {
      collision:
        '{{type}} "{{name}}" collides with {{other}} in {{registry}}: both claim the sample name "{{shared}}" (prometheus_client reserves `_total`/`_created` for counters, `_count`/`_sum`/`_bucket` for histograms and summaries, `_info` for Info), so the second registration raises ValueError("Duplicated timeseries in CollectorRegistry: {\'{{shared}}\'}") — the service crashes {{moment}}.',
      munged:
        '{{type}} "{{name}}" is registered as "{{full}}" ({{why}}), the same name as {{other}} in {{registry}}: the second registration raises ValueError("Duplicated timeseries in CollectorRegistry"), so the service crashes {{moment}}.',
    },
    fixes: {
      default:
        "Rename one of them so that no name is another's name plus `_total`/`_created`/`_count`/`_sum`/`_bucket`/`_info` (e.g. `jobs_processed` for the counter, `jobs_queued` for the gauge). For counters, pass the name without `_total`: the library adds it on exposition.",
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    // One finding per definition; where it both collides by suffix and is munged into another name, the
    // munged message says more (whatever order the index lists the conflicts in).
    const found = new Map<string, { c: Conflict; messageId: 'munged' | 'collision' }>();
    for (const c of conflictsOf(metricIndexOf(ctx))) {
      if (c.other.kind !== 'entry' || !reportHere(ctx, changed, c.entry.loc, c.other.entry.loc)) continue;
      const munged =
        c.kind === 'duplicate' &&
        c.entry.def.library === 'prometheus_client' &&
        c.entry.def.name.kind === 'static' &&
        c.other.entry.def.name.kind === 'static' &&
        c.entry.def.name.value !== c.other.entry.def.name.value;
      if (c.kind !== 'suffix' && !munged) continue;
      const key = `${c.entry.loc.path}:${c.entry.loc.line}:${c.entry.def.id}`;
      if (found.has(key) && (found.get(key)!.messageId === 'munged' || !munged)) continue;
      found.set(key, { c, messageId: munged ? 'munged' : 'collision' });
    }
    for (const { c, messageId } of found.values()) report(ctx, c, messageId);
  },
};

function report(ctx: Parameters<RepoRule['check']>[0], c: Conflict, messageId: 'munged' | 'collision'): void {
  const e = c.entry;
  const o = (c.other as Extract<Conflict['other'], { kind: 'entry' }>).entry;
  const name = e.def.name.kind === 'static' ? e.def.name.value : e.def.fullName!;
  const shared = c.names[0] ?? e.def.fullName!;
  const other = describeOther(c.other);
  ctx.report({
    messageId,
    data: {
      type: e.def.type[0]!.toUpperCase() + e.def.type.slice(1),
      name,
      full: e.def.fullName!,
      why:
        e.def.type === 'counter' && name.endsWith('_total')
          ? 'prometheus_client strips a counter\'s own "_total"'
          : o.def.type === 'counter' && o.def.name.kind === 'static' && o.def.name.value.endsWith('_total')
            ? 'unchanged, while the other counter\'s "_total" is stripped by prometheus_client'
            : 'prometheus_client appends the unit',
      other: other.text,
      registry: registryLabel(e.registry),
      shared,
      moment: moment(e.scope),
    },
    path: e.loc.path,
    line: e.loc.line,
    endLine: e.loc.endLine,
    related: [
      related(
        o.loc,
        `the ${o.def.type} "${o.def.name.kind === 'static' ? o.def.name.value : o.def.fullName}" that also claims "${shared}"`,
      ),
    ],
    key: `${shared}@${registryLabel(e.registry)}`,
  });
}
