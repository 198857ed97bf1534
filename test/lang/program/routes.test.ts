import { beforeAll, describe, expect, it } from 'vitest';
import { loadParsers, type TSNode } from '../../../src/lang/index.js';
import {
  fastifyRoute,
  goRouteCall,
  isPyViewMethod,
  joinUrlPath,
  jsDecoratorArgs,
  jsDecoratorName,
  jsDecoratorsOf,
  jsRouteCall,
  jsRoutePathIndex,
  jsRouteVerb,
  looksLikeJsRoutePath,
  nestHandlerDecorator,
  nestRequestScope,
  pyDecoratorName,
  pyRouteDecorator,
  pyRouteMethods,
} from '../../../src/lang/program/routes.js';
import { descendantsOfType, stringValue } from '../../../src/lang/ts-helpers.js';
import { fileOf } from '../helpers.js';

beforeAll(async () => {
  await loadParsers(['typescript', 'python', 'go']);
});

function root(path: string, text: string): TSNode {
  return fileOf(path, text).tree()!.rootNode;
}

/** The outermost calls of a file, in source order. */
function calls(path: string, text: string): TSNode[] {
  const type = path.endsWith('.py') ? 'call' : 'call_expression';
  return descendantsOfType(root(path, text), type).filter((c) => c.parent?.type === 'expression_statement');
}

function firstOfType(path: string, text: string, type: string): TSNode {
  const n = descendantsOfType(root(path, text), type)[0];
  if (!n) throw new Error(`no ${type}`);
  return n;
}

describe('joinUrlPath', () => {
  it('joins pieces with one slash between and none at the end', () => {
    expect(joinUrlPath('/api', '/health/')).toBe('/api/health');
    expect(joinUrlPath('', 'a', '', 'b')).toBe('/a/b');
    expect(joinUrlPath()).toBe('/');
  });
});

describe('JS router calls', () => {
  it('reads verb registrations with their method, receiver and arguments', () => {
    const [get, del, use, on] = calls(
      'a.ts',
      `app.get('/health', h);\nrouter.del('/x', h);\napp.use(auth);\nemitter.on('data', h);`,
    ).map((c) => jsRouteCall(c));
    expect(get).toMatchObject({ registrar: 'get', method: 'GET' });
    expect(get!.receiver.text).toBe('app');
    expect(get!.args.map((a) => a.text)).toEqual(["'/health'", 'h']);
    expect(del).toMatchObject({ registrar: 'del', method: 'DELETE' });
    expect(use).toMatchObject({ registrar: 'use', method: undefined });
    expect(on).toMatchObject({ registrar: 'on', method: undefined });
  });

  it('reads express route chains as registrations on the chain’s receiver', () => {
    const [call] = calls('a.ts', `app.route('/book').get(list);`);
    const route = jsRouteCall(call!)!;
    expect(route.method).toBe('GET');
    expect(route.receiver.text).toBe('app');
    expect(stringValue(route.chain!.childForFieldName('arguments')!.namedChildren[0]!)).toBe('/book');
  });

  it('ignores calls that are not router methods', () => {
    for (const c of calls('a.ts', `foo('/x', h);\napp.listen(3000);\napp['get']('/x', h);`))
      expect(jsRouteCall(c)).toBeUndefined();
  });

  it('knows the HTTP method of each verb', () => {
    expect(jsRouteVerb('all')).toBe('ALL');
    expect(jsRouteVerb('patch')).toBe('PATCH');
    expect(jsRouteVerb('use')).toBeUndefined();
    expect(jsRouteVerb('constructor')).toBeUndefined();
  });

  it('finds the literal path, first or after a koa-router route name', () => {
    const index = (src: string) => jsRoutePathIndex(jsRouteCall(calls('a.ts', src)[0]!)!.args);
    expect(index(`app.get('/x', h);`)).toBe(0);
    expect(index(`app.get('*', h);`)).toBe(0);
    expect(index(`router.get('health', '/health', h);`)).toBe(1);
    expect(index(`app.get(PATH, h);`)).toBeUndefined();
    expect(index(`app.get('x', h);`)).toBeUndefined();
  });

  it('tells route patterns from other first arguments', () => {
    const first = (src: string) => jsRouteCall(calls('a.ts', src)[0]!)!.args[0]!;
    expect(looksLikeJsRoutePath(first(`app.get('/x', h);`))).toBe(true);
    expect(looksLikeJsRoutePath(first('app.get(`/users/${id}`, h);'))).toBe(true);
    expect(looksLikeJsRoutePath(first('app.get(`${base}/x`, h);'))).toBe(true);
    expect(looksLikeJsRoutePath(first(`app.get(/^\\/api/, h);`))).toBe(true);
    expect(looksLikeJsRoutePath(first(`app.get(['/a', '/b'], h);`))).toBe(true);
    expect(looksLikeJsRoutePath(first(`cache.get('key', h);`))).toBe(false);
    expect(looksLikeJsRoutePath(first(`app.use(auth);`))).toBe(false);
  });

  it('reads Fastify route declarations', () => {
    const [one, many, none, computed, sub] = calls(
      'a.ts',
      [
        `app.route({ method: 'POST', url: '/login', handler: login });`,
        `app.route({ method: ['GET', 'HEAD'], path: '/h', handler });`,
        `app.route({ url: '/x', handler: h });`,
        `app.route({ url: PREFIX + '/x', handler: h });`,
        `app.route('/api', sub);`,
      ].join('\n'),
    );
    expect(fastifyRoute(one!)).toMatchObject({ url: '/login', methods: ['POST'] });
    expect(fastifyRoute(one!)!.handler!.text).toBe('login');
    expect(fastifyRoute(many!)).toMatchObject({ url: '/h', methods: ['GET', 'HEAD'] });
    expect(fastifyRoute(none!)).toMatchObject({ url: '/x', methods: ['GET'] });
    const c = fastifyRoute(computed!)!;
    expect(c.url).toBeUndefined();
    expect(c.urlNode?.text).toBe("PREFIX + '/x'");
    expect(fastifyRoute(sub!)).toBeUndefined();
  });
});

describe('JS decorators and NestJS', () => {
  const controller = `
@Controller('health')
export class HealthController {
  constructor(private readonly db: Db) {}

  @Get('live')
  @HttpCode(200)
  live() {}

  @MessagePattern('orders')
  onOrder() {}

  helper() {}
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {}

@Injectable()
class Singleton {}
`;

  it('lists a class’s decorators, the export statement’s included, with their names and arguments', () => {
    const cls = firstOfType('a.ts', controller, 'class_declaration');
    const [ctrl] = jsDecoratorsOf(cls);
    expect(jsDecoratorName(ctrl!)).toBe('Controller');
    expect(jsDecoratorArgs(ctrl!).map((a) => a.text)).toEqual(["'health'"]);
  });

  it('finds the handler decorator of controller methods', () => {
    const methods = descendantsOfType(root('a.ts', controller), 'method_definition');
    const byName = new Map(methods.map((m) => [m.childForFieldName('name')!.text, m]));
    expect(nestHandlerDecorator(byName.get('live')!)?.name).toBe('Get');
    expect(nestHandlerDecorator(byName.get('onOrder')!)?.name).toBe('MessagePattern');
    expect(nestHandlerDecorator(byName.get('helper')!)).toBeUndefined();
    expect(nestHandlerDecorator(byName.get('constructor')!)).toBeUndefined();
  });

  it('finds request-scoped providers', () => {
    const classes = descendantsOfType(root('a.ts', controller), 'class_declaration');
    const byName = new Map(classes.map((c) => [c.childForFieldName('name')!.text, c]));
    expect(nestRequestScope(byName.get('PerRequest')!)?.text).toBe('Scope.REQUEST');
    expect(nestRequestScope(byName.get('Singleton')!)).toBeUndefined();
    expect(nestRequestScope(byName.get('HealthController')!)).toBeUndefined();
  });
});

describe('Python route decorators and views', () => {
  const app = `
@app.get("/healthz")
def healthz(): ...

@bp.route(rule="/ready", methods=["get", "HEAD"])
def ready(): ...

@router.websocket
async def ws(): ...

@get_app().post("/x")
def computed(): ...

@lru_cache
def cached(): ...

@celery.task
def job(): ...
`;
  const decorators = () => descendantsOfType(root('a.py', app), 'decorator');

  it('reads route decorators: receiver, method, path and methods=', () => {
    const [healthz, ready, ws, computed, cached, job] = decorators().map((d) => pyRouteDecorator(d));
    expect(healthz).toMatchObject({ name: 'app.get', attr: 'get', method: 'GET' });
    expect(healthz!.receiver.text).toBe('app');
    expect(stringValue(healthz!.pathNode!)).toBe('/healthz');
    expect(ready).toMatchObject({ name: 'bp.route', method: 'GET' });
    expect(stringValue(ready!.pathNode!)).toBe('/ready');
    expect(pyRouteMethods(ready!.call!, ready!.method!)).toEqual(['GET', 'HEAD']);
    expect(pyRouteMethods(healthz!.call!, 'GET')).toEqual(['GET']);
    expect(ws).toMatchObject({ name: 'router.websocket', attr: 'websocket', method: undefined, call: undefined });
    expect(computed).toMatchObject({ name: undefined, attr: 'post', method: 'POST' });
    expect(computed!.receiver.text).toBe('get_app()');
    expect(cached).toBeUndefined();
    expect(job).toBeUndefined();
  });

  it('names decorators called or not', () => {
    expect(decorators().map((d) => pyDecoratorName(d))).toEqual([
      'app.get',
      'bp.route',
      'router.websocket',
      undefined,
      'lru_cache',
      'celery.task',
    ]);
  });

  it('knows the methods of class-based views', () => {
    expect(isPyViewMethod('get', '(APIView)')).toBe(true);
    expect(isPyViewMethod('list', '(viewsets.ModelViewSet)')).toBe(true);
    expect(isPyViewMethod('post', '(MethodView)')).toBe(true);
    expect(isPyViewMethod('helper', '(APIView)')).toBe(false);
    expect(isPyViewMethod('get', '(Base)')).toBe(false);
  });
});

describe('Go route registrations', () => {
  it('reads the path and the handlers named after it', () => {
    const src = `package main

func main() {
	http.HandleFunc("/health", health)
	r.GET("/users", listUsers)
	mux.Handle("/x", http.HandlerFunc(serveX))
	r.Use(logging)
	fmt.Println("/x", y)
}
`;
    const found = descendantsOfType(root('main.go', src), 'call_expression')
      .filter((c) => c.parent?.type === 'expression_statement')
      .map((c) => goRouteCall(c));
    const [health, users, x, use, println] = found;
    expect(health).toMatchObject({ callee: 'http.HandleFunc', registrar: 'HandleFunc', path: '/health' });
    expect(health!.handlerNames.map((n) => n.text)).toEqual(['health']);
    expect(users!.handlerNames.map((n) => n.text)).toEqual(['listUsers']);
    expect(x!.handlerNames.map((n) => n.text)).toEqual(['serveX']);
    expect(use).toMatchObject({ registrar: 'Use', path: undefined, handlerNames: [] });
    expect(println).toBeUndefined();
  });
});
