import { describe, expect, it } from 'vitest';
import {
  alembicVersionDirs,
  classifyMigrationPath,
  compareMigrationIds,
  defaultTransactionMode,
  extraLayouts,
  isNeverMigrationPath,
  type MigrationFileInfo,
} from '../../../src/gates/migrations/layout.js';

const paths = new Set([
  'prisma/migrations/migration_lock.toml',
  'drizzle/meta/_journal.json',
  'db/atlas/atlas.sum',
  'alembic/env.py',
  'migrations/env.py',
  'drizzle2/20250101000000_init/snapshot.json',
]);
const classify = (p: string) => classifyMigrationPath(p, paths);
const pick = (i: MigrationFileInfo | undefined) =>
  i && { tool: i.tool, set: i.set, role: i.role, id: i.id, version: i.version };

describe('classifyMigrationPath', () => {
  it.each([
    [
      'prisma/migrations/20240101000000_init/migration.sql',
      { tool: 'prisma', set: 'prisma/migrations', role: 'up', id: '20240101000000_init', version: '20240101000000' },
    ],
    [
      'packages/db/prisma/migrations/0_init/migration.sql',
      { tool: 'prisma', set: 'packages/db/prisma/migrations', role: 'up', id: '0_init', version: '0' },
    ],
    [
      'drizzle/0003_brave_hulk.sql',
      { tool: 'drizzle', set: 'drizzle', role: 'up', id: '0003_brave_hulk', version: '0003' },
    ],
    [
      'drizzle2/20250101000000_init/migration.sql',
      { tool: 'drizzle', set: 'drizzle2', role: 'up', id: '20250101000000_init', version: '20250101000000' },
    ],
    [
      'db/atlas/20240101000000_init.sql',
      { tool: 'atlas', set: 'db/atlas', role: 'up', id: '20240101000000_init.sql', version: '20240101000000' },
    ],
    [
      'src/main/resources/db/migration/V2_1__add_index.sql',
      { tool: 'flyway', set: 'src/main/resources/db/migration', role: 'up', id: '2_1', version: '2.1' },
    ],
    [
      'src/main/resources/db/migration/U2__undo.sql',
      { tool: 'flyway', set: 'src/main/resources/db/migration', role: 'down', id: '2', version: '2' },
    ],
    [
      'src/main/resources/db/migration/R__views.sql',
      {
        tool: 'flyway',
        set: 'src/main/resources/db/migration',
        role: 'repeatable',
        id: 'R__views.sql',
        version: undefined,
      },
    ],
    [
      'db/migrations/000002_add_plan.up.sql',
      { tool: 'golang-migrate', set: 'db/migrations', role: 'up', id: '000002', version: '000002' },
    ],
    [
      'db/migrations/000002_add_plan.down.sql',
      { tool: 'golang-migrate', set: 'db/migrations', role: 'down', id: '000002', version: '000002' },
    ],
    [
      'migrations/2024-01-01-000000_create_posts/up.sql',
      {
        tool: 'diesel',
        set: 'migrations',
        role: 'up',
        id: '2024-01-01-000000_create_posts',
        version: '20240101000000',
      },
    ],
    [
      'migrations/2024-01-01-000000_create_posts/down.sql',
      {
        tool: 'diesel',
        set: 'migrations',
        role: 'down',
        id: '2024-01-01-000000_create_posts',
        version: '20240101000000',
      },
    ],
    [
      'supabase/migrations/20240101000000_init.sql',
      { tool: 'sql', set: 'supabase/migrations', role: 'up', id: '20240101000000_init.sql', version: '20240101000000' },
    ],
    [
      'shop/migrations/0002_order_gift.py',
      { tool: 'django', set: 'shop/migrations', role: 'up', id: '0002_order_gift', version: '0002' },
    ],
    [
      'alembic/versions/1a2b3c4d5e6f_create_users.py',
      { tool: 'alembic', set: 'alembic/versions', role: 'up', id: '1a2b3c4d5e6f_create_users', version: undefined },
    ],
    [
      'migrations/versions/abc123_flask_migrate.py',
      { tool: 'alembic', set: 'migrations/versions', role: 'up', id: 'abc123_flask_migrate', version: undefined },
    ],
    [
      'db/migrate/20240101000000_create_users.rb',
      { tool: 'rails', set: 'db/migrate', role: 'up', id: '20240101000000', version: '20240101000000' },
    ],
    [
      'migrations/20240101000000_create_users.js',
      { tool: 'knex', set: 'migrations', role: 'up', id: '20240101000000_create_users.js', version: '20240101000000' },
    ],
    [
      'migrations/20240101000000-create-users.js',
      {
        tool: 'sequelize',
        set: 'migrations',
        role: 'up',
        id: '20240101000000-create-users.js',
        version: '20240101000000',
      },
    ],
    [
      'src/migrations/1700000000000-Init.ts',
      { tool: 'typeorm', set: 'src/migrations', role: 'up', id: '1700000000000-Init', version: '1700000000000' },
    ],
  ])('%s', (path, expected) => {
    expect(pick(classify(path))).toEqual(expected);
  });

  it.each([
    'db/structure.sql',
    'prisma/migrations/schema.sql',
    'db/seeds/001_demo.sql',
    'test/fixtures/migrations/0001_initial.py',
    'tests/db/migrations/001_x.sql',
    'node_modules/pkg/migrations/20240101000000_x.js',
    'shop/migrations/__init__.py',
    'shop/migrations/helpers.py',
    'src/migrations/index.ts',
    'src/migrations/types.d.ts',
    'db/queries/report.sql',
    'alembic/env.py',
    'app/models.py',
  ])('%s is not a migration', (path) => {
    expect(classify(path)).toBeUndefined();
  });

  it('says which directories never hold production migrations', () => {
    expect(isNeverMigrationPath('db/seeders/20240101-demo.js')).toBe(true);
    expect(isNeverMigrationPath('db/migrations/001.sql')).toBe(false);
  });
});

describe('transaction behaviour and order', () => {
  it('knows how each tool wraps a file', () => {
    expect(defaultTransactionMode('prisma')).toBe('implicit-multi');
    expect(defaultTransactionMode('golang-migrate')).toBe('implicit-multi');
    expect(defaultTransactionMode('drizzle')).toBe('always');
    expect(defaultTransactionMode('django')).toBe('always');
    expect(defaultTransactionMode('sequelize')).toBe('explicit');
    expect(defaultTransactionMode('sql')).toBe('explicit');
  });

  it('orders Flyway versions numerically and timestamps as numbers', () => {
    const fw = (v: string) => classify(`db/migration/V${v}__x.sql`)!;
    expect(compareMigrationIds(fw('1.10'), fw('1.9'))).toBeGreaterThan(0);
    expect(compareMigrationIds(fw('2'), fw('10'))).toBeLessThan(0);
    const gm = (v: string) => classify(`db/migrations/${v}_x.up.sql`)!;
    expect(compareMigrationIds(gm('9'), gm('10'))).toBeLessThan(0);
    const pr = (v: string) => classify(`prisma/migrations/${v}/migration.sql`)!;
    expect(compareMigrationIds(pr('20240101000000_a'), pr('20240102000000_b'))).toBeLessThan(0);
  });
});

describe('layouts from issue 14', () => {
  it('takes an unnumbered module of a Django migrations package as a migration, not a Flask-Migrate env.py', () => {
    const p = new Set([
      'saleor/checkout/migrations/__init__.py',
      'flask/migrations/__init__.py',
      'flask/migrations/script.py.mako',
    ]);
    expect(pick(classifyMigrationPath('saleor/checkout/migrations/fix_empty_data_in_lines.py', p))).toEqual({
      tool: 'django',
      set: 'saleor/checkout/migrations',
      role: 'up',
      id: 'fix_empty_data_in_lines',
      version: undefined,
    });
    expect(classifyMigrationPath('saleor/checkout/migrations/tasks/saleor3_20.py', p)).toBeUndefined();
    expect(classifyMigrationPath('flask/migrations/env.py', p)).toBeUndefined();
    expect(classifyMigrationPath('other/migrations/helpers.py', p)).toBeUndefined();
  });

  it('finds the Alembic directory named by alembic.ini script_location (no env.py)', () => {
    const extra = extraLayouts(undefined, [
      { path: 'services/api/alembic.ini', text: '[alembic]\nscript_location = %(here)s/db/migrations\n' },
    ]);
    expect(classifyMigrationPath('services/api/db/migrations/versions/4f2a_create.py', new Set(), extra)?.tool).toBe(
      'alembic',
    );
    expect(
      alembicVersionDirs(
        'alembic.ini',
        '[alembic]\nscript_location = myapp:migrations\nversion_locations = %(here)s/extra/versions\n',
      ),
    ).toEqual(['myapp/migrations/versions', 'extra/versions']);
  });

  it('classifies goose Go migrations, slonik alteration scripts and configured globs', () => {
    expect(pick(classify('db/migrations/20240301000000_backfill.go'))).toEqual({
      tool: 'goose',
      set: 'db/migrations',
      role: 'up',
      id: '20240301000000',
      version: '20240301000000',
    });
    expect(classify('packages/schemas/alterations/1.11.0-1710000000-sso.ts')?.tool).toBe('slonik');
    const extra = extraLayouts(
      { paths: [{ glob: 'synapse/storage/schema/**/delta/**/*.sql.postgres', tool: 'sql', dialect: 'postgresql' }] },
      [],
    );
    expect(
      classifyMigrationPath('synapse/storage/schema/main/delta/85/02_x.sql.postgres', new Set(), extra),
    ).toMatchObject({ tool: 'sql', dialect: 'postgresql', role: 'up' });
    expect(classifyMigrationPath('synapse/storage/schema/main/delta/85/02_x.sql.postgres', new Set())).toBeUndefined();
  });
});
