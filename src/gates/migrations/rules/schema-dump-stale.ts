import type { RepoRule } from '../../../core/types.js';
import { indexes } from '../history-rules.js';
import type { MigrationsOptions } from '../options.js';

/** The newest migration version a schema dump records: schema.rb's `define(version:)`, structure.sql's schema_migrations rows. */
function dumpVersion(text: string): string | undefined {
  const rb = /define\(\s*version:\s*([\d_]+)\s*\)/.exec(text)?.[1];
  if (rb) return rb.replace(/_/g, '');
  const at = text.search(/INSERT INTO "?schema_migrations"?/);
  if (at === -1) return undefined;
  const versions = [...text.slice(at).matchAll(/'(\d+)'/g)].map((m) => BigInt(m[1]!));
  return versions.length ? versions.reduce((a, b) => (b > a ? b : a)).toString() : undefined;
}

/**
 * migrations/schema-dump-stale: Rails. A migration is added but `db/schema.rb` / `db/structure.sql` is not
 * updated (or its recorded version is older than the newest migration).
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/schema-dump-stale',
    gate: 'migrations',
    severity: 'warning',
    description: 'A Rails migration is added without updating db/schema.rb or db/structure.sql.',
    messages: {
      stale:
        '{{migration}} is added but {{dump}} is not updated: new environments and the test database load the schema from {{dump}} (`db:schema:load`, `db:prepare`), so they silently miss this change.',
      behind:
        '{{dump}} records version {{version}}, older than {{migration}}: `db:schema:load` builds a database without the newest migrations.',
    },
    fixes: {
      default: 'Run the migration locally (`bin/rails db:migrate`) and commit the regenerated {{dump}}.',
    },
  },
  check(ctx) {
    if (ctx.side !== 'head') return;
    const both = indexes(ctx);
    if (!both) return;
    for (const set of both.mine.sets.values()) {
      if (set.tool !== 'rails') continue;
      const root = set.dir.replace(/\/?db\/[\w-]*migrate$/, '');
      const prefix = root === '' ? '' : `${root}/`;
      const dump = [`${prefix}db/schema.rb`, `${prefix}db/structure.sql`].find((p) => ctx.snapshot.paths.includes(p));
      if (!dump) continue;
      const added = ctx.changes.filter(
        (c) => c.status === 'added' && both.mine.files.get(c.path)?.info.set === set.dir,
      );
      if (added.length === 0) continue;
      const newest = added
        .map((c) => both.mine.files.get(c.path)!)
        .sort((a, b) => (a.info.version! < b.info.version! ? 1 : -1))[0]!;
      const dumpChanged = ctx.changes.some((c) => c.path === dump);
      if (!dumpChanged) {
        ctx.report({
          messageId: 'stale',
          data: { migration: newest.info.path, dump },
          path: newest.info.path,
          line: 1,
          key: dump,
        });
        continue;
      }
      const text = ctx.snapshot.file(dump)?.text ?? '';
      const version = dumpVersion(text);
      if (version && BigInt(version) < BigInt(newest.info.version!)) {
        ctx.report({
          messageId: 'behind',
          data: { migration: newest.info.path, dump, version },
          path: dump,
          line: 1,
          key: dump,
        });
      }
    }
  },
};
