import type { RepoRule } from '../../../core/types.js';
import {
  changedPaths,
  reportHere,
  conflictsOf,
  describeOther,
  libraryError,
  metricIndexOf,
  moment,
  registryLabel,
  related,
  type Conflict,
} from '../analysis.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/duplicate-name: the same metric name registered twice in one registry by two different
 * objects (or, in Python and Go, the same object registered twice) — the library throws or panics.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/duplicate-name',
    gate: 'metrics',
    severity: 'blocker',
    description:
      'The same metric name registered twice in one registry (prom-client, prometheus_client, client_golang): the second registration throws or panics.',
    messages: {
      duplicate:
        'Metric "{{name}}" is already registered in {{registry}} by {{other}}. {{error}} at the second registration, so the service crashes {{moment}}.',
      builtin:
        'Metric "{{name}}" collides with {{other}}, already in {{registry}}. {{error}}, so the service crashes {{moment}}.',
      sameObject:
        '{{target}} is registered in {{registry}} a second time (first: {{other}}). Unlike prom-client, {{library}} rejects the same object twice: {{error}}, so the service crashes {{moment}}.',
    },
    fixes: {
      duplicate:
        'Define the metric once, in a shared metrics module, and import that object wherever it is used; or give this one a distinct name. If it really belongs elsewhere, register it in a different registry (`registers: [otherRegistry]`, `registry=other_registry`, `promauto.With(otherReg)`).',
      builtin:
        'Rename the metric (add your application prefix, e.g. `orders_…`): the library already exports this name.',
      sameObject:
        'Register the object once: drop the explicit register call (construction already registered it), or construct it with `registry=None` / `prometheus.NewCounter` (not promauto) and register it explicitly, once.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const index = metricIndexOf(ctx);
    const byLoc = new Map<string, Conflict[]>();
    for (const c of conflictsOf(index)) {
      if (c.kind !== 'duplicate' && c.kind !== 'same-object') continue;
      if (c.other.kind === 'entry') {
        const o = c.other.entry;
        // Python counters "x" and "x_total" both register as "x": metrics/python-suffix-collision explains that.
        if (c.kind === 'duplicate' && namesDiffer(c)) continue;
        // The same object twice: the explicit register call is what throws, not the constructor.
        if (c.kind === 'same-object' && c.entry.via === 'constructor' && o.via === 'explicit') continue;
        if (
          !(c.kind === 'same-object' && c.entry.via === 'explicit' && o.via === 'constructor') &&
          !reportHere(ctx, changed, c.entry.loc, o.loc)
        )
          continue;
        if (c.kind === 'same-object' && !changed.has(c.entry.loc.path)) continue;
      } else if (!changed.has(c.entry.loc.path)) continue;
      const key = `${c.entry.loc.path}:${c.entry.loc.line}:${c.entry.def.id}:${c.entry.registryKey}`;
      byLoc.set(key, [...(byLoc.get(key) ?? []), c]);
    }
    for (const list of byLoc.values()) {
      const first = list[0]!;
      const e = first.entry;
      const name = first.names[0] ?? e.def.fullName ?? '?';
      const other = describeOther(first.other);
      const relatedLocs = list
        .map((c) => describeOther(c.other))
        .filter((o) => o.loc !== undefined)
        .slice(0, 3)
        .map((o) => related(o.loc!, `the other registration of "${name}"`));
      const library = e.def.library;
      const data = {
        name,
        registry: registryLabel(e.registry),
        other: other.text,
        error: e.def.facade?.raises
          ? `The repository's wrapper ${e.def.facade.display} raises on a name it already holds`
          : libraryError(library, name),
        moment: moment(
          e.scope,
          first.other.kind === 'entry' ? first.other.entry.scope : { kind: 'module', inLoop: false },
        ),
        library,
        target: e.registration ? `\`${e.registration.targetLabel}\`` : `The ${e.def.type} "${name}"`,
      };
      const messageId =
        first.kind === 'same-object' ? 'sameObject' : first.other.kind === 'entry' ? 'duplicate' : 'builtin';
      ctx.report({
        messageId,
        data,
        path: e.loc.path,
        line: e.loc.line,
        endLine: e.loc.endLine,
        ...(relatedLocs.length ? { related: relatedLocs } : {}),
        key: `${name}@${registryLabel(e.registry)}`,
      });
    }
  },
};

function namesDiffer(c: Conflict): boolean {
  if (c.other.kind !== 'entry') return false;
  const a = c.entry.def.name;
  const b = c.other.entry.def.name;
  return a.kind === 'static' && b.kind === 'static' && a.value !== b.value;
}
