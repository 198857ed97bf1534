import type { RepoRule } from '../../../core/types.js';
import { changedPaths, modelOf, touches } from '../analysis.js';
import { normalisePath } from '../health-index.js';
import type { ProbeKind } from '../model.js';
import { healthOptions, type HealthOptions } from '../options.js';

const READINESS_NAMED = /(^|\/)(readyz|ready|readiness)$/i;
const LIVENESS_NAMED = /(^|\/)(livez|live|liveness|alive)$/i;

/**
 * health/probe-path-convention: probes follow the repository's endpoint convention
 * (`gates.health.liveness`, `readiness`, `startup`) when it is configured; when it is not, a probe
 * pointed at the other kind's endpoint (liveness → `/readyz`, readiness → `/livez`) is flagged and the
 * convention is suggested.
 */
export const rule: RepoRule<unknown, HealthOptions> = {
  scope: 'repo',
  meta: {
    id: 'health/probe-path-convention',
    gate: 'health',
    severity: 'warning',
    description:
      'A probe path departs from the configured convention (gates.health.liveness/readiness/startup), or points at the other probe kind’s endpoint.',
    messages: {
      configured:
        'The {{kind}}Probe of container "{{container}}" uses {{path}}, but this repository\'s convention (`gates.health.{{kind}}` in .github/readiness.yml) is {{expected}}. Mixed endpoint names make it easy to point a probe at the wrong check — a liveness probe at a dependency-checking readiness endpoint is how a database blip restarts every pod.',
      swapped:
        'The {{kind}}Probe of container "{{container}}" points at {{path}}, which by its name is a {{other}} endpoint. Liveness and readiness answer different questions (restart me? / send me traffic?), and the endpoint behind each is built for its own.',
    },
    fixes: {
      configured:
        'Use `path: {{expected}}` (and serve it), or change the convention in .github/readiness.yml if it moved.',
      swapped:
        'Point the {{kind}}Probe at the {{kind}} endpoint ({{suggested}}). To have the gate enforce names, set `gates: { health: { liveness: /livez, readiness: /readyz, startup: /startupz } }` in .github/readiness.yml.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const options = healthOptions(ctx.gateOptions);
    const expected: Record<ProbeKind, string | undefined> = {
      liveness: options.liveness,
      readiness: options.readiness,
      startup: options.startup,
    };
    for (const w of model.workloads) {
      for (const c of w.containers) {
        for (const p of Object.values(c.probes)) {
          if (!p || p.type !== 'http' || !p.path || !touches(changed, p.loc.path)) continue;
          const key = `${w.kind}/${w.name}/${c.name}:${p.kind}`;
          const want = expected[p.kind];
          const path = normalisePath(p.path);
          if (want !== undefined) {
            if (path !== normalisePath(want)) {
              ctx.report({
                messageId: 'configured',
                data: { kind: p.kind, container: c.name, path: p.path, expected: want },
                path: p.loc.path,
                line: p.targetLine,
                key,
              });
            }
            continue;
          }
          const other =
            p.kind === 'liveness' && READINESS_NAMED.test(path)
              ? 'readiness'
              : p.kind === 'readiness' && LIVENESS_NAMED.test(path)
                ? 'liveness'
                : undefined;
          if (!other) continue;
          ctx.report({
            messageId: 'swapped',
            severity: 'notice',
            data: {
              kind: p.kind,
              container: c.name,
              path: p.path,
              other,
              expected: '',
              suggested: p.kind === 'liveness' ? '/livez' : '/readyz',
            },
            path: p.loc.path,
            line: p.targetLine,
            key,
          });
        }
      }
    }
  },
};
