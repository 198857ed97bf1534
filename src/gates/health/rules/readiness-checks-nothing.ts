import type { RepoRule } from '../../../core/types.js';
import {
  appPorts,
  changedPaths,
  containers,
  healthcheckTarget,
  modelOf,
  probeHandler,
  related,
  served,
  serviceOfCompose,
  touches,
} from '../analysis.js';
import { containerKey, type CodeService, type DepKind, type Framework, type Loc, type Route } from '../model.js';

/** Libraries whose endpoints check what they are configured with (their handlers are not ours to read). */
const CHECKING_LIBRARIES: ReadonlySet<Framework> = new Set<Framework>([
  'terminus',
  'lightship',
  'under-pressure',
  'fastapi-health',
]);

/**
 * health/readiness-checks-nothing: the endpoint a readiness check targets answers 2xx without asking
 * anything (`res.send('ok')`), while the service talks to a database, cache or broker. Readiness then
 * never takes the pod out of rotation when that dependency is gone. Services without such a client,
 * liveness-only endpoints and endpoints served by a health library (Terminus, lightship,
 * under-pressure, fastapi-health) are left alone.
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/readiness-checks-nothing',
    gate: 'health',
    severity: 'warning',
    description:
      'A readiness check targets an endpoint that always answers 2xx without checking anything, although the service depends on a database, cache or broker.',
    messages: {
      probe:
        'The readinessProbe of container "{{container}}" ({{workload}}) calls {{route}}, which answers 2xx without checking anything, but the service uses {{clients}}. When {{what}} cannot be reached, the pod stays ready and keeps receiving requests it can only fail.',
      healthcheck:
        'The healthcheck of compose service "{{service}}", which {{dependents}} wait for, calls {{route}}, which answers 2xx without checking anything, but the service uses {{clients}}. It reports healthy before it can reach {{what}}, so the services waiting for it start against a dependency that is not there.',
    },
    fixes: {
      probe:
        'Make {{route}} (or a separate readiness endpoint) check {{what}} with a short timeout and answer 503 when it fails (`res.status(ok ? 200 : 503)`, `Response.json(body, { status: 503 })`); keep the liveness probe on an endpoint that checks nothing.',
      healthcheck:
        'Make {{route}} check {{what}} with a short timeout and answer 503 when it fails, or point the healthcheck at an endpoint that does.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const seen = new Set<Route>();
    const ofInterest = (svc: CodeService | undefined, route: Route | undefined) =>
      svc &&
      route &&
      route.handler?.checksNothing === true &&
      !CHECKING_LIBRARIES.has(route.framework) &&
      (svc.clients?.length ?? 0) > 0;

    for (const { w, c } of containers(model)) {
      const p = c.probes.readiness;
      if (w.runToCompletion || !p) continue;
      // "The only service of the repository" is a guess (a vendor image behind a templated name fits it
      // too); saying what that code fails to check needs the container to be known to run it.
      if (model.containerMap[containerKey(w, c)]?.reason === 'only service') continue;
      const hit = probeHandler(model, w, c, p);
      if (!hit || !ofInterest(hit.svc, hit.route) || seen.has(hit.route)) continue;
      const { svc, route } = hit;
      const at: Loc = p.fromValues ?? { path: p.loc.path, line: p.targetLine };
      if (!touches(changed, at.path, p.loc.path, route.loc.path, route.handler!.loc.path)) continue;
      seen.add(route);
      ctx.report({
        messageId: 'probe',
        data: { ...describe(svc, route), container: c.name, workload: `${w.kind} ${w.name}` },
        path: at.path,
        line: at.line,
        related: [related(route.handler!.loc, `the handler of ${route.path}`), ...clientRelated(svc)],
        key: `probe:${w.name}/${c.name}`,
      });
    }

    for (const s of model.compose) {
      const hc = s.healthcheck;
      if (!hc || hc.disabled || hc.form === 'NONE' || hc.form === 'invalid') continue;
      // A healthcheck that gates others (`condition: service_healthy`) is the readiness signal in Compose.
      const dependents = model.compose.filter(
        (o) => o.path === s.path && o.dependsOn.some((d) => d.service === s.name && d.condition === 'service_healthy'),
      );
      if (dependents.length === 0) continue;
      const target = healthcheckTarget(hc.argv, hc.form === 'CMD-SHELL');
      const svc = serviceOfCompose(model, s);
      if (!target || !svc) continue;
      const result = served(
        svc,
        target.path,
        target.port,
        appPorts(model, svc, { env: s.env, argv: s.command, compose: s }),
      );
      const route = result.kind === 'served' ? result.routes.find((r) => r.handler) : undefined;
      if (!route || !ofInterest(svc, route)) continue;
      if (!touches(changed, s.path, route.loc.path, route.handler!.loc.path)) continue;
      ctx.report({
        messageId: 'healthcheck',
        data: {
          ...describe(svc, route),
          service: s.name,
          dependents: dependents.length === 1 ? `"${dependents[0]!.name}" waits` : `${dependents.length} services`,
        },
        path: s.path,
        line: hc.testLine,
        related: [related(route.handler!.loc, `the handler of ${route.path}`), ...clientRelated(svc)],
        key: `compose/${s.name}`,
      });
    }
  },
};

function describe(svc: CodeService, route: Route) {
  const clients = svc.clients ?? [];
  const kinds: DepKind[] = [...new Set(clients.map((c) => c.kind))];
  return {
    route: `${route.method === 'ALL' ? 'GET' : route.method} ${route.path}`,
    clients: clients
      .slice(0, 2)
      .map((c) => `\`${c.module}\``)
      .join(' and '),
    what: kinds.length === 1 ? WHAT[kinds[0]!] : `its dependencies (${kinds.map((k) => WHAT[k]).join(', ')})`,
  };
}

function clientRelated(svc: CodeService) {
  return (svc.clients ?? []).slice(0, 2).map((c) => related(c.loc, `${c.kind} client \`${c.module}\``));
}

const WHAT: Readonly<Record<DepKind, string>> = {
  database: 'the database',
  cache: 'the cache',
  queue: 'the broker',
  http: 'the remote service',
  service: 'the remote service',
};
