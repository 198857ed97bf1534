/**
 * Extracts metric facts from one TypeScript/JavaScript file: prom-client metrics, registries,
 * registrations, `collectDefaultMetrics`, `clear`/`removeSingleMetric`, `Registry.merge`, label values,
 * OpenTelemetry instruments, and the calls and functions the per-call analysis needs.
 *
 * Names are followed through constants in the same file (any enclosing scope), simple template strings,
 * `+` concatenation, `[…].join()`, object-literal constants and imported constants (resolved later).
 */
import type { Node as TSNode } from 'web-tree-sitter';
import type { SourceFile } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  dottedName,
  importsOf,
  lineOf,
  objectProps,
  positionalArgs,
  stringValue,
  templateParts,
  unwrap,
  walk,
  type ImportBinding,
} from '../../lang/ts-helpers.js';
import { isNextApiRouteModule, isNextAppRouteModule } from '../../lang/program/file-routes.js';
import {
  FASTIFY_HANDLER_KEYS,
  isJsRouteRegistrar,
  jsRouteCall,
  looksLikeJsRoutePath,
  nestHandlerDecorator,
  nestRequestScope,
  ROUTE_MODULE_EXPORTS,
} from '../../lang/program/routes.js';
import { FileExtractor, labelUse, type FnInfo, type ScopeRules } from './extract-common.js';
import { isEntityLike } from './labels.js';
import type {
  CallSite,
  FileFacts,
  FunctionDecl,
  Guard,
  MetricDef,
  MetricType,
  ObjectExpr,
  OtelKind,
  RegistryExpr,
  RuntimeOrigin,
  StrPart,
} from './model.js';
import { concat, joinParts, text, templateStrParts } from './parts.js';
import type { NameResolution, ValueScope } from './values.js';
import type { ModuleLookup } from '../../lang/program/modules.js';
import {
  JS_FUNCTION_TYPES as FUNCTION_TYPES,
  JsScopes,
  jsDeclarators as declaratorsOf,
  jsParamNames as paramNames,
  type JsDeclaration,
} from '../../lang/program/scope.js';

const PROM_CLIENT = 'prom-client';
const OTEL_API = '@opentelemetry/api';
const METRIC_CLASSES: Record<string, MetricType> = {
  Counter: 'counter',
  Gauge: 'gauge',
  Histogram: 'histogram',
  Summary: 'summary',
};
const OTEL_CREATORS: Record<string, OtelKind> = {
  createCounter: 'counter',
  createUpDownCounter: 'up-down-counter',
  createHistogram: 'histogram',
  createGauge: 'gauge',
  createObservableCounter: 'observable-counter',
  createObservableUpDownCounter: 'observable-up-down-counter',
  createObservableGauge: 'observable-gauge',
};

const LOOP_TYPES = new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement']);
const ITERATION_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every', 'find']);
const REQUEST_PARAM = /^(req|request|_req|_request)$/;
const RESPONSE_PARAM = /^(res|response|reply|_res|_response|_reply)$/;

/** What a name resolves to in some scope. */
type Decl = JsDeclaration;

/** Extracts the facts of one JS/TS file. The tree must be parsed (parsers loaded). */
export function extractJs(file: SourceFile, resolver: ModuleLookup): FileFacts {
  return new JsExtractor(file, resolver).run();
}

class JsExtractor extends FileExtractor {
  private readonly imports = new Map<string, ImportBinding>();
  private readonly scopes = new JsScopes(this.imports);
  /** Module-level function names passed by reference to a route registration → the route. */
  private readonly routeRefs = new Map<string, string>();

  constructor(file: SourceFile, resolver: ModuleLookup) {
    super(file, resolver, 'js');
  }

  run(): FileFacts {
    for (const [module, bindings] of importsOf(this.root)) {
      const resolved = this.resolver.js(this.file.path, module);
      if (resolved) this.facts.modules[module] = resolved;
      for (const b of bindings) if (!b.typeOnly) this.imports.set(b.local, b);
    }
    // One native search for everything of interest: far cheaper than visiting every node from JS.
    const news: TSNode[] = [];
    const calls: TSNode[] = [];
    const deletes: TSNode[] = [];
    for (const n of descendantsOfType(this.root, ['new_expression', 'call_expression', 'unary_expression'])) {
      if (n.type === 'new_expression') news.push(n);
      else if (n.type === 'call_expression') calls.push(n);
      else if (n.text.startsWith('delete')) deletes.push(n);
    }
    this.collectRouteRefs(calls);
    // Metric definitions first, so registrations of inline `new Counter()` arguments can point at them.
    for (const n of news) this.onNew(n);
    for (const c of calls) this.onCall(c);
    for (const d of deletes) this.onCacheDelete(d);
    this.collectDeclarations();
    return this.facts;
  }

  // -------------------------------------------------------------------------------------------------------
  // Name resolution
  // -------------------------------------------------------------------------------------------------------

  private lookup(name: string, at: TSNode): Decl | undefined {
    return this.scopes.resolve(name, at);
  }

  private varKey(decl: Extract<Decl, { kind: 'var' }>): string {
    return decl.module
      ? `${this.file.path}#${decl.name}`
      : `${this.file.path}@${lineOf(decl.block)}:${decl.block.startPosition.column}#${decl.name}`;
  }

  private promBinding(local: string): string | undefined {
    const b = this.imports.get(local);
    return b && b.module === PROM_CLIENT ? b.imported : undefined;
  }

  /** True when `node` names the prom-client module object (`client` in `client.Counter`). */
  private isPromNamespace(node: TSNode | null): boolean {
    if (!node) return false;
    const n = unwrap(node);
    if (n.type === 'identifier') {
      const imported = this.promBinding(n.text);
      return imported === '*' || imported === 'default';
    }
    // `require('prom-client').Counter`
    if (n.type === 'call_expression' && calleeName(n) === 'require') {
      const [arg] = positionalArgs(n);
      return arg !== undefined && stringValue(arg) === PROM_CLIENT;
    }
    return false;
  }

  /** `Counter` / `client.Counter` → the prom-client export it denotes. */
  private promExport(node: TSNode | null): string | undefined {
    if (!node) return undefined;
    const n = unwrap(node);
    if (n.type === 'identifier') {
      const imported = this.promBinding(n.text);
      if (imported && imported !== '*' && imported !== 'default') return imported;
      return undefined;
    }
    if (n.type === 'member_expression') {
      const object = n.childForFieldName('object');
      const property = n.childForFieldName('property')?.text;
      if (property && this.isPromNamespace(object)) return property;
      // `client.Registry.globalRegistry` is handled by registryExpr.
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Values
  // -------------------------------------------------------------------------------------------------------

  /** A string expression as parts. */
  protected str(node: TSNode | null | undefined, depth = 0): StrPart[] {
    if (!node) return [{ kind: 'unknown', text: '' }];
    const n = unwrap(node);
    if (depth > 12) return [{ kind: 'unknown', text: n.text }];
    const parts = templateParts(n);
    if (parts) return templateStrParts(parts, (e) => this.str(e, depth + 1));
    switch (n.type) {
      case 'number':
        return text(n.text);
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text;
        if (op === '+')
          return concat(
            this.str(n.childForFieldName('left'), depth + 1),
            this.str(n.childForFieldName('right'), depth + 1),
          );
        break;
      }
      case 'identifier':
      case 'shorthand_property_identifier':
        return this.identifierStr(n, depth);
      case 'member_expression':
      case 'subscript_expression':
        return this.memberStr(n, depth);
      case 'call_expression': {
        // `['a', 'b'].join('_')`
        const fn = n.childForFieldName('function');
        if (fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'join') {
          const arr = this.arrayOf(fn.childForFieldName('object'));
          const [sepNode] = positionalArgs(n);
          const sep = sepNode ? stringValue(sepNode) : ',';
          if (arr && sep !== undefined) {
            return joinParts(arr, sep, (el) => this.str(el, depth + 1));
          }
        }
        break;
      }
    }
    const runtime = this.taint(n);
    return runtime ? [runtime] : [{ kind: 'unknown', text: n.text }];
  }

  private identifierStr(n: TSNode, depth: number): StrPart[] {
    const decl = this.lookup(n.text, n);
    if (!decl) return [{ kind: 'unknown', text: n.text }];
    switch (decl.kind) {
      case 'var':
        if (decl.value && decl.declarator.childForFieldName('name')?.type === 'identifier') {
          const parts = this.str(decl.value, depth + 1);
          const runtime = parts.find((p): p is Extract<StrPart, { kind: 'runtime' }> => p.kind === 'runtime');
          // Name the local variable (`plan`), not the request it came from.
          if (runtime && !decl.module)
            return [
              {
                kind: 'runtime',
                text: decl.name,
                origin: runtime.origin === 'request' ? 'request' : isEntityLike(decl.name) ? 'entity' : runtime.origin,
              },
            ];
          return parts;
        }
        return this.taintOfDecl(decl, n) ?? [{ kind: 'unknown', text: n.text }];
      case 'import':
        if (decl.binding.imported !== '*' && decl.binding.imported !== 'default') {
          return [
            {
              kind: 'import',
              module: this.facts.modules[decl.binding.module] ?? decl.binding.module,
              name: decl.binding.imported,
            },
          ];
        }
        return [{ kind: 'unknown', text: n.text }];
      case 'param':
        return [{ kind: 'runtime', text: n.text, origin: this.paramOrigin(decl) }];
      case 'loop':
        return [{ kind: 'runtime', text: n.text, origin: 'loop' }];
      default:
        return [{ kind: 'unknown', text: n.text }];
    }
  }

  private memberStr(n: TSNode, depth: number): StrPart[] {
    const object = n.childForFieldName('object');
    const propNode = n.type === 'member_expression' ? n.childForFieldName('property') : n.childForFieldName('index');
    const prop = propNode ? (n.type === 'member_expression' ? propNode.text : stringValue(propNode)) : undefined;
    if (object && prop !== undefined) {
      const o = unwrap(object);
      if (o.type === 'identifier') {
        const decl = this.lookup(o.text, o);
        if (decl?.kind === 'var' && decl.value && unwrap(decl.value).type === 'object') {
          const value = objectProps(unwrap(decl.value)).get(prop);
          if (value) return this.str(value, depth + 1);
        }
        if (decl?.kind === 'import' && decl.binding.imported === '*') {
          return [
            { kind: 'import', module: this.facts.modules[decl.binding.module] ?? decl.binding.module, name: prop },
          ];
        }
      }
    }
    const runtime = this.taint(n);
    return runtime ? [runtime] : [{ kind: 'unknown', text: n.text }];
  }

  /** Whether an expression carries runtime data (a parameter, a loop variable, the request). */
  private taint(node: TSNode): StrPart | undefined {
    let found: StrPart | undefined;
    walk(node, (n) => {
      if (found) return false;
      if (n.type !== 'identifier') return undefined;
      // Only the root of a member chain names a variable.
      const parent = n.parent;
      if (parent?.type === 'member_expression' && parent.childForFieldName('property')?.id === n.id) return undefined;
      const decl = this.lookup(n.text, n);
      if (decl?.kind === 'param') found = { kind: 'runtime', text: n.text, origin: this.paramOrigin(decl) };
      else if (decl?.kind === 'loop') found = { kind: 'runtime', text: n.text, origin: 'loop' };
      else if (decl?.kind === 'var' && !decl.module && decl.value && decl.value.id !== node.id) {
        const inner = this.taintOfDecl(decl, n);
        if (inner) found = inner[0];
      }
      return undefined;
    });
    return found;
  }

  private taintOfDecl(decl: Extract<Decl, { kind: 'var' }>, at: TSNode): StrPart[] | undefined {
    if (!decl.value || decl.module) return undefined;
    // Guard against self-reference loops (`let x = x + 1` style).
    if (at.startIndex >= decl.value.startIndex && at.endIndex <= decl.value.endIndex) return undefined;
    const t = this.taint(decl.value);
    if (!t || t.kind !== 'runtime') return undefined;
    // A variable named like an entity (`customerId = req.params.id`) is per-entity data.
    return [
      {
        ...t,
        text: decl.name,
        origin: t.origin === 'request' ? 'request' : isEntityLike(decl.name) ? 'entity' : t.origin,
      },
    ];
  }

  private paramOrigin(decl: Extract<Decl, { kind: 'param' }>): RuntimeOrigin {
    if (REQUEST_PARAM.test(decl.name) || decl.name === 'ctx' || decl.name === 'event') return 'request';
    const info = FUNCTION_TYPES.has(decl.fn.type) ? this.fnInfo(decl.fn) : undefined;
    if (info?.hot) return 'request';
    return isEntityLike(decl.name) ? 'entity' : 'param';
  }

  private arrayOf(node: TSNode | null): TSNode[] | undefined {
    if (!node) return undefined;
    let n = unwrap(node);
    if (isIdent(n)) {
      const decl = this.lookup(n.text, n);
      if (decl?.kind !== 'var' || !decl.value) return undefined;
      n = unwrap(decl.value);
    }
    if (n.type !== 'array') return undefined;
    const out: TSNode[] = [];
    for (const el of n.namedChildren) {
      if (el.type === 'comment') continue;
      if (el.type === 'spread_element') return undefined;
      out.push(el);
    }
    return out;
  }

  /** A list of string literals (label names). Undefined when any element is not static. */
  private stringList(node: TSNode | null): string[] | undefined {
    const arr = this.arrayOf(node);
    if (!arr) return undefined;
    const out: string[] = [];
    for (const el of arr) {
      const parts = this.str(el);
      if (parts.length !== 1 || parts[0]!.kind !== 'text') return undefined;
      out.push(parts[0]!.value);
    }
    return out;
  }

  private objectOf(node: TSNode | null): TSNode | undefined {
    if (!node) return undefined;
    let n = unwrap(node);
    if (isIdent(n)) {
      const decl = this.lookup(n.text, n);
      if (decl?.kind !== 'var' || !decl.value) return undefined;
      n = unwrap(decl.value);
    }
    return n.type === 'object' ? n : undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Registries and objects
  // -------------------------------------------------------------------------------------------------------

  registryExpr(node: TSNode | null, depth = 0): RegistryExpr {
    if (!node || depth > 6) return { kind: 'unknown', label: node?.text ?? '?' };
    const n = unwrap(node);
    const label = n.text;
    if (n.type === 'undefined' || n.type === 'null') return { kind: 'default' };
    if (isIdent(n)) {
      if (n.text === 'undefined') return { kind: 'default' };
      const imported = this.promBinding(n.text);
      if (imported === 'register') return { kind: 'default' };
      const decl = this.lookup(n.text, n);
      if (!decl) return { kind: 'unknown', label };
      if (decl.kind === 'import') {
        if (decl.binding.module === PROM_CLIENT) return { kind: 'unknown', label };
        return {
          kind: 'import',
          module: this.facts.modules[decl.binding.module] ?? decl.binding.module,
          name: decl.binding.imported,
          label,
        };
      }
      if (decl.kind === 'var' && decl.value) {
        const v = unwrap(decl.value);
        if (v.type === 'new_expression' && this.promExport(v.childForFieldName('constructor')) === 'Registry') {
          return { kind: 'local', key: this.varKey(decl), label, perCall: !decl.module };
        }
        // `const r = Registry.merge([...])` is a registry too.
        if (v.type === 'call_expression' && this.isMergeCall(v))
          return { kind: 'local', key: this.varKey(decl), label, perCall: !decl.module };
        return this.registryExpr(v, depth + 1);
      }
      return { kind: 'unknown', label };
    }
    if (n.type === 'member_expression') {
      const object = n.childForFieldName('object');
      const prop = n.childForFieldName('property')?.text;
      if (prop === 'register' && this.isPromNamespace(object)) return { kind: 'default' };
      if (prop === 'globalRegistry' && object && this.promExport(object) === 'Registry') return { kind: 'default' };
      if (object && prop) {
        const o = unwrap(object);
        if (o.type === 'identifier') {
          const decl = this.lookup(o.text, o);
          if (decl?.kind === 'import' && decl.binding.imported === '*' && decl.binding.module !== PROM_CLIENT) {
            return {
              kind: 'import',
              module: this.facts.modules[decl.binding.module] ?? decl.binding.module,
              name: prop,
              label,
            };
          }
        }
        if (o.type === 'this') {
          const cls = this.className(n);
          if (cls) return { kind: 'local', key: `${this.file.path}#class:${cls}.${prop}`, label, perCall: false };
        }
      }
      return { kind: 'unknown', label };
    }
    if (n.type === 'new_expression' && this.promExport(n.childForFieldName('constructor')) === 'Registry') {
      const scope = this.scopeOf(n);
      return {
        kind: 'local',
        key: `${this.file.path}:${lineOf(n)}:${n.startPosition.column}`,
        label,
        perCall: scope.kind === 'function',
      };
    }
    return { kind: 'unknown', label };
  }

  private isMergeCall(call: TSNode): boolean {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'merge') return false;
    return this.promExport(fn.childForFieldName('object')) === 'Registry';
  }

  objectExpr(node: TSNode | null): ObjectExpr {
    if (!node) return { kind: 'unknown', label: '?' };
    const n = unwrap(node);
    const label = n.text;
    if (n.type === 'new_expression') {
      const id = this.defByNode.get(n.id);
      return id ? { kind: 'inline', defId: id, label } : { kind: 'unknown', label };
    }
    if (isIdent(n)) {
      const decl = this.lookup(n.text, n);
      if (decl?.kind === 'var') return { kind: 'local', key: this.varKey(decl), label };
      if (decl?.kind === 'import' && decl.binding.module !== PROM_CLIENT) {
        return {
          kind: 'import',
          module: this.facts.modules[decl.binding.module] ?? decl.binding.module,
          name: decl.binding.imported,
          label,
        };
      }
      return { kind: 'unknown', label };
    }
    if (n.type === 'member_expression') {
      const object = n.childForFieldName('object');
      const prop = n.childForFieldName('property')?.text;
      if (object && prop) {
        const o = unwrap(object);
        if (o.type === 'this') {
          const cls = this.className(n);
          if (cls) return { kind: 'local', key: `${this.file.path}#class:${cls}.${prop}`, label };
        }
        if (o.type === 'identifier') {
          const decl = this.lookup(o.text, o);
          if (decl?.kind === 'import' && decl.binding.imported === '*' && decl.binding.module !== PROM_CLIENT) {
            return {
              kind: 'import',
              module: this.facts.modules[decl.binding.module] ?? decl.binding.module,
              name: prop,
              label,
            };
          }
          // `metrics.requests` where `metrics` is a module-level object literal holding metrics.
          if (decl?.kind === 'var' && decl.module) return { kind: 'local', key: `${this.varKey(decl)}.${prop}`, label };
        }
      }
    }
    return { kind: 'unknown', label };
  }

  private className(node: TSNode): string | undefined {
    for (let n: TSNode | null = node.parent; n; n = n.parent) {
      if (n.type === 'class_declaration' || n.type === 'abstract_class_declaration' || n.type === 'class') {
        return n.childForFieldName('name')?.text ?? contextualName(n);
      }
    }
    return undefined;
  }

  /** The key under which the object created by `node` is stored, if any. */
  private bindingOf(node: TSNode): string | undefined {
    let n = node;
    while (
      n.parent &&
      (n.parent.type === 'parenthesized_expression' ||
        n.parent.type === 'as_expression' ||
        n.parent.type === 'satisfies_expression' ||
        n.parent.type === 'await_expression')
    )
      n = n.parent;
    const parent = n.parent;
    if (!parent) return undefined;
    if (parent.type === 'variable_declarator' && parent.childForFieldName('value')?.id === n.id) {
      const target = parent.childForFieldName('name');
      if (target?.type !== 'identifier') return undefined;
      const decl = this.lookup(target.text, target);
      return decl?.kind === 'var' ? this.varKey(decl) : undefined;
    }
    if (
      (parent.type === 'assignment_expression' || parent.type === 'augmented_assignment_expression') &&
      parent.childForFieldName('right')?.id === n.id
    ) {
      const left = parent.childForFieldName('left');
      return left ? this.keyOfTarget(left) : undefined;
    }
    if (parent.type === 'public_field_definition' && parent.childForFieldName('value')?.id === n.id) {
      const cls = this.className(parent);
      const name = parent.childForFieldName('name')?.text;
      return cls && name ? `${this.file.path}#class:${cls}.${name}` : undefined;
    }
    if (parent.type === 'pair' && parent.childForFieldName('value')?.id === n.id) {
      // `const metrics = { requests: new Counter(…) }` → `metrics.requests`
      const object = parent.parent;
      const holder = object?.parent;
      const key = parent.childForFieldName('key')?.text;
      if (object?.type === 'object' && holder?.type === 'variable_declarator' && key) {
        const target = holder.childForFieldName('name');
        if (target?.type === 'identifier') {
          const decl = this.lookup(target.text, target);
          if (decl?.kind === 'var') return `${this.varKey(decl)}.${key}`;
        }
      }
    }
    return undefined;
  }

  private keyOfTarget(left: TSNode): string | undefined {
    const expr = this.objectExpr(left);
    return expr.kind === 'local' ? expr.key : undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Scopes
  // -------------------------------------------------------------------------------------------------------

  private moduleNameSet: Set<string> | undefined;

  /** Names declared at module level (functions, classes, variables). */
  private moduleNames(): Set<string> {
    if (this.moduleNameSet) return this.moduleNameSet;
    const out = new Set<string>();
    for (const raw of this.root.namedChildren) {
      const stmt = raw.type === 'export_statement' ? (raw.childForFieldName('declaration') ?? raw) : raw;
      for (const n of declaredNames(stmt)) out.add(n);
    }
    return (this.moduleNameSet = out);
  }

  protected readonly scopeRules: ScopeRules = {
    loops: (n, child) => LOOP_TYPES.has(n.type) && n.childForFieldName('body')?.id === child.id,
    guardAt: (n, child) => this.guardAt(n, child),
    functionAt: (n, child) => {
      const isField =
        n.type === 'public_field_definition' &&
        !n.children.some((c) => c.type === 'static') &&
        n.childForFieldName('value')?.id === child.id;
      if (isField) return this.fieldInfo(n);
      return FUNCTION_TYPES.has(n.type) ? this.fnInfo(n) : undefined;
    },
  };

  private fieldInfo(field: TSNode): FnInfo {
    const cls = this.className(field) ?? 'class';
    return {
      key: `${this.file.path}#${cls}`,
      name: `${cls} (instance field)`,
      line: lineOf(field),
      ...this.classHot(field),
    };
  }

  private classHot(inside: TSNode): Pick<FnInfo, 'hot'> {
    const cls = this.classNode(inside);
    if (!cls) return {};
    const scope = nestRequestScope(cls);
    if (scope) {
      return {
        hot: {
          reason: 'request-scoped-provider',
          detail: `the constructor of ${contextualClassName(cls)}, a request-scoped provider (${scope.text}) that Nest builds for every request`,
        },
      };
    }
    return {};
  }

  private classNode(inside: TSNode): TSNode | undefined {
    for (let n: TSNode | null = inside.parent; n; n = n.parent) {
      if (n.type === 'class_declaration' || n.type === 'abstract_class_declaration' || n.type === 'class') return n;
    }
    return undefined;
  }

  protected computeFnInfo(fn: TSNode): FnInfo {
    const line = lineOf(fn);
    const path = this.file.path;
    let holder = fn.parent;
    while (holder && (holder.type === 'parenthesized_expression' || holder.type === 'as_expression'))
      holder = holder.parent;

    // IIFE: runs once, where it is written.
    if (holder?.type === 'call_expression' && unwrapDown(holder.childForFieldName('function'))?.id === fn.id) {
      return { key: `${path}@${line}`, name: 'immediately invoked function', line, transparent: true };
    }
    if (holder?.type === 'arguments' && holder.parent?.type === 'call_expression') {
      const call = holder.parent;
      const callee = calleeName(call) ?? '';
      const method = callee.split('.').pop() ?? '';
      if (ITERATION_METHODS.has(method))
        return { key: `${path}@${line}`, name: `${method} callback`, line, transparent: true, loop: true };
      // `once(() => …)`, `sync.once`, `memoize(() => …)`: the body runs once.
      if (/^(once|memoize|memoizeOne|lazy)$/i.test(method))
        return { key: `${path}@${line}`, name: `${callee} callback`, line, transparent: true, guard: 'once' };
      const route = this.routeOf(call, fn);
      if (route)
        return {
          key: `${path}@${line}`,
          name: `${route} handler`,
          line,
          hot: { reason: 'route-handler', detail: `the handler of ${route}` },
        };
      // A wrapper around a handler: `router.get('/x', asyncHandler(async (req, res) => …))`.
      const outer = call.parent;
      if (outer?.type === 'arguments' && outer.parent?.type === 'call_expression') {
        const route2 = this.routeOf(outer.parent, call);
        if (route2)
          return {
            key: `${path}@${line}`,
            name: `${route2} handler`,
            line,
            hot: { reason: 'route-handler', detail: `the handler of ${route2}` },
          };
      }
    }
    // Fastify route options: `{ handler: async (request, reply) => … }`
    if (holder?.type === 'pair' && FASTIFY_HANDLER_KEYS.has(holder.childForFieldName('key')?.text ?? '')) {
      const obj = holder.parent;
      const args = obj?.parent;
      if (obj?.type === 'object' && args?.type === 'arguments' && args.parent?.type === 'call_expression') {
        const callee = calleeName(args.parent) ?? '';
        const method = callee.split('.').pop() ?? '';
        if (method === 'route' || isJsRouteRegistrar(method)) {
          const key = holder.childForFieldName('key')!.text;
          return {
            key: `${path}@${line}`,
            name: `${callee} ${key}`,
            line,
            hot: { reason: 'route-handler', detail: `the ${key} of ${describeRoute(args.parent)}` },
          };
        }
      }
    }

    const name = fn.childForFieldName('name')?.text ?? contextualName(fn);
    const moduleLevel = this.isModuleLevelDecl(fn);
    if (fn.type === 'method_definition') {
      const cls = this.className(fn) ?? 'class';
      const method = name ?? 'method';
      const key = method === 'constructor' ? `${path}#${cls}` : `${path}#${cls}.${method}`;
      const display = method === 'constructor' ? `${cls} constructor` : `${cls}.${method}`;
      const nest = nestHandlerDecorator(fn);
      if (nest) {
        return {
          key,
          name: display,
          line,
          hot: { reason: 'controller-method', detail: `${display}, a route handler (@${nest.name})` },
        };
      }
      if (method === 'constructor') return { key, name: display, line, ...this.classHot(fn) };
      return { key, name: display, line, ...this.paramsHot(fn, display) };
    }
    const key = moduleLevel && name ? `${path}#${name}` : `${path}@${line}${name ? `:${name}` : ''}`;
    const display = name ?? `the function at line ${line}`;
    if (name && moduleLevel && this.routeRefs.has(name)) {
      return {
        key,
        name: display,
        line,
        hot: { reason: 'route-handler', detail: `${name}, the handler of ${this.routeRefs.get(name)}` },
      };
    }
    const nextRoute = this.nextRouteHot(fn, name);
    if (nextRoute) return { key, name: display, line, hot: nextRoute };
    return { key, name: display, line, ...this.paramsHot(fn, display) };
  }

  /** Next.js route handlers: `export async function GET(request)` in app/**\/route.ts, default export in pages/api. */
  private nextRouteHot(fn: TSNode, name: string | undefined): FnInfo['hot'] {
    const exported = this.exportedNames(fn);
    if (exported.length === 0) return undefined;
    if (isNextAppRouteModule(this.file.path) && exported.some((e) => ROUTE_MODULE_EXPORTS.includes(e))) {
      return { reason: 'route-handler', detail: `the Next.js route handler ${name ?? exported[0]}` };
    }
    if (isNextApiRouteModule(this.file.path) && exported.includes('default')) {
      return { reason: 'route-handler', detail: 'the default export of a Next.js API route' };
    }
    if ((name === 'handler' || exported.includes('handler')) && paramNames(fn)[0] === 'event') {
      return {
        reason: 'lambda-handler',
        detail: 'the Lambda handler (it runs for every invocation of a warm container)',
      };
    }
    return undefined;
  }

  private exportedNames(fn: TSNode): string[] {
    let n: TSNode | null = fn.parent;
    if (n?.type === 'export_statement')
      return [
        n.children.some((c) => c.type === 'default') ? 'default' : (fn.childForFieldName('name')?.text ?? 'default'),
      ];
    if (n?.type === 'variable_declarator') {
      const name = n.childForFieldName('name')?.text;
      n = n.parent?.parent ?? null;
      if (n?.type === 'export_statement' && name) return [name];
    }
    return [];
  }

  private paramsHot(fn: TSNode, display: string): Pick<FnInfo, 'hot'> {
    const params = paramNames(fn);
    const [p0, p1, p2] = params;
    const isMiddleware =
      (p0 !== undefined && REQUEST_PARAM.test(p0) && p1 !== undefined && RESPONSE_PARAM.test(p1)) ||
      (p0 !== undefined &&
        /^(err|error)$/.test(p0) &&
        p1 !== undefined &&
        REQUEST_PARAM.test(p1) &&
        p2 !== undefined &&
        RESPONSE_PARAM.test(p2)) ||
      (p0 === 'ctx' && p1 === 'next');
    if (isMiddleware)
      return {
        hot: {
          reason: 'middleware',
          detail: `${display}, which takes (${params.slice(0, 3).join(', ')}) and so runs per request`,
        },
      };
    return {};
  }

  private isModuleLevelDecl(fn: TSNode): boolean {
    let p = fn.parent;
    if (p?.type === 'variable_declarator') p = p.parent?.parent ?? null;
    else if (p?.type === 'export_statement') return p.parent?.type === 'program';
    if (p?.type === 'export_statement') p = p.parent;
    return p?.type === 'program';
  }

  /** `app.get('/x', fn)` → "app.get('/x')" when `call` registers `fn` (an argument of `call`) as a route. */
  private routeOf(call: TSNode, arg: TSNode): string | undefined {
    const route = jsRouteCall(call);
    if (!route) return undefined;
    const { args } = route;
    if (!args.some((a) => a.id === arg.id)) return undefined;
    const first = args[0];
    const firstIsPath = first !== undefined && first.id !== arg.id && looksLikeJsRoutePath(first);
    const paramsLookLikeRequest = FUNCTION_TYPES.has(arg.type) && looksLikeRequestParams(paramNames(arg));
    // `emitter.on('x', fn)` is not a route unless the callback takes a request.
    if (route.registrar === 'on' && !paramsLookLikeRequest) return undefined;
    if (!firstIsPath && !paramsLookLikeRequest) return undefined;
    return describeRoute(call);
  }

  private collectRouteRefs(calls: readonly TSNode[]): void {
    for (const n of calls) {
      const route = jsRouteCall(n);
      if (!route || route.registrar === 'on') continue;
      const { args } = route;
      if (!args[0] || !looksLikeJsRoutePath(args[0])) continue;
      for (const a of args.slice(1)) {
        const u = unwrap(a);
        if (u.type === 'identifier' && !this.routeRefs.has(u.text)) this.routeRefs.set(u.text, describeRoute(n));
      }
    }
  }

  private guardAt(n: TSNode, child: TSNode): Guard | undefined {
    switch (n.type) {
      case 'try_statement':
        return n.childForFieldName('body')?.id === child.id && n.childForFieldName('handler') ? 'try' : undefined;
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text;
        if ((op === '??' || op === '||') && n.childForFieldName('right')?.id === child.id) {
          const left = n.childForFieldName('left');
          if (left && /\bgetSingleMetric\b/.test(left.text)) return 'get-single-metric';
          if (left && this.isSingletonRef(left)) return 'singleton';
        }
        return undefined;
      }
      case 'augmented_assignment_expression': {
        const op = n.children.find((c) => !c.isNamed)?.text;
        const left = n.childForFieldName('left');
        if ((op === '??=' || op === '||=') && left && this.isSingletonRef(left)) return 'singleton';
        return undefined;
      }
      case 'statement_block': {
        // `const existing = registry.getSingleMetric(name); if (existing …) return existing; … new Counter(…)`:
        // an early return of the registered metric before the construction.
        let lookedUp = false;
        for (const stmt of n.namedChildren) {
          if (stmt.id === child.id) break;
          if (/\bgetSingleMetric\b/.test(stmt.text)) lookedUp = true;
          if (lookedUp && stmt.type === 'if_statement' && descendantsOfType(stmt, 'return_statement').length > 0)
            return 'get-single-metric';
        }
        return undefined;
      }
      case 'if_statement': {
        const cond = n.childForFieldName('condition');
        if (!cond || n.childForFieldName('condition')?.id === child.id) return undefined;
        if (/\bgetSingleMetric\b/.test(cond.text)) return 'get-single-metric';
        const tested = singletonTest(cond);
        if (tested && this.isSingletonRef(tested)) return 'singleton';
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** A module-level variable or a `globalThis.x` slot: state that survives between calls. */
  private isSingletonRef(node: TSNode): boolean {
    const n = unwrap(node);
    if (n.type === 'identifier') {
      const decl = this.lookup(n.text, n);
      return decl?.kind === 'var' && decl.module;
    }
    if (n.type === 'member_expression' || n.type === 'subscript_expression') {
      const root = dottedName(n)?.split('.')[0];
      if (root === 'globalThis' || root === 'global' || root === 'window') return true;
      const object = n.childForFieldName('object');
      const o = object ? unwrap(object) : undefined;
      if (o?.type === 'identifier' && /^(globalThis|global|window)$/.test(o.text)) return true;
      if (o && (o.type === 'identifier' || o.type === 'member_expression')) return this.isSingletonRef(o);
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------------------
  // Constructions and calls
  // -------------------------------------------------------------------------------------------------------

  private onNew(n: TSNode): void {
    const ctor = n.childForFieldName('constructor');
    const exported = this.promExport(ctor);
    if (exported === 'Registry') {
      this.onRegistry(n);
      return;
    }
    const type = exported ? METRIC_CLASSES[exported] : undefined;
    if (type) {
      this.onMetric(n, type, ctor?.text ?? exported!);
      return;
    }
    // `new C()` of a class declared here or imported from a relative module: a call site.
    const c = ctor ? unwrap(ctor) : undefined;
    if (c?.type === 'identifier') this.recordCall(n, c.text, `new ${c.text}()`);
  }

  private onRegistry(n: TSNode): void {
    const scope = this.scopeOf(n);
    const key = this.bindingOf(n) ?? `${this.file.path}:${lineOf(n)}:${n.startPosition.column}`;
    const [ct] = positionalArgs(n);
    this.facts.registries.push({
      library: 'prom-client',
      key,
      label: key.split('#').pop() ?? 'registry',
      openMetrics: ct !== undefined && /openMetrics|OPENMETRICS|application\/openmetrics/.test(ct.text),
      loc: this.loc(n),
      scope,
    });
  }

  private onMetric(n: TSNode, type: MetricType, ctorText: string): void {
    const [arg] = positionalArgs(n);
    if (this.onFacade(n, arg, type)) return;
    this.facts.metrics.push(this.metricDef(n, arg, type, ctorText));
  }

  /**
   * `export const createCounter = (options) => new Counter(options)`: a one-level facade. Its callers' literal
   * options are the definitions (see onFacadeCall); the construction here has no name of its own.
   */
  private onFacade(n: TSNode, arg: TSNode | undefined, type: MetricType): boolean {
    if (!arg || unwrap(arg).type !== 'identifier') return false;
    const decl = this.lookup(unwrap(arg).text, arg);
    if (decl?.kind !== 'param' || !FUNCTION_TYPES.has(decl.fn.type)) return false;
    const name = moduleFunctionName(decl.fn);
    if (!name) return false;
    const paramIndex = paramNames(decl.fn).indexOf(decl.name);
    if (paramIndex < 0) return false;
    void n;
    this.facts.facades.push({ fnKey: `${this.file.path}#${name}`, paramIndex, library: 'prom-client', type });
    return true;
  }

  /** `createCounter({ name: 'x', help: '…', labelNames: […] })`: a definition if the callee turns out to be a facade. */
  private onFacadeCall(c: TSNode, callee: CallSite['callee'], display: string): void {
    positionalArgs(c).forEach((a, argIndex) => {
      const u = unwrap(a);
      if (u.type !== 'object') return;
      const props = objectProps(u);
      if (!props.has('name') || !(props.has('help') || props.has('labelNames'))) return;
      this.facts.facadeCalls.push({ callee, argIndex, def: this.metricDef(c, a, 'counter', display) });
    });
  }

  private metricDef(n: TSNode, arg: TSNode | undefined, type: MetricType, ctorText: string): MetricDef {
    const obj = this.objectOf(arg ?? null);
    const props = obj ? objectProps(obj) : new Map<string, TSNode>();
    const hasSpread = obj ? obj.namedChildren.some((c) => c.type === 'spread_element') : true;
    const nameNode = props.get('name');
    const nameParts = nameNode ? this.str(nameNode) : [{ kind: 'unknown' as const, text: hasSpread ? '…spread' : '' }];
    const helpNode = props.get('help');
    const labelsNode = props.get('labelNames');
    const registersNode = props.get('registers');
    let registries: RegistryExpr[];
    if (registersNode) {
      const u = unwrap(registersNode);
      if (u.type === 'undefined' || u.type === 'null' || (u.type === 'identifier' && u.text === 'undefined'))
        registries = [{ kind: 'default' }];
      else {
        const arr = this.arrayOf(registersNode);
        registries = arr ? arr.map((el) => this.registryExpr(el)) : [{ kind: 'unknown', label: registersNode.text }];
      }
    } else registries = hasSpread ? [{ kind: 'unknown', label: '…spread' }] : [{ kind: 'default' }];
    const labels = labelsNode ? this.stringList(labelsNode) : hasSpread ? undefined : [];
    const id = `${this.file.path}:${lineOf(n)}:${n.startPosition.column}`;
    this.defByNode.set(n.id, id);
    const binding = this.bindingOf(n);
    const def: MetricDef = {
      id,
      library: 'prom-client',
      lang: 'js',
      ctor: n.type === 'new_expression' ? `new ${ctorText}` : ctorText,
      type,
      nameParts,
      nameText: nameNode?.text ?? (hasSpread ? '…' : ''),
      ...(labels !== undefined ? { labels } : {}),
      ...(helpNode ? { help: stringValue(helpNode) ?? null } : hasSpread ? { help: null } : {}),
      registries,
      ...(binding ? { binding } : {}),
      loc: this.loc(n),
      scope: this.scopeOf(n),
    };
    return def;
  }

  private onCall(c: TSNode): void {
    const fnNode = c.childForFieldName('function');
    if (!fnNode) return;
    const f = unwrap(fnNode);
    if (f.type === 'identifier') {
      const exported = this.promExport(f);
      if (exported === 'collectDefaultMetrics') return this.onDefaultMetrics(c);
      this.recordCall(c, f.text, `${f.text}()`);
      return;
    }
    if (f.type !== 'member_expression') return;
    const object = f.childForFieldName('object');
    const method = f.childForFieldName('property')?.text ?? '';
    if (this.promExport(f) === 'collectDefaultMetrics') return this.onDefaultMetrics(c);
    if (method === 'merge' && this.promExport(object) === 'Registry') return this.onMerge(c);
    if (method === 'registerMetric') return this.onRegisterMetric(c, object);
    if (method === 'clear' || method === 'removeSingleMetric') return this.onClear(c, object, method);
    if (method === 'getMeter') return;
    if (OTEL_CREATORS[method]) return this.onOtel(c, object, method);
    // `increment(labels, value)`: the usual method name of a repository's own wrapper (see onFacade).
    if (
      ['inc', 'dec', 'set', 'observe', 'labels', 'startTimer', 'remove', 'zero', 'add', 'record', 'increment'].includes(
        method,
      )
    )
      this.onRecord(c, object, method);
    if (object && unwrap(object).type === 'this') {
      const cls = this.className(c);
      if (cls)
        this.facts.calls.push({
          callee: { kind: 'local', key: `${this.file.path}#${cls}.${method}` },
          display: `this.${method}()`,
          loc: this.loc(c),
          scope: this.scopeOf(c),
        });
    }
  }

  private recordCall(node: TSNode, name: string, display: string): void {
    // Only module-level functions/classes and relative imports can be call-graph targets.
    if (!this.imports.has(name) && !this.moduleNames().has(name)) return;
    const decl = this.lookup(name, node);
    if (!decl) return;
    let callee: CallSite['callee'] | undefined;
    if ((decl.kind === 'function' || decl.kind === 'class') && decl.module)
      callee = { kind: 'local', key: `${this.file.path}#${name}` };
    else if (decl.kind === 'var' && decl.module && decl.value && FUNCTION_TYPES.has(unwrap(decl.value).type))
      callee = { kind: 'local', key: `${this.file.path}#${name}` };
    else if (decl.kind === 'import' && decl.binding.module.startsWith('.')) {
      callee = {
        kind: 'import',
        module: this.facts.modules[decl.binding.module] ?? decl.binding.module,
        name: decl.binding.imported,
      };
    }
    if (!callee) return;
    this.facts.calls.push({ callee, display, loc: this.loc(node), scope: this.scopeOf(node) });
    if (node.type === 'call_expression') this.onFacadeCall(node, callee, name);
  }

  /** `delete require.cache[require.resolve('./metrics')]`: the next `require` evaluates the module again. */
  private onCacheDelete(d: TSNode): void {
    const target = d.childForFieldName('argument');
    if (target?.type !== 'subscript_expression' || dottedName(target.childForFieldName('object')) !== 'require.cache')
      return;
    const index = target.childForFieldName('index');
    if (index?.type !== 'call_expression' || calleeName(index) !== 'require.resolve') return;
    const [arg] = positionalArgs(index);
    const spec = arg ? stringValue(arg) : undefined;
    const module = spec !== undefined ? this.resolver.js(this.file.path, spec) : undefined;
    if (module) this.facts.reloads.push({ module, call: d.text, loc: this.loc(d), scope: this.scopeOf(d) });
  }

  private onDefaultMetrics(c: TSNode): void {
    const [arg] = positionalArgs(c);
    const obj = this.objectOf(arg ?? null);
    const props = obj ? objectProps(obj) : new Map<string, TSNode>();
    const reg = props.get('register');
    const prefix = props.get('prefix');
    this.facts.defaultMetrics.push({
      registry: reg ? this.registryExpr(reg) : arg && !obj ? { kind: 'unknown', label: arg.text } : { kind: 'default' },
      prefix: prefix ? this.str(prefix) : arg && !obj ? [{ kind: 'unknown', text: arg.text }] : [],
      loc: this.loc(c),
      scope: this.scopeOf(c),
    });
  }

  private onMerge(c: TSNode): void {
    const [arg] = positionalArgs(c);
    const arr = this.arrayOf(arg ?? null);
    this.facts.merges.push({
      registries: arr ? arr.map((el) => this.registryExpr(el)) : [],
      loc: this.loc(c),
      scope: this.scopeOf(c),
    });
  }

  private onRegisterMetric(c: TSNode, object: TSNode | null): void {
    const [arg] = positionalArgs(c);
    this.facts.registrations.push({
      library: 'prom-client',
      registry: this.registryExpr(object),
      target: this.objectExpr(arg ?? null),
      call: c.text.length > 80 ? `${c.text.slice(0, 77)}…` : c.text,
      fatal: true,
      loc: this.loc(c),
      scope: this.scopeOf(c),
    });
  }

  private onClear(c: TSNode, object: TSNode | null, method: string): void {
    const registry = this.registryExpr(object);
    // `.clear()` is everywhere (Map, Set, caches): only a known registry counts.
    if (registry.kind === 'unknown' || registry.kind === 'none') return;
    const [arg] = positionalArgs(c);
    this.facts.clears.push({
      library: 'prom-client',
      op: method === 'clear' ? 'clear' : 'remove',
      registry,
      ...(method === 'removeSingleMetric' && arg ? { nameParts: this.str(arg) } : {}),
      call: c.text,
      loc: this.loc(c),
      scope: this.scopeOf(c),
    });
  }

  private onRecord(c: TSNode, object: TSNode | null, method: string): void {
    if (!object) return;
    const target = this.objectExpr(object);
    if (target.kind === 'unknown') return;
    const args = positionalArgs(c);
    // OpenTelemetry: `counter.add(1, { route })`, `histogram.record(ms, attributes)`.
    const first = method === 'add' || method === 'record' ? args[1] : args[0];
    if (!first) return;
    const labelObj = unwrap(first).type === 'object' ? unwrap(first) : undefined;
    if (labelObj) {
      for (const [label, value] of objectProps(labelObj)) this.labelUse(target, { label }, value);
      return;
    }
    if (method !== 'labels' && method !== 'remove') return;
    args.forEach((value, position) => this.labelUse(target, { position }, value));
  }

  private readonly valueScope: ValueScope = {
    isRequestRoot: (name, at) => this.isRequestRoot(name, at),
    resolve: (name, at) => this.resolveValue(name, at),
  };

  /** Records the value given for one label when we can tell whether it is bounded. */
  private labelUse(target: ObjectExpr, key: { label: string } | { position: number }, value: TSNode): void {
    this.facts.labelUses.push(labelUse(target, key, value, this.valueScope, this.loc(value)));
  }

  /**
   * What a name used as a label value is bound to: bounded when typed as a string-literal union, an enum or
   * a local alias of one, or iterated from an array of literals; else the expressions assigned to it.
   */
  private resolveValue(name: string, at: TSNode): NameResolution {
    const decl = this.lookup(name, at);
    if (!decl) return undefined;
    if (decl.kind === 'param') {
      const param = decl.fn
        .childForFieldName('parameters')
        ?.namedChildren.find((p) => p.childForFieldName('pattern')?.text === name);
      const type = param?.childForFieldName('type');
      if (type && this.boundedType(type.namedChildren[0] ?? null)) return { bounded: true };
      const dflt = param?.childForFieldName('value');
      return dflt ? { values: [dflt] } : undefined;
    }
    if (decl.kind === 'loop') {
      const right = decl.loop.childForFieldName('right');
      const arr = right ? unwrap(right) : undefined;
      if (arr?.type === 'array') return { values: arr.namedChildren.filter((c) => c.type !== 'comment') };
      return undefined;
    }
    if (decl.kind !== 'var') return undefined;
    const type = decl.declarator.childForFieldName('type');
    if (type && this.boundedType(type.namedChildren[0] ?? null)) return { bounded: true };
    if (decl.declarator.childForFieldName('name')?.type !== 'identifier') return undefined;
    const values = decl.value ? [decl.value] : [];
    if (decl.declarator.parent?.text.startsWith('const') !== true) {
      // `let kind = 'a'; switch (x) { case …: kind = 'b' }`: every assignment counts.
      for (const a of descendantsOfType(decl.block, 'assignment_expression')) {
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        if (left?.type === 'identifier' && left.text === name && right) values.push(right);
      }
    }
    return values.length > 0 ? { values } : undefined;
  }

  /** A type whose values are a fixed set: literal unions, booleans, local enums and aliases of those. */
  private boundedType(type: TSNode | null, depth = 0): boolean {
    if (!type || depth > 3) return false;
    switch (type.type) {
      case 'literal_type':
        return true;
      case 'predefined_type':
        return /^(boolean|null|undefined|never)$/.test(type.text);
      case 'union_type':
      case 'parenthesized_type':
        return type.namedChildren.every((c) => this.boundedType(c, depth + 1));
      case 'type_identifier': {
        for (const d of descendantsOfType(this.root, ['type_alias_declaration', 'enum_declaration'])) {
          if (d.childForFieldName('name')?.text !== type.text) continue;
          if (d.type === 'enum_declaration') return true;
          return this.boundedType(d.childForFieldName('value'), depth + 1);
        }
        return false;
      }
      default:
        return false;
    }
  }

  /** Whether `name` at `at` is the request object of a handler (a parameter named like one, or of a hot function). */
  private isRequestRoot(name: string, at: TSNode): boolean {
    const decl = this.lookup(name, at);
    if (decl?.kind !== 'param') return false;
    if (REQUEST_PARAM.test(name) || name === 'ctx' || name === 'c') return true;
    return (
      FUNCTION_TYPES.has(decl.fn.type) && this.fnInfo(decl.fn).hot !== undefined && paramNames(decl.fn)[0] === name
    );
  }

  private onOtel(c: TSNode, object: TSNode | null, method: string): void {
    const meter = this.meterOf(object);
    if (meter === undefined) return;
    const [nameNode, optsNode] = positionalArgs(c);
    const opts = this.objectOf(optsNode ?? null);
    const props = opts ? objectProps(opts) : new Map<string, TSNode>();
    const unit = props.get('unit');
    const description = props.get('description');
    this.addOtelMetric(
      c,
      {
        ctor: `${object?.text ?? 'meter'}.${method}`,
        kind: OTEL_CREATORS[method]!,
        meter,
        binding: this.bindingOf(c),
      },
      { name: nameNode, unit, description },
    );
  }

  /** The identity of an OTel meter expression: `metrics.getMeter('svc', '1.0')` → "svc@1.0"; '' when unknown. */
  private meterOf(object: TSNode | null, depth = 0): string | undefined {
    if (!object || depth > 4) return undefined;
    const n = unwrap(object);
    if (n.type === 'call_expression') {
      const callee = calleeName(n) ?? '';
      if (!callee.endsWith('getMeter')) return undefined;
      if (!this.usesOtel()) return undefined;
      const [name, version] = positionalArgs(n);
      const nv = name ? stringValue(name) : undefined;
      const vv = version ? stringValue(version) : undefined;
      return nv === undefined ? '' : `${nv}${vv ? `@${vv}` : ''}`;
    }
    if (n.type === 'identifier') {
      const decl = this.lookup(n.text, n);
      if (decl?.kind === 'var' && decl.value) return this.meterOf(decl.value, depth + 1);
      if (decl?.kind === 'import' && this.usesOtel()) return '';
      return undefined;
    }
    if (n.type === 'member_expression' && unwrap(n.childForFieldName('object')!).type === 'this' && this.usesOtel())
      return '';
    return undefined;
  }

  private usesOtel(): boolean {
    for (const b of this.imports.values())
      if (b.module === OTEL_API || b.module.startsWith('@opentelemetry/')) return true;
    return false;
  }

  // -------------------------------------------------------------------------------------------------------
  // Declarations and exports
  // -------------------------------------------------------------------------------------------------------

  private collectDeclarations(): void {
    const ex = this.facts.exports;
    const path = this.file.path;
    const exportedLocals = new Map<string, string[]>();
    const addExport = (local: string, as: string) =>
      exportedLocals.set(local, [...(exportedLocals.get(local) ?? []), as]);

    for (const stmt of this.root.namedChildren) {
      if (stmt.type === 'export_statement') {
        const source = stmt.childForFieldName('source');
        const decl = stmt.childForFieldName('declaration');
        const isDefault = stmt.children.some((c) => c.type === 'default');
        if (source) {
          const module = stringValue(source);
          if (module === undefined) continue;
          const resolved = this.resolver.js(path, module) ?? module;
          this.facts.modules[module] = resolved;
          const clause = stmt.namedChildren.find((c) => c.type === 'export_clause');
          if (!clause) ex.reexports.push({ module: resolved, name: '*', as: '*' });
          else
            for (const spec of clause.namedChildren) {
              if (spec.type !== 'export_specifier') continue;
              const name = spec.childForFieldName('name')?.text;
              if (name)
                ex.reexports.push({ module: resolved, name, as: spec.childForFieldName('alias')?.text ?? name });
            }
          continue;
        }
        if (decl) {
          for (const name of declaredNames(decl)) addExport(name, isDefault ? 'default' : name);
          continue;
        }
        const clause = stmt.namedChildren.find((c) => c.type === 'export_clause');
        if (clause) {
          for (const spec of clause.namedChildren) {
            if (spec.type !== 'export_specifier') continue;
            const name = spec.childForFieldName('name')?.text;
            if (name) addExport(name, spec.childForFieldName('alias')?.text ?? name);
          }
          continue;
        }
        // `export default x`
        const value = stmt.childForFieldName('value') ?? stmt.namedChildren.find((c) => c.type === 'identifier');
        if (isDefault && value?.type === 'identifier') addExport(value.text, 'default');
        continue;
      }
      // CommonJS: `module.exports = { a, b: c }`, `module.exports.a = a`, `exports.a = a`.
      if (stmt.type === 'expression_statement') {
        const e = stmt.namedChildren[0];
        if (e?.type !== 'assignment_expression') continue;
        const left = dottedName(e.childForFieldName('left'));
        const right = e.childForFieldName('right');
        if (!left || !right) continue;
        if (left === 'module.exports' && unwrap(right).type === 'object') {
          for (const [key, value] of objectProps(unwrap(right)))
            if (isIdent(unwrap(value))) addExport(unwrap(value).text, key);
        } else if (/^(module\.)?exports\.\w+$/.test(left) && unwrap(right).type === 'identifier') {
          addExport(unwrap(right).text, left.split('.').pop()!);
        }
      }
    }

    // Module-level declarations: functions, classes, constants, registries, metric bindings.
    for (const raw of this.root.namedChildren) {
      const stmt = raw.type === 'export_statement' ? (raw.childForFieldName('declaration') ?? raw) : raw;
      if (
        stmt.type === 'function_declaration' ||
        stmt.type === 'generator_function_declaration' ||
        stmt.type === 'class_declaration' ||
        stmt.type === 'abstract_class_declaration'
      ) {
        const name = stmt.childForFieldName('name')?.text;
        if (!name) continue;
        const isClass = stmt.type.includes('class');
        this.pushFunction(name, isClass ? 'class' : 'function', stmt, exportedLocals.get(name) ?? []);
        if (isClass) this.pushMethods(stmt, name);
        continue;
      }
      if (stmt.type !== 'lexical_declaration' && stmt.type !== 'variable_declaration') continue;
      for (const d of declaratorsOf(stmt)) {
        const nameNode = d.childForFieldName('name');
        const value = d.childForFieldName('value');
        if (nameNode?.type !== 'identifier' || !value) continue;
        const name = nameNode.text;
        const exportedAs = exportedLocals.get(name) ?? [];
        const v = unwrap(value);
        if (FUNCTION_TYPES.has(v.type)) {
          this.pushFunction(name, 'function', v, exportedAs);
          continue;
        }
        if (v.type === 'class') {
          this.pushFunction(name, 'class', v, exportedAs);
          this.pushMethods(v, name);
          continue;
        }
        if (exportedAs.length === 0) continue;
        const parts = this.str(v);
        if (!parts.some((p) => p.kind === 'unknown' || p.kind === 'runtime'))
          for (const as of exportedAs) ex.constants[as] = parts;
        const registry = this.registryExpr(nameNode);
        if (registry.kind !== 'unknown') for (const as of exportedAs) ex.registries[as] = registry;
        const key = `${path}#${name}`;
        for (const as of exportedAs) ex.bindings[as] = key;
      }
    }
    // Exported names that alias an import (`export { register } from` handled above; `export { x }` of an import here).
    for (const [local, names] of exportedLocals) {
      const b = this.imports.get(local);
      if (!b) continue;
      for (const as of names) {
        if (b.module === PROM_CLIENT && b.imported === 'register') ex.registries[as] = { kind: 'default' };
        else if (b.module.startsWith('.'))
          ex.reexports.push({ module: this.facts.modules[b.module] ?? b.module, name: b.imported, as });
      }
    }
  }

  private pushFunction(name: string, kind: FunctionDecl['kind'], node: TSNode, exported: string[]): void {
    const key = `${this.file.path}#${name}`;
    this.facts.functions.push({
      key,
      name,
      exported,
      kind,
      loc: this.loc(node),
      scope: { kind: 'module', inLoop: false },
    });
    for (const as of exported) this.facts.exports.functions[as] = key;
  }

  private pushMethods(cls: TSNode, className: string): void {
    const body = cls.childForFieldName('body');
    if (!body) return;
    for (const m of body.namedChildren) {
      if (m.type !== 'method_definition') continue;
      const name = m.childForFieldName('name')?.text;
      if (!name || name === 'constructor') continue;
      this.facts.functions.push({
        key: `${this.file.path}#${className}.${name}`,
        name: `${className}.${name}`,
        exported: [],
        kind: 'function',
        loc: this.loc(m),
        scope: { kind: 'module', inLoop: false },
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small syntax helpers
// ---------------------------------------------------------------------------------------------------------

/** The module-level name a function is declared under: `function f`, `const f = () => …` (exported or not). */
function moduleFunctionName(fn: TSNode): string | undefined {
  const atModule = (n: TSNode | null) =>
    n?.type === 'program' || (n?.type === 'export_statement' && n.parent?.type === 'program');
  if (fn.type === 'function_declaration' || fn.type === 'generator_function_declaration')
    return atModule(fn.parent) ? fn.childForFieldName('name')?.text : undefined;
  const d = fn.parent;
  if (d?.type !== 'variable_declarator' || d.childForFieldName('name')?.type !== 'identifier') return undefined;
  return atModule(d.parent?.parent ?? null) ? d.childForFieldName('name')!.text : undefined;
}

/** An identifier, including the shorthand `{ register }` in an object literal (it reads the variable). */
function isIdent(n: TSNode): boolean {
  return n.type === 'identifier' || n.type === 'shorthand_property_identifier';
}

function unwrapDown(node: TSNode | null): TSNode | undefined {
  return node ? unwrap(node) : undefined;
}

function declaredNames(decl: TSNode): string[] {
  if (decl.type === 'lexical_declaration' || decl.type === 'variable_declaration') {
    return declaratorsOf(decl)
      .map((d) => d.childForFieldName('name'))
      .filter((n): n is TSNode => n?.type === 'identifier')
      .map((n) => n.text);
  }
  const name = decl.childForFieldName('name')?.text;
  return name ? [name] : [];
}

function looksLikeRequestParams(params: string[]): boolean {
  const [p0, p1, p2] = params;
  if (p0 !== undefined && REQUEST_PARAM.test(p0)) return true;
  if (p0 === 'ctx' || p0 === 'c' || p0 === 'context') return params.length <= 2;
  return p0 !== undefined && /^(err|error)$/.test(p0) && p1 !== undefined && REQUEST_PARAM.test(p1) && p2 !== undefined;
}

/** "ordersRouter.post('/')" */
function describeRoute(call: TSNode): string {
  const callee = calleeName(call) ?? 'route';
  const [first] = positionalArgs(call);
  const path = first ? stringValue(first) : undefined;
  if (path !== undefined) return `${callee}('${path}')`;
  if (first && unwrap(first).type === 'object') {
    const url = objectProps(unwrap(first)).get('url') ?? objectProps(unwrap(first)).get('path');
    const u = url ? stringValue(url) : undefined;
    if (u !== undefined) return `${callee}({ url: '${u}' })`;
  }
  return `${callee}(…)`;
}

function contextualName(node: TSNode): string | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  if (parent.type === 'variable_declarator' && parent.childForFieldName('value')?.id === node.id)
    return parent.childForFieldName('name')?.text;
  if (parent.type === 'pair' && parent.childForFieldName('value')?.id === node.id)
    return parent.childForFieldName('key')?.text;
  if (parent.type === 'assignment_expression' && parent.childForFieldName('right')?.id === node.id)
    return dottedName(parent.childForFieldName('left'));
  if (parent.type === 'public_field_definition') return parent.childForFieldName('name')?.text;
  return undefined;
}

function contextualClassName(cls: TSNode): string {
  return cls.childForFieldName('name')?.text ?? contextualName(cls) ?? 'this class';
}

/** `!x`, `x === undefined`, `x == null`, `typeof x === 'undefined'`, `!globalThis.x` → x. */
function singletonTest(cond: TSNode): TSNode | undefined {
  let c = unwrap(cond);
  if (c.type === 'parenthesized_expression') c = unwrap(c);
  if (c.type === 'unary_expression' && c.children[0]?.text === '!') return c.childForFieldName('argument') ?? undefined;
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.text;
    const left = c.childForFieldName('left');
    const right = c.childForFieldName('right');
    if (!left || !right || !(op === '===' || op === '==')) return undefined;
    if (/^(undefined|null)$/.test(right.text)) return left;
    if (left.type === 'unary_expression' && left.children[0]?.text === 'typeof' && stringValue(right) === 'undefined')
      return left.childForFieldName('argument') ?? undefined;
  }
  return undefined;
}
