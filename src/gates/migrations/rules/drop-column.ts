import { at, ddlRule, ident } from '../ddl-context.js';
import { contractForColumn, unreleasedOrigin } from '../contract.js';
import { refList } from '../history-rules.js';
import { relatedReferences } from '../references.js';

/**
 * migrations/drop-column: DROP COLUMN (and Django RemoveField, Alembic op.drop_column, Knex dropColumn,
 * TypeORM/Sequelize dropColumn/removeColumn) on a table that already exists. Running instances of the
 * previous release still select the column and fail; the data is gone. The contract step of
 * expand/contract — the base's models no longer declare the column and no head code names it, or an
 * earlier Django SeparateDatabaseAndState removed it from the state — is a notice (contract.ts). A column
 * that only an unreleased migration added (no release contains it) is read by no running release: a warning.
 */
export const rule = ddlRule({
  postgresOnly: false,
  meta: {
    id: 'migrations/drop-column',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'Dropping a column that running code may still read: old instances fail during the deploy and the data is lost.',
    messages: {
      dropColumn:
        'Dropping column {{column}} of {{table}} breaks every instance still running the previous release during the deploy (its queries name the column and fail with "column does not exist"), and the data in it is gone for good.{{references}}',
      contractStep:
        'Dropping column {{column}} of {{table}} deletes its data for good; an earlier migration already removed the field from the model state, so running code should no longer use it.{{references}}',
      unread:
        'Dropping column {{column}} of {{table}} deletes its data for good; the previous release no longer reads it (no model declares it, no code names it), so this is the contract step of expand/contract.',
      unreleasedColumn:
        'Dropping column {{column}} of {{table}}, which {{origin}} added and no release contains yet (releases: {{refs}}): no running release reads it, but databases that ran the unreleased code (staging, previews) lose its data.',
    },
    fixes: {
      dropColumn:
        'Expand/contract: first ship a release that stops reading and writing {{column}} (remove it from the model and from every query), deploy it everywhere, then drop the column in a later migration. Keep a backup if the data may be needed.',
      contractStep: 'Make sure the previous release is fully rolled out and the data is backed up, then keep the drop.',
      unread:
        'Make sure the release that stopped using it is fully rolled out and the data is backed up, then keep the drop.',
      unreleasedColumn:
        'Keep the drop if nothing deployed from the unreleased code needs the data; otherwise change the column in place.',
    },
    native: { squawk: ['ban-drop-column'], atlas: ['DS103'] },
  },
  judge(t, ctx) {
    t.ops.forEach((op, i) => {
      if (op.kind !== 'drop-column' || t.isNew(op.table, i)) return;
      const related = relatedReferences(ctx, op.table, op.column, t.file.path);
      const contract = contractForColumn(ctx, op);
      const unreleased = contract ? undefined : unreleasedOrigin(ctx, t, op);
      ctx.report({
        messageId:
          contract === 'state-removed'
            ? 'contractStep'
            : contract === 'unread'
              ? 'unread'
              : unreleased
                ? 'unreleasedColumn'
                : 'dropColumn',
        data: {
          column: ident(op.column),
          table: ident(op.table),
          references: related.summary,
          ...(unreleased ? { origin: unreleased.path, refs: refList(unreleased.refs) } : {}),
        },
        ...at(op),
        ...(contract ? { severity: 'notice' as const } : unreleased ? { severity: 'warning' as const } : {}),
        ...(related.locations.length ? { related: related.locations } : {}),
        key: `${op.table}.${op.column}`,
      });
    });
  },
});
