import type { RepoRule } from '../../../core/types.js';
import { indexes } from '../history-rules.js';
import type { MigrationsOptions } from '../options.js';

/**
 * migrations/drizzle-journal-order: drizzle's migrator applies a journal entry only when its `when` is
 * newer than the newest `created_at` already recorded in the database. An entry whose `when` is not
 * after every earlier one (typically a migration generated before a rebase) is skipped forever on
 * deployed databases, silently; fresh databases apply it, so CI passes.
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/drizzle-journal-order',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'A drizzle journal entry that is not newer than the ones before it: deployed databases silently never apply it.',
    messages: {
      olderThanBase:
        'Journal entry {{tag}} has `when` {{when}}, not after {{baseTag}} ({{baseWhen}}) which is already on the base branch: every database that applied {{baseTag}} silently skips {{tag}} forever (drizzle applies only entries newer than its last recorded migration), while fresh databases apply it.',
      notIncreasing:
        'Journal entry {{tag}} has `when` {{when}}, not after the entry before it ({{prevTag}}, {{prevWhen}}): databases that applied {{prevTag}} first never apply {{tag}}.',
      duplicate:
        'Journal entry {{tag}} repeats idx {{idx}} or tag of another entry: drizzle-kit rejects the journal or applies the wrong file.',
      missingSql: 'Journal entry {{tag}} has no {{tag}}.sql in {{dir}}: the migrator fails to read it.',
      missingEntry: '{{file}} has no entry in {{journal}}: drizzle never applies it.',
      unreadable: '{{journal}} is not valid JSON ({{error}}): every drizzle migration fails.',
    },
    fixes: {
      default:
        'Regenerate the migration on top of the current base (`drizzle-kit drop` then `drizzle-kit generate`), or set its `when` above every earlier entry; never insert entries before existing ones.',
    },
  },
  check(ctx) {
    const both = indexes(ctx);
    if (!both) return;
    const paths = new Set(ctx.snapshot.paths);
    for (const journal of both.mine.drizzleJournals) {
      const data = { journal: journal.path, dir: journal.dir };
      if (journal.error) {
        ctx.report({
          messageId: 'unreadable',
          data: { ...data, error: journal.error },
          path: journal.path,
          line: 1,
          key: 'json',
        });
        continue;
      }
      // Entries new in this PR that are not newer than the base's newest entry (head side only).
      const base = ctx.side === 'head' ? both.other.drizzleJournals.find((j) => j.path === journal.path) : undefined;
      const baseTags = new Set(base?.entries.map((e) => e.tag) ?? []);
      const newest =
        base && base.entries.length > 0 ? base.entries.reduce((a, b) => (b.when > a.when ? b : a)) : undefined;
      const behindBase = new Set(
        journal.entries.filter((e) => newest && !baseTags.has(e.tag) && e.when <= newest.when).map((e) => e.tag),
      );
      for (const e of journal.entries) {
        if (!behindBase.has(e.tag) || !newest) continue;
        ctx.report({
          messageId: 'olderThanBase',
          data: { ...data, tag: e.tag, when: e.when, baseTag: newest.tag, baseWhen: newest.when },
          path: journal.path,
          line: e.line,
          key: `base:${e.tag}`,
        });
      }
      const seenIdx = new Set<number>();
      const seenTag = new Set<string>();
      journal.entries.forEach((e, i) => {
        if (seenIdx.has(e.idx) || seenTag.has(e.tag)) {
          ctx.report({
            messageId: 'duplicate',
            data: { ...data, tag: e.tag, idx: e.idx },
            path: journal.path,
            line: e.line,
            key: `dup:${e.tag}`,
          });
        }
        seenIdx.add(e.idx);
        seenTag.add(e.tag);
        const prev = journal.entries[i - 1];
        if (prev && e.when <= prev.when && !behindBase.has(e.tag)) {
          ctx.report({
            messageId: 'notIncreasing',
            data: { ...data, tag: e.tag, when: e.when, prevTag: prev.tag, prevWhen: prev.when },
            path: journal.path,
            line: e.line,
            key: `order:${e.tag}`,
          });
        }
        if (!paths.has(`${journal.dir}/${e.tag}.sql`) && !paths.has(`${journal.dir}/${e.tag}/migration.sql`)) {
          ctx.report({
            messageId: 'missingSql',
            data: { ...data, tag: e.tag },
            path: journal.path,
            line: e.line,
            key: `sql:${e.tag}`,
          });
        }
      });
      for (const path of ctx.snapshot.glob([`${journal.dir}/*.sql`])) {
        const tag = path.slice(journal.dir.length + 1, -4);
        if (!seenTag.has(tag))
          ctx.report({ messageId: 'missingEntry', data: { ...data, file: path }, path, line: 1, key: `entry:${tag}` });
      }
    }
  },
};
