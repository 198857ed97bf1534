/**
 * The metric index's vocabulary: what one file's extractor records (metric definitions, registrations,
 * registries, default-metric calls, clears, merges, label uses, calls) and what the index resolves
 * across files. Everything is plain data — no tree-sitter nodes — so it outlives the parse trees.
 */

/** The instrumentation library a definition belongs to. */
export type Library = 'prom-client' | 'prometheus_client' | 'client_golang' | 'opentelemetry';

export type SourceLang = 'js' | 'python' | 'go';

/** Prometheus metric types (Python `Info` and `Enum` are their own types: they reserve different names). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'enum' | 'untyped';

/** OpenTelemetry instrument kinds. */
export type OtelKind =
  | 'counter'
  | 'up-down-counter'
  | 'histogram'
  | 'gauge'
  | 'observable-counter'
  | 'observable-up-down-counter'
  | 'observable-gauge';

/** A location in one snapshot. Lines are 1-based. */
export interface Loc {
  path: string;
  line: number;
  endLine: number;
}

/**
 * One piece of a string expression before cross-file resolution: literal text, a constant imported from
 * another module (resolved by the index), data only known at runtime, or something we cannot follow.
 */
export type StrPart =
  | { kind: 'text'; value: string }
  | { kind: 'import'; module: string; name: string }
  | { kind: 'runtime'; text: string; origin: RuntimeOrigin }
  | { kind: 'unknown'; text: string };

/**
 * Where runtime data comes from: the request being served, a variable named like an entity id
 * (`customerId`), a plain function parameter, or a loop variable.
 */
export type RuntimeOrigin = 'request' | 'entity' | 'param' | 'loop';

/** A metric name after resolution. `runtime`: built from request/loop/parameter data (a new name per value). */
export type ResolvedName =
  | { kind: 'static'; value: string }
  | { kind: 'runtime'; text: string; origins: RuntimeOrigin[]; sources: string[] }
  | { kind: 'unknown'; text: string };

/**
 * Which registry an expression denotes, before resolution. `local` keys are unique per declaration;
 * `perCall` marks a registry created inside the same function call as its metrics (a throw-away
 * registry: legitimate per request).
 */
export type RegistryExpr =
  | { kind: 'default' }
  | { kind: 'none' }
  | { kind: 'local'; key: string; label: string; perCall: boolean }
  | { kind: 'import'; module: string; name: string; label: string }
  | { kind: 'unknown'; label: string };

/** A registry after resolution: a stable key (the same object everywhere), or unknown. */
export type RegistryRef =
  | { kind: 'default' }
  | { kind: 'none' }
  | { kind: 'known'; key: string; label: string; perCall: boolean }
  | { kind: 'unknown'; label: string };

/** An expression that denotes a metric object (the argument of `registerMetric`/`register`/`MustRegister`). */
export type ObjectExpr =
  | { kind: 'local'; key: string; label: string }
  | { kind: 'import'; module: string; name: string; label: string }
  | { kind: 'inline'; defId: string; label: string }
  | { kind: 'unknown'; label: string };

/** Why a function runs per request / per call. */
export type HotReason =
  | 'route-handler'
  | 'middleware'
  | 'controller-method'
  | 'request-scoped-provider'
  | 'view'
  | 'task'
  | 'lambda-handler'
  | 'go-handler'
  | 'loop'
  | 'called-from-hot'
  | 'called-repeatedly';

/** How a construction or call is protected against running twice. */
export type Guard = 'try' | 'get-single-metric' | 'singleton' | 'cache-decorator' | 'once';

/** Where a statement runs: once at module load, or inside a function. */
export interface Scope {
  kind: 'module' | 'function';
  /** The function's key (path#line:name), for call-graph lookups. */
  fnKey?: string;
  /** The function's display name, e.g. `ordersRouter.post('/') handler`, `OrderService.constructor`. */
  fnName?: string;
  fnLine?: number;
  /** Set when the enclosing code is known to run per request / per call. */
  hot?: { reason: HotReason; detail: string; via?: Loc };
  /** Inside a loop (within the function, or at module level). */
  inLoop: boolean;
  guard?: Guard;
}

/** One metric construction (or OTel instrument creation). */
export interface MetricDef {
  id: string;
  library: Library;
  lang: SourceLang;
  /** The constructor as written: `new client.Counter`, `promauto.NewCounterVec`, `Histogram`. */
  ctor: string;
  type: MetricType;
  otelKind?: OtelKind;
  /** Name pieces as written; Python/Go namespace and subsystem are folded in by the extractor. */
  nameParts: StrPart[];
  /** Python `unit=` (appended to the name by the library). */
  unit?: StrPart[];
  /** The source text of the name expression, for messages. */
  nameText: string;
  /** Declared label names; undefined when they are not statically known. */
  labels?: string[];
  /** Go ConstLabels written as a literal map (key=value pairs, sorted), or 'dynamic'. */
  constLabels?: string | 'dynamic';
  /** Help text: undefined = not given; '' = given but empty; null = given but not a literal. */
  help?: string | null;
  /** Where the constructor registers the metric (prom-client `registers`, Python `registry=`, promauto). */
  registries: RegistryExpr[];
  /** The binding the new object is stored in, for registration lookups. */
  binding?: string;
  loc: Loc;
  scope: Scope;
  /** OTel: the meter's identity (name + version) or undefined when unknown. */
  meter?: string;
  /** Go: the file is in `package main`. */
  goMain?: boolean;
  /**
   * Made through a repository's own wrapper (`meter.create_metric(name, type=…)`): its key, how it reads,
   * and whether it raises on a name it already holds (then a duplicate crashes, as a registry would).
   */
  facade?: { key: string; display: string; raises: boolean };
}

/** An explicit registration: `registry.registerMetric(m)`, `REGISTRY.register(m)`, `reg.MustRegister(m…)`. */
export interface Registration {
  library: Library;
  registry: RegistryExpr;
  target: ObjectExpr;
  /** The call as written, for messages. */
  call: string;
  /** Go `Register` (error returned) vs `MustRegister` (panics). */
  fatal: boolean;
  /** Registers one of the library's built-in collectors (Go collectors.NewGoCollector(), Python ProcessCollector()). */
  builtin?: 'go' | 'process' | 'platform' | 'gc' | 'build-info';
  loc: Loc;
  scope: Scope;
}

/** A registry object created in code: `new Registry()`, `CollectorRegistry()`, `prometheus.NewRegistry()`. */
export interface RegistryDecl {
  library: Library;
  key: string;
  label: string;
  openMetrics: boolean;
  loc: Loc;
  scope: Scope;
}

/** `collectDefaultMetrics({ register, prefix })`. */
export interface DefaultMetricsCall {
  registry: RegistryExpr;
  /** Static prefix, or undefined when it is not a literal. */
  prefix: StrPart[];
  loc: Loc;
  scope: Scope;
}

/** `register.clear()`, `register.removeSingleMetric(n)`, `REGISTRY.unregister(c)`, `prometheus.Unregister(c)`. */
export interface ClearCall {
  library: Library;
  op: 'clear' | 'remove' | 'unregister';
  registry: RegistryExpr;
  /** removeSingleMetric's name argument. */
  nameParts?: StrPart[];
  target?: ObjectExpr;
  call: string;
  loc: Loc;
  scope: Scope;
}

/** `Registry.merge([a, b, …])`. */
export interface MergeCall {
  registries: RegistryExpr[];
  loc: Loc;
  scope: Scope;
}

/** A label value passed when recording (every one, so a label is only cleared when all its values are bounded): `m.inc({ route: req.url })`, `m.labels(request.path)`. */
export interface LabelUse {
  target: ObjectExpr;
  /** The label name when written (object key / keyword), else the position. */
  label?: string;
  position?: number;
  /** The source text of the value. */
  valueText: string;
  /** Why the value is unbounded; '' when it is bounded or we cannot tell. */
  source: string;
  /** The value comes straight from the request being served (the evidence a blocker needs). */
  request?: boolean;
  /** The value is drawn from a fixed set (literals, an enum, a literal-union type, a constant). */
  bounded?: boolean;
  loc: Loc;
}

/** Code that makes a module evaluate again: `importlib.reload(m)`, `delete require.cache[require.resolve('./m')]`. */
export interface ModuleReload {
  /** The repository path of the module evaluated again. */
  module: string;
  call: string;
  loc: Loc;
  scope: Scope;
}

/** A call of a function or class declared somewhere in the repository (for the per-call analysis). */
export interface CallSite {
  callee:
    | { kind: 'local'; key: string }
    | { kind: 'import'; module: string; name: string }
    | { kind: 'package'; dir: string; name: string };
  display: string;
  loc: Loc;
  scope: Scope;
}

/** A function or class (constructor) declared in a file. */
export interface FunctionDecl {
  key: string;
  name: string;
  /** Exported under these names (JS/Python module level; Go capitalised). */
  exported: string[];
  /** 'class' when the key denotes a class (calling it = `new C()`). */
  kind: 'function' | 'class';
  loc: Loc;
  scope: Scope;
}

/**
 * A repository's own one-level wrapper over a metric constructor: a module-level function that passes one
 * of its parameters straight to `new Counter(options)` (`createCounter(options)`). Its callers' literal
 * options are the real definitions.
 */
export interface FacadeDecl {
  /** The function's key (`path#name`), as call sites resolve to. */
  fnKey: string;
  /** Which parameter carries the options. */
  paramIndex: number;
  library: Library;
  type: MetricType;
  /** A class method facade (Python `Meter.create_metric`): callers reach it as `<object>.<method>(…)`. */
  method?: string;
  /** The caller's `type=`/`kind=` argument picks the instrument (the facade dispatches on it). */
  typeFromCall?: boolean;
  /** The facade raises on its own (a duplicate name check). */
  raises?: boolean;
  /** How the facade reads in messages: `Meter.create_metric()`. */
  display?: string;
  /** A prometheus_client facade constructing without `registry=`: its metrics enter the default REGISTRY. */
  defaultRegistry?: boolean;
}

/** A call with a literal options object (`createCounter({ name, help, labelNames })`), a definition if the callee is a facade. */
export interface FacadeCall {
  /** `method`: a call `<object>.<name>(…)` on an object we cannot type (a facade instance imported from `module`). */
  callee: CallSite['callee'] | { kind: 'method'; name: string; module?: string };
  /** The definition the call makes if its callee is a facade; library and type come from the facade. */
  def: MetricDef;
  argIndex: number;
}

/** What a file exports that other files may import: constants, registries, metric objects, functions. */
export interface FileExports {
  /** Exported name → string constant parts. */
  constants: Record<string, StrPart[]>;
  /** Exported name → registry expression. */
  registries: Record<string, RegistryExpr>;
  /** Exported name → local binding key of a metric/registry object. */
  bindings: Record<string, string>;
  /** Exported name → function/class key. */
  functions: Record<string, string>;
  /** Re-exports: exported name → another module's name (`export { x } from './y'`, `export * from`). */
  reexports: Array<{ module: string; name: string; as: string }>;
}

/** Everything one file contributes to the index. */
export interface FileFacts {
  path: string;
  lang: SourceLang;
  /** Resolved relative imports: specifier → repository path (only for modules that exist). */
  modules: Record<string, string>;
  metrics: MetricDef[];
  registrations: Registration[];
  registries: RegistryDecl[];
  defaultMetrics: DefaultMetricsCall[];
  clears: ClearCall[];
  merges: MergeCall[];
  labelUses: LabelUse[];
  reloads: ModuleReload[];
  calls: CallSite[];
  functions: FunctionDecl[];
  /** One-level facades this file declares, and calls that become definitions if their callee is one. */
  facades: FacadeDecl[];
  facadeCalls: FacadeCall[];
  exports: FileExports;
  /** Go: the package directory and whether it is `package main`. */
  goPackage?: { dir: string; main: boolean };
  /** Package-level Go constants (visible to the whole package directory). */
  goConstants?: Record<string, StrPart[]>;
}

/** The facts of a file before its extractor has found anything. */
export function emptyFileFacts(path: string, lang: SourceLang): FileFacts {
  return {
    path,
    lang,
    modules: {},
    metrics: [],
    registrations: [],
    registries: [],
    defaultMetrics: [],
    clears: [],
    merges: [],
    labelUses: [],
    reloads: [],
    calls: [],
    functions: [],
    facades: [],
    facadeCalls: [],
    exports: { constants: {}, registries: {}, bindings: {}, functions: {}, reexports: [] },
  };
}

/** A resolved metric definition as the rules see it. */
export interface IndexedMetric extends MetricDef {
  name: ResolvedName;
  /** The name the library registers (Python: namespace/subsystem joined, `_total` stripped, unit appended). */
  fullName?: string;
  resolvedRegistries: RegistryRef[];
  service: string;
  serviceName: string;
}

export interface IndexedRegistration extends Omit<Registration, 'registry' | 'target'> {
  registry: RegistryRef;
  /** The metric definition the target resolves to, if found. */
  defId?: string;
  targetLabel: string;
  service: string;
}

export interface IndexedDefaultMetrics extends Omit<DefaultMetricsCall, 'registry' | 'prefix'> {
  registry: RegistryRef;
  /** undefined when the prefix is not static. */
  prefix?: string;
  service: string;
}

export interface IndexedClear extends Omit<ClearCall, 'registry' | 'nameParts' | 'target'> {
  registry: RegistryRef;
  name?: string;
  defId?: string;
  service: string;
}

export interface IndexedMerge extends Omit<MergeCall, 'registries'> {
  registries: RegistryRef[];
  service: string;
}

export interface IndexedLabelUse extends Omit<LabelUse, 'target'> {
  defId?: string;
  service: string;
}

export interface IndexedRegistry extends RegistryDecl {
  service: string;
}

/** The metric index of one snapshot. */
export interface MetricIndex {
  metrics: IndexedMetric[];
  registrations: IndexedRegistration[];
  registries: IndexedRegistry[];
  defaultMetrics: IndexedDefaultMetrics[];
  clears: IndexedClear[];
  merges: IndexedMerge[];
  labelUses: IndexedLabelUse[];
  reloads: ModuleReload[];
  /** Files that were analysed. */
  files: string[];
  byId: Map<string, IndexedMetric>;
}
