import type { RepoRule } from '../../../core/types.js';
import {
  changedPaths,
  modelOf,
  related,
  selectingServices,
  serviceOfContainer,
  targetedPorts,
  touches,
} from '../analysis.js';
import { HEALTH_PATH } from '../health-index.js';
import type { CodeService, Container } from '../model.js';
import { healthOptions, type HealthOptions } from '../options.js';

/**
 * health/readiness-probe-missing: a container that a Service sends traffic to has no readinessProbe.
 * Jobs, CronJobs, workloads no Service in the repository selects, sidecars the Service does not target,
 * and pods whose readiness a controller owns (`readinessGates`) are exempt (kube-score `pod-probes`).
 */
export const rule: RepoRule<unknown, HealthOptions> = {
  scope: 'repo',
  meta: {
    id: 'health/readiness-probe-missing',
    gate: 'health',
    severity: 'blocker',
    description:
      'A container behind a Service has no readinessProbe, so it gets traffic before it can serve and keeps getting it when it cannot.',
    messages: {
      default:
        'Container "{{container}}" of {{workload}} receives traffic from Service "{{service}}" but has no readinessProbe. Kubernetes routes requests to every new pod as soon as its process starts — before it has connected to its dependencies or warmed up — and keeps routing to pods that stopped answering, so every rollout and every overload turns into errors for users.',
    },
    fixes: {
      default:
        'Add a readinessProbe to container "{{container}}" in {{path}}: `readinessProbe: { httpGet: { path: {{probePath}}, port: {{port}} }, periodSeconds: 5, failureThreshold: 3 }`{{routeNote}}. Make that endpoint answer 503 while the app cannot serve (starting, shutting down, dependencies unreachable).',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const options = healthOptions(ctx.gateOptions);
    for (const w of model.workloads) {
      if (w.runToCompletion || w.readinessGates) continue;
      const services = selectingServices(model, w);
      if (services.length === 0) continue;
      for (const c of w.containers) {
        if (c.probes.readiness || c.unresolvedProbes.includes('readiness')) continue;
        const svc = services.find((s) => targetedPorts(s, c).some((p) => c.ports.some((cp) => cp.containerPort === p)));
        // A single-container pod serves whatever the Service targets, declared port or not.
        const target = svc ?? (w.containers.length === 1 ? services[0] : undefined);
        if (!target) continue;
        if (!touches(changed, w.path, target.path)) continue;
        const code = serviceOfContainer(model, w, c);
        const suggestion = readinessPath(code, options.readiness);
        ctx.report({
          messageId: 'default',
          data: {
            container: c.name,
            workload: `${w.kind} ${w.name}`,
            service: target.name,
            path: w.path,
            probePath: suggestion.path,
            port: portFor(c, targetedPorts(target, c)[0]),
            routeNote: suggestion.route
              ? ` (the service already serves ${suggestion.path} at ${suggestion.route})`
              : `, and add that route to the service`,
          },
          path: w.path,
          line: c.loc.line,
          related: [related(target.loc, `Service "${target.name}" selects this pod`)],
          key: `${w.kind}/${w.name}/${c.name}`,
        });
      }
    }
  },
};

/** The readiness path to suggest: configured, else a readiness-named route the service has, else `/readyz`. */
function readinessPath(
  code: CodeService | undefined,
  configured: string | undefined,
): { path: string; route?: string } {
  const candidates = code?.routes.filter((r) => r.certainty === 'exact' && HEALTH_PATH.test(r.path)) ?? [];
  const want = configured ?? undefined;
  const pick =
    (want ? candidates.find((r) => r.path === want) : undefined) ??
    candidates.find((r) => /ready/i.test(r.path)) ??
    candidates.find((r) => /health/i.test(r.path) && !/live/i.test(r.path));
  if (pick) return { path: pick.path, route: `${pick.loc.path}:${pick.loc.line}` };
  return { path: want ?? '/readyz' };
}

function portFor(c: Container, targeted: number | undefined): string {
  const named = c.ports.find((p) => p.containerPort === targeted && p.name) ?? c.ports.find((p) => p.name);
  if (named?.name) return named.name;
  return String(targeted ?? c.ports[0]?.containerPort ?? 8080);
}
