/**
 * Tool-specific wording for fixes: how to run a statement outside a transaction, and how to rename in
 * code only. Kept in one place so every rule gives the same, concrete advice.
 */
import type { MigrationTool } from './layout.js';

/** How to make one statement run outside the migration's transaction with this tool. */
export function outsideTransactionHowTo(tool: MigrationTool): string {
  switch (tool) {
    case 'prisma':
      return 'put it alone in its own migration folder: a migration.sql with exactly one statement is not wrapped in a transaction';
    case 'django':
      return 'use django.contrib.postgres.operations.AddIndexConcurrently / RemoveIndexConcurrently in a migration with `atomic = False`';
    case 'alembic':
      return 'pass postgresql_concurrently=True inside `with op.get_context().autocommit_block():`';
    case 'knex':
      return 'use knex.raw(…) in a migration that exports `config = { transaction: false }`';
    case 'typeorm':
      return 'set `transaction = false` on the migration class and run it with `--transaction each`';
    case 'sequelize':
      return 'call queryInterface.addIndex(…, { concurrently: true }) without a transaction option';
    case 'rails':
      return 'use `algorithm: :concurrently` with `disable_ddl_transaction!`';
    case 'atlas':
      return 'add `-- atlas:txmode none` at the top of the file';
    case 'drizzle':
      return "drizzle's migrator runs every pending migration in one transaction, so run this statement outside `drizzle-kit migrate` (a separate script or a custom migration runner)";
    case 'flyway':
      return 'put it alone in its own migration file (Flyway refuses to mix transactional and non-transactional statements unless `mixed` is set)';
    case 'golang-migrate':
      return 'put it alone in its own .up.sql file';
    case 'diesel':
      return 'put it in its own migration with `run_in_transaction = false` in metadata.toml';
    case 'goose':
      return 'put it in its own migration marked `-- +goose NO TRANSACTION` (Go: register it with goose.AddMigrationNoTxContext)';
    case 'db-migrate':
      return 'put it in its own migration and run that one with `db-migrate up --non-transactional`, or outside db-migrate';
    case 'kysely':
      return "Kysely's Migrator runs each migration in a transaction on PostgreSQL; run this statement outside the Migrator (a separate script)";
    case 'slonik':
    case 'sql':
    case 'js':
      return 'run it outside BEGIN … COMMIT, in a file of its own';
  }
}

/** How to rename a column in code while the database keeps its name. */
export function renameInCodeHowTo(tool: MigrationTool): string {
  switch (tool) {
    case 'prisma':
      return 'rename the Prisma field and keep the column with `@map("old_name")`';
    case 'django':
      return 'rename the model field and keep the column with `db_column="old_name"`';
    case 'alembic':
      return "rename the attribute and keep the column with `Column('old_name', …)` / `mapped_column('old_name')`";
    case 'typeorm':
      return "rename the property and keep the column with `@Column({ name: 'old_name' })`";
    case 'sequelize':
      return "rename the attribute and keep the column with `field: 'old_name'`";
    case 'drizzle':
      return "rename the TypeScript key and keep the column name string (`newName: text('old_name')`)";
    default:
      return 'rename it in code only, keeping the database name';
  }
}
