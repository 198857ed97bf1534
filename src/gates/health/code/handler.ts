/**
 * What a health handler does: the dependency calls it makes (database, cache, queue, HTTP), directly or
 * through helpers a short walk away (same file, imported repository modules, `this.method()`), whether
 * each call is bounded in time, and `Promise.race` timeouts whose timers are never cleared.
 *
 * Where a call's receiver comes from decides what it is: an import of a known client library, a
 * variable built from one (also in another repository file), a NestJS constructor parameter or Python
 * annotation of a known type. Only when none of those is visible does a name hint (`db.query`,
 * `redis.ping`) count, and only for methods that clearly talk to the dependency.
 */
import type { TSNode } from '../../../lang/source-file.js';
import {
  calleeName,
  dottedName,
  lineOf,
  endLineOf,
  keywordArgs,
  objectProps,
  positionalArgs,
  unwrapAwait as unwrap,
} from '../../../lang/ts-helpers.js';
import type { DepKind, HandlerFacts, Loc, TimerLeak } from '../model.js';
import { FUNCTION_NODES, functionOf, valueOf, type CodeBase, type FileInfo } from './codebase.js';
import { JS_LIBRARIES, NAME_HINTS, NON_IO_METHODS, PY_LIBRARIES, TYPE_KINDS, type LibrarySpec } from './libraries.js';

/** How far helper calls are followed from a handler. */
const MAX_DEPTH = 3;

/** Option keys that bound a call in time. */
const TIMEOUT_KEYS =
  /^(timeout|timeoutMs|timeout_ms|signal|abortSignal|deadline|requestTimeout|request_timeout|socketTimeout|socket_timeout|socketConnectTimeout|socket_connect_timeout|commandTimeout|command_timeout|connectTimeout|connect_timeout|connectionTimeoutMillis|statement_timeout|statementTimeout|query_timeout|queryTimeout)$/;

/** Keyword arguments whose dictionary holds driver options (`create_engine(url, connect_args={…})`). */
const NESTED_OPTION_KEYS = /^(connect_args|options|connection_kwargs|socket_options|extra|socket|pool)$/;

/** Names of context managers / wrappers that bound what runs inside them. */
const PY_TIMEOUT_CONTEXTS = /(^|\.)(timeout|timeout_at|fail_after|fail_at|move_on_after|Timeout|timeout_after)$/;

/** Identifiers that say "the process is shutting down". */
const SHUTDOWN_STATE = /shut_?down|shutting|terminat|draining|is_?stopping|closing|isShuttingDown/i;

/** What a receiver is. */
interface Client {
  kind: DepKind | 'none';
  /** A package's module object (`axios`, `requests`), whose calls are I/O only when listed. */
  module?: LibrarySpec;
  /** A factory (a class or builder), not a client. */
  factory?: boolean;
  /** Bounded by the client's own configuration (`timeout:` when it was built) or library default. */
  timeout?: string;
  /** Only these methods count (HttpHealthIndicator: pingCheck/responseCheck). */
  methods?: RegExp;
}

export function locOf(info: FileInfo, node: TSNode): Loc {
  return { path: info.path, line: lineOf(node), endLine: endLineOf(node) };
}

function isCall(n: TSNode): boolean {
  return n.type === 'call_expression' || n.type === 'call';
}

/** The function/callee node of a call. */
function fnOf(call: TSNode): TSNode | null {
  return call.childForFieldName('function');
}

/** `a.b` → [a, b]; the object and property of a member access, in JS or Python. */
function memberParts(node: TSNode): { object: TSNode; property: string } | undefined {
  if (node.type === 'member_expression') {
    const object = node.childForFieldName('object');
    const property = node.childForFieldName('property')?.text;
    return object && property ? { object, property } : undefined;
  }
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const property = node.childForFieldName('attribute')?.text;
    return object && property ? { object, property } : undefined;
  }
  return undefined;
}

/** A short label for a call: `db.$queryRaw`, `mongoose.connection.db.admin().ping`. */
function calleeLabel(call: TSNode): string {
  const fn = fnOf(call);
  const text = calleeName(call) ?? fn?.text ?? call.text;
  return text.replace(/\s+/g, '').replace(/\?\./g, '.').slice(0, 60);
}

/** Parameters of a function node: name → the parameter node. */
function paramsOf(fn: TSNode): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!params) return out;
  const list = params.type === 'identifier' ? [params] : params.namedChildren;
  for (const p of list) {
    if (!p) continue;
    const name =
      p.type === 'identifier'
        ? p.text
        : (
            p.childForFieldName('pattern') ??
            p.childForFieldName('name') ??
            p.namedChildren.find((c) => c?.type === 'identifier')
          )?.text;
    if (name) out.set(name, p);
  }
  return out;
}

/** The type name written on a parameter (`db: TypeOrmHealthIndicator`, `session: AsyncSession`). */
function typeNameOf(param: TSNode): string | undefined {
  const t = param.childForFieldName('type');
  if (!t) return undefined;
  const text = t.text.replace(/^:\s*/, '');
  const m = /([A-Za-z_][\w]*)(?:<[^>]*>)?\s*(?:\||$)/.exec(text.replace(/^Annotated\[|^Optional\[/, ''));
  return m?.[1];
}

/** Analyses handlers of one code base; results are cached per function node. */
export class HandlerAnalyzer {
  private readonly clientCache = new Map<string, Client | null>();
  private readonly wrapperCache = new Map<number, boolean>();

  constructor(private readonly code: CodeBase) {}

  /** Facts about a handler function (or a block of code, for path checks inside middleware). */
  async analyse(fn: TSNode, info: FileInfo): Promise<HandlerFacts> {
    const facts: HandlerFacts = { loc: locOf(info, fn), deps: [], leaks: [], readsShutdownState: false };
    await this.walkFunction(fn, info, facts, [], undefined, undefined, 0, new Set());
    facts.errorStatus = await this.errorStatus(fn, info, 0);
    if (facts.deps.length === 0 && !facts.errorStatus && !facts.readsShutdownState && onlyAnswers(fn, info))
      facts.checksNothing = true;
    return facts;
  }

  /**
   * Whether a handler can answer non-2xx: its own code, or a function whose result it returns
   * (followed through imports a few hops; one we cannot follow may, as far as we know).
   */
  private async errorStatus(fn: TSNode, info: FileInfo, depth: number): Promise<boolean> {
    if (answersErrors(fn, info)) return true;
    if (info.lang !== 'js') return false;
    for (const callee of delegatedReturns(fn)) {
      if (depth >= MAX_DEPTH || callee.type !== 'identifier') return true;
      const r = await this.code.resolve(info, callee.text);
      const target = r && 'node' in r ? functionOf(r.node) : undefined;
      if (!target || !r || !('node' in r) || (await this.errorStatus(target, r.info, depth + 1))) return true;
    }
    return false;
  }

  private async walkFunction(
    fn: TSNode,
    info: FileInfo,
    facts: HandlerFacts,
    via: string[],
    outerTimeout: string | undefined,
    outerCaught: Loc | undefined,
    depth: number,
    seen: Set<string>,
  ): Promise<void> {
    const key = `${info.path}:${fn.startIndex}`;
    if (seen.has(key)) return;
    seen.add(key);
    const calls: TSNode[] = [];
    const stack: TSNode[] = [fn];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'call_expression' || n.type === 'call') calls.push(n);
      if ((n.type === 'identifier' || n.type === 'property_identifier') && SHUTDOWN_STATE.test(n.text))
        facts.readsShutdownState = true;
      for (let i = n.namedChildCount - 1; i >= 0; i--) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
    }
    calls.sort((a, b) => a.startIndex - b.startIndex);
    for (const call of calls) {
      const dep = await this.classifyCall(call, info);
      if (dep) {
        const timeout = (await this.timeoutAround(call, info, fn)) ?? dep.timeout ?? outerTimeout;
        const caught = caughtAround(call, fn, info) ?? outerCaught;
        facts.deps.push({
          kind: dep.kind,
          callee: calleeLabel(call),
          loc: locOf(info, call),
          ...(timeout ? { timeout } : {}),
          ...(caught ? { caught } : {}),
          via,
        });
        continue;
      }
      if (info.lang === 'js' && calleeName(call) === 'Promise.race') {
        for (const leak of await this.raceLeaks(call, info)) facts.leaks.push({ ...leak, via });
        continue;
      }
      if (depth >= MAX_DEPTH) continue;
      const target = await this.callTarget(call, info);
      if (!target) continue;
      const timeout = (await this.timeoutAround(call, info, fn)) ?? outerTimeout;
      const label = `${calleeLabel(call)}() (${target.info.path}:${lineOf(target.fn)})`;
      const before = facts.leaks.length;
      const caught = caughtAround(call, fn, info) ?? outerCaught;
      await this.walkFunction(target.fn, target.info, facts, [...via, label], timeout, caught, depth + 1, seen);
      // A leak inside a wrapper: the delay is usually the wrapper's parameter; take it from this call.
      for (const leak of facts.leaks.slice(before))
        if (leak.ms === undefined) {
          const ms = literalMs(call);
          if (ms !== undefined) leak.ms = ms;
        }
    }
  }

  /** The function a call runs, when it is in the repository: local, imported, or `this.method`. */
  private async callTarget(call: TSNode, info: FileInfo): Promise<{ fn: TSNode; info: FileInfo } | undefined> {
    const fn = fnOf(call);
    if (!fn) return undefined;
    if (fn.type === 'identifier') {
      const local = findLocal(call, fn.text);
      if (local) {
        if (local.type === 'function') return { fn: local.node, info };
        const v = unwrap(local.node);
        return local.type === 'value' && FUNCTION_NODES.has(v.type) ? { fn: v, info } : undefined;
      }
      const r = await this.code.resolve(info, fn.text);
      if (r && 'node' in r) {
        const f = functionOf(r.node);
        if (f) return { fn: f, info: r.info };
        // Python: calling a class runs its __init__; not followed.
      }
      return undefined;
    }
    const m = memberParts(fn);
    if (!m) return undefined;
    // this.method() / self.method()
    if (m.object.type === 'this' || (m.object.type === 'identifier' && m.object.text === 'self')) {
      const cls = enclosingClass(call);
      const method = cls ? classMethod(cls, m.property) : undefined;
      return method ? { fn: method, info } : undefined;
    }
    // module.fn() for an imported repository module (`from . import checks; checks.db()`; `import * as h from './h'`).
    if (m.object.type === 'identifier') {
      const binding = info.bindings.get(m.object.text);
      if (binding && (binding.imported === '*' || info.lang === 'py')) {
        const path =
          this.code.target(info, binding.imported === '*' ? binding.module : `${binding.module}.${binding.imported}`) ??
          this.code.target(info, binding.module);
        if (!path) return undefined;
        const target = await this.code.info(path);
        if (!target) return undefined;
        const r = await this.code.resolveExport(target, m.property);
        if (r && 'node' in r) {
          const f = functionOf(r.node);
          if (f) return { fn: f, info: r.info };
        }
      }
    }
    return undefined;
  }

  /** A dependency call, or undefined. */
  private async classifyCall(call: TSNode, info: FileInfo): Promise<{ kind: DepKind; timeout?: string } | undefined> {
    const fn = fnOf(call);
    if (!fn) return undefined;
    if (fn.type === 'identifier') {
      const name = fn.text;
      if (findLocal(call, name) || info.decls.has(name)) return undefined;
      const binding = info.bindings.get(name);
      if (binding) {
        const spec = libraryOf(info, binding.module);
        if (!spec) return undefined;
        if (spec.functions?.includes(binding.imported))
          return { kind: spec.kind, ...(spec.defaultTimeout ? { timeout: spec.defaultTimeout } : {}) };
        if ((binding.imported === 'default' || binding.imported === '*') && spec.callable) return { kind: spec.kind };
        return undefined;
      }
      // The global fetch (Node 18+).
      if (info.lang === 'js' && name === 'fetch') return { kind: 'http' };
      return undefined;
    }
    const m = memberParts(fn);
    if (!m) return undefined;
    const client = await this.classifyExpr(m.object, info, call, 0);
    if (client) {
      if (client.kind === 'none' || client.factory) return undefined;
      if (client.module) {
        const calls = client.module.moduleCalls;
        if (calls === '*' || calls?.includes(m.property))
          return { kind: client.kind, ...(client.timeout ? { timeout: client.timeout } : {}) };
        return undefined;
      }
      if (NON_IO_METHODS.has(m.property)) return undefined;
      if (client.methods && !client.methods.test(m.property)) return undefined;
      return { kind: client.kind, ...(client.timeout ? { timeout: client.timeout } : {}) };
    }
    // Nothing visible: a name hint, for methods that clearly talk to the dependency.
    const rootName = hintName(m.object);
    if (rootName)
      for (const h of NAME_HINTS) if (h.name.test(rootName) && h.methods.test(m.property)) return { kind: h.kind };
    return undefined;
  }

  /** What an expression used as a receiver is. */
  private async classifyExpr(expr: TSNode, info: FileInfo, at: TSNode, depth: number): Promise<Client | undefined> {
    if (depth > 5) return undefined;
    const n = unwrap(expr);
    switch (n.type) {
      case 'identifier':
        return this.classifyName(n.text, info, at, depth);
      case 'this':
        return undefined;
      case 'member_expression':
      case 'attribute': {
        const m = memberParts(n)!;
        // this.db → the constructor parameter's type (NestJS) or the field's initializer.
        if (m.object.type === 'this' || (m.object.type === 'identifier' && m.object.text === 'self'))
          return this.classifyField(n, m.property, info, depth);
        const inner = await this.classifyExpr(m.object, info, at, depth + 1);
        if (!inner) return undefined;
        if (inner.module) {
          if (inner.module.moduleCalls === '*') return { kind: inner.kind };
          const factories = inner.module.factories;
          const timeout = inner.module.defaultTimeout;
          if (factories === '*' || factories?.includes(m.property))
            return { kind: inner.kind, factory: true, ...(timeout ? { timeout } : {}) };
          return undefined;
        }
        // `Redis.from_url`, `PrismaClient.x`: a static factory of a client class.
        if (inner.factory)
          return { kind: inner.kind, factory: true, ...(inner.timeout ? { timeout: inner.timeout } : {}) };
        return { kind: inner.kind, ...(inner.timeout ? { timeout: inner.timeout } : {}) };
      }
      case 'call_expression':
      case 'call':
      case 'new_expression': {
        const callee = n.type === 'new_expression' ? n.childForFieldName('constructor') : fnOf(n);
        if (!callee) return undefined;
        const c = await this.classifyExpr(callee, info, at, depth + 1);
        if (!c || c.kind === 'none') return undefined;
        const timeout = optionTimeout(n) ?? c.timeout;
        if (c.module) {
          // `knex({...})`, `postgres(url)`: a callable module that builds a client.
          if (c.module.factories === '*' || c.module.callable === false)
            return { kind: c.kind, ...(timeout ? { timeout } : {}) };
          return undefined;
        }
        // A factory called, or a method of a client (`pool.connect()`, `engine.connect()`) → a client.
        return { kind: c.kind, ...(timeout ? { timeout } : {}) };
      }
      case 'binary_expression':
      case 'boolean_operator': {
        for (const side of [n.childForFieldName('left'), n.childForFieldName('right')]) {
          if (!side) continue;
          const c = await this.classifyExpr(side, info, at, depth + 1);
          if (c) return c;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private async classifyName(name: string, info: FileInfo, at: TSNode, depth: number): Promise<Client | undefined> {
    const local = findLocal(at, name);
    if (local) {
      if (local.type === 'param') return this.classifyParam(local.node, info);
      if (local.type === 'value') return this.classifyExpr(local.node, info, local.node, depth + 1);
      return undefined;
    }
    const cacheKey = `${info.path}#${name}`;
    const cached = this.clientCache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    this.clientCache.set(cacheKey, null);
    let result: Client | undefined;
    const decl = info.decls.get(name);
    if (decl) {
      const v = valueOf(decl);
      if (v) result = await this.classifyExpr(v, info, v, depth + 1);
    } else {
      const binding = info.bindings.get(name);
      if (binding) {
        const spec = libraryOf(info, binding.module);
        if (spec) {
          if (binding.imported === '*' || binding.imported === 'default') {
            result =
              spec.factories === '*' && !spec.moduleCalls && !spec.callable
                ? { kind: spec.kind, factory: true }
                : { kind: spec.kind, module: spec };
            if (spec.defaultTimeout) result.timeout = spec.defaultTimeout;
          } else if (spec.instances?.includes(binding.imported)) result = { kind: spec.kind };
          else if (spec.factories === '*' || spec.factories?.includes(binding.imported)) {
            result = {
              kind: spec.kind,
              factory: true,
              ...(spec.defaultTimeout ? { timeout: spec.defaultTimeout } : {}),
            };
          }
        } else {
          const r = await this.code.resolve(info, name);
          if (r && 'node' in r && r.name !== '*') {
            const v = valueOf(r.node);
            if (v) result = await this.classifyExpr(v, r.info, v, depth + 1);
            else if (
              r.node.type === 'class_declaration' &&
              /PrismaService|PrismaClient/.test(r.node.text.slice(0, 200))
            )
              result = { kind: 'database', factory: true };
          } else if (r && 'node' in r && r.name === '*' && r.info.lang === 'js') {
            // CommonJS `module.exports = knex(...)` required as a whole.
            const def = await this.code.resolveExport(r.info, 'default');
            if (def && 'node' in def) {
              const v = valueOf(def.node) ?? (def.name === 'default' ? def.node : undefined);
              if (v) result = await this.classifyExpr(v, def.info, v, depth + 1);
            }
          }
        }
      }
    }
    this.clientCache.set(cacheKey, result ?? null);
    return result;
  }

  /** A parameter: its declared type (NestJS injection, Python annotations). */
  private classifyParam(param: TSNode, info: FileInfo): Client | undefined {
    const type = typeNameOf(param);
    if (!type) return undefined;
    for (const t of TYPE_KINDS) {
      if (!t.test.test(type)) continue;
      // Generic names (Session, Pool, Connection, Model…) only count when imported from a client library.
      const binding = info.bindings.get(type);
      const generic = /^(Session|Pool|Connection|Model|Database|Db|Queue|Channel|Cluster|Engine)$/.test(type);
      if (
        generic &&
        !(binding && (libraryOf(info, binding.module) || /typeorm|mongoose|bull|@nestjs/.test(binding.module)))
      )
        continue;
      return {
        kind: t.kind,
        ...(t.defaultTimeout ? { timeout: t.defaultTimeout } : {}),
        ...(t.methods ? { methods: t.methods } : {}),
      };
    }
    const binding = info.bindings.get(type);
    const spec = binding ? libraryOf(info, binding.module) : undefined;
    if (spec) return { kind: spec.kind };
    return undefined;
  }

  /** `this.x`: a constructor parameter property (TS), a field initializer, or `self.x = …` in `__init__`. */
  private async classifyField(node: TSNode, field: string, info: FileInfo, depth: number): Promise<Client | undefined> {
    const cls = enclosingClass(node);
    if (!cls) return undefined;
    const body = cls.childForFieldName('body');
    for (const member of body?.namedChildren ?? []) {
      if (!member) continue;
      if (member.type === 'method_definition' && member.childForFieldName('name')?.text === 'constructor') {
        const param = paramsOf(member).get(field);
        if (
          param &&
          param.namedChildren.some((c) => c?.type === 'accessibility_modifier' || c?.type === 'override_modifier')
        )
          return this.classifyParam(param, info);
        if (param && param.text.includes('readonly')) return this.classifyParam(param, info);
      }
      if (
        (member.type === 'public_field_definition' || member.type === 'field_definition') &&
        (member.childForFieldName('name') ?? member.childForFieldName('property'))?.text === field
      ) {
        const value = member.childForFieldName('value');
        if (value) return this.classifyExpr(value, info, value, depth + 1);
        const typed = member.childForFieldName('type');
        if (typed) return this.classifyParam(member, info);
      }
    }
    return undefined;
  }

  /** What bounds a call: an option, a wrapper around it, an enclosing Python timeout context. */
  private async timeoutAround(call: TSNode, info: FileInfo, stopAt: TSNode): Promise<string | undefined> {
    const own = optionTimeout(call);
    if (own) return own;
    for (let n: TSNode | null = call.parent; n && n.id !== stopAt.id; n = n.parent) {
      if (isCall(n)) {
        const name = calleeName(n) ?? '';
        if (name === 'Promise.race' && raceHasTimer(n)) return '`Promise.race` with a timer';
        if (/(^|\.)(wait_for)$/.test(name)) return '`asyncio.wait_for`';
        if (/timeout|deadline/i.test(name.slice(name.lastIndexOf('.') + 1))) return `\`${name}()\``;
        const target = await this.callTarget(n, info);
        if (target && this.isTimeoutWrapper(target.fn)) return `\`${name}()\``;
      }
      // `const work = pool.query('SELECT 1'); await Promise.race([work, timeout])`.
      if (n.type === 'variable_declarator' && info.lang === 'js') {
        const name = n.childForFieldName('name');
        const scope = enclosingFunctionNode(n);
        if (name?.type === 'identifier' && scope && racedWithTimer(scope, name.text))
          return '`Promise.race` with a timer';
      }
      if (n.type === 'with_statement') {
        for (const item of n.descendantsOfType('with_item')) {
          const value = item?.childForFieldName('value');
          const c = value && isCall(value) ? value : value?.namedChildren.find((x) => x !== null && isCall(x));
          const name = c ? calleeName(c) : undefined;
          if (name && PY_TIMEOUT_CONTEXTS.test(name)) return `\`${name}()\``;
        }
      }
    }
    return undefined;
  }

  /** A function whose body races a timer or aborts on one: calls through it are bounded. */
  private isTimeoutWrapper(fn: TSNode): boolean {
    const cached = this.wrapperCache.get(fn.id);
    if (cached !== undefined) return cached;
    const text = fn.text;
    const result =
      (/Promise\.race/.test(text) && /setTimeout|timeout/i.test(text)) ||
      /AbortSignal\.timeout|\.abort\(/.test(text) ||
      /wait_for|fail_after|asyncio\.timeout/.test(text);
    this.wrapperCache.set(fn.id, result);
    return result;
  }

  /** Timers raced against work and never cleared. */
  private async raceLeaks(race: TSNode, info: FileInfo): Promise<Array<Omit<TimerLeak, 'via'>>> {
    const [arg] = positionalArgs(race);
    if (!arg || unwrap(arg).type !== 'array') return [];
    const scope = enclosingFunctionNode(race) ?? info.root;
    const helper = enclosingFunctionName(race);
    const out: Array<Omit<TimerLeak, 'via'>> = [];
    for (const el of unwrap(arg).namedChildren) {
      if (!el || el.type === 'spread_element' || el.type === 'comment') continue;
      for (const timer of await this.timersOf(el, info, scope, 0)) {
        const ms = literalMs(timer.node, 1);
        out.push({
          timer: locOf(timer.info, timer.node),
          race: locOf(info, race),
          ...(helper ? { helper } : {}),
          ...(ms !== undefined ? { ms } : {}),
        });
      }
    }
    return out;
  }

  /** Uncleared timers created by a race element. */
  private async timersOf(
    el: TSNode,
    info: FileInfo,
    scope: TSNode,
    depth: number,
  ): Promise<Array<{ node: TSNode; info: FileInfo }>> {
    if (depth > 2) return [];
    let n = unwrap(el);
    // `x.then(…)`, `x.catch(…)`: the timer is in x.
    while (isCall(n)) {
      const fn = fnOf(n);
      const m = fn ? memberParts(fn) : undefined;
      if (m && (m.property === 'then' || m.property === 'catch' || m.property === 'finally')) n = unwrap(m.object);
      else break;
    }
    if (n.type === 'new_expression' && n.childForFieldName('constructor')?.text === 'Promise') {
      const out: Array<{ node: TSNode; info: FileInfo }> = [];
      for (const t of n.descendantsOfType('call_expression')) {
        if (!t || !isGlobalSetTimeout(t, info)) continue;
        if (!isCleared(t, scope)) out.push({ node: t, info });
      }
      return out;
    }
    if (n.type === 'identifier') {
      const local = findLocal(n, n.text);
      if (local?.type === 'value') return this.timersOf(local.node, info, scope, depth + 1);
      return [];
    }
    if (isCall(n)) {
      const fn = fnOf(n);
      // timers/promises: `setTimeout(ms)` keeps its timer unless given a signal that is aborted.
      if (fn?.type === 'identifier') {
        const b = info.bindings.get(fn.text);
        if (b && /^(node:)?timers\/promises$/.test(b.module) && b.imported === 'setTimeout') {
          const opts = positionalArgs(n)[2];
          return opts && objectProps(opts).has('signal') ? [] : [{ node: n, info }];
        }
      }
      const target = await this.callTarget(n, info);
      if (!target) return [];
      // A helper returning a timer promise: its handle is lost to the caller.
      const out: Array<{ node: TSNode; info: FileInfo }> = [];
      for (const ret of returnedExpressions(target.fn))
        out.push(...(await this.timersOf(ret, target.info, target.fn, depth + 1)));
      return out;
    }
    return [];
  }
}

/** Which library spec a module specifier names. */
function libraryOf(info: FileInfo, module: string): LibrarySpec | undefined {
  const table = info.lang === 'js' ? JS_LIBRARIES : PY_LIBRARIES;
  return table[module] ?? (info.lang === 'py' ? table[module.split('.')[0]!] : undefined);
}

/** The name a hint is matched on: `db` in `db.query`, `this.db.query`, `self.redis.ping`. */
function hintName(object: TSNode): string | undefined {
  const n = unwrap(object);
  if (n.type === 'identifier') return n.text;
  const m = memberParts(n);
  if (m && (m.object.type === 'this' || m.object.text === 'self')) return m.property;
  return undefined;
}

/** A literal timeout option on the call itself (`{ timeout: 500 }`, `signal:`, Python `timeout=`). */
function optionTimeout(call: TSNode): string | undefined {
  for (const [k, v] of keywordArgs(call)) {
    if (TIMEOUT_KEYS.test(k)) return `\`${k}=\``;
    const d = unwrap(v);
    if (NESTED_OPTION_KEYS.test(k) && d.type === 'dictionary')
      for (const key of objectProps(d).keys()) if (TIMEOUT_KEYS.test(key)) return `\`${key}\` in \`${k}=\``;
  }
  for (const a of positionalArgs(call)) {
    let u = unwrap(a);
    // `fetch(url, options)` with `const options = { signal: AbortSignal.timeout(500) }` just above.
    if (u.type === 'identifier') {
      const local = findLocal(u, u.text);
      if (local?.type === 'value' && unwrap(local.node).type === 'object') u = unwrap(local.node);
    }
    if (u.type !== 'object') continue;
    for (const [k, v] of objectProps(u)) {
      if (TIMEOUT_KEYS.test(k)) return `the \`${k}\` option`;
      const d = unwrap(v);
      if (NESTED_OPTION_KEYS.test(k) && d.type === 'object')
        for (const key of objectProps(d).keys()) if (TIMEOUT_KEYS.test(key)) return `the \`${key}\` option`;
    }
  }
  return undefined;
}

/** Does a `Promise.race([...])` race a timer? */
function raceHasTimer(race: TSNode): boolean {
  const [arg] = positionalArgs(race);
  if (!arg) return false;
  if (TIMER_TEXT.test(arg.text)) return true;
  // A timer promise held in a variable: `const timeout = new Promise((_, rej) => setTimeout(rej, 2000))`.
  const elements = unwrap(arg).type === 'array' ? unwrap(arg).namedChildren : [];
  for (const el of elements) {
    const u = el ? unwrap(el) : undefined;
    if (u?.type !== 'identifier') continue;
    const local = findLocal(u, u.text);
    if (local?.type === 'value' && TIMER_TEXT.test(local.node.text)) return true;
    if (local?.type === 'function' && TIMER_TEXT.test(local.node.text)) return true;
    if (!local && /timeout|timer|deadline/i.test(u.text)) return true;
  }
  return false;
}

/**
 * Where a failure of `call` is caught and turned into a normal answer before it leaves `stopAt`: a
 * `catch`/`except` that neither rethrows nor passes the error on, a `.catch(…)` or two-argument `.then`
 * on the call's chain, `Promise.allSettled`, Python `contextlib.suppress`.
 */
function caughtAround(call: TSNode, stopAt: TSNode, info: FileInfo): Loc | undefined {
  let child: TSNode = call;
  for (let n: TSNode | null = call.parent; n && n.id !== stopAt.id; child = n, n = n.parent) {
    if (n.type === 'try_statement') {
      const body = n.childForFieldName('body');
      if (!body || child.id !== body.id) continue;
      const handlers =
        info.lang === 'js'
          ? [n.childForFieldName('handler')].filter((h): h is TSNode => !!h)
          : n.namedChildren.filter(
              (c): c is TSNode => c?.type === 'except_clause' || c?.type === 'except_group_clause',
            );
      if (handlers.length === 0) continue;
      if (handlers.some((h) => RETHROWS.test(h.text))) return undefined;
      return locOf(info, handlers[0]!);
    }
    if (isCall(n)) {
      const name = calleeName(n) ?? '';
      if (/(^|\.)(allSettled)$/.test(name)) return locOf(info, n);
      const fn = fnOf(n);
      const m = fn ? memberParts(fn) : undefined;
      if (m && (fn!.id === child.id || m.object.id === child.id)) {
        // Reported at `.catch` itself, not where the chain starts.
        const at = fn!.childForFieldName('property') ?? n;
        if (m.property === 'catch' && !RETHROWS.test(n.text.slice(fn!.text.length))) return locOf(info, at);
        if (m.property === 'then' && positionalArgs(n).length >= 2) return locOf(info, at);
      }
    }
    if (n.type === 'with_statement' && /\bsuppress\s*\(/.test(n.namedChildren[0]?.text ?? '')) return locOf(info, n);
  }
  return undefined;
}

/** A catch block that lets the failure through. */
const RETHROWS = /\bthrow\b|\braise\b|\bnext\s*\(\s*\w|\breject\s*\(/;

/**
 * Whether a handler can answer with an error status as far as its own code shows: a non-2xx status set
 * or computed (`res.status(ok ? 200 : 503)`, `reply.code(code)`, `{ status }` in a Response init,
 * `status_code=`), a thrown error or exception class, NestJS Terminus `health.check([...])` (which throws
 * 503 itself), a response object handed to another function (which may set it). False only when none
 * of these appear: every answer is a 2xx.
 */
function answersErrors(fn: TSNode, info: FileInfo): boolean {
  const text = fn.text;
  if (/\b[45]\d\d\b/.test(text)) return true;
  if (info.lang === 'py') {
    return (
      /\braise\b|\babort\s*\(|\bstatus(_code)?\s*=\s*(?!20\d\b)|HTTPException|HTTPStatus|status\.HTTP_|\bHttpResponse\w+\(|^\s*return\s+[^\n#]+,\s*(?!20\d\b)[\w.]+\s*$/m.test(
        text,
      ) || passesResponse(fn, ['response', 'resp', 'res'])
    );
  }
  if (
    /\bthrow\b|Exception\b|HttpStatus\.|StatusCodes?\.|\.check\s*\(\s*\[/.test(text) ||
    /\.(status|code|sendStatus|writeHead)\s*\(\s*(?!20\d\s*\))/.test(text) ||
    /\.(status|statusCode)\s*=(?!=)\s*(?!20\d\b)/.test(text) ||
    /[{,]\s*status\s*(:\s*(?!20\d\b)[\w.]+\s*)?[,}]/.test(text) ||
    /\bnext\s*\(\s*\w/.test(text)
  )
    return true;
  // Hono `c.json(body, status)`, `c.text('down', up ? 200 : code())`: a status argument that is not a 2xx literal.
  for (const c of fn.descendantsOfType('call_expression')) {
    const callee = c ? fnOf(c) : undefined;
    const m = callee ? memberParts(callee) : undefined;
    if (!m || !/^(json|text|body|html)$/.test(m.property)) continue;
    const status = positionalArgs(c!)[1];
    if (status && !/^20\d$/.test(unwrap(status).text)) return true;
  }
  return passesResponse(fn, ['res', 'reply', 'ctx', 'response', 'resp', 'c', 'event']);
}

/** Calls that build the response itself (`Response.json(…)`, `json(…)`, `c.text(…)`), not a hand-off. */
const RESPONSE_BUILDERS = /^(json|text|html|body|send|end|redirect|error|Response|NextResponse)$/;

/** Calls that answer or describe the process without asking anything else (`res.send('ok')`, `Date.now()`). */
const JS_ANSWER_CALLS =
  /^(json|text|html|body|send|end|status|sendStatus|code|type|set|header|setHeader|writeHead|Response|NextResponse|Date|String|Number|toISOString|now|uptime|stringify|hrtime|memoryUsage|log|info|debug)$/;
const PY_ANSWER_CALLS =
  /^(JSONResponse|PlainTextResponse|Response|HttpResponse|JsonResponse|jsonify|make_response|dict|str|int|time|now|utcnow|isoformat|monotonic)$/;

/**
 * The handler does nothing but answer: every call builds the response or reads the clock, nothing is
 * awaited (an awaited helper may be a check we could not see), no callback hands control elsewhere.
 */
function onlyAnswers(fn: TSNode, info: FileInfo): boolean {
  if (fn.descendantsOfType(['await_expression', 'await', 'yield_expression', 'yield']).some(Boolean)) return false;
  const answers = info.lang === 'js' ? JS_ANSWER_CALLS : PY_ANSWER_CALLS;
  for (const c of fn.descendantsOfType(['call_expression', 'call', 'new_expression'])) {
    if (!c) continue;
    const callee = c.type === 'new_expression' ? c.childForFieldName('constructor') : fnOf(c);
    if (!callee) return false;
    const name = memberParts(callee)?.property ?? callee.text;
    if (!answers.test(name)) return false;
  }
  return true;
}

/**
 * The callees whose result the handler returns as its response (`return probeDatabase()`,
 * `() => handler(req)`), other than response builders: those functions decide the status.
 */
function delegatedReturns(fn: TSNode): TSNode[] {
  const body = fn.childForFieldName('body');
  const returned = body && body.type !== 'statement_block' ? [body] : [];
  for (const r of fn.descendantsOfType('return_statement')) if (r?.namedChildren[0]) returned.push(r.namedChildren[0]);
  const out: TSNode[] = [];
  for (const expr of returned) {
    const e = unwrap(expr);
    const callee = e.type === 'call_expression' ? fnOf(e) : null;
    if (callee && !RESPONSE_BUILDERS.test(memberParts(callee)?.property ?? callee.text)) out.push(callee);
  }
  return out;
}

/** The handler hands its response object (or context) to another function, which may set the status. */
function passesResponse(fn: TSNode, names: readonly string[]): boolean {
  const params = [...paramsOf(fn).keys()];
  const watched = new Set(params.filter((p) => names.includes(p) || params.indexOf(p) === 1));
  if (watched.size === 0) return false;
  for (const c of fn.descendantsOfType(['call_expression', 'call'])) {
    if (!c) continue;
    const callee = fnOf(c);
    const m = callee ? memberParts(callee) : undefined;
    // `res.send(…)`, `reply.send(…)`, `ctx.json(…)` answer; they are not a hand-off.
    if (m && m.object.type === 'identifier' && watched.has(m.object.text)) continue;
    if (positionalArgs(c).some((a) => unwrap(a).type === 'identifier' && watched.has(unwrap(a).text))) return true;
  }
  return false;
}

/** Is `name` an element of a `Promise.race([...])` with a timer somewhere in `scope`? */
function racedWithTimer(scope: TSNode, name: string): boolean {
  for (const c of scope.descendantsOfType('call_expression')) {
    if (!c || calleeName(c) !== 'Promise.race') continue;
    const [arg] = positionalArgs(c);
    const els = arg && unwrap(arg).type === 'array' ? unwrap(arg).namedChildren : [];
    if (els.some((e) => e && unwrap(e).type === 'identifier' && unwrap(e).text === name) && raceHasTimer(c))
      return true;
  }
  return false;
}

/** Text that creates a timer: `setTimeout`, `AbortSignal.timeout`, `sleep(…)`, `delay(…)`, `timeout(…)`. */
const TIMER_TEXT = /setTimeout|AbortSignal\.timeout|\b(timeout|delay|sleep|wait)\w*\s*\(/i;

function isGlobalSetTimeout(call: TSNode, info: FileInfo): boolean {
  const fn = fnOf(call);
  if (!fn) return false;
  if (fn.type === 'identifier' && fn.text === 'setTimeout') return !info.bindings.has('setTimeout');
  const name = dottedName(fn);
  return name === 'globalThis.setTimeout' || name === 'global.setTimeout' || name === 'window.setTimeout';
}

/** Is a `setTimeout` call's handle cleared (or unref'd) somewhere in `scope`? */
function isCleared(timer: TSNode, scope: TSNode): boolean {
  let parent = timer.parent;
  while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'as_expression'))
    parent = parent.parent;
  if (parent?.type === 'member_expression' && parent.childForFieldName('property')?.text === 'unref') return true;
  let handle: string | undefined;
  if (parent?.type === 'variable_declarator') handle = parent.childForFieldName('name')?.text;
  else if (parent?.type === 'assignment_expression') handle = parent.childForFieldName('left')?.text;
  if (!handle) return false;
  const h = handle.replace(/\s+/g, '');
  for (const call of scope.descendantsOfType('call_expression')) {
    if (!call) continue;
    const name = calleeName(call) ?? '';
    const arg = positionalArgs(call)[0]?.text.replace(/[!\s]/g, '');
    if (/(^|\.)clearTimeout$/.test(name) && arg === h) return true;
    if (name === `${h}.unref` || name === `${h}?.unref`) return true;
  }
  // `?.unref()` parses as a member with optional chaining; compare text.
  return new RegExp(`${h.replace(/[.$]/g, (c) => `\\${c}`)}\\??\\.unref\\(`).test(scope.text);
}

/** A literal number argument of a call (the delay of `setTimeout(fn, 1000)` is index 1). */
function literalMs(call: TSNode, index?: number): number | undefined {
  const args = positionalArgs(call);
  const candidates = index === undefined ? args : args.slice(index, index + 1);
  for (const a of candidates) {
    const u = unwrap(a);
    if (u.type === 'number' || u.type === 'integer') {
      const v = Number(u.text.replace(/_/g, ''));
      if (Number.isFinite(v)) return v;
    }
  }
  return undefined;
}

/** Expressions a function returns (the arrow body, `return x`). */
function returnedExpressions(fn: TSNode): TSNode[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  if (body.type !== 'statement_block' && body.type !== 'block') return [body];
  const out: TSNode[] = [];
  for (const r of body.descendantsOfType('return_statement')) {
    if (!r || enclosingFunctionNode(r)?.id !== fn.id) continue;
    const e = r.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (e) out.push(e);
  }
  return out;
}

export function enclosingFunctionNode(node: TSNode): TSNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_NODES.has(n.type)) return n;
  return undefined;
}

function enclosingFunctionName(node: TSNode): string | undefined {
  const fn = enclosingFunctionNode(node);
  if (!fn) return undefined;
  const own = fn.childForFieldName('name')?.text;
  if (own) return own;
  const p = fn.parent;
  if (p?.type === 'variable_declarator') return p.childForFieldName('name')?.text;
  return undefined;
}

export function enclosingClass(node: TSNode): TSNode | undefined {
  for (let n = node.parent; n; n = n.parent)
    if (
      n.type === 'class_declaration' ||
      n.type === 'class' ||
      n.type === 'class_definition' ||
      n.type === 'abstract_class_declaration'
    )
      return n;
  return undefined;
}

/** A method of a class node by name (JS `method_definition`, Python `def` in the class body). */
export function classMethod(cls: TSNode, name: string): TSNode | undefined {
  const body = cls.childForFieldName('body');
  for (const m of body?.namedChildren ?? []) {
    if (!m) continue;
    const def = m.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
    if (!def) continue;
    if (
      (def.type === 'method_definition' || def.type === 'function_definition') &&
      def.childForFieldName('name')?.text === name
    )
      return def;
  }
  return undefined;
}

/** A binding a function body makes: what `findLocal` answers for `name` at any point after `start`. */
interface LocalBinding {
  name: string;
  start: number;
  type: 'value' | 'function';
  node: TSNode;
}

/**
 * The nearest binding of `name` visible at `at` inside enclosing functions: a parameter, or a variable
 * declared / assigned / bound by `with … as` before `at`. Module-level names are not searched here.
 */
export function findLocal(
  at: TSNode,
  name: string,
): { type: 'param'; node: TSNode } | { type: 'value'; node: TSNode } | { type: 'function'; node: TSNode } | undefined {
  for (let fn = enclosingFunctionNode(at); fn; fn = enclosingFunctionNode(fn)) {
    const param = paramsOf(fn).get(name);
    if (param) return { type: 'param', node: param };
    // The last binding of the name written before `at` (document order).
    let best: LocalBinding | undefined;
    for (const b of bindingsOf(fn)) {
      if (b.start > at.startIndex) break;
      if (b.name === name) best = b;
    }
    if (best) return { type: best.type, node: best.node };
  }
  return undefined;
}

/**
 * The bindings `fn`'s own body makes, in document order. Handlers look up every name they call or pass
 * through `findLocal`, so each function's body is searched once per tree, not once per lookup.
 */
function bindingsOf(fn: TSNode): LocalBinding[] {
  let byFn = bindingsByTree.get(fn.tree);
  if (!byFn) bindingsByTree.set(fn.tree, (byFn = new Map()));
  let list = byFn.get(fn.id);
  if (list) return list;
  list = [];
  const body = fn.childForFieldName('body');
  for (const d of body?.descendantsOfType([
    'variable_declarator',
    'assignment',
    'with_item',
    'function_declaration',
    'function_definition',
  ]) ?? []) {
    if (!d || enclosingFunctionNode(d)?.id !== fn.id) continue;
    const start = d.startIndex;
    if (d.type === 'variable_declarator') {
      const n = d.childForFieldName('name');
      const v = d.childForFieldName('value');
      if (n?.type === 'identifier' && v) list.push({ name: n.text, start, type: 'value', node: v });
    } else if (d.type === 'assignment') {
      const l = d.childForFieldName('left');
      const r = d.childForFieldName('right');
      if (l?.type === 'identifier' && r) list.push({ name: l.text, start, type: 'value', node: r });
    } else if (d.type === 'with_item') {
      const v = d.childForFieldName('value');
      // `with engine.connect() as conn` parses as an as_pattern: value `engine.connect()`, alias `conn`.
      if (v?.type === 'as_pattern') {
        const alias = v.childForFieldName('alias')?.text ?? v.namedChildren[v.namedChildCount - 1]?.text;
        const target = v.namedChildren[0];
        if (alias !== undefined && target) list.push({ name: alias, start, type: 'value', node: target });
      }
    } else {
      const n = d.childForFieldName('name')?.text;
      if (n !== undefined) list.push({ name: n, start, type: 'function', node: d });
    }
  }
  byFn.set(fn.id, list);
  return list;
}
const bindingsByTree = new WeakMap<TSNode['tree'], Map<number, LocalBinding[]>>();
