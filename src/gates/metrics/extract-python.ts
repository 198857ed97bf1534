/**
 * Extracts metric facts from one Python file: prometheus_client metrics (`Counter`, `Gauge`, `Summary`,
 * `Histogram`, `Info`, `Enum`) with their namespace/subsystem/unit, `CollectorRegistry` objects,
 * `registry.register(…)`/`unregister(…)`, re-created built-in collectors, label values, OpenTelemetry
 * instruments, and the calls and functions the per-call analysis needs.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import type { SourceFile } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  dottedName,
  importsOf,
  keywordArgs,
  lineOf,
  positionalArgs,
  stringValue,
  templateParts,
  walk,
  type ImportBinding,
} from '../../lang/ts-helpers.js';
import { isPyViewMethod, PY_VIEW_DECORATORS, pyDecoratorName, pyRouteDecorator } from '../../lang/program/routes.js';
import { FileExtractor, labelUse, type FnInfo, type ScopeRules } from './extract-common.js';
import { isEntityLike } from './labels.js';
import type {
  CallSite,
  FacadeCall,
  FileFacts,
  Guard,
  MetricType,
  ObjectExpr,
  OtelKind,
  RegistryExpr,
  RuntimeOrigin,
  StrPart,
} from './model.js';
import { concat, formatParts, joinParts, staticValue, text, templateStrParts } from './parts.js';
import type { ModuleLookup } from '../../lang/program/modules.js';
import { PyScopes, pyParamNames, type PyDeclaration } from '../../lang/program/scope.js';
import type { NameResolution, ValueScope } from './values.js';

const PROM_MODULES = new Set([
  'prometheus_client',
  'prometheus_client.core',
  'prometheus_client.metrics',
  'prometheus_client.registry',
]);
const METRIC_CLASSES: Record<string, MetricType> = {
  Counter: 'counter',
  Gauge: 'gauge',
  Summary: 'summary',
  Histogram: 'histogram',
  Info: 'info',
  Enum: 'enum',
};
const BUILTIN_COLLECTORS: Record<string, 'process' | 'platform' | 'gc'> = {
  ProcessCollector: 'process',
  PlatformCollector: 'platform',
  GCCollector: 'gc',
};
const OTEL_CREATORS: Record<string, OtelKind> = {
  create_counter: 'counter',
  create_up_down_counter: 'up-down-counter',
  create_histogram: 'histogram',
  create_gauge: 'gauge',
  create_observable_counter: 'observable-counter',
  create_observable_up_down_counter: 'observable-up-down-counter',
  create_observable_gauge: 'observable-gauge',
};
const TASK_DECORATOR = /^(task|shared_task|periodic_task|job|actor)$/;
const CACHE_DECORATOR = /(^|\.)(lru_cache|cache|cached_property|memoize|once)$/;

type Decl = PyDeclaration;

/** Extracts the facts of one Python file. */
export function extractPython(file: SourceFile, resolver: ModuleLookup): FileFacts {
  return new PyExtractor(file, resolver).run();
}

class PyExtractor extends FileExtractor {
  private readonly imports = new Map<string, ImportBinding>();
  private readonly scopes = new PyScopes(this.imports);

  constructor(file: SourceFile, resolver: ModuleLookup) {
    super(file, resolver, 'python');
  }

  run(): FileFacts {
    for (const [module, bindings] of importsOf(this.root)) {
      const resolved = PROM_MODULES.has(module) ? undefined : this.resolver.python(this.file.path, module);
      if (resolved) this.facts.modules[module] = resolved;
      for (const b of bindings) this.imports.set(b.local, b);
    }
    const calls = descendantsOfType(this.root, 'call');
    // Constructions first, so `REGISTRY.register(Counter(…))` can point at its inline definition.
    for (const c of calls) this.onConstruct(c);
    for (const c of calls) this.onCall(c);
    this.collectFacades(calls);
    this.collectDeclarations();
    return this.facts;
  }

  private moduleNameSet: Set<string> | undefined;

  /** Names of module-level functions and classes. */
  private moduleNames(): Set<string> {
    if (this.moduleNameSet) return this.moduleNameSet;
    const out = new Set<string>();
    for (const raw of this.root.namedChildren) {
      const stmt = raw.type === 'decorated_definition' ? raw.childForFieldName('definition') : raw;
      if (stmt?.type === 'function_definition' || stmt?.type === 'class_definition') {
        const name = stmt.childForFieldName('name')?.text;
        if (name) out.add(name);
      }
    }
    return (this.moduleNameSet = out);
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

  private moduleOf(binding: ImportBinding): string {
    return this.facts.modules[binding.module] ?? binding.module;
  }

  /** The prometheus_client export a callee denotes: `Counter`, `prom.Counter`, `prometheus_client.Counter`. */
  private promExport(node: TSNode | null): string | undefined {
    if (!node) return undefined;
    const dotted = dottedName(node);
    if (!dotted) return undefined;
    const parts = dotted.split('.');
    const last = parts[parts.length - 1]!;
    if (parts.length === 1) {
      const b = this.imports.get(last);
      return b && PROM_MODULES.has(b.module) && b.imported !== '*' ? b.imported : undefined;
    }
    const head = parts.slice(0, -1).join('.');
    const b = this.imports.get(head) ?? this.imports.get(parts[0]!);
    if (b && b.imported === '*' && (PROM_MODULES.has(b.module) || PROM_MODULES.has(head))) return last;
    return undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Values
  // -------------------------------------------------------------------------------------------------------

  protected str(node: TSNode | null | undefined, depth = 0): StrPart[] {
    if (!node) return [];
    if (depth > 12) return [{ kind: 'unknown', text: node.text }];
    const parts = templateParts(node);
    if (parts) return templateStrParts(parts, (e) => this.str(e, depth + 1));
    switch (node.type) {
      case 'parenthesized_expression':
        return this.str(node.namedChildren[0], depth + 1);
      case 'binary_operator': {
        if (node.childForFieldName('operator')?.text === '+')
          return concat(
            this.str(node.childForFieldName('left'), depth + 1),
            this.str(node.childForFieldName('right'), depth + 1),
          );
        break;
      }
      case 'identifier':
        return this.identifierStr(node, depth);
      case 'attribute': {
        const object = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute')?.text;
        if (object?.type === 'identifier' && attr) {
          const decl = this.lookup(object.text, object);
          if (decl?.kind === 'import' && decl.binding.imported === '*' && !PROM_MODULES.has(decl.binding.module)) {
            const module = this.resolver.python(this.file.path, decl.binding.module);
            if (module) return [{ kind: 'import', module, name: attr }];
          }
          if (decl?.kind === 'class') {
            const v = this.scopes.declarationIn(decl.node.childForFieldName('body')!, attr, false, true);
            if (v?.kind === 'var' && v.value) return this.str(v.value, depth + 1);
          }
        }
        break;
      }
      case 'call': {
        // "_".join(["a", "b"]) and "{}_total".format(x)
        const fn = node.childForFieldName('function');
        if (fn?.type === 'attribute') {
          const method = fn.childForFieldName('attribute')?.text;
          const object = fn.childForFieldName('object');
          const args = positionalArgs(node);
          if (method === 'join' && object && args[0] && (args[0].type === 'list' || args[0].type === 'tuple')) {
            const sep = stringValue(object);
            if (sep !== undefined) {
              return joinParts(args[0].namedChildren, sep, (el) => this.str(el, depth + 1));
            }
          }
          if (method === 'format' && object) {
            const fmt = stringValue(object);
            if (fmt !== undefined && /^[^{}]*(\{\}[^{}]*)*$/.test(fmt)) {
              return formatParts(fmt.split('{}'), args, (a) => this.str(a, depth + 1), '{}');
            }
          }
        }
        break;
      }
    }
    const runtime = this.taint(node);
    return runtime ? [runtime] : [{ kind: 'unknown', text: node.text }];
  }

  private identifierStr(node: TSNode, depth: number): StrPart[] {
    const decl = this.lookup(node.text, node);
    if (!decl) return [{ kind: 'unknown', text: node.text }];
    switch (decl.kind) {
      case 'var':
        if (decl.value && !(decl.value.startIndex <= node.startIndex && node.endIndex <= decl.value.endIndex)) {
          const parts = this.str(decl.value, depth + 1);
          if (!decl.module && parts.some((p) => p.kind === 'runtime')) {
            const origin = parts.find((p) => p.kind === 'runtime') as Extract<StrPart, { kind: 'runtime' }>;
            return [
              {
                kind: 'runtime',
                text: decl.name,
                origin: origin.origin === 'request' ? 'request' : isEntityLike(decl.name) ? 'entity' : origin.origin,
              },
            ];
          }
          return parts;
        }
        return [{ kind: 'unknown', text: node.text }];
      case 'import': {
        if (decl.binding.imported === '*') return [{ kind: 'unknown', text: node.text }];
        const module = this.facts.modules[decl.binding.module];
        return module
          ? [{ kind: 'import', module, name: decl.binding.imported }]
          : [{ kind: 'unknown', text: node.text }];
      }
      case 'param':
        return [{ kind: 'runtime', text: node.text, origin: this.paramOrigin(decl) }];
      case 'loop':
        return [{ kind: 'runtime', text: node.text, origin: 'loop' }];
      default:
        return [{ kind: 'unknown', text: node.text }];
    }
  }

  private taint(node: TSNode): StrPart | undefined {
    let found: StrPart | undefined;
    walk(node, (n) => {
      if (found) return false;
      if (n.type !== 'identifier') return undefined;
      const parent = n.parent;
      if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id) return undefined;
      if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id) return undefined;
      const decl = this.lookup(n.text, n);
      if (decl?.kind === 'param') found = { kind: 'runtime', text: n.text, origin: this.paramOrigin(decl) };
      else if (decl?.kind === 'loop') found = { kind: 'runtime', text: n.text, origin: 'loop' };
      return undefined;
    });
    return found;
  }

  private paramOrigin(decl: Extract<Decl, { kind: 'param' }>): RuntimeOrigin {
    if (decl.name === 'request' || decl.name === 'req') return 'request';
    if (decl.fn.type === 'function_definition' && this.fnInfo(decl.fn).hot) return 'request';
    return isEntityLike(decl.name) ? 'entity' : 'param';
  }

  private stringList(node: TSNode | null | undefined, depth = 0): string[] | undefined {
    if (!node || depth > 4) return undefined;
    if (node.type === 'identifier') {
      const decl = this.lookup(node.text, node);
      return decl?.kind === 'var' && decl.value ? this.stringList(decl.value, depth + 1) : undefined;
    }
    if (node.type === 'string') {
      // A single string is iterated character by character by the library: treat as unknown.
      return undefined;
    }
    if (node.type !== 'list' && node.type !== 'tuple' && node.type !== 'parenthesized_expression') return undefined;
    const out: string[] = [];
    for (const el of node.namedChildren) {
      if (el.type === 'comment') continue;
      const v = staticValue(this.str(el));
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------------------
  // Registries and objects
  // -------------------------------------------------------------------------------------------------------

  private registryExpr(node: TSNode | null | undefined, depth = 0): RegistryExpr {
    if (!node) return { kind: 'default' };
    const label = node.text;
    if (node.type === 'none') return { kind: 'none' };
    if (depth > 6) return { kind: 'unknown', label };
    if (this.promExport(node) === 'REGISTRY') return { kind: 'default' };
    if (node.type === 'identifier') {
      const decl = this.lookup(node.text, node);
      if (!decl) return { kind: 'unknown', label };
      if (decl.kind === 'import') {
        if (PROM_MODULES.has(decl.binding.module)) return { kind: 'unknown', label };
        return { kind: 'import', module: this.moduleOf(decl.binding), name: decl.binding.imported, label };
      }
      if (decl.kind === 'var' && decl.value) {
        if (
          decl.value.type === 'call' &&
          this.promExport(decl.value.childForFieldName('function')) === 'CollectorRegistry'
        ) {
          return { kind: 'local', key: this.varKey(decl), label, perCall: !decl.module };
        }
        return this.registryExpr(decl.value, depth + 1);
      }
      return { kind: 'unknown', label };
    }
    if (node.type === 'call' && this.promExport(node.childForFieldName('function')) === 'CollectorRegistry') {
      return {
        kind: 'local',
        key: `${this.file.path}:${lineOf(node)}:${node.startPosition.column}`,
        label,
        perCall: this.scopeOf(node).kind === 'function',
      };
    }
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute')?.text;
      if (object?.type === 'identifier' && object.text === 'self' && attr) {
        const cls = this.className(node);
        if (cls) return { kind: 'local', key: `${this.file.path}#class:${cls}.${attr}`, label, perCall: false };
      }
      if (object?.type === 'identifier' && attr) {
        const decl = this.lookup(object.text, object);
        if (decl?.kind === 'import' && decl.binding.imported === '*' && !PROM_MODULES.has(decl.binding.module)) {
          const module = this.resolver.python(this.file.path, decl.binding.module);
          if (module) return { kind: 'import', module, name: attr, label };
        }
      }
    }
    return { kind: 'unknown', label };
  }

  private objectExpr(node: TSNode | null | undefined): ObjectExpr {
    if (!node) return { kind: 'unknown', label: '?' };
    const label = node.text;
    if (node.type === 'call') {
      const id = this.defByNode.get(node.id);
      return id ? { kind: 'inline', defId: id, label } : { kind: 'unknown', label };
    }
    if (node.type === 'identifier') {
      const decl = this.lookup(node.text, node);
      if (decl?.kind === 'var') return { kind: 'local', key: decl.classBody ? label : this.varKey(decl), label };
      if (decl?.kind === 'import' && !PROM_MODULES.has(decl.binding.module))
        return { kind: 'import', module: this.moduleOf(decl.binding), name: decl.binding.imported, label };
      return { kind: 'unknown', label };
    }
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute')?.text;
      if (object?.type === 'identifier' && attr) {
        if (object.text === 'self' || object.text === 'cls') {
          const cls = this.className(node);
          if (cls) return { kind: 'local', key: `${this.file.path}#class:${cls}.${attr}`, label };
        }
        const decl = this.lookup(object.text, object);
        if (decl?.kind === 'class')
          return { kind: 'local', key: `${this.file.path}#class:${object.text}.${attr}`, label };
        if (decl?.kind === 'import' && decl.binding.imported === '*' && !PROM_MODULES.has(decl.binding.module)) {
          const module = this.resolver.python(this.file.path, decl.binding.module);
          if (module) return { kind: 'import', module, name: attr, label };
        }
      }
    }
    return { kind: 'unknown', label };
  }

  private className(node: TSNode): string | undefined {
    for (let n: TSNode | null = node.parent; n; n = n.parent)
      if (n.type === 'class_definition') return n.childForFieldName('name')?.text;
    return undefined;
  }

  private bindingOf(call: TSNode): string | undefined {
    const parent = call.parent;
    if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== call.id) return undefined;
    const left = parent.childForFieldName('left');
    if (!left) return undefined;
    if (left.type === 'identifier') {
      // A class attribute: `class M: REQS = Counter(…)` → `M.REQS` / `self.REQS`.
      const stmtBlock = parent.parent?.parent;
      if (stmtBlock?.type === 'block' && stmtBlock.parent?.type === 'class_definition') {
        const cls = stmtBlock.parent.childForFieldName('name')?.text;
        return cls ? `${this.file.path}#class:${cls}.${left.text}` : undefined;
      }
      const decl = this.lookup(left.text, left);
      return decl?.kind === 'var' ? this.varKey(decl) : undefined;
    }
    const expr = this.objectExpr(left);
    return expr.kind === 'local' ? expr.key : undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Scopes
  // -------------------------------------------------------------------------------------------------------

  protected readonly scopeRules: ScopeRules = {
    loops: (n, child) =>
      ((n.type === 'for_statement' || n.type === 'while_statement') && n.childForFieldName('body')?.id === child.id) ||
      n.type === 'list_comprehension' ||
      n.type === 'generator_expression' ||
      n.type === 'set_comprehension' ||
      n.type === 'dictionary_comprehension',
    guardAt: (n, child) => this.guardAt(n, child),
    functionAt: (n) => (n.type === 'function_definition' ? this.fnInfo(n) : undefined),
  };

  private guardAt(n: TSNode, child: TSNode): Guard | undefined {
    if (n.type === 'try_statement' && n.childForFieldName('body')?.id === child.id) {
      // `except ValueError`, `except Exception`, a bare `except:` all absorb the duplicate error.
      for (const c of n.namedChildren) {
        if (c.type !== 'except_clause') continue;
        const what = c.namedChildren.find((x) => x.type !== 'block' && x.type !== 'comment');
        if (!what || /\b(ValueError|Exception|BaseException)\b/.test(what.text)) return 'try';
      }
      return undefined;
    }
    if (n.type === 'if_statement' && n.childForFieldName('condition')?.id !== child.id) {
      const cond = n.childForFieldName('condition');
      if (!cond) return undefined;
      if (/_names_to_collectors|get_sample_value/.test(cond.text)) return 'get-single-metric';
      // `if X is None:` / `if not X:` on a module-level name.
      const tested =
        cond.type === 'comparison_operator' && /\bis\s+None$/.test(cond.text.trim())
          ? cond.namedChildren[0]
          : cond.type === 'not_operator'
            ? cond.childForFieldName('argument')
            : undefined;
      if (tested?.type === 'identifier') {
        const decl = this.lookup(tested.text, tested);
        if (decl?.kind === 'var' && decl.module) return 'singleton';
      }
    }
    return undefined;
  }

  protected computeFnInfo(fn: TSNode): FnInfo {
    const name = fn.childForFieldName('name')?.text ?? 'lambda';
    const line = lineOf(fn);
    const cls =
      fn.parent?.type === 'block' && fn.parent.parent?.type === 'class_definition'
        ? fn.parent.parent
        : fn.parent?.type === 'decorated_definition' &&
            fn.parent.parent?.type === 'block' &&
            fn.parent.parent.parent?.type === 'class_definition'
          ? fn.parent.parent.parent
          : undefined;
    const clsName = cls?.childForFieldName('name')?.text;
    const moduleLevel =
      fn.parent?.type === 'module' ||
      (fn.parent?.type === 'decorated_definition' && fn.parent.parent?.type === 'module');
    const key = clsName
      ? name === '__init__'
        ? `${this.file.path}#${clsName}`
        : `${this.file.path}#${clsName}.${name}`
      : moduleLevel
        ? `${this.file.path}#${name}`
        : `${this.file.path}@${line}:${name}`;
    const display = clsName ? (name === '__init__' ? `${clsName}.__init__` : `${clsName}.${name}`) : name;
    const decorators =
      fn.parent?.type === 'decorated_definition' ? fn.parent.namedChildren.filter((c) => c.type === 'decorator') : [];
    let guard: Guard | undefined;
    for (const d of decorators) {
      const dname = pyDecoratorName(d);
      if (!dname) continue;
      const last = dname.split('.').pop() ?? '';
      if (CACHE_DECORATOR.test(dname)) guard = 'cache-decorator';
      const route = pyRouteDecorator(d);
      if (route?.name !== undefined) {
        // The message names the positional path only, as written.
        const [path] = route.call ? positionalArgs(route.call) : [];
        const p = path ? stringValue(path) : undefined;
        return {
          key,
          name: display,
          line,
          hot: { reason: 'view', detail: `${display}, the view of @${dname}(${p !== undefined ? `'${p}'` : '…'})` },
        };
      }
      if (PY_VIEW_DECORATORS.has(last)) {
        return { key, name: display, line, hot: { reason: 'view', detail: `${display}, a Django view (@${dname})` } };
      }
      if (TASK_DECORATOR.test(last))
        return {
          key,
          name: display,
          line,
          hot: { reason: 'task', detail: `${display}, a task body (@${dname}) that runs for every job` },
        };
    }
    if (guard) return { key, name: display, line, guard };
    const params = pyParamNames(fn);
    const firstReal = params[0] === 'self' || params[0] === 'cls' ? params[1] : params[0];
    if (cls && isPyViewMethod(name, cls.childForFieldName('superclasses')?.text ?? '')) {
      return { key, name: display, line, hot: { reason: 'view', detail: `${display}, a class-based view method` } };
    }
    if (firstReal === 'request' && !clsName)
      return { key, name: display, line, hot: { reason: 'view', detail: `${display}, a view (it takes the request)` } };
    return { key, name: display, line };
  }

  // -------------------------------------------------------------------------------------------------------
  // Constructions and calls
  // -------------------------------------------------------------------------------------------------------

  private arg(call: TSNode, name: string, position: number): TSNode | undefined {
    return keywordArgs(call).get(name) ?? positionalArgs(call)[position];
  }

  private onConstruct(c: TSNode): void {
    const fnNode = c.childForFieldName('function');
    const exported = this.promExport(fnNode);
    if (!exported) return;
    if (exported === 'CollectorRegistry') {
      const key = this.bindingOf(c) ?? `${this.file.path}:${lineOf(c)}:${c.startPosition.column}`;
      this.facts.registries.push({
        library: 'prometheus_client',
        key,
        label: key.split('#').pop() ?? 'registry',
        openMetrics: false,
        loc: this.loc(c),
        scope: this.scopeOf(c),
      });
      return;
    }
    const builtin = BUILTIN_COLLECTORS[exported];
    if (builtin) {
      // Built-in collectors register themselves (into REGISTRY unless told otherwise), under fixed names.
      const kw = keywordArgs(c);
      if (kw.has('namespace') && stringValue(kw.get('namespace')!) !== '') return;
      const registry = this.registryExpr(kw.get('registry'));
      if (registry.kind === 'none') return;
      this.facts.registrations.push({
        library: 'prometheus_client',
        registry,
        target: { kind: 'unknown', label: `${exported}()` },
        call: c.text,
        fatal: true,
        builtin,
        loc: this.loc(c),
        scope: this.scopeOf(c),
      });
      return;
    }
    const type = METRIC_CLASSES[exported];
    if (!type) return;
    const nameNode = this.arg(c, 'name', 0);
    const ns = this.arg(c, 'namespace', 3);
    const sub = this.arg(c, 'subsystem', 4);
    const unit = this.arg(c, 'unit', 5);
    const registryNode = this.arg(c, 'registry', 6);
    const hasSplat = (c.childForFieldName('arguments')?.namedChildren ?? []).some(
      (a) => a.type === 'dictionary_splat' || a.type === 'list_splat',
    );
    const prefix = (n: TSNode | undefined): StrPart[] => {
      if (!n) return [];
      const parts = this.str(n);
      const v = staticValue(parts);
      if (v === '') return [];
      return concat(parts, text('_'));
    };
    const nameParts = nameNode
      ? concat(prefix(ns), prefix(sub), this.str(nameNode))
      : [{ kind: 'unknown' as const, text: '**kwargs' }];
    const labelsNode = this.arg(c, 'labelnames', 2);
    const labels = labelsNode ? this.stringList(labelsNode) : hasSplat ? undefined : [];
    const doc = this.arg(c, 'documentation', 1);
    const id = `${this.file.path}:${lineOf(c)}:${c.startPosition.column}`;
    this.defByNode.set(c.id, id);
    const binding = this.bindingOf(c);
    this.facts.metrics.push({
      id,
      library: 'prometheus_client',
      lang: 'python',
      ctor: fnNode?.text ?? exported,
      type,
      nameParts,
      ...(unit ? { unit: this.str(unit) } : {}),
      nameText: nameNode?.text ?? '',
      ...(labels !== undefined ? { labels } : {}),
      ...(doc ? { help: stringValue(doc) ?? null } : hasSplat ? { help: null } : {}),
      registries: [
        hasSplat && !registryNode ? { kind: 'unknown', label: '**kwargs' } : this.registryExpr(registryNode),
      ],
      ...(binding ? { binding } : {}),
      loc: this.loc(c),
      scope: this.scopeOf(c),
    });
  }

  private onCall(c: TSNode): void {
    const fnNode = c.childForFieldName('function');
    if (!fnNode) return;
    if (fnNode.type === 'identifier') {
      const b = this.imports.get(fnNode.text);
      if (b?.module === 'importlib' && b.imported === 'reload') return this.onReload(c);
      this.recordCall(c, fnNode.text);
      return;
    }
    if (fnNode.type !== 'attribute') return;
    const object = fnNode.childForFieldName('object');
    const method = fnNode.childForFieldName('attribute')?.text ?? '';
    if (method === 'reload' && object?.type === 'identifier' && this.imports.get(object.text)?.module === 'importlib')
      return this.onReload(c);
    if (method === 'register' || method === 'unregister') {
      const registry = this.registryExpr(object);
      if (registry.kind === 'unknown' || registry.kind === 'none') return;
      const [arg] = positionalArgs(c);
      if (method === 'register') {
        this.facts.registrations.push({
          library: 'prometheus_client',
          registry,
          target: this.objectExpr(arg),
          call: c.text,
          fatal: true,
          loc: this.loc(c),
          scope: this.scopeOf(c),
        });
      } else {
        this.facts.clears.push({
          library: 'prometheus_client',
          op: 'unregister',
          registry,
          target: this.objectExpr(arg),
          call: c.text,
          loc: this.loc(c),
          scope: this.scopeOf(c),
        });
      }
      return;
    }
    const otel = OTEL_CREATORS[method];
    if (otel) return this.onOtel(c, object, method, otel);
    if (method === 'labels' || method === 'remove') return this.onLabels(c, object);
    // A facade's recording names its metric first; an instrument's names the amount (its target stays unresolved).
    this.onFacadeRecord(c, method);
    if (method === 'add' || method === 'record' || method === 'set') this.onAttributes(c, object);
    if (object && object.type !== 'call' && !(object.type === 'identifier' && /^(self|cls)$/.test(object.text)))
      this.onFacadeCall(c, { kind: 'method', name: method, ...this.importedModuleOf(object) });
    if (object?.type === 'identifier' && (object.text === 'self' || object.text === 'cls')) {
      const cls = this.className(c);
      if (cls)
        this.facts.calls.push({
          callee: { kind: 'local', key: `${this.file.path}#${cls}.${method}` },
          display: `self.${method}()`,
          loc: this.loc(c),
          scope: this.scopeOf(c),
        });
      return;
    }
    // `module.func()` where `module` is an imported repository module.
    if (object?.type === 'identifier' && this.imports.get(object.text)?.imported === '*') {
      const decl = this.lookup(object.text, object);
      if (decl?.kind === 'import' && decl.binding.imported === '*' && !PROM_MODULES.has(decl.binding.module)) {
        const module = this.resolver.python(this.file.path, decl.binding.module);
        if (module)
          this.facts.calls.push({
            callee: { kind: 'import', module, name: method },
            display: `${object.text}.${method}()`,
            loc: this.loc(c),
            scope: this.scopeOf(c),
          });
      }
    }
  }

  private recordCall(c: TSNode, name: string): void {
    // Only module-level functions/classes and imported names can be call-graph targets: skip `len()`.
    if (!this.imports.has(name) && !this.moduleNames().has(name)) return;
    const decl = this.lookup(name, c);
    if (!decl) return;
    let callee: CallSite['callee'] | undefined;
    if ((decl.kind === 'function' || decl.kind === 'class') && decl.module)
      callee = { kind: 'local', key: `${this.file.path}#${name}` };
    else if (decl.kind === 'import' && decl.binding.imported !== '*' && this.facts.modules[decl.binding.module]) {
      callee = { kind: 'import', module: this.facts.modules[decl.binding.module]!, name: decl.binding.imported };
    }
    if (callee) {
      this.facts.calls.push({ callee, display: `${name}()`, loc: this.loc(c), scope: this.scopeOf(c) });
      this.onFacadeCall(c, callee);
    }
  }

  /** The repository module an object expression's root is imported from (`meter` of `from ..telemetry import meter`). */
  private importedModuleOf(object: TSNode): { module?: string } {
    const root = dottedName(object)?.split('.')[0];
    if (!root) return {};
    const decl = this.lookup(root, object);
    if (decl?.kind !== 'import' || PROM_MODULES.has(decl.binding.module)) return {};
    const module =
      this.facts.modules[decl.binding.module] ??
      (decl.binding.imported === '*' ? this.resolver.python(this.file.path, decl.binding.module) : undefined);
    return module ? { module } : {};
  }

  /**
   * `meter.create_metric("shop.orders", type=MetricType.COUNTER, unit=…, description=…)`,
   * `make_counter("orders", "Orders")`: a definition if the callee is a facade (see collectFacades). Only
   * calls that look like one: a static name, and a metric-ish method name or keywords.
   */
  private onFacadeCall(c: TSNode, callee: FacadeCall['callee']): void {
    const method = callee.kind === 'method' ? callee.name : callee.kind === 'local' ? callee.key : callee.name;
    const kw = keywordArgs(c);
    const metricish =
      /metric|counter|gauge|histogram|summary|instrument|timer/i.test(method) ||
      ['type', 'kind', 'unit', 'description', 'documentation'].some((k) => kw.has(k));
    if (!metricish) return;
    const nameNode = kw.get('name') ?? positionalArgs(c)[0];
    if (!nameNode) return;
    const nameParts = this.str(nameNode);
    if (nameParts.some((p) => p.kind === 'runtime' || p.kind === 'unknown')) return;
    const typeText = (kw.get('type') ?? kw.get('kind') ?? kw.get('instrument_type'))?.text ?? '';
    const otelKind: OtelKind = /UP_?DOWN/i.test(typeText)
      ? 'up-down-counter'
      : /HISTOGRAM/i.test(typeText)
        ? 'histogram'
        : /GAUGE/i.test(typeText)
          ? 'gauge'
          : 'counter';
    const type: MetricType =
      otelKind === 'histogram'
        ? 'histogram'
        : otelKind === 'counter'
          ? /SUMMARY/i.test(typeText)
            ? 'summary'
            : 'counter'
          : 'gauge';
    const description = kw.get('description') ?? kw.get('documentation');
    const binding = this.bindingOf(c);
    const fnNode = c.childForFieldName('function');
    this.facts.facadeCalls.push({
      callee,
      argIndex: kw.has('name') ? -1 : 0,
      def: {
        id: `${this.file.path}:${lineOf(c)}:${c.startPosition.column}`,
        library: 'opentelemetry',
        lang: 'python',
        ctor: fnNode?.text ?? method,
        type,
        otelKind,
        nameParts,
        nameText: nameNode.text,
        ...(description ? { help: stringValue(description) ?? null } : {}),
        registries: [],
        ...(binding ? { binding } : {}),
        loc: this.loc(c),
        scope: this.scopeOf(c),
      },
    });
  }

  /**
   * `meter.record(METRIC_ORDERS, 1, Unit.ORDER, attributes={…})`: a facade's recording names the metric by
   * its handle (what `create_metric` returned) and carries the attributes (label values) as a keyword.
   */
  private onFacadeRecord(c: TSNode, method: string): void {
    if (!/^(record|increment|inc|add|observe|set)/.test(method)) return;
    const attrs = keywordArgs(c).get('attributes') ?? keywordArgs(c).get('labels');
    const first = positionalArgs(c)[0];
    if (!attrs || !first || (first.type !== 'identifier' && first.type !== 'attribute')) return;
    if (this.objectExpr(first).kind === 'unknown') return;
    const dicts = attrs.type === 'dictionary' ? [attrs] : attrs.type === 'identifier' ? this.dictsOf(attrs) : [];
    const extra = attrs.type === 'identifier' ? this.subscriptStores(attrs) : [];
    for (const d of dicts) this.onLabels(c, first, d);
    if (extra.length > 0) this.onLabels(c, first, undefined, extra);
  }

  /** The dictionaries assigned to a local name (`attributes = {…}`) in its block. */
  private dictsOf(name: TSNode): TSNode[] {
    const decl = this.lookup(name.text, name);
    if (decl?.kind !== 'var' || decl.module) return [];
    const out: TSNode[] = [];
    for (const a of descendantsOfType(decl.block, 'assignment')) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === name.text && right?.type === 'dictionary') out.push(right);
    }
    return out;
  }

  /** `attributes[KEY] = value` stores into a local dictionary, in its block. */
  private subscriptStores(name: TSNode): Array<[TSNode, TSNode]> {
    const decl = this.lookup(name.text, name);
    if (decl?.kind !== 'var' || decl.module) return [];
    const out: Array<[TSNode, TSNode]> = [];
    for (const a of descendantsOfType(decl.block, 'assignment')) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'subscript' || !right) continue;
      const object = left.childForFieldName('value');
      const key = left.childForFieldName('subscript');
      if (object?.type === 'identifier' && object.text === name.text && key) out.push([key, right]);
    }
    return out;
  }

  /**
   * A repository's own wrapper over a metric constructor: a function or method passing one of its parameters
   * as the name to an OpenTelemetry creator (`otel_meter.create_counter(name, …)`) or a prometheus_client
   * class, directly or through one helper of its class or module (`self._create_instrument(meter, name, …)`).
   */
  private collectFacades(calls: TSNode[]): void {
    interface Carrier {
      fn: TSNode;
      index: number;
      param: string;
      kinds: Set<string>;
      library: 'opentelemetry' | 'prometheus_client';
      /** A prometheus_client construction passing `registry=`. */
      ownRegistry?: boolean;
    }
    const carriers = new Map<number, Carrier>();
    for (const c of calls) {
      const fnNode = c.childForFieldName('function');
      const method = fnNode?.type === 'attribute' ? fnNode.childForFieldName('attribute')?.text : undefined;
      const otel = method ? OTEL_CREATORS[method] : undefined;
      const prom = otel ? undefined : METRIC_CLASSES[this.promExport(fnNode) ?? ''];
      if (!otel && !prom) continue;
      const nameNode = this.arg(c, 'name', 0);
      if (nameNode?.type !== 'identifier') continue;
      const decl = this.lookup(nameNode.text, nameNode);
      if (decl?.kind !== 'param' || decl.fn.type !== 'function_definition') continue;
      const params = ownParams(decl.fn);
      const index = params.indexOf(nameNode.text);
      if (index === -1) continue;
      const carrier = carriers.get(decl.fn.id) ?? {
        fn: decl.fn,
        index,
        param: nameNode.text,
        kinds: new Set<string>(),
        library: otel ? 'opentelemetry' : 'prometheus_client',
      };
      carrier.kinds.add(otel ?? prom!);
      if (prom && keywordArgs(c).has('registry')) carrier.ownRegistry = true;
      carriers.set(decl.fn.id, carrier);
    }
    if (carriers.size === 0) return;
    const facades = new Map<number, Carrier & { via?: Carrier }>(carriers);
    // One hop: a function of the same class or module handing its own parameter to a carrier.
    const byName = new Map<string, Carrier>();
    for (const carrier of carriers.values()) {
      const n = carrier.fn.childForFieldName('name')?.text;
      if (n) byName.set(`${this.className(carrier.fn) ?? ''}.${n}`, carrier);
    }
    for (const c of calls) {
      const fnNode = c.childForFieldName('function');
      if (!fnNode) continue;
      const calleeName =
        fnNode.type === 'identifier'
          ? fnNode.text
          : fnNode.type === 'attribute'
            ? fnNode.childForFieldName('attribute')?.text
            : undefined;
      if (!calleeName) continue;
      const carrier = byName.get(`${this.className(c) ?? ''}.${calleeName}`);
      if (!carrier) continue;
      const value = keywordArgs(c).get(carrier.param) ?? positionalArgs(c)[carrier.index];
      if (value?.type !== 'identifier') continue;
      const decl = this.lookup(value.text, value);
      if (decl?.kind !== 'param' || decl.fn.type !== 'function_definition' || facades.has(decl.fn.id)) continue;
      const index = ownParams(decl.fn).indexOf(value.text);
      if (index !== -1) facades.set(decl.fn.id, { ...carrier, fn: decl.fn, index, param: value.text, via: carrier });
    }
    for (const f of facades.values()) {
      const name = f.fn.childForFieldName('name')?.text;
      if (!name) continue;
      const cls = this.className(f.fn);
      const kinds = [...f.kinds];
      const raises = descendantsOfType(f.fn, 'raise_statement').length > 0;
      this.facts.facades.push({
        fnKey: cls ? `${this.file.path}#${cls}.${name}` : `${this.file.path}#${name}`,
        paramIndex: f.index,
        library: f.library,
        type: f.library === 'opentelemetry' ? otelType(kinds[0] as OtelKind) : (kinds[0] as MetricType),
        ...(cls ? { method: name } : {}),
        ...(kinds.length > 1 ? { typeFromCall: true } : {}),
        ...(raises ? { raises: true } : {}),
        display: cls ? `${cls}.${name}()` : `${name}()`,
        ...(f.library === 'prometheus_client' && !f.ownRegistry ? { defaultRegistry: true } : {}),
      });
    }
  }

  /** `importlib.reload(metrics)`: the module's top level runs again, metrics included. */
  private onReload(c: TSNode): void {
    const [arg] = positionalArgs(c);
    if (arg?.type !== 'identifier' && arg?.type !== 'attribute') return;
    const decl = arg.type === 'identifier' ? this.lookup(arg.text, arg) : undefined;
    let module: string | undefined;
    if (decl?.kind === 'import') {
      // `import app.metrics as m` / `from app import metrics`
      module =
        decl.binding.imported === '*'
          ? this.resolver.python(this.file.path, decl.binding.module)
          : this.resolver.python(this.file.path, `${decl.binding.module}.${decl.binding.imported}`);
    } else if (arg.type === 'attribute') {
      module = this.resolver.python(this.file.path, arg.text);
    }
    if (!module) return;
    this.facts.reloads.push({ module, call: c.text, loc: this.loc(c), scope: this.scopeOf(c) });
  }

  /** OpenTelemetry: `counter.add(1, {"route": r})`, `histogram.record(ms, attributes={…})`. */
  private onAttributes(c: TSNode, object: TSNode | null): void {
    const attrs = keywordArgs(c).get('attributes') ?? positionalArgs(c)[1];
    if (attrs?.type !== 'dictionary') return;
    this.onLabels(c, object, attrs);
  }

  private onLabels(
    c: TSNode,
    object: TSNode | null,
    attributes?: TSNode,
    stores?: ReadonlyArray<[TSNode, TSNode]>,
  ): void {
    const target = this.objectExpr(object);
    if (target.kind === 'unknown') return;
    const scope: ValueScope = {
      isRequestRoot: (name: string, at: TSNode) => {
        const decl = this.lookup(name, at);
        if (decl?.kind !== 'param') return false;
        return (
          name === 'request' ||
          name === 'req' ||
          (decl.fn.type === 'function_definition' && this.fnInfo(decl.fn).hot !== undefined)
        );
      },
      resolve: (name, at) => this.resolveValue(name, at),
    };
    const use = (key: { label: string } | { position: number }, value: TSNode) =>
      this.facts.labelUses.push(labelUse(target, key, value, scope, this.loc(value)));
    // Attribute keys are often constants (`error_attributes.ERROR_TYPE`): their text names the label.
    const labelOf = (key: TSNode) => stringValue(key) ?? staticValue(this.str(key)) ?? key.text;
    if (stores) {
      for (const [key, value] of stores) use({ label: labelOf(key) }, value);
      return;
    }
    if (attributes) {
      for (const pair of attributes.namedChildren) {
        if (pair.type !== 'pair') continue;
        const key = pair.childForFieldName('key');
        const value = pair.childForFieldName('value');
        const label = key ? labelOf(key) : undefined;
        if (label !== undefined && value) use({ label }, value);
      }
      return;
    }
    positionalArgs(c).forEach((value, position) => use({ position }, value));
    for (const [label, value] of keywordArgs(c)) use({ label }, value);
  }

  /**
   * What a name used as a label value is bound to: bounded when annotated `Literal[...]` (or `bool`), else
   * every value assigned to it in its block (a constant, an `if`/`else` between literals).
   */
  private resolveValue(name: string, at: TSNode): NameResolution {
    const decl = this.lookup(name, at);
    if (!decl) return undefined;
    if (decl.kind === 'param') {
      const param = decl.fn
        .childForFieldName('parameters')
        ?.namedChildren.find(
          (p) =>
            (p.type === 'typed_parameter' && p.namedChildren[0]?.text === name) ||
            (p.type === 'typed_default_parameter' && p.childForFieldName('name')?.text === name),
        );
      const type = param?.childForFieldName('type');
      if (type && boundedPyType(type)) return { bounded: true };
      return undefined;
    }
    if (decl.kind !== 'var') return undefined;
    const values: TSNode[] = [];
    for (const a of descendantsOfType(decl.block, 'assignment')) {
      const left = a.childForFieldName('left');
      if (left?.type !== 'identifier' || left.text !== name) continue;
      const type = a.childForFieldName('type');
      if (type && boundedPyType(type)) return { bounded: true };
      const right = a.childForFieldName('right');
      if (right) values.push(right);
    }
    return values.length > 0 ? { values } : undefined;
  }

  private onOtel(c: TSNode, object: TSNode | null, method: string, kind: OtelKind): void {
    const meter = this.meterOf(object);
    if (meter === undefined) return;
    const nameNode = this.arg(c, 'name', 0);
    const unit = this.arg(c, 'unit', 1);
    const description = this.arg(c, 'description', 2);
    this.addOtelMetric(
      c,
      { ctor: `${object?.text ?? 'meter'}.${method}`, kind, meter, binding: this.bindingOf(c) },
      { name: nameNode, unit, description },
    );
  }

  private meterOf(object: TSNode | null, depth = 0): string | undefined {
    if (!object || depth > 4) return undefined;
    const usesOtel = [...this.imports.values()].some(
      (b) => b.module === 'opentelemetry' || b.module.startsWith('opentelemetry.'),
    );
    if (!usesOtel) return undefined;
    if (object.type === 'call') {
      const callee = calleeName(object) ?? '';
      if (!/get_meter$/.test(callee)) return undefined;
      const [name, version] = positionalArgs(object);
      if (!name) return '';
      if (name.type === 'identifier' && name.text === '__name__') return this.file.path;
      const nv = stringValue(name);
      const vv = version ? stringValue(version) : undefined;
      return nv === undefined ? '' : `${nv}${vv ? `@${vv}` : ''}`;
    }
    if (object.type === 'identifier') {
      const decl = this.lookup(object.text, object);
      if (decl?.kind === 'var' && decl.value) return this.meterOf(decl.value, depth + 1);
      return '';
    }
    return '';
  }

  // -------------------------------------------------------------------------------------------------------
  // Declarations and exports
  // -------------------------------------------------------------------------------------------------------

  private collectDeclarations(): void {
    const ex = this.facts.exports;
    const path = this.file.path;
    for (const raw of this.root.namedChildren) {
      const stmt = raw.type === 'decorated_definition' ? (raw.childForFieldName('definition') ?? raw) : raw;
      if (stmt.type === 'function_definition' || stmt.type === 'class_definition') {
        const name = stmt.childForFieldName('name')?.text;
        if (!name) continue;
        const key = `${path}#${name}`;
        this.facts.functions.push({
          key,
          name,
          exported: [name],
          kind: stmt.type === 'class_definition' ? 'class' : 'function',
          loc: this.loc(stmt),
          scope: { kind: 'module', inLoop: false },
        });
        ex.functions[name] = key;
        continue;
      }
      if (stmt.type !== 'expression_statement') continue;
      const a = stmt.namedChildren[0];
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'identifier' || !right) continue;
      const name = left.text;
      const parts = this.str(right);
      if (!parts.some((p) => p.kind === 'unknown' || p.kind === 'runtime')) ex.constants[name] = parts;
      const registry = this.registryExpr(left);
      if (registry.kind !== 'unknown') ex.registries[name] = registry;
      ex.bindings[name] = `${path}#${name}`;
    }
    // `from .metrics import REQS` re-exported by `__init__.py` and the like.
    for (const [local, b] of this.imports) {
      if (b.imported === '*' || PROM_MODULES.has(b.module)) continue;
      const module = this.facts.modules[b.module];
      if (module) ex.reexports.push({ module, name: b.imported, as: local });
    }
  }
}

/** A function's parameters as its callers pass them: without `self`/`cls`. */
function ownParams(fn: TSNode): string[] {
  const names = pyParamNames(fn);
  return names[0] === 'self' || names[0] === 'cls' ? names.slice(1) : names;
}

function otelType(kind: OtelKind): MetricType {
  return kind === 'histogram' ? 'histogram' : kind.includes('gauge') || kind.includes('up-down') ? 'gauge' : 'counter';
}

/** `Literal["remote", "local"]`, `bool`, `Optional[Literal[…]]`. */
function boundedPyType(type: TSNode): boolean {
  const t = type.text.replace(/\s+/g, '');
  return /^(typing\.)?(Literal\[.*\]|bool)$/.test(t) || /^(typing\.)?Optional\[(typing\.)?Literal\[.*\]\]$/.test(t);
}
