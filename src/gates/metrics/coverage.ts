/**
 * The metrics gate's coverage facts: how many metric definitions it indexed, and how many names it could
 * not resolve statically (those cannot be checked for collisions or conventions).
 */
import type { CoverageContext, GateCoverage } from '../../core/types.js';
import { metricIndex } from './metric-index.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function metricsCoverage(ctx: CoverageContext): GateCoverage {
  const index = ctx.index(metricIndex);
  const dynamic = index.metrics.filter((m) => m.name.kind !== 'static');
  const first = dynamic[0];
  return {
    examined: [`${plural(index.metrics.length, 'metric definition')} in ${plural(index.files.length, 'file')} indexed`],
    notAnalysed:
      dynamic.length > 0
        ? [
            {
              subject: plural(dynamic.length, 'metric name'),
              reason: 'computed at run time: collisions and naming not checked',
              ...(first ? { path: first.loc.path, line: first.loc.line } : {}),
            },
          ]
        : [],
  };
}
