import type { RepoRule } from '../../../core/types.js';
import { indexes } from '../history-rules.js';
import type { MigrationsOptions } from '../options.js';

/**
 * migrations/lock-provider-changed: Prisma's `migration_lock.toml` pins the database the migration
 * history was written for. Changing its provider (or deleting it) means the existing SQL targets another
 * database.
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/lock-provider-changed',
    gate: 'migrations',
    severity: 'blocker',
    description: "Prisma's migration_lock.toml provider is changed or the lock file is deleted.",
    messages: {
      changed:
        'migration_lock.toml switches the provider from "{{from}}" to "{{to}}", but every migration in {{dir}} is SQL written for {{from}}: `prisma migrate deploy` refuses to run (P3019) or applies SQL the new database does not understand.',
      removed:
        '{{path}} is deleted: Prisma loses the record of which database the {{from}} migrations in {{dir}} were written for.',
    },
    fixes: {
      changed:
        'Keep the provider. To move to another database, start a new migration history (baseline) for it instead of re-labelling the old one.',
      removed: 'Restore migration_lock.toml.',
    },
  },
  check(ctx) {
    if (ctx.side !== 'head') return;
    const both = indexes(ctx);
    if (!both) return;
    for (const before of both.other.prismaLocks) {
      if (!before.provider) continue;
      const dir = before.path.slice(0, before.path.lastIndexOf('/'));
      const after = both.mine.prismaLocks.find((l) => l.path === before.path);
      if (!after) {
        // Deleting the whole migrations folder is reported per migration by removed-migration.
        ctx.report({
          messageId: 'removed',
          data: { path: before.path, from: before.provider, dir },
          path: before.path,
          line: 1,
          key: before.path,
        });
      } else if (after.provider && after.provider !== before.provider) {
        ctx.report({
          messageId: 'changed',
          data: { from: before.provider, to: after.provider, dir },
          path: after.path,
          line: after.line,
          key: after.path,
        });
      }
    }
  },
};
