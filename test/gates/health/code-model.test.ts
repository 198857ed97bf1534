/**
 * The code side of the health model: routes (with prefixes) per framework, what health handlers call,
 * whether those calls are bounded, leaked race timers, listening ports and shutdown handling.
 */
import { describe, expect, it } from 'vitest';
import type { HealthModel, Route } from '../../../src/gates/health/model.js';
import { modelOf, routeList } from './helpers.js';

function route(model: HealthModel, path: string, root = ''): Route {
  const r = model.services.find((s) => s.root === root)?.routes.find((x) => x.path === path);
  if (!r) throw new Error(`no route ${path} in ${JSON.stringify(routeList(model, root))}`);
  return r;
}

const deps = (r: Route) => (r.handler?.deps ?? []).map((d) => `${d.kind} ${d.callee}${d.timeout ? ' bounded' : ''}`);

describe('Node frameworks', () => {
  it('express: routers under prefixes, routes registered through a function that receives the app', async () => {
    const { model } = await modelOf({
      'package.json': '{"name":"orders-api"}',
      'src/server.ts': `import express from 'express';
import { healthRoutes } from './health.js';
import ordersRouter from './orders.js';
const app = express();
const api = express.Router();
api.use('/v1', ordersRouter);
app.use('/api', api);
healthRoutes(app);
app.route('/ping').get((_req, res) => res.send('pong'));
app.listen(Number(process.env.PORT) || 8080);
`,
      'src/health.ts': `import type { Express } from 'express';
export function healthRoutes(app: Express) { app.get('/livez', (_req, res) => res.send('ok')); }
`,
      'src/orders.ts': `import { Router } from 'express';
const router = Router();
router.get('/orders/:id', (req, res) => res.json({}));
export default router;
`,
    });
    expect(routeList(model)).toEqual(['GET /api/v1/orders/:id', 'GET /livez', 'GET /ping']);
    expect(model.services[0]!.listens.map((l) => l.port)).toEqual([{ kind: 'env', name: 'PORT', fallback: 8080 }]);
    expect(model.services[0]!.aliases).toContain('orders-api');
  });

  it('express: a router nobody mounts keeps only its own path (suffix), and computed paths make the table uncertain', async () => {
    const { model } = await modelOf({
      'src/routes.ts': `import { Router } from 'express';
export const r = Router();
r.get('/healthz', (_req, res) => res.send('ok'));
r.get(process.env.EXTRA_PATH!, (_req, res) => res.send('ok'));
`,
    });
    expect(routeList(model)).toEqual(['GET /healthz (suffix)']);
    expect(model.services[0]!.uncertain.map((u) => u.reason)).toEqual([
      expect.stringContaining('computed at run time'),
    ]);
  });

  it('fastify: plugin prefixes, route(), under-pressure status route and its healthCheck', async () => {
    const { model } = await modelOf({
      'src/server.ts': `import Fastify from 'fastify';
import underPressure from '@fastify/under-pressure';
import { Pool } from 'pg';
import { ops } from './ops.js';
const pool = new Pool();
const app = Fastify();
app.register(ops, { prefix: '/ops' });
app.register(underPressure, { exposeStatusRoute: { url: '/alive' }, healthCheck: async () => { await pool.query('SELECT 1'); return true; } });
app.route({ method: ['GET', 'HEAD'], url: '/ready', handler: async () => 'ok' });
app.listen({ port: 3000, host: '0.0.0.0' });
`,
      'src/ops.ts': `import type { FastifyInstance } from 'fastify';
export async function ops(app: FastifyInstance) { app.get('/livez', async () => 'ok'); }
`,
    });
    expect(routeList(model)).toEqual(['GET /alive', 'GET /ops/livez', 'GET /ready', 'HEAD /ready']);
    expect(deps(route(model, '/alive'))).toEqual(['database pool.query']);
    expect(model.services[0]!.listens[0]!.port).toEqual({ kind: 'literal', port: 3000 });
  });

  it('koa router prefixes, path checks in middleware, and a raw http server that answers every path', async () => {
    const { model } = await modelOf({
      'koa/package.json': '{"name":"koa-svc"}',
      'koa/src/index.js': `const Koa = require('koa');
const Router = require('@koa/router');
const app = new Koa();
const router = new Router({ prefix: '/internal' });
router.get('/healthz', (ctx) => { ctx.body = 'ok'; });
app.use(router.routes());
app.use(async (ctx, next) => { if (ctx.path === '/livez') { ctx.body = 'ok'; return; } await next(); });
app.listen(8080);
`,
      'raw/package.json': '{"name":"raw"}',
      'raw/src/index.js': `const http = require('node:http');
http.createServer((req, res) => { res.end('ok'); }).listen(9000);
`,
    });
    expect(routeList(model, 'koa')).toEqual(['ALL /livez', 'GET /internal/healthz']);
    expect(model.services.find((s) => s.root === 'raw')!.catchAll).toHaveLength(1);
  });

  it('hono basePath and route() mounts', async () => {
    const { model } = await modelOf({
      'src/index.ts': `import { Hono } from 'hono';
import { serve } from '@hono/node-server';
const app = new Hono();
const api = new Hono().basePath('/v1');
api.get('/ready', (c) => c.text('ok'));
app.route('/api', api);
serve({ fetch: app.fetch, port: 8787 });
`,
    });
    expect(routeList(model)).toEqual(['GET /api/v1/ready']);
    expect(model.services[0]!.listens[0]!.port).toEqual({ kind: 'literal', port: 8787 });
  });

  it('NestJS controllers, the global prefix with exclusions, Terminus indicators and their default timeout', async () => {
    const { model } = await modelOf({
      'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.setGlobalPrefix('api', { exclude: ['health/(.*)'] });
  app.enableShutdownHooks();
  await app.listen(3000);
}
bootstrap();
`,
      'src/app.module.ts': `import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
@Module({ imports: [TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 5000 })] })
export class AppModule {}
`,
      'src/health.controller.ts': `import { Controller, Get } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator, HttpHealthIndicator } from '@nestjs/terminus';
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthCheckService, private readonly db: TypeOrmHealthIndicator, private readonly http: HttpHealthIndicator) {}
  @Get('ready')
  ready() { return this.health.check([() => this.db.pingCheck('db'), () => this.http.pingCheck('x', 'https://x')]); }
}
@Controller({ path: 'orders' })
export class OrdersController { @Get(':id') one() { return {}; } }
`,
    });
    expect(routeList(model)).toEqual(['GET /api/orders/:id', 'GET /health/ready']);
    expect(deps(route(model, '/health/ready'))).toEqual([
      'database this.db.pingCheck bounded',
      'http this.http.pingCheck',
    ]);
    expect(model.services[0]!.shutdown.handlers).toEqual([
      expect.objectContaining({ via: 'nest', drainMs: 5000, closesImmediately: false }),
    ]);
  });

  it('Next.js App Router route handlers (route groups dropped) and Pages Router API routes', async () => {
    const { model } = await modelOf({
      'package.json': '{"name":"web"}',
      'next.config.mjs': 'export default {};',
      'app/(ops)/api/health/route.ts': `import { prisma } from '@/lib/prisma';
export async function GET() { await prisma.$queryRaw\`SELECT 1\`; return new Response('ok'); }
`,
      'src/pages/api/livez.ts': 'export default function handler(_req, res) { res.status(200).end(); }\n',
      'app/_private/route.ts': 'export function GET() {}\n',
    });
    expect(routeList(model)).toEqual(['ALL /api/livez', 'GET /api/health']);
    expect(deps(route(model, '/api/health'))).toEqual(['database prisma.$queryRaw']);
  });

  it('Remix / React Router flat routes (loaders only) and SvelteKit endpoints', async () => {
    const { model } = await modelOf({
      'package.json': '{"name":"web"}',
      'app/routes/healthcheck.tsx': 'export const loader = async () => new Response("OK");\n',
      'app/routes/api.v1.health.ts': 'export async function loader() { return new Response("OK"); }\n',
      'app/routes/_app.orgs.$slug._index/route.tsx': 'export const loader = () => null;\n',
      'app/routes/_app.orgs.$slug._index/helper.ts': 'export const loader = () => null;\n',
      'app/routes/concerts_.mine.tsx': 'export const loader = () => null;\n',
      'app/routes/sitemap[.]xml.ts': 'export const loader = () => null;\n',
      'app/routes/files.$.ts': 'export const loader = () => null;\n',
      'app/routes/about.tsx': 'export default function About() { return null; }\n',
      'app/routes/ops+/ready.ts': 'export const loader = () => null;\n',
      'app/routes/ops+/_index.ts': 'export const loader = () => null;\n',
      'svelte/package.json': '{"name":"shop"}',
      'svelte/src/routes/(ops)/health/[probe]/+server.ts': 'export const GET = () => new Response("ok");\n',
      'svelte/src/routes/+server.ts': 'export function POST() { return new Response("ok"); }\n',
    });
    expect(routeList(model)).toEqual([
      'GET /api/v1/health',
      'GET /concerts/mine',
      'GET /files/*',
      'GET /healthcheck',
      'GET /ops',
      'GET /ops/ready',
      'GET /orgs/:slug',
      'GET /sitemap.xml',
    ]);
    expect(routeList(model, 'svelte')).toEqual(['GET /health/:probe', 'POST /']);
  });

  it('named handlers: consts inside plugins, fastify-plugin wrappers, controller instances and bound methods', async () => {
    const { model } = await modelOf({
      'package.json': '{"name":"api"}',
      'src/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool();\n",
      'src/health.ts': `import fp from 'fastify-plugin';
import { pool } from './db.js';
export default fp(async (app) => {
  const ready = async () => { await pool.query('SELECT 1'); return 'ok'; };
  app.get('/readyz', ready);
});
`,
      'src/probes.ts': `import { pool } from './db.js';
export class Probes {
  async health() { await pool.query('SELECT 1'); return 'ok'; }
}
`,
      'src/server.ts': `import Fastify from 'fastify';
import health from './health.js';
import { Probes } from './probes.js';
const app = Fastify();
const probes = new Probes();
app.register(health, { prefix: '/ops' });
app.get('/healthz', probes.health.bind(probes));
app.get('/health', probes.health);
app.listen({ port: 8080 });
`,
    });
    expect(routeList(model)).toEqual(['GET /health', 'GET /healthz', 'GET /ops/readyz']);
    for (const p of ['/health', '/healthz', '/ops/readyz'])
      expect(deps(route(model, p))).toEqual(['database pool.query']);
  });

  it('terminus health checks, beforeShutdown delay and a CommonJS knex client', async () => {
    const { model } = await modelOf({
      'src/server.js': `const http = require('http');
const express = require('express');
const { createTerminus } = require('@godaddy/terminus');
const db = require('./db');
const app = express();
const server = http.createServer(app);
createTerminus(server, {
  healthChecks: { '/healthcheck': () => db.raw('select 1'), verbatim: true },
  beforeShutdown: () => new Promise((r) => setTimeout(r, 5000)),
});
server.listen(3000);
`,
      'src/db.js': "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n",
    });
    expect(routeList(model)).toEqual(['GET /healthcheck']);
    expect(deps(route(model, '/healthcheck'))).toEqual(['database db.raw']);
    expect(model.services[0]!.shutdown.handlers).toEqual([expect.objectContaining({ via: 'terminus', drainMs: 5000 })]);
  });

  it('lightship serves /live, /ready and /health on its own port and drains by shutdownDelay', async () => {
    const { model } = await modelOf({
      'src/main.ts': `import { createLightship } from 'lightship';
const lightship = await createLightship({ port: 9100, shutdownDelay: 10000 });
`,
    });
    expect(routeList(model)).toEqual(['GET /health :9100', 'GET /live :9100', 'GET /ready :9100']);
    expect(model.services[0]!.shutdown.handlers).toEqual([
      expect.objectContaining({ via: 'lightship', drainMs: 10000 }),
    ]);
  });
});

describe('Python frameworks', () => {
  it('FastAPI routers, include_router prefixes, fastapi-health conditions and timeouts', async () => {
    const { model } = await modelOf({
      'requirements.txt': 'fastapi\n',
      'app/__init__.py': '',
      'app/main.py': `import asyncio
import requests
from fastapi import FastAPI
from fastapi_health import health
from sqlalchemy import text
from sqlalchemy.orm import Session
from .routers import probes
from .db import engine

app = FastAPI()
app.include_router(probes.router, prefix="/health")

def db_up(session: Session):
    return session.execute(text("SELECT 1"))

app.add_api_route("/deep", health([db_up]))

@app.get("/ready")
async def ready():
    async with engine.connect() as conn:
        await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=1)
    requests.get("http://other/health")
    return {}
`,
      'app/db.py':
        'from sqlalchemy.ext.asyncio import create_async_engine\nengine = create_async_engine("postgresql+asyncpg://x")\n',
      'app/routers/__init__.py': '',
      'app/routers/probes.py':
        'from fastapi import APIRouter\nrouter = APIRouter(prefix="/v1")\n@router.get("/live")\ndef live():\n    return {}\n',
    });
    expect(routeList(model)).toEqual(['GET /deep', 'GET /health/v1/live', 'GET /ready']);
    expect(deps(route(model, '/deep'))).toEqual(['database session.execute']);
    expect(deps(route(model, '/ready'))).toEqual([
      'database engine.connect',
      'database conn.execute bounded',
      'http requests.get',
    ]);
  });

  it('Flask blueprints registered in an app factory (url_prefix replaces the blueprint’s own)', async () => {
    const { model } = await modelOf({
      'requirements.txt': 'flask\n',
      'app/__init__.py':
        'from flask import Flask\nfrom .ops import bp\n\ndef create_app():\n    app = Flask(__name__)\n    app.register_blueprint(bp, url_prefix="/ops")\n    app.add_url_rule("/ping", view_func=lambda: "pong")\n    return app\n',
      'app/extensions.py': 'from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n',
      'app/ops.py':
        'from flask import Blueprint\nfrom .extensions import db\nbp = Blueprint("ops", __name__, url_prefix="/health")\n@bp.route("/livez")\ndef livez():\n    db.session.execute("SELECT 1")\n    return "ok"\n',
    });
    expect(routeList(model)).toEqual(['GET /ops/livez', 'GET /ping']);
    expect(deps(route(model, '/ops/livez'))).toEqual(['database db.session.execute']);
  });

  it('Django URL confs: ROOT_URLCONF, include(), class-based views, third-party includes', async () => {
    const { model } = await modelOf({
      'requirements.txt': 'django\n',
      'proj/__init__.py': '',
      'proj/settings.py': 'ROOT_URLCONF = "proj.urls"\n',
      'proj/urls.py':
        'from django.contrib import admin\nfrom django.urls import include, path\nurlpatterns = [\n    path("admin/", admin.site.urls),\n    path("ops/", include("health.urls")),\n]\n',
      'health/__init__.py': '',
      'health/urls.py':
        'from django.urls import path\nfrom . import views\nurlpatterns = [path("ready/", views.ReadyView.as_view())]\n',
      'health/views.py':
        'from django.db import connection\nfrom django.views import View\nclass ReadyView(View):\n    def get(self, request):\n        with connection.cursor() as cursor:\n            cursor.execute("SELECT 1")\n',
    });
    expect(routeList(model)).toEqual(['ALL /admin/*', 'ALL /ops/ready']);
    expect(deps(route(model, '/ops/ready'))).toEqual(['database connection.cursor', 'database cursor.execute']);
  });
});

describe('handler analysis', () => {
  it('follows helpers across modules and records the timeout that bounds them', async () => {
    const { model } = await modelOf({
      'src/server.ts': `import express from 'express';
import { checkAll } from './checks.js';
const app = express();
app.get('/readyz', async (_req, res) => { await checkAll(); res.end(); });
app.listen(8080);
`,
      'src/checks.ts': `import Redis from 'ioredis';
import axios from 'axios';
const redis = new Redis({ commandTimeout: 300 });
export async function checkAll() {
  await redis.ping();
  await axios.get('http://x/health', { timeout: 500 });
  await fetch('http://y/health');
}
`,
    });
    const r = route(model, '/readyz');
    expect(deps(r)).toEqual(['cache redis.ping bounded', 'http axios.get bounded', 'http fetch']);
    expect(r.handler!.deps[2]!.via).toEqual(['checkAll() (src/checks.ts:4)']);
  });

  it('finds race timers that are never cleared, in helpers and inline, and accepts cleared or unref’d ones', async () => {
    const { model } = await modelOf({
      'src/server.ts': `import express from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
const app = express();
function leaky<T>(p: Promise<T>, ms: number) { return Promise.race([p, new Promise<T>((_, r) => setTimeout(() => r(new Error('t')), ms))]); }
async function clean<T>(p: Promise<T>, ms: number) {
  let t: NodeJS.Timeout | undefined;
  try { return await Promise.race([p, new Promise<T>((_, r) => { t = setTimeout(() => r(new Error('t')), ms); })]); } finally { clearTimeout(t); }
}
app.get('/healthz', async (_req, res) => {
  await leaky(fetch('http://a'), 250);
  await clean(fetch('http://b'), 250);
  await Promise.race([fetch('http://c'), new Promise((_, r) => setTimeout(r, 100).unref())]);
  await Promise.race([fetch('http://d'), sleep(100)]);
  res.end();
});
app.listen(8080);
`,
    });
    const leaks = route(model, '/healthz').handler!.leaks.map(
      (l) => `${l.timer.line}${l.helper ? ` ${l.helper}` : ''}${l.ms !== undefined ? ` ${l.ms}ms` : ''}`,
    );
    expect(leaks).toEqual(['4 leaky 250ms', '13']);
  });

  it('does not count in-process state, SQLite or unknown receivers as dependencies', async () => {
    const { model } = await modelOf({
      'src/server.ts': `import express from 'express';
import Database from 'better-sqlite3';
const cache = new Map();
const sqlite = new Database('state.db');
const queue = [];
const app = express();
app.get('/livez', (_req, res) => { cache.get('x'); sqlite.prepare('SELECT 1').get(); queue.push(1); res.end(); });
app.listen(8080);
`,
    });
    expect(route(model, '/livez').handler!.deps).toEqual([]);
  });
});

describe('shutdown', () => {
  it('reads drain delays and immediate closes from SIGTERM handlers', async () => {
    const { model } = await modelOf({
      'a/package.json': '{"name":"a"}',
      'a/src/server.ts': `import express from 'express';
const app = express();
const server = app.listen(8080);
process.on('SIGTERM', () => { setTimeout(() => server.close(), 10_000); setTimeout(() => process.exit(1), 25_000).unref(); });
`,
      'b/package.json': '{"name":"b"}',
      'b/src/server.ts': `import express from 'express';
const app = express();
const server = app.listen(8080);
process.once('SIGTERM', () => server.close());
`,
      'c/package.json': '{"name":"c"}',
      'c/src/server.ts': `import express from 'express';
const app = express();
app.listen(8080);
process.on('SIGINT', () => process.exit(0));
`,
    });
    const sh = (root: string) => model.services.find((s) => s.root === root)!.shutdown;
    expect(sh('a').handlers).toEqual([expect.objectContaining({ drainMs: 10000, closesImmediately: false })]);
    expect(sh('b').handlers).toEqual([expect.objectContaining({ closesImmediately: true })]);
    expect(sh('c').handled).toBe(false);
  });
});

describe('route table completeness', () => {
  it('remembers probe paths named in code that yielded no route (so "nothing serves it" is never claimed there)', async () => {
    const { model } = await modelOf({
      'src/server.ts':
        "import express from 'express';\nimport { table } from './table.js';\nconst app = express();\napp.get('/livez', (_q, r) => r.end());\nfor (const [p, h] of table) (app as any)['get'](p, h);\napp.listen(8080);\n",
      'src/table.ts': "export const table = [['/readyz', () => 1]];\n",
      'k8s/a.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: x/a:1\n          readinessProbe: { httpGet: { path: /readyz, port: 8080 } }\n          livenessProbe: { httpGet: { path: /livez, port: 8080 } }\n',
    });
    expect(model.services[0]!.mentioned).toEqual(['/readyz']);
  });
});
