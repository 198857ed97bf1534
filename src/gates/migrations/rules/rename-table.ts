import { at, ddlRule, ident } from '../ddl-context.js';

/** migrations/rename-table: RENAME TO (Django RenameModel, op.rename_table, renameTable) on an existing table. */
export const rule = ddlRule({
  postgresOnly: false,
  meta: {
    id: 'migrations/rename-table',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'Renaming an existing table: instances still running the previous release query the old name and fail.',
    messages: {
      renameTable:
        'Renaming table {{table}} to {{to}} breaks every instance still running the previous release: until the deploy finishes, their queries name {{table}} and fail with "relation does not exist".',
    },
    fixes: {
      renameTable:
        'Rename the model only and keep the table name ({{howTo}}), or rename the table and in the same migration `CREATE VIEW {{table}} AS SELECT * FROM {{to}}` so old code keeps working; drop the view in a later release.',
    },
    native: { squawk: ['renaming-table'], atlas: ['BC101'] },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind !== 'rename-table' || t.isNew(op.table, i)) return;
      // A view with the old name created later in the same migration keeps old code working (Atlas skips BC101 then too).
      const bridged = t.ops.slice(i + 1).some((o) => o.kind === 'create-view' && o.view === op.table);
      if (bridged) return;
      const howTo =
        t.plan.tool === 'prisma'
          ? '`@@map("old_name")`'
          : t.plan.tool === 'django'
            ? '`db_table` in Meta'
            : t.plan.tool === 'alembic'
              ? '`__tablename__`'
              : 'the ORM table-name option';
      ctx.report({
        messageId: 'renameTable',
        data: { table: ident(op.table), to: ident(op.to), howTo },
        ...at(op),
        key: op.table,
      });
    });
  },
});
