/**
 * The health model: what the code serves (health routes, what their handlers do, ports, shutdown) and
 * what the deployment files ask for (Kubernetes probes, Compose health checks, Dockerfile HEALTHCHECKs),
 * per service. Built once per snapshot by `health-index.ts`; plain data only (no syntax nodes), because
 * the engine frees syntax trees after the rules have run.
 */

/** A place in the repository. Lines are 1-based. */
export interface Loc {
  path: string;
  line: number;
  endLine?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Code
// ---------------------------------------------------------------------------------------------------------

/** What a dependency check talks to. */
export type DepKind = 'database' | 'cache' | 'queue' | 'http' | 'service';

/** A call from a health handler (directly or through helpers) to something outside the process. */
export interface DepCall {
  kind: DepKind;
  /** The call as written, shortened: `db.$queryRaw`, `redis.ping`, `fetch`. */
  callee: string;
  loc: Loc;
  /** What bounds the call in time (`AbortSignal.timeout`, `withTimeout`, `asyncio.wait_for`…); undefined when nothing does. */
  timeout?: string;
  /** The helper calls from the handler down to this call, e.g. `checkDatabase() (src/db.ts:4)`. */
  via: string[];
  /** Where a failure of this call is caught and turned into a normal answer (a `catch` that does not rethrow). */
  caught?: Loc;
}

/** A `Promise.race` timeout whose timer is never cleared: every call leaves a live timer behind. */
export interface TimerLeak {
  /** The `setTimeout` (or timers/promises `setTimeout`) call. */
  timer: Loc;
  /** The `Promise.race` call. */
  race: Loc;
  /** The helper that holds the race (`withTimeout`), when it is a named function. */
  helper?: string;
  /** Milliseconds, when the delay is a literal at the call site of the helper or in the timer itself. */
  ms?: number;
  via: string[];
}

/** What a health handler does, as far as a short walk through its calls can tell. */
export interface HandlerFacts {
  loc: Loc;
  deps: DepCall[];
  leaks: TimerLeak[];
  /** The handler reads a shutdown flag / state (so readiness can fail during shutdown). */
  readsShutdownState: boolean;
  /**
   * False when nothing in the handler's own code can answer with a non-2xx status (no error status, no
   * throw, no response handed elsewhere); true or undefined when it can or we cannot tell.
   */
  errorStatus?: boolean;
  /**
   * True when the handler's own code does nothing but answer: no dependency call, no other call than
   * building the response, nothing awaited, no way to answer non-2xx. Undefined when it does more.
   */
  checksNothing?: boolean;
}

/** A dependency client library a service declares (a database, cache or broker it talks to). */
export interface DependencyClient {
  /** The package as declared (`@prisma/client`, `redis`), or `<workspace package> → <package>`. */
  module: string;
  kind: DepKind;
  loc: Loc;
}

export type Framework =
  | 'express'
  | 'fastify'
  | 'koa'
  | 'hono'
  | 'nest'
  | 'next'
  | 'remix'
  | 'sveltekit'
  | 'node-http'
  | 'terminus'
  | 'lightship'
  | 'under-pressure'
  | 'fastapi'
  | 'flask'
  | 'django'
  | 'fastapi-health'
  | 'starlette';

/** One HTTP route found in code. */
export interface Route {
  framework: Framework;
  /** `GET`, `ALL`… */
  method: string;
  /**
   * The full path when `certainty` is `exact`; the route's own path (which some unknown prefix may precede)
   * when it is `suffix`. Express/Flask style parameters are kept as written (`/:id`, `/<id>`, `/{id}`).
   */
  path: string;
  certainty: 'exact' | 'suffix';
  loc: Loc;
  /** A port the route is served on when it differs from the app's (lightship's own server). */
  port?: number;
  /** Filled for health-like routes and for every route a probe targets. */
  handler?: HandlerFacts;
}

/** A listening port as the code writes it. */
export type PortExpr =
  | { kind: 'literal'; port: number }
  | { kind: 'env'; name: string; fallback?: number }
  | { kind: 'unknown'; text: string };

export interface Listen {
  loc: Loc;
  port: PortExpr;
  /** What starts the server: `app.listen`, `uvicorn.run`, `gunicorn` (command line)… */
  via: string;
}

/** How the process reacts to SIGTERM. */
export interface Shutdown {
  /** Something handles SIGTERM (a handler, a library, a server that does it itself). */
  handled: boolean;
  /** Where: the `process.on('SIGTERM')` call, `createTerminus`, `enableShutdownHooks`, `createLightship`… */
  handlers: ShutdownHandler[];
}

export interface ShutdownHandler {
  loc: Loc;
  /** `process.on`, `terminus`, `lightship`, `nest`, `close-with-grace`, `http-terminator`, `server` (uvicorn…). */
  via: string;
  /** Milliseconds the process keeps serving after SIGTERM before it starts closing; undefined when unknown. */
  drainMs?: number;
  /** Where that delay is written. */
  drainLoc?: Loc;
  /** True when the handler closes the server (or exits) without any delay we can see. */
  closesImmediately: boolean;
}

/** Why the route table of a service may be incomplete (so "no route serves this path" would be a guess). */
export interface Uncertainty {
  loc: Loc;
  reason: string;
}

/** Everything the code of one service says about health. */
export interface CodeService {
  root: string;
  name: string;
  /** Names the deployment files may use for it: directory, package name, configured name. */
  aliases: string[];
  runtime: 'node' | 'python' | 'go' | 'unknown';
  frameworks: Framework[];
  routes: Route[];
  listens: Listen[];
  shutdown: Shutdown;
  /** Reasons the route table may miss routes; empty when it is complete as far as we can tell. */
  uncertain: Uncertainty[];
  /** Routes that answer any path (SPA fallbacks, proxies): every probe path is "served". */
  catchAll: Loc[];
  /**
   * Probe paths whose last segment appears as text in a source file of this service that yielded no
   * route we could read (a constant, a wrapper around the router): the route may exist out of sight.
   */
  mentioned: string[];
  /** Database, cache and broker clients the service's manifest declares (directly or via a workspace package). */
  clients?: DependencyClient[];
}

// ---------------------------------------------------------------------------------------------------------
// Deployment
// ---------------------------------------------------------------------------------------------------------

/** A number as written in a manifest, with its line. */
export interface Field<T> {
  value: T;
  line: number;
}

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface Probe {
  kind: ProbeKind;
  /** The `livenessProbe:` key. */
  loc: Loc;
  /** The line that says what is probed (`path:`, `port:`, `command:`). */
  targetLine: number;
  type: 'http' | 'tcp' | 'exec' | 'grpc' | 'unknown';
  path?: string;
  /** As written: a number or a port name. */
  port?: number | string;
  portLine?: number;
  /** The port resolved to a number through the container's named ports. */
  resolvedPort?: number;
  command?: string[];
  grpcService?: string;
  initialDelaySeconds?: Field<number>;
  periodSeconds?: Field<number>;
  timeoutSeconds?: Field<number>;
  failureThreshold?: Field<number>;
  successThreshold?: Field<number>;
  /** Set when part of the probe came from a Helm value we resolved (the value lives in values.yaml). */
  fromValues?: Loc;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  line: number;
}

export interface Container {
  name: string;
  loc: Loc;
  image?: string;
  ports: ContainerPort[];
  /** Some `ports` entry could not be read (templated): port names may exist that we do not see. */
  portsUnresolved?: boolean;
  /** Literal environment values (`env: [{name, value}]`). */
  env: Record<string, string>;
  /** Env names set from something we cannot read (valueFrom, templated). */
  opaqueEnv: string[];
  command: string[];
  args: string[];
  probes: Partial<Record<ProbeKind, Probe>>;
  /** Probes we could not read (Helm includes, unresolved values): never report them as missing. */
  unresolvedProbes: ProbeKind[];
  /** `lifecycle.preStop` delay in seconds (sleep action or `sleep N` exec), when any. */
  preStopSeconds?: Field<number>;
  /** preStop exists but its duration is unknown (a script). */
  preStopOpaque?: Loc;
}

export interface Workload {
  path: string;
  kind: string;
  name: string;
  namespace?: string;
  loc: Loc;
  /** Pod template labels. `includes` are Helm `include` names used for labels. */
  labels: Record<string, string>;
  labelIncludes: string[];
  containers: Container[];
  terminationGracePeriodSeconds?: Field<number>;
  /** Line of the pod spec, where a missing grace period would go. */
  podSpecLine: number;
  /** Jobs and CronJobs run to completion: readiness rules do not apply. */
  runToCompletion: boolean;
  /** The Helm chart directory, when it comes from one. */
  chart?: string;
  /** `readinessGates` present: a controller decides readiness. */
  readinessGates: boolean;
}

export interface ServicePort {
  port?: number;
  targetPort?: number | string;
  line: number;
}

export interface KubeService {
  path: string;
  name: string;
  namespace?: string;
  loc: Loc;
  selector: Record<string, string>;
  selectorIncludes: string[];
  type: string;
  ports: ServicePort[];
  chart?: string;
}

/** An Ingress / HTTPRoute backend: a Service reached from outside the cluster. */
export interface PublicBackend {
  service: string;
  namespace?: string;
  port?: number | string;
  loc: Loc;
}

export interface ComposeHealthcheck {
  loc: Loc;
  /** The `test:` line. */
  testLine: number;
  /** `["CMD", …]`, `["CMD-SHELL", "…"]`, a string (shell), or NONE. */
  form: 'CMD' | 'CMD-SHELL' | 'NONE' | 'invalid';
  argv: string[];
  disabled: boolean;
}

export interface ComposeService {
  path: string;
  name: string;
  loc: Loc;
  image?: string;
  /** Build context directory, repository-relative. */
  buildContext?: string;
  dockerfile?: string;
  /** `build.target`: the stage Compose builds, when not the last one. */
  buildTarget?: string;
  containerName?: string;
  healthcheck?: ComposeHealthcheck;
  dependsOn: Array<{ service: string; condition?: string; line: number }>;
  /** `host:container` published ports. */
  ports: Array<{ published?: number; target: number; line: number }>;
  env: Record<string, string>;
  command: string[];
}

export interface DockerHealthcheck {
  loc: Loc;
  form: 'exec' | 'shell' | 'none';
  argv: string[];
  /** Raw command text (shell form). */
  text: string;
}

export interface Dockerfile {
  path: string;
  /** The final stage's base image as written (`node:20-alpine`), or the stage it builds on. */
  baseImage?: string;
  baseLine?: number;
  /** What the final stage's FROM names (an image or an earlier stage). */
  finalFrom?: string;
  /** HEALTHCHECK instructions of the final stage (only the last applies). */
  healthchecks: DockerHealthcheck[];
  /** HEALTHCHECKs written in stages the final image does not build on: Docker drops them silently. */
  droppedHealthchecks?: Array<{ loc: Loc; stage: string }>;
  /** Tools installed in the final stage (`curl`, `wget`) by apk/apt/yum, or copied in. */
  installs: string[];
  /** CMD / ENTRYPOINT of the final stage as argv (shell form split on blanks). */
  cmd: string[];
  entrypoint: string[];
  /** Line of the final CMD (or ENTRYPOINT when there is no CMD). */
  cmdLine?: number;
  env: Record<string, string>;
  expose: number[];
}

/** A probe-like check of any format, resolved to what it asks of the code. */
export interface Check {
  /** Where it is written. */
  loc: Loc;
  source: 'kubernetes' | 'compose' | 'dockerfile';
  kind: ProbeKind | 'healthcheck';
  type: 'http' | 'tcp' | 'exec' | 'grpc' | 'unknown';
  path?: string;
  port?: number;
  /** The port name or number as written, for messages. */
  portText?: string;
  /** Line of the port, when it is not `loc.line`. */
  portLine?: number;
}

/** Where a deployment unit's code lives, and how sure we are. */
export interface Mapping {
  /** Code service root; undefined when no service could be matched with confidence. */
  root?: string;
  /** Why: `path`, `build context`, `image name`, `container name`, `only service`. */
  reason?: string;
}

/** The whole model of one snapshot. */
export interface HealthModel {
  services: CodeService[];
  workloads: Workload[];
  kubeServices: KubeService[];
  publicBackends: PublicBackend[];
  compose: ComposeService[];
  dockerfiles: Dockerfile[];
  /** `workload path#name/container` → code service mapping. */
  containerMap: Record<string, Mapping>;
  /** Compose `path#service` → mapping. */
  composeMap: Record<string, Mapping>;
  /** Dockerfile path → code service root (by location). */
  dockerfileMap: Record<string, string>;
}

/** Key of a container in `containerMap`. */
export function containerKey(w: Workload, c: Container): string {
  return `${w.path}#${w.kind}/${w.name}/${c.name}`;
}

/** Key of a compose service in `composeMap`. */
export function composeKey(s: ComposeService): string {
  return `${s.path}#${s.name}`;
}
