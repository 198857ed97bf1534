import type { Gate } from '../../core/types.js';
import { healthCoverage } from './coverage.js';
import { healthIndex } from './health-index.js';
import { healthOptionsSchema, type HealthOptions } from './options.js';
import { rules } from './rules/index.js';

/** Deployment files that carry probes or health checks. */
const DEPLOY_TOKENS = [
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'healthcheck',
  'HEALTHCHECK',
  'kind: Service',
];
/** Code that serves health endpoints or handles shutdown. */
const CODE_TOKENS = [
  '@godaddy/terminus',
  'lightship',
  'under-pressure',
  '@nestjs/terminus',
  'fastapi_health',
  '/healthz',
  '/livez',
  '/readyz',
  '/health',
  '/live',
  '/ready',
  '/alive',
  // NestJS `@Controller('health')`.
  "Controller('health",
  'Controller("health',
];
/** File-system routed health endpoints (Remix `app/routes/healthcheck.tsx`, SvelteKit `src/routes/health/+server.ts`). */
const HEALTH_ROUTE_FILE =
  /(^|\/)(app|pages|routes)\/(.+[/.])?(health|healthz|healthcheck|livez|readyz|live|ready|alive)([/.]|$)/i;

/**
 * The health-model gate: what each service serves (health routes and what their handlers do) against
 * what its deployment files ask for (Kubernetes probes, Helm values, Compose health checks, Dockerfile
 * HEALTHCHECKs), judged where the pull request changes either side.
 */
export const healthGate: Gate<HealthOptions> = {
  id: 'health',
  title: 'Health model',
  description:
    'Builds one health model per service from code (Express, Fastify, NestJS/Terminus, Koa, Hono, Next.js, FastAPI, Flask, Django, terminus, lightship, under-pressure, fastapi-health) and deployment files (Kubernetes manifests, Helm charts, docker-compose, Dockerfiles), and reports probes that restart healthy pods or route traffic to pods that cannot serve it: liveness checks that depend on a database, missing readiness probes, probes at paths nothing serves, missing startup probes, timing mistakes, unsafe shutdowns, and health checks without timeouts or with leaked timers.',
  options: healthOptionsSchema,
  async applies({ snapshot, paths }) {
    if (
      paths.some((p) =>
        /(^|\/)(Dockerfile|Containerfile|Chart\.ya?ml)$|(^|\/)(docker-)?compose[\w.-]*\.ya?ml$/i.test(p),
      )
    )
      return true;
    if (paths.some((p) => HEALTH_ROUTE_FILE.test(p))) return true;
    if ((await snapshot.grep(DEPLOY_TOKENS, ['**/*.{yaml,yml}'])).length > 0) return true;
    return (await snapshot.grep(CODE_TOKENS, ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py}'])).length > 0;
  },
  indexes: [healthIndex],
  coverage: healthCoverage,
  // Kubernetes manifests, Helm charts and Compose files feed the health index, not a file rule.
  reads: ['**/*.{yaml,yml}'],
  rules,
};
