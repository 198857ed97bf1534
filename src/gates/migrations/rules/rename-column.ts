import { renameInCodeHowTo } from '../advice.js';
import { at, ddlRule, ident } from '../ddl-context.js';
import { relatedReferences } from '../references.js';

/**
 * migrations/rename-column: RENAME COLUMN (Django RenameField, Alembic alter_column(new_column_name=),
 * Knex/TypeORM/Sequelize renameColumn) on an existing table: old instances still use the old name.
 */
export const rule = ddlRule({
  postgresOnly: false,
  meta: {
    id: 'migrations/rename-column',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'Renaming a column of an existing table: instances still running the previous release use the old name and fail.',
    messages: {
      renameColumn:
        'Renaming column {{column}} of {{table}} to {{to}} breaks every instance still running the previous release: from the moment the migration commits until the deploy finishes, their queries name {{column}} and fail.{{references}}',
    },
    fixes: {
      renameColumn:
        'Keep the database name: {{howTo}}. If the database name must change, expand/contract: add {{to}}, write both, backfill, switch reads, and drop {{column}} in a later release.',
    },
    native: { squawk: ['renaming-column'], atlas: ['BC102'] },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind !== 'rename-column' || t.isNew(op.table, i)) return;
      const related = relatedReferences(ctx, op.table, op.column, t.file.path);
      ctx.report({
        messageId: 'renameColumn',
        data: {
          column: ident(op.column),
          table: ident(op.table),
          to: ident(op.to),
          howTo: renameInCodeHowTo(t.plan.tool),
          references: related.summary,
        },
        ...at(op),
        ...(related.locations.length ? { related: related.locations } : {}),
        key: `${op.table}.${op.column}`,
      });
    });
  },
});
