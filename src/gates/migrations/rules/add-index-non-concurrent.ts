import { outsideTransactionHowTo } from '../advice.js';
import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/add-index-non-concurrent: CREATE INDEX without CONCURRENTLY on an existing PostgreSQL
 * table (also Django AddIndex / db_index / ForeignKey indexes, Alembic op.create_index, Knex index(),
 * Sequelize addIndex without `concurrently`). The SHARE lock blocks every write for the whole build.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/add-index-non-concurrent',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'CREATE INDEX without CONCURRENTLY on an existing table blocks all writes to it while the index builds.',
    messages: {
      createIndex:
        'Building index {{name}} on {{table}} without CONCURRENTLY holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on {{table}} waits until it finishes (minutes on a large table), so requests that write to it time out.',
    },
    fixes: {
      createIndex:
        'Build it with `CREATE {{unique}}INDEX CONCURRENTLY IF NOT EXISTS …` outside a transaction: {{howTo}}. If the build fails, drop the INVALID index it leaves behind before retrying.',
    },
    native: { squawk: ['require-concurrent-index-creation'], atlas: ['PG101'] },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind !== 'create-index' || op.concurrent || t.isNew(op.table, i) || t.isSmall(op.table)) return;
      ctx.report({
        messageId: 'createIndex',
        data: {
          name: op.name ? ident(op.name) : `on (${op.columns.join(', ')})`,
          table: ident(op.table),
          unique: op.unique ? 'UNIQUE ' : '',
          howTo: outsideTransactionHowTo(t.plan.tool),
        },
        ...at(op),
        key: `${op.table}:${op.name ?? op.columns.join(',')}`,
      });
    });
  },
});
