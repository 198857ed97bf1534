import type { RepoRule, Severity } from '../../../core/types.js';
import { indexes, refList, releaseStatus } from '../history-rules.js';
import { toolName, type MigrationTool } from '../layout.js';
import type { MigrationsOptions } from '../options.js';
import { effectSignature, semanticSignature } from '../semantic.js';

/** Tools that checksum applied migrations, or where an edit is treated as history corruption. */
const CHECKSUMMED: ReadonlySet<MigrationTool> = new Set(['prisma', 'atlas', 'flyway']);

/**
 * migrations/edited-migration: a migration that exists on the base branch (so has been, or will soon
 * be, applied somewhere) is modified. An edit is judged by what the migration does to the database
 * (effectSignature: parsed SQL statements, or extracted operations and written values, without
 * comments, formatting, imports or `SET lock_timeout`): an edit that changes none of it is ignored for
 * tools without checksums and a warning for Prisma/Atlas (a checksum still changes); line endings are
 * always ignored. When the repository has releases, an edit that restores the released version is
 * ignored and an edit to a migration no release contains is a warning at most.
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/edited-migration',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'An already-merged migration is edited: databases that applied it never see the change, or the tool refuses to run.',
    messages: {
      checksum: '{{file}} was already merged and is now edited. {{tool}} checksums applied migrations: {{consequence}}',
      checksumOnly:
        '{{file}} was already merged and is now edited without changing what it does to the database, but {{tool}} checksums applied migrations: deployed databases report it as modified after it was applied.',
      unreleased:
        '{{file}} is edited after it was merged, but no release contains it yet (releases: {{refs}}): production never ran it. Databases that ran the unreleased code (staging, previews, developers) keep the old version.',
      silent:
        '{{file}} was already merged and is now edited. {{tool}} never re-runs an applied migration, so every database that already applied it (production included) silently keeps the old version while fresh databases get the new one: the schemas drift apart.',
    },
    fixes: {
      checksum:
        'Revert the edit and put the change in a new migration. If the edit must stay (a hot-fix already applied by hand), {{resolve}}.',
      checksumOnly:
        'Revert the cosmetic edit, or accept it knowingly (`prisma migrate resolve` / `atlas migrate hash`).',
      unreleased:
        'Reset the staging and preview databases that applied the old version, or put the change in a new migration.',
      silent: 'Revert the edit and put the change in a new migration.',
    },
  },
  check(ctx) {
    if (ctx.side !== 'head') return;
    const both = indexes(ctx);
    if (!both) return;
    for (const change of ctx.changes) {
      if (change.status !== 'modified') continue;
      const before = both.other.files.get(change.path);
      const after = both.mine.files.get(change.path);
      if (!before || !after || before.info.role === 'down') continue;
      // Same text once CRLF is folded: a line-ending-only change, which Prisma's checksum accepts.
      if (before.hash === after.hash) continue;
      const tool = after.info.tool;
      const line = change.addedLines[0] ?? change.removedLines[0] ?? 1;
      const file = change.path;
      const oldFile = ctx.other.file(change.path);
      const newFile = ctx.snapshot.file(change.path);
      const oldEffect = oldFile ? effectSignature(oldFile, before.info) : undefined;
      const newEffect = newFile ? effectSignature(newFile, after.info) : undefined;
      const release = releaseStatus(both.other, change.path);
      if (release.status === 'released') {
        // Back to exactly what the release shipped (a revert of an unreleased edit), or to its effect.
        if (release.shipped.hash === after.hash) continue;
        if (!CHECKSUMMED.has(tool) && newEffect !== undefined && release.shipped.effect === newEffect) continue;
      }
      // Same effect, or (for code we cannot extract fully, e.g. RunPython) the same tokens without comments.
      const sameTokens = () => {
        const a = oldFile ? semanticSignature(oldFile) : undefined;
        return a !== undefined && newFile !== undefined && a === semanticSignature(newFile);
      };
      const sameEffect = (oldEffect !== undefined && oldEffect === newEffect) || sameTokens();
      if (release.status === 'unreleased') {
        if (sameEffect) continue;
        ctx.report({
          messageId: 'unreleased',
          data: { file, refs: refList(release.refs) },
          path: file,
          line,
          severity: 'warning',
          key: file,
        });
        continue;
      }
      if (sameEffect && tool !== 'flyway') {
        // Without a checksum, an edit that changes nothing the database sees is harmless.
        if (CHECKSUMMED.has(tool))
          ctx.report({
            messageId: 'checksumOnly',
            data: { file, tool: toolName(tool) },
            path: file,
            line,
            severity: 'warning',
            key: file,
          });
        continue;
      }
      if (CHECKSUMMED.has(tool)) {
        const consequence =
          tool === 'prisma'
            ? '`prisma migrate deploy` warns that it was modified after it was applied, and `prisma migrate dev` asks every developer to reset their database (all data lost); databases that applied it keep the old version.'
            : tool === 'atlas'
              ? 'unless atlas.sum is re-hashed, `atlas migrate apply` fails with "checksum mismatch"; if it is re-hashed, databases that applied the old version silently keep it.'
              : '`flyway migrate` fails validation ("Migration checksum mismatch") on every database that applied it.';
        const resolve =
          tool === 'prisma'
            ? 'mark it with `prisma migrate resolve` on each database'
            : tool === 'atlas'
              ? 'run `atlas migrate hash` and apply the change by hand where it already ran'
              : 'run `flyway repair` on each database';
        ctx.report({
          messageId: 'checksum',
          data: { file, tool: toolName(tool), consequence, resolve },
          path: file,
          line,
          key: file,
        });
        continue;
      }
      const severity: Severity = tool === 'drizzle' ? 'blocker' : 'warning';
      ctx.report({ messageId: 'silent', data: { file, tool: toolName(tool) }, path: file, line, severity, key: file });
    }
  },
};
