import { at, ddlRule, ident } from '../ddl-context.js';
import { validatedNotNullBefore } from '../history.js';

/**
 * migrations/set-not-null: ALTER COLUMN … SET NOT NULL on an existing table scans every row under an
 * ACCESS EXCLUSIVE lock — unless (PostgreSQL 12+) a validated CHECK (col IS NOT NULL) already proves it,
 * in this migration or an earlier one. Also Django AlterField(null=True → False), Alembic
 * alter_column(nullable=False), Knex `.notNullable().alter()` / dropNullable.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/set-not-null',
    gate: 'migrations',
    severity: 'blocker',
    description: 'SET NOT NULL on an existing column scans the whole table under an ACCESS EXCLUSIVE lock.',
    messages: {
      newColumn:
        'SET NOT NULL on {{table}}.{{column}}, which this migration just added: it cannot fail and no other session sees the column yet, but it still reads every row of {{table}} inside the ACCESS EXCLUSIVE lock the ADD COLUMN holds, so the lock lasts as long as the scan.',
      setNotNull:
        'SET NOT NULL on {{table}}.{{column}} scans every row to prove there are no NULLs while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the scan (and the migration fails if a NULL is found).',
    },
    fixes: {
      newColumn:
        'Declare it where the column is added (`ADD COLUMN {{column}} … NOT NULL DEFAULT <constant>`, metadata-only on PostgreSQL 11+), or list {{table}} in `small-tables` if it is small.',
      setNotNull:
        'Add `CONSTRAINT {{column}}_not_null CHECK ({{column}} IS NOT NULL) NOT VALID`, backfill, `VALIDATE CONSTRAINT` in a later migration, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the CHECK.{{upgrade}}',
    },
    native: { squawk: ['adding-not-nullable-field'], atlas: ['PG303', 'MF104'] },
  },
  judge(t, ctx) {
    const provenHere = new Set<string>();
    const pending = new Map<string, string>();
    t.ops.forEach((op, i) => {
      if (op.kind === 'add-constraint' && op.constraint === 'check' && op.notNullColumn) {
        const key = `${op.table}.${op.notNullColumn}`;
        if (!op.notValid) provenHere.add(key);
        else if (op.name) pending.set(op.name, key);
        return;
      }
      if (op.kind === 'validate-constraint') {
        const key = pending.get(op.name);
        if (key) provenHere.add(key);
        return;
      }
      if (op.kind !== 'set-not-null' || t.isNew(op.table, i) || t.isSmall(op.table)) return;
      // Already NOT NULL by the history (a Sequelize changeColumn restating allowNull: false): PostgreSQL
      // returns at once. Added in this transaction: it cannot fail and blocks no one new, but still scans
      // inside the lock, so a warning rather than a blocker.
      if (t.wasNotNull(op.table, op.column)) return;
      const key = `${op.table}.${op.column}`;
      if (t.isAddedHere(op.table, op.column, i)) {
        ctx.report({
          messageId: 'newColumn',
          data: { table: ident(op.table), column: ident(op.column) },
          ...at(op),
          severity: 'warning',
          key,
        });
        return;
      }
      if (t.pgVersion >= 12) {
        if (provenHere.has(key)) return;
        if (
          t.index &&
          t.set &&
          t.entry &&
          validatedNotNullBefore(t.index, t.set.dir, t.entry.position, op.table, op.column)
        )
          return;
      }
      ctx.report({
        messageId: 'setNotNull',
        data: {
          table: ident(op.table),
          column: ident(op.column),
          upgrade:
            t.pgVersion < 12
              ? ` (On PostgreSQL ${t.pgVersion} SET NOT NULL always scans; upgrading to 12+ makes this pattern free.)`
              : '',
        },
        ...at(op),
        key,
      });
    });
  },
});
