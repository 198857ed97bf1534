import type { RepoRule } from '../../../core/types.js';
import { changedPaths, containerArgv, modelOf, probeLabel, serviceOfContainer, touches } from '../analysis.js';
import { slowStartReason } from '../deploy/commands.js';
import { dockerfileFor } from '../health-index.js';
import { healthOptions, type HealthOptions } from '../options.js';

/**
 * health/startup-probe-missing: a slow-starting container relies on the livenessProbe's
 * `initialDelaySeconds` (or on luck) instead of a startupProbe. The delay applies to every start, and
 * a start that takes longer than it gets the container killed in a loop.
 */
export const rule: RepoRule<unknown, HealthOptions> = {
  scope: 'repo',
  meta: {
    id: 'health/startup-probe-missing',
    gate: 'health',
    severity: 'warning',
    description:
      'A slow-starting container has a livenessProbe but no startupProbe (a long liveness initialDelaySeconds doing the startup probe’s job, or migrations run at start).',
    messages: {
      initialDelay:
        'The livenessProbe of container "{{container}}" ({{workload}}) waits `initialDelaySeconds: {{delay}}` to cover startup. That fixed delay is a guess: a start slower than {{delay}} s (a cold cache, a slow node, a pending migration) gets the container killed and restarted in a loop, and a fast start still leaves a hung process unchecked for {{delay}} s.',
      slowCommand:
        'Container "{{container}}" ({{workload}}) {{reason}}, and its livenessProbe has no startupProbe to hold it off: on a slow start (a long migration, a lock wait) liveness fails after {{budget}} s and Kubernetes kills the container mid-migration, over and over.',
    },
    fixes: {
      initialDelay:
        'Add a startupProbe with the same check ({{target}}) and a budget for the worst start, e.g. `startupProbe: { httpGet: …, periodSeconds: 5, failureThreshold: {{threshold}} }` ({{total}} s), and remove `initialDelaySeconds` from the livenessProbe so it can stay strict once the app is up.',
      slowCommand:
        "Add a startupProbe with the same check ({{target}}) and a budget for the slowest start, e.g. `periodSeconds: 10, failureThreshold: 30` (300 s); better, run migrations in a Job or an initContainer rather than in the container's start command.",
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const options = healthOptions(ctx.gateOptions);
    for (const w of model.workloads) {
      if (w.runToCompletion) continue;
      for (const c of w.containers) {
        const live = c.probes.liveness;
        if (!live || c.probes.startup || c.unresolvedProbes.includes('startup')) continue;
        if (!touches(changed, live.loc.path, w.path)) continue;
        const base = { container: c.name, workload: `${w.kind} ${w.name}`, target: probeLabel(live) };
        const key = `${w.kind}/${w.name}/${c.name}`;
        const delay = live.initialDelaySeconds;
        if (delay && delay.value >= options['slow-start-seconds']) {
          const total = Math.max(60, Math.ceil((delay.value * 2) / 10) * 10);
          ctx.report({
            messageId: 'initialDelay',
            data: { ...base, delay: delay.value, threshold: Math.ceil(total / 5), total },
            path: live.loc.path,
            line: delay.line,
            key,
          });
          continue;
        }
        const svc = serviceOfContainer(model, w, c);
        const dockerfile = svc ? dockerfileFor(model, svc.root) : undefined;
        const argv = containerArgv(c).length
          ? containerArgv(c)
          : [...(dockerfile?.entrypoint ?? []), ...(dockerfile?.cmd ?? [])];
        const reason = slowStartReason(argv);
        if (!reason) continue;
        const budget = (delay?.value ?? 0) + (live.failureThreshold?.value ?? 3) * (live.periodSeconds?.value ?? 10);
        ctx.report({
          messageId: 'slowCommand',
          data: { ...base, reason, budget },
          path: live.loc.path,
          line: live.loc.line,
          key,
        });
      }
    }
  },
};
