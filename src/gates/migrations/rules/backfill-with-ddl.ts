import { at, ddlRule, ident } from '../ddl-context.js';
import { blocksTraffic, lockOf, type Op } from '../ops.js';

/**
 * migrations/backfill-with-ddl: a data backfill (UPDATE/DELETE/INSERT … SELECT on an existing table,
 * Django RunPython, statements through Alembic's `op.get_bind()`) after DDL that locks an existing table,
 * in the same transaction. The lock is held until the whole backfill commits, and the backfill itself
 * row-locks everything it touches in one long transaction.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/backfill-with-ddl',
    gate: 'migrations',
    severity: 'warning',
    description:
      'A data backfill in the same transaction as DDL on an existing table: the DDL lock is held for the whole backfill.',
    messages: {
      backfill:
        '{{backfill}} runs in the same transaction as {{ddl}} (line {{ddlLine}}), which locks {{table}}: the lock is held until the backfill commits, so reads and writes of {{table}} wait for the whole data migration.',
    },
    fixes: {
      backfill:
        'Move the backfill into its own migration (Django: a separate migration with `atomic = False`; SQL: a separate file), and update in batches of a few thousand rows with a commit between batches.',
    },
  },
  judge(t, ctx) {
    // The first statement of each transaction that takes a traffic-blocking lock on an existing table;
    // a backfill after it runs while that lock is held (one before it only delays the lock).
    const lockers = new Map<number, { op: Op; table: string; at: number }>();
    t.ops.forEach((op, i) => {
      if (op.transaction === -1 || lockers.has(op.transaction)) return;
      const lock = lockOf(op);
      if (lock && blocksTraffic(lock.lock) && !t.isNew(lock.table, i) && !t.isSmall(lock.table))
        lockers.set(op.transaction, { op, table: lock.table, at: i });
    });
    t.ops.forEach((op, i) => {
      if (op.transaction === -1) return;
      const locker = lockers.get(op.transaction);
      if (!locker || i < locker.at) return;
      let what: string | undefined;
      if (op.kind === 'dml' && !t.isNew(op.table, i))
        what = `${op.verb.toUpperCase()} of ${ident(op.table)}${op.hasWhere ? '' : ' (every row)'}`;
      if (op.kind === 'code-backfill') what = `The data migration (${op.description})`;
      if (!what) return;
      ctx.report({
        messageId: 'backfill',
        data: {
          backfill: what,
          ddl: locker.op.snippet.length > 60 ? `${locker.op.snippet.slice(0, 57)}…` : locker.op.snippet,
          ddlLine: locker.op.line,
          table: ident(locker.table),
        },
        ...at(op),
        key: `backfill:${op.kind === 'dml' ? op.table : 'code'}`,
      });
    });
  },
});
