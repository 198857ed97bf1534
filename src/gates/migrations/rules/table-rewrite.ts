import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/table-rewrite: maintenance statements that rewrite or rebuild an existing table or its
 * indexes under an ACCESS EXCLUSIVE lock — VACUUM FULL, CLUSTER, non-concurrent REFRESH MATERIALIZED
 * VIEW, REINDEX without CONCURRENTLY, SET LOGGED/UNLOGGED.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/table-rewrite',
    gate: 'migrations',
    severity: 'warning',
    description:
      'VACUUM FULL, CLUSTER, REINDEX or REFRESH without CONCURRENTLY in a migration: the table is locked for the whole rebuild.',
    messages: {
      rewrite:
        '{{how}} on {{table}} rewrites it under an ACCESS EXCLUSIVE lock: every read and write of {{table}} waits until it finishes.',
      refresh:
        'REFRESH MATERIALIZED VIEW {{table}} without CONCURRENTLY locks the view against reads until the refresh finishes.',
      reindex:
        'REINDEX {{table}} without CONCURRENTLY blocks writes to the table (and reads that use the index) for the whole rebuild.',
    },
    fixes: {
      rewrite:
        'Do not run it from a deploy migration: use pg_repack (or PostgreSQL 19 REPACK CONCURRENTLY) in a maintenance job, or plain VACUUM.',
      refresh: 'Use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (needs a unique index on the view).',
      reindex: 'Use `REINDEX … CONCURRENTLY` (PostgreSQL 12+) outside a transaction.',
    },
    native: { squawk: ['require-concurrent-reindex', 'prefer-repack'], atlas: ['PG307'] },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind === 'rewrite-table') {
        if (op.table !== '*' && (t.isNew(op.table, i) || t.isSmall(op.table))) return;
        const messageId = op.how === 'REFRESH MATERIALIZED VIEW' ? 'refresh' : 'rewrite';
        ctx.report({
          messageId,
          data: { how: op.how, table: op.table === '*' ? 'every table' : ident(op.table) },
          ...at(op),
          key: `${op.how}:${op.table}`,
        });
      } else if (op.kind === 'reindex' && !op.concurrent) {
        if (t.isNew(op.target, i) || t.isSmall(op.target)) return;
        ctx.report({ messageId: 'reindex', data: { table: ident(op.target) }, ...at(op), key: `reindex:${op.target}` });
      }
    });
  },
});
