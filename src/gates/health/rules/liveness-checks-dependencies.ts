import type { FindingInput, RepoRule, RuleContext } from '../../../core/types.js';
import {
  changedPaths,
  containers,
  depKinds,
  describeDep,
  hasPathParams,
  modelOf,
  probeHandler,
  related,
  sameHandler,
  touches,
} from '../analysis.js';
import { httpTargetOf, isLocal, programsOf } from '../deploy/commands.js';
import type { Container, DepCall, HealthModel, Probe, Route, Workload } from '../model.js';
import { healthOptions, type HealthOptions } from '../options.js';

/** Paths that name a liveness endpoint. */
const LIVENESS_NAME = /(^|\/)(livez|live|liveness|alive|health\/live|health\/liveness)\/?$/i;

/** Command-line clients that talk to a dependency when given a remote host. */
const DEP_PROGRAMS: Readonly<Record<string, string>> = {
  pg_isready: 'the database',
  psql: 'the database',
  mysqladmin: 'the database',
  mysql: 'the database',
  mongosh: 'the database',
  mongo: 'the database',
  'redis-cli': 'the cache',
  cqlsh: 'the database',
  nc: 'another service',
};

/**
 * health/liveness-checks-dependencies: a liveness probe whose endpoint checks a database, cache, queue
 * or another service. When the dependency blips, every replica fails liveness together and is
 * restarted: a partial outage becomes a total one.
 */
export const rule: RepoRule<unknown, HealthOptions> = {
  scope: 'repo',
  meta: {
    id: 'health/liveness-checks-dependencies',
    gate: 'health',
    severity: 'blocker',
    description:
      'A liveness probe (or a liveness-named endpoint) checks a database, cache, queue or another service, so a dependency outage restarts every replica at once.',
    messages: {
      probe:
        'The livenessProbe of container "{{container}}" ({{workload}}) calls {{route}}, whose handler ({{handler}}) checks {{deps}}. When {{kinds}} is slow or down, every replica fails liveness together and Kubernetes restarts them all: a dependency blip becomes a full outage, and the restarts pile onto {{kinds}} as it recovers.',
      exec: 'The livenessProbe of container "{{container}}" ({{workload}}) runs `{{command}}`, which checks {{kinds}} on another host. When it is slow or down, every replica is restarted together, and restarting this container cannot fix it.',
      named:
        '{{route}} is a liveness endpoint by its name, and its handler checks {{deps}}. Whatever probes it as liveness restarts every replica together when {{kinds}} blips.',
      startupChecksDependency:
        'The startupProbe of container "{{container}}" ({{workload}}) {{what}}. A failing startup probe restarts the container just as liveness does: every pod that starts while {{kinds}} is down (a rollout, a rescheduled node, a scale-up) is killed and restarted in a loop, and comes back only after CrashLoopBackOff lets it, well after {{kinds}} has recovered.',
    },
    fixes: {
      probe:
        'Make liveness process-local: {{suggest}}. Keep the dependency checks in the readiness endpoint, bounded by a timeout, so a dependency outage takes pods out of rotation instead of restarting them.',
      exec: 'Replace the exec liveness command with a check of this process only (an HTTP `/livez` that does no I/O, or `tcpSocket` on the app port), and move the dependency check to readiness.',
      named:
        'Remove the dependency calls from {{route}} (liveness must only prove the process answers) and check dependencies in the readiness endpoint instead, with a timeout.',
      startupChecksDependency:
        'Point the startupProbe at a process-local check (the endpoint liveness uses, or `tcpSocket` on the app port): it should only say "the process has started". Let readiness wait for {{kinds}}, and have the app retry its connections at start instead of being restarted for them.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const options = healthOptions(ctx.gateOptions);
    const probed = new Set<Route>();
    for (const { w, c } of containers(model)) {
      if (w.runToCompletion) continue;
      const start = c.probes.startup;
      if (start) checkStartup(ctx, model, changed, w, c, start, probed);
      const p = c.probes.liveness;
      if (!p) continue;
      const key = `${w.kind}/${w.name}/${c.name}`;
      const base = { container: c.name, workload: `${w.kind} ${w.name}` };
      if (p.type === 'exec' && p.command) {
        const remote = remoteDependency(p.command);
        if (remote && touches(changed, p.loc.path, w.path)) {
          ctx.report({
            messageId: 'exec',
            data: { ...base, command: p.command.join(' ').slice(0, 80), kinds: remote },
            path: p.loc.path,
            line: p.targetLine,
            key,
          });
        }
        continue;
      }
      const h = probeHandler(model, w, c, p);
      if (!h) continue;
      probed.add(h.route);
      const deps = h.route.handler?.deps ?? [];
      if (deps.length === 0) continue;
      const handler = h.route.handler!;
      if (!touches(changed, p.loc.path, w.path, h.route.loc.path, handler.loc.path, ...deps.map((d) => d.loc.path)))
        continue;
      const local = h.svc.routes.find(
        (r) => r.certainty === 'exact' && r.handler && r.handler.deps.length === 0 && LIVENESS_NAME.test(r.path),
      );
      const suggest = local
        ? `the service already serves ${local.path} (${local.loc.path}:${local.loc.line}) without any I/O, so set \`path: ${local.path}\` in the livenessProbe of ${p.loc.path}`
        : `serve a route that does no I/O (e.g. \`app.get("/livez", (_req, res) => res.send("ok"))\` / \`@app.get("/livez")\` returning 200) and point \`livenessProbe.httpGet.path\` in ${p.loc.path} at it`;
      const data = {
        ...base,
        suggest,
        route: `${h.route.method === 'ALL' ? 'GET' : h.route.method} ${p.path}`,
        handler: `${handler.loc.path}:${handler.loc.line}`,
        deps: deps.slice(0, 2).map(describeDep).join(' and '),
        kinds: depKinds(deps),
      };
      const relatedLocs = [related(h.route.loc, `the route that serves ${p.path}`), ...depRelated(deps)];
      const finding: FindingInput = touches(changed, p.loc.path)
        ? { messageId: 'probe', data, path: p.loc.path, line: p.targetLine, related: relatedLocs, key }
        : {
            messageId: 'probe',
            data,
            path: deps[0]!.loc.path,
            line: deps[0]!.loc.line,
            related: [
              related({ path: p.loc.path, line: p.targetLine }, `the livenessProbe of "${c.name}"`),
              ...relatedLocs,
            ],
            key,
          };
      ctx.report(finding);
    }
    // Liveness endpoints by name, for services whose probes live elsewhere (another repository, GitOps).
    for (const svc of model.services) {
      for (const route of svc.routes) {
        if (probed.has(route) || !route.handler?.deps.length || hasPathParams(route.path)) continue;
        const named =
          LIVENESS_NAME.test(route.path) ||
          (options.liveness !== undefined && route.path.toLowerCase() === options.liveness.toLowerCase());
        if (!named) continue;
        const deps = route.handler.deps;
        if (!touches(changed, route.loc.path, route.handler.loc.path, ...deps.map((d) => d.loc.path))) continue;
        ctx.report({
          messageId: 'named',
          data: {
            route: `${route.method === 'ALL' ? 'GET' : route.method} ${route.path}`,
            deps: deps.slice(0, 2).map(describeDep).join(' and '),
            kinds: depKinds(deps),
            container: '',
            workload: '',
            suggest: '',
          },
          path: deps[0]!.loc.path,
          line: deps[0]!.loc.line,
          related: [related(route.loc, `the route ${route.path}`)],
          key: `route:${route.path}`,
        });
      }
    }
  },
};

/**
 * A startup probe that checks a dependency: judged like liveness (a failure restarts the container), but
 * a warning, since it stops mattering once the container has started: running replicas are not
 * restarted by a later outage, only the ones starting during it.
 */
function checkStartup(
  ctx: RuleContext<unknown, HealthOptions>,
  model: HealthModel,
  changed: ReadonlySet<string>,
  w: Workload,
  c: Container,
  p: Probe,
  probed: Set<Route>,
): void {
  const key = `${w.kind}/${w.name}/${c.name}:startup`;
  const base = { container: c.name, workload: `${w.kind} ${w.name}` };
  if (p.type === 'exec' && p.command) {
    const remote = remoteDependency(p.command);
    if (!remote || !touches(changed, p.loc.path, w.path)) return;
    ctx.report({
      messageId: 'startupChecksDependency',
      severity: 'warning',
      data: {
        ...base,
        what: `runs \`${p.command.join(' ').slice(0, 80)}\`, which checks ${remote} on another host`,
        kinds: remote,
      },
      path: p.loc.path,
      line: p.targetLine,
      key,
    });
    return;
  }
  const h = probeHandler(model, w, c, p);
  if (!h) return;
  probed.add(h.route);
  const deps = h.route.handler?.deps ?? [];
  if (deps.length === 0) return;
  const handler = h.route.handler!;
  if (!touches(changed, p.loc.path, w.path, h.route.loc.path, handler.loc.path, ...deps.map((d) => d.loc.path))) return;
  const ready = c.probes.readiness;
  const sharesReadiness = ready !== undefined && sameHandler(p, ready);
  const what = `calls ${h.route.method === 'ALL' ? 'GET' : h.route.method} ${p.path}${sharesReadiness ? ' (the readiness endpoint)' : ''}, whose handler (${handler.loc.path}:${handler.loc.line}) checks ${deps
    .slice(0, 2)
    .map(describeDep)
    .join(' and ')}`;
  const relatedLocs = [
    related(h.route.loc, `the route that serves ${p.path}`),
    ...(sharesReadiness ? [related(ready.loc, 'the readinessProbe checks the same endpoint')] : []),
    ...depRelated(deps),
  ];
  const data = { ...base, what, kinds: depKinds(deps) };
  ctx.report(
    touches(changed, p.loc.path)
      ? {
          messageId: 'startupChecksDependency',
          severity: 'warning',
          data,
          path: p.loc.path,
          line: p.targetLine,
          related: relatedLocs,
          key,
        }
      : {
          messageId: 'startupChecksDependency',
          severity: 'warning',
          data,
          path: deps[0]!.loc.path,
          line: deps[0]!.loc.line,
          related: [
            related({ path: p.loc.path, line: p.targetLine }, `the startupProbe of "${c.name}"`),
            ...relatedLocs,
          ],
          key,
        },
  );
}

function depRelated(deps: readonly DepCall[]) {
  return deps
    .slice(0, 2)
    .map((d) => related(d.loc, `${d.kind} check \`${d.callee}\`${d.via.length ? ` (via ${d.via.join(' → ')})` : ''}`));
}

/** What an exec probe checks on another host: `pg_isready -h db`, `curl http://other-svc/health`. */
function remoteDependency(argv: readonly string[]): string | undefined {
  const words =
    argv.length <= 3 && /^(\/bin\/)?(ba)?sh$/.test(argv[0] ?? '') && argv[1] === '-c'
      ? (argv[2] ?? '').split(/\s+/)
      : [...argv];
  const programs = programsOf(words);
  const http = httpTargetOf(words);
  if (http && !isLocal(http) && programs.some((p) => p === 'curl' || p === 'wget')) return 'another service';
  for (const prog of programs) {
    const what = DEP_PROGRAMS[prog];
    if (!what) continue;
    const i = words.findIndex((w) => w === '-h' || w === '--host' || w.startsWith('--host=') || w.startsWith('-h'));
    const host =
      i === -1
        ? undefined
        : words[i]!.includes('=')
          ? words[i]!.split('=')[1]
          : words[i] === '-h' || words[i] === '--host'
            ? words[i + 1]
            : words[i]!.slice(2);
    if (prog === 'nc') {
      const args = words.slice(words.indexOf('nc') + 1).filter((w) => !w.startsWith('-'));
      if (args[0] && !/^(localhost|127\.0\.0\.1|0\.0\.0\.0)$/.test(args[0])) return what;
      continue;
    }
    if (host && !/^(localhost|127\.0\.0\.1|0\.0\.0\.0|::1)$/.test(host)) return what;
  }
  return undefined;
}
