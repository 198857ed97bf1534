import type { RepoRule } from '../../../core/types.js';
import { type IndexedMigration, type MigrationIndex, type MigrationSet } from '../history.js';
import { toolName } from '../layout.js';
import type { MigrationsOptions } from '../options.js';
import { historyIndex } from '../history.js';

/** Tools that refuse two migrations with the same version. */
const UNIQUE_VERSIONS = new Set(['flyway', 'golang-migrate', 'atlas', 'rails', 'diesel']);

/**
 * migrations/divergent-history: the history no longer forms one line — two Alembic heads, two Django
 * leaf migrations in one app, a revision pointing at a parent that does not exist, duplicate revision
 * ids or duplicate versions. Each branch is linear on its own; the merged result is not. Evaluated on
 * the pull request's head (the merge with the base), so a conflict that only appears together is caught;
 * a divergence already on the base branch is reported as existing.
 */
export const rule: RepoRule<unknown, MigrationsOptions> = {
  scope: 'repo',
  meta: {
    id: 'migrations/divergent-history',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'The migration history has two heads, two leaf migrations, a missing parent or duplicate versions: the migrate command refuses to run.',
    messages: {
      alembicHeads:
        'Alembic now has {{count}} heads ({{heads}}): `alembic upgrade head` fails with "Multiple head revisions are present", so the deploy stops.',
      alembicMissingParent:
        'Revision {{revision}} names down_revision {{parent}}, which does not exist: Alembic cannot build the revision graph and every command fails.',
      alembicDuplicate:
        'Revision id {{revision}} is used by {{count}} files: Alembic warns and picks one, so the other never runs.',
      djangoLeaves:
        'App {{app}} now has {{count}} leaf migrations ({{leaves}}): `manage.py migrate` stops with "Conflicting migrations detected; multiple leaf nodes in the migration graph".',
      djangoMissingParent:
        '{{name}} depends on {{app}}.{{parent}}, which does not exist: Django raises NodeNotFoundError and no migration runs.',
      duplicateVersion:
        'Version {{version}} is used by {{count}} migrations in {{set}} ({{files}}): {{tool}} refuses to run with duplicate versions.',
    },
    fixes: {
      alembicHeads:
        'Rebase the new revision: set its down_revision to the current head, or add a merge revision with `alembic merge heads -m "merge"`.',
      alembicMissingParent: 'Point down_revision at an existing revision (`alembic history` lists them).',
      alembicDuplicate: 'Give one of the revisions a new id (and update anything that references it).',
      djangoLeaves:
        'Run `python manage.py makemigrations --merge {{app}}`, or renumber the new migration and make it depend on the current leaf.',
      djangoMissingParent: 'Fix the dependency to name an existing migration.',
      duplicateVersion: 'Give the new migration a version greater than every existing one.',
    },
  },
  check(ctx) {
    let index: MigrationIndex;
    try {
      index = ctx.index(historyIndex);
    } catch {
      return;
    }
    for (const set of index.sets.values()) {
      if (set.tool === 'alembic') alembic(set, ctx);
      else if (set.tool === 'django') django(set, ctx);
      else if (UNIQUE_VERSIONS.has(set.tool)) duplicates(set, ctx);
    }
  },
};

type Ctx = Parameters<RepoRule<unknown, MigrationsOptions>['check']>[0];

function revisionLine(e: IndexedMigration): number {
  return e.alembic?.line ?? 1;
}

function alembic(set: MigrationSet, ctx: Ctx): void {
  const byRevision = new Map<string, IndexedMigration[]>();
  for (const e of set.entries) {
    const rev = e.alembic?.revision;
    if (rev === undefined) continue;
    byRevision.set(rev, [...(byRevision.get(rev) ?? []), e]);
  }
  const referenced = new Set<string>();
  for (const e of set.entries) {
    for (const parent of [...(e.alembic?.downRevisions ?? []), ...(e.alembic?.dependsOn ?? [])]) {
      referenced.add(parent);
      // depends_on may name a branch label or another location's revision; only down_revision must resolve here.
      if (!byRevision.has(parent) && e.alembic?.downRevisions.includes(parent)) {
        ctx.report({
          messageId: 'alembicMissingParent',
          data: { revision: e.alembic.revision ?? e.info.id, parent },
          path: e.info.path,
          line: revisionLine(e),
          key: `parent:${parent}`,
        });
      }
    }
  }
  for (const [rev, files] of byRevision) {
    if (files.length < 2) continue;
    for (const e of files.slice(1))
      ctx.report({
        messageId: 'alembicDuplicate',
        data: { revision: rev, count: files.length },
        path: e.info.path,
        line: revisionLine(e),
        key: `dup:${rev}`,
      });
  }
  const heads = [...byRevision.keys()].filter((r) => !referenced.has(r)).sort();
  if (heads.length < 2) return;
  for (const e of where(
    heads.map((h) => byRevision.get(h)![0]!),
    ctx,
  )) {
    ctx.report({
      messageId: 'alembicHeads',
      data: { count: heads.length, heads: heads.join(', ') },
      path: e.info.path,
      line: revisionLine(e),
      key: `heads:${heads.join(',')}`,
    });
  }
}

/**
 * Where to report a divergence: at the branch tips this pull request touches, or at every tip when it
 * touches none (a divergence already on the base branch, reported there too, so it shows as existing).
 */
function where(tips: IndexedMigration[], ctx: Ctx): IndexedMigration[] {
  const changed = new Set(ctx.changes.map((c) => c.path));
  const touched = tips.filter((t) => changed.has(t.info.path));
  return touched.length > 0 ? touched : tips;
}

function django(set: MigrationSet, ctx: Ctx): void {
  const app = set.entries[0]?.django?.app ?? '';
  const names = new Set(set.entries.map((e) => e.django?.name ?? e.info.id));
  // A squashed migration stands for the ones it replaces.
  const replacedBy = new Map<string, string>();
  for (const e of set.entries)
    for (const r of e.django?.replaces ?? []) if (r.app === app) replacedBy.set(r.name, e.django!.name);
  const dependedOn = new Set<string>();
  for (const e of set.entries) {
    if (!e.django?.valid) continue;
    for (const dep of e.django.dependencies) {
      if (dep.app !== app || dep.name === '__first__' || dep.name === '__latest__') continue;
      dependedOn.add(replacedBy.get(dep.name) ?? dep.name);
      dependedOn.add(dep.name);
      if (!names.has(dep.name)) {
        ctx.report({
          messageId: 'djangoMissingParent',
          data: { name: e.django.name, app, parent: dep.name },
          path: e.info.path,
          line: dep.line,
          key: `parent:${dep.name}`,
        });
      }
    }
  }
  const leaves = set.entries.filter(
    (e) => e.django?.valid && !replacedBy.has(e.django.name) && !dependedOn.has(e.django.name),
  );
  if (leaves.length < 2) return;
  const leafNames = leaves.map((e) => e.django!.name).sort();
  for (const e of where(leaves, ctx)) {
    // At its dependency on the app's history: that is the line a merge or renumbering changes.
    const line = e.django!.dependencies.find((d) => d.app === app)?.line ?? 1;
    ctx.report({
      messageId: 'djangoLeaves',
      data: { app, count: leaves.length, leaves: leafNames.join(', ') },
      path: e.info.path,
      line,
      key: `leaves:${leafNames.join(',')}`,
    });
  }
}

function duplicates(set: MigrationSet, ctx: Ctx): void {
  const byVersion = new Map<string, IndexedMigration[]>();
  for (const e of set.entries) {
    if (!e.info.version || e.info.role !== 'up') continue;
    // Numeric versions compare as numbers: 0001 and 1 are the same version to golang-migrate and Flyway.
    const key = /^\d+$/.test(e.info.version)
      ? String(BigInt(e.info.version))
      : e.info.version.replace(/(^|\.)0+(?=\d)/g, '$1');
    byVersion.set(key, [...(byVersion.get(key) ?? []), e]);
  }
  for (const [version, files] of byVersion) {
    if (files.length < 2) continue;
    const names = files.map((f) => f.info.path.slice(f.info.path.lastIndexOf('/') + 1));
    for (const e of files) {
      ctx.report({
        messageId: 'duplicateVersion',
        data: { version, count: files.length, set: set.dir, files: names.join(', '), tool: toolName(set.tool) },
        path: e.info.path,
        line: 1,
        key: `version:${version}:${e.info.path}`,
      });
    }
  }
}
