/**
 * Routes, mounts, ports and signal handling in Python: FastAPI (routers, `include_router`,
 * `add_api_route`, fastapi-health), Flask (blueprints, `add_url_rule`), Starlette `Route`, Django URL
 * confs (`path`, `re_path`, `include`, class-based views), and `uvicorn.run` / `app.run` ports.
 */
import type { TSNode } from '../../../lang/source-file.js';
import { calleeName, dottedName, keywordArgs, positionalArgs, stringValue } from '../../../lang/ts-helpers.js';
import type { Framework, PortExpr } from '../model.js';
import { functionOf, pyJoin, type CodeBase, type FileInfo } from './codebase.js';
import { classMethod, enclosingFunctionNode, findLocal } from './handler.js';
import { FileExtractor, joinPaths, type LiveHandler, type RawFacts, type Receiver } from './routes.js';
import { pyRouteDecorator, pyRouteMethods } from '../../../lang/program/routes.js';

export const PY_TOKENS = [
  'fastapi',
  'flask',
  'starlette',
  'django',
  'urlpatterns',
  'uvicorn',
  'SIGTERM',
  'fastapi_health',
  'Blueprint',
];

function frameworkOf(info: FileInfo): Framework | undefined {
  for (const m of info.modules) {
    if (m === 'fastapi' || m.startsWith('fastapi.')) return 'fastapi';
    if (m === 'flask' || m.startsWith('flask.')) return 'flask';
    if (m === 'starlette' || m.startsWith('starlette.')) return 'starlette';
  }
  return undefined;
}

/** What a callee is by the import of its root name: `fastapi.FastAPI`, `flask.Blueprint`, `uvicorn.run`. */
function role(info: FileInfo, callee: TSNode | null): string | undefined {
  const name = callee ? dottedName(callee) : undefined;
  if (!name) return undefined;
  const [root, ...rest] = name.split('.');
  const b = info.bindings.get(root!);
  if (!b) return undefined;
  return [b.module, b.imported === '*' ? '' : b.imported, ...rest].filter((x) => x !== '').join('.');
}

export async function extractPython(info: FileInfo, code: CodeBase, facts: RawFacts<LiveHandler>): Promise<void> {
  const ex = new PyExtractor(info, code, facts);
  await ex.run();
}

class PyExtractor extends FileExtractor {
  async run(): Promise<void> {
    for (const node of this.info.root.descendantsOfType([
      'assignment',
      'decorated_definition',
      'call',
      'augmented_assignment',
    ])) {
      if (!node) continue;
      if (node.type === 'assignment' || node.type === 'augmented_assignment') await this.assignment(node);
      else if (node.type === 'decorated_definition') await this.decorated(node);
      else await this.call(node);
    }
  }

  private idFor(name: string, at: TSNode): string {
    const fn = enclosingFunctionNode(at);
    return fn ? `${this.info.path}#${fn.startIndex}:${name}` : `${this.info.path}#${name}`;
  }

  async receiverOf(expr: TSNode): Promise<Receiver> {
    if (expr.type === 'identifier') {
      const local = findLocal(expr, expr.text);
      if (local?.type === 'param') return { kind: 'unknown' };
      if (local?.type === 'value') return { kind: 'id', id: this.idFor(expr.text, local.node) };
      if (this.info.decls.has(expr.text)) return { kind: 'id', id: `${this.info.path}#${expr.text}` };
      const r = await this.code.resolve(this.info, expr.text);
      if (r && 'node' in r && r.name !== '*') return { kind: 'id', id: `${r.info.path}#${r.name}` };
      return { kind: 'unknown' };
    }
    if (expr.type === 'attribute') {
      // `health.router` where `health` is an imported module.
      const obj = expr.childForFieldName('object');
      const attr = expr.childForFieldName('attribute')?.text;
      if (obj?.type === 'identifier' && attr) {
        const b = this.info.bindings.get(obj.text);
        if (b) {
          const path = this.code.target(this.info, b.imported === '*' ? b.module : pyJoin(b.module, b.imported));
          if (path) return { kind: 'id', id: `${path}#${attr}` };
        }
      }
    }
    return { kind: 'unknown' };
  }

  private async assignment(node: TSNode): Promise<void> {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    if (left.type === 'identifier' && left.text === 'urlpatterns') {
      this.facts.frameworks.add('django');
      await this.urlpatterns(right);
      return;
    }
    if (left.type !== 'identifier' || right.type !== 'call' || node.type !== 'assignment') return;
    const r = role(this.info, right.childForFieldName('function'));
    if (!r) return;
    const id = this.idFor(left.text, node);
    const loc = this.loc(node);
    const kw = keywordArgs(right);
    switch (r) {
      case 'fastapi.FastAPI':
      case 'starlette.applications.Starlette':
      case 'flask.Flask':
      case 'quart.Quart': {
        const fw: Framework = r.startsWith('fastapi') ? 'fastapi' : r.startsWith('starlette') ? 'starlette' : 'flask';
        this.facts.frameworks.add(fw);
        this.facts.routers.push({ id, app: true, ownPrefix: '', loc });
        const routes = kw.get('routes');
        if (routes) await this.starletteRoutes(routes, { kind: 'id', id });
        break;
      }
      case 'fastapi.APIRouter': {
        this.facts.frameworks.add('fastapi');
        const prefix = kw.get('prefix');
        const p = prefix ? stringValue(prefix) : '';
        if (p === undefined) this.facts.uncertain.push({ loc, reason: 'an APIRouter prefix is not a literal' });
        this.facts.routers.push({ id, app: false, ownPrefix: p ?? '', loc });
        break;
      }
      case 'flask.Blueprint': {
        this.facts.frameworks.add('flask');
        const prefix = kw.get('url_prefix');
        const p = prefix ? stringValue(prefix) : '';
        if (p === undefined) this.facts.uncertain.push({ loc, reason: 'a blueprint url_prefix is not a literal' });
        this.facts.routers.push({ id, app: false, ownPrefix: p ?? '', loc });
        break;
      }
      default:
        break;
    }
  }

  /** `@app.get("/healthz")`, `@bp.route("/ready", methods=["GET"])`. */
  private async decorated(node: TSNode): Promise<void> {
    const def = node.childForFieldName('definition');
    if (def?.type !== 'function_definition') return;
    const fw = frameworkOf(this.info);
    for (const d of node.namedChildren) {
      if (d?.type !== 'decorator') continue;
      const route = pyRouteDecorator(d);
      if (!route?.call || !route.method) continue;
      const { call, pathNode } = route;
      const path = pathNode ? stringValue(pathNode) : undefined;
      if (path === undefined) {
        if (pathNode && fw) this.facts.uncertain.push({ loc: this.loc(d), reason: 'a route path is not a literal' });
        continue;
      }
      if (!path.startsWith('/') && path !== '') continue;
      if (!fw) continue;
      const list = pyRouteMethods(call, route.method);
      const recv = await this.receiverOf(route.receiver);
      for (const mm of list) {
        this.facts.routes.push({
          framework: fw,
          method: mm,
          path,
          receiver: recv,
          loc: this.loc(d),
          handlers: [{ node: def, info: this.info }],
        });
      }
    }
  }

  private async call(call: TSNode): Promise<void> {
    const fn = call.childForFieldName('function');
    if (!fn) return;
    const r = role(this.info, fn);
    const kw = keywordArgs(call);
    const args = positionalArgs(call);
    if (r === 'uvicorn.run' || r === 'hypercorn.run') {
      const port = kw.get('port');
      const p = port ? this.portOf(port) : { kind: 'literal' as const, port: 8000 };
      this.facts.listens.push({ loc: this.loc(call), port: p, via: 'uvicorn.run' });
      this.facts.signalAware.push(this.loc(call));
      return;
    }
    if (r === 'aiohttp.web.run_app') {
      const port = kw.get('port');
      this.facts.listens.push({
        loc: this.loc(call),
        port: port ? this.portOf(port) : { kind: 'literal', port: 8080 },
        via: 'web.run_app',
      });
      this.facts.signalAware.push(this.loc(call));
      return;
    }
    if (
      (r === 'signal.signal' || /add_signal_handler$/.test(calleeName(call) ?? '')) &&
      /SIGTERM/.test(args[0]?.text ?? '')
    ) {
      this.facts.shutdown.push({ loc: this.loc(call), via: 'signal', closesImmediately: false });
      return;
    }
    if (r === 'starlette.routing.Route' || r === 'starlette.routing.Mount') return;
    if (fn.type !== 'attribute') return;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    const object = fn.childForFieldName('object')!;
    switch (method) {
      case 'include_router': {
        const child = args[0] ? await this.receiverOf(args[0]) : { kind: 'unknown' as const };
        const prefix = kw.get('prefix');
        const p = prefix ? stringValue(prefix) : '';
        if (child.kind === 'id')
          this.facts.mounts.push({
            parent: await this.receiverOf(object),
            prefix: p,
            child: child.id,
            loc: this.loc(call),
          });
        else this.facts.uncertain.push({ loc: this.loc(call), reason: 'an included router could not be followed' });
        return;
      }
      case 'register_blueprint': {
        const child = args[0] ? await this.receiverOf(args[0]) : { kind: 'unknown' as const };
        const prefix = kw.get('url_prefix');
        const p = prefix ? stringValue(prefix) : '';
        if (child.kind === 'id') {
          this.facts.mounts.push({
            parent: await this.receiverOf(object),
            prefix: p,
            child: child.id,
            loc: this.loc(call),
            ...(prefix ? { replacesOwn: true } : {}),
          });
        } else
          this.facts.uncertain.push({ loc: this.loc(call), reason: 'a registered blueprint could not be followed' });
        return;
      }
      case 'add_api_route':
      case 'add_url_rule': {
        const path = args[0] ? stringValue(args[0]) : undefined;
        if (path === undefined) return;
        const endpoint =
          kw.get('endpoint') ?? kw.get('view_func') ?? (method === 'add_api_route' ? args[1] : (args[2] ?? args[1]));
        const recv = await this.receiverOf(object);
        const list = pyRouteMethods(call, 'GET');
        const { handlers, framework } = await this.endpointHandlers(endpoint);
        for (const m of list) {
          this.facts.routes.push({
            framework: framework ?? frameworkOf(this.info) ?? 'fastapi',
            method: m,
            path,
            receiver: recv,
            loc: this.loc(call),
            handlers,
          });
        }
        return;
      }
      case 'mount': {
        const path = args[0] ? stringValue(args[0]) : undefined;
        const sub = args[1] ?? kw.get('app');
        if (path === undefined || !sub) return;
        if (sub.type === 'call') {
          const sr = role(this.info, sub.childForFieldName('function'));
          if (sr === 'prometheus_client.make_asgi_app' || sr === 'prometheus_client.make_wsgi_app') {
            this.facts.routes.push({
              framework: frameworkOf(this.info) ?? 'fastapi',
              method: 'GET',
              path,
              receiver: await this.receiverOf(object),
              loc: this.loc(call),
              handlers: [],
            });
          } else {
            // StaticFiles and other sub-apps answer everything below the mount point.
            this.facts.routes.push({
              framework: frameworkOf(this.info) ?? 'fastapi',
              method: 'ALL',
              path: joinPaths(path, '*'),
              receiver: await this.receiverOf(object),
              loc: this.loc(call),
              handlers: [],
            });
          }
          return;
        }
        const child = await this.receiverOf(sub);
        if (child.kind === 'id')
          this.facts.mounts.push({
            parent: await this.receiverOf(object),
            prefix: path,
            child: child.id,
            loc: this.loc(call),
          });
        return;
      }
      case 'run': {
        // Flask's development server: `app.run(port=…)`, default 5000.
        const b = object.type === 'identifier' ? await this.receiverOf(object) : undefined;
        if (b?.kind !== 'id' || frameworkOf(this.info) !== 'flask') return;
        const port = kw.get('port') ?? args[1];
        this.facts.listens.push({
          loc: this.loc(call),
          port: port ? this.portOf(port) : { kind: 'literal', port: 5000 },
          via: 'app.run (Flask development server)',
        });
        return;
      }
      default:
        return;
    }
  }

  /** What an `add_api_route` endpoint runs: a function, or fastapi-health's conditions. */
  private async endpointHandlers(
    endpoint: TSNode | undefined,
  ): Promise<{ handlers: Array<{ node: TSNode; info: FileInfo }>; framework?: Framework }> {
    if (!endpoint) return { handlers: [] };
    if (
      endpoint.type === 'call' &&
      role(this.info, endpoint.childForFieldName('function')) === 'fastapi_health.health'
    ) {
      const conds = positionalArgs(endpoint)[0];
      const handlers: Array<{ node: TSNode; info: FileInfo }> = [];
      for (const c of conds?.namedChildren ?? []) {
        if (!c) continue;
        const h = await this.functionFor(c);
        if (h) handlers.push(h);
      }
      return { handlers, framework: 'fastapi-health' };
    }
    const h = await this.functionFor(endpoint);
    return { handlers: h ? [h] : [] };
  }

  /** The function an expression names (local, imported, `module.fn`, `View.as_view()` → its `get`). */
  async functionFor(expr: TSNode): Promise<{ node: TSNode; info: FileInfo } | undefined> {
    if (expr.type === 'lambda' || expr.type === 'function_definition') return { node: expr, info: this.info };
    if (expr.type === 'call') {
      const fn = expr.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'as_view') {
        const cls = await this.resolveNode(fn.childForFieldName('object')!);
        if (cls && cls.node.type === 'class_definition') {
          const get = classMethod(cls.node, 'get') ?? classMethod(cls.node, 'dispatch');
          if (get) return { node: get, info: cls.info };
        }
      }
      return undefined;
    }
    const r = await this.resolveNode(expr);
    if (!r) return undefined;
    const f = functionOf(r.node);
    return f ? { node: f, info: r.info } : undefined;
  }

  private async resolveNode(expr: TSNode): Promise<{ node: TSNode; info: FileInfo } | undefined> {
    if (expr.type === 'identifier') {
      const r = await this.code.resolve(this.info, expr.text);
      return r && 'node' in r && r.name !== '*' ? { node: r.node, info: r.info } : undefined;
    }
    if (expr.type === 'attribute') {
      const obj = expr.childForFieldName('object');
      const attr = expr.childForFieldName('attribute')?.text;
      if (obj?.type !== 'identifier' || !attr) return undefined;
      const b = this.info.bindings.get(obj.text);
      if (!b) return undefined;
      const candidates = b.imported === '*' ? [b.module] : [pyJoin(b.module, b.imported), b.module];
      for (const mod of candidates) {
        const path = this.code.target(this.info, mod);
        if (!path) continue;
        const target = await this.code.info(path);
        const d = target?.decls.get(attr);
        if (target && d) return { node: d, info: target };
      }
    }
    return undefined;
  }

  private portOf(node: TSNode): PortExpr {
    const n = node.type === 'call' && /^(int)$/.test(calleeName(node) ?? '') ? (positionalArgs(node)[0] ?? node) : node;
    if (n.type === 'integer') return { kind: 'literal' as const, port: Number(n.text) };
    // os.environ.get("PORT", 8000) / os.getenv("PORT", "8000")
    if (n.type === 'call') {
      const name = calleeName(n) ?? '';
      if (/(^|\.)(getenv|environ\.get)$/.test(name)) {
        const [k, d] = positionalArgs(n);
        const env = k ? stringValue(k) : undefined;
        const fallback = d ? (d.type === 'integer' ? Number(d.text) : Number(stringValue(d))) : undefined;
        if (env)
          return {
            kind: 'env' as const,
            name: env,
            ...(fallback !== undefined && Number.isInteger(fallback) ? { fallback } : {}),
          };
      }
    }
    if (n.type === 'identifier') {
      const d = this.info.decls.get(n.text);
      const v = d?.type === 'assignment' ? d.childForFieldName('right') : undefined;
      if (v && v.id !== node.id) return this.portOf(v);
    }
    return { kind: 'unknown' as const, text: n.text.slice(0, 40) };
  }

  /** Starlette `routes=[Route("/health", endpoint), Mount(...)]`. */
  private async starletteRoutes(list: TSNode, receiver: Receiver): Promise<void> {
    for (const item of list.namedChildren) {
      if (item?.type !== 'call') continue;
      const r = role(this.info, item.childForFieldName('function'));
      if (r !== 'starlette.routing.Route') continue;
      const path = stringValue(positionalArgs(item)[0] ?? item);
      const endpoint = positionalArgs(item)[1] ?? keywordArgs(item).get('endpoint');
      if (path === undefined) continue;
      const h = endpoint ? await this.functionFor(endpoint) : undefined;
      this.facts.frameworks.add('starlette');
      this.facts.routes.push({
        framework: 'starlette',
        method: 'GET',
        path,
        receiver,
        loc: this.loc(item),
        handlers: h ? [h] : [],
      });
    }
  }

  /** Django: `urlpatterns = [path("healthz/", views.healthz), path("api/", include("api.urls"))]`. */
  private async urlpatterns(list: TSNode): Promise<void> {
    const receiver: Receiver = { kind: 'id', id: `${this.info.path}#urlpatterns` };
    const items =
      list.type === 'list' ? list.namedChildren : list.type === 'binary_operator' ? list.descendantsOfType('call') : [];
    for (const item of items) {
      if (item?.type !== 'call') continue;
      const name = calleeName(item) ?? '';
      const last = name.slice(name.lastIndexOf('.') + 1);
      if (last !== 'path' && last !== 're_path' && last !== 'url') continue;
      const [routeNode, view] = positionalArgs(item);
      const route = routeNode ? stringValue(routeNode) : undefined;
      if (route === undefined || !view) {
        this.facts.uncertain.push({ loc: this.loc(item), reason: 'a Django URL pattern is not a literal' });
        continue;
      }
      const regex = last !== 'path';
      const prefix = regex ? regexPrefix(route) : route;
      if (view.type === 'call' && /(^|\.)include$/.test(calleeName(view) ?? '')) {
        if (prefix === undefined) {
          this.facts.uncertain.push({
            loc: this.loc(item),
            reason: 'a Django include() sits under a regular expression',
          });
          continue;
        }
        const target = positionalArgs(view)[0];
        const childPath = await this.includeTarget(target);
        if (childPath)
          this.facts.mounts.push({
            parent: receiver,
            prefix: joinPaths(prefix),
            child: `${childPath}#urlpatterns`,
            loc: this.loc(item),
          });
        else {
          // A third-party URL conf (admin, DRF routers, django-health-check): it answers below the prefix.
          this.facts.routes.push({
            framework: 'django',
            method: 'ALL',
            path: joinPaths(prefix, '*'),
            receiver,
            loc: this.loc(item),
            handlers: [],
          });
        }
        continue;
      }
      // `admin.site.urls`, `router.urls` (DRF): a URL conf we do not read, answering below the prefix.
      if (view.type === 'attribute' && view.childForFieldName('attribute')?.text === 'urls' && prefix !== undefined) {
        this.facts.routes.push({
          framework: 'django',
          method: 'ALL',
          path: joinPaths(prefix, '*'),
          receiver,
          loc: this.loc(item),
          handlers: [],
        });
        continue;
      }
      const h = await this.functionFor(view);
      this.facts.routes.push({
        framework: 'django',
        method: 'ALL',
        path: regex ? route : joinPaths(route),
        receiver,
        loc: this.loc(item),
        handlers: h ? [h] : [],
        ...(regex ? { regex: true } : {}),
      });
    }
  }

  private async includeTarget(target: TSNode | undefined): Promise<string | undefined> {
    if (!target) return undefined;
    const s = stringValue(target);
    if (s !== undefined) return this.code.resolver.python(this.info.path, s);
    if (target.type === 'identifier') {
      const b = this.info.bindings.get(target.text);
      if (b) return this.code.target(this.info, b.imported === '*' ? b.module : pyJoin(b.module, b.imported));
    }
    return undefined;
  }
}

/** `^api/` → `api/`; undefined when the regex is more than a literal prefix. */
function regexPrefix(re: string): string | undefined {
  const body = re.replace(/^\^/, '').replace(/\$$/, '');
  return /^[\w/-]*$/.test(body) ? body : undefined;
}
