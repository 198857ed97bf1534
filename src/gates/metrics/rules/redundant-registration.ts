import type { RepoRule } from '../../../core/types.js';
import { at, changedPaths, conflictsOf, metricIndexOf, registryLabel, related } from '../analysis.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/redundant-registration: a prom-client metric registered again in a registry it is already in.
 * prom-client ignores that (it only throws for a *different* object under a taken name), so this is
 * noise — but it is often mistaken for the cause of hot-reload crashes, which come from the module being
 * evaluated twice.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/redundant-registration',
    gate: 'metrics',
    severity: 'warning',
    description:
      'A prom-client metric registered again in a registry that already holds it (harmless in prom-client, but misleading).',
    messages: {
      redundant:
        '`{{target}}` is already in {{registry}}: {{how}}. prom-client only throws when a *different* object takes a registered name, so registering the same object again does nothing. If you added this to fix "A metric with the name {{name}} has already been registered", it will not: that error means this module was evaluated twice (hot reload, two bundles, `jest.resetModules`), which created a second object.',
    },
    fixes: {
      redundant:
        'Remove the extra registration. For hot-reload/bundling duplicates, create metrics once per process, e.g. `globalThis.__metrics ??= createMetrics()`, or reuse `register.getSingleMetric(name)`.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const seen = new Set<string>();
    for (const c of conflictsOf(metricIndexOf(ctx))) {
      if (c.kind !== 'redundant' || c.other.kind !== 'entry') continue;
      const e = c.entry;
      const o = c.other.entry;
      // Report the later registration: the explicit call after the constructor, or the second call.
      if (e.via === 'constructor' && o.via === 'explicit') continue;
      const later = e.loc.path > o.loc.path || (e.loc.path === o.loc.path && e.loc.line > o.loc.line);
      if (e.via === 'explicit' && o.via === 'explicit' && !later) continue;
      if (!changed.has(e.loc.path)) continue;
      const key = `${e.loc.path}:${e.loc.line}:${e.registryKey}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const name = e.def.fullName!;
      const how =
        o.via === 'constructor' && e.via === 'constructor'
          ? `\`registers\` lists ${registryLabel(e.registry)} twice`
          : o.via === 'constructor'
            ? `its constructor at ${at(o.loc)} registered it (${o.registry.kind === 'default' ? 'no `registers` option means the default registry' : '`registers` lists it'})`
            : `\`${o.registration?.call ?? 'an earlier call'}\` at ${at(o.loc)} registered it`;
      ctx.report({
        messageId: 'redundant',
        data: { target: e.registration?.targetLabel ?? name, registry: registryLabel(e.registry), how, name },
        path: e.loc.path,
        line: e.loc.line,
        endLine: e.loc.endLine,
        ...(o.loc.line !== e.loc.line || o.loc.path !== e.loc.path
          ? { related: [related(o.loc, `where "${name}" was first registered`)] }
          : {}),
        key: `${name}@${registryLabel(e.registry)}`,
      });
    }
  },
};
