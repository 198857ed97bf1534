import type { RepoRule, Severity } from '../../../core/types.js';
import { indexes } from '../history-rules.js';
import { toolName, type MigrationTool } from '../layout.js';
import type { MigrationsOptions } from '../options.js';
import { semanticSignature } from '../semantic.js';

/** Tools that checksum applied migrations, or where an edit is treated as history corruption. */
const CHECKSUMMED: ReadonlySet<MigrationTool> = new Set(['prisma', 'atlas', 'flyway']);

/**
 * migrations/edited-migration: a migration that exists on the base branch (so has been, or will soon
 * be, applied somewhere) is modified. Line-ending-only changes are ignored (Prisma accepts both); for
 * tools without checksums, comment/whitespace/docstring-only edits are ignored too.
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/edited-migration',
    gate: 'migrations',
    severity: 'blocker',
    description: 'An already-merged migration is edited: databases that applied it never see the change, or the tool refuses to run.',
    messages: {
      checksum:
        '{{file}} was already merged and is now edited. {{tool}} checksums applied migrations: {{consequence}}',
      silent:
        '{{file}} was already merged and is now edited. {{tool}} never re-runs an applied migration, so every database that already applied it (production included) silently keeps the old version while fresh databases get the new one: the schemas drift apart.',
    },
    fixes: {
      checksum: 'Revert the edit and put the change in a new migration. If the edit must stay (a hot-fix already applied by hand), {{resolve}}.',
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
      if (CHECKSUMMED.has(tool)) {
        const consequence =
          tool === 'prisma'
            ? '`prisma migrate deploy` warns that it was modified after it was applied, and `prisma migrate dev` asks every developer to reset their database (all data lost); databases that applied it keep the old version.'
            : tool === 'atlas'
              ? 'unless atlas.sum is re-hashed, `atlas migrate apply` fails with "checksum mismatch"; if it is re-hashed, databases that applied the old version silently keep it.'
              : '`flyway migrate` fails validation ("Migration checksum mismatch") on every database that applied it.';
        const resolve =
          tool === 'prisma' ? 'mark it with `prisma migrate resolve` on each database' : tool === 'atlas' ? 'run `atlas migrate hash` and apply the change by hand where it already ran' : 'run `flyway repair` on each database';
        ctx.report({ messageId: 'checksum', data: { file, tool: toolName(tool), consequence, resolve }, path: file, line, key: file });
        continue;
      }
      // Without a checksum, an edit that changes nothing that runs is harmless.
      const oldFile = ctx.other.file(change.path);
      const newFile = ctx.snapshot.file(change.path);
      if (oldFile && newFile) {
        const a = semanticSignature(oldFile);
        const b = semanticSignature(newFile);
        if (a !== undefined && a === b) continue;
      }
      const severity: Severity = tool === 'drizzle' ? 'blocker' : 'warning';
      ctx.report({ messageId: 'silent', data: { file, tool: toolName(tool) }, path: file, line, severity, key: file });
    }
  },
};
