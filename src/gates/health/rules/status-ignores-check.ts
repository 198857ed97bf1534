import type { RepoRule } from '../../../core/types.js';
import {
  changedPaths,
  containers,
  describeDep,
  hasPathParams,
  modelOf,
  probeHandler,
  related,
  touches,
} from '../analysis.js';
import type { DepKind, Framework, Route } from '../model.js';
import { healthOptions, type HealthOptions } from '../options.js';

/** Paths that name a liveness endpoint: answering 200 whatever a dependency does is right there. */
const LIVENESS_NAME = /(^|\/)(livez|live|liveness|alive|health\/live|health\/liveness)\/?$/i;

/** Libraries that turn a handler's result into the status themselves (a `false` becomes 503). */
const STATUS_FROM_RESULT: ReadonlySet<Framework> = new Set<Framework>([
  'under-pressure',
  'fastapi-health',
  'lightship',
]);

/**
 * health/status-ignores-check: a health endpoint checks a dependency but answers 2xx whether the check
 * passes or fails (the failure is caught and only the body says "unhealthy"). Probes and load
 * balancers read the status code, so the pod stays in rotation while it cannot serve.
 */
export const rule: RepoRule<unknown, HealthOptions> = {
  scope: 'repo',
  meta: {
    id: 'health/status-ignores-check',
    gate: 'health',
    severity: 'warning',
    description:
      'A health endpoint checks a dependency but answers 2xx even when the check fails, so probes never see the failure.',
    messages: {
      probe:
        'The readinessProbe of container "{{container}}" ({{workload}}) calls {{route}}, which checks {{deps}} but catches the failure here and still answers 2xx (only the body says it is unhealthy). Kubernetes reads the status code, not the body: a pod that cannot reach {{what}} stays in the Service and keeps receiving traffic it will fail.',
      named:
        '{{route}} checks {{deps}} but catches the failure here and still answers 2xx (only the body says it is unhealthy). Probes, load balancers and uptime monitors read the status code, so whatever watches this endpoint never sees {{what}} fail.',
    },
    fixes: {
      probe:
        'Answer 503 when the check fails: set the status from the result (`res.status(ok ? 200 : 503)`, `reply.code(503)`, `return Response.json(body, { status: 503 })`, `raise HTTPException(503)`) or let the error reach the framework. If this endpoint should not depend on {{what}}, drop the check instead of reporting it in the body.',
      named:
        'Answer 503 when the check fails (`res.status(ok ? 200 : 503)`, `reply.code(503)`, `Response.json(body, { status: 503 })`, `raise HTTPException(503)`), or drop the check if the endpoint is only meant to show that the process is up.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const options = healthOptions(ctx.gateOptions);
    const liveness = new Set<Route>();
    const readiness = new Map<Route, { container: string; workload: string; path: string; line: number }>();
    for (const { w, c } of containers(model)) {
      if (w.runToCompletion) continue;
      const live = c.probes.liveness ? probeHandler(model, w, c, c.probes.liveness) : undefined;
      if (live) liveness.add(live.route);
      const p = c.probes.readiness;
      const ready = p ? probeHandler(model, w, c, p) : undefined;
      if (p && ready && !readiness.has(ready.route))
        readiness.set(ready.route, {
          container: c.name,
          workload: `${w.kind} ${w.name}`,
          path: p.loc.path,
          line: p.targetLine,
        });
    }
    for (const svc of model.services) {
      for (const route of svc.routes) {
        const h = route.handler;
        if (!h || h.errorStatus !== false || h.deps.length === 0 || STATUS_FROM_RESULT.has(route.framework)) continue;
        // One uncaught check is enough for a failure to reach the framework as a 500.
        if (!h.deps.every((d) => d.caught)) continue;
        const probe = readiness.get(route);
        const isLiveness =
          liveness.has(route) ||
          LIVENESS_NAME.test(route.path) ||
          (options.liveness !== undefined && route.path.toLowerCase() === options.liveness.toLowerCase());
        if (!probe && (isLiveness || hasPathParams(route.path))) continue;
        const caught = h.deps[0]!.caught!;
        if (!touches(changed, route.loc.path, h.loc.path, caught.path, ...h.deps.map((d) => d.loc.path), probe?.path))
          continue;
        const kinds: DepKind[] = [...new Set(h.deps.map((d) => d.kind))];
        const data = {
          route: `${route.method === 'ALL' ? 'GET' : route.method} ${route.path}`,
          deps: h.deps.slice(0, 2).map(describeDep).join(' and '),
          what: kinds.length === 1 ? WHAT[kinds[0]!] : `its dependencies (${kinds.map((k) => WHAT[k]).join(', ')})`,
          container: probe?.container ?? '',
          workload: probe?.workload ?? '',
        };
        ctx.report({
          messageId: probe ? 'probe' : 'named',
          data,
          path: caught.path,
          line: caught.line,
          related: [
            related(route.loc, `the route ${route.path}`),
            ...(probe
              ? [related({ path: probe.path, line: probe.line }, `the readinessProbe of "${probe.container}"`)]
              : []),
            ...h.deps.slice(0, 2).map((d) => related(d.loc, `${d.kind} check \`${d.callee}\``)),
          ],
          key: `route:${route.path}`,
        });
      }
    }
  },
};

const WHAT: Readonly<Record<DepKind, string>> = {
  database: 'the database',
  cache: 'the cache',
  queue: 'the broker',
  http: 'the remote service',
  service: 'the remote service',
};
