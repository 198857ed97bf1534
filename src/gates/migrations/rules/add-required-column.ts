import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/add-required-column: ADD COLUMN … NOT NULL without a default on an existing table fails on
 * any non-empty table; a Django AddField(null=False) whose default exists only in the migration leaves
 * no database default, so inserts from the previous release (which omit the column) fail.
 */
export const rule = ddlRule({
  postgresOnly: false,
  meta: {
    id: 'migrations/add-required-column',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'ADD COLUMN … NOT NULL without a default on an existing table: the migration fails, or old code can no longer insert.',
    messages: {
      required:
        'Adding NOT NULL column {{column}} without a default to existing table {{table}} fails on any non-empty table ("column contains null values"), so the deploy stops; and instances of the previous release, which do not set {{column}}, could not insert anyway.',
      djangoDropsDefault:
        'Django adds {{column}} to {{table}} with the default only for existing rows and then drops it: instances still running the previous release insert rows without {{column}} and fail with a NOT NULL violation until the deploy finishes.',
    },
    fixes: {
      required:
        'Add the column as nullable (or with a constant DEFAULT, metadata-only since PostgreSQL 11), backfill it, then enforce NOT NULL with a validated CHECK constraint.',
      djangoDropsDefault:
        'Give the field a database default with `db_default=` (Django 5.0+) or add it as `null=True` first and make it required in a later release.',
    },
    native: { squawk: ['adding-required-field'], atlas: ['MF103'] },
  },
  judge(t, ctx) {
    // MySQL fills an implicit default (0, '') for NOT NULL columns; PostgreSQL and SQLite refuse.
    if (t.dialect === 'mysql') return;
    t.ops.forEach((op, i) => {
      if (op.kind !== 'add-column' || t.isEmpty(op.table, i)) return;
      const c = op.column;
      if (!c.notNull || c.identity || c.generatedStored) return;
      const key = `${op.table}.${c.name}`;
      if (c.default === 'none') {
        ctx.report({ messageId: 'required', data: { column: ident(c.name), table: ident(op.table) }, ...at(op), key });
      } else if (c.defaultFunction === 'django-drops-default') {
        ctx.report({
          messageId: 'djangoDropsDefault',
          data: { column: ident(c.name), table: ident(op.table) },
          ...at(op),
          severity: 'warning',
          key,
        });
      }
    });
  },
});
