import { z } from 'zod';

/** `gates.metrics` in .github/readiness.yml. */
export const metricsOptions = z.object({
  'allow-labels': z
    .array(z.string())
    .default([])
    .describe(
      'Label names known to be bounded in this repository; never reported as unbounded (e.g. `tenant_id` when there are five tenants).',
    ),
  'unbounded-labels': z
    .array(z.string())
    .default([])
    .describe('Extra label names to report as unbounded, like `user_id` (e.g. `shop` in a marketplace).'),
});

export type MetricsOptions = z.output<typeof metricsOptions>;
