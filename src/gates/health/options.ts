/**
 * Options of the health gate (`gates.health` in .github/readiness.yml), with defaults.
 */
import { z } from 'zod';

const path = (what: string) => z.string().regex(/^\//, 'must start with /').optional().describe(what);

export const healthOptionsSchema = z.object({
  liveness: path(
    'The path every liveness probe must use (e.g. `/livez`). When set, HTTP liveness probes on another path are reported, and a route at this path that checks dependencies counts as a liveness endpoint; when unset, the gate only flags a liveness probe pointed at a readiness-named endpoint (and vice versa).',
  ),
  readiness: path('The path every readiness probe must use (e.g. `/readyz`).'),
  startup: path('The path every startup probe must use (e.g. `/startupz`).'),
  'slow-start-seconds': z
    .number()
    .int()
    .min(1)
    .default(30)
    .describe(
      'A liveness `initialDelaySeconds` at or above this many seconds is treated as a startup budget that belongs in a startupProbe.',
    ),
  'fast-restart-seconds': z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe(
      'A liveness probe whose `failureThreshold × periodSeconds` is below this many seconds restarts containers after a short pause (a GC, a CPU throttle).',
    ),
});

export type HealthOptions = z.output<typeof healthOptionsSchema>;

/** Defaults when a rule runs without gate options (unit tests). */
export function healthOptions(options: HealthOptions | undefined): HealthOptions {
  return options ?? healthOptionsSchema.parse({});
}
