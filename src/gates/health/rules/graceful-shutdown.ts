import type { RepoRule } from '../../../core/types.js';
import { FILE_ROUTED } from '../code/fs-routes.js';
import {
  changedPaths,
  modelOf,
  related,
  selectingServices,
  serviceOfContainer,
  serviceTouched,
  touches,
} from '../analysis.js';
import type { CodeService, Container, ShutdownHandler, Workload } from '../model.js';

/**
 * health/graceful-shutdown: a Node service behind a Service does not shut down gracefully: nothing
 * handles SIGTERM (in-flight requests are cut), or the server closes the moment SIGTERM arrives
 * (Service endpoints are removed asynchronously, so new requests still arrive and are refused), or the
 * drain takes longer than `terminationGracePeriodSeconds` (SIGKILL arrives first).
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/graceful-shutdown',
    gate: 'health',
    severity: 'warning',
    description:
      'A Service-backed Node service does not shut down gracefully: no SIGTERM handling, no drain delay before the server closes, or a drain longer than the termination grace period.',
    messages: {
      noSigterm:
        'Service "{{service}}" runs this server ({{workload}}), but nothing in {{root}} handles SIGTERM. On every rollout, scale-down and node drain, Kubernetes sends SIGTERM and Node exits at once: in-flight requests are cut off and clients see connection resets.',
      noDrain:
        'On SIGTERM this {{via}} closes the server immediately, and container "{{container}}" ({{workload}}) has no preStop delay. Kubernetes removes the pod from Service endpoints asynchronously, so for a few seconds load balancers keep sending it new requests, which are refused.',
      graceTooShort:
        'Shutting down takes at least {{drain}} s ({{parts}}), but {{workload}} allows only {{grace}} s (`terminationGracePeriodSeconds`{{graceNote}}). Kubernetes sends SIGKILL before the server has even started closing, cutting off every in-flight request.',
    },
    fixes: {
      noSigterm:
        'Handle SIGTERM where the server starts: `process.on("SIGTERM", () => { shuttingDown = true; setTimeout(() => server.close(() => process.exit(0)), 5000); })`, and make the readiness endpoint answer 503 once `shuttingDown` is set (or use @godaddy/terminus / lightship, which do this).',
      noDrain:
        'Keep serving for a few seconds after SIGTERM before closing: fail readiness and wait (`setTimeout(() => server.close(), 5000)`, terminus `beforeShutdown`, lightship `shutdownDelay`), or add `lifecycle: { preStop: { sleep: { seconds: 5 } } }` to container "{{container}}".',
      graceTooShort:
        'Raise `terminationGracePeriodSeconds` above the whole shutdown path (preStop + drain delay + time to finish requests), e.g. {{suggest}}, or shorten the drain.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const seen = new Set<string>();
    for (const w of model.workloads) {
      if (w.runToCompletion) continue;
      const services = selectingServices(model, w);
      if (services.length === 0) continue;
      for (const c of w.containers) {
        const svc = serviceOfContainer(model, w, c);
        if (!svc || svc.runtime !== 'node' || !isServer(svc)) continue;
        if (!(touches(changed, w.path) || serviceTouched(changed, svc))) continue;
        const key = `${w.kind}/${w.name}/${c.name}`;
        const workload = `${w.kind} ${w.name}`;
        if (!svc.shutdown.handled) {
          const listen = svc.listens[0];
          const at = listen ? listen.loc : c.loc;
          const dedupe = `no:${svc.root}`;
          if (seen.has(dedupe)) continue;
          seen.add(dedupe);
          ctx.report({
            messageId: 'noSigterm',
            data: { service: services[0]!.name, workload, root: svc.root || 'the repository' },
            path: at.path,
            line: at.line,
            related: [related(c.loc, `container "${c.name}" of ${workload}`)],
            key: `sigterm:${svc.root}`,
          });
          continue;
        }
        const handlers = svc.shutdown.handlers;
        const preStop = c.preStopSeconds?.value ?? 0;
        const immediate =
          handlers.length > 0 && handlers.every((h) => h.closesImmediately) && !c.preStopSeconds && !c.preStopOpaque;
        if (immediate && c.probes.readiness) {
          const h = handlers[0]!;
          ctx.report({
            messageId: 'noDrain',
            data: { via: viaLabel(h), container: c.name, workload },
            path: h.loc.path,
            line: h.loc.line,
            related: [related(c.loc, `container "${c.name}" of ${workload}`)],
            key,
          });
          continue;
        }
        graceCheck(ctx, w, c, handlers, preStop, key);
      }
    }
  },
};

function graceCheck(
  ctx: Parameters<RepoRule['check']>[0],
  w: Workload,
  c: Container,
  handlers: readonly ShutdownHandler[],
  preStop: number,
  key: string,
): void {
  const drains = handlers.filter((h) => h.drainMs !== undefined);
  const longest = drains.sort((a, b) => b.drainMs! - a.drainMs!)[0];
  const drainS = (longest?.drainMs ?? 0) / 1000;
  const grace = w.terminationGracePeriodSeconds?.value ?? 30;
  const total = preStop + drainS;
  if (total < grace || total === 0) return;
  const parts = [
    preStop ? `preStop ${preStop} s` : '',
    longest ? `${viaLabel(longest)} waits ${drainS} s before closing` : '',
  ]
    .filter(Boolean)
    .join(' + ');
  const at = w.terminationGracePeriodSeconds
    ? { path: w.path, line: w.terminationGracePeriodSeconds.line }
    : { path: w.path, line: w.podSpecLine };
  ctx.report({
    messageId: 'graceTooShort',
    data: {
      drain: Math.round(total * 10) / 10,
      parts,
      workload: `${w.kind} ${w.name}`,
      grace,
      graceNote: w.terminationGracePeriodSeconds ? '' : ', the default',
      suggest: `\`terminationGracePeriodSeconds: ${Math.ceil(total + 15)}\``,
      container: c.name,
      via: '',
    },
    path: at.path,
    line: at.line,
    related: [
      ...(longest?.drainLoc ? [related(longest.drainLoc, 'the drain delay')] : []),
      ...(c.preStopSeconds ? [related({ path: w.path, line: c.preStopSeconds.line }, 'the preStop delay')] : []),
    ],
    key,
  });
}

function isServer(svc: CodeService): boolean {
  return svc.listens.length > 0 || svc.frameworks.some((f) => !FILE_ROUTED.has(f));
}

function viaLabel(h: ShutdownHandler): string {
  switch (h.via) {
    case 'process.on':
      return 'SIGTERM handler';
    case 'nest':
      return 'NestJS shutdown hook (`enableShutdownHooks`)';
    case 'terminus':
      return h.closesImmediately
        ? '@godaddy/terminus setup (no `beforeShutdown`)'
        : '@godaddy/terminus `beforeShutdown`';
    case 'lightship':
      return 'lightship setup';
    default:
      return `${h.via} handler`;
  }
}
