import type { RepoRule } from '../../../core/types.js';
import { type MigrationIndex } from '../history.js';
import type { MigrationsOptions } from '../options.js';
import { historyIndex } from '../history.js';

/**
 * migrations/atlas-sum-mismatch: `atlas.sum` does not match the migration directory (a file added,
 * edited or removed without `atlas migrate hash`). The sum is recomputed exactly as Atlas does: a running
 * SHA-256 over each file's name and bytes, in name order.
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/atlas-sum-mismatch',
    gate: 'migrations',
    severity: 'blocker',
    description: 'atlas.sum does not match the migration files: Atlas refuses to apply the directory.',
    messages: {
      missing:
        '{{file}} is not listed in {{sum}}: `atlas migrate apply` and `migrate validate` fail with "checksum mismatch" and nothing is deployed.',
      stale:
        'The hash of {{file}} in {{sum}} does not match the file (it was edited, or a file before it changed): `atlas migrate apply` fails with "checksum mismatch".',
      extra: '{{sum}} lists {{file}}, which no longer exists: `atlas migrate apply` fails with "checksum mismatch".',
      total:
        'The first line of {{sum}} (the sum of all lines) is wrong: Atlas rejects the file with "checksum mismatch".',
    },
    fixes: {
      default:
        'Run `atlas migrate hash --dir file://{{dir}}` and commit the updated atlas.sum (and never edit a migration that was already applied).',
    },
  },
  check(ctx) {
    let index: MigrationIndex;
    try {
      index = ctx.index(historyIndex);
    } catch {
      return;
    }
    for (const sum of index.atlasSums) {
      const data = { sum: sum.path, dir: sum.dir };
      let reported = false;
      for (const [name, hash] of sum.expected) {
        const listed = sum.listed.get(name);
        if (!listed) {
          ctx.report({
            messageId: 'missing',
            data: { ...data, file: name },
            path: sum.path,
            line: 1,
            key: `missing:${name}`,
          });
          reported = true;
        } else if (listed.hash !== hash) {
          ctx.report({
            messageId: 'stale',
            data: { ...data, file: name },
            path: sum.path,
            line: listed.line,
            key: `stale:${name}`,
          });
          reported = true;
          // Every later line is a running hash and differs too: one finding says it.
          break;
        }
      }
      for (const [name, listed] of sum.listed) {
        if (sum.expected.has(name)) continue;
        ctx.report({
          messageId: 'extra',
          data: { ...data, file: name },
          path: sum.path,
          line: listed.line,
          key: `extra:${name}`,
        });
        reported = true;
      }
      if (!reported && sum.total !== undefined && sum.total !== sum.expectedTotal) {
        ctx.report({ messageId: 'total', data, path: sum.path, line: 1, key: 'total' });
      }
    }
  },
};
