import type { RepoRule, Severity } from '../../../core/types.js';
import { indexes, refList, releaseStatus } from '../history-rules.js';
import { compareMigrationIds, toolName, type MigrationTool } from '../layout.js';
import type { MigrationsOptions } from '../options.js';

/** What each linear tool does with a new migration that sorts before one already applied. */
const CONSEQUENCE: Partial<Record<MigrationTool, { severity: Severity; text: string }>> = {
  'golang-migrate': {
    severity: 'blocker',
    text: 'golang-migrate only records the highest applied version, so on every deployed database this migration is silently never applied.',
  },
  flyway: {
    severity: 'blocker',
    text: 'Flyway validation fails on deployed databases ("Detected resolved migration not applied to database") unless outOfOrder is enabled.',
  },
  atlas: {
    severity: 'blocker',
    text: 'Atlas refuses to apply a file added before the last applied one (non-linear history) unless run with --exec-order non-linear.',
  },
  prisma: {
    severity: 'warning',
    text: 'Prisma applies it after the newer ones on deployed databases but before them on fresh ones, so the two can end in different schemas.',
  },
  knex: {
    severity: 'warning',
    text: 'Knex runs it after the newer ones on deployed databases but in name order on fresh ones, so the order of operations differs between environments.',
  },
  sequelize: {
    severity: 'warning',
    text: 'Sequelize runs it after the newer ones on deployed databases but in name order on fresh ones, so the order of operations differs between environments.',
  },
  typeorm: {
    severity: 'warning',
    text: 'TypeORM runs it after the newer ones on deployed databases but in timestamp order on fresh ones, so the order of operations differs between environments.',
  },
  rails: {
    severity: 'warning',
    text: 'Rails runs it after the newer ones on deployed databases but in version order on fresh ones, and db/schema.rb records only the newest version.',
  },
  diesel: {
    severity: 'warning',
    text: 'Diesel runs it after the newer ones on deployed databases but in version order on fresh ones.',
  },
  sql: {
    severity: 'warning',
    text: 'The runner applies it after the newer ones on deployed databases but in name order on fresh ones.',
  },
};

/**
 * migrations/out-of-order-migration: a migration added by this pull request sorts before the newest
 * migration already on the base branch (typically generated before a rebase). Tools that order by
 * name/version run it in a different order on deployed and fresh databases, or skip it. When the
 * repository has releases, only released migrations count as deployed: sorting before migrations no
 * release contains yet (merged minutes ago) changes the order only where unreleased code ran (staging,
 * previews), so it is a notice (a warning for tools that would skip it there).
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/out-of-order-migration',
    gate: 'migrations',
    severity: 'warning',
    description: 'A new migration sorts before one already merged: deployed databases apply it late, or never.',
    messages: {
      outOfOrder: '{{file}} sorts before {{newest}}, which is already on the base branch. {{consequence}}',
      beforeUnreleased:
        '{{file}} sorts before {{newest}}, which is merged but in no release yet (releases: {{refs}}): production applies both in order with the next release; only databases that ran the unreleased code (staging, previews) see them out of order. {{consequence}}',
    },
    fixes: {
      outOfOrder:
        'Regenerate or rename the migration so it sorts after {{newest}} (a new timestamp/version), then re-check it against the schema as it is now.',
      beforeUnreleased:
        'Rename the migration so it sorts after {{newest}} to keep staging in step, or reset staging after the merge.',
    },
  },
  check(ctx) {
    if (ctx.side !== 'head') return;
    const both = indexes(ctx);
    if (!both) return;
    for (const change of ctx.changes) {
      if (change.status !== 'added') continue;
      const entry = both.mine.files.get(change.path);
      if (!entry || entry.info.role !== 'up') continue;
      const consequence = CONSEQUENCE[entry.info.tool];
      if (!consequence) continue;
      const baseSet = both.other.sets.get(entry.info.set);
      const newest = baseSet?.entries.filter((e) => e.info.role === 'up').at(-1);
      if (!newest || compareMigrationIds(entry.info, newest.info) >= 0) continue;
      // Only the migrations a release shipped are on deployed databases.
      const newestShipped = releaseStatus(both.other, newest.info.path);
      if (newestShipped.status === 'unreleased') {
        const shipped = baseSet!.entries
          .filter((e) => e.info.role === 'up' && releaseStatus(both.other, e.info.path).status === 'released')
          .at(-1);
        if (!shipped || compareMigrationIds(entry.info, shipped.info) >= 0) {
          ctx.report({
            messageId: 'beforeUnreleased',
            data: {
              file: change.path,
              newest: newest.info.path,
              refs: refList(newestShipped.refs),
              consequence: consequence.text.replace('{{tool}}', toolName(entry.info.tool)),
            },
            path: change.path,
            line: 1,
            severity: consequence.severity === 'blocker' ? 'warning' : 'notice',
            key: change.path,
          });
          continue;
        }
      }
      ctx.report({
        messageId: 'outOfOrder',
        data: {
          file: change.path,
          newest: newest.info.path,
          consequence: consequence.text.replace('{{tool}}', toolName(entry.info.tool)),
        },
        path: change.path,
        line: 1,
        severity: consequence.severity,
        key: change.path,
      });
    }
  },
};
