/**
 * Options under `gates.migrations` in `.github/readiness.yml`.
 */
import { z } from 'zod';

/** The PostgreSQL major assumed when the config does not say: the newest released major. */
export const DEFAULT_POSTGRES_VERSION = 17;

export const migrationsOptionsSchema = z.object({
  'postgres-version': z
    .number()
    .int()
    .min(9)
    .max(30)
    .default(DEFAULT_POSTGRES_VERSION)
    .describe(
      'PostgreSQL major version of production. Changes answers that depend on it: constant ADD COLUMN defaults are metadata-only since 11, ALTER TYPE … ADD VALUE may run in a transaction since 12, a validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its scan since 12.',
    ),
  dialect: z
    .enum(['auto', 'postgresql', 'mysql', 'sqlite'])
    .default('auto')
    .describe(
      'Database of migrations whose tool does not record it (Prisma `migration_lock.toml` and the Drizzle journal do). `auto` reads dependency and settings files; when they name both MySQL and PostgreSQL, the explicit default decides (a settings lookup fallback such as `os.getenv("DATABASE_TYPE", "mysql")`, Helm values `database.type`, the database images of docker-compose), and when nothing decides the PostgreSQL lock rules report warnings, not blockers. MySQL and SQLite migrations get the destructive-change rules only, not the PostgreSQL lock rules.',
    ),
  'small-tables': z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Tables small enough that a lock or rewrite is harmless (lookup tables, feature flags, per-tenant or config tables). Each entry is a table name, optionally schema-qualified, or a glob (`tenant_*`, `config.*`). Lock and rewrite rules skip them; destructive-change rules still apply.',
    ),
  paths: z
    .array(
      z
        .object({
          glob: z
            .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
            .describe('Glob(s) of migration files, relative to the repository root (picomatch).'),
          tool: z
            .enum([
              'sql',
              'goose',
              'golang-migrate',
              'flyway',
              'django',
              'alembic',
              'knex',
              'typeorm',
              'sequelize',
              'db-migrate',
              'kysely',
              'slonik',
              'js',
            ])
            .default('sql')
            .describe(
              'The tool that applies them: decides how code is read and whether each file runs in a transaction (`sql`: only explicit BEGIN … COMMIT).',
            ),
          dialect: z
            .enum(['postgresql', 'mysql', 'sqlite'])
            .optional()
            .describe(
              'The database of these files, when it differs from the repository default (Synapse: `*.sql.postgres` vs `*.sql.sqlite`).',
            ),
        })
        .strict(),
    )
    .default([])
    .describe(
      'Migration layouts the gate does not recognise by convention, e.g. `{ glob: "synapse/storage/schema/**/delta/**/*.sql.postgres", dialect: postgresql }`. Files matching a glob are migrations of that tool, one set per directory, ordered by name; they override the conventions.',
    ),
});

/** The options as rules receive them. */
export type MigrationsOptions = z.output<typeof migrationsOptionsSchema>;
