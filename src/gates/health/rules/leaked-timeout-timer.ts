import type { RepoRule } from '../../../core/types.js';
import { changedPaths, modelOf, related, touches } from '../analysis.js';
import type { Route, TimerLeak } from '../model.js';

/**
 * health/leaked-timeout-timer: a health check bounds a dependency call with `Promise.race` against a
 * `setTimeout` whose handle is never cleared. Every probe leaves a live timer (and its closure) behind
 * until it fires, and the losing call keeps running.
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/leaked-timeout-timer',
    gate: 'health',
    severity: 'blocker',
    description:
      'A health check races a dependency call against a setTimeout that is never cleared: every probe leaks a live timer.',
    messages: {
      default:
        'This `setTimeout`{{inHelper}} is raced against the work (`Promise.race` at {{race}}) but its handle is never cleared, so every call leaves a live timer{{duration}} behind even when the work finished first. {{routes}} runs it on every probe of every pod, so timers and their closures pile up, keep the event loop busy after shutdown starts, and the slow call they were meant to cut off keeps running.',
    },
    fixes: {
      default:
        'Keep the handle and clear it when the race settles: `let timer; try { return await Promise.race([work, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("timeout")), ms); })]); } finally { clearTimeout(timer); }`. Better, when the client accepts a signal, drop the race and pass `AbortSignal.timeout(ms)` so the call itself is cancelled.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const byTimer = new Map<string, { leak: TimerLeak; routes: Route[] }>();
    for (const svc of model.services) {
      for (const route of svc.routes) {
        for (const leak of route.handler?.leaks ?? []) {
          const key = `${leak.timer.path}:${leak.timer.line}`;
          const entry = byTimer.get(key) ?? { leak, routes: [] };
          if (!entry.routes.includes(route)) entry.routes.push(route);
          byTimer.set(key, entry);
        }
      }
    }
    for (const { leak, routes } of byTimer.values()) {
      if (
        !touches(changed, leak.timer.path, leak.race.path, ...routes.flatMap((r) => [r.loc.path, r.handler?.loc.path]))
      )
        continue;
      const names = [...new Set(routes.map((r) => r.path))];
      ctx.report({
        messageId: 'default',
        data: {
          inHelper: leak.helper ? ` in \`${leak.helper}()\`` : '',
          race: `${leak.race.path}:${leak.race.line}`,
          duration: leak.ms !== undefined ? ` (${leak.ms} ms)` : '',
          routes: names.length === 1 ? `The health endpoint ${names[0]}` : `The health endpoints ${names.join(', ')}`,
        },
        path: leak.timer.path,
        line: leak.timer.line,
        related: routes.slice(0, 3).map((r) => related(r.loc, `health endpoint ${r.path} uses this timeout`)),
        key: leak.helper ?? 'race',
      });
    }
  },
};
