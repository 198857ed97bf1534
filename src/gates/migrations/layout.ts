/**
 * Migration layouts: which files of a repository are migrations, of which tool, in which set, in which
 * order, and whether the tool runs them inside a transaction.
 *
 * Everything here works on paths (plus the set of all paths, for siblings such as `migration_lock.toml`,
 * `atlas.sum` or `meta/_journal.json`), so it is cheap enough for `applies()` and for every changed file.
 * Content-dependent refinements (Knex vs Sequelize vs TypeORM, goose/dbmate sections, Django `atomic`)
 * happen where the file is parsed (plan.ts).
 *
 * Never migrations: schema dumps (`structure.sql`, `schema.sql`), seeds, test fixtures, anything under
 * node_modules/vendor. Down migrations are recognised so that no DDL rule ever judges them.
 */

import picomatch from 'picomatch';
import { dirOf } from '../../lang/program/paths.js';

/** The tool that applies a migration file. `js` is a JS/TS migration whose library is decided by content. */
export type MigrationTool =
  | 'prisma'
  | 'drizzle'
  | 'atlas'
  | 'flyway'
  | 'golang-migrate'
  | 'diesel'
  | 'sql'
  | 'django'
  | 'alembic'
  | 'rails'
  | 'knex'
  | 'typeorm'
  | 'sequelize'
  | 'db-migrate'
  | 'kysely'
  | 'slonik'
  | 'goose'
  | 'js';

/** What a file does when the tool runs it. */
export type MigrationRole = 'up' | 'down' | 'repeatable';

/** How the tool wraps one migration file in a transaction (before any explicit BEGIN/COMMIT in it). */
export type TransactionMode =
  /** Always inside a transaction (Drizzle, Atlas, Django atomic, Alembic on PG, Rails, Knex, TypeORM, diesel). */
  | 'always'
  /**
   * The whole file is sent as one multi-statement query, which PostgreSQL runs as one implicit
   * transaction: a file with several statements is transactional, a single statement is not (Prisma,
   * golang-migrate, Flyway's refusal to mix transactional and non-transactional statements).
   */
  | 'implicit-multi'
  /** Only explicit BEGIN … COMMIT in the file (plain SQL directories, Sequelize). */
  | 'explicit';

export interface MigrationFileInfo {
  path: string;
  tool: MigrationTool;
  /** The directory that holds the set this file belongs to (a Django app's `migrations/`, `prisma/migrations`, …). */
  set: string;
  role: MigrationRole;
  /** The name the tool records as applied (Prisma folder, Django/Knex/Rails file stem, Flyway version…). */
  id: string;
  /** Version/timestamp prefix when the layout has one (ordering, duplicate detection). */
  version?: string;
  language: 'sql' | 'python' | 'js' | 'ruby' | 'go';
  /** The database, when a configured layout (`gates.migrations.paths`) says which. */
  dialect?: 'postgresql' | 'mysql' | 'sqlite';
}

/** A layout from the config (`gates.migrations.paths`): files matching a glob are migrations of `tool`. */
export interface ConfiguredLayout {
  glob: string;
  match(path: string): boolean;
  tool: MigrationTool;
  dialect?: 'postgresql' | 'mysql' | 'sqlite';
}

/**
 * Layouts that need more than the path: Alembic directories named by an `alembic.ini` `script_location`
 * (no env.py needed), and the globs of `gates.migrations.paths`. Built once per snapshot (history index).
 */
export interface ExtraLayouts {
  /** `<script_location>/versions` directories. */
  alembicVersionDirs: ReadonlySet<string>;
  configured: readonly ConfiguredLayout[];
}

/** Directory names whose contents are never migrations that run in production. */
const NEVER_DIRS = new Set([
  'node_modules',
  'vendor',
  '.git',
  'fixtures',
  '__fixtures__',
  'testdata',
  'test',
  'tests',
  '__tests__',
  'spec',
  'seed',
  'seeds',
  'seeders',
  'seeding',
]);

/** Schema dumps and seed scripts that sit next to migrations but are not migrations. */
const NOT_MIGRATION_FILES = /^(?:structure|schema|seed|seeds|data|dump)\.sql$/i;

const JS_EXT = /\.(?:[cm]?js|[cm]?ts)$/;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** A lookup of sibling files; a Set of all paths, or anything with `has`. */
export interface PathSet {
  has(path: string): boolean;
}

/** True when a path lies under a directory that never holds production migrations (tests, seeds, vendor). */
export function isNeverMigrationPath(path: string): boolean {
  const parts = path.split('/');
  parts.pop();
  return parts.some((p) => NEVER_DIRS.has(p.toLowerCase()));
}

/**
 * Classifies one path. `paths` is the snapshot's path set, used for sibling markers
 * (`migration_lock.toml`, `atlas.sum`, `meta/_journal.json`, Alembic `env.py`).
 */
export function classifyMigrationPath(
  path: string,
  paths: PathSet,
  extra?: ExtraLayouts,
): MigrationFileInfo | undefined {
  const name = baseName(path);
  const dir = dirOf(path);
  // The config is explicit: it wins over every convention, and over the test/seed directory exclusions.
  const configured = extra?.configured.find((c) => c.match(path));
  if (configured) return classifyConfigured(path, name, dir, configured);
  if (isNeverMigrationPath(path)) return undefined;
  const parent = baseName(dir);
  const grand = dirOf(dir);

  if (name.endsWith('.sql')) return classifySql(path, name, dir, parent, grand, paths);

  if (name.endsWith('.py')) {
    if (name === '__init__.py' || !/^[A-Za-z0-9_]+\.py$/.test(name)) return undefined;
    // Alembic / Flask-Migrate: <script_location>/versions/*.py beside env.py, or named by alembic.ini.
    if (
      parent === 'versions' &&
      (paths.has(join(grand, 'env.py')) ||
        paths.has(join(grand, 'script.py.mako')) ||
        baseName(grand) === 'alembic' ||
        extra?.alembicVersionDirs.has(dir))
    ) {
      return { path, tool: 'alembic', set: dir, role: 'up', id: name.slice(0, -3), language: 'python' };
    }
    // Django: <app>/migrations/NNNN_name.py, and any other module of that package. Django's loader imports
    // every module of `migrations/` whose name does not start with `_` or `~` (MigrationLoader uses
    // pkgutil.iter_modules), numbered or not (Saleor's `fix_empty_data_in_lines.py`). A Flask-Migrate
    // `migrations/` (env.py beside script.py.mako) is Alembic's, not Django's.
    if (parent === 'migrations' && /^\d{4}_\w*\.py$/.test(name)) {
      return {
        path,
        tool: 'django',
        set: dir,
        role: 'up',
        id: name.slice(0, -3),
        version: name.slice(0, 4),
        language: 'python',
      };
    }
    if (
      parent === 'migrations' &&
      /^[A-Za-z]\w*\.py$/.test(name) &&
      paths.has(join(dir, '__init__.py')) &&
      !paths.has(join(dir, 'script.py.mako')) &&
      !paths.has(join(dir, 'alembic.ini')) &&
      !paths.has(join(dir, 'versions/__init__.py')) &&
      !(name === 'env.py' && paths.has(join(dir, 'versions')))
    ) {
      return { path, tool: 'django', set: dir, role: 'up', id: name.slice(0, -3), language: 'python' };
    }
    return undefined;
  }

  if (name.endsWith('.rb')) {
    const m = /^(\d+)_\w+\.rb$/.exec(name);
    if (m && /(?:^|\/)db\/[\w-]*migrate$/.test(dir)) {
      return { path, tool: 'rails', set: dir, role: 'up', id: m[1]!, version: m[1]!, language: 'ruby' };
    }
    return undefined;
  }

  if (name.endsWith('.go')) {
    // goose Go migrations: <dir>/<version>_<name>.go registering themselves with goose.AddMigration*.
    // Content confirms (a file that does not import goose has no operations).
    const m = /^(\d+)_\w+\.go$/.exec(name);
    if (m && !name.endsWith('_test.go') && /(?:^|\/)migrations?$/.test(dir)) {
      return { path, tool: 'goose', set: dir, role: 'up', id: m[1]!, version: m[1]!, language: 'go' };
    }
    return undefined;
  }

  if (JS_EXT.test(name) && !name.endsWith('.d.ts') && !/^index\.[cm]?[jt]s$/.test(name)) {
    // Slonik-style alteration scripts (Logto's `alterations/<version>-<timestamp>-<name>.ts`).
    if (parent === 'alterations' && /^\d/.test(name)) {
      return { path, tool: 'slonik', set: dir, role: 'up', id: name.replace(JS_EXT, ''), language: 'js' };
    }
    if (!/(?:^|\/)migrations?$/.test(dir) && !/\/migrations\/[^/]+$/.test(dir)) return undefined;
    if (!/^\d/.test(name)) return undefined;
    const stem = name.replace(JS_EXT, '');
    // By the conventions of each CLI's generator: TypeORM `1680000000000-Name`, Sequelize
    // `20230101120000-name`, Knex `20230101120000_name`. Content confirms in plan.ts.
    const typeorm = /^(\d{13})-/.exec(stem);
    if (typeorm) return { path, tool: 'typeorm', set: dir, role: 'up', id: stem, version: typeorm[1]!, language: 'js' };
    const sequelize = /^(\d{14})-/.exec(stem);
    if (sequelize)
      return { path, tool: 'sequelize', set: dir, role: 'up', id: name, version: sequelize[1]!, language: 'js' };
    const knex = /^(\d+)_/.exec(stem);
    if (knex) return { path, tool: 'knex', set: dir, role: 'up', id: name, version: knex[1]!, language: 'js' };
    return { path, tool: 'js', set: dir, role: 'up', id: name, language: 'js' };
  }
  return undefined;
}

/** A file matched by a configured glob. Down files (`*.down.sql`, `down.sql`) stay down migrations. */
function classifyConfigured(
  path: string,
  name: string,
  dir: string,
  c: ConfiguredLayout,
): MigrationFileInfo | undefined {
  const language: MigrationFileInfo['language'] = /\.py$/.test(name)
    ? 'python'
    : JS_EXT.test(name)
      ? 'js'
      : /\.go$/.test(name)
        ? 'go'
        : /\.rb$/.test(name)
          ? 'ruby'
          : 'sql';
  const down = /(?:^|[._-])down\.sql(?:\.\w+)?$/i.test(name) || /^U\d/.test(name);
  const version = leadingDigits(name);
  return {
    path,
    tool: c.tool,
    set: dir,
    role: down ? 'down' : 'up',
    id: name,
    ...(version ? { version } : {}),
    language,
    ...(c.dialect ? { dialect: c.dialect } : {}),
  };
}

function classifySql(
  path: string,
  name: string,
  dir: string,
  parent: string,
  grand: string,
  paths: PathSet,
): MigrationFileInfo | undefined {
  if (NOT_MIGRATION_FILES.test(name)) return undefined;
  // Folder per migration: Prisma `<dir>/<ts>_<name>/migration.sql`, Drizzle v1 `<ts>_<name>/migration.sql`
  // with a snapshot.json beside it, diesel `<ts>_<name>/{up,down}.sql`.
  if (name === 'migration.sql') {
    if (paths.has(join(dir, 'snapshot.json'))) {
      return {
        path,
        tool: 'drizzle',
        set: grand,
        role: 'up',
        id: parent,
        version: leadingDigits(parent),
        language: 'sql',
      };
    }
    if (paths.has(join(grand, 'migration_lock.toml')) || /^\d+_/.test(parent)) {
      return {
        path,
        tool: 'prisma',
        set: grand,
        role: 'up',
        id: parent,
        version: leadingDigits(parent),
        language: 'sql',
      };
    }
  }
  if ((name === 'up.sql' || name === 'down.sql') && /^[\d-]+_/.test(parent)) {
    // Diesel versions are the timestamp before the first `_`, written with dashes (2024-01-01-000000).
    const version = parent.slice(0, parent.indexOf('_')).replace(/-/g, '');
    return {
      path,
      tool: 'diesel',
      set: grand,
      role: name === 'up.sql' ? 'up' : 'down',
      id: parent,
      version,
      language: 'sql',
    };
  }
  // Atlas: any .sql file in a directory with atlas.sum.
  if (paths.has(join(dir, 'atlas.sum'))) {
    return { path, tool: 'atlas', set: dir, role: 'up', id: name, version: atlasVersion(name), language: 'sql' };
  }
  // Drizzle (drizzle-kit ≤ 0.x): <out>/NNNN_<tag>.sql with <out>/meta/_journal.json.
  if (paths.has(join(dir, 'meta/_journal.json'))) {
    return {
      path,
      tool: 'drizzle',
      set: dir,
      role: 'up',
      id: name.slice(0, -4),
      version: leadingDigits(name),
      language: 'sql',
    };
  }
  // Flyway: V<version>__<desc>.sql, U<version>__ (undo), R__ (repeatable).
  const flyway = /^([VUR])(\d+(?:[._]\d+)*)?__.+\.sql$/.exec(name);
  if (flyway && (flyway[1] === 'R' || flyway[2])) {
    const role: MigrationRole = flyway[1] === 'V' ? 'up' : flyway[1] === 'U' ? 'down' : 'repeatable';
    return {
      path,
      tool: 'flyway',
      set: dir,
      role,
      id: flyway[2] ?? name,
      ...(flyway[2] ? { version: flyway[2].replace(/_/g, '.') } : {}),
      language: 'sql',
    };
  }
  // golang-migrate (also sqlx reversible, dbmate-free): <version>_<title>.up.sql / .down.sql
  const gm = /^(\d+)_.*\.(up|down)\.sql$/.exec(name);
  if (gm) {
    return {
      path,
      tool: 'golang-migrate',
      set: dir,
      role: gm[2] === 'up' ? 'up' : 'down',
      id: gm[1]!,
      version: gm[1]!,
      language: 'sql',
    };
  }
  if (/\.down\.sql$|(?:^|[_.-])down\.sql$/i.test(name)) return undefined;
  // Plain SQL migration directories (goose, dbmate, supabase, hand-rolled runners).
  if (/(?:^|\/)(?:migrations?|migrate|db\/migrations?)(?:\/|$)/.test(dir + '/')) {
    return {
      path,
      tool: 'sql',
      set: dir,
      role: 'up',
      id: name,
      ...(leadingDigits(name) ? { version: leadingDigits(name)! } : {}),
      language: 'sql',
    };
  }
  return undefined;
}

/**
 * A plain SQL migration whose text names its runner: goose's `-- +goose Up` section marker makes it a goose
 * migration, recorded by version (its title may change). Other files are returned as they are.
 */
export function refineByContent(info: MigrationFileInfo, text: string): MigrationFileInfo {
  if (info.tool !== 'sql' || info.version === undefined) return info;
  if (/^[ \t]*--[ \t]*\+goose[ \t]+up\b/im.test(text)) return { ...info, tool: 'goose' };
  return info;
}

function leadingDigits(s: string): string | undefined {
  const m = /^(\d+)/.exec(s);
  return m ? m[1] : undefined;
}

/** Atlas versions are the part before the first `_` (e.g. `20220318104614_team_A.sql` → `20220318104614`). */
function atlasVersion(name: string): string {
  const stem = name.slice(0, -4);
  const i = stem.indexOf('_');
  return i === -1 ? stem : stem.slice(0, i);
}

/** How a tool wraps each file, before the file's own markers (`atlas:txmode`, `atomic = False`…) refine it. */
export function defaultTransactionMode(tool: MigrationTool): TransactionMode {
  switch (tool) {
    case 'prisma':
    case 'golang-migrate':
    case 'flyway':
      return 'implicit-multi';
    case 'drizzle':
    case 'atlas':
    case 'diesel':
    case 'django':
    case 'alembic':
    case 'rails':
    case 'knex':
    case 'typeorm':
    case 'kysely':
      return 'always';
    // db-migrate wraps each migration in BEGIN/COMMIT on PostgreSQL unless run with --non-transactional;
    // goose wraps SQL and Go migrations unless they say NO TRANSACTION / register a non-tx function.
    case 'db-migrate':
    case 'goose':
      return 'always';
    case 'sequelize':
    case 'sql':
    case 'slonik':
    case 'js':
      return 'explicit';
  }
}

/** Human name of a tool, for messages. */
export function toolName(tool: MigrationTool): string {
  switch (tool) {
    case 'prisma':
      return 'Prisma Migrate';
    case 'drizzle':
      return 'drizzle-kit';
    case 'atlas':
      return 'Atlas';
    case 'flyway':
      return 'Flyway';
    case 'golang-migrate':
      return 'golang-migrate';
    case 'diesel':
      return 'Diesel';
    case 'sql':
      return 'the SQL migration runner';
    case 'django':
      return 'Django';
    case 'alembic':
      return 'Alembic';
    case 'rails':
      return 'Rails';
    case 'knex':
      return 'Knex';
    case 'typeorm':
      return 'TypeORM';
    case 'sequelize':
      return 'Sequelize';
    case 'db-migrate':
      return 'db-migrate';
    case 'kysely':
      return 'Kysely';
    case 'slonik':
      return 'the alteration runner';
    case 'goose':
      return 'goose';
    case 'js':
      return 'the migration runner';
  }
}

/** Globs that can hold migration files (a superset; `classifyMigrationPath` decides). For `files` of file rules. */
export const MIGRATION_GLOBS: readonly string[] = [
  '**/*.sql',
  '**/migrations/*.py',
  '**/versions/*.py',
  '**/migrations/*.{js,ts,mjs,cjs,mts,cts}',
  '**/migration/*.{js,ts,mjs,cjs,mts,cts}',
  '**/migrations/*/*.{js,ts,mjs,cjs,mts,cts}',
  '**/alterations/*.{js,ts,mjs,cjs,mts,cts}',
  '**/migrations/*.go',
  '**/migration/*.go',
  // Layouts only the config names (`gates.migrations.paths`): Synapse's `*.sql.postgres`, and code in
  // directories of any name. classifyMigrationPath decides from the path alone, before any parsing.
  '**/*.sql.*',
  '**/*.{py,js,ts,mjs,cjs,mts,cts,go}',
];

/** Markers that mean "this repository manages a database schema" (for `applies()`). */
export function isSchemaMarkerPath(path: string): boolean {
  const name = baseName(path);
  return (
    name.endsWith('.prisma') ||
    name === 'migration_lock.toml' ||
    name === 'atlas.sum' ||
    name === '_journal.json' ||
    /^drizzle\.config\.[cm]?[jt]s$/.test(name) ||
    name === 'alembic.ini' ||
    name === 'ormconfig.json' ||
    name === '.sequelizerc' ||
    name === 'schema.rb' ||
    name === 'structure.sql'
  );
}

/**
 * Numeric-aware comparison of two migration ids of one set, the way the tools order them: Flyway by
 * dotted version, everything else by name (which for timestamped names is chronological).
 */
export function compareMigrationIds(a: MigrationFileInfo, b: MigrationFileInfo): number {
  if (a.tool === 'flyway' && a.version && b.version) {
    const pa = a.version.split('.').map(Number);
    const pb = b.version.split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const d = (pa[i] ?? 0) - (pb[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }
  if (
    (a.tool === 'golang-migrate' || a.tool === 'goose' || a.tool === 'rails' || a.tool === 'typeorm') &&
    a.version &&
    b.version
  ) {
    const d = BigInt(a.version) - BigInt(b.version);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The options that shape layouts (a subset of MigrationsOptions, so layout.ts stays free of zod). */
export interface LayoutOptions {
  paths: ReadonlyArray<{
    glob: string | string[];
    tool: MigrationTool;
    dialect?: 'postgresql' | 'mysql' | 'sqlite' | undefined;
  }>;
}

/** Normalises `a/./b/../c` and a leading `./` (paths in alembic.ini are relative to its directory). */
function normalisePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/**
 * The `versions` directories an `alembic.ini` names: `script_location` (+ `/versions`) and
 * `version_locations`, with `%(here)s` and relative paths resolved against the ini's directory. A
 * `package:dir` location is read as the directory `package/dir`.
 */
export function alembicVersionDirs(iniPath: string, text: string): string[] {
  const here = dirOf(iniPath);
  const resolve = (value: string) => {
    const v = value
      .trim()
      .replace(/%\(here\)s\/?/g, '')
      .replace(/^([\w.]+):/, (_m, pkg: string) => `${pkg.replace(/\./g, '/')}/`);
    return normalisePath(join(here, v));
  };
  const out: string[] = [];
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'alembic') continue;
    const kv = /^(script_location|version_locations)\s*[=:]\s*(.+)$/.exec(line);
    if (!kv) continue;
    if (kv[1] === 'script_location') out.push(join(resolve(kv[2]!), 'versions'));
    else for (const loc of kv[2]!.split(/[\s,;]+/).filter(Boolean)) out.push(resolve(loc));
  }
  return out;
}

/** The layouts of a snapshot beyond the conventions: the config's `paths` and the alembic.ini files given. */
export function extraLayouts(
  options: LayoutOptions | undefined,
  alembicInis: ReadonlyArray<{ path: string; text: string }>,
): ExtraLayouts {
  const configured: ConfiguredLayout[] = (options?.paths ?? []).flatMap((p) => {
    const globs = Array.isArray(p.glob) ? p.glob : [p.glob];
    return globs.map((glob) => {
      const match = picomatch(glob, { dot: true });
      return { glob, match: (path: string) => match(path), tool: p.tool, ...(p.dialect ? { dialect: p.dialect } : {}) };
    });
  });
  return { alembicVersionDirs: new Set(alembicInis.flatMap((i) => alembicVersionDirs(i.path, i.text))), configured };
}
