import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/enum-value-in-transaction: ALTER TYPE … ADD VALUE inside a transaction. Before PostgreSQL 12
 * it is refused outright; on 12+ the new value cannot be used until the transaction commits, so a later
 * statement of the same transaction that uses it (a default, an UPDATE) fails with "unsafe use of new
 * value".
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/enum-value-in-transaction',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'ALTER TYPE … ADD VALUE in a transaction: refused before PostgreSQL 12, and the value is unusable until commit after.',
    messages: {
      beforePg12:
        'On PostgreSQL {{version}} (configured), ALTER TYPE {{type}} ADD VALUE {{value}} cannot run inside a transaction block, and this migration runs in one: the deploy fails.',
      usedBeforeCommit:
        'The new enum value {{value}} of {{type}} is used at line {{usedAt}} in the same transaction that adds it; PostgreSQL refuses that ("unsafe use of new value") and the migration fails.',
    },
    fixes: {
      beforePg12:
        'Put the ADD VALUE in its own migration that runs outside a transaction, or upgrade to PostgreSQL 12+.',
      usedBeforeCommit:
        'Add the value in one migration and use it (defaults, backfills) in a later one, so the ADD VALUE has committed first.',
    },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind !== 'enum-add-value' || !op.inTransaction) return;
      const key = `${op.type}:${op.value}`;
      if (t.pgVersion < 12) {
        ctx.report({
          messageId: 'beforePg12',
          data: { version: t.pgVersion, type: ident(op.type), value: `'${op.value}'` },
          ...at(op),
          key,
        });
        return;
      }
      const use = t.ops
        .slice(i + 1)
        .find((o) => o.transaction === op.transaction && (o.literals ?? []).includes(op.value));
      if (use)
        ctx.report({
          messageId: 'usedBeforeCommit',
          data: { type: ident(op.type), value: `'${op.value}'`, usedAt: use.line },
          ...at(op),
          key,
        });
    });
  },
});
