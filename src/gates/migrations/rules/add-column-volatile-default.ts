import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/add-column-volatile-default: ADD COLUMN on an existing table that makes PostgreSQL rewrite
 * every row under an ACCESS EXCLUSIVE lock: a volatile DEFAULT (gen_random_uuid(), random(),
 * clock_timestamp(), nextval() of serial types), a GENERATED … STORED column, an identity column, or —
 * before PostgreSQL 11 — any non-null DEFAULT. Constant defaults (and now()/CURRENT_TIMESTAMP, which are
 * evaluated once) are metadata-only since PostgreSQL 11.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/add-column-volatile-default',
    gate: 'migrations',
    severity: 'blocker',
    description: 'ADD COLUMN whose default or generation forces a full table rewrite under an ACCESS EXCLUSIVE lock.',
    messages: {
      volatile:
        'Adding column {{column}} to {{table}} with the volatile default {{fn}}() makes PostgreSQL rewrite every row while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the whole rewrite.',
      serial:
        'Adding {{column}} to {{table}} as a {{what}} column fills every existing row from a sequence, which rewrites the table under an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the whole rewrite.',
      generated:
        'Adding the stored generated column {{column}} to {{table}} computes it for every row in a table rewrite under an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait.',
      oldVersion:
        'On PostgreSQL {{version}} (configured), adding column {{column}} to {{table}} with a DEFAULT rewrites every row under an ACCESS EXCLUSIVE lock (only PostgreSQL 11+ stores constant defaults as metadata).',
    },
    fixes: {
      volatile:
        'Add the column without a default (or with a constant one), set the default for new rows with `ALTER COLUMN … SET DEFAULT {{fn}}()`, then backfill existing rows in batches.',
      serial:
        'Add a plain nullable bigint column, attach a sequence default for new rows, backfill existing rows in batches, and add constraints afterwards (NOT VALID + VALIDATE).',
      generated:
        'Add a plain column, fill it in batches (and keep it up to date from the application or a trigger), or wait for PostgreSQL 18 VIRTUAL generated columns.',
      oldVersion:
        'Add the column without a default, `SET DEFAULT` afterwards for new rows, and backfill existing rows in batches (or upgrade to PostgreSQL 11+).',
    },
    native: {
      squawk: ['adding-field-with-default', 'adding-serial-primary-key-field'],
      atlas: ['PG302', 'PG309', 'PG310'],
    },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind !== 'add-column' || t.isNew(op.table, i) || t.isSmall(op.table)) return;
      const c = op.column;
      const data = { column: ident(c.name), table: ident(op.table) };
      const key = `${op.table}.${c.name}`;
      if (c.generatedStored) ctx.report({ messageId: 'generated', data, ...at(op), key });
      else if (c.identity)
        ctx.report({
          messageId: 'serial',
          data: { ...data, what: c.defaultFunction === 'nextval' ? 'serial' : 'identity' },
          ...at(op),
          key,
        });
      else if (c.default === 'volatile')
        ctx.report({ messageId: 'volatile', data: { ...data, fn: c.defaultFunction ?? 'volatile' }, ...at(op), key });
      else if (c.default === 'constant' && t.pgVersion < 11)
        ctx.report({ messageId: 'oldVersion', data: { ...data, version: t.pgVersion }, ...at(op), key });
    });
  },
});
