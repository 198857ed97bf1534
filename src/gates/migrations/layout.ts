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
  language: 'sql' | 'python' | 'js' | 'ruby';
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

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

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
export function classifyMigrationPath(path: string, paths: PathSet): MigrationFileInfo | undefined {
  if (isNeverMigrationPath(path)) return undefined;
  const name = baseName(path);
  const dir = dirOf(path);
  const parent = baseName(dir);
  const grand = dirOf(dir);

  if (name.endsWith('.sql')) return classifySql(path, name, dir, parent, grand, paths);

  if (name.endsWith('.py')) {
    if (name === '__init__.py' || !/^[A-Za-z0-9_]+\.py$/.test(name)) return undefined;
    // Alembic / Flask-Migrate: <script_location>/versions/*.py beside env.py.
    if (parent === 'versions' && (paths.has(join(grand, 'env.py')) || paths.has(join(grand, 'script.py.mako')) || baseName(grand) === 'alembic')) {
      return { path, tool: 'alembic', set: dir, role: 'up', id: name.slice(0, -3), language: 'python' };
    }
    // Django: <app>/migrations/NNNN_name.py
    if (parent === 'migrations' && /^\d{4}_\w*\.py$/.test(name)) {
      return { path, tool: 'django', set: dir, role: 'up', id: name.slice(0, -3), version: name.slice(0, 4), language: 'python' };
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

  if (JS_EXT.test(name) && !name.endsWith('.d.ts') && !/^index\.[cm]?[jt]s$/.test(name)) {
    if (!/(?:^|\/)migrations?$/.test(dir) && !/\/migrations\/[^/]+$/.test(dir)) return undefined;
    if (!/^\d/.test(name)) return undefined;
    const stem = name.replace(JS_EXT, '');
    // By the conventions of each CLI's generator: TypeORM `1680000000000-Name`, Sequelize
    // `20230101120000-name`, Knex `20230101120000_name`. Content confirms in plan.ts.
    const typeorm = /^(\d{13})-/.exec(stem);
    if (typeorm) return { path, tool: 'typeorm', set: dir, role: 'up', id: stem, version: typeorm[1]!, language: 'js' };
    const sequelize = /^(\d{14})-/.exec(stem);
    if (sequelize) return { path, tool: 'sequelize', set: dir, role: 'up', id: name, version: sequelize[1]!, language: 'js' };
    const knex = /^(\d+)_/.exec(stem);
    if (knex) return { path, tool: 'knex', set: dir, role: 'up', id: name, version: knex[1]!, language: 'js' };
    return { path, tool: 'js', set: dir, role: 'up', id: name, language: 'js' };
  }
  return undefined;
}

function classifySql(path: string, name: string, dir: string, parent: string, grand: string, paths: PathSet): MigrationFileInfo | undefined {
  if (NOT_MIGRATION_FILES.test(name)) return undefined;
  // Folder per migration: Prisma `<dir>/<ts>_<name>/migration.sql`, Drizzle v1 `<ts>_<name>/migration.sql`
  // with a snapshot.json beside it, diesel `<ts>_<name>/{up,down}.sql`.
  if (name === 'migration.sql') {
    if (paths.has(join(dir, 'snapshot.json'))) {
      return { path, tool: 'drizzle', set: grand, role: 'up', id: parent, version: leadingDigits(parent), language: 'sql' };
    }
    if (paths.has(join(grand, 'migration_lock.toml')) || /^\d+_/.test(parent)) {
      return { path, tool: 'prisma', set: grand, role: 'up', id: parent, version: leadingDigits(parent), language: 'sql' };
    }
  }
  if ((name === 'up.sql' || name === 'down.sql') && /^[\d-]+_/.test(parent)) {
    // Diesel versions are the timestamp before the first `_`, written with dashes (2024-01-01-000000).
    const version = parent.slice(0, parent.indexOf('_')).replace(/-/g, '');
    return { path, tool: 'diesel', set: grand, role: name === 'up.sql' ? 'up' : 'down', id: parent, version, language: 'sql' };
  }
  // Atlas: any .sql file in a directory with atlas.sum.
  if (paths.has(join(dir, 'atlas.sum'))) {
    return { path, tool: 'atlas', set: dir, role: 'up', id: name, version: atlasVersion(name), language: 'sql' };
  }
  // Drizzle (drizzle-kit ≤ 0.x): <out>/NNNN_<tag>.sql with <out>/meta/_journal.json.
  if (paths.has(join(dir, 'meta/_journal.json'))) {
    return { path, tool: 'drizzle', set: dir, role: 'up', id: name.slice(0, -4), version: leadingDigits(name), language: 'sql' };
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
    return { path, tool: 'golang-migrate', set: dir, role: gm[2] === 'up' ? 'up' : 'down', id: gm[1]!, version: gm[1]!, language: 'sql' };
  }
  if (/\.down\.sql$|(?:^|[_.-])down\.sql$/i.test(name)) return undefined;
  // Plain SQL migration directories (goose, dbmate, supabase, hand-rolled runners).
  if (/(?:^|\/)(?:migrations?|migrate|db\/migrations?)(?:\/|$)/.test(dir + '/')) {
    return { path, tool: 'sql', set: dir, role: 'up', id: name, ...(leadingDigits(name) ? { version: leadingDigits(name)! } : {}), language: 'sql' };
  }
  return undefined;
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
      return 'always';
    case 'sequelize':
    case 'sql':
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
  if ((a.tool === 'golang-migrate' || a.tool === 'rails' || a.tool === 'typeorm') && a.version && b.version) {
    const d = BigInt(a.version) - BigInt(b.version);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
