import type { RepoRule } from '../../../core/types.js';
import { changedPaths, modelOf, related, touches } from '../analysis.js';
import type { DepCall, Route } from '../model.js';

const KIND_NAMES: Readonly<Record<DepCall['kind'], string>> = {
  database: 'the database',
  cache: 'the cache',
  queue: 'the broker',
  http: 'the remote service',
  service: 'the remote service',
};

/**
 * health/dependency-check-without-timeout: a health endpoint checks a dependency with nothing bounding
 * the call. The kubelet gives up after `timeoutSeconds`, but the check keeps running, and the next
 * probe starts another one against the same struggling dependency.
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/dependency-check-without-timeout',
    gate: 'health',
    severity: 'warning',
    description:
      'A health endpoint calls a database, cache, broker or remote service with no timeout, so slow checks pile up against a struggling dependency.',
    messages: {
      js: '`{{callee}}` in the health check {{route}} has no timeout{{via}}. When {{kind}} hangs, the kubelet stops waiting after `timeoutSeconds` (1 s by default) and counts a failure, but this call keeps running; every probe of every pod starts another one, so checks pile up, hold connections from the pool and add load to {{kind}} exactly when it is struggling.',
      py: '`{{callee}}` in the health check {{route}} has no timeout{{via}}. When {{kind}} hangs, the kubelet stops waiting after `timeoutSeconds` (1 s by default), but the check keeps running and holds a worker and a connection; every probe starts another one against {{kind}} while it is struggling.',
    },
    fixes: {
      js: "Bound the call below the probe's `timeoutSeconds`: pass `{ signal: AbortSignal.timeout(500) }` or `{ timeout: 500 }` where the client accepts it, or wrap it in a helper that races a timer and clears it in `finally` (`withTimeout(check(), 500)`); for SQL also set `statement_timeout` on the pool. Caching the result for a second or two stops concurrent probes from stacking up.",
      py: "Bound the call below the probe's `timeoutSeconds`: `await asyncio.wait_for(check(), timeout=0.5)`, `requests.get(url, timeout=0.5)`, `httpx.get(url, timeout=0.5)`, or a driver-level `connect_timeout`/`statement_timeout`.",
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const byCall = new Map<string, { dep: DepCall; routes: Route[] }>();
    for (const svc of model.services) {
      for (const route of svc.routes) {
        // One finding per dependency kind per handler: `connection.cursor()` then `cursor.execute()` is one check.
        const kinds = new Set<string>();
        for (const dep of route.handler?.deps ?? []) {
          if (dep.timeout || kinds.has(dep.kind)) continue;
          kinds.add(dep.kind);
          const key = `${dep.loc.path}:${dep.loc.line}:${dep.callee}`;
          const entry = byCall.get(key) ?? { dep, routes: [] };
          if (!entry.routes.includes(route)) entry.routes.push(route);
          byCall.set(key, entry);
        }
      }
    }
    for (const { dep, routes } of byCall.values()) {
      if (!touches(changed, dep.loc.path, ...routes.flatMap((r) => [r.loc.path, r.handler?.loc.path]))) continue;
      const names = [...new Set(routes.map((r) => r.path))];
      ctx.report({
        messageId: dep.loc.path.endsWith('.py') ? 'py' : 'js',
        data: {
          callee: dep.callee,
          route: names.join(', '),
          kind: KIND_NAMES[dep.kind],
          via: dep.via.length ? ` (reached through ${dep.via.join(' → ')})` : '',
        },
        path: dep.loc.path,
        line: dep.loc.line,
        related: routes.slice(0, 3).map((r) => related(r.loc, `health endpoint ${r.path}`)),
        key: dep.callee,
      });
    }
  },
};
