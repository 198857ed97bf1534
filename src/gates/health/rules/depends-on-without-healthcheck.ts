import type { RepoRule } from '../../../core/types.js';
import { changedPaths, modelOf, related, touches } from '../analysis.js';
import { imageHasNoHealthcheck } from '../deploy/dockerfile.js';
import { dockerfileFor } from '../health-index.js';
import { dirOf } from '../../../lang/program/modules.js';
import type { ComposeService } from '../model.js';

/**
 * health/depends-on-without-healthcheck: a Compose service waits for another with
 * `condition: service_healthy`, but that service has no health check — none in any Compose file of
 * the project and none in its image (an official image without HEALTHCHECK, or a Dockerfile in the
 * repository without one). Compose refuses to start the dependent service.
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/depends-on-without-healthcheck',
    gate: 'health',
    severity: 'blocker',
    description:
      'A Compose service depends on another with condition: service_healthy, but that service has no health check, so it never starts.',
    messages: {
      default:
        'Service "{{service}}" waits for "{{target}}" to be healthy (`condition: service_healthy`), but "{{target}}" has no health check: {{why}}. Compose cannot tell when it is healthy and refuses to start "{{service}}" ("dependency … has no healthcheck configured").',
    },
    fixes: {
      default:
        'Add a `healthcheck:` to "{{target}}" ({{example}}), or wait with `condition: service_started` if "{{service}}" retries its connection anyway.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const byDir = new Map<string, ComposeService[]>();
    for (const s of model.compose) byDir.set(dirOf(s.path), [...(byDir.get(dirOf(s.path)) ?? []), s]);
    for (const s of model.compose) {
      for (const dep of s.dependsOn) {
        if (dep.condition !== 'service_healthy') continue;
        // Override files in the same directory merge with this one.
        const defs = (byDir.get(dirOf(s.path)) ?? []).filter((t) => t.name === dep.service);
        if (defs.length === 0) continue;
        if (defs.some((t) => t.healthcheck && !t.healthcheck.disabled)) continue;
        const target = defs.find((t) => t.path === s.path) ?? defs[0]!;
        let why: string | undefined;
        const d = target.buildContext !== undefined ? dockerfileFor(model, undefined, target) : undefined;
        if (target.buildContext !== undefined) {
          if (!d) continue; // its Dockerfile is not in the repository: it may have a HEALTHCHECK
          const last = d.healthchecks[d.healthchecks.length - 1];
          if (last && last.form !== 'none') continue;
          const dropped = d.droppedHealthchecks?.[0];
          why = dropped
            ? `it has no \`healthcheck:\` here, and the HEALTHCHECK at ${d.path}:${dropped.loc.line} is in build stage "${dropped.stage}", which the final image does not build on, so Docker drops it`
            : `it has no \`healthcheck:\` here and ${d.path} has no HEALTHCHECK`;
        } else if (target.image && imageHasNoHealthcheck(target.image)) {
          why = `it has no \`healthcheck:\` here and the \`${target.image}\` image defines none`;
        } else if (target.healthcheck?.disabled) {
          why = 'its health check is disabled';
        }
        if (!why) continue;
        if (!touches(changed, s.path, target.path, d?.path)) continue;
        ctx.report({
          messageId: 'default',
          data: { service: s.name, target: dep.service, why, example: exampleFor(target.image) },
          path: s.path,
          line: dep.line,
          related: [related(target.loc, `service "${dep.service}"`)],
          key: `${s.name}->${dep.service}`,
        });
      }
    }
  },
};

function exampleFor(image: string | undefined): string {
  const name = (image ?? '').toLowerCase();
  if (name.includes('postgres'))
    return 'e.g. `test: ["CMD-SHELL", "pg_isready -U postgres"], interval: 5s, retries: 10`';
  if (name.includes('redis') || name.includes('valkey'))
    return 'e.g. `test: ["CMD", "redis-cli", "ping"], interval: 5s, retries: 10`';
  if (name.includes('mysql') || name.includes('mariadb'))
    return 'e.g. `test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"], interval: 5s, retries: 10`';
  if (name.includes('rabbitmq'))
    return 'e.g. `test: ["CMD", "rabbitmq-diagnostics", "-q", "ping"], interval: 10s, retries: 10`';
  if (name.includes('mongo'))
    return 'e.g. `test: ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand(\'ping\')"], interval: 10s, retries: 10`';
  return 'e.g. `test: ["CMD", "node", "healthcheck.js"], interval: 10s, retries: 5`';
}
