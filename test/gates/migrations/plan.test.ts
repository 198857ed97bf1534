import { describe, expect, it } from 'vitest';
import { classifyMigrationPath } from '../../../src/gates/migrations/layout.js';
import type { Op } from '../../../src/gates/migrations/ops.js';
import { planOf, sqlDefaultKind } from '../../../src/gates/migrations/plan.js';
import { classifyDefault, typeName } from '../../../src/gates/migrations/sql-ops.js';
import { source } from './helpers.js';

const siblings = new Set(['prisma/migrations/migration_lock.toml', 'db/atlas/atlas.sum', 'alembic/env.py']);

async function ops(path: string, text: string): Promise<Op[]> {
  const info = classifyMigrationPath(path, siblings);
  if (!info) throw new Error(`${path} is not a migration`);
  return planOf(await source(path, text), info).ops;
}

/** kind(table…) and whether it runs in a transaction, for compact expectations. */
const brief = (list: Op[]) =>
  list.map(
    (o) =>
      `${o.kind}${'table' in o ? `:${o.table}` : ''}${'column' in o && typeof o.column === 'string' ? `.${o.column}` : ''}${o.inTransaction ? ' [tx]' : ''}`,
  );

describe('SQL statements → operations', () => {
  it('splits ALTER TABLE into one operation per command, with the statement line', async () => {
    const list = await ops(
      'db/migrations/000002_x.up.sql',
      'ALTER TABLE "Order"\n  DROP COLUMN "note",\n  ADD COLUMN "code" TEXT NOT NULL DEFAULT \'x\',\n  ALTER COLUMN "total" SET DATA TYPE DECIMAL(12,2),\n  ALTER COLUMN "code" SET NOT NULL;\nALTER TABLE public.users RENAME TO people;\n',
    );
    expect(brief(list)).toEqual([
      'drop-column:Order.note [tx]',
      'add-column:Order [tx]',
      'alter-column-type:Order.total [tx]',
      'set-not-null:Order.code [tx]',
      'rename-table:users [tx]',
    ]);
    expect(list.slice(0, 4).every((o) => o.line === 1 && o.endLine === 5)).toBe(true);
    expect(list[4]!.line).toBe(6);
  });

  it('normalises types and classifies defaults by volatility', () => {
    expect(
      typeName({
        names: [{ String: { sval: 'pg_catalog' } }, { String: { sval: 'varchar' } }],
        typmods: [{ A_Const: { ival: { ival: 20 } } }],
      }),
    ).toBe('varchar(20)');
    expect(classifyDefault({ FuncCall: { funcname: [{ String: { sval: 'gen_random_uuid' } }] } })).toEqual({
      kind: 'volatile',
      fn: 'gen_random_uuid',
    });
    expect(sqlDefaultKind('now()')).toEqual({ kind: 'constant' });
    expect(sqlDefaultKind('CURRENT_TIMESTAMP')).toEqual({ kind: 'constant' });
    expect(sqlDefaultKind("'{}'::jsonb")).toEqual({ kind: 'constant' });
    expect(sqlDefaultKind('clock_timestamp()')).toEqual({ kind: 'volatile', fn: 'clock_timestamp' });
    expect(sqlDefaultKind('my_func()')).toEqual({ kind: 'unknown-function', fn: 'my_func' });
  });

  it('treats serial types as a volatile nextval default', async () => {
    const [op] = await ops('db/migrations/000002_x.up.sql', 'ALTER TABLE t ADD COLUMN n bigserial;\n');
    expect(op).toMatchObject({
      kind: 'add-column',
      column: { type: 'int8', identity: true, default: 'volatile', defaultFunction: 'nextval' },
    });
  });
});

describe('transactions', () => {
  it('Prisma: one statement runs alone, several run as one implicit transaction', async () => {
    expect(brief(await ops('prisma/migrations/1_a/migration.sql', 'CREATE INDEX CONCURRENTLY i ON t (a);\n'))).toEqual([
      'create-index:t',
    ]);
    expect(
      brief(
        await ops(
          'prisma/migrations/2_b/migration.sql',
          'ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY i ON t (b);\n',
        ),
      ),
    ).toEqual(['add-column:t [tx]', 'create-index:t [tx]']);
  });

  it('plain SQL: only between BEGIN and COMMIT', async () => {
    const list = await ops(
      'supabase/migrations/20240101000000_x.sql',
      'CREATE INDEX CONCURRENTLY i ON t (a);\nBEGIN;\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;\nDROP INDEX CONCURRENTLY j;\n',
    );
    expect(brief(list)).toEqual([
      'create-index:t',
      'transaction [tx]',
      'add-column:t [tx]',
      'transaction',
      'drop-index',
    ]);
    expect(list[1]!.transaction).toBe(list[2]!.transaction);
  });

  it('honours atlas:txmode none, goose and dbmate markers, and skips their down sections', async () => {
    expect(
      brief(await ops('db/atlas/1_x.sql', '-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (a);\n')),
    ).toEqual(['create-index:t']);
    expect(brief(await ops('db/atlas/2_y.sql', 'ALTER TABLE t ADD COLUMN a int;\n'))).toEqual(['add-column:t [tx]']);
    const goose = await ops(
      'migrations/20240101000000_x.sql',
      '-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP TABLE t;\n',
    );
    expect(brief(goose)).toEqual(['create-index:t']);
    const dbmate = await ops(
      'db/migrations/20240101000000_x.sql',
      '-- migrate:up\nALTER TABLE t DROP COLUMN a;\n\n-- migrate:down\nALTER TABLE t ADD COLUMN a int;\n',
    );
    expect(brief(dbmate)).toEqual(['drop-column:t.a']);
  });
});

describe('code migrations → operations', () => {
  it('Django: operations, FK/index side effects, atomic = False, SeparateDatabaseAndState', async () => {
    const list = await ops(
      'shop/migrations/0002_x.py',
      [
        'from django.contrib.postgres.operations import AddIndexConcurrently',
        'from django.db import migrations, models',
        '',
        'class Migration(migrations.Migration):',
        '    atomic = False',
        '    dependencies = [("shop", "0001_initial")]',
        '    operations = [',
        '        migrations.AddField("order", "customer", models.ForeignKey(on_delete=models.CASCADE, to="auth.user", null=True)),',
        '        migrations.RemoveField(model_name="order", name="note"),',
        '        migrations.RenameModel("Order", "Purchase"),',
        '        AddIndexConcurrently("purchase", models.Index(fields=["ref"], name="p_ref")),',
        '        migrations.RunSQL("UPDATE shop_purchase SET ref = \'x\' WHERE ref IS NULL", migrations.RunSQL.noop),',
        '        migrations.SeparateDatabaseAndState(database_operations=[migrations.RemoveField("purchase", "legacy")]),',
        '        migrations.RunPython(forwards, backwards),',
        '    ]',
      ].join('\n'),
    );
    expect(brief(list)).toEqual([
      'add-column:shop_order',
      'add-constraint:shop_order',
      'create-index:shop_order',
      'drop-column:shop_order.note',
      'rename-table:shop_order',
      'create-index:shop_purchase',
      'dml:shop_purchase',
      'drop-column:shop_purchase.legacy',
      'code-backfill',
    ]);
    expect(list.find((o) => o.kind === 'add-column')).toMatchObject({
      column: { name: 'customer_id', notNull: false },
    });
    expect(list.at(-2)!.contractStep).toBe(true);
    expect(list.find((o) => o.kind === 'dml')!.line).toBe(12);
  });

  it('Alembic: upgrade() only, batch tables, autocommit blocks, op.execute', async () => {
    const list = await ops(
      'alembic/versions/a1_x.py',
      [
        'import sqlalchemy as sa',
        'from alembic import op',
        'revision = "a1"',
        'down_revision = None',
        '',
        'def upgrade():',
        '    op.add_column("users", sa.Column("token", sa.UUID(), nullable=False, server_default=sa.text("gen_random_uuid()")))',
        '    with op.batch_alter_table("users") as batch_op:',
        '        batch_op.alter_column("nick", existing_type=sa.String(length=20), type_=sa.String(length=40), nullable=False)',
        '    with op.get_context().autocommit_block():',
        '        op.create_index("ix", "users", ["email"], postgresql_concurrently=True)',
        '    op.execute("ALTER TABLE users DROP COLUMN legacy")',
        '',
        'def downgrade():',
        '    op.drop_table("users")',
      ].join('\n'),
    );
    expect(brief(list)).toEqual([
      'add-column:users [tx]',
      'alter-column-type:users.nick [tx]',
      'set-not-null:users.nick [tx]',
      'create-index:users',
      'drop-column:users.legacy [tx]',
    ]);
    expect(list[0]).toMatchObject({
      column: { default: 'volatile', defaultFunction: 'gen_random_uuid', notNull: true },
    });
    expect(list[1]).toMatchObject({ type: 'varchar(40)', fromType: 'varchar(20)' });
  });

  it('Knex: schema builder in up() only, config.transaction, raw SQL and data updates', async () => {
    const list = await ops(
      'migrations/20240101000000_x.js',
      [
        'exports.config = { transaction: false };',
        'exports.up = async function (knex) {',
        "  await knex.schema.createTable('tags', (t) => { t.bigIncrements('id'); t.string('name').notNullable(); });",
        "  await knex.schema.alterTable('users', (t) => {",
        "    t.string('nick', 40).notNullable().alter();",
        "    t.integer('score').notNullable().defaultTo(0).index();",
        "    t.dropColumn('legacy');",
        '  });',
        "  await knex('users').update({ score: 1 });",
        "  await knex.raw('CREATE INDEX CONCURRENTLY users_nick ON users (nick)');",
        '};',
        "exports.down = (knex) => knex.schema.dropTable('tags');",
      ].join('\n'),
    );
    expect(brief(list)).toEqual([
      'create-table:tags',
      'alter-column-type:users.nick',
      'set-not-null:users.nick',
      'add-column:users',
      'create-index:users',
      'drop-column:users.legacy',
      'dml:users',
      'create-index:users',
    ]);
    expect(list[0]).toMatchObject({
      columns: [
        { name: 'id', primaryKey: true },
        { name: 'name', type: 'varchar(255)', notNull: true },
      ],
    });
  });

  it('TypeORM and Sequelize: query strings and the runner/interface API', async () => {
    const typeorm = await ops(
      'src/migrations/1700000000000-X.ts',
      [
        "import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';",
        'export class X1700000000000 implements MigrationInterface {',
        '  public async up(queryRunner: QueryRunner): Promise<void> {',
        '    await queryRunner.query(`ALTER TABLE "user" RENAME COLUMN "nick" TO "handle"`);',
        "    await queryRunner.addColumn('user', new TableColumn({ name: 'age', type: 'int', isNullable: false }));",
        '  }',
        '  public async down(queryRunner: QueryRunner): Promise<void> {',
        '    await queryRunner.query(`DROP TABLE "user"`);',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(brief(typeorm)).toEqual(['rename-column:user.nick [tx]', 'add-column:user [tx]']);
    expect(typeorm[1]).toMatchObject({ column: { name: 'age', notNull: true, default: 'none' } });
    const sequelize = await ops(
      'migrations/20240101000000-x.js',
      [
        'module.exports = {',
        '  async up(queryInterface, Sequelize) {',
        "    await queryInterface.addIndex('Users', ['email'], { concurrently: true, unique: true });",
        "    await queryInterface.changeColumn('Users', 'name', { type: Sequelize.STRING(40), allowNull: false });",
        '  },',
        "  async down(queryInterface) { await queryInterface.removeColumn('Users', 'x'); },",
        '};',
      ].join('\n'),
    );
    expect(brief(sequelize)).toEqual(['create-index:Users', 'alter-column-type:Users.name', 'set-not-null:Users.name']);
    expect(sequelize[0]).toMatchObject({ concurrent: true, unique: true });
  });
});

describe('runners seen since issue 14', () => {
  it('db-migrate: runSql and the builder, not Sequelize, whatever the file name says', async () => {
    const list = await ops(
      'src/migrations/20240301120000-flags.js',
      [
        'exports.up = function (db, cb) {',
        '  db.runSql(`CREATE INDEX flags_name_idx ON features (name);`, cb);',
        "  db.addColumn('features', 'stale', { type: 'boolean', notNull: true, defaultValue: false });",
        "  db.removeColumn('features', 'legacy');",
        '};',
        'exports.down = function (db, cb) { db.runSql(`DROP INDEX flags_name_idx`, cb); };',
      ].join('\n'),
    );
    expect(brief(list)).toEqual([
      'create-index:features [tx]',
      'add-column:features [tx]',
      'drop-column:features.legacy [tx]',
    ]);
  });

  it('goose Go: the SQL of the registered up function; NoTx runs outside a transaction', async () => {
    const go = (register: string) =>
      [
        'package migrations',
        'import ("context"; "database/sql"; "github.com/pressly/goose/v3")',
        `func init() { goose.${register}(up00002, down00002) }`,
        'func up00002(ctx context.Context, db *sql.DB) error {',
        '\t_, err := db.ExecContext(ctx, "CREATE INDEX CONCURRENTLY runs_tenant_idx ON runs (tenant_id)")',
        '\treturn err',
        '}',
        'func down00002(ctx context.Context, db *sql.DB) error {',
        '\t_, err := db.ExecContext(ctx, "DROP INDEX runs_tenant_idx")',
        '\treturn err',
        '}',
      ].join('\n');
    expect(brief(await ops('db/migrations/00002_runs_index.go', go('AddMigrationNoTxContext')))).toEqual([
      'create-index:runs',
    ]);
    expect(brief(await ops('db/migrations/00002_runs_index.go', go('AddMigrationContext')))).toEqual([
      'create-index:runs [tx]',
    ]);
  });
});
