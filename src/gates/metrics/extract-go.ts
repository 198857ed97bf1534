/**
 * Extracts metric facts from one Go file: client_golang metrics (`prometheus.New*`, `promauto.New*`,
 * `promauto.With(reg).New*`), registries (`NewRegistry`, `NewPedanticRegistry`), `MustRegister`/`Register`
 * (including the built-in Go and process collectors), `Unregister`, label values, OpenTelemetry
 * instruments, and calls/functions for the per-call analysis. Package-level names are keyed by the
 * package directory: every file of a Go package shares them.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import type { SourceFile } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  importsOf,
  lineOf,
  objectProps,
  positionalArgs,
  stringValue,
  templateParts,
  walk,
} from '../../lang/ts-helpers.js';
import { GO_HANDLER_PARAM_TYPES, GO_ROUTE_METHODS, goRouteCall } from '../../lang/program/routes.js';
import { FileExtractor, labelUse, otelMetric, type FnInfo, type ScopeRules } from './extract-common.js';
import { isEntityLike } from './labels.js';
import type { CallSite, FileFacts, MetricType, ObjectExpr, OtelKind, RegistryExpr, StrPart } from './model.js';
import { concat, formatParts, staticValue, text } from './parts.js';
import { dirOf, type ModuleLookup } from '../../lang/program/modules.js';
import { GoScopes, goParams, type GoDeclaration } from '../../lang/program/scope.js';
import type { ValueScope } from './values.js';

const PROM_PKG = 'github.com/prometheus/client_golang/prometheus';
const PROMAUTO_PKG = 'github.com/prometheus/client_golang/prometheus/promauto';
const COLLECTORS_PKG = 'github.com/prometheus/client_golang/prometheus/collectors';
const CTORS: Record<string, { type: MetricType; vec: boolean }> = {
  NewCounter: { type: 'counter', vec: false },
  NewCounterVec: { type: 'counter', vec: true },
  NewCounterFunc: { type: 'counter', vec: false },
  NewGauge: { type: 'gauge', vec: false },
  NewGaugeVec: { type: 'gauge', vec: true },
  NewGaugeFunc: { type: 'gauge', vec: false },
  NewHistogram: { type: 'histogram', vec: false },
  NewHistogramVec: { type: 'histogram', vec: true },
  NewSummary: { type: 'summary', vec: false },
  NewSummaryVec: { type: 'summary', vec: true },
  NewUntypedFunc: { type: 'untyped', vec: false },
};
const OTEL_CREATORS: Record<string, OtelKind> = {
  Int64Counter: 'counter',
  Float64Counter: 'counter',
  Int64UpDownCounter: 'up-down-counter',
  Float64UpDownCounter: 'up-down-counter',
  Int64Histogram: 'histogram',
  Float64Histogram: 'histogram',
  Int64Gauge: 'gauge',
  Float64Gauge: 'gauge',
  Int64ObservableCounter: 'observable-counter',
  Float64ObservableCounter: 'observable-counter',
  Int64ObservableUpDownCounter: 'observable-up-down-counter',
  Float64ObservableUpDownCounter: 'observable-up-down-counter',
  Int64ObservableGauge: 'observable-gauge',
  Float64ObservableGauge: 'observable-gauge',
};
const FUNC_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);
type Decl = GoDeclaration | { kind: 'package'; name: string };

/** Extracts the facts of one Go file. */
export function extractGo(file: SourceFile, resolver: ModuleLookup): FileFacts {
  return new GoExtractor(file, resolver).run();
}

class GoExtractor extends FileExtractor {
  private readonly dir: string;
  /** Local package name → import path. */
  private readonly pkgs = new Map<string, string>();
  private readonly scopes = new GoScopes();
  private readonly routeRefs = new Map<string, string>();

  constructor(file: SourceFile, resolver: ModuleLookup) {
    super(file, resolver, 'go');
    this.dir = dirOf(file.path);
    const pkgName = this.root.namedChildren.find((c) => c.type === 'package_clause')?.namedChildren[0]?.text ?? '';
    this.facts.goPackage = { dir: this.dir, main: pkgName === 'main' };
    this.facts.goConstants = {};
  }

  run(): FileFacts {
    for (const [module, bindings] of importsOf(this.root)) {
      for (const b of bindings) this.pkgs.set(b.local, module);
      const dir = module.startsWith('github.com/prometheus/') ? undefined : this.resolver.goDir(module);
      if (dir !== undefined) this.facts.modules[module] = `go:${dir}`;
    }
    const calls = descendantsOfType(this.root, 'call_expression');
    this.collectRouteRefs(calls);
    for (const c of calls) this.onConstruct(c);
    for (const c of calls) this.onCall(c);
    this.collectDeclarations();
    return this.facts;
  }

  /** `prometheus.NewCounter` → ['prom', 'NewCounter'] when the qualifier is the client_golang package. */
  private pkgCall(fn: TSNode | null, pkg: string): string | undefined {
    if (fn?.type !== 'selector_expression') return undefined;
    const operand = fn.childForFieldName('operand');
    if (operand?.type !== 'identifier' || this.pkgs.get(operand.text) !== pkg) return undefined;
    return fn.childForFieldName('field')?.text;
  }

  // -------------------------------------------------------------------------------------------------------
  // Name resolution
  // -------------------------------------------------------------------------------------------------------

  private lookup(name: string, at: TSNode): Decl | undefined {
    return this.scopes.resolve(name, at);
  }

  private varKey(decl: Extract<Decl, { kind: 'var' }>): string {
    return decl.pkg
      ? `go:${this.dir}#${decl.name}`
      : `${this.file.path}@${lineOf(decl.block)}:${decl.block.startPosition.column}#${decl.name}`;
  }

  // -------------------------------------------------------------------------------------------------------
  // Values
  // -------------------------------------------------------------------------------------------------------

  protected str(node: TSNode | null | undefined, depth = 0): StrPart[] {
    if (!node) return [];
    if (depth > 12) return [{ kind: 'unknown', text: node.text }];
    const parts = templateParts(node);
    if (parts) return text(parts.strings.join(''));
    switch (node.type) {
      case 'parenthesized_expression':
        return this.str(node.namedChildren[0], depth + 1);
      case 'binary_expression':
        if (node.childForFieldName('operator')?.text === '+')
          return concat(
            this.str(node.childForFieldName('left'), depth + 1),
            this.str(node.childForFieldName('right'), depth + 1),
          );
        break;
      case 'identifier': {
        const decl = this.lookup(node.text, node);
        if (decl?.kind === 'var' && decl.value) {
          const parts2 = this.str(decl.value, depth + 1);
          if (!decl.pkg && parts2.some((p) => p.kind === 'runtime'))
            return [{ kind: 'runtime', text: decl.name, origin: isEntityLike(decl.name) ? 'entity' : 'param' }];
          return parts2;
        }
        if (decl?.kind === 'param')
          return [
            {
              kind: 'runtime',
              text: node.text,
              origin:
                GO_HANDLER_PARAM_TYPES.test(decl.type) || this.fnInfo(decl.fn).hot
                  ? 'request'
                  : isEntityLike(node.text)
                    ? 'entity'
                    : 'param',
            },
          ];
        if (decl?.kind === 'loop') return [{ kind: 'runtime', text: node.text, origin: 'loop' }];
        // A package-level constant declared in another file of this package.
        if (!decl) return [{ kind: 'import', module: `go:${this.dir}`, name: node.text }];
        break;
      }
      case 'selector_expression': {
        const operand = node.childForFieldName('operand');
        const field = node.childForFieldName('field')?.text;
        if (
          operand?.type === 'identifier' &&
          field &&
          this.pkgs.has(operand.text) &&
          !this.lookup(operand.text, operand)
        ) {
          const dir = this.resolver.goDir(this.pkgs.get(operand.text)!);
          if (dir !== undefined) return [{ kind: 'import', module: `go:${dir}`, name: field }];
          return [{ kind: 'unknown', text: node.text }];
        }
        break;
      }
      case 'call_expression': {
        if (this.pkgCall(node.childForFieldName('function'), PROM_PKG) === 'BuildFQName') {
          const [ns, sub, name] = positionalArgs(node);
          return concat(this.prefixPart(ns), this.prefixPart(sub), this.str(name, depth + 1));
        }
        if (calleeName(node) === 'fmt.Sprintf') {
          const [fmtNode, ...args] = positionalArgs(node);
          const fmt = fmtNode ? stringValue(fmtNode) : undefined;
          if (fmt !== undefined && /^[^%]*(%[sdv][^%]*)*$/.test(fmt)) {
            return formatParts(fmt.split(/%[sdv]/), args, (a) => this.str(a, depth + 1), '%s');
          }
        }
        break;
      }
    }
    return [{ kind: 'unknown', text: node.text }];
  }

  private prefixPart(node: TSNode | undefined): StrPart[] {
    if (!node) return [];
    const parts = this.str(node);
    return staticValue(parts) === '' ? [] : concat(parts, text('_'));
  }

  private stringList(node: TSNode | null | undefined, depth = 0): string[] | undefined {
    if (!node || depth > 4) return undefined;
    if (node.type === 'identifier') {
      const decl = this.lookup(node.text, node);
      return decl?.kind === 'var' && decl.value ? this.stringList(decl.value, depth + 1) : undefined;
    }
    if (node.type !== 'composite_literal') return undefined;
    const body = node.childForFieldName('body');
    if (!body) return undefined;
    const out: string[] = [];
    for (const el of body.namedChildren) {
      if (el.type === 'comment') continue;
      const v = el.type === 'literal_element' ? el.namedChildren[0] : el;
      const s = v ? staticValue(this.str(v)) : undefined;
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }

  private optsOf(node: TSNode | undefined, depth = 0): TSNode | undefined {
    if (!node || depth > 4) return undefined;
    const n = node.type === 'unary_expression' ? (node.childForFieldName('operand') ?? node) : node;
    if (n.type === 'composite_literal') return n;
    if (n.type === 'identifier') {
      const decl = this.lookup(n.text, n);
      if (decl?.kind === 'var' && decl.value) return this.optsOf(decl.value, depth + 1);
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Registries and objects
  // -------------------------------------------------------------------------------------------------------

  private registryExpr(node: TSNode | null | undefined, depth = 0): RegistryExpr {
    if (!node || depth > 6) return { kind: 'unknown', label: node?.text ?? '?' };
    const label = node.text;
    if (node.type === 'selector_expression') {
      const field = node.childForFieldName('field')?.text;
      const operand = node.childForFieldName('operand');
      if (
        operand?.type === 'identifier' &&
        this.pkgs.get(operand.text) === PROM_PKG &&
        (field === 'DefaultRegisterer' || field === 'DefaultGatherer')
      )
        return { kind: 'default' };
      if (
        operand?.type === 'identifier' &&
        field &&
        this.pkgs.has(operand.text) &&
        !this.lookup(operand.text, operand)
      ) {
        const dir = this.resolver.goDir(this.pkgs.get(operand.text)!);
        if (dir !== undefined) return { kind: 'local', key: `go:${dir}#${field}`, label, perCall: false };
      }
      return { kind: 'unknown', label };
    }
    if (node.type === 'call_expression') {
      const f = this.pkgCall(node.childForFieldName('function'), PROM_PKG);
      if (f === 'NewRegistry' || f === 'NewPedanticRegistry') {
        return {
          kind: 'local',
          key: `${this.file.path}:${lineOf(node)}:${node.startPosition.column}`,
          label,
          perCall: this.scopeOf(node).kind === 'function',
        };
      }
      return { kind: 'unknown', label };
    }
    if (node.type === 'identifier') {
      const decl = this.lookup(node.text, node);
      if (decl?.kind === 'var' && decl.value) {
        if (decl.value.type === 'call_expression') {
          const f = this.pkgCall(decl.value.childForFieldName('function'), PROM_PKG);
          if (f === 'NewRegistry' || f === 'NewPedanticRegistry')
            return { kind: 'local', key: this.varKey(decl), label, perCall: !decl.pkg };
        }
        return this.registryExpr(decl.value, depth + 1);
      }
      // A package-level registry declared in another file of the package.
      if (!decl) return { kind: 'local', key: `go:${this.dir}#${node.text}`, label, perCall: false };
    }
    return { kind: 'unknown', label };
  }

  private objectExpr(node: TSNode | undefined): ObjectExpr {
    if (!node) return { kind: 'unknown', label: '?' };
    const label = node.text;
    if (node.type === 'call_expression') {
      const id = this.defByNode.get(node.id);
      return id ? { kind: 'inline', defId: id, label } : { kind: 'unknown', label };
    }
    if (node.type === 'identifier') {
      const decl = this.lookup(node.text, node);
      if (decl?.kind === 'var') return { kind: 'local', key: this.varKey(decl), label };
      if (!decl) return { kind: 'local', key: `go:${this.dir}#${node.text}`, label };
      return { kind: 'unknown', label };
    }
    if (node.type === 'selector_expression') {
      const operand = node.childForFieldName('operand');
      const field = node.childForFieldName('field')?.text;
      if (
        operand?.type === 'identifier' &&
        field &&
        this.pkgs.has(operand.text) &&
        !this.lookup(operand.text, operand)
      ) {
        const dir = this.resolver.goDir(this.pkgs.get(operand.text)!);
        if (dir !== undefined) return { kind: 'local', key: `go:${dir}#${field}`, label };
      }
    }
    return { kind: 'unknown', label };
  }

  private bindingOf(call: TSNode): string | undefined {
    const list = call.parent;
    if (list?.type !== 'expression_list') return undefined;
    const holder = list.parent;
    const at = list.namedChildren.findIndex((c) => c.id === call.id);
    if (holder?.type === 'var_spec') {
      const name = holder.childrenForFieldName('name')[at]?.text;
      if (!name) return undefined;
      const decl = this.lookup(name, holder);
      return decl?.kind === 'var' ? this.varKey(decl) : `go:${this.dir}#${name}`;
    }
    if (holder?.type === 'short_var_declaration' || holder?.type === 'assignment_statement') {
      const target = holder.childForFieldName('left')?.namedChildren[at];
      if (!target) return undefined;
      const expr = this.objectExpr(target);
      return expr.kind === 'local' ? expr.key : undefined;
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Scopes
  // -------------------------------------------------------------------------------------------------------

  protected readonly scopeRules: ScopeRules = {
    loops: (n, child) => n.type === 'for_statement' && n.childForFieldName('body')?.id === child.id,
    guardAt: () => undefined,
    functionAt: (n) => (FUNC_TYPES.has(n.type) ? this.fnInfo(n) : undefined),
  };

  protected computeFnInfo(fn: TSNode): FnInfo {
    const line = lineOf(fn);
    const params = goParams(fn);
    const handlerParams = params.filter((p) => GO_HANDLER_PARAM_TYPES.test(p.type));
    if (fn.type === 'func_literal') {
      const args = fn.parent;
      const call = args?.parent;
      if (args?.type === 'argument_list' && call?.type === 'call_expression') {
        const callee = calleeName(call) ?? '';
        const method = callee.split('.').pop() ?? '';
        // `once.Do(func() { … })`: the body runs once per process.
        if (method === 'Do' && params.length === 0)
          return {
            key: `${this.file.path}@${line}`,
            name: `${callee} callback`,
            line,
            transparent: true,
            guard: 'once',
          };
        if (GO_ROUTE_METHODS.has(method) && handlerParams.length > 0) {
          return {
            key: `${this.file.path}@${line}`,
            name: `${callee} handler`,
            line,
            hot: { reason: 'go-handler', detail: `the handler passed to ${describeGoRoute(call)}` },
          };
        }
      }
      if (handlerParams.length > 0)
        return {
          key: `${this.file.path}@${line}`,
          name: 'an HTTP handler',
          line,
          hot: {
            reason: 'go-handler',
            detail: `an HTTP handler (it takes ${handlerParams.map((p) => p.type).join(', ')})`,
          },
        };
      return { key: `${this.file.path}@${line}`, name: `the function literal at line ${line}`, line };
    }
    const name = fn.childForFieldName('name')?.text ?? 'func';
    if (fn.type === 'function_declaration' && name === 'init')
      return { key: `${this.file.path}@${line}:init`, name: 'init', line, transparent: true };
    let key = `go:${this.dir}#${name}`;
    let display = name;
    if (fn.type === 'method_declaration') {
      const recv =
        fn.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('type')?.text.replace(/^\*/, '') ?? 'T';
      key = `go:${this.dir}#${recv}.${name}`;
      display = `${recv}.${name}`;
    }
    if (handlerParams.length > 0)
      return {
        key,
        name: display,
        line,
        hot: {
          reason: 'go-handler',
          detail: `${display}, an HTTP handler (it takes ${handlerParams.map((p) => p.type).join(', ')})`,
        },
      };
    const route = this.routeRefs.get(name);
    if (route && fn.type === 'function_declaration')
      return { key, name: display, line, hot: { reason: 'go-handler', detail: `${display}, the handler of ${route}` } };
    return { key, name: display, line };
  }

  private collectRouteRefs(calls: readonly TSNode[]): void {
    for (const n of calls) {
      const route = goRouteCall(n);
      for (const target of route?.handlerNames ?? []) this.routeRefs.set(target.text, describeGoRoute(n));
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Constructions and calls
  // -------------------------------------------------------------------------------------------------------

  /** The registry a promauto factory call registers with, or undefined when `fn` is no promauto constructor. */
  private promautoRegistry(fn: TSNode | null): { ctor: string; registry: RegistryExpr } | undefined {
    if (fn?.type !== 'selector_expression') return undefined;
    const field = fn.childForFieldName('field')?.text ?? '';
    if (!CTORS[field]) return undefined;
    const operand = fn.childForFieldName('operand');
    if (!operand) return undefined;
    if (operand.type === 'identifier' && this.pkgs.get(operand.text) === PROMAUTO_PKG)
      return { ctor: field, registry: { kind: 'default' } };
    // promauto.With(reg).NewCounter(…) or factory := promauto.With(reg); factory.NewCounter(…)
    let withCall: TSNode | undefined = operand.type === 'call_expression' ? operand : undefined;
    if (operand.type === 'identifier') {
      const decl = this.lookup(operand.text, operand);
      if (decl?.kind === 'var' && decl.value?.type === 'call_expression') withCall = decl.value;
    }
    if (withCall && this.pkgCall(withCall.childForFieldName('function'), PROMAUTO_PKG) === 'With') {
      const [reg] = positionalArgs(withCall);
      if (reg?.type === 'nil') return { ctor: field, registry: { kind: 'none' } };
      return { ctor: field, registry: this.registryExpr(reg) };
    }
    return undefined;
  }

  private onConstruct(c: TSNode): void {
    const fn = c.childForFieldName('function');
    const auto = this.promautoRegistry(fn);
    const plain = this.pkgCall(fn, PROM_PKG);
    const ctorName = auto?.ctor ?? (plain && CTORS[plain] ? plain : undefined);
    if (ctorName) return this.onMetric(c, ctorName, auto ? [auto.registry] : []);
    if (plain === 'NewRegistry' || plain === 'NewPedanticRegistry') {
      const key = this.bindingOf(c) ?? `${this.file.path}:${lineOf(c)}:${c.startPosition.column}`;
      this.facts.registries.push({
        library: 'client_golang',
        key,
        label: key.split('#').pop() ?? 'registry',
        openMetrics: false,
        loc: this.loc(c),
        scope: this.scopeOf(c),
      });
    }
  }

  private onMetric(c: TSNode, ctor: string, registries: RegistryExpr[]): void {
    const { type, vec } = CTORS[ctor]!;
    const [optsNode, second] = positionalArgs(c);
    const opts = this.optsOf(optsNode);
    const props = opts ? objectProps(opts) : new Map<string, TSNode>();
    const nameNode = props.get('Name');
    const nameParts = opts
      ? nameNode
        ? concat(this.prefixPart(props.get('Namespace')), this.prefixPart(props.get('Subsystem')), this.str(nameNode))
        : text('')
      : [{ kind: 'unknown' as const, text: optsNode?.text ?? '' }];
    const constLabels = props.get('ConstLabels');
    let constText: string | 'dynamic' | undefined;
    if (constLabels) {
      const lit = constLabels.type === 'composite_literal' ? objectProps(constLabels) : undefined;
      const pairs = lit ? [...lit].map(([k, v]) => [k, stringValue(v)] as const) : undefined;
      constText =
        pairs && pairs.every(([, v]) => v !== undefined)
          ? pairs
              .map(([k, v]) => `${k}=${v}`)
              .sort()
              .join(',')
          : 'dynamic';
    }
    const help = props.get('Help');
    const id = `${this.file.path}:${lineOf(c)}:${c.startPosition.column}`;
    this.defByNode.set(c.id, id);
    const labels = vec ? this.stringList(second) : [];
    const binding = this.bindingOf(c);
    this.facts.metrics.push({
      id,
      library: 'client_golang',
      lang: 'go',
      ctor: calleeName(c) ?? ctor,
      type,
      nameParts,
      nameText: nameNode?.text ?? optsNode?.text ?? '',
      ...(labels !== undefined ? { labels } : {}),
      ...(constText !== undefined ? { constLabels: constText } : {}),
      ...(opts ? { help: help ? (stringValue(help) ?? null) : undefined } : { help: null }),
      registries,
      ...(binding ? { binding } : {}),
      loc: this.loc(c),
      scope: this.scopeOf(c),
      goMain: this.facts.goPackage!.main,
    });
  }

  private onCall(c: TSNode): void {
    const fn = c.childForFieldName('function');
    if (!fn) return;
    if (fn.type === 'identifier') {
      this.recordCall(c, { kind: 'package', dir: this.dir, name: fn.text }, `${fn.text}()`);
      return;
    }
    if (fn.type !== 'selector_expression') return;
    const method = fn.childForFieldName('field')?.text ?? '';
    const operand = fn.childForFieldName('operand');
    if (method === 'MustRegister' || method === 'Register' || method === 'Unregister') {
      const promPkg = operand?.type === 'identifier' && this.pkgs.get(operand.text) === PROM_PKG;
      const registry: RegistryExpr = promPkg ? { kind: 'default' } : this.registryExpr(operand);
      if (registry.kind === 'unknown' || registry.kind === 'none') return;
      for (const arg of positionalArgs(c)) {
        if (method === 'Unregister') {
          this.facts.clears.push({
            library: 'client_golang',
            op: 'unregister',
            registry,
            target: this.objectExpr(arg),
            call: c.text,
            loc: this.loc(c),
            scope: this.scopeOf(c),
          });
          continue;
        }
        const builtin = this.builtinCollector(arg);
        this.facts.registrations.push({
          library: 'client_golang',
          registry,
          target: this.objectExpr(arg),
          call: `${calleeName(c) ?? method}(${arg.text.length > 60 ? `${arg.text.slice(0, 57)}…` : arg.text})`,
          fatal: method === 'MustRegister',
          ...(builtin ? { builtin } : {}),
          loc: this.loc(arg),
          scope: this.scopeOf(c),
        });
      }
      return;
    }
    if (
      method === 'WithLabelValues' ||
      method === 'With' ||
      method === 'GetMetricWithLabelValues' ||
      method === 'GetMetricWith' ||
      method === 'DeleteLabelValues'
    ) {
      return this.onLabels(c, operand, method);
    }
    if (OTEL_CREATORS[method]) return this.onOtel(c, operand, method);
    if (operand?.type === 'identifier' && this.pkgs.has(operand.text) && !this.lookup(operand.text, operand)) {
      const dir = this.resolver.goDir(this.pkgs.get(operand.text)!);
      if (dir !== undefined) this.recordCall(c, { kind: 'package', dir, name: method }, `${operand.text}.${method}()`);
    }
  }

  private builtinCollector(arg: TSNode): 'go' | 'process' | 'build-info' | undefined {
    if (arg.type !== 'call_expression') return undefined;
    const fn = arg.childForFieldName('function');
    const f = this.pkgCall(fn, COLLECTORS_PKG) ?? this.pkgCall(fn, PROM_PKG);
    if (f === 'NewGoCollector') return 'go';
    if (f === 'NewProcessCollector') {
      // A namespace moves the collector's names away from the built-in ones.
      const [opts] = positionalArgs(arg);
      const ns = opts?.type === 'composite_literal' ? objectProps(opts).get('Namespace') : undefined;
      return ns && stringValue(ns) !== '' ? undefined : 'process';
    }
    if (f === 'NewBuildInfoCollector') return 'build-info';
    return undefined;
  }

  private recordCall(c: TSNode, callee: CallSite['callee'], display: string): void {
    if (
      callee.kind === 'package' &&
      (this.lookup(callee.name, c) ||
        /^(len|cap|make|new|append|panic|recover|print|println|copy|delete|close|min|max|clear)$/.test(callee.name))
    )
      return;
    this.facts.calls.push({ callee, display, loc: this.loc(c), scope: this.scopeOf(c) });
  }

  private onLabels(c: TSNode, operand: TSNode | null, method: string): void {
    if (!operand) return;
    const target = this.objectExpr(operand);
    if (target.kind === 'unknown') return;
    const scope: ValueScope = {
      isRequestRoot: (name: string, at: TSNode) => {
        const decl = this.lookup(name, at);
        return decl?.kind === 'param' && GO_HANDLER_PARAM_TYPES.test(decl.type);
      },
      // A Go name is followed to its assignments only through `x := …` in the same function.
      resolve: (name, at) => {
        const decl = this.lookup(name, at);
        return decl?.kind === 'var' && decl.value && !decl.pkg ? { values: [decl.value] } : undefined;
      },
    };
    const use = (key: { label: string } | { position: number }, value: TSNode) =>
      this.facts.labelUses.push(labelUse(target, key, value, scope, this.loc(value)));
    const args = positionalArgs(c);
    if (method === 'With' || method === 'GetMetricWith') {
      const lit = args[0]?.type === 'composite_literal' ? objectProps(args[0]) : undefined;
      for (const [label, value] of lit ?? []) use({ label }, value);
      return;
    }
    args.forEach((value, position) => use({ position }, value));
  }

  private onOtel(c: TSNode, operand: TSNode | null, method: string): void {
    const usesOtel = [...this.pkgs.values()].some((p) => p.startsWith('go.opentelemetry.io/otel'));
    if (!usesOtel || !operand) return;
    const [nameNode] = positionalArgs(c);
    const id = `${this.file.path}:${lineOf(c)}:${c.startPosition.column}`;
    let unit: StrPart[] | undefined;
    let help: string | null | undefined;
    for (const opt of positionalArgs(c).slice(1)) {
      const callee = (calleeName(opt) ?? '').split('.').pop();
      const [v] = positionalArgs(opt);
      if (callee === 'WithUnit' && v) unit = this.str(v);
      if (callee === 'WithDescription' && v) help = stringValue(v) ?? null;
    }
    let meter = '';
    const decl = operand.type === 'identifier' ? this.lookup(operand.text, operand) : undefined;
    const meterCall =
      decl?.kind === 'var' && decl.value?.type === 'call_expression'
        ? decl.value
        : operand.type === 'call_expression'
          ? operand
          : undefined;
    if (meterCall && /Meter$/.test(calleeName(meterCall) ?? '')) {
      const [m] = positionalArgs(meterCall);
      meter = (m && stringValue(m)) ?? '';
    }
    this.facts.metrics.push(
      otelMetric({
        id,
        lang: 'go',
        ctor: `${operand.text}.${method}`,
        kind: OTEL_CREATORS[method]!,
        nameNode,
        nameParts: nameNode ? this.str(nameNode) : undefined,
        unit,
        help,
        loc: this.loc(c),
        scope: this.scopeOf(c),
        meter,
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------------
  // Declarations
  // -------------------------------------------------------------------------------------------------------

  private collectDeclarations(): void {
    for (const stmt of this.root.namedChildren) {
      if (stmt.type === 'function_declaration' || stmt.type === 'method_declaration') {
        const info = this.fnInfo(stmt);
        if (info.transparent) continue;
        const name = info.name;
        this.facts.functions.push({
          key: info.key,
          name,
          exported: /^[A-Z]/.test(name) ? [name] : [],
          kind: 'function',
          loc: this.loc(stmt),
          scope: { kind: 'module', inLoop: false },
        });
        continue;
      }
      if (stmt.type === 'const_declaration' || stmt.type === 'var_declaration') {
        walk(stmt, (n) => {
          if (n.type !== 'const_spec' && n.type !== 'var_spec') return undefined;
          const names = n.childrenForFieldName('name');
          const values = n.childForFieldName('value')?.namedChildren ?? [];
          names.forEach((nm, i) => {
            const v = values[i];
            if (!v) return;
            const parts = this.str(v);
            if (!parts.some((p) => p.kind === 'unknown' || p.kind === 'runtime'))
              this.facts.goConstants![nm.text] = parts;
          });
          return false;
        });
      }
    }
  }
}

function describeGoRoute(call: TSNode): string {
  const callee = calleeName(call) ?? 'route';
  const [first] = positionalArgs(call);
  const path = first ? stringValue(first) : undefined;
  return path !== undefined ? `${callee}("${path}")` : `${callee}(…)`;
}
