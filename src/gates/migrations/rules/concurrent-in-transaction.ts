import { outsideTransactionHowTo } from '../advice.js';
import { at, ddlRule, ident } from '../ddl-context.js';
import { toolName } from '../layout.js';

/**
 * migrations/concurrent-in-transaction: CREATE/DROP INDEX CONCURRENTLY or REINDEX CONCURRENTLY that will
 * run inside a transaction — the tool's own (Prisma multi-statement files, Django atomic, Alembic,
 * Knex, TypeORM, Drizzle, Atlas) or an explicit BEGIN. PostgreSQL refuses it and the deploy stops.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/concurrent-in-transaction',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'A CONCURRENTLY statement that the migration tool runs inside a transaction: PostgreSQL rejects it and the deploy fails.',
    messages: {
      inTransaction:
        '{{statement}} cannot run inside a transaction block, and {{why}}: PostgreSQL rejects it ("{{statement}} cannot run inside a transaction block", SQLSTATE 25001) and the migration fails mid-deploy.',
    },
    fixes: {
      inTransaction: 'Run it outside the transaction: {{howTo}}.',
    },
    native: { squawk: ['ban-concurrent-index-creation-in-transaction'], atlas: ['PG103'] },
  },
  judge(t, ctx) {
    for (const op of t.ops) {
      const statement =
        op.kind === 'create-index' && op.concurrent
          ? 'CREATE INDEX CONCURRENTLY'
          : op.kind === 'drop-index' && op.concurrent
            ? 'DROP INDEX CONCURRENTLY'
            : op.kind === 'reindex' && op.concurrent
              ? 'REINDEX CONCURRENTLY'
              : undefined;
      if (!statement || !op.inTransaction) continue;
      const explicit =
        t.plan.mode === 'explicit' ||
        (t.plan.mode === 'implicit-multi' && t.ops.some((o) => o.kind === 'transaction' && o.action === 'begin'));
      const why = explicit
        ? 'it sits between BEGIN and COMMIT'
        : t.plan.mode === 'implicit-multi'
          ? `${toolName(t.plan.tool)} sends this file with its other statements as one multi-statement query, which runs as one implicit transaction`
          : `${toolName(t.plan.tool)} wraps this migration in a transaction`;
      ctx.report({
        messageId: 'inTransaction',
        data: { statement, why, howTo: outsideTransactionHowTo(t.plan.tool) },
        ...at(op),
        key: `${statement}:${'name' in op && op.name ? ident(op.name) : ''}`,
      });
    }
  },
});
