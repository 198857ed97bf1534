import type { RepoRule } from '../../../core/types.js';
import { changedPaths, failureBudget, modelOf, related, touches } from '../analysis.js';
import type { Probe } from '../model.js';
import { healthOptions, type HealthOptions } from '../options.js';

/**
 * health/probe-timing: probe numbers that defeat the probe — a timeout longer than the period, a
 * liveness budget that restarts after a few seconds of slowness, a liveness budget smaller than the
 * readiness budget, and `successThreshold` other than 1 on liveness/startup (the API rejects it).
 */
export const rule: RepoRule<unknown, HealthOptions> = {
  scope: 'repo',
  meta: {
    id: 'health/probe-timing',
    gate: 'health',
    severity: 'warning',
    description:
      'Probe timings that defeat the probe: timeout longer than the period, liveness that restarts within seconds or before readiness reacts, successThreshold ≠ 1 on liveness/startup.',
    messages: {
      timeoutOverPeriod:
        'The {{kind}}Probe of container "{{container}}" waits up to {{timeout}} s for an answer but is meant to run every {{period}} s. The kubelet never overlaps probes, so the real cadence is one check per {{timeout}} s and failures are noticed {{factor}}× later than configured.',
      fastRestart:
        'The livenessProbe of container "{{container}}" restarts the container after {{budget}} s of failures (failureThreshold {{threshold}} × periodSeconds {{period}}). A GC pause, a CPU-throttled second or a burst of traffic is enough to kill a healthy process, and restarts under load make the load worse.',
      livenessBeforeReadiness:
        'The livenessProbe of container "{{container}}" gives up after {{liveBudget}} s, before the readinessProbe does ({{readyBudget}} s). A pod in trouble is restarted while it still receives traffic, so its in-flight requests fail instead of being drained to other pods first.',
      successThreshold:
        'The {{kind}}Probe of container "{{container}}" sets `successThreshold: {{value}}`; Kubernetes requires 1 for liveness and startup probes and rejects the manifest.',
    },
    fixes: {
      timeoutOverPeriod:
        'Keep `timeoutSeconds` below `periodSeconds` (e.g. `timeoutSeconds: 2`, `periodSeconds: 10`), and make the endpoint answer well within the timeout.',
      fastRestart:
        'Give liveness a budget of tens of seconds, e.g. `periodSeconds: 10, failureThreshold: 3` (30 s). Liveness should only catch a process that is stuck for good; readiness handles short slowness.',
      livenessBeforeReadiness:
        "Make the livenessProbe's failureThreshold × periodSeconds larger than the readinessProbe's ({{readyBudget}} s), so a struggling pod is first taken out of rotation and only restarted if it does not recover.",
      successThreshold: 'Set `successThreshold: 1` (or remove it) on the {{kind}}Probe.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const options = healthOptions(ctx.gateOptions);
    for (const w of model.workloads) {
      for (const c of w.containers) {
        const key = (k: string) => `${w.kind}/${w.name}/${c.name}:${k}`;
        for (const p of Object.values(c.probes) as Probe[]) {
          if (!p || !touches(changed, p.loc.path)) continue;
          const base = { container: c.name, kind: p.kind };
          if ((p.kind === 'liveness' || p.kind === 'startup') && p.successThreshold && p.successThreshold.value !== 1) {
            ctx.report({
              messageId: 'successThreshold',
              severity: 'blocker',
              data: { ...base, value: p.successThreshold.value },
              path: p.loc.path,
              line: p.successThreshold.line,
              key: key(`${p.kind}:success`),
            });
          }
          const timeout = p.timeoutSeconds?.value ?? 1;
          const period = p.periodSeconds?.value ?? 10;
          if ((p.timeoutSeconds || p.periodSeconds) && timeout > period) {
            ctx.report({
              messageId: 'timeoutOverPeriod',
              data: { ...base, timeout, period, factor: Math.round((timeout / period) * 10) / 10 },
              path: p.loc.path,
              line: (p.timeoutSeconds ?? p.periodSeconds)!.line,
              key: key(`${p.kind}:timeout`),
            });
          }
        }
        const live = c.probes.liveness;
        if (live && touches(changed, live.loc.path) && (live.failureThreshold || live.periodSeconds)) {
          const budget = failureBudget(live);
          if (budget < options['fast-restart-seconds']) {
            ctx.report({
              messageId: 'fastRestart',
              data: {
                container: c.name,
                kind: 'liveness',
                budget,
                threshold: live.failureThreshold?.value ?? 3,
                period: live.periodSeconds?.value ?? 10,
              },
              path: live.loc.path,
              line: (live.failureThreshold ?? live.periodSeconds)!.line,
              key: key('liveness:budget'),
            });
            continue;
          }
        }
        const ready = c.probes.readiness;
        if (
          live &&
          ready &&
          touches(changed, live.loc.path, ready.loc.path) &&
          failureBudget(live) < failureBudget(ready)
        ) {
          ctx.report({
            messageId: 'livenessBeforeReadiness',
            data: {
              container: c.name,
              kind: 'liveness',
              liveBudget: failureBudget(live),
              readyBudget: failureBudget(ready),
            },
            path: live.loc.path,
            line: live.loc.line,
            related: [related(ready.loc, 'the readinessProbe')],
            key: key('liveness:order'),
          });
        }
      }
    }
  },
};
