import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/constraint-without-not-valid: ADD CONSTRAINT … FOREIGN KEY / CHECK on an existing table
 * without NOT VALID validates every row while holding a lock (FK: SHARE ROW EXCLUSIVE on both tables;
 * CHECK: ACCESS EXCLUSIVE). Also: VALIDATE CONSTRAINT in the same transaction as its NOT VALID ADD,
 * which keeps the ADD's lock for the whole scan. Covers Django ForeignKey fields / AddConstraint,
 * Alembic create_foreign_key / create_check_constraint, Knex foreign(), Sequelize addConstraint.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/constraint-without-not-valid',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'A foreign key or CHECK constraint added to an existing table without NOT VALID locks it while every row is checked.',
    messages: {
      newColumn:
        '{{what}} {{name}} on {{table}} is on columns this migration just added, so no row can violate it, but validating it still reads every row of {{table}} inside the lock the ADD COLUMN holds{{alsoBlocks}}.',
      foreignKey:
        'Adding foreign key {{name}} on {{table}}{{references}} without NOT VALID checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: all writes to them wait for the full scan.',
      check:
        'Adding CHECK constraint {{name}} on {{table}} without NOT VALID scans every row under an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the full scan.',
      validateSameTransaction:
        'VALIDATE CONSTRAINT {{name}} runs in the same transaction as the ADD … NOT VALID before it, so the lock taken by the ADD is held for the whole validation scan and NOT VALID gains nothing.',
    },
    fixes: {
      newColumn:
        'Add it with `… NOT VALID` and `VALIDATE CONSTRAINT` in a later migration (quick and non-blocking while every value is NULL), or list the tables in `small-tables` if they are small.',
      foreignKey:
        'Add it with `… NOT VALID` (instant), then in a later migration run `ALTER TABLE {{table}} VALIDATE CONSTRAINT …`, which only takes a SHARE UPDATE EXCLUSIVE lock and lets reads and writes continue.',
      check:
        'Add it with `… NOT VALID` (instant), then in a later migration run `ALTER TABLE {{table}} VALIDATE CONSTRAINT …`, which lets reads and writes continue.',
      validateSameTransaction: 'Move the VALIDATE CONSTRAINT into a separate, later migration (its own transaction).',
    },
    native: { squawk: ['constraint-missing-not-valid', 'adding-foreign-key-constraint'], atlas: ['PG305', 'PG306'] },
  },
  judge(t, ctx) {
    const addedNotValid = new Map<string, number>();
    t.ops.forEach((op, i) => {
      if (op.kind === 'add-constraint' && op.notValid && op.name) addedNotValid.set(op.name, op.transaction);
      if (op.kind === 'validate-constraint') {
        const tx = addedNotValid.get(op.name);
        if (tx !== undefined && tx !== -1 && tx === op.transaction && !t.isNew(op.table, i)) {
          ctx.report({
            messageId: 'validateSameTransaction',
            data: { name: ident(op.name) },
            ...at(op),
            severity: 'warning',
            key: `validate:${op.name}`,
          });
        }
        return;
      }
      // `ADD COLUMN … REFERENCES t`: a foreign key on a column added by this very statement.
      if (
        op.kind === 'add-column' &&
        op.column.references &&
        !t.isNew(op.table, i) &&
        !t.isSmall(op.table) &&
        !t.isSmall(op.column.references)
      ) {
        ctx.report({
          messageId: 'newColumn',
          data: {
            what: 'Foreign key',
            name: `(${op.column.name})`,
            table: ident(op.table),
            alsoBlocks: `, and writes to ${ident(op.column.references)} wait for that scan (SHARE ROW EXCLUSIVE)`,
          },
          ...at(op),
          severity: 'warning',
          key: `${op.table}:${op.column.name}:inline-fk`,
        });
        return;
      }
      if (op.kind !== 'add-constraint' || op.notValid || t.isNew(op.table, i) || t.isSmall(op.table)) return;
      if (op.constraint !== 'foreign-key' && op.constraint !== 'check') return;
      // On columns this transaction just added (all NULL or the constant default, invisible to others): it
      // cannot fail and the table is locked already, but the validation scan still runs — a warning.
      const cols = op.constraint === 'check' && op.notNullColumn ? [op.notNullColumn] : op.columns;
      if (cols.length > 0 && cols.every((c) => t.isAddedHere(op.table, c, i))) {
        ctx.report({
          messageId: 'newColumn',
          data: {
            what: op.constraint === 'foreign-key' ? 'Foreign key' : 'CHECK constraint',
            name: op.name ? ident(op.name) : `(${op.columns.join(', ')})`,
            table: ident(op.table),
            alsoBlocks:
              op.constraint === 'foreign-key' && op.references
                ? `, and writes to ${ident(op.references)} wait for that scan (SHARE ROW EXCLUSIVE)`
                : '',
          },
          ...at(op),
          severity: 'warning',
          key: `${op.table}:${op.name ?? op.columns.join(',')}`,
        });
        return;
      }
      ctx.report({
        messageId: op.constraint === 'foreign-key' ? 'foreignKey' : 'check',
        data: {
          name: op.name ? ident(op.name) : `(${op.columns.join(', ')})`,
          table: ident(op.table),
          references: op.references ? ` → ${ident(op.references)}` : '',
        },
        ...at(op),
        key: `${op.table}:${op.name ?? op.columns.join(',')}`,
      });
    });
  },
});
