// The migrations gate's rules, sorted by id. `npm run new-rule` rewrites this list; the registry test checks it.
import { rule as addColumnVolatileDefault } from './add-column-volatile-default.js';
import { rule as addIndexNonConcurrent } from './add-index-non-concurrent.js';
import { rule as addRequiredColumn } from './add-required-column.js';
import { rule as addUniqueConstraint } from './add-unique-constraint.js';
import { rule as atlasSumMismatch } from './atlas-sum-mismatch.js';
import { rule as backfillWithDdl } from './backfill-with-ddl.js';
import { rule as columnTypeChange } from './column-type-change.js';
import { rule as concurrentInTransaction } from './concurrent-in-transaction.js';
import { rule as constraintWithoutNotValid } from './constraint-without-not-valid.js';
import { rule as divergentHistory } from './divergent-history.js';
import { rule as drizzleJournalOrder } from './drizzle-journal-order.js';
import { rule as dropColumn } from './drop-column.js';
import { rule as dropIndexNonConcurrent } from './drop-index-non-concurrent.js';
import { rule as dropTable } from './drop-table.js';
import { rule as editedMigration } from './edited-migration.js';
import { rule as enumValueInTransaction } from './enum-value-in-transaction.js';
import { rule as intPrimaryKey } from './int-primary-key.js';
import { rule as lockProviderChanged } from './lock-provider-changed.js';
import { rule as missingLockTimeout } from './missing-lock-timeout.js';
import { rule as outOfOrderMigration } from './out-of-order-migration.js';
import { rule as removedMigration } from './removed-migration.js';
import { rule as renameColumn } from './rename-column.js';
import { rule as renameTable } from './rename-table.js';
import { rule as runtimeSchemaSync } from './runtime-schema-sync.js';
import { rule as schemaDumpStale } from './schema-dump-stale.js';
import { rule as schemaWithoutMigration } from './schema-without-migration.js';
import { rule as setNotNull } from './set-not-null.js';
import { rule as tableRewrite } from './table-rewrite.js';

export const rules = [
  addColumnVolatileDefault,
  addIndexNonConcurrent,
  addRequiredColumn,
  addUniqueConstraint,
  atlasSumMismatch,
  backfillWithDdl,
  columnTypeChange,
  concurrentInTransaction,
  constraintWithoutNotValid,
  divergentHistory,
  drizzleJournalOrder,
  dropColumn,
  dropIndexNonConcurrent,
  dropTable,
  editedMigration,
  enumValueInTransaction,
  intPrimaryKey,
  lockProviderChanged,
  missingLockTimeout,
  outOfOrderMigration,
  removedMigration,
  renameColumn,
  renameTable,
  runtimeSchemaSync,
  schemaDumpStale,
  schemaWithoutMigration,
  setNotNull,
  tableRewrite,
];
