/**
 * The health gate's coverage facts: how many probes it found, how many it followed to a handler, and why
 * the others could not be followed. Counted over the head's model (the whole snapshot, not only the diff),
 * because a probe in an untouched manifest still judges a handler the PR edits.
 */
import type { CoverageContext, CoverageGap, GateCoverage } from '../../core/types.js';
import { appPorts, containerArgv, containers, probeHandler, served, serviceOfContainer } from './analysis.js';
import type { HealthModel, Probe } from './model.js';
import { healthIndex } from './health-index.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Why a probe's handler could not be followed, or undefined when it was. */
function untraced(
  model: HealthModel,
  w: Parameters<typeof probeHandler>[1],
  c: Parameters<typeof probeHandler>[2],
  p: Probe,
): string | undefined {
  if (p.type === 'exec') return 'an exec probe runs a command, which is not analysed';
  if (p.type === 'tcp') return 'a TCP probe only opens the port: there is no handler to follow';
  if (p.type === 'grpc') return 'gRPC health services are not analysed';
  if (p.type !== 'http' || !p.path) return 'the probe target could not be read';
  const found = probeHandler(model, w, c, p);
  if (found?.route.handler) return undefined;
  if (found) return 'the route serving it was found, but not its handler';
  const svc = serviceOfContainer(model, w, c);
  if (!svc) return 'no service in this repository could be matched to the container';
  const ports = appPorts(model, svc, { env: c.env, opaqueEnv: c.opaqueEnv, argv: containerArgv(c) });
  const s = served(svc, p.path, p.resolvedPort, ports);
  if (s.kind === 'unknown')
    return s.why === 'port' ? 'the port it probes could not be resolved' : `the route table is incomplete (${s.why})`;
  if (s.kind === 'no-route') return 'no route serves its path (reported by health/probe-target-unserved)';
  return 'it probes a port the app does not listen on';
}

/** Probes → handlers followed, with the reasons for the rest, grouped. */
export function healthCoverage(ctx: CoverageContext): GateCoverage {
  const model = ctx.index(healthIndex);
  let probes = 0;
  let followed = 0;
  let unresolved = 0;
  let firstUnresolved: { path: string; line: number } | undefined;
  const reasons = new Map<string, { count: number; path: string; line: number }>();
  for (const { w, c } of containers(model)) {
    for (const p of Object.values(c.probes)) {
      if (!p) continue;
      probes++;
      const why = untraced(model, w, c, p);
      if (!why) {
        followed++;
        continue;
      }
      const entry = reasons.get(why);
      if (entry) entry.count++;
      else reasons.set(why, { count: 1, path: w.path, line: p.loc.line });
    }
    if (c.unresolvedProbes.length > 0) {
      unresolved += c.unresolvedProbes.length;
      firstUnresolved ??= { path: w.path, line: c.loc.line };
    }
  }
  const compose = model.compose.filter((s) => s.healthcheck).length;
  const docker = model.dockerfiles.filter((d) => d.healthchecks.length > 0).length;
  const routes = model.services.reduce((n, s) => n + s.routes.length, 0);

  const examined = [
    `${plural(probes, 'Kubernetes probe')} → ${plural(followed, 'handler')} followed`,
    `${plural(model.services.length, 'service')} with ${plural(routes, 'route')} read`,
  ];
  if (compose + docker > 0)
    examined.push(`${plural(compose, 'Compose health check')}, ${plural(docker, 'Dockerfile HEALTHCHECK')}`);
  const notAnalysed: CoverageGap[] = [...reasons].map(([reason, e]) => ({
    subject: plural(e.count, 'probe'),
    reason,
    path: e.path,
    line: e.line,
  }));
  if (unresolved > 0) {
    notAnalysed.push({
      subject: plural(unresolved, 'probe setting'),
      reason: 'set by a Helm template the gate cannot render without running Helm',
      ...firstUnresolved,
    });
  }
  const uncertain = model.services.filter((s) => s.uncertain.length > 0);
  if (uncertain.length > 0) {
    notAnalysed.push({
      subject: plural(uncertain.length, 'service'),
      reason: `routes the gate could not read (${uncertain[0]!.uncertain[0]!.reason})`,
      path: uncertain[0]!.uncertain[0]!.loc.path,
      line: uncertain[0]!.uncertain[0]!.loc.line,
    });
  }
  return { examined, notAnalysed };
}
