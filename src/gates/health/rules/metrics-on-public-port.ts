import type { RepoRule } from '../../../core/types.js';
import {
  appPorts,
  changedPaths,
  containerArgv,
  modelOf,
  related,
  routesServing,
  selectingServices,
  serviceOfContainer,
  targetedPorts,
  touches,
} from '../analysis.js';
import type { KubeService, Loc, PublicBackend, Workload } from '../model.js';

/**
 * health/metrics-on-public-port: `/metrics` is served on the same port that a public Service
 * (LoadBalancer, NodePort, or the backend of an Ingress / HTTPRoute) exposes, so anyone on the internet
 * can read it. A notice: some teams want that; a suppression with a reason records the decision.
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/metrics-on-public-port',
    gate: 'health',
    severity: 'notice',
    description: 'The /metrics endpoint is served on the port a public Service or Ingress exposes.',
    messages: {
      default:
        '{{route}} is served on port {{port}}, which {{exposure}} exposes outside the cluster. Anyone who can reach it can read the metrics — route names, error rates, queue sizes, sometimes tenant or user labels — and scrape it as often as they like.',
    },
    fixes: {
      default:
        'Serve metrics on a separate, unexposed port (e.g. a second listener on 9464 that Prometheus scrapes through the pod IP), or block /metrics at the Ingress. If exposing it is intended, say so with `readiness-ignore health/metrics-on-public-port: <reason>` on this line.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const done = new Set<string>();
    for (const w of model.workloads) {
      if (w.runToCompletion) continue;
      const services = selectingServices(model, w);
      for (const c of w.containers) {
        const svc = serviceOfContainer(model, w, c);
        // With two servers in one process we cannot tell which one serves /metrics.
        if (!svc || svc.listens.length > 1) continue;
        const routes = routesServing(svc, '/metrics').filter(
          (r) => r.port === undefined && r.path.toLowerCase().endsWith('/metrics') && r.certainty === 'exact',
        );
        if (routes.length === 0) continue;
        const ports = appPorts(model, svc, { env: c.env, opaqueEnv: c.opaqueEnv, argv: containerArgv(c) });
        if (!ports) continue;
        for (const s of services) {
          const exposed = targetedPorts(s, c).filter((p) => ports.includes(p));
          if (exposed.length === 0) continue;
          const exposure = publicExposure(model.publicBackends, s, w);
          if (!exposure) continue;
          const route = routes[0]!;
          if (!touches(changed, route.loc.path, w.path, s.path, exposure.loc?.path)) continue;
          const id = `${route.loc.path}:${route.loc.line}:${s.name}`;
          if (done.has(id)) continue;
          done.add(id);
          ctx.report({
            messageId: 'default',
            data: { route: `GET ${route.path}`, port: exposed[0]!, exposure: exposure.text },
            path: route.loc.path,
            line: route.loc.line,
            related: [
              related(s.loc, `Service "${s.name}"`),
              ...(exposure.loc ? [related(exposure.loc, 'routes public traffic to it')] : []),
            ],
            key: `${s.name}`,
          });
        }
      }
    }
  },
};

function publicExposure(
  backends: readonly PublicBackend[],
  s: KubeService,
  w: Workload,
): { text: string; loc?: Loc } | undefined {
  if (s.type === 'LoadBalancer' || s.type === 'NodePort') return { text: `Service "${s.name}" (type ${s.type})` };
  const b = backends.find((x) => x.service === s.name && (!x.namespace || !w.namespace || x.namespace === w.namespace));
  if (b) return { text: `Service "${s.name}", routed from the Ingress at ${b.loc.path}:${b.loc.line},`, loc: b.loc };
  return undefined;
}
