/**
 * Joins over the health model that several rules share: which code service a probe belongs to, which
 * routes serve a path, which ports the app listens on in a given container, which Services select a
 * workload, and whether a finding touches what the pull request changed.
 */
import type { ChangedFile, RelatedLocation, RuleContext } from '../../core/types.js';
import { FILE_ROUTED } from './code/fs-routes.js';
import { httpTargetOf, isLocal, serverPortOf, shellWords, type HttpTarget } from './deploy/commands.js';
import { dockerfileFor, normalisePath, routeServes } from './health-index.js';
import {
  composeKey,
  containerKey,
  type CodeService,
  type ComposeService,
  type Container,
  type DepCall,
  type Dockerfile,
  type HealthModel,
  type KubeService,
  type Loc,
  type Probe,
  type Route,
  type Workload,
} from './model.js';
import { healthIndex } from './health-index.js';

export function modelOf(ctx: RuleContext<any, any>): HealthModel {
  return ctx.index(healthIndex);
}

/** Paths this side of the change touches (head paths on the head, base paths on the base). */
export function changedPaths(ctx: RuleContext<any, any>): Set<string> {
  const out = new Set<string>();
  for (const c of ctx.changes as readonly ChangedFile[]) {
    if (ctx.side === 'head') {
      if (c.status !== 'removed') out.add(c.path);
    } else if (c.status !== 'added') out.add(c.previousPath ?? c.path);
  }
  return out;
}

/** Whether any of the locations lies in a changed file. */
export function touches(changed: ReadonlySet<string>, ...paths: Array<string | undefined>): boolean {
  return paths.some((p) => p !== undefined && changed.has(p));
}

/** Whether any file of a code service changed (its code drives findings on its probes). */
export function serviceTouched(changed: ReadonlySet<string>, svc: CodeService | undefined): boolean {
  if (!svc) return false;
  for (const p of changed) if (svc.root === '' ? true : p.startsWith(`${svc.root}/`)) return true;
  return false;
}

/** How messages name a code service: its package name when the directory says nothing (the root). */
export function serviceLabel(svc: CodeService): string {
  return svc.root === '' ? (svc.aliases[0] ?? 'the repository') : svc.name;
}

export function serviceByRoot(model: HealthModel, root: string | undefined): CodeService | undefined {
  return root === undefined ? undefined : model.services.find((s) => s.root === root);
}

/** The code service a container runs, when mapped with confidence. */
export function serviceOfContainer(model: HealthModel, w: Workload, c: Container): CodeService | undefined {
  return serviceByRoot(model, model.containerMap[containerKey(w, c)]?.root);
}

export function serviceOfCompose(model: HealthModel, s: ComposeService): CodeService | undefined {
  return serviceByRoot(model, model.composeMap[composeKey(s)]?.root);
}

export function related(loc: Loc, message: string): RelatedLocation {
  return { path: loc.path, line: loc.line, message };
}

/** Services (in the repository) whose selector matches the workload's pod labels. */
export function selectingServices(model: HealthModel, w: Workload): KubeService[] {
  if (w.runToCompletion) return [];
  const dir = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
  // Nearest first: the same file, then the same folder (a chart and plain manifests may both exist).
  const rank = (s: KubeService) => (s.path === w.path ? 0 : dir(s.path) === dir(w.path) ? 1 : 2);
  return model.kubeServices
    .filter((s) => {
      if (s.namespace && w.namespace && s.namespace !== w.namespace) return false;
      if (s.chart !== w.chart && (s.selectorIncludes.length > 0 || w.labelIncludes.length > 0)) return false;
      const entries = Object.entries(s.selector);
      if (entries.length === 0 && s.selectorIncludes.length === 0) return false;
      if (!entries.every(([k, v]) => w.labels[k] === v)) return false;
      return s.selectorIncludes.every((inc) => w.labelIncludes.includes(inc));
    })
    .sort((a, b) => rank(a) - rank(b));
}

/** The container ports a Service's ports target on this container. */
export function targetedPorts(svc: KubeService, c: Container): number[] {
  const out: number[] = [];
  for (const p of svc.ports) {
    const t = p.targetPort ?? p.port;
    if (typeof t === 'number') out.push(t);
    else if (typeof t === 'string') {
      const named = c.ports.find((cp) => cp.name === t);
      if (named) out.push(named.containerPort);
    }
  }
  return out;
}

/** The routes of a service that serve a path (on the app's own port unless a route has its own). */
export function routesServing(svc: CodeService, path: string): Route[] {
  // Several rules ask about the same probe paths of one model: answer each question once.
  let byPath = servingCache.get(svc);
  if (!byPath) servingCache.set(svc, (byPath = new Map()));
  let routes = byPath.get(path);
  if (!routes)
    byPath.set(
      path,
      (routes = svc.routes.filter(
        (r) => (r.method === 'GET' || r.method === 'ALL' || r.method === 'HEAD') && routeServes(r, path),
      )),
    );
  return [...routes];
}

const servingCache = new WeakMap<CodeService, Map<string, Route[]>>();

/**
 * The ports the service's app listens on inside a container, or undefined when any of them is unknown
 * (an env var we cannot read, a computed port, no listen call at all).
 */
export function appPorts(
  model: HealthModel,
  svc: CodeService,
  run: {
    env: Record<string, string>;
    opaqueEnv?: string[];
    argv: string[];
    compose?: ComposeService;
    dockerfile?: Dockerfile;
  },
): number[] | undefined {
  const dockerfile = run.dockerfile ?? dockerfileFor(model, svc.root, run.compose);
  const env = { ...(dockerfile?.env ?? {}), ...run.env };
  const opaque = run.opaqueEnv ?? [];
  const resolveEnv = (name: string, fallback?: number): number | undefined => {
    if (env[name] !== undefined) return /^\d+$/.test(env[name]!) ? Number(env[name]) : undefined;
    if (opaque.includes(name) || opaque.includes('*')) return undefined;
    return fallback;
  };
  // What the container runs: its command, else the image's.
  const argv = run.argv.length ? run.argv : [...(dockerfile?.entrypoint ?? []), ...(dockerfile?.cmd ?? [])];
  const server = argv.length ? serverPortOf(argv) : undefined;
  if (server) {
    if (server.env) return maybe(resolveEnv(server.env, server.port));
    return server.port === undefined ? undefined : [server.port];
  }
  // Next.js, remix-serve and SvelteKit's Node adapter listen on PORT, 3000 by default.
  if (svc.frameworks.some((f) => FILE_ROUTED.has(f)) && svc.listens.length === 0)
    return maybe(resolveEnv('PORT', 3000));
  if (svc.listens.length === 0) return undefined;
  const out: number[] = [];
  for (const l of svc.listens) {
    if (l.port.kind === 'literal') out.push(l.port.port);
    else if (l.port.kind === 'env') {
      const p = resolveEnv(l.port.name, l.port.fallback);
      if (p === undefined) return undefined;
      out.push(p);
    } else return undefined;
  }
  return [...new Set(out)];
}

function maybe(n: number | undefined): number[] | undefined {
  return n === undefined ? undefined : [n];
}

export function containerArgv(c: Container): string[] {
  return [...c.command, ...c.args];
}

/** What the code serves for an HTTP check: the routes at that path, or why we cannot tell. */
export type Served =
  | { kind: 'served'; routes: Route[] }
  | { kind: 'no-route'; svc: CodeService }
  | { kind: 'wrong-port'; svc: CodeService; ports: number[] }
  | { kind: 'unknown'; why: string };

/**
 * Whether a service serves `path` on `port`. Precise on purpose: only "no-route" and "wrong-port" are
 * claims, and only when the route table is complete as far as we can see.
 */
export function served(
  svc: CodeService,
  path: string,
  port: number | undefined,
  appPortList: number[] | undefined,
): Served {
  const routes = routesServing(svc, path);
  const onPort = (r: Route) =>
    port === undefined ||
    (r.port !== undefined ? r.port === port : appPortList === undefined || appPortList.includes(port));
  const hits = routes.filter(onPort);
  if (hits.length > 0) return { kind: 'served', routes: hits };
  if (routes.length > 0) {
    // The path exists, on another port.
    if (port !== undefined && appPortList !== undefined && routes.every((r) => r.port === undefined))
      return { kind: 'wrong-port', svc, ports: appPortList };
    if (routes.some((r) => r.port !== undefined) && port !== undefined)
      return { kind: 'wrong-port', svc, ports: [...new Set(routes.map((r) => r.port ?? 0))] };
    return { kind: 'unknown', why: 'port' };
  }
  if (svc.catchAll.length > 0) return { kind: 'unknown', why: 'catch-all route' };
  if (svc.mentioned.includes(normalisePath(path)))
    return { kind: 'unknown', why: 'the path appears in code we could not follow' };
  if (svc.uncertain.length > 0) return { kind: 'unknown', why: svc.uncertain[0]!.reason };
  if (svc.routes.length === 0) return { kind: 'unknown', why: 'no routes found' };
  return { kind: 'no-route', svc };
}

/** The HTTP target of a compose or Dockerfile health check. */
export function healthcheckTarget(argv: string[], shell: boolean): HttpTarget | undefined {
  const t = httpTargetOf(shell ? shellWords(argv.join(' ')) : argv);
  return t && isLocal(t) ? t : undefined;
}

/**
 * A path with parameters or wildcards (`/runs/:id/live`, `/files/*`, `/{id}`): a resource route whose
 * last word happens to be `live` or `status`, not a probe endpoint.
 */
export function hasPathParams(path: string): boolean {
  return /[:*[{<]/.test(path);
}

/** "database (`db.$queryRaw` at src/health.ts:21)" for messages. */
export function describeDep(d: DepCall): string {
  const kind = d.kind === 'service' ? 'another service' : d.kind === 'http' ? 'an HTTP call' : `the ${d.kind}`;
  return `${kind} (\`${d.callee}\` at ${d.loc.path}:${d.loc.line})`;
}

export function depKinds(deps: readonly DepCall[]): string {
  const names = [
    ...new Set(
      deps.map((d) =>
        d.kind === 'http' ? 'an HTTP dependency' : d.kind === 'service' ? 'another service' : `the ${d.kind}`,
      ),
    ),
  ];
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Human label of a probe's target: `GET /healthz on port 8080`, `TCP port 5432`, `exec pg_isready`. */
export function probeLabel(p: Probe): string {
  switch (p.type) {
    case 'http':
      return `GET ${p.path ?? '/'}${p.port !== undefined ? ` on port ${p.port}` : ''}`;
    case 'tcp':
      return `TCP port ${p.port ?? '?'}`;
    case 'grpc':
      return `gRPC port ${p.port ?? '?'}`;
    case 'exec':
      return `\`${(p.command ?? []).join(' ').slice(0, 60)}\``;
    default:
      return 'an unknown handler';
  }
}

/** The failure budget: seconds of consecutive failures before the kubelet acts. */
export function failureBudget(p: Probe): number {
  return (p.failureThreshold?.value ?? 3) * (p.periodSeconds?.value ?? 10);
}

/** Whether two probes check the same thing (kube-score's identity: path + port, TCP port, exec command, gRPC port + service). */
export function sameHandler(a: Probe, b: Probe): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'http':
      return (
        (a.path ?? '/') === (b.path ?? '/') && String(a.resolvedPort ?? a.port) === String(b.resolvedPort ?? b.port)
      );
    case 'tcp':
      return String(a.resolvedPort ?? a.port) === String(b.resolvedPort ?? b.port);
    case 'exec':
      return JSON.stringify(a.command) === JSON.stringify(b.command);
    case 'grpc':
      return String(a.port) === String(b.port) && (a.grpcService ?? '') === (b.grpcService ?? '');
    default:
      return false;
  }
}

/** Each container of each long-running workload with its code service. */
export function* containers(
  model: HealthModel,
): Generator<{ w: Workload; c: Container; svc: CodeService | undefined }> {
  for (const w of model.workloads) for (const c of w.containers) yield { w, c, svc: serviceOfContainer(model, w, c) };
}

/** The handler facts behind an HTTP probe of a container, with the route that serves it. */
export function probeHandler(
  model: HealthModel,
  w: Workload,
  c: Container,
  p: Probe,
): { svc: CodeService; route: Route } | undefined {
  if (p.type !== 'http' || !p.path) return undefined;
  const svc = serviceOfContainer(model, w, c);
  if (!svc) return undefined;
  const ports = appPorts(model, svc, { env: c.env, opaqueEnv: c.opaqueEnv, argv: containerArgv(c) });
  const s = served(svc, p.path, p.resolvedPort, ports);
  if (s.kind !== 'served') return undefined;
  // Prefer the most specific route: exact over suffix, with handler facts.
  const route = [...s.routes].sort(
    (a, b) => Number(!!b.handler) - Number(!!a.handler) || (a.certainty === 'exact' ? -1 : 1),
  )[0];
  return route ? { svc, route } : undefined;
}

export type { Dockerfile };
