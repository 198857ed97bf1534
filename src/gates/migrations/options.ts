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
      'Database of migrations whose tool does not record it (Prisma `migration_lock.toml` and the Drizzle journal do). `auto` reads dependency and settings files; MySQL and SQLite migrations get the destructive-change rules only, not the PostgreSQL lock rules.',
    ),
  'small-tables': z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Tables small enough that a lock or rewrite is harmless (lookup tables, feature flags). Lock and rewrite rules skip them; destructive-change rules still apply.',
    ),
});

/** The options as rules receive them. */
export type MigrationsOptions = z.output<typeof migrationsOptionsSchema>;
