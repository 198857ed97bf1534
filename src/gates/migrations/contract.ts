/**
 * Evidence that a DROP is the contract step of expand/contract: the release running while the migration
 * deploys no longer reads what is dropped. Three kinds, each from the base (the previous release):
 * an earlier Django `SeparateDatabaseAndState` removed it from the model state only; the same migration
 * drops in the database what an earlier one removed from state (`op.contractStep`); or no model of the
 * base declares it and no code of the head names it.
 */
import type { RuleContext } from '../../core/types.js';
import { columnIntroducedBy, type MigrationIndex } from './history.js';
import { releaseStatus } from './history-rules.js';
import { declaresColumn, modelOf } from './models.js';
import type { OpOf } from './ops.js';
import type { MigrationsOptions } from './options.js';
import { djangoApp } from './orm/django.js';
import { historyIndex } from './history.js';

export type ContractReason = 'state-removed' | 'unread';

function sides(
  ctx: RuleContext<unknown, MigrationsOptions>,
): { base: MigrationIndex; head: MigrationIndex } | undefined {
  try {
    const mine = ctx.index(historyIndex);
    const other = ctx.otherIndex(historyIndex);
    return ctx.side === 'head' ? { base: other, head: mine } : { base: mine, head: other };
  } catch {
    return undefined;
  }
}

/**
 * A state-only removal at the base that the previous release contains: merged but unreleased, the
 * running release still reads the column (when the repository has releases).
 */
function shippedStateRemoval(base: MigrationIndex, key: string): boolean {
  const path = base.stateOnlyDrops.get(key);
  return path !== undefined && releaseStatus(base, path).status !== 'unreleased';
}

/** Why dropping this column is a contract step, or undefined when nothing shows the previous release stopped reading it. */
export function contractForColumn(
  ctx: RuleContext<unknown, MigrationsOptions>,
  op: OpOf<'drop-column'>,
): ContractReason | undefined {
  if (op.contractStep) return 'state-removed';
  const both = sides(ctx);
  if (!both) return undefined;
  if (shippedStateRemoval(both.base, `${op.table}.${op.column}`)) return 'state-removed';
  // The model of the table is known at the base (every base class resolved) and does not declare the column …
  const model = modelOf(both.base.models, op.table);
  if (!model || !model.complete || declaresColumn(model, op.column)) return undefined;
  // … and no head code (model, client call, raw SQL) names it.
  if ((both.head.references.get(`${op.table}.${op.column}`) ?? []).length > 0) return undefined;
  return 'unread';
}

/** The same for a table: no base model maps to it (in an ecosystem whose models were read) and no head code names it. */
export function contractForTable(
  ctx: RuleContext<unknown, MigrationsOptions>,
  op: OpOf<'drop-table'>,
  migrationPath: string,
  tool: string,
): ContractReason | undefined {
  if (op.objectType !== 'table') return undefined;
  if (op.contractStep) return 'state-removed';
  const both = sides(ctx);
  if (!both) return undefined;
  if (shippedStateRemoval(both.base, op.table)) return 'state-removed';
  const seen =
    tool === 'django'
      ? both.base.models.seen.has(djangoApp(migrationPath))
      : tool === 'alembic'
        ? both.base.models.seen.has('sqlalchemy')
        : tool === 'prisma'
          ? both.base.models.seen.has('prisma')
          : false;
  if (!seen) return undefined;
  if (modelOf(both.base.models, op.table) || modelOf(both.head.models, op.table)) return undefined;
  if ((both.head.references.get(`${op.table}.`) ?? []).length > 0) return undefined;
  return 'unread';
}

/**
 * The migration that added a dropped column, when no release contains it (the repository has releases):
 * no running release reads a column only unreleased code knows, so the drop breaks no deployed instance.
 * Undefined when the history does not say where the column came from, or that migration shipped.
 */
export function unreleasedOrigin(
  ctx: RuleContext<unknown, MigrationsOptions>,
  t: { index: MigrationIndex | undefined; set: { dir: string } | undefined; entry: { position: number } | undefined },
  op: OpOf<'drop-column'>,
): { path: string; refs: readonly string[] } | undefined {
  const both = sides(ctx);
  if (!both || !t.index || !t.set || !t.entry) return undefined;
  const path = columnIntroducedBy(t.index, t.set.dir, t.entry.position, op.table, op.column);
  if (!path) return undefined;
  const status = releaseStatus(both.base, path);
  return status.status === 'unreleased' ? { path, refs: status.refs } : undefined;
}
