import { at, ddlRule, ident } from '../ddl-context.js';

const SMALL_INTS: Readonly<Record<string, string>> = {
  int4: 'integer',
  int2: 'smallint',
  int: 'integer',
  integer: 'integer',
  smallint: 'smallint',
};

/**
 * migrations/int-primary-key: a new table whose primary key is a 32-bit (or 16-bit) integer, serial
 * included. It runs out at 2,147,483,647 rows/ids, and widening it later rewrites the table and every
 * referencing foreign key under ACCESS EXCLUSIVE locks.
 */
export const rule = ddlRule({
  postgresOnly: false,
  meta: {
    id: 'migrations/int-primary-key',
    gate: 'migrations',
    severity: 'notice',
    description:
      'A new table with a 32-bit integer (or serial) primary key, which overflows at 2^31 and is expensive to widen later.',
    messages: {
      intKey:
        'Primary key {{table}}.{{column}} is {{type}}: inserts start failing once ids pass {{max}}, and widening it then rewrites {{table}} and every table that references it under ACCESS EXCLUSIVE locks.',
    },
    fixes: {
      intKey:
        'Use bigint now, while the table is empty: `bigint GENERATED ALWAYS AS IDENTITY` (or bigserial; Prisma `BigInt @id @default(autoincrement())`, Django BigAutoField).',
    },
    native: { squawk: ['prefer-bigint-over-int', 'prefer-bigint-over-smallint'] },
  },
  judge(t, ctx) {
    for (const op of t.ops) {
      if (op.kind !== 'create-table') continue;
      for (const name of op.primaryKey.length === 1 ? op.primaryKey : []) {
        const col = op.columns.find((c) => c.name === name);
        const type = col?.type ? SMALL_INTS[col.type] : undefined;
        if (!col || !type) continue;
        ctx.report({
          messageId: 'intKey',
          data: {
            table: ident(op.table),
            column: ident(col.name),
            type: col.identity && col.defaultFunction === 'nextval' ? `${type} (serial)` : type,
            max: type === 'smallint' ? '32,767' : '2,147,483,647',
          },
          ...at(op),
          key: `${op.table}.${col.name}`,
        });
      }
    }
  },
});
