/**
 * The deployment side of the health model: Kubernetes manifests (multi-document, List, CronJob, named
 * ports), Helm templates resolved against values.yaml without running Helm, Compose files, Dockerfiles,
 * and the command lines inside them; then which code each deployment unit runs.
 */
import { describe, expect, it } from 'vitest';
import { healthGate } from '../../../src/gates/health/index.js';
import {
  httpTargetOf,
  programsOf,
  serverPortOf,
  shellWords,
  slowStartReason,
} from '../../../src/gates/health/deploy/commands.js';
import { expandVars, imageTools } from '../../../src/gates/health/deploy/dockerfile.js';
import { sleepSeconds } from '../../../src/gates/health/deploy/kube.js';
import { builtImageRefs, imageName, routeServes } from '../../../src/gates/health/health-index.js';
import { containerKey, type Route } from '../../../src/gates/health/model.js';
import { FactsStore } from '../../../src/core/facts.js';
import { MemorySnapshot } from '../../../src/source/memory.js';
import { modelOf } from './helpers.js';

const probes = (model: Awaited<ReturnType<typeof modelOf>>['model']) =>
  model.workloads.flatMap((w) =>
    w.containers.flatMap((c) =>
      Object.values(c.probes).map(
        (p) =>
          `${w.kind}/${c.name} ${p!.kind} ${p!.type} ${p!.path ?? ''}:${p!.resolvedPort ?? p!.port ?? ''} @${p!.loc.path}:${p!.targetLine}`,
      ),
    ),
  );

describe('Kubernetes manifests', () => {
  it('reads every document and kind, resolves named ports, and marks run-to-completion workloads', async () => {
    const { model } = await modelOf({
      'k8s/all.yaml': `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: { name: db-proxy }
    spec:
      template:
        spec:
          containers:
            - name: proxy
              image: ghcr.io/acme/proxy:1
              ports: [{ name: pg, containerPort: 6432 }]
              readinessProbe: { tcpSocket: { port: pg } }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: ghcr.io/acme/job:1
              livenessProbe:
                exec: { command: ["cat", "/tmp/alive"] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    metadata: { labels: { app: api } }
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: api
          image: ghcr.io/acme/api:1
          ports: [{ name: http, containerPort: 8080 }]
          env:
            - { name: PORT, value: "8080" }
            - name: SECRET
              valueFrom: { secretKeyRef: { name: s, key: k } }
          livenessProbe:
            httpGet:
              path: /livez
              port: http
            periodSeconds: 20
          lifecycle:
            preStop:
              exec: { command: ["/bin/sh", "-c", "sleep 7"] }
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec:
  type: LoadBalancer
  selector: { app: api }
  ports: [{ port: 80, targetPort: http }]
`,
    });
    expect(probes(model)).toEqual([
      'StatefulSet/proxy readiness tcp :6432 @k8s/all.yaml:14',
      'CronJob/job liveness exec : @k8s/all.yaml:28',
      'Deployment/api liveness http /livez:8080 @k8s/all.yaml:48',
    ]);
    const api = model.workloads.find((w) => w.name === 'api')!;
    expect(api).toMatchObject({
      namespace: 'shop',
      labels: { app: 'api' },
      terminationGracePeriodSeconds: { value: 45 },
      runToCompletion: false,
    });
    expect(api.containers[0]).toMatchObject({
      env: { PORT: '8080' },
      opaqueEnv: ['SECRET'],
      preStopSeconds: { value: 7 },
    });
    expect(api.containers[0]!.probes.liveness!.periodSeconds).toEqual({ value: 20, line: 50 });
    expect(model.workloads.find((w) => w.kind === 'CronJob')!.runToCompletion).toBe(true);
    expect(model.kubeServices).toEqual([
      expect.objectContaining({
        name: 'api',
        type: 'LoadBalancer',
        selector: { app: 'api' },
        ports: [expect.objectContaining({ port: 80, targetPort: 'http' })],
      }),
    ]);
  });

  it('resolves Helm values (toYaml, with, if, inline actions) and notes what it cannot render', async () => {
    const { model, errors } = await modelOf({
      'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
      'chart/values.yaml': `image: { repository: ghcr.io/acme/api, tag: "2.0" }
port: 8080
livenessProbe:
  httpGet: { path: /livez, port: http }
readiness:
  enabled: false
`,
      'chart/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    metadata:
      labels:
        {{- include "api.selectorLabels" . | nindent 8 }}
    spec:
      containers:
        - name: api
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - name: http
              containerPort: {{ .Values.port }}
          livenessProbe:
            {{- toYaml .Values.livenessProbe | nindent 12 }}
          {{- if .Values.readiness.enabled }}
          readinessProbe:
            httpGet: { path: /readyz, port: http }
          {{- end }}
          startupProbe:
            {{- include "api.startupProbe" . | nindent 12 }}
`,
    });
    const w = model.workloads[0]!;
    const c = w.containers[0]!;
    expect(c.image).toBe('ghcr.io/acme/api:2.0');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, line: 15 }]);
    expect(w.labelIncludes).toEqual(['api.selectorLabels']);
    expect(probes(model)).toEqual(['Deployment/api liveness http /livez:8080 @chart/values.yaml:4']);
    expect(c.unresolvedProbes).toEqual(['startup']);
    // One note for the chart, naming where, instead of one "not analysed" line per templated setting.
    expect(errors).toEqual([
      expect.stringMatching(
        /^chart\/Chart\.yaml: 1 probe setting comes from templates the health gate cannot render without running Helm, so it was not checked \(chart\/templates\/[\w.-]+:\d+\)$/,
      ),
    ]);
  });

  it('parses each manifest and Dockerfile once per content; a values change re-reads only its chart', async () => {
    const files = (port: number): Record<string, string> => ({
      'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
      'chart/values.yaml': `port: ${port}\n`,
      'chart/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  template:
    spec:
      containers:
        - name: api
          image: acme/api
          livenessProbe: { httpGet: { path: /livez, port: {{ .Values.port }} } }
`,
      'deploy/worker.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: worker }
spec:
  template:
    spec:
      containers:
        - name: worker
          image: acme/worker
          readinessProbe: { httpGet: { path: /readyz, port: 9000 } }
`,
      'compose.yaml': 'services:\n  db:\n    image: postgres\n    healthcheck: { test: ["CMD", "pg_isready"] }\n',
      Dockerfile: 'FROM node:20\nHEALTHCHECK CMD curl -f http://localhost:3000/health\nCMD ["node", "server.js"]\n',
    });
    const store = new FactsStore();
    const first = await modelOf(files(8080), {}, store);
    const extracted = store.extractions;
    expect(extracted).toBe(4);
    const again = await modelOf(files(8080), {}, store);
    expect(store.extractions).toBe(extracted);
    expect(again.model).toEqual(first.model);
    const changed = await modelOf(files(8081), {}, store);
    // Only the chart's template depends on values.yaml.
    expect(store.extractions).toBe(extracted + 1);
    expect(probes(changed.model)).toEqual([
      'Deployment/api liveness http /livez:8081 @chart/templates/deployment.yaml:10',
      'Deployment/worker readiness http /readyz:9000 @deploy/worker.yaml:10',
    ]);
    expect(changed.model.compose.map((c) => c.name)).toEqual(['db']);
    expect(changed.model.dockerfiles.map((d) => d.healthchecks.length)).toEqual([1]);
  });

  it('skips templated YAML outside a chart rather than guessing', async () => {
    const { model } = await modelOf({
      'deploy/tmpl.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: {{ .Name }} }\n',
    });
    expect(model.workloads).toEqual([]);
  });
});

describe('Compose and Dockerfiles', () => {
  it('reads health checks, depends_on conditions, build contexts and ports', async () => {
    const { model } = await modelOf({
      'deploy/docker-compose.yml': `services:
  api:
    build: { context: ../api, dockerfile: Dockerfile.prod }
    ports: ["8080:3000", { target: 9464, published: 9464 }]
    environment: [PORT=3000]
    healthcheck:
      test: curl -f http://localhost:3000/healthz
    depends_on:
      db: { condition: service_healthy }
      cache:
        condition: service_started
  db:
    image: postgres:16
    healthcheck: { test: ["NONE"] }
  worker:
    image: ghcr.io/acme/worker:1
    depends_on: [db]
`,
    });
    const [api, db, worker] = model.compose;
    expect(api).toMatchObject({
      buildContext: 'api',
      dockerfile: 'api/Dockerfile.prod',
      env: { PORT: '3000' },
      ports: [
        expect.objectContaining({ published: 8080, target: 3000 }),
        expect.objectContaining({ published: 9464, target: 9464 }),
      ],
      healthcheck: { form: 'CMD-SHELL', argv: ['curl -f http://localhost:3000/healthz'], disabled: false },
      dependsOn: [
        expect.objectContaining({ service: 'db', condition: 'service_healthy' }),
        expect.objectContaining({ service: 'cache', condition: 'service_started' }),
      ],
    });
    expect(db!.healthcheck).toMatchObject({ form: 'NONE', disabled: true });
    expect(worker!.dependsOn).toEqual([expect.objectContaining({ service: 'db' })]);
  });

  it('reads the final stage of a multi-stage Dockerfile', async () => {
    const { model } = await modelOf({
      Dockerfile: `FROM node:22 AS build
RUN apt-get update && apt-get install -y curl
FROM node:22-alpine AS base
RUN apk add --no-cache wget
FROM base
ENV PORT=3000 NODE_ENV=production
EXPOSE 3000/tcp
HEALTHCHECK --interval=5s CMD wget -qO- http://localhost:3000/healthz || exit 1
CMD ["node", "server.js"]
`,
    });
    expect(model.dockerfiles[0]).toMatchObject({
      baseImage: 'node:22-alpine',
      installs: ['wget'],
      env: { PORT: '3000', NODE_ENV: 'production' },
      expose: [3000],
      cmd: ['node', 'server.js'],
      healthchecks: [expect.objectContaining({ form: 'shell', loc: expect.objectContaining({ line: 8 }) })],
    });
  });

  it('expands a shell-form HEALTHCHECK against the final ENV, ENV against ARGs, and records dropped stage HEALTHCHECKs', async () => {
    const { model } = await modelOf({
      Dockerfile: `ARG PORT=8080
FROM node:22 AS build
HEALTHCHECK CMD curl -f http://localhost:9/x
FROM node:22-alpine
ARG PORT
ARG UNSET
ENV APP_PORT=\${PORT} OTHER=\${UNSET}
HEALTHCHECK CMD wget -qO- "http://localhost:\${APP_PORT}\${HEALTH_PATH:-/healthz}" || exit 1
`,
    });
    const d = model.dockerfiles[0]!;
    expect(d.env).toEqual({ APP_PORT: '8080', OTHER: '${UNSET}' });
    expect(d.healthchecks[0]!.text).toBe('wget -qO- "http://localhost:8080/healthz" || exit 1');
    expect(d.droppedHealthchecks).toEqual([{ loc: expect.objectContaining({ line: 3 }), stage: 'build' }]);
    expect(expandVars('$A-$B', { A: '1' })).toBeUndefined();
  });

  it('knows which base images lack a shell, curl or wget', () => {
    expect(imageTools('gcr.io/distroless/nodejs22-debian12')).toMatchObject({ shell: false, curl: false, wget: false });
    expect(imageTools('node:22-alpine')).toMatchObject({ curl: false, wget: true });
    expect(imageTools('python:3.12-slim')).toMatchObject({ curl: false, wget: false });
    expect(imageTools('python:3.12')).toMatchObject({ curl: true });
    expect(imageTools('ghcr.io/acme/base:1')).toBeUndefined();
  });
});

describe('command lines', () => {
  it('splits shell words and finds the programs of each segment', () => {
    expect(shellWords(`curl -f "http://localhost:3000/a b"||exit 1`)).toEqual([
      'curl',
      '-f',
      'http://localhost:3000/a b',
      '||',
      'exit',
      '1',
    ]);
    expect(programsOf(shellWords('FOO=1 /usr/bin/curl -s x && exec node y | tee z'))).toEqual(['curl', 'node', 'tee']);
  });

  it('finds the URL a health-check command requests', () => {
    expect(httpTargetOf(['curl', '-fsS', 'http://127.0.0.1:8080/readyz?full=1'])).toEqual({
      tool: 'curl',
      host: '127.0.0.1',
      port: 8080,
      path: '/readyz',
      scheme: 'http',
    });
    expect(
      httpTargetOf(shellWords(`node -e "fetch('http://localhost/health').then(r => process.exit(r.ok ? 0 : 1))"`)),
    ).toMatchObject({ port: 80, path: '/health' });
    expect(httpTargetOf(['curl', 'http://localhost:${PORT}/x'])).toBeUndefined();
    expect(httpTargetOf(['curl', 'http://a/x', 'http://b/y'])).toBeUndefined();
  });

  it('reads the port of Python and Next.js server commands', () => {
    expect(serverPortOf(['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '9000'])).toEqual({
      port: 9000,
      via: 'uvicorn',
    });
    expect(serverPortOf(['uvicorn', 'app.main:app'])).toEqual({ port: 8000, via: 'uvicorn' });
    expect(serverPortOf(['gunicorn', '-b', '0.0.0.0:${PORT:-8080}', 'proj.wsgi'])).toEqual({
      env: 'PORT',
      port: 8080,
      via: 'gunicorn',
    });
    expect(serverPortOf(['sh', '-c', 'python manage.py migrate && python manage.py runserver 0.0.0.0:8001'])).toEqual({
      port: 8001,
      via: 'runserver',
    });
    expect(serverPortOf(['next', 'start', '-p', '4000'])).toEqual({ port: 4000, via: 'next start' });
    expect(serverPortOf(['node', 'dist/main.js'])).toBeUndefined();
  });

  it('recognises migrations at start and preStop sleeps', () => {
    expect(slowStartReason(['sh', '-c', 'npx prisma migrate deploy && node dist/main.js'])).toBe(
      'runs `prisma migrate deploy` before the server starts',
    );
    expect(slowStartReason(['node', 'dist/main.js'])).toBeUndefined();
    expect(sleepSeconds(['sleep', '10'])).toBe(10);
    expect(sleepSeconds(['/bin/sh', '-c', 'sleep 5 && nginx -s quit'])).toBe(5);
    expect(sleepSeconds(['/bin/drain.sh'])).toBeUndefined();
  });
});

describe('route matching', () => {
  const r = (path: string, certainty: Route['certainty'] = 'exact'): Route => ({
    framework: 'express',
    method: 'GET',
    path,
    certainty,
    loc: { path: 'x', line: 1 },
  });
  it.each([
    [r('/healthz'), '/healthz/', true],
    [r('/healthz/'), '/HEALTHZ', true],
    [r('/users/:id'), '/users/7', true],
    [r('/users/{id}'), '/users/7/posts', false],
    [r('/admin/*'), '/admin/a/b', true],
    [r('/healthz', 'suffix'), '/api/healthz', true],
    [r('/healthz', 'suffix'), '/healthz/live', false],
    [r('re:^ready/?$', 'suffix'), '/ready', true],
    [r('/readyz'), '/livez', false],
  ])('%j serves %s: %s', (route, path, expected) => {
    expect(routeServes(route, path)).toBe(expected);
  });
});

describe('mapping deployment units to code', () => {
  it('matches by folder, image name and build context, never maps infrastructure images, and stays unmapped when ambiguous', async () => {
    const pkg = (name: string) => `{ "name": "@acme/${name}" }`;
    const src = "import express from 'express';\nconst app = express();\napp.listen(8080);\n";
    const dep = (name: string, image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`;
    const { model } = await modelOf({
      'services/users/package.json': pkg('users'),
      'services/users/src/server.ts': src,
      'services/users/k8s/deployment.yaml': dep('svc', 'ghcr.io/acme/something-else:1'),
      'services/orders/package.json': pkg('orders'),
      'services/orders/src/server.ts': src,
      'k8s/orders.yaml': dep('backend', 'ghcr.io/acme/orders:1.2.3'),
      'k8s/redis.yaml': dep('orders', 'redis:7'),
      'k8s/unknown.yaml': dep('mystery', 'ghcr.io/acme/mystery:1'),
      // A vendor image whose container happens to be named like a service: not ours.
      'k8s/vendor.yaml': dep('orders', 'metabase/metabase:v0.50.3'),
      'docker-compose.yml': 'services:\n  orders:\n    build: ./services/orders\n  db:\n    image: postgres:16\n',
    });
    const mapOf = (path: string) => {
      const w = model.workloads.find((x) => x.path === path)!;
      return model.containerMap[containerKey(w, w.containers[0]!)];
    };
    expect(mapOf('services/users/k8s/deployment.yaml')).toEqual({ root: 'services/users', reason: 'path' });
    expect(mapOf('k8s/orders.yaml')).toEqual({ root: 'services/orders', reason: 'image name' });
    expect(mapOf('k8s/redis.yaml')).toEqual({});
    expect(mapOf('k8s/unknown.yaml')).toEqual({});
    expect(mapOf('k8s/vendor.yaml')).toEqual({});
    expect(model.composeMap['docker-compose.yml#orders']).toEqual({ root: 'services/orders', reason: 'build context' });
    expect(model.composeMap['docker-compose.yml#db']).toEqual({});
  });
});

describe('images the repository builds', () => {
  it('reads -t/--tag, docker push, tags:/images: values and blocks, IMAGE_NAME variables, not job images', () => {
    const workflow = [
      'env:',
      '  IMAGE_NAME: acme/billing',
      'jobs:',
      '  build:',
      '    container:',
      '      image: node:20',
      '    steps:',
      '      - run: docker build -t ghcr.io/acme/api:latest . && docker push ghcr.io/acme/worker:1',
      '      - run: docker buildx build --tag=acme/web:dev .',
      '      - uses: docker/metadata-action@v5',
      '        with:',
      '          images: |',
      '            ghcr.io/acme/storefront',
      '          tags: type=sha',
    ].join('\n');
    expect(builtImageRefs(workflow).map(imageName)).toEqual(
      expect.arrayContaining(['api', 'worker', 'web', 'storefront', 'billing']),
    );
    expect(builtImageRefs(workflow).map(imageName)).not.toContain('node');
    expect(builtImageRefs('build:\n  artifacts:\n    - image: acme/app\n', true).map(imageName)).toContain('app');
  });
});

describe('gate', () => {
  it('applies to repositories with deployment files or health code, not to others', async () => {
    const applies = (files: Record<string, string>) =>
      new MemorySnapshot(files).list().then((paths) =>
        healthGate.applies({
          snapshot: new MemorySnapshot(files),
          paths,
          gateOptions: { 'slow-start-seconds': 30, 'fast-restart-seconds': 10 },
        }),
      );
    expect(
      await applies({
        'k8s/x.yaml':
          'kind: Deployment\nspec: { template: { spec: { containers: [{ name: a, readinessProbe: {} }] } } }\n',
      }),
    ).toBe(true);
    expect(await applies({ 'src/server.ts': "app.get('/healthz', h);\n" })).toBe(true);
    expect(await applies({ 'infra/Dockerfile': 'FROM node:22\n' })).toBe(true);
    expect(await applies({ 'src/lib.ts': 'export const x = 1;\n', 'README.md': '# lib\n' })).toBe(false);
  });
});
