import type { FileRule, Severity } from '../../../core/types.js';
import type { SourceFile } from '../../../lang/source-file.js';
import { djangoFieldBefore, type MigrationIndex, type MigrationSet } from '../history.js';
import { djangoTouchedTables } from '../orm/django.js';
import { planOf } from '../plan.js';
import type { MigrationTool } from '../layout.js';
import type { MigrationsOptions } from '../options.js';
import { databaseChanges, prismaDatabase, replaySql, satisfied } from '../prisma-schema.js';
import {
  changedObjects,
  djangoObjects,
  drizzleObjects,
  prismaObjects,
  sqlalchemyObjects,
  typeormObjects,
  type SchemaObject,
} from '../schema-sources.js';
import { dirOf } from '../../../lang/program/paths.js';
import { historyIndex } from '../history.js';

interface Ecosystem {
  tool: MigrationTool;
  label: string;
  severity: Severity;
  objects: (file: SourceFile) => SchemaObject[];
  /** The migration sets a change of this schema file must come with. */
  sets: (path: string, index: MigrationIndex) => MigrationSet[];
  command: string;
}

function within(dir: string, set: MigrationSet): boolean {
  return dir === '' || set.dir === dir || set.dir.startsWith(`${dir}/`);
}

const setsOf = (tool: MigrationTool) => (index: MigrationIndex) =>
  [...index.sets.values()].filter((s) => s.tool === tool);

const PRISMA: Ecosystem = {
  tool: 'prisma',
  label: 'Prisma schema',
  severity: 'blocker',
  objects: prismaObjects,
  // Prisma puts migrations next to the schema (or next to a schema folder).
  sets: (path, index) => setsOf('prisma')(index).filter((s) => within(dirOf(path), s) || within(dirOf(dirOf(path)), s)),
  command: 'npx prisma migrate dev --create-only --name <change>',
};

const DJANGO: Ecosystem = {
  tool: 'django',
  label: 'Django models',
  severity: 'blocker',
  objects: djangoObjects,
  sets: (path, index) => {
    const app = path.endsWith('/models.py') ? dirOf(path) : dirOf(dirOf(path));
    const set = index.sets.get(`${app === '' ? '' : `${app}/`}migrations`);
    return set && set.tool === 'django' ? [set] : [];
  },
  command: 'python manage.py makemigrations <app>',
};

const DRIZZLE: Ecosystem = {
  tool: 'drizzle',
  label: 'Drizzle schema',
  severity: 'blocker',
  objects: drizzleObjects,
  sets: (_p, i) => setsOf('drizzle')(i),
  command: 'npx drizzle-kit generate',
};
const TYPEORM: Ecosystem = {
  tool: 'typeorm',
  label: 'TypeORM entities',
  severity: 'warning',
  objects: typeormObjects,
  sets: (_p, i) => setsOf('typeorm')(i),
  command: 'npx typeorm migration:generate src/migrations/<Change> -d <data-source>',
};
const SQLALCHEMY: Ecosystem = {
  tool: 'alembic',
  label: 'SQLAlchemy models',
  severity: 'warning',
  objects: sqlalchemyObjects,
  sets: (_p, i) => setsOf('alembic')(i),
  command: 'alembic revision --autogenerate -m "<change>"',
};

/**
 * The table a schema object maps to, as migrations name it: Django `<app>_<model>` (lower case),
 * SQLAlchemy `__tablename__`, Drizzle's table name; undefined when unknown (TypeORM entity classes).
 */
function tableOf(tool: MigrationTool, name: string, app: string): string | undefined {
  const [kind, rest = ''] = name.split(' ');
  if (tool === 'django' && kind === 'model') return `${app}_${rest}`.toLowerCase();
  if ((tool === 'alembic' || tool === 'drizzle') && kind === 'table') return rest.toLowerCase();
  return undefined;
}

/** A line worth pointing at: not blank, not only a comment or a docstring. */
function isCodeLine(text: string): boolean {
  const t = text.trim();
  return t !== '' && !/^(?:\/\/|#|\/\*|\*|"""|''')/.test(t);
}

/** The first added code line inside [from, to], else the first added code line, else `fallback`. */
function pickLine(file: SourceFile, added: readonly number[], from: number, to: number, fallback: number): number {
  const code = added.filter((l) => isCodeLine(file.lineText(l)));
  return code.find((l) => l >= from && l <= to) ?? added.find((l) => l >= from && l <= to) ?? code[0] ?? fallback;
}

function ecosystemsOf(file: SourceFile): Ecosystem[] {
  if (file.language === 'prisma') return [PRISMA];
  if (file.language === 'python')
    return /(?:^|\/)models(?:\.py$|\/)/.test(file.path) ? [DJANGO, SQLALCHEMY] : [SQLALCHEMY];
  if (file.language === 'typescript' || file.language === 'javascript' || file.language === 'tsx')
    return [DRIZZLE, TYPEORM];
  return [];
}

/**
 * migrations/schema-without-migration: the schema source changed in a way that changes the database
 * (Prisma datamodel, Django model fields, Drizzle tables, TypeORM entities, SQLAlchemy models) and the
 * pull request adds no migration to the matching migration set. Formatting, comments, docstrings,
 * `relations()` and Django state-only options (help_text, choices…) are not schema changes. Projects
 * without a migrations folder (`prisma db push`, `drizzle-kit push`) are not judged.
 */
export const rule: FileRule<unknown, MigrationsOptions> = {
  scope: 'file',
  files: ['**/*.prisma', '**/*.py', '**/*.{ts,mts,cts,js,mjs,cjs}'],
  prefilter: ['model ', 'enum ', 'Model', 'Table(', 'pgEnum', 'mysqlEnum', '@Entity', '__tablename__'],
  meta: {
    id: 'migrations/schema-without-migration',
    gate: 'migrations',
    severity: 'blocker',
    description: 'The schema source changes the database schema but the pull request adds no migration for it.',
    messages: {
      missing:
        'The {{label}} change to {{objects}} ships without a migration in {{sets}}: the code deployed with it expects a schema the database does not have, so its queries fail in production (and the next developer to generate a migration gets this change mixed into theirs).',
      unsure:
        "The {{label}} change to {{objects}} only changes field options whose effect on the database we cannot tell (e.g. a custom field's keyword): if they change the column, it ships without a migration in {{sets}}; if not, `makemigrations --check` still fails until a migration records it.",
      stateOnly:
        'The {{label}} change to {{objects}} only touches options Django keeps in migration state (help_text, choices, defaults…): no SQL changes, but `makemigrations --check` will fail until a migration records it.',
    },
    fixes: {
      missing: 'Generate and commit the migration: `{{command}}`, then review its SQL.',
      unsure: 'Run `{{command}}` and commit what it generates (review whether it has SQL: `manage.py sqlmigrate`).',
      stateOnly: 'Run `{{command}}` and commit the (SQL-free) migration.',
    },
  },
  check(file, change, ctx) {
    if (ctx.side !== 'head' || !change || change.status === 'removed') return;
    let index: MigrationIndex;
    try {
      index = ctx.index(historyIndex);
    } catch {
      return;
    }
    const baseFile = change.status === 'added' ? undefined : ctx.other.file(change.previousPath ?? file.path);
    if (change.status !== 'added' && !baseFile) return;
    for (const eco of ecosystemsOf(file)) {
      const sets = eco.sets(file.path, index);
      if (sets.length === 0) continue;
      const head = eco.objects(file);
      const base = baseFile ? eco.objects(baseFile) : [];
      if (head.length === 0 && base.length === 0) continue;
      const setDirs = new Set(sets.map((s) => s.dir));
      if (eco.tool === 'prisma') {
        // Semantic: what the edit changes in the database, checked against what the head's migrations build.
        const headDb = prismaDatabase(file);
        const changes = databaseChanges(baseFile ? prismaDatabase(baseFile) : new Map(), headDb);
        if (changes.length === 0) return;
        const migrationFiles = sets.flatMap((s) =>
          s.entries.filter((e) => e.info.role === 'up').map((e) => ctx.snapshot.file(e.info.path)),
        );
        const built = replaySql(migrationFiles.filter((f): f is SourceFile => f !== undefined));
        const missing = changes.filter((c) => satisfied(built.schema, c) === false);
        if (missing.length === 0) return;
        // A schema split over several files: a model moved between them looks removed here; be careful.
        const dir = dirOf(file.path);
        const multiFile = ctx.snapshot.paths.some((p) => p !== file.path && p.endsWith('.prisma') && dirOf(p) === dir);
        const uncertain = built.uncertain || multiFile || migrationFiles.some((f) => f === undefined);
        ctx.report({
          messageId: 'missing',
          data: {
            label: eco.label,
            sets: [...setDirs].join(', '),
            command: eco.command,
            objects:
              missing
                .slice(0, 4)
                .map((c) => c.label)
                .join(', ') + (missing.length > 4 ? ` and ${missing.length - 4} more` : ''),
          },
          line:
            missing
              .map(
                (c) =>
                  (c.column ? headDb.get(c.table)?.columns.get(c.column)?.line : undefined) ??
                  headDb.get(c.table)?.line,
              )
              .find((l) => l !== undefined) ?? pickLine(file, change.addedLines, 1, file.lines().length, 1),
          severity: uncertain ? 'warning' : eco.severity,
          key: missing.map((c) => c.label).join(','),
        });
        return;
      }
      const added = ctx.changes.filter((c) => {
        if (c.status !== 'added' && c.status !== 'renamed') return false;
        const entry = index.files.get(c.path);
        return !!entry && setDirs.has(entry.info.set);
      });
      // Tables the migrations this pull request adds touch (and Django models whose fields they declare).
      const touched = new Set<string>();
      for (const c of added) {
        const entry = index.files.get(c.path)!;
        const f = ctx.snapshot.file(c.path);
        if (!f) continue;
        try {
          for (const op of planOf(f, entry.info).ops)
            if ('table' in op) touched.add(op.table.toLowerCase().split('.').pop()!);
          if (entry.info.tool === 'django') for (const t of djangoTouchedTables(f)) touched.add(t);
        } catch {
          // An unreadable migration touches nothing we can name.
        }
      }
      const djangoSet = eco.tool === 'django' ? sets[0] : undefined;
      const appLabel = djangoSet ? (djangoSet.dir.split('/').slice(-2, -1)[0] ?? '') : '';
      const baseBy = new Map(base.map((o) => [o.name, o]));
      const headBy = new Map(head.map((o) => [o.name, o]));
      /** Whether the migrations (added here, or already in the history) cover this object's change. */
      const covered = (name: string): boolean => {
        const table = tableOf(eco.tool, name, appLabel);
        // Without a table name (TypeORM entities), any migration added to the set counts, as before.
        if (table === undefined) return added.length > 0;
        if (touched.has(table)) return true;
        if (!djangoSet) return false;
        // Django: fields added to the model that a migration at the head already declares (committed earlier).
        const fieldsOf = (o: SchemaObject | undefined) =>
          new Map(
            (o?.signature.split('\n') ?? [])
              .filter((l) => l.includes(':') && !l.startsWith('Meta.'))
              .map((l) => [l.slice(0, l.indexOf(':')), l] as const),
          );
        const b = fieldsOf(baseBy.get(name));
        const h = fieldsOf(headBy.get(name));
        const metaChanged =
          (baseBy
            .get(name)
            ?.signature.split('\n')
            .filter((l) => l.startsWith('Meta.'))
            .join('\n') ?? '') !==
          (headBy
            .get(name)
            ?.signature.split('\n')
            .filter((l) => l.startsWith('Meta.'))
            .join('\n') ?? '');
        if (metaChanged || [...b.keys()].some((k) => !h.has(k) || h.get(k) !== b.get(k))) return false;
        const newFields = [...h.keys()].filter((k) => !b.has(k));
        return (
          newFields.length > 0 &&
          newFields.every(
            (field) =>
              djangoFieldBefore(index, djangoSet.dir, appLabel, Number.MAX_SAFE_INTEGER, table, field) !== undefined,
          )
        );
      };
      const changed = changedObjects(base, head).filter((c) => !covered(c.name));
      const data = { label: eco.label, sets: [...setDirs].join(', '), command: eco.command };
      if (changed.length > 0) {
        // Django: objects where only options we cannot place changed (a custom field's keyword) are unsure: a warning.
        const isUnsure = (c: { name: string }) => {
          const b = baseBy.get(c.name);
          return (
            eco.tool === 'django' &&
            b?.coreSignature !== undefined &&
            b.coreSignature === headBy.get(c.name)?.coreSignature
          );
        };
        for (const [group, unsure] of [
          [changed.filter((c) => !isUnsure(c)), false],
          [changed.filter(isUnsure), true],
        ] as const) {
          if (group.length === 0) continue;
          const first = group.find((c) => c.kind !== 'removed') ?? group[0]!;
          ctx.report({
            messageId: unsure ? 'unsure' : 'missing',
            data: {
              ...data,
              objects:
                group
                  .slice(0, 4)
                  .map((c) => c.name)
                  .join(', ') + (group.length > 4 ? ` and ${group.length - 4} more` : ''),
            },
            line: pickLine(file, change.addedLines, first.line, first.endLine, first.line),
            severity: unsure ? 'warning' : eco.severity,
            key: `${unsure ? 'unsure:' : ''}${group.map((c) => c.name).join(',')}`,
          });
        }
        return;
      }
      if (eco.tool === 'django') {
        // Objects whose database change the history covers are judged by that migration, not here.
        const dbChanged = new Set(changedObjects(base, head).map((c) => c.name));
        const stateChanged = changedObjects(base, head, 'stateSignature').filter(
          (c) => !dbChanged.has(c.name) && !touched.has(tableOf(eco.tool, c.name, appLabel) ?? ''),
        );
        if (stateChanged.length > 0) {
          const first = stateChanged[0]!;
          const line = pickLine(file, change.addedLines, first.line, first.endLine, first.line);
          ctx.report({
            messageId: 'stateOnly',
            data: { ...data, objects: stateChanged.map((c) => c.name).join(', ') },
            line,
            severity: 'notice',
            key: `state:${stateChanged.map((c) => c.name).join(',')}`,
          });
        }
        return;
      }
    }
  },
};
