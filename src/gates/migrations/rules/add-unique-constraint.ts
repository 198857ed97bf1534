import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/add-unique-constraint: ADD CONSTRAINT … UNIQUE / PRIMARY KEY / EXCLUDE (or a UNIQUE /
 * PRIMARY KEY column added inline) on an existing table builds the index under an ACCESS EXCLUSIVE
 * lock. The safe form attaches an index built CONCURRENTLY (`USING INDEX`).
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/add-unique-constraint',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'A UNIQUE or PRIMARY KEY constraint added to an existing table builds its index under an ACCESS EXCLUSIVE lock.',
    messages: {
      unique:
        'Adding {{kind}} {{name}} on {{table}} builds its index while holding an ACCESS EXCLUSIVE lock: every read and write of {{table}} waits for the whole build, and the migration fails outright if duplicates exist.',
      exclude:
        'Adding EXCLUDE constraint {{name}} on {{table}} builds its index and checks every row under an ACCESS EXCLUSIVE lock (it cannot be added NOT VALID): all reads and writes wait.',
    },
    fixes: {
      unique:
        'First `CREATE UNIQUE INDEX CONCURRENTLY idx ON {{table}} (…)` in a migration that runs outside a transaction, then `ALTER TABLE {{table}} ADD CONSTRAINT … {{kind}} USING INDEX idx` (instant).',
      exclude:
        'Add it in a low-traffic window with a short lock_timeout, or enforce the rule in the application until the table can be rebuilt.',
    },
    native: { squawk: ['disallowed-unique-constraint'], atlas: ['PG105', 'PG104', 'MF101'] },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind === 'add-column') {
        if (t.isNew(op.table, i) || t.isSmall(op.table) || !(op.column.unique || op.column.primaryKey)) return;
        ctx.report({
          messageId: 'unique',
          data: {
            kind: op.column.primaryKey ? 'PRIMARY KEY' : 'UNIQUE',
            name: ident(op.column.name),
            table: ident(op.table),
          },
          ...at(op),
          key: `${op.table}:${op.column.name}`,
        });
        return;
      }
      if (op.kind !== 'add-constraint' || op.usingIndex || t.isNew(op.table, i) || t.isSmall(op.table)) return;
      if (op.constraint !== 'unique' && op.constraint !== 'primary-key' && op.constraint !== 'exclude') return;
      ctx.report({
        messageId: op.constraint === 'exclude' ? 'exclude' : 'unique',
        data: {
          kind: op.constraint === 'unique' ? 'UNIQUE' : 'PRIMARY KEY',
          name: op.name ? ident(op.name) : `(${op.columns.join(', ')})`,
          table: ident(op.table),
        },
        ...at(op),
        ...(op.constraint === 'exclude' ? { severity: 'warning' as const } : {}),
        key: `${op.table}:${op.name ?? op.columns.join(',')}`,
      });
    });
  },
});
