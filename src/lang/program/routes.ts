/**
 * The one route detector: which code the web frameworks call for a request, per language, as plain data
 * about syntax nodes. Every gate that asks "is this a route handler, and for which method and path?"
 * asks here; what a gate then makes of it (a health endpoint, a hot path for metrics, a request object
 * for PII) stays in the gate.
 *
 * - JS/TS: router verb calls (`app.get('/x', h)`, koa-router's named routes, express `route('/x').get(h)`
 *   chains, middleware `use`), Fastify route options and hooks, NestJS controller decorators and
 *   request-scoped providers. File-system routes (Next.js, Remix, SvelteKit) are in `file-routes.ts`.
 * - Python: route decorators (`@app.get('/x')`, `@bp.route(…)`), Django view decorators and class-based
 *   views.
 * - Go: `HandleFunc`-style registrations and handler parameter types.
 *
 * The vocabularies are exported so a gate's cheap prefilters and messages use the same words.
 */
import type { TSNode } from '../source-file.js';
import {
  calleeName,
  dottedName,
  keywordArgs,
  objectProps,
  positionalArgs,
  stringValue,
  templateParts,
  unwrap,
} from '../ts-helpers.js';

// ---------------------------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------------------------

/**
 * The HTTP methods a route module exports by name (Next.js App Router `route.ts`, SvelteKit `+server.ts`:
 * `export async function GET(request)`), in the order their routes are listed.
 */
export const ROUTE_MODULE_EXPORTS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Joins URL path pieces: `/api` + `/health/` → `/api/health`; nothing at all is `/`. */
export function joinUrlPath(...parts: string[]): string {
  const joined = parts
    .filter((p) => p !== '')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');
  return `/${joined}`;
}

// ---------------------------------------------------------------------------------------------------------
// JS/TS
// ---------------------------------------------------------------------------------------------------------

/**
 * Router methods named after the HTTP method they serve (Express, Koa, koa-router, Hono, Fastify
 * shorthands): `del` is koa-router's alias of `delete`, `all` serves every method.
 */
export const JS_ROUTE_VERBS: Readonly<Record<string, string>> = {
  get: 'GET',
  post: 'POST',
  put: 'PUT',
  delete: 'DELETE',
  del: 'DELETE',
  patch: 'PATCH',
  head: 'HEAD',
  options: 'OPTIONS',
  all: 'ALL',
};

/** Router methods that take request handlers without naming one HTTP method: `use` (middleware), `any`, `on`. */
export const JS_HANDLER_REGISTRARS: ReadonlySet<string> = new Set(['use', 'any', 'on']);

/** The HTTP method a router method serves: `get` → `GET`, `del` → `DELETE`, `all` → `ALL`; else undefined. */
export function jsRouteVerb(name: string): string | undefined {
  return Object.hasOwn(JS_ROUTE_VERBS, name) ? JS_ROUTE_VERBS[name] : undefined;
}

/** Whether a method name registers request handlers on a router (`get`, `del`, `use`…). */
export function isJsRouteRegistrar(name: string): boolean {
  return jsRouteVerb(name) !== undefined || JS_HANDLER_REGISTRARS.has(name);
}

/** Keys of Fastify route options whose functions run for each request: the handler and the request hooks. */
export const FASTIFY_HANDLER_KEYS: ReadonlySet<string> = new Set([
  'handler',
  'preHandler',
  'onRequest',
  'preValidation',
  'preParsing',
  'preSerialization',
  'onSend',
  'onResponse',
]);

/** NestJS method decorators that make a controller method an HTTP route, and the method each serves. */
export const NEST_ROUTE_DECORATORS: Readonly<Record<string, string>> = {
  Get: 'GET',
  Post: 'POST',
  Put: 'PUT',
  Delete: 'DELETE',
  Patch: 'PATCH',
  All: 'ALL',
  Head: 'HEAD',
  Options: 'OPTIONS',
};

/**
 * NestJS method decorators whose method runs once per incoming request or message: the HTTP routes, SSE,
 * microservice patterns, gRPC methods and GraphQL resolvers.
 */
export const NEST_HANDLER_DECORATORS: ReadonlySet<string> = new Set([
  ...Object.keys(NEST_ROUTE_DECORATORS),
  'Sse',
  'MessagePattern',
  'EventPattern',
  'GrpcMethod',
  'Query',
  'Mutation',
  'Resolver',
  'Subscription',
]);

/** A call that registers request handlers on a router: `app.get('/x', h)`, `router.use(mw)`. */
export interface JsRouteCall {
  /** The router method as written: `get`, `del`, `use`, `on`… */
  registrar: string;
  /** The HTTP method a verb serves (`GET`, `DELETE`, `ALL`); undefined for `use`, `any` and `on`. */
  method: string | undefined;
  /** What the handlers are registered on: `app` in `app.get(…)` and in `app.route('/x').get(…)`. */
  receiver: TSNode;
  /** The call's positional arguments. */
  args: TSNode[];
  /** Express route chains, `app.route('/x').get(h)`: the `route(…)` call, whose argument is the path. */
  chain?: TSNode;
}

/** What a call registers on a router, when it is a router method call (decided on syntax alone). */
export function jsRouteCall(call: TSNode): JsRouteCall | undefined {
  if (call.type !== 'call_expression') return undefined;
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'member_expression') return undefined;
  const registrar = fn.childForFieldName('property')?.text ?? '';
  if (!isJsRouteRegistrar(registrar)) return undefined;
  const object = fn.childForFieldName('object');
  if (!object) return undefined;
  const method = jsRouteVerb(registrar);
  const base = { registrar, method, args: positionalArgs(call) };
  if (method && object.type === 'call_expression') {
    const inner = object.childForFieldName('function');
    const innerObject = inner?.type === 'member_expression' ? inner.childForFieldName('object') : null;
    if (innerObject && inner?.childForFieldName('property')?.text === 'route')
      return { ...base, receiver: innerObject, chain: object };
  }
  return { ...base, receiver: object };
}

/**
 * Where the literal path of a verb registration stands among its arguments: first (`'/x'`, `'*'`), or
 * second after a koa-router route name (`router.get('name', '/x', h)`). Undefined when the path is not a
 * literal (or the call has none).
 */
export function jsRoutePathIndex(args: readonly TSNode[]): number | undefined {
  const first = args[0] ? stringValue(args[0]) : undefined;
  if (first?.startsWith('/') || first === '*') return 0;
  if (args.length >= 3 && stringValue(args[1]!)?.startsWith('/')) return 1;
  return undefined;
}

/**
 * Whether an argument reads as a route pattern, literal or not: a path or template starting with `/` or
 * `*`, a template that starts with an interpolation, a regular expression, or an array of patterns.
 */
export function looksLikeJsRoutePath(node: TSNode): boolean {
  const n = unwrap(node);
  if (n.type === 'regex' || n.type === 'array') return true;
  const parts = templateParts(n);
  if (!parts) return false;
  const first = parts.strings[0] ?? '';
  return first.startsWith('/') || first === '*' || (first === '' && parts.expressions.length > 0);
}

/** Fastify's full route declaration, `fastify.route({ method, url, handler })`. */
export interface FastifyRoute {
  /** The `url` (or `path`) option, and its value when literal. */
  urlNode: TSNode | undefined;
  url: string | undefined;
  /** The methods as written (`'GET'`, or each literal of an array); `['GET']` when the option is absent. */
  methods: string[];
  handler: TSNode | undefined;
}

/** A `x.route({ … })` call with one options object, read as a Fastify route declaration. */
export function fastifyRoute(call: TSNode): FastifyRoute | undefined {
  const fn = call.type === 'call_expression' ? call.childForFieldName('function') : null;
  if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'route') return undefined;
  const args = positionalArgs(call);
  if (args.length !== 1 || unwrap(args[0]!).type !== 'object') return undefined;
  const props = objectProps(unwrap(args[0]!));
  const urlNode = props.get('url') ?? props.get('path');
  const m = props.get('method');
  const single = m ? stringValue(m) : undefined;
  const methods = !m
    ? ['GET']
    : single !== undefined && single !== ''
      ? [single]
      : unwrap(m)
          .namedChildren.map((c) => (c ? stringValue(c) : undefined))
          .filter((x): x is string => !!x);
  return { urlNode, url: urlNode ? stringValue(urlNode) : undefined, methods, handler: props.get('handler') };
}

/**
 * The decorators that apply to a class or class member: its own, the decorator siblings before a member
 * in a class body, and those of the export statement around an exported class (nearest first).
 */
export function jsDecoratorsOf(node: TSNode): TSNode[] {
  const out: TSNode[] = [];
  for (const c of node.namedChildren) if (c?.type === 'decorator') out.push(c);
  for (let s = node.previousNamedSibling; s && s.type === 'decorator'; s = s.previousNamedSibling) out.push(s);
  if (node.parent?.type === 'export_statement')
    for (const c of node.parent.namedChildren) if (c?.type === 'decorator') out.push(c);
  return out;
}

/** A decorator's name: `@Get('/x')` → `Get`, `@nest.Controller()` → `nest.Controller`, `@Injectable` → `Injectable`. */
export function jsDecoratorName(d: TSNode): string | undefined {
  const inner = d.namedChildren.find((c) => c !== null);
  if (!inner) return undefined;
  if (inner.type === 'call_expression') return dottedName(inner.childForFieldName('function'));
  return dottedName(inner);
}

/** A decorator's positional arguments (none when it is not called). */
export function jsDecoratorArgs(d: TSNode): TSNode[] {
  const inner = d.namedChildren.find((c) => c !== null);
  return inner?.type === 'call_expression' ? positionalArgs(inner) : [];
}

/** The first NestJS handler decorator of a method (`@Get()`, `@MessagePattern(…)`), if it has one. */
export function nestHandlerDecorator(method: TSNode): { decorator: TSNode; name: string } | undefined {
  for (const decorator of jsDecoratorsOf(method)) {
    const name = jsDecoratorName(decorator);
    if (name && NEST_HANDLER_DECORATORS.has(name)) return { decorator, name };
  }
  return undefined;
}

/**
 * The `scope` option of a NestJS class that Nest builds for every request (`@Injectable({ scope:
 * Scope.REQUEST })`, likewise `@Controller` and `@Resolver`); undefined for singletons.
 */
export function nestRequestScope(cls: TSNode): TSNode | undefined {
  for (const d of jsDecoratorsOf(cls)) {
    const call = d.namedChildren.find((c) => c?.type === 'call_expression');
    if (!call) continue;
    if (!/^(Injectable|Controller|Resolver)$/.test(calleeName(call) ?? '')) continue;
    const [arg] = positionalArgs(call);
    const scope = arg && unwrap(arg).type === 'object' ? objectProps(unwrap(arg)).get('scope') : undefined;
    if (scope && /\bREQUEST$/.test(scope.text)) return scope;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Python
// ---------------------------------------------------------------------------------------------------------

/**
 * Route decorator methods (FastAPI, Flask, Starlette, Quart…) and the method each serves by default
 * (`route` and `api_route` serve GET unless `methods=` says otherwise).
 */
export const PY_ROUTE_DECORATORS: Readonly<Record<string, string>> = {
  get: 'GET',
  post: 'POST',
  put: 'PUT',
  delete: 'DELETE',
  patch: 'PATCH',
  head: 'HEAD',
  options: 'OPTIONS',
  route: 'GET',
  api_route: 'GET',
};

/** Decorator methods whose function runs per request: the routes, websockets, views and endpoints. */
export const PY_HANDLER_DECORATORS: ReadonlySet<string> = new Set([
  ...Object.keys(PY_ROUTE_DECORATORS),
  'websocket',
  'add_api_route',
  'view',
  'endpoint',
  'trace',
]);

/** Django and Django REST framework decorators that make a function a view. */
export const PY_VIEW_DECORATORS: ReadonlySet<string> = new Set([
  'api_view',
  'require_http_methods',
  'require_GET',
  'require_POST',
]);

/** Methods of a class-based view that answer requests (Django, DRF viewsets, Flask `MethodView`, Tornado). */
export const PY_VIEW_METHODS: ReadonlySet<string> = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'dispatch',
  'list',
  'create',
  'retrieve',
  'update',
  'partial_update',
  'destroy',
]);

/** A decorator of a Python function, read as a route: `@app.get("/x")`, `@bp.route("/y", methods=[…])`. */
export interface PyRouteDecorator {
  /** The dotted name (`app.get`, `router.api_route`); undefined when the receiver is not a plain name. */
  name: string | undefined;
  /** The decorator method: `get`, `route`, `websocket`… (one of {@link PY_HANDLER_DECORATORS}). */
  attr: string;
  /** The HTTP method it serves by default, for the methods in {@link PY_ROUTE_DECORATORS}. */
  method: string | undefined;
  /** The app, router or blueprint it is called on. */
  receiver: TSNode;
  /** The decorator's call (`@app.get("/x")`); undefined when it is not called (`@router.websocket`). */
  call: TSNode | undefined;
  /** The path argument: the first positional one, else `path=` (FastAPI) or `rule=` (Flask). */
  pathNode: TSNode | undefined;
}

/** The route a decorator declares, when it is a handler decorator called on some receiver. */
export function pyRouteDecorator(decorator: TSNode): PyRouteDecorator | undefined {
  const expr = decorator.namedChildren[0];
  if (!expr) return undefined;
  const call = expr.type === 'call' ? expr : undefined;
  const target = call ? call.childForFieldName('function') : expr;
  if (target?.type !== 'attribute') return undefined;
  const attr = target.childForFieldName('attribute')?.text ?? '';
  const receiver = target.childForFieldName('object');
  if (!receiver || !PY_HANDLER_DECORATORS.has(attr)) return undefined;
  const kw = call ? keywordArgs(call) : undefined;
  const pathNode = call ? (positionalArgs(call)[0] ?? kw?.get('path') ?? kw?.get('rule')) : undefined;
  return { name: dottedName(target), attr, method: PY_ROUTE_DECORATORS[attr], receiver, call, pathNode };
}

/**
 * The methods a Python route registration's `methods=[…]` names, upper-cased (Flask, FastAPI
 * `api_route`, `add_url_rule`); `fallback` when it has none.
 */
export function pyRouteMethods(call: TSNode, fallback: string): string[] {
  const methods = keywordArgs(call).get('methods');
  if (!methods) return [fallback];
  return methods.namedChildren.map((c) => stringValue(c)?.toUpperCase()).filter((x): x is string => !!x);
}

/** The dotted name of a Python decorator, called or not: `@app.get("/x")` → `app.get`, `@cache` → `cache`. */
export function pyDecoratorName(decorator: TSNode): string | undefined {
  const expr = decorator.namedChildren[0];
  return expr ? (expr.type === 'call' ? calleeName(expr) : dottedName(expr)) : undefined;
}

/**
 * Whether `name`, a method of a class with the given `superclasses` text, answers requests: a view method
 * of a class deriving from a view, viewset, resource, handler or endpoint class.
 */
export function isPyViewMethod(name: string, superclasses: string): boolean {
  if (!PY_VIEW_METHODS.has(name)) return false;
  const bases = superclasses
    .replace(/[()\s]/g, '')
    .split(',')
    .join(' ')
    .trim();
  return (
    /(View|ViewSet|APIView|Resource|Handler|HTTPEndpoint|MethodView)$/.test(bases) ||
    /(View|ViewSet|APIView|Resource|Handler|HTTPEndpoint)\b/.test(superclasses)
  );
}

// ---------------------------------------------------------------------------------------------------------
// Go
// ---------------------------------------------------------------------------------------------------------

/** Methods that register handlers: net/http and gorilla/mux, gin, echo, chi, fiber (both spellings). */
export const GO_ROUTE_METHODS: ReadonlySet<string> = new Set([
  'HandleFunc',
  'Handle',
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'Any',
  'Get',
  'Post',
  'Put',
  'Patch',
  'Delete',
  'Use',
  'HandlerFunc',
  'Group',
]);

/** Parameter types only a request handler takes (net/http, gin, echo, fiber, fasthttp, chi). */
export const GO_HANDLER_PARAM_TYPES =
  /^(\*?http\.Request|http\.ResponseWriter|\*gin\.Context|echo\.Context|\*fiber\.Ctx|fiber\.Ctx|\*fasthttp\.RequestCtx|\*chi\.Context)$/;

/** A Go call that registers handlers: `mux.HandleFunc("/x", h)`, `r.GET("/y", h)`. */
export interface GoRouteCall {
  /** The dotted callee, `r.GET`, and its last part, the registering method. */
  callee: string;
  registrar: string;
  /** The literal path (first argument), when it is one. */
  path: string | undefined;
  args: TSNode[];
  /**
   * The functions named after a literal path, as identifiers (`http.HandlerFunc(h)` is `h`); empty when the
   * path is not a literal.
   */
  handlerNames: TSNode[];
}

/** What a Go call registers, when its callee's last name is a route method. */
export function goRouteCall(call: TSNode): GoRouteCall | undefined {
  if (call.type !== 'call_expression') return undefined;
  const callee = calleeName(call) ?? '';
  const registrar = callee.split('.').pop() ?? '';
  if (!GO_ROUTE_METHODS.has(registrar)) return undefined;
  const args = positionalArgs(call);
  const path = args[0] ? stringValue(args[0]) : undefined;
  const handlerNames: TSNode[] = [];
  if (path !== undefined) {
    for (const a of args.slice(1)) {
      const target =
        a.type === 'call_expression' && (calleeName(a) ?? '').endsWith('HandlerFunc') ? positionalArgs(a)[0] : a;
      if (target?.type === 'identifier') handlerNames.push(target);
    }
  }
  return { callee, registrar, path, args, handlerNames };
}
