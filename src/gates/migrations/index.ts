/**
 * The migrations gate: did the schema change without a migration, was applied history rewritten, and
 * will the new migration hurt production (locks, rewrites, lost data, old code reading dropped columns)?
 */
import type { Gate } from '../../core/types.js';
import { migrationsCoverage } from './coverage.js';
import { historyIndex } from './history.js';
import { classifyMigrationPath, extraLayouts, isSchemaMarkerPath } from './layout.js';
import { migrationsOptionsSchema, type MigrationsOptions } from './options.js';
import { rules } from './rules/index.js';

/** Tokens of runtime schema sync; a repository with none of them and no migrations is not our business. */
export const RUNTIME_SYNC_TOKENS = ['synchronize', '.sync(', 'db push'];

export const migrationsGate: Gate<MigrationsOptions> = {
  id: 'migrations',
  title: 'Migrations',
  description:
    'Judges database migrations the way a careful reviewer would: schema changes that ship without a migration, applied migrations edited, deleted or reordered, divergent histories, and DDL that locks or rewrites a busy PostgreSQL table, loses data or breaks instances still running the old code. Covers Prisma, Django, Alembic (found by env.py or alembic.ini), Rails, Knex, TypeORM, Drizzle, Sequelize, db-migrate, Kysely, slonik-style alteration scripts, Atlas, Flyway, golang-migrate, goose (SQL and Go), plain SQL directories, and any layout named in `gates.migrations.paths`.',
  options: migrationsOptionsSchema,
  async applies({ snapshot, paths, gateOptions }) {
    const set = new Set(paths);
    // Configured layouts first: a repository full of migrations in a layout we do not know by convention
    // (Synapse's `delta/**/*.sql.postgres`) is this gate's business once the config names it.
    const layouts = extraLayouts(gateOptions, []);
    if (paths.some((p) => isSchemaMarkerPath(p) || classifyMigrationPath(p, set, layouts) !== undefined)) return true;
    // SQL that calls itself a migration outside a known layout (a lone migration.sql, a scripts folder):
    // the gate runs, so its suppression markers are judged, even if no DDL rule recognises the layout.
    if (paths.some((p) => p.endsWith('.sql') && /migrat/i.test(p))) return true;
    const hits = await snapshot.grep(RUNTIME_SYNC_TOKENS, [
      '**/*.{ts,js,mjs,cjs,mts,cts}',
      '**/package.json',
      '**/Dockerfile',
      '**/*.sh',
      '**/*.{yml,yaml}',
    ]);
    return hits.length > 0;
  },
  indexes: [historyIndex],
  coverage: migrationsCoverage,
  rules,
};
