/**
 * Routes, mounts, listening ports and shutdown handling in JS/TS: Express, Fastify, Koa (+ koa-router),
 * Hono, NestJS controllers, plain `node:http` servers (path checks in the request handler), and the
 * health libraries @godaddy/terminus, lightship and @fastify/under-pressure.
 */
import type { TSNode } from '../../../lang/source-file.js';
import {
  calleeName,
  dottedName,
  objectProps,
  positionalArgs,
  stringValue,
  unwrapAwait as unwrap,
} from '../../../lang/ts-helpers.js';
import type { HandlerFacts, PortExpr, ShutdownHandler } from '../model.js';
import { FUNCTION_NODES, functionOf, valueOf, type CodeBase, type FileInfo } from './codebase.js';
import { classMethod, enclosingClass, enclosingFunctionNode, findLocal, locOf } from './handler.js';
import { FileExtractor, joinPaths, type LiveHandler, type RawFacts, type Receiver } from './routes.js';
import {
  fastifyRoute,
  jsDecoratorArgs,
  jsDecoratorName,
  jsDecoratorsOf,
  jsRouteCall,
  jsRoutePathIndex,
  jsRouteVerb,
  NEST_ROUTE_DECORATORS,
} from '../../../lang/program/routes.js';

/** Packages whose presence makes a file worth extracting. */
export const JS_WEB_MODULES = [
  'express',
  'fastify',
  'koa',
  '@koa/router',
  'koa-router',
  'hono',
  '@hono/node-server',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/terminus',
  'http',
  'https',
  'node:http',
  'node:https',
  '@godaddy/terminus',
  'lightship',
  '@fastify/under-pressure',
  'under-pressure',
  'fastify-plugin',
  'close-with-grace',
  'http-terminator',
];

/** Strings whose presence in a file makes it worth reading (a cheap grep before parsing). */
export const JS_TOKENS = [
  ...JS_WEB_MODULES.map((m) => `'${m}'`),
  ...JS_WEB_MODULES.map((m) => `"${m}"`),
  'SIGTERM',
  '.listen(',
];

function isFn(node: TSNode | null | undefined): boolean {
  return !!node && FUNCTION_NODES.has(node.type);
}

/** The package a name is imported from in this file. */
function moduleOf(info: FileInfo, name: string): { module: string; imported: string } | undefined {
  const b = info.bindings.get(name);
  return b ? { module: b.module, imported: b.imported } : undefined;
}

/** `express`, `express.Router` … : what a callee is, by the import of its root name. */
function calleeRole(info: FileInfo, callee: TSNode | null): string | undefined {
  if (!callee) return undefined;
  const name = dottedName(callee);
  if (!name) return undefined;
  const [root, ...rest] = name.split('.');
  const m = moduleOf(info, root!);
  if (!m) return undefined;
  const what = m.imported === 'default' || m.imported === '*' ? '' : m.imported;
  return [m.module, what, ...rest].filter((x) => x !== '').join('.');
}

/** A literal number or env-based port expression. */
export function portExpr(node: TSNode, info: FileInfo, depth = 0): PortExpr {
  const n = unwrap(node);
  if (n.type === 'number') {
    const v = Number(n.text.replace(/_/g, ''));
    return Number.isInteger(v) ? { kind: 'literal', port: v } : { kind: 'unknown', text: n.text };
  }
  if (n.type === 'string') {
    const s = stringValue(n);
    if (s && /^\d+$/.test(s)) return { kind: 'literal', port: Number(s) };
  }
  if (n.type === 'member_expression' || n.type === 'subscript_expression') {
    const name = dottedName(n);
    const env = name && /^process\.env\.([A-Za-z_]\w*)$/.exec(name);
    if (env) return { kind: 'env', name: env[1]! };
  }
  if (n.type === 'binary_expression' || n.type === 'unary_expression') {
    const op = n.children.find((c) => c && !c.isNamed)?.text;
    if (n.type === 'unary_expression' && op === '+') {
      const arg = n.childForFieldName('argument');
      return arg ? portExpr(arg, info, depth + 1) : { kind: 'unknown', text: n.text };
    }
    if (op === '||' || op === '??') {
      const left = portExpr(n.childForFieldName('left')!, info, depth + 1);
      const right = portExpr(n.childForFieldName('right')!, info, depth + 1);
      if (left.kind === 'env' && right.kind === 'literal')
        return { kind: 'env', name: left.name, fallback: right.port };
      if (left.kind === 'literal') return left;
    }
  }
  if (n.type === 'call_expression') {
    const name = calleeName(n);
    if (name === 'Number' || name === 'parseInt' || name === 'Number.parseInt' || name === 'String') {
      const [a] = positionalArgs(n);
      if (a) return portExpr(a, info, depth + 1);
    }
  }
  if (n.type === 'identifier' && depth < 4) {
    const local = findLocal(n, n.text);
    if (local?.type === 'value') return portExpr(local.node, info, depth + 1);
    const decl = info.decls.get(n.text);
    const v = decl?.type === 'variable_declarator' ? decl.childForFieldName('value') : undefined;
    if (v) return portExpr(v, info, depth + 1);
  }
  if (n.type === 'object') {
    const p = objectProps(n).get('port');
    if (p) return portExpr(p, info, depth + 1);
  }
  return { kind: 'unknown', text: n.text.slice(0, 40) };
}

/** Milliseconds of a literal (or a const holding one). */
function msOf(node: TSNode | undefined, info: FileInfo): number | undefined {
  if (!node) return undefined;
  const p = portExpr(node, info);
  if (p.kind === 'literal') return p.port;
  if (p.kind === 'env' && p.fallback !== undefined) return p.fallback;
  return undefined;
}

/** Extracts everything the JS side knows from one file into `facts`. */
export async function extractJs(info: FileInfo, code: CodeBase, facts: RawFacts<LiveHandler>): Promise<void> {
  const ctx = new JsExtractor(info, code, facts);
  await ctx.run();
}

class JsExtractor extends FileExtractor {
  async run(): Promise<void> {
    const info = this.info;
    const calls = info.root.descendantsOfType([
      'call_expression',
      'new_expression',
      'variable_declarator',
      'binary_expression',
      'switch_statement',
      'class_declaration',
    ]);
    for (const node of calls) {
      if (!node) continue;
      switch (node.type) {
        case 'variable_declarator':
          this.declarator(node);
          break;
        case 'call_expression':
          await this.call(node);
          break;
        case 'binary_expression':
          this.pathComparison(node);
          break;
        case 'switch_statement':
          this.pathSwitch(node);
          break;
        case 'class_declaration':
          this.nestController(node);
          break;
        default:
          break;
      }
    }
  }

  /** The id of an app/router object named by an expression, following imports. */
  async receiverOf(expr: TSNode): Promise<Receiver> {
    const n = unwrap(expr);
    if (n.type === 'identifier') {
      const local = findLocal(n, n.text);
      if (local?.type === 'param') {
        const fn = local.node.parent?.parent;
        if (fn && isFn(fn)) {
          const params = local.node.parent!.namedChildren.filter((c) => c !== null && c.type !== 'comment');
          const idx = params.findIndex((p) => p!.id === local.node.id);
          return { kind: 'id', id: `${this.info.path}#${fn.startIndex}:p${idx}` };
        }
        return { kind: 'unknown' };
      }
      if (local?.type === 'value') {
        const fn = enclosingFunctionNode(local.node);
        return { kind: 'id', id: `${this.info.path}#${fn?.startIndex ?? 0}:${n.text}` };
      }
      if (this.info.decls.has(n.text)) return { kind: 'id', id: `${this.info.path}#${n.text}` };
      const r = await this.code.resolve(this.info, n.text);
      if (r && 'node' in r && r.name !== '*')
        return { kind: 'id', id: `${r.info.path}#${r.name === 'default' ? `default@${r.node.startIndex}` : r.name}` };
      return { kind: 'unknown' };
    }
    if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      // koa: router.routes(), router.allowedMethods(); express: require('./routes').
      if (fn?.type === 'member_expression') {
        const prop = fn.childForFieldName('property')?.text;
        if (prop === 'routes' || prop === 'middleware' || prop === 'handler')
          return this.receiverOf(fn.childForFieldName('object')!);
      }
      if (fn?.type === 'identifier' && fn.text === 'require') {
        const spec = stringValue(positionalArgs(n)[0] ?? n);
        const path = spec ? this.code.target(this.info, spec) : undefined;
        const target = path ? await this.code.info(path) : undefined;
        if (target) {
          const r = await this.code.resolveExport(target, 'default');
          if (r && 'node' in r)
            return {
              kind: 'id',
              id: `${r.info.path}#${r.name === 'default' ? `default@${r.node.startIndex}` : r.name}`,
            };
        }
      }
    }
    if (n.type === 'member_expression') {
      // `import * as routes from './routes'; app.use(routes.health)`.
      const obj = n.childForFieldName('object');
      const prop = n.childForFieldName('property')?.text;
      if (obj?.type === 'identifier' && prop) {
        const b = this.info.bindings.get(obj.text);
        if (b?.imported === '*') {
          const path = this.code.target(this.info, b.module);
          if (path) return { kind: 'id', id: `${path}#${prop}` };
        }
      }
    }
    return { kind: 'unknown' };
  }

  /** `const app = express()`, `const router = new Router({ prefix })`, `new Hono().basePath('/api')`. */
  private declarator(node: TSNode): void {
    const name = node.childForFieldName('name');
    const value = node.childForFieldName('value');
    if (name?.type !== 'identifier' || !value) return;
    let v = unwrap(value);
    let ownPrefix = '';
    // new Hono().basePath('/api')
    if (v.type === 'call_expression') {
      const fn = v.childForFieldName('function');
      if (fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'basePath') {
        ownPrefix = stringValue(positionalArgs(v)[0] ?? v) ?? '';
        v = unwrap(fn.childForFieldName('object')!);
      }
    }
    const callee =
      v.type === 'new_expression'
        ? v.childForFieldName('constructor')
        : v.type === 'call_expression'
          ? v.childForFieldName('function')
          : null;
    const role = calleeRole(this.info, callee);
    if (!role) return;
    const fn = enclosingFunctionNode(node);
    const id = fn ? `${this.info.path}#${fn.startIndex}:${name.text}` : `${this.info.path}#${name.text}`;
    const loc = this.loc(node);
    const opts = positionalArgs(v)[0];
    switch (role) {
      case 'express':
        this.facts.frameworks.add('express');
        this.facts.routers.push({ id, app: true, ownPrefix, loc });
        break;
      case 'express.Router':
      case 'express.default.Router':
        this.facts.frameworks.add('express');
        this.facts.routers.push({ id, app: false, ownPrefix, loc });
        break;
      case 'fastify':
      case 'fastify.fastify':
      case 'fastify.Fastify':
        this.facts.frameworks.add('fastify');
        this.facts.routers.push({ id, app: true, ownPrefix, loc });
        break;
      case 'koa':
        this.facts.frameworks.add('koa');
        this.facts.routers.push({ id, app: true, ownPrefix, loc });
        break;
      case '@koa/router':
      case 'koa-router': {
        this.facts.frameworks.add('koa');
        const prefix = opts && unwrap(opts).type === 'object' ? objectProps(unwrap(opts)).get('prefix') : undefined;
        const p = prefix ? stringValue(prefix) : '';
        if (p === undefined) this.facts.uncertain.push({ loc, reason: 'a koa router prefix is computed at run time' });
        this.facts.routers.push({ id, app: false, ownPrefix: p ?? '', loc });
        break;
      }
      case 'hono.Hono':
        this.facts.frameworks.add('hono');
        this.facts.routers.push({ id, app: true, ownPrefix, loc });
        break;
      case 'lightship.createLightship':
        this.lightship(v);
        break;
      default:
        break;
    }
  }

  private async call(call: TSNode): Promise<void> {
    const fn = call.childForFieldName('function');
    if (!fn) return;
    const name = calleeName(call) ?? '';
    const args = positionalArgs(call);
    const role = calleeRole(this.info, fn);

    if (role === 'lightship.createLightship') {
      // Declared lightships are handled by the declarator; a bare call still creates one.
      if (!hasDeclaratorParent(call)) this.lightship(call);
      return;
    }
    if (role === '@godaddy/terminus.createTerminus') return this.terminus(call, args);
    if (role === 'close-with-grace') return this.closeWithGrace(call, args);
    if (role === '@hono/node-server.serve') {
      const opts = args[0] && unwrap(args[0]).type === 'object' ? objectProps(unwrap(args[0])) : undefined;
      const port = opts?.get('port');
      this.facts.listens.push({
        loc: this.loc(call),
        port: port ? portExpr(port, this.info) : { kind: 'literal', port: 3000 },
        via: '@hono/node-server serve',
      });
      return;
    }
    if (role && /^(node:)?https?\.createServer$/.test(role)) return this.createServer(call, args);
    if (role === '@nestjs/terminus.TerminusModule.forRoot') {
      const opts = args[0] && unwrap(args[0]).type === 'object' ? objectProps(unwrap(args[0])) : undefined;
      const ms = msOf(opts?.get('gracefulShutdownTimeoutMs'), this.info);
      if (ms !== undefined) this.facts.nestGrace = { ms, loc: this.loc(call) };
      return;
    }
    if (role === '@nestjs/core.RouterModule.register' || role === '@nestjs/core.RouterModule.forRoutes') {
      this.facts.uncertain.push({ loc: this.loc(call), reason: 'NestJS RouterModule prefixes modules' });
      return;
    }

    if (
      name === 'process.on' ||
      name === 'process.once' ||
      name === 'process.addListener' ||
      name === 'process.prependListener'
    ) {
      return this.signalHandler(call, args);
    }
    if (fn.type !== 'member_expression') {
      await this.callSiteMounts(call, args);
      return;
    }
    const object = fn.childForFieldName('object')!;
    const method = fn.childForFieldName('property')?.text ?? '';

    if (method === 'setGlobalPrefix') {
      const prefix = args[0] ? stringValue(args[0]) : undefined;
      const opts = args[1] && unwrap(args[1]).type === 'object' ? objectProps(unwrap(args[1])) : undefined;
      const exclude: string[] = [];
      const ex = opts?.get('exclude');
      if (ex) {
        for (const e of unwrap(ex).namedChildren) {
          if (!e) continue;
          const s =
            stringValue(e) ??
            (unwrap(e).type === 'object' ? stringValue(objectProps(unwrap(e)).get('path') ?? e) : undefined);
          if (s !== undefined) exclude.push(s);
          else
            this.facts.uncertain.push({
              loc: this.loc(e),
              reason: 'a NestJS global prefix exclusion is not a literal',
            });
        }
      }
      this.facts.globalPrefix = { prefix, exclude, loc: this.loc(call) };
      this.facts.frameworks.add('nest');
      return;
    }
    if (method === 'enableShutdownHooks') {
      this.facts.shutdown.push({ loc: this.loc(call), via: 'nest', closesImmediately: true });
      return;
    }
    if (method === 'enableVersioning') {
      this.facts.uncertain.push({ loc: this.loc(call), reason: 'NestJS versioning adds version segments to paths' });
      return;
    }
    if (method === 'listen') return this.listen(call, object, args);

    const registration = jsRouteCall(call);
    // app.route('/x').get(handler)
    if (registration?.method && registration.chain) {
      const path = stringValue(positionalArgs(registration.chain)[0] ?? registration.chain);
      const recv = await this.receiverOf(registration.receiver);
      if (path !== undefined) await this.route(call, 'express', method, path, recv, args);
      return;
    }
    if (registration?.method && args.length >= 2) {
      const first = args[0]!;
      const pathIndex = jsRoutePathIndex(args);
      const last = unwrap(args[args.length - 1]!);
      const handlerLike =
        isFn(last) ||
        last.type === 'identifier' ||
        last.type === 'member_expression' ||
        last.type === 'object' ||
        last.type === 'call_expression';
      if (!handlerLike) return;
      const recv = await this.receiverOf(object);
      const framework = this.frameworkOfFile();
      if (pathIndex === undefined) {
        if (first.type === 'regex') {
          this.facts.catchAll.push(this.loc(call));
          return;
        }
        const f = unwrap(first);
        if (
          framework &&
          recv.kind === 'id' &&
          (f.type === 'identifier' ||
            f.type === 'template_string' ||
            f.type === 'member_expression' ||
            f.type === 'binary_expression')
        ) {
          this.facts.uncertain.push({
            loc: this.loc(call),
            reason: `a route path is computed at run time (\`${first.text.slice(0, 40)}\`)`,
          });
        }
        return;
      }
      if (!framework) return;
      const path = stringValue(args[pathIndex]!)!;
      await this.route(call, framework, method, path, recv, args.slice(pathIndex + 1));
      return;
    }
    // fastify.route({ method, url, handler })
    const declared = fastifyRoute(call);
    if (declared) {
      if (declared.url === undefined) {
        if (declared.urlNode)
          this.facts.uncertain.push({ loc: this.loc(call), reason: 'a route path is computed at run time' });
        return;
      }
      const recv = await this.receiverOf(object);
      for (const mm of declared.methods)
        await this.route(
          call,
          'fastify',
          mm.toLowerCase(),
          declared.url,
          recv,
          declared.handler ? [declared.handler] : [],
        );
      return;
    }
    // hono: app.route('/prefix', sub)
    if (method === 'route' && args.length === 2) {
      const prefix = stringValue(args[0]!);
      const parent = await this.receiverOf(object);
      const child = await this.receiverOf(args[1]!);
      if (child.kind === 'id') this.facts.mounts.push({ parent, prefix, child: child.id, loc: this.loc(call) });
      return;
    }
    if (method === 'use') return this.use(call, object, args);
    if (method === 'register') return this.register(call, object, args);
  }

  private frameworkOfFile(): 'express' | 'fastify' | 'koa' | 'hono' | undefined {
    const m = this.info.modules;
    if (m.has('express')) return 'express';
    if (m.has('fastify') || m.has('fastify-plugin')) return 'fastify';
    if (m.has('@koa/router') || m.has('koa-router') || m.has('koa')) return 'koa';
    if (m.has('hono')) return 'hono';
    // A module that only receives the app (`export function routes(app: FastifyInstance)`) through a type import.
    for (const b of this.info.bindings.values()) {
      if (b.module === 'fastify') return 'fastify';
      if (b.module === 'express') return 'express';
    }
    return undefined;
  }

  private async route(
    call: TSNode,
    framework: 'express' | 'fastify' | 'koa' | 'hono',
    method: string,
    path: string,
    receiver: Receiver,
    handlerArgs: TSNode[],
  ): Promise<void> {
    this.facts.frameworks.add(framework);
    const m = jsRouteVerb(method) ?? method.toUpperCase();
    if (
      (path === '*' ||
        path === '/*' ||
        path === '(.*)' ||
        path === '/(.*)' ||
        path === '*splat' ||
        path === '/*splat') &&
      (m === 'GET' || m === 'ALL')
    ) {
      this.facts.catchAll.push(this.loc(call));
      return;
    }
    const handlers: Array<{ node: TSNode; info: FileInfo }> = [];
    for (const a of handlerArgs) {
      const u = unwrap(a);
      if (isFn(u)) handlers.push({ node: u, info: this.info });
      else if (u.type === 'object') {
        // fastify: get('/x', { handler })
        const h = objectProps(u).get('handler');
        if (h) handlers.push((await this.handlerFunction(h)) ?? { node: h, info: this.info });
      } else handlers.push((await this.handlerFunction(u)) ?? { node: u, info: this.info });
    }
    this.facts.routes.push({ framework, method: m, path, receiver, loc: this.loc(call), handlers });
  }

  /**
   * The function a handler expression names, so a named handler is analysed like an inline one: a
   * `const health = async (req, reply) => …` inside a plugin, `this.health.bind(this)`,
   * `controller.health` on an instance of a repository class, an imported function.
   */
  private async handlerFunction(expr: TSNode, depth = 0): Promise<LiveHandler | undefined> {
    const u = unwrap(expr);
    if (depth > 3) return undefined;
    if (isFn(u)) return { node: u, info: this.info };
    if (u.type === 'call_expression') {
      // `this.health.bind(this)`, `controller.health.bind(controller)`.
      const fn = u.childForFieldName('function');
      if (fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'bind')
        return this.handlerFunction(fn.childForFieldName('object')!, depth + 1);
      return undefined;
    }
    if (u.type === 'identifier') {
      const local = findLocal(u, u.text);
      if (local?.type === 'function') return { node: local.node, info: this.info };
      if (local?.type === 'value')
        return isFn(unwrap(local.node)) ? { node: unwrap(local.node), info: this.info } : undefined;
      if (local) return undefined;
      const r = await this.code.resolve(this.info, u.text);
      if (r && 'node' in r) {
        const f = functionOf(r.node);
        if (f) return { node: f, info: r.info };
      }
      return undefined;
    }
    if (u.type === 'member_expression') {
      const object = unwrap(u.childForFieldName('object')!);
      const prop = u.childForFieldName('property')?.text;
      if (!prop) return undefined;
      if (object.type === 'this') {
        const cls = enclosingClass(u);
        const m = cls ? classMethod(cls, prop) : undefined;
        return m ? { node: m, info: this.info } : undefined;
      }
      if (object.type !== 'identifier') return undefined;
      const cls = await this.classOfInstance(object);
      if (cls) {
        const m = classMethod(cls.node, prop);
        return m ? { node: m, info: cls.info } : undefined;
      }
      // `import * as handlers from './health'; app.get('/h', handlers.health)`.
      const b = this.info.bindings.get(object.text);
      if (b?.imported === '*') {
        const path = this.code.target(this.info, b.module);
        const target = path ? await this.code.info(path) : undefined;
        const r = target ? await this.code.resolveExport(target, prop) : undefined;
        const f = r && 'node' in r ? functionOf(r.node) : undefined;
        if (f && r && 'node' in r) return { node: f, info: r.info };
      }
    }
    return undefined;
  }

  /** The repository class `name` is an instance of (`const c = new HealthController()`), local or imported. */
  private async classOfInstance(name: TSNode): Promise<{ node: TSNode; info: FileInfo } | undefined> {
    const local = findLocal(name, name.text);
    let value: TSNode | undefined;
    let info = this.info;
    if (local?.type === 'value') value = unwrap(local.node);
    else if (!local) {
      const r = await this.code.resolve(this.info, name.text);
      if (r && 'node' in r) {
        const v = valueOf(r.node);
        if (v) value = unwrap(v);
        info = r.info;
      }
    }
    if (value?.type !== 'new_expression') return undefined;
    const ctor = value.childForFieldName('constructor');
    if (ctor?.type !== 'identifier') return undefined;
    const r = await this.code.resolve(info, ctor.text);
    if (!r || !('node' in r)) return undefined;
    return /class/.test(r.node.type) ? { node: r.node, info: r.info } : undefined;
  }

  /** `app.use('/prefix', router)`, `app.use(router)`, `app.use(router.routes())`, proxies. */
  private async use(call: TSNode, object: TSNode, args: TSNode[]): Promise<void> {
    const parent = await this.receiverOf(object);
    let prefix: string | undefined = '';
    let rest = args;
    if (args[0] && (args[0].type === 'string' || args[0].type === 'template_string')) {
      prefix = stringValue(args[0]);
      rest = args.slice(1);
    } else if (
      args[0] &&
      (args[0].type === 'array' || args[0].type === 'identifier') &&
      args.length > 1 &&
      !isFn(unwrap(args[0]))
    ) {
      // `app.use(PREFIX, router)` with a computed prefix.
      const local = args[0].type === 'identifier' ? findLocal(args[0], args[0].text) : undefined;
      const decl = args[0].type === 'identifier' ? this.info.decls.get(args[0].text) : undefined;
      const value =
        local?.type === 'value'
          ? local.node
          : decl?.type === 'variable_declarator'
            ? decl.childForFieldName('value')
            : undefined;
      const lit = value ? stringValue(value) : undefined;
      if (lit !== undefined) {
        prefix = lit;
        rest = args.slice(1);
      } else if (args[0].type === 'array') {
        prefix = undefined;
        rest = args.slice(1);
      }
    }
    for (const a of rest) {
      const u = unwrap(a);
      if (u.type === 'call_expression') {
        const role = calleeRole(this.info, u.childForFieldName('function'));
        if (role && /(http-proxy-middleware|express-http-proxy)/.test(role) && prefix === '') {
          this.facts.catchAll.push(this.loc(call));
          continue;
        }
      }
      if (isFn(u)) continue;
      const child = await this.receiverOf(u);
      if (child.kind === 'id') this.facts.mounts.push({ parent, prefix, child: child.id, loc: this.loc(call) });
    }
  }

  /** fastify.register(plugin, { prefix }) and @fastify/under-pressure. */
  private async register(call: TSNode, object: TSNode, args: TSNode[]): Promise<void> {
    const plugin = args[0];
    if (!plugin) return;
    const opts = args[1] && unwrap(args[1]).type === 'object' ? objectProps(unwrap(args[1])) : undefined;
    const pluginRole = unwrap(plugin).type === 'identifier' ? calleeRole(this.info, unwrap(plugin)) : undefined;
    const parent = await this.receiverOf(object);
    if (pluginRole === '@fastify/under-pressure' || pluginRole === 'under-pressure') {
      this.facts.frameworks.add('under-pressure');
      const expose = opts?.get('exposeStatusRoute');
      let path: string | undefined;
      if (expose) {
        const u = unwrap(expose);
        if (u.type === 'true') path = '/status';
        else if (stringValue(u) !== undefined) path = stringValue(u);
        else if (u.type === 'object') path = stringValue(objectProps(u).get('url') ?? u) ?? '/status';
      }
      const hc = opts?.get('healthCheck');
      if (path) {
        this.facts.routes.push({
          framework: 'under-pressure',
          method: 'GET',
          path,
          receiver: parent,
          loc: this.loc(call),
          handlers: hc ? [{ node: unwrap(hc), info: this.info }] : [],
          ...(hc ? {} : { facts: { loc: this.loc(call), deps: [], leaks: [], readsShutdownState: false } }),
        });
      }
      return;
    }
    if (pluginRole === 'fastify-graceful-shutdown' || pluginRole === '@fastify/graceful-shutdown') {
      this.facts.signalAware.push(this.loc(call));
      return;
    }
    const prefixNode = opts?.get('prefix');
    const prefix = prefixNode ? stringValue(prefixNode) : '';
    const u = unwrap(plugin);
    let fnNode: TSNode | undefined;
    let fnInfo = this.info;
    if (isFn(u)) fnNode = u;
    else if (u.type === 'call_expression') fnNode = wrappedPlugin(u);
    else if (u.type === 'identifier') {
      const r = await this.code.resolve(this.info, u.text);
      if (r && 'node' in r) {
        // `export default fp(async (fastify) => …)`: the plugin is the function fastify-plugin wraps.
        const v = r.node.type === 'call_expression' ? r.node : valueOf(r.node);
        fnNode =
          functionOf(r.node) ?? (v && unwrap(v).type === 'call_expression' ? wrappedPlugin(unwrap(v)) : undefined);
        fnInfo = r.info;
      }
    }
    if (fnNode)
      this.facts.mounts.push({ parent, prefix, child: `${fnInfo.path}#${fnNode.startIndex}:p0`, loc: this.loc(call) });
  }

  /** `registerHealth(app)`: routes registered on a parameter get the argument's prefix. */
  private async callSiteMounts(call: TSNode, args: TSNode[]): Promise<void> {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'identifier' || args.length === 0) return;
    if (!args.some((a) => unwrap(a).type === 'identifier')) return;
    let target: { node: TSNode; info: FileInfo } | undefined;
    const local = findLocal(call, fn.text);
    if (local?.type === 'function') target = { node: local.node, info: this.info };
    else if (!local) {
      const r = await this.code.resolve(this.info, fn.text);
      if (r && 'node' in r) {
        const f = functionOf(r.node);
        if (f) target = { node: f, info: r.info };
      }
    }
    if (!target) return;
    for (let i = 0; i < args.length; i++) {
      const a = unwrap(args[i]!);
      if (a.type !== 'identifier') continue;
      const parent = await this.receiverOf(a);
      if (parent.kind === 'unknown') continue;
      this.facts.mounts.push({
        parent,
        prefix: '',
        child: `${target.info.path}#${target.node.startIndex}:p${i}`,
        loc: this.loc(call),
      });
    }
  }

  private listen(call: TSNode, object: TSNode, args: TSNode[]): void {
    const first = args[0];
    if (!first) {
      this.facts.listens.push({
        loc: this.loc(call),
        port: { kind: 'unknown', text: '(no port: a random one)' },
        via: `${object.text}.listen`,
      });
      return;
    }
    const u = unwrap(first);
    if (isFn(u)) return;
    // Unix sockets and `listen(handle)`: not a TCP port we can compare.
    const s = stringValue(u);
    if (s !== undefined && !/^\d+$/.test(s)) return;
    this.facts.listens.push({
      loc: this.loc(call),
      port: portExpr(first, this.info),
      via: `${object.text.replace(/\s+/g, '').slice(0, 30)}.listen`,
    });
  }

  /** `http.createServer((req, res) => …)`: without path checks it answers every path. */
  private createServer(call: TSNode, args: TSNode[]): void {
    this.facts.frameworks.add('node-http');
    const handler = args.find((a) => isFn(unwrap(a)));
    if (!handler) return;
    const body = unwrap(handler);
    const checksPath = body
      .descendantsOfType(['binary_expression', 'switch_statement'])
      .some((b) => b !== null && pathComparison(b) !== undefined);
    const delegates = /\b(app|router|handler|handle|next|fastify|callback)\s*\(|\.emit\(|\.handle\(/.test(body.text);
    if (!checksPath && !delegates) this.facts.catchAll.push(this.loc(call));
  }

  /** `if (req.url === '/healthz')` in middleware or a raw server. */
  private pathComparison(node: TSNode): void {
    const path = pathComparison(node);
    if (path === undefined) return;
    const block = handlerBlockOf(node);
    this.facts.frameworks.add('node-http');
    this.facts.routes.push({
      framework: 'node-http',
      method: 'ALL',
      path,
      receiver: { kind: 'root' },
      loc: this.loc(node),
      handlers: block ? [{ node: block, info: this.info }] : [],
    });
  }

  private pathSwitch(node: TSNode): void {
    const value = node.childForFieldName('value');
    if (!value || !isPathExpr(unwrap(value))) return;
    for (const c of node.descendantsOfType('switch_case')) {
      if (!c) continue;
      const v = c.childForFieldName('value');
      const path = v ? stringValue(v) : undefined;
      if (path === undefined || !path.startsWith('/')) continue;
      this.facts.frameworks.add('node-http');
      this.facts.routes.push({
        framework: 'node-http',
        method: 'ALL',
        path,
        receiver: { kind: 'root' },
        loc: this.loc(c),
        handlers: [{ node: c, info: this.info }],
      });
    }
  }

  private signalHandler(call: TSNode, args: TSNode[]): void {
    const sig = args[0] ? stringValue(args[0]) : undefined;
    const handler = args[1];
    if (sig === undefined) {
      // process.on(signal, …) in a loop over signals.
      if (/['"]SIGTERM['"]/.test(this.info.file.text)) this.facts.signalAware.push(this.loc(call));
      return;
    }
    if (sig !== 'SIGTERM') return;
    const entry: ShutdownHandler = { loc: this.loc(call), via: 'process.on', closesImmediately: false };
    const fn = handler ? this.functionNode(handler) : undefined;
    if (fn) Object.assign(entry, drainOf(fn, this.info));
    this.facts.shutdown.push(entry);
  }

  private functionNode(expr: TSNode): TSNode | undefined {
    const u = unwrap(expr);
    if (isFn(u)) return u;
    if (u.type === 'identifier') {
      const local = findLocal(u, u.text);
      if (local?.type === 'function') return local.node;
      if (local?.type === 'value' && isFn(unwrap(local.node))) return unwrap(local.node);
      const decl = this.info.decls.get(u.text);
      if (decl) return functionOf(decl);
    }
    return undefined;
  }

  private async terminus(call: TSNode, args: TSNode[]): Promise<void> {
    this.facts.frameworks.add('terminus');
    let optsNode = args[1] ? unwrap(args[1]) : undefined;
    if (optsNode?.type === 'identifier') {
      const local = findLocal(optsNode, optsNode.text);
      const decl = this.info.decls.get(optsNode.text);
      optsNode =
        local?.type === 'value'
          ? unwrap(local.node)
          : decl?.type === 'variable_declarator'
            ? (decl.childForFieldName('value') ?? undefined)
            : undefined;
    }
    const opts = optsNode?.type === 'object' ? objectProps(optsNode) : new Map<string, TSNode>();
    const checks = opts.get('healthChecks');
    if (checks && unwrap(checks).type === 'object') {
      for (const [key, value] of objectProps(unwrap(checks))) {
        if (!key.startsWith('/')) continue;
        const fn = this.functionNode(value);
        this.facts.routes.push({
          framework: 'terminus',
          method: 'GET',
          path: key,
          receiver: { kind: 'root' },
          loc: this.loc(value.parent ?? value),
          handlers: fn ? [{ node: fn, info: this.info }] : [{ node: value, info: this.info }],
        });
      }
    }
    const signals = opts.get('signals') ?? opts.get('signal');
    if (signals && !/SIGTERM/.test(signals.text)) return;
    const before = opts.get('beforeShutdown');
    const beforeFn = before ? this.functionNode(before) : undefined;
    const drain: Partial<ReturnType<typeof drainOf>> = beforeFn ? drainOf(beforeFn, this.info) : {};
    this.facts.shutdown.push({
      loc: this.loc(call),
      via: 'terminus',
      ...(drain.drainMs !== undefined ? { drainMs: drain.drainMs } : {}),
      ...(drain.drainLoc ? { drainLoc: drain.drainLoc } : {}),
      closesImmediately: !before,
    });
  }

  private lightship(call: TSNode): void {
    this.facts.frameworks.add('lightship');
    const opts = positionalArgs(call)[0];
    const props = opts && unwrap(opts).type === 'object' ? objectProps(unwrap(opts)) : new Map<string, TSNode>();
    const portNode = props.get('port');
    const port = portNode ? portExpr(portNode, this.info) : ({ kind: 'literal', port: 9000 } as PortExpr);
    const delayNode = props.get('shutdownDelay');
    const delay = delayNode ? msOf(delayNode, this.info) : 5000;
    const loc = this.loc(call);
    const facts: HandlerFacts = { loc, deps: [], leaks: [], readsShutdownState: true };
    for (const path of ['/health', '/live', '/ready']) {
      this.facts.routes.push({
        framework: 'lightship',
        method: 'GET',
        path,
        receiver: { kind: 'root' },
        loc,
        handlers: [],
        facts,
        ...(port.kind === 'literal'
          ? { port: port.port }
          : port.kind === 'env' && port.fallback !== undefined
            ? { port: port.fallback }
            : {}),
      });
    }
    this.facts.shutdown.push({
      loc,
      via: 'lightship',
      ...(delay !== undefined ? { drainMs: delay } : {}),
      ...(delayNode ? { drainLoc: this.loc(delayNode) } : {}),
      closesImmediately: delay === 0,
    });
  }

  private closeWithGrace(call: TSNode, args: TSNode[]): void {
    const fn = args.map((a) => unwrap(a)).find((a) => isFn(a));
    const drain: Partial<ReturnType<typeof drainOf>> = fn ? drainOf(fn, this.info) : {};
    this.facts.shutdown.push({
      loc: this.loc(call),
      via: 'close-with-grace',
      ...(drain.drainMs !== undefined ? { drainMs: drain.drainMs } : {}),
      ...(drain.drainLoc ? { drainLoc: drain.drainLoc } : {}),
      closesImmediately: drain.drainMs === undefined,
    });
  }

  /** NestJS `@Controller('health')` classes and their `@Get('live')` methods. */
  private nestController(cls: TSNode): void {
    const ctrl = jsDecoratorsOf(cls).find((d) => jsDecoratorName(d) === 'Controller');
    if (!ctrl) return;
    if (!this.info.modules.has('@nestjs/common')) return;
    this.facts.frameworks.add('nest');
    const ctrlArgs = jsDecoratorArgs(ctrl);
    let prefix: string | undefined = '';
    if (ctrlArgs[0]) {
      const a = unwrap(ctrlArgs[0]);
      if (a.type === 'object') {
        const props = objectProps(a);
        prefix = props.get('path') ? stringValue(props.get('path')!) : '';
        if (props.has('version') || props.has('host'))
          this.facts.uncertain.push({ loc: this.loc(ctrl), reason: 'a NestJS controller is versioned or host-bound' });
      } else prefix = stringValue(a);
    }
    if (prefix === undefined) {
      this.facts.uncertain.push({ loc: this.loc(ctrl), reason: 'a NestJS controller path is not a literal' });
      return;
    }
    const body = cls.childForFieldName('body');
    let pending: TSNode[] = [];
    for (const member of body?.namedChildren ?? []) {
      if (!member) continue;
      if (member.type === 'decorator') {
        pending.push(member);
        continue;
      }
      if (member.type === 'method_definition') {
        for (const d of pending) {
          const dn = jsDecoratorName(d) ?? '';
          if (dn === 'Version') this.facts.uncertain.push({ loc: this.loc(d), reason: 'a NestJS route is versioned' });
          const method = Object.hasOwn(NEST_ROUTE_DECORATORS, dn) ? NEST_ROUTE_DECORATORS[dn] : undefined;
          if (!method) continue;
          const arg = jsDecoratorArgs(d)[0];
          const sub = arg ? stringValue(arg) : '';
          if (sub === undefined) {
            this.facts.uncertain.push({ loc: this.loc(d), reason: 'a NestJS route path is not a literal' });
            continue;
          }
          this.facts.routes.push({
            framework: 'nest',
            method,
            path: joinPaths(prefix, sub),
            receiver: { kind: 'root' },
            loc: this.loc(d),
            handlers: [{ node: member, info: this.info }],
          });
        }
      }
      pending = [];
    }
  }
}

/** The function `fp(fn, opts)` / `fastifyPlugin(fn)` wraps. */
function wrappedPlugin(call: TSNode): TSNode | undefined {
  const first = positionalArgs(call)[0];
  return first && isFn(unwrap(first)) ? unwrap(first) : undefined;
}

function hasDeclaratorParent(call: TSNode): boolean {
  for (let n = call.parent; n; n = n.parent) {
    if (n.type === 'variable_declarator') return true;
    if (n.type !== 'await_expression' && n.type !== 'parenthesized_expression') return false;
  }
  return false;
}

/** `req.url`, `ctx.path`, `c.req.path`, `url.pathname`, `new URL(…).pathname`. */
function isPathExpr(n: TSNode): boolean {
  if (n.type !== 'member_expression') return false;
  const prop = n.childForFieldName('property')?.text;
  return prop === 'url' || prop === 'path' || prop === 'pathname' || prop === 'originalUrl';
}

/** The path literal a comparison like `req.url === '/healthz'` tests, when it is one. */
function pathComparison(node: TSNode): string | undefined {
  if (node.type !== 'binary_expression') return undefined;
  const op = node.childForFieldName('operator')?.text ?? node.children.find((c) => c && !c.isNamed)?.text;
  if (op !== '===' && op !== '==') return undefined;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return undefined;
  for (const [a, b] of [
    [left, right],
    [right, left],
  ] as const) {
    const s = stringValue(b);
    if (s !== undefined && s.startsWith('/') && isPathExpr(unwrap(a))) return s;
  }
  return undefined;
}

/** The code that runs when a path comparison holds: the `if` branch, else the enclosing function. */
function handlerBlockOf(cmp: TSNode): TSNode | undefined {
  for (let n = cmp.parent; n; n = n.parent) {
    if (n.type === 'if_statement') return n.childForFieldName('consequence') ?? undefined;
    if (n.type === 'ternary_expression') return n.childForFieldName('consequence') ?? undefined;
    if (FUNCTION_NODES.has(n.type)) return n;
  }
  return undefined;
}

/**
 * How long a shutdown function keeps serving before it closes: a literal `setTimeout(close, N)`, an
 * awaited sleep (`await sleep(N)`, `await new Promise(r => setTimeout(r, N))`, timers/promises
 * `setTimeout(N)`) before the close. A timer that only exits with an error code is a hard stop, not a
 * drain.
 */
export function drainOf(
  fn: TSNode,
  info: FileInfo,
): { drainMs?: number; drainLoc?: ReturnType<typeof locOf>; closesImmediately: boolean } {
  let drainMs: number | undefined;
  let drainLoc: ReturnType<typeof locOf> | undefined;
  let closes = false;
  for (const call of fn.descendantsOfType('call_expression')) {
    if (!call) continue;
    const name = calleeName(call) ?? '';
    const args = positionalArgs(call);
    if (
      /\.(close|closeAllConnections|stop|terminate|shutdown)$/.test(name) ||
      name === 'process.exit' ||
      name === 'app.close'
    )
      closes = true;
    const last = name.slice(name.lastIndexOf('.') + 1);
    if (last === 'setTimeout') {
      const b = info.bindings.get('setTimeout');
      const promiseTimer = b && /timers\/promises$/.test(b.module);
      const ms = msOf(promiseTimer ? args[0] : args[1], info);
      const cb = args[0] ? unwrap(args[0]) : undefined;
      const hardStop = cb && isFn(cb) && /process\.exit\(\s*[1-9]/.test(cb.text) && !/\.close\(/.test(cb.text);
      const unrefd =
        call.parent?.type === 'member_expression' && call.parent.childForFieldName('property')?.text === 'unref';
      if (
        ms !== undefined &&
        !hardStop &&
        !unrefd &&
        (promiseTimer || (cb && (isFn(cb) || cb.type === 'identifier')))
      ) {
        if (drainMs === undefined || ms > drainMs) {
          drainMs = ms;
          drainLoc = locOf(info, call);
        }
      }
    } else if (/^(sleep|delay|wait|pause)$/i.test(last) && args[0]) {
      const ms = msOf(args[0], info);
      if (ms !== undefined && (drainMs === undefined || ms > drainMs)) {
        drainMs = ms;
        drainLoc = locOf(info, call);
      }
    }
  }
  return {
    ...(drainMs !== undefined ? { drainMs } : {}),
    ...(drainLoc ? { drainLoc } : {}),
    closesImmediately: closes && drainMs === undefined,
  };
}
