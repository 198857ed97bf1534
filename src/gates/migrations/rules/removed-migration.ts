import type { RepoRule } from '../../../core/types.js';
import type { IndexedMigration } from '../history.js';
import { indexes, isVersionKeyed, refList, releaseStatus, sameRecordedMigration } from '../history-rules.js';
import { toolName } from '../layout.js';
import type { MigrationsOptions } from '../options.js';
import { effectSignature } from '../semantic.js';

/** More removed files than this in one set become one finding for the set. */
const COLLAPSE_AFTER = 5;

/**
 * migrations/removed-migration: a migration that exists on the base branch is deleted or renamed.
 * Tools record applied migrations by name, so a rename re-runs it and a deletion breaks the history.
 * Django squash clean-ups (the removed migration is listed in a `replaces` at the head) are allowed, so
 * are renames that keep what the tool records (goose, golang-migrate, Flyway: the version) and renames
 * back to the name the newest release shipped. When the repository has releases (tags, release branches),
 * a migration no release contains is judged as not yet applied in production: a warning at most.
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/removed-migration',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'An already-merged migration is deleted or renamed, which breaks or re-runs the history on deployed databases.',
    messages: {
      removed: '{{file}} was already merged and is deleted here. {{consequence}}',
      renamed:
        '{{file}} was already merged and is renamed to {{to}}. {{tool}} records applied migrations by {{recordedBy}}, so every deployed database sees an unknown new migration and runs it again (failing on objects that already exist), and the old name is reported missing.',
      unreleased:
        '{{file}} is {{what}}; it was merged but no release contains it yet (releases: {{refs}}), so production never ran it. Databases that ran the unreleased code (staging, previews, developers) did, and keep a history row nothing explains.',
      many: '{{count}} already-merged migrations of {{set}} are deleted or renamed (first: {{file}}). {{consequence}}',
    },
    fixes: {
      removed: 'Restore the file and undo its effect with a new migration instead.',
      renamed: 'Keep the original name; put further changes in a new migration.',
      unreleased:
        'Reset the staging and preview databases that applied it (or mark it rolled back there), or keep the file and undo it in a new migration.',
      many: "If this resets the history on purpose (a baseline), do it with the tool's baseline procedure on every database first (e.g. `prisma migrate resolve --applied`), and waive this finding; otherwise restore the files.",
    },
  },
  check(ctx) {
    if (ctx.side !== 'head') return;
    const both = indexes(ctx);
    if (!both) return;
    // Django squashes: migrations named in a head migration's `replaces` may go.
    const replaced = new Set<string>();
    for (const entry of both.mine.files.values())
      for (const r of entry.django?.replaces ?? []) replaced.add(`${r.app}.${r.name}`);
    const bySet = new Map<string, Array<{ entry: IndexedMigration; to?: string }>>();
    for (const change of ctx.changes) {
      if (change.status !== 'removed' && change.status !== 'renamed') continue;
      const oldPath = change.previousPath ?? change.path;
      const entry = both.other.files.get(oldPath);
      if (!entry || entry.info.role === 'down') continue;
      if (entry.django && replaced.has(`${entry.django.app}.${entry.django.name}`)) continue;
      // A rename that keeps the recorded name (e.g. moving a Knex file between folders is still a rename) is reported;
      // a rename to a path that is no migration at all is a deletion.
      const to = change.status === 'renamed' && both.mine.files.has(change.path) ? change.path : undefined;
      const renamedTo = to ? both.mine.files.get(to) : undefined;
      // goose, golang-migrate, Flyway record the version: a new title after the same version is the same
      // migration (whether or not the diff paired the two files as a rename).
      if (
        renamedTo
          ? sameRecordedMigration(entry, renamedTo)
          : [...both.mine.files.values()].some(
              (e) => e.info.role === entry.info.role && sameRecordedMigration(entry, e),
            )
      )
        continue;
      const release = releaseStatus(both.other, oldPath);
      if (renamedTo) {
        // Renamed back to the name (and text) the newest release shipped: deployed databases know that name.
        const back = releaseStatus(both.other, renamedTo.info.path);
        const headFile = ctx.snapshot.file(renamedTo.info.path);
        const restored =
          back.status === 'released' &&
          (back.shipped.hash === renamedTo.hash ||
            (back.shipped.effect !== undefined &&
              headFile !== undefined &&
              back.shipped.effect === effectSignature(headFile, renamedTo.info)));
        if (release.status === 'unreleased' && restored) continue;
      }
      if (release.status === 'unreleased') {
        ctx.report({
          messageId: 'unreleased',
          data: { file: entry.info.path, what: to ? `renamed to ${to}` : 'deleted', refs: refList(release.refs) },
          path: to ?? entry.info.path,
          line: 1,
          severity: 'warning',
          key: entry.info.path,
        });
        continue;
      }
      const list = bySet.get(entry.info.set) ?? [];
      list.push(to ? { entry, to } : { entry });
      bySet.set(entry.info.set, list);
    }
    for (const [set, list] of bySet) {
      const tool = list[0]!.entry.info.tool;
      const consequence =
        tool === 'knex'
          ? 'Knex refuses to migrate any deployed database: "The migration directory is corrupt, the following files are missing".'
          : tool === 'django'
            ? 'Later migrations that depend on it fail to load (NodeNotFoundError), and databases that applied it keep a history row nothing explains.'
            : tool === 'alembic'
              ? 'Alembic cannot locate the revision deployed databases are at ("Can\'t locate revision") and stops.'
              : `${toolName(tool)} keeps it in the applied history of every deployed database; new databases never get what it created, so environments drift apart.`;
      if (list.length > COLLAPSE_AFTER) {
        const first = list[0]!;
        ctx.report({
          messageId: 'many',
          data: { count: list.length, set, file: first.entry.info.path, consequence },
          path: first.to ?? first.entry.info.path,
          line: 1,
          key: `set:${set}`,
        });
        continue;
      }
      for (const { entry, to } of list) {
        if (to)
          ctx.report({
            messageId: 'renamed',
            data: {
              file: entry.info.path,
              to,
              tool: toolName(tool),
              recordedBy: entry.info.version !== undefined && isVersionKeyed(tool) ? 'version' : 'name',
            },
            path: to,
            line: 1,
            key: entry.info.path,
          });
        else
          ctx.report({
            messageId: 'removed',
            data: { file: entry.info.path, consequence },
            path: entry.info.path,
            line: 1,
            key: entry.info.path,
          });
      }
    }
  },
};
