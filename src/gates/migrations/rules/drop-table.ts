import { contractForTable } from '../contract.js';
import { at, ddlRule, ident } from '../ddl-context.js';

/**
 * migrations/drop-table: DROP TABLE / DROP SCHEMA / DROP DATABASE / TRUNCATE / DELETE without WHERE (and
 * ORM drops) on objects that already exist: the data is deleted and running code that reads them fails.
 * Dropping a table the previous release no longer reads (no base model maps to it, no head code names
 * it, or an earlier Django SeparateDatabaseAndState deleted the model from the state) is the contract
 * step of expand/contract: a notice.
 */
export const rule = ddlRule({
  postgresOnly: false,
  meta: {
    id: 'migrations/drop-table',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'Dropping, truncating or emptying an existing table, schema or database: the data is lost and running code that uses it fails.',
    messages: {
      dropTable:
        'Dropping table {{table}} deletes all of its rows for good, and every instance of the previous release that still queries it fails during the deploy.',
      dropView:
        'Dropping {{kind}} {{table}} breaks every instance of the previous release that still queries it during the deploy.',
      dropSchema: 'Dropping {{kind}} {{table}} deletes everything in it for good.',
      truncate: 'TRUNCATE {{table}}{{cascade}} deletes every row of an existing table in production, for good.',
      deleteAll:
        'DELETE FROM {{table}} without a WHERE clause deletes every row of an existing table in production, for good.',
      contractStep:
        'Dropping table {{table}} deletes its rows for good; the previous release no longer uses it ({{why}}), so this is the contract step of expand/contract.',
    },
    fixes: {
      dropTable:
        'Stop using the table in one release (code and foreign keys), deploy it, back the table up, then drop it in a later migration.',
      dropView: 'Stop querying it in one release, deploy, then drop it in a later migration.',
      dropSchema: 'Back up and drop it by hand in a maintenance window, not from an application migration.',
      truncate:
        'Delete only the rows you mean to, in batches with a WHERE clause, and never with CASCADE (it empties every table that references this one).',
      deleteAll:
        'Delete only the rows you mean to (a WHERE clause, in batches); if the whole table must go, back it up and say so in the migration.',
      contractStep:
        'Make sure the release that stopped using it is fully rolled out and the table is backed up, then keep the drop.',
    },
    native: { squawk: ['ban-drop-table', 'ban-drop-database', 'ban-truncate-cascade'], atlas: ['DS102', 'DS101'] },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind === 'dml' && op.verb === 'delete' && !op.hasWhere) {
        if (t.isNew(op.table, i)) return;
        ctx.report({
          messageId: 'deleteAll',
          data: { table: ident(op.table) },
          ...at(op),
          severity: 'warning',
          key: `delete:${op.table}`,
        });
        return;
      }
      if (op.kind === 'truncate') {
        if (t.isNew(op.table, i)) return;
        ctx.report({
          messageId: 'truncate',
          data: { table: ident(op.table), cascade: op.cascade ? ' … CASCADE' : '' },
          ...at(op),
          key: op.table,
        });
        return;
      }
      if (op.kind !== 'drop-table' || t.isNew(op.table, i)) return;
      const contract = contractForTable(ctx, op, t.file.path, t.plan.tool);
      if (contract) {
        const why =
          contract === 'state-removed'
            ? 'an earlier migration removed its model from the state only'
            : 'no model maps to it and no code names it';
        ctx.report({
          messageId: 'contractStep',
          data: { table: ident(op.table), why },
          ...at(op),
          severity: 'notice',
          key: `${op.objectType}:${op.table}`,
        });
        return;
      }
      const messageId =
        op.objectType === 'table'
          ? 'dropTable'
          : op.objectType === 'schema' || op.objectType === 'database'
            ? 'dropSchema'
            : 'dropView';
      ctx.report({
        messageId,
        data: { table: ident(op.table), kind: op.objectType },
        ...at(op),
        ...(messageId === 'dropView' ? { severity: 'warning' as const } : {}),
        key: `${op.objectType}:${op.table}`,
      });
    });
  },
});
