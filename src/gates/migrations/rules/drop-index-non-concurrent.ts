import { outsideTransactionHowTo } from '../advice.js';
import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/drop-index-non-concurrent: DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on
 * the index's table. Quick once granted, but it queues behind any long transaction and every query on
 * the table queues behind it.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/drop-index-non-concurrent',
    gate: 'migrations',
    severity: 'warning',
    description:
      'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, stalling all queries if it has to wait.',
    messages: {
      dropIndex:
        'DROP INDEX {{name}} without CONCURRENTLY needs an ACCESS EXCLUSIVE lock on its table: if any long query or transaction is running, the drop waits, and every read and write of that table queues behind it until then.',
    },
    fixes: {
      dropIndex:
        'Use `DROP INDEX CONCURRENTLY IF EXISTS {{name}}` outside a transaction ({{howTo}}). Indexes that back a constraint are dropped with the constraint instead.',
    },
    native: { squawk: ['require-concurrent-index-deletion'], atlas: ['PG102'] },
  },
  judge(t, ctx) {
    // An index built earlier in this same migration is dropped before anything uses it.
    const fresh = new Set<string>();
    t.ops.forEach((op) => {
      if (op.kind === 'create-index' && op.name) fresh.add(op.name);
      if (op.kind !== 'drop-index' || op.concurrent || fresh.has(op.name) || fresh.has(op.name.split('.').pop() ?? ''))
        return;
      ctx.report({
        messageId: 'dropIndex',
        data: { name: ident(op.name), howTo: outsideTransactionHowTo(t.plan.tool) },
        ...at(op),
        key: op.name,
      });
    });
  },
});
