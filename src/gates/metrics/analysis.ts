/**
 * What the rules share: the changed files of the side being judged, the metric index, and the
 * registry-conflict analysis (which registration collides with which, by each library's own rules),
 * computed once per index.
 */
import type { RelatedLocation, RuleContext } from '../../core/types.js';
import type {
  IndexedDefaultMetrics,
  IndexedMetric,
  IndexedRegistration,
  Library,
  Loc,
  MetricIndex,
  RegistryRef,
  Scope,
} from './model.js';
import {
  GO_BUILTIN_NAMES,
  LIBRARY_ERRORS,
  PROM_CLIENT_DEFAULT_METRICS,
  PYTHON_BUILTIN_NAMES,
  pythonReservedNames,
} from './semantics.js';
import { dirOf } from '../../lang/program/paths.js';
import { metricIndex } from './metric-index.js';

/** The metric index of the side being judged. */
export function metricIndexOf(ctx: RuleContext): MetricIndex {
  return ctx.index(metricIndex);
}

/** Paths of this side that the pull request adds or modifies (base side: their base paths). */
export function changedPaths(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  for (const c of ctx.changes) {
    if (ctx.side === 'head') {
      if (c.status !== 'removed') out.add(c.path);
    } else if (c.status !== 'added') out.add(c.previousPath ?? c.path);
  }
  return out;
}

/** Whether the pull request added or changed lines of `loc` (base side: removed or changed them). */
export function touched(ctx: RuleContext, loc: Loc): boolean {
  for (const c of ctx.changes) {
    const path = ctx.side === 'head' ? c.path : (c.previousPath ?? c.path);
    if (path !== loc.path) continue;
    const lines = ctx.side === 'head' ? c.addedLines : c.removedLines;
    return lines.some((l) => l >= loc.line && l <= loc.endLine);
  }
  return false;
}

/**
 * Of two locations that belong to one problem, whether to report at `a` (else at `b`): the one in a
 * changed file; of two, the one whose lines the PR touched; of two again, the later one (the one that
 * runs second within a file). Deterministic, so base and head agree on unchanged pairs.
 */
export function reportHere(ctx: RuleContext, changed: Set<string>, a: Loc, b: Loc): boolean {
  if (!changed.has(a.path)) return false;
  if (!changed.has(b.path)) return true;
  const ta = touched(ctx, a);
  const tb = touched(ctx, b);
  if (ta !== tb) return ta;
  return a.path > b.path || (a.path === b.path && a.line > b.line);
}

/** "src/metrics.ts:3" */
export function at(loc: Loc): string {
  return `${loc.path}:${loc.line}`;
}

export function related(loc: Loc, message: string): RelatedLocation {
  return { path: loc.path, line: loc.line, message };
}

export function libraryName(library: Library): string {
  switch (library) {
    case 'prom-client':
      return 'prom-client';
    case 'prometheus_client':
      return 'prometheus_client';
    case 'client_golang':
      return 'client_golang';
    case 'opentelemetry':
      return 'OpenTelemetry';
  }
}

/** "the default registry" / "registry `metricsRegistry`". */
export function registryLabel(ref: RegistryRef): string {
  switch (ref.kind) {
    case 'default':
      return 'the default registry';
    case 'known':
      return `registry \`${ref.label}\``;
    case 'none':
      return 'no registry';
    case 'unknown':
      return `registry \`${ref.label}\``;
  }
}

/** One metric object entering one registry, by construction or by an explicit register call. */
export interface Entry {
  def: IndexedMetric;
  registry: RegistryRef;
  /** Identity of the registry within a service. */
  registryKey: string;
  loc: Loc;
  via: 'constructor' | 'explicit';
  registration?: IndexedRegistration;
  scope: Scope;
  /** Go `package main` directory: metrics of two different binaries never share a process. */
  mainDir?: string;
}

/** What an entry collides with. */
export type Other =
  | { kind: 'entry'; entry: Entry }
  | { kind: 'default-metrics'; call: IndexedDefaultMetrics; name: string }
  | { kind: 'builtin'; what: string; name: string };

export interface Conflict {
  /**
   * `duplicate`: two objects, one name. `same-object`: one object registered twice where the library
   * rejects that (Python, Go). `redundant`: one object registered twice where the library ignores it
   * (prom-client). `suffix`: Python names that differ but reserve a common sample name.
   */
  kind: 'duplicate' | 'same-object' | 'redundant' | 'suffix';
  entry: Entry;
  other: Other;
  /** The colliding name(s). */
  names: string[];
}

function registryKey(ref: RegistryRef, def: IndexedMetric): string | undefined {
  if (ref.kind === 'default') return `default:${def.library}`;
  if (ref.kind === 'known') return ref.key;
  return undefined;
}

/** Guards that make a second registration harmless (the error is caught or the existing metric reused). */
function absorbsDuplicate(scope: Scope): boolean {
  return scope.guard === 'try' || scope.guard === 'get-single-metric';
}

/** Every registration of a statically named Prometheus metric into a known registry. */
export function entriesOf(index: MetricIndex): Entry[] {
  const out: Entry[] = [];
  for (const def of index.metrics) {
    if (
      (def.library === 'opentelemetry' && !def.facade?.raises) ||
      def.fullName === undefined ||
      absorbsDuplicate(def.scope)
    )
      continue;
    for (const ref of def.resolvedRegistries) {
      const key = registryKey(ref, def);
      if (!key) continue;
      // `registers: [r, r]` gives two entries of one object: a no-op in prom-client, reported as redundant.
      out.push({
        def,
        registry: ref,
        registryKey: key,
        loc: def.loc,
        via: 'constructor',
        scope: def.scope,
        ...(def.goMain ? { mainDir: dirOf(def.loc.path) } : {}),
      });
    }
  }
  for (const reg of index.registrations) {
    if (!reg.defId || reg.builtin || !reg.fatal || absorbsDuplicate(reg.scope)) continue;
    const def = index.byId.get(reg.defId);
    if (!def || def.fullName === undefined || def.library === 'opentelemetry') continue;
    const key = registryKey(reg.registry, def);
    if (!key) continue;
    out.push({
      def,
      registry: reg.registry,
      registryKey: key,
      loc: reg.loc,
      via: 'explicit',
      registration: reg,
      scope: reg.scope,
      ...(def.goMain ? { mainDir: dirOf(def.loc.path) } : {}),
    });
  }
  return out;
}

function sameProcess(a: Entry, b: Entry): boolean {
  if (a.def.service !== b.def.service) return false;
  return a.mainDir === undefined || b.mainDir === undefined || a.mainDir === b.mainDir;
}

/** Go: same name with different constant label values is allowed (distinct descriptor ids). */
function goConstLabelsDiffer(a: IndexedMetric, b: IndexedMetric): boolean {
  if (a.library !== 'client_golang') return false;
  if (a.constLabels === undefined && b.constLabels === undefined) return false;
  if (a.constLabels === 'dynamic' || b.constLabels === 'dynamic') return true;
  return a.constLabels !== b.constLabels;
}

function reservedNames(def: IndexedMetric): string[] {
  return def.library === 'prometheus_client' ? pythonReservedNames(def.type, def.fullName!) : [def.fullName!];
}

const cache = new WeakMap<MetricIndex, Conflict[]>();

/** Every registry conflict in the index, each unordered pair reported from both sides. Memoised. */
export function conflictsOf(index: MetricIndex): Conflict[] {
  const cached = cache.get(index);
  if (cached) return cached;
  const out: Conflict[] = [];
  const entries = entriesOf(index);
  const position = new Map(entries.map((e, i) => [e, i]));
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const key = `${e.def.service}\u0000${e.registryKey}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  for (const group of groups.values()) {
    const byName = new Map<string, Entry[]>();
    for (const e of group) {
      for (const n of reservedNames(e.def)) {
        const list = byName.get(n) ?? [];
        if (!list.includes(e)) list.push(e);
        byName.set(n, list);
      }
    }
    const pairs = new Map<string, { a: Entry; b: Entry; names: Set<string> }>();
    for (const [name, list] of byName) {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!;
          const b = list[j]!;
          if (!sameProcess(a, b)) continue;
          const id = `${position.get(a)}:${position.get(b)}`;
          const p = pairs.get(id) ?? { a, b, names: new Set<string>() };
          p.names.add(name);
          pairs.set(id, p);
        }
      }
    }
    for (const { a, b, names } of pairs.values()) {
      const kind = pairKind(a, b);
      if (!kind || clearedBetween(index, a, b, names)) continue;
      const list = [...names].sort();
      out.push({ kind, entry: a, other: { kind: 'entry', entry: b }, names: list });
      out.push({ kind, entry: b, other: { kind: 'entry', entry: a }, names: list });
    }
  }
  // Names the libraries register themselves.
  for (const e of entries) {
    if (e.def.library === 'prometheus_client' && e.registry.kind === 'default') {
      const builtin = Object.entries(PYTHON_BUILTIN_NAMES).flatMap(([collector, names]) =>
        names.map((n) => [collector, n] as const),
      );
      const reserved = new Set(reservedNames(e.def));
      const hit = builtin.find(([, n]) => reserved.has(n));
      if (hit)
        out.push({
          kind: 'duplicate',
          entry: e,
          other: { kind: 'builtin', what: `prometheus_client's built-in ${hit[0]} collector`, name: hit[1] },
          names: [hit[1]],
        });
    }
    if (e.def.library === 'client_golang' && e.registry.kind === 'default') {
      for (const [collector, names] of Object.entries(GO_BUILTIN_NAMES)) {
        if (names.includes(e.def.fullName!)) {
          out.push({
            kind: 'duplicate',
            entry: e,
            other: {
              kind: 'builtin',
              what: `the ${collector} collector that client_golang's default registry starts with`,
              name: e.def.fullName!,
            },
            names: [e.def.fullName!],
          });
        }
      }
    }
  }
  for (const call of index.defaultMetrics) {
    if (call.prefix === undefined || absorbsDuplicate(call.scope)) continue;
    const names = new Set(PROM_CLIENT_DEFAULT_METRICS.map((n) => call.prefix + n));
    for (const e of entries) {
      if (e.def.library !== 'prom-client' || e.def.service !== call.service || !names.has(e.def.fullName!)) continue;
      if (!sameRegistry(call.registry, e.registry)) continue;
      out.push({
        kind: 'duplicate',
        entry: e,
        other: { kind: 'default-metrics', call, name: e.def.fullName! },
        names: [e.def.fullName!],
      });
    }
  }
  cache.set(index, out);
  return out;
}

/**
 * True when, in one file and one scope, the registry is cleared (or the name removed, or the first
 * object unregistered) between the two registrations: then the second one does not throw.
 * metrics/registry-cleared reports that pattern instead.
 */
function clearedBetween(index: MetricIndex, a: Entry, b: Entry, names: Set<string>): boolean {
  if (a.loc.path !== b.loc.path || a.scope.kind !== b.scope.kind || a.scope.fnKey !== b.scope.fnKey) return false;
  const [first, second] = a.loc.line <= b.loc.line ? [a, b] : [b, a];
  return index.clears.some((c) => {
    if (c.loc.path !== first.loc.path || c.loc.line <= first.loc.line || c.loc.line >= second.loc.line) return false;
    if (
      c.scope.kind !== first.scope.kind ||
      c.scope.fnKey !== first.scope.fnKey ||
      !sameRegistry(c.registry, first.registry)
    )
      return false;
    if (c.op === 'clear') return true;
    if (c.op === 'remove') return c.name !== undefined && names.has(c.name);
    return c.defId === first.def.id;
  });
}

export function sameRegistry(a: RegistryRef, b: RegistryRef): boolean {
  if (a.kind === 'default' && b.kind === 'default') return true;
  return a.kind === 'known' && b.kind === 'known' && a.key === b.key;
}

function pairKind(a: Entry, b: Entry): Conflict['kind'] | undefined {
  if (a.def.library !== b.def.library) return undefined;
  if (a.def.id === b.def.id) {
    if (a.def.library === 'prom-client') return 'redundant';
    // Python raises for the same collector twice; Go panics in MustRegister (AlreadyRegisteredError).
    return 'same-object';
  }
  if (a.def.library === 'client_golang' && goConstLabelsDiffer(a.def, b.def)) return undefined;
  if (a.def.fullName === b.def.fullName) return 'duplicate';
  return a.def.library === 'prometheus_client' ? 'suffix' : undefined;
}

/**
 * When the crash happens, for a registration in `scope` whose name `other` (if any) registered already:
 * per-request code that collides with a start-up registration fails on the very first request.
 */
export function moment(scope: Scope, other?: Scope): string {
  if (scope.hot) {
    return other && other.kind === 'module' && !other.hot
      ? `on the first request that runs ${scope.hot.detail}`
      : `on the first request or call that runs it again (${scope.hot.detail})`;
  }
  if (scope.kind === 'module') {
    if (other?.hot) return `as soon as ${other.hot.detail} runs`;
    return 'at start-up, as soon as both definitions are loaded';
  }
  return `when ${scope.fnName ?? 'the enclosing function'} runs`;
}

/** The library's own error for a duplicate. */
export function libraryError(library: Library, name: string): string {
  switch (library) {
    case 'prom-client':
      return `prom-client throws "${LIBRARY_ERRORS.promClientDuplicate(name)}"`;
    case 'prometheus_client':
      return `prometheus_client raises ValueError("${LIBRARY_ERRORS.pythonDuplicate}: {'${name}'…}")`;
    case 'client_golang':
      return 'client_golang refuses the registration and MustRegister/promauto panic';
    case 'opentelemetry':
      return 'the OpenTelemetry SDK logs a duplicate-instrument warning';
  }
}

/** Where the other side of a conflict is, for messages and `related`. */
export function describeOther(other: Other): { text: string; loc?: Loc } {
  switch (other.kind) {
    case 'entry': {
      const e = other.entry;
      const how = e.via === 'explicit' ? `registered by \`${e.registration?.call ?? 'a register call'}\`` : `defined`;
      return { text: `the ${e.def.type} ${how} at ${at(e.loc)}`, loc: e.loc };
    }
    case 'default-metrics':
      return {
        text: `collectDefaultMetrics() at ${at(other.call.loc)}, which registers "${other.name}"`,
        loc: other.call.loc,
      };
    case 'builtin':
      return { text: other.what };
  }
}
