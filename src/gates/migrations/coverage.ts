/**
 * The migrations gate's coverage facts: the migration sets and files it indexed, and the sets whose SQL
 * dialect it does not analyse statement by statement (only PostgreSQL DDL is judged for locks).
 */
import type { CoverageContext, GateCoverage } from '../../core/types.js';
import { historyIndex } from './history.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function migrationsCoverage(ctx: CoverageContext): GateCoverage {
  const index = ctx.index(historyIndex);
  const sets = [...index.sets.values()];
  const files = sets.reduce((n, s) => n + s.entries.length, 0);
  const tools = [...new Set(sets.map((s) => s.tool))].sort();
  const otherDialect = sets.filter((s) => s.dialect !== 'postgresql');
  return {
    examined: [
      `${plural(files, 'migration')} in ${plural(sets.length, 'migration set')}${tools.length ? ` (${tools.join(', ')})` : ''} indexed`,
    ],
    notAnalysed: otherDialect.map((s) => ({
      subject: `${s.dir || '(root)'}`,
      reason: `${s.dialect === 'other' ? 'an unknown SQL dialect' : s.dialect}: history rules apply, lock and rewrite rules only judge PostgreSQL`,
    })),
  };
}
