import type { RepoRule } from '../../../core/types.js';
import { changedPaths, modelOf, related, touches } from '../analysis.js';
import { dockerfileFor } from '../health-index.js';

/**
 * health/healthcheck-in-build-stage: a Dockerfile's only HEALTHCHECK sits in a stage the final image
 * does not build on. Docker keeps the image configuration of the final stage alone, so the check is
 * dropped without a word and the image has none.
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/healthcheck-in-build-stage',
    gate: 'health',
    severity: 'warning',
    description:
      'A Dockerfile HEALTHCHECK is written in a build stage the final image does not build on, so Docker drops it and the image has no health check.',
    messages: {
      default:
        'This HEALTHCHECK is in stage "{{stage}}", but the image this Dockerfile produces is its last stage ({{final}}), which does not build on "{{stage}}". Docker keeps only the final stage\'s configuration, so the check is dropped silently: the container is never reported unhealthy, and Compose services waiting for it with `condition: service_healthy` never start.',
    },
    fixes: {
      default:
        'Move the HEALTHCHECK into the final stage (after its last FROM), with a command that stage has (its runtime, or a tool it installs or copies in).',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    // Compose may build a named stage (`build.target`): then that stage is the image, HEALTHCHECK included.
    const targeted = new Set(
      model.compose.filter((s) => s.buildTarget !== undefined).map((s) => dockerfileFor(model, undefined, s)?.path),
    );
    for (const d of model.dockerfiles) {
      if (!d.droppedHealthchecks?.length || d.healthchecks.length > 0 || targeted.has(d.path)) continue;
      if (!touches(changed, d.path)) continue;
      for (const dropped of d.droppedHealthchecks)
        ctx.report({
          messageId: 'default',
          data: {
            stage: dropped.stage,
            final: `\`FROM ${d.finalFrom ?? d.baseImage ?? '?'}\` at line ${d.baseLine ?? '?'}`,
          },
          path: dropped.loc.path,
          line: dropped.loc.line,
          ...(d.baseLine
            ? { related: [related({ path: d.path, line: d.baseLine }, 'the final stage starts here')] }
            : {}),
          key: `${dropped.stage}:${dropped.loc.line}`,
        });
    }
  },
};
