import type { RepoRule, RelatedLocation } from '../../../core/types.js';
import {
  appPorts,
  changedPaths,
  containerArgv,
  healthcheckTarget,
  modelOf,
  related,
  served,
  serviceLabel,
  serviceByRoot,
  serviceOfCompose,
  serviceOfContainer,
  serviceTouched,
  touches,
  type Served,
} from '../analysis.js';
import { HEALTH_PATH } from '../health-index.js';
import type { CodeService } from '../model.js';

/**
 * health/probe-target-unserved: a probe or health check asks for a path (or port) that the code of the
 * service it runs does not serve. The check fails forever: Kubernetes never marks the pod ready or keeps
 * restarting it, Compose never reports it healthy. Reported only when the service's route table is
 * complete as far as the gate can see (no computed paths, unresolved mounts or catch-all routes).
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/probe-target-unserved',
    gate: 'health',
    severity: 'blocker',
    description:
      'A probe or health check targets a path or port that the service’s code does not serve, so it fails forever.',
    messages: {
      path: 'The {{check}} of {{subject}} requests GET {{path}}, but service "{{service}}" ({{root}}) has no route for {{path}}{{known}}. The check fails every time: {{consequence}}',
      port: 'The {{check}} of {{subject}} requests {{what}} on port {{port}}, but service "{{service}}" listens on {{ports}}. Nothing answers there, so the check fails every time: {{consequence}}',
      namedPort:
        'The {{check}} of container "{{container}}" ({{workload}}) uses the port name "{{port}}", which no entry of the container\'s `ports` declares{{declared}}. The kubelet cannot resolve it, so the probe fails every time: {{consequence}}',
    },
    fixes: {
      path: "Point the {{check}} at a route the service serves{{suggest}}, or add the {{path}} route to the service's code. Check it the way the orchestrator does: `curl -i http://localhost:<port>{{path}}` inside the container must answer 2xx/3xx.",
      port: 'Use the port the app listens on ({{ports}}) in the {{check}}, or make the app listen on {{port}} (check the `PORT` environment variable the container gets).',
      namedPort:
        "Declare the port under the container's `ports:` with `name: {{port}}`, or use a name or number that is declared{{declared}}.",
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const consequences = {
      liveness: 'Kubernetes restarts the container again and again (CrashLoopBackOff).',
      readiness: 'the pod never becomes Ready, so it never gets traffic and the rollout stalls.',
      startup: 'the container is killed before liveness and readiness even start.',
      healthcheck:
        'the container stays "unhealthy", and everything that waits for it with `condition: service_healthy` never starts.',
    } as const;

    // Kubernetes probes.
    for (const w of model.workloads) {
      for (const c of w.containers) {
        const svc = serviceOfContainer(model, w, c);
        for (const p of Object.values(c.probes)) {
          if (!p) continue;
          const check = `${p.kind}Probe`;
          const relevant = touches(changed, p.loc.path, w.path) || serviceTouched(changed, svc);
          if (!relevant) continue;
          const key = `${w.kind}/${w.name}/${c.name}:${p.kind}`;
          if (
            (p.type === 'http' || p.type === 'tcp' || p.type === 'grpc') &&
            typeof p.port === 'string' &&
            p.resolvedPort === undefined &&
            !c.portsUnresolved
          ) {
            const names = c.ports.map((cp) => cp.name).filter(Boolean);
            ctx.report({
              messageId: 'namedPort',
              data: {
                check,
                container: c.name,
                workload: `${w.kind} ${w.name}`,
                port: p.port,
                declared: names.length ? ` (declared: ${names.join(', ')})` : '',
                consequence: consequences[p.kind],
              },
              path: p.loc.path,
              line: p.portLine ?? p.targetLine,
              key,
            });
            continue;
          }
          if (!svc || (p.type !== 'http' && p.type !== 'tcp')) continue;
          const ports = appPorts(model, svc, { env: c.env, opaqueEnv: c.opaqueEnv, argv: containerArgv(c) });
          const subject = `container "${c.name}" (${w.kind} ${w.name})`;
          if (p.type === 'tcp') {
            if (p.resolvedPort === undefined || !ports || ports.includes(p.resolvedPort)) continue;
            if (svc.routes.some((r) => r.port === p.resolvedPort)) continue;
            ctx.report({
              messageId: 'port',
              data: {
                check,
                subject,
                what: 'a TCP connection',
                port: p.resolvedPort,
                service: serviceLabel(svc),
                ports: ports.join(', '),
                consequence: consequences[p.kind],
              },
              path: p.loc.path,
              line: p.portLine ?? p.targetLine,
              related: listenRelated(svc),
              key,
            });
            continue;
          }
          const result = served(svc, p.path ?? '/', p.resolvedPort, ports);
          report(ctx, result, {
            check,
            subject,
            path: p.path ?? '/',
            port: p.resolvedPort,
            consequence: consequences[p.kind],
            loc: { path: p.loc.path, line: p.targetLine },
            portLine: p.portLine,
            key,
          });
        }
      }
    }

    // Compose health checks.
    for (const s of model.compose) {
      const hc = s.healthcheck;
      if (!hc || hc.disabled || hc.form === 'NONE' || hc.form === 'invalid') continue;
      const target = healthcheckTarget(hc.argv, hc.form === 'CMD-SHELL');
      const svc = serviceOfCompose(model, s);
      if (!target || !svc) continue;
      if (!(touches(changed, s.path) || serviceTouched(changed, svc))) continue;
      const ports = appPorts(model, svc, { env: s.env, argv: s.command, compose: s });
      const published = s.ports.find((p) => p.published === target.port && p.target !== target.port);
      const result = served(svc, target.path, target.port, ports);
      report(ctx, result, {
        check: 'healthcheck',
        subject: `compose service "${s.name}"${published ? ` (port ${target.port} is the port published on the host; inside the container the app listens on ${published.target})` : ''}`,
        path: target.path,
        port: target.port,
        consequence: consequences.healthcheck,
        loc: { path: s.path, line: hc.testLine },
        key: `compose/${s.name}`,
      });
    }

    // Dockerfile HEALTHCHECK.
    for (const d of model.dockerfiles) {
      const hc = d.healthchecks[d.healthchecks.length - 1];
      if (!hc || hc.form === 'none') continue;
      const target = healthcheckTarget(hc.form === 'shell' ? [hc.text] : hc.argv, hc.form === 'shell');
      const svc = serviceByRoot(model, model.dockerfileMap[d.path]);
      if (!target || !svc) continue;
      if (!(touches(changed, d.path) || serviceTouched(changed, svc))) continue;
      const ports = appPorts(model, svc, { env: {}, argv: [], dockerfile: d });
      const result = served(svc, target.path, target.port, ports);
      report(ctx, result, {
        check: 'HEALTHCHECK',
        subject: `the image built by ${d.path}`,
        path: target.path,
        port: target.port,
        consequence: consequences.healthcheck,
        loc: hc.loc,
        key: `dockerfile`,
      });
    }
  },
};

interface Target {
  check: string;
  subject: string;
  path: string;
  port: number | undefined;
  consequence: string;
  loc: { path: string; line: number };
  portLine?: number | undefined;
  key: string;
}

function report(ctx: Parameters<RepoRule['check']>[0], result: Served, t: Target): void {
  if (result.kind === 'no-route') {
    const svc = result.svc;
    const health = healthRoutesOf(svc);
    const shown = (health.length ? health : svc.routes).slice(0, 4);
    const exact = health.filter((r) => r.certainty === 'exact');
    ctx.report({
      messageId: 'path',
      data: {
        check: t.check,
        subject: t.subject,
        path: t.path,
        service: serviceLabel(svc),
        root: svc.root || 'repository root',
        known: shown.length
          ? ` (its ${health.length ? 'health ' : ''}routes: ${shown.map((r) => r.path).join(', ')})`
          : '',
        consequence: t.consequence,
        suggest: exact.length
          ? ` (e.g. ${exact
              .map((r) => r.path)
              .slice(0, 2)
              .join(' or ')})`
          : '',
      },
      path: t.loc.path,
      line: t.loc.line,
      related: shown.slice(0, 3).map((r) => related(r.loc, `route ${r.path}`)),
      key: t.key,
    });
  } else if (result.kind === 'wrong-port' && t.port !== undefined) {
    ctx.report({
      messageId: 'port',
      data: {
        check: t.check,
        subject: t.subject,
        what: `GET ${t.path}`,
        port: t.port,
        service: serviceLabel(result.svc),
        ports: result.ports.join(', '),
        consequence: t.consequence,
      },
      path: t.loc.path,
      line: t.portLine ?? t.loc.line,
      related: listenRelated(result.svc),
      key: t.key,
    });
  }
}

/**
 * A service's GET routes named like health endpoints. Every unserved probe of the service lists them, and
 * a repository may hold hundreds of probes and thousands of routes: computed once per service model.
 */
function healthRoutesOf(svc: CodeService): CodeService['routes'] {
  let routes = healthRoutes.get(svc);
  if (!routes) {
    routes = svc.routes.filter((r) => HEALTH_PATH.test(r.path) && (r.method === 'GET' || r.method === 'ALL'));
    healthRoutes.set(svc, routes);
  }
  return routes;
}
const healthRoutes = new WeakMap<CodeService, CodeService['routes']>();

function listenRelated(svc: CodeService): RelatedLocation[] {
  return svc.listens.slice(0, 2).map((l) => related(l.loc, `the app listens here (${l.via})`));
}
