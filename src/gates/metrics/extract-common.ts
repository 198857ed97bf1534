/**
 * What the three metric extractors (JS/TS, Python, Go) share once each has read its own syntax: how the
 * functions around a node make up its scope, how a label value is recorded, and how an OpenTelemetry
 * instrument becomes a metric definition.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import type { ModuleLookup } from '../../lang/program/modules.js';
import type { SourceFile } from '../../lang/source-file.js';
import { endLineOf, lineOf, stringValue } from '../../lang/ts-helpers.js';
import { emptyFileFacts } from './model.js';
import type {
  FileFacts,
  Guard,
  HotReason,
  LabelUse,
  Loc,
  MetricDef,
  ObjectExpr,
  OtelKind,
  Scope,
  SourceLang,
  StrPart,
} from './model.js';
import { judgeValue, type ValueScope } from './values.js';

/** What an extractor knows of one function (or field initialiser) around the code it extracts. */
export interface FnInfo {
  key: string;
  name: string;
  line: number;
  /** Runs per request, per job, per call of a hot function… */
  hot?: { reason: HotReason; detail: string };
  /** Runs as part of the enclosing code (IIFE, iteration callback, Go `init`): look further out. */
  transparent?: boolean;
  /** A transparent function that runs once per item (an iteration callback). */
  loop?: boolean;
  guard?: Guard;
}

/** What one language says about the ancestors of a node while the node's scope is worked out. */
export interface ScopeRules {
  /** Whether `n` runs `child` repeatedly: a loop's body, a comprehension. */
  loops(n: TSNode, child: TSNode): boolean;
  /** A guard `n` puts around `child` (a `try`, a singleton check), if any. */
  guardAt(n: TSNode, child: TSNode): Guard | undefined;
  /** The function `n` is, when the code in `child` runs as part of one. */
  functionAt(n: TSNode, child: TSNode): FnInfo | undefined;
}

/**
 * Where `node` runs: its innermost (non-transparent) function, whether it is in a loop or behind a guard
 * there, and the nearest enclosing function that runs hot (its reason is the scope's).
 */
export function scopeOf(node: TSNode, rules: ScopeRules): Scope {
  let inLoop = false;
  let guard: Guard | undefined;
  let child = node;
  let innermost: FnInfo | undefined;
  let hot: FnInfo['hot'];
  for (let n: TSNode | null = node.parent; n; child = n, n = n.parent) {
    if (!innermost) {
      if (rules.loops(n, child)) inLoop = true;
      guard ??= rules.guardAt(n, child);
    }
    const info = rules.functionAt(n, child);
    if (!info) continue;
    if (info.transparent) {
      if (info.loop && !innermost) inLoop = true;
      if (info.guard && !innermost) guard ??= info.guard;
      continue;
    }
    if (!innermost) {
      innermost = info;
      if (info.guard) guard ??= info.guard;
    }
    if (info.hot) {
      hot = info.hot;
      break;
    }
  }
  if (!innermost) return { kind: 'module', inLoop, ...(guard ? { guard } : {}) };
  return {
    kind: 'function',
    fnKey: innermost.key,
    fnName: innermost.name,
    fnLine: innermost.line,
    ...(hot ? { hot } : {}),
    inLoop,
    ...(guard ? { guard } : {}),
  };
}

/**
 * One value given for a label, judged. Values that cannot be judged are recorded too: a label is only
 * cleared when every value is bounded.
 */
export function labelUse(
  target: ObjectExpr,
  key: { label: string } | { position: number },
  value: TSNode,
  scope: ValueScope,
  loc: Loc,
): LabelUse {
  const v = judgeValue(value, scope);
  return {
    target,
    ...key,
    valueText: value.text,
    source: v?.kind === 'unbounded' ? v.source : '',
    ...(v?.kind === 'unbounded' && v.request ? { request: true } : {}),
    ...(v?.kind === 'bounded' ? { bounded: true } : {}),
    loc,
  };
}

/** What an OTel instrument's creation says, as each extractor reads it. */
export interface OtelInstrument {
  id: string;
  lang: SourceLang;
  /** The creating call as written: `meter.createCounter`. */
  ctor: string;
  kind: OtelKind;
  nameNode: TSNode | undefined;
  /** The name's pieces (the extractor's own string reading of `nameNode`). */
  nameParts: StrPart[] | undefined;
  unit?: StrPart[] | undefined;
  help?: string | null | undefined;
  binding?: string | undefined;
  loc: Loc;
  scope: Scope;
  meter: string;
}

/** The metric definition an OpenTelemetry instrument stands for (up-down counters and gauges are gauges). */
export function otelMetric(i: OtelInstrument): MetricDef {
  return {
    id: i.id,
    library: 'opentelemetry',
    lang: i.lang,
    ctor: i.ctor,
    type:
      i.kind === 'histogram'
        ? 'histogram'
        : i.kind.includes('gauge') || i.kind.includes('up-down')
          ? 'gauge'
          : 'counter',
    otelKind: i.kind,
    nameParts: i.nameParts ?? [{ kind: 'unknown', text: '' }],
    nameText: i.nameNode?.text ?? '',
    ...(i.unit ? { unit: i.unit } : {}),
    ...(i.help !== undefined ? { help: i.help } : {}),
    registries: [],
    ...(i.binding ? { binding: i.binding } : {}),
    loc: i.loc,
    scope: i.scope,
    meter: i.meter,
  };
}

/**
 * The bookkeeping every per-language extractor keeps for one file: its tree and facts, what it knows of
 * each function (computed once), the definitions it found by node, and where a node runs.
 */
export abstract class FileExtractor {
  protected readonly root: TSNode;
  protected readonly facts: FileFacts;
  /** Metric definitions by the id of their construction node, so registrations can point at them. */
  protected readonly defByNode = new Map<number, string>();
  private readonly fnCache = new Map<number, FnInfo>();
  /** The language's loops, guards and functions, for {@link scopeOf}. */
  protected abstract readonly scopeRules: ScopeRules;

  constructor(
    protected readonly file: SourceFile,
    protected readonly resolver: ModuleLookup,
    lang: SourceLang,
  ) {
    this.root = file.tree()!.rootNode;
    this.facts = emptyFileFacts(file.path, lang);
  }

  /** What the extractor knows of a function: computed once per function. */
  protected fnInfo(fn: TSNode): FnInfo {
    const cached = this.fnCache.get(fn.id);
    if (cached) return cached;
    const info = this.computeFnInfo(fn);
    this.fnCache.set(fn.id, info);
    return info;
  }

  protected abstract computeFnInfo(fn: TSNode): FnInfo;

  /** Where `node` runs (see {@link scopeOf}). */
  scopeOf(node: TSNode): Scope {
    return scopeOf(node, this.scopeRules);
  }

  protected loc(node: TSNode): Loc {
    return { path: this.file.path, line: lineOf(node), endLine: endLineOf(node) };
  }

  /** A string expression as parts, as this language reads it (constants, concatenation, formatting). */
  protected abstract str(node: TSNode | null | undefined, depth?: number): StrPart[];

  /**
   * Records the OpenTelemetry instrument the call `c` creates (`meter.createCounter(name, { unit,
   * description })`, `meter.create_counter(name, unit, description)`), given the argument nodes.
   */
  protected addOtelMetric(
    c: TSNode,
    instrument: { ctor: string; kind: OtelKind; meter: string; binding: string | undefined },
    args: { name: TSNode | undefined; unit: TSNode | undefined; description: TSNode | undefined },
  ): void {
    this.facts.metrics.push(
      otelMetric({
        ...instrument,
        id: `${this.file.path}:${lineOf(c)}:${c.startPosition.column}`,
        lang: this.facts.lang,
        nameNode: args.name,
        nameParts: args.name ? this.str(args.name) : undefined,
        unit: args.unit ? this.str(args.unit) : undefined,
        help: args.description ? (stringValue(args.description) ?? null) : undefined,
        loc: this.loc(c),
        scope: this.scopeOf(c),
      }),
    );
  }
}
