import type { RepoRule } from '../../../core/types.js';
import {
  changedPaths,
  containers,
  depKinds,
  failureBudget,
  modelOf,
  probeHandler,
  probeLabel,
  related,
  sameHandler,
  touches,
} from '../analysis.js';
import { isVendorDatastore } from '../health-index.js';

/**
 * health/identical-probes: liveness and readiness probe the same handler with the same failure budget,
 * so the pod is restarted at the moment it would be taken out of rotation. The Kubernetes docs endorse
 * one cheap endpoint for both when liveness has the larger failure budget: that pattern passes. When
 * the shared endpoint checks dependencies it is a blocker.
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/identical-probes',
    gate: 'health',
    severity: 'warning',
    description:
      'Liveness and readiness probe the same endpoint with the same failure budget (a blocker when that endpoint checks dependencies).',
    messages: {
      same: 'The liveness and readiness probes of container "{{container}}" ({{workload}}) both check {{target}} and give up after the same {{budget}} s. A pod that cannot serve for a moment is restarted at the same instant it is taken out of rotation, instead of being given time to recover while traffic goes elsewhere.',
      sharedDeps:
        'The liveness and readiness probes of container "{{container}}" ({{workload}}) both check {{target}}, and that endpoint checks {{kinds}} ({{handler}}). When {{kinds}} blips, every pod is removed from the Service and restarted at once: a full outage, where readiness alone would have shed load and recovered.',
    },
    fixes: {
      same: "Give liveness its own process-local endpoint (`/livez`, no I/O), or keep the shared cheap endpoint and raise the livenessProbe's `failureThreshold` so its budget (failureThreshold × periodSeconds) is clearly larger than readiness's ({{budget}} s).",
      sharedDeps:
        'Split them: point the livenessProbe at a process-local endpoint (`/livez`, no I/O) and keep the dependency checks only behind the readinessProbe, bounded by a timeout.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    for (const { w, c, svc } of containers(model)) {
      if (w.runToCompletion) continue;
      // A datastore's own check (`pg_isready`, `redis-cli ping`, its TCP port) serves both probes well;
      // our own code named like one (a `redis-proxy` built here) is still judged.
      if (!svc && isVendorDatastore(c.image, c.name)) continue;
      const live = c.probes.liveness;
      const ready = c.probes.readiness;
      if (!live || !ready || !sameHandler(live, ready)) continue;
      const h = probeHandler(model, w, c, live);
      const deps = h?.route.handler?.deps ?? [];
      const base = {
        container: c.name,
        workload: `${w.kind} ${w.name}`,
        target: probeLabel(live),
        budget: failureBudget(ready),
      };
      const files = [live.loc.path, ready.loc.path, w.path];
      if (deps.length > 0) {
        if (!touches(changed, ...files, h!.route.loc.path, ...deps.map((d) => d.loc.path))) continue;
        ctx.report({
          messageId: 'sharedDeps',
          severity: 'blocker',
          data: {
            ...base,
            kinds: depKinds(deps),
            handler: `${h!.route.handler!.loc.path}:${h!.route.handler!.loc.line}`,
          },
          path: live.loc.path,
          line: live.loc.line,
          related: [
            related(ready.loc, 'the readinessProbe checks the same endpoint'),
            related(h!.route.loc, `the route that serves ${live.path}`),
          ],
          key: `${w.kind}/${w.name}/${c.name}`,
        });
        continue;
      }
      // The documented pattern: same cheap endpoint, larger liveness budget.
      if (failureBudget(live) > failureBudget(ready)) continue;
      if (!touches(changed, ...files)) continue;
      ctx.report({
        messageId: 'same',
        data: base,
        path: live.loc.path,
        line: live.loc.line,
        related: [related(ready.loc, 'the readinessProbe checks the same endpoint')],
        key: `${w.kind}/${w.name}/${c.name}`,
      });
    }
  },
};
