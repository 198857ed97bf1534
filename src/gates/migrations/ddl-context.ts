/**
 * What every DDL rule needs to judge one changed migration file: its plan (operations with transaction
 * context), the database dialect and PostgreSQL version, and which tables are new (created earlier in
 * the same file or by another migration this pull request adds), so that locking and rewrite rules stay
 * quiet on tables nobody else can be using yet.
 *
 * Down migrations, seeds and test fixtures never get here: `classifyMigrationPath` leaves them out or
 * marks them `down`.
 */
import type { ChangedFile, FileRule, RuleContext, RuleMeta, FindingInput } from '../../core/types.js';
import type { SourceFile } from '../../lang/source-file.js';
import { classifyMigrationPath, MIGRATION_GLOBS, type MigrationFileInfo } from './layout.js';
import picomatch from 'picomatch';
import {
  djangoFieldBefore,
  notNullBefore,
  type Dialect,
  type IndexedMigration,
  type MigrationIndex,
  type MigrationSet,
} from './history.js';
import type { Op, OpOf, TableKey } from './ops.js';
import type { MigrationsOptions } from './options.js';
import { planOf, type MigrationPlan } from './plan.js';
import { historyIndex } from './history.js';

export interface DdlTarget {
  file: SourceFile;
  info: MigrationFileInfo;
  plan: MigrationPlan;
  /** Operations with Django AlterField resolved against the history. */
  ops: Op[];
  index: MigrationIndex | undefined;
  set: MigrationSet | undefined;
  entry: IndexedMigration | undefined;
  dialect: Dialect;
  pgVersion: number;
  /** True when the PostgreSQL lock rules apply (dialect postgresql). */
  postgres: boolean;
  /** PostgreSQL only by default: the repository names MySQL too and nothing says which runs (lock rules warn). */
  dialectAmbiguous: boolean;
  /** A table created earlier in this file (before op `at`) or by a migration this PR adds. */
  isNew(table: TableKey, at: number): boolean;
  /**
   * New, or emptied earlier in this file (TRUNCATE, DELETE without WHERE), so a NOT NULL column without
   * default can be added. Not for lock rules: until the migration commits, other sessions still see the
   * old rows and wait for its locks, and index builds still visit them.
   */
  isEmpty(table: TableKey, at: number): boolean;
  /** Configured as small (`small-tables`, names or globs): lock rules skip it. */
  isSmall(table: TableKey): boolean;
  /**
   * The column was added earlier in this file, in the same transaction as op `at`, with no write to the
   * table in between: no other session can see it yet and every row holds NULL or the constant default,
   * so a CHECK, FOREIGN KEY or NOT NULL on it cannot fail, and the ACCESS EXCLUSIVE lock it needs is the
   * one the ADD COLUMN already holds.
   */
  isAddedHere(table: TableKey, column: string, at: number): boolean;
  /** The history declared the column NOT NULL before this migration (SET NOT NULL is then a no-op). */
  wasNotNull(table: TableKey, column: string): boolean;
}

const pathSets = new WeakMap<readonly string[], Set<string>>();

/** The snapshot's paths as a Set (cached per paths array). */
export function pathSetOf(paths: readonly string[]): Set<string> {
  let set = pathSets.get(paths);
  if (!set) {
    set = new Set(paths);
    pathSets.set(paths, set);
  }
  return set;
}

const prTables = new WeakMap<readonly ChangedFile[], Set<string>>();

/** Tables created by migrations this PR adds (head side). */
function tablesCreatedInPr(ctx: RuleContext<unknown, MigrationsOptions>): Set<string> {
  let set = prTables.get(ctx.changes);
  if (set) return set;
  set = new Set();
  const paths = pathSetOf(ctx.snapshot.paths);
  const layouts = historyOf(ctx)?.layouts;
  for (const c of ctx.changes) {
    if (c.status !== 'added') continue;
    const info = classifyMigrationPath(c.path, paths, layouts);
    if (!info || info.role !== 'up') continue;
    const file = ctx.snapshot.file(c.path);
    if (!file) continue;
    try {
      for (const op of planOf(file, info).ops) if (op.kind === 'create-table') set.add(op.table);
    } catch {
      // An unparsable sibling migration adds no knowledge.
    }
  }
  // The base side has no PR additions; only cache the head answer.
  if (ctx.side === 'head') prTables.set(ctx.changes, set);
  return set;
}

function resolveAlterField(
  op: OpOf<'alter-field'>,
  target: { index?: MigrationIndex; entry?: IndexedMigration },
): Op[] {
  if (!target.index || !target.entry) return [];
  const before = djangoFieldBefore(
    target.index,
    target.entry.info.set,
    op.app,
    target.entry.position,
    op.table,
    op.column,
  );
  if (!before) return [];
  const { field, ...rest } = op;
  const common = {
    line: rest.line,
    endLine: rest.endLine,
    inTransaction: rest.inTransaction,
    transaction: rest.transaction,
    via: rest.via,
    snippet: rest.snippet,
  };
  const out: Op[] = [];
  if (field.type && before.type && field.type !== before.type) {
    out.push({
      ...common,
      kind: 'alter-column-type',
      table: op.table,
      column: op.column,
      type: field.type,
      fromType: before.type,
      using: false,
    });
  }
  if (before.null && !field.null) out.push({ ...common, kind: 'set-not-null', table: op.table, column: op.column });
  if (field.unique && !before.unique && !field.primaryKey) {
    out.push({
      ...common,
      kind: 'add-constraint',
      table: op.table,
      constraint: 'unique',
      notValid: false,
      columns: [op.column],
    });
  }
  return out;
}

/** The DDL target of a changed file, or undefined when it is not an up migration of a known layout. */
function historyOf(ctx: RuleContext<unknown, MigrationsOptions>): MigrationIndex | undefined {
  try {
    return ctx.index(historyIndex);
  } catch {
    return undefined;
  }
}

export function ddlTarget(file: SourceFile, ctx: RuleContext<unknown, MigrationsOptions>): DdlTarget | undefined {
  const index = historyOf(ctx);
  const info = classifyMigrationPath(file.path, pathSetOf(ctx.snapshot.paths), index?.layouts);
  if (!info || info.role !== 'up') return undefined;
  const plan = planOf(file, info);
  const set = index?.sets.get(info.set);
  const entry = index?.files.get(file.path);
  const options = ctx.gateOptions;
  const dialect: Dialect =
    info.dialect ?? set?.dialect ?? (options.dialect !== 'auto' ? options.dialect : 'postgresql');
  const ops = plan.ops.flatMap((op) =>
    op.kind === 'alter-field'
      ? resolveAlterField(op, { ...(index ? { index } : {}), ...(entry ? { entry } : {}) })
      : [op],
  );
  const created = new Map<TableKey, number>();
  ops.forEach((op, i) => {
    if (op.kind === 'create-table' && !created.has(op.table)) created.set(op.table, i);
    // A table renamed in this file keeps its newness under the new name.
    if (op.kind === 'rename-table' && created.has(op.table)) created.set(op.to, i);
  });
  const emptied = new Map<TableKey, number>();
  ops.forEach((op, i) => {
    if (
      (op.kind === 'truncate' || (op.kind === 'dml' && op.verb === 'delete' && !op.hasWhere)) &&
      !emptied.has(op.table)
    )
      emptied.set(op.table, i);
  });
  const prCreated = ctx.side === 'head' ? tablesCreatedInPr(ctx) : new Set<string>();
  const small = smallTables(options['small-tables']);
  const addedAt = new Map<string, number>();
  ops.forEach((op, i) => {
    if (op.kind === 'add-column' && !addedAt.has(`${op.table}.${op.column.name}`) && op.column.default !== 'volatile')
      addedAt.set(`${op.table}.${op.column.name}`, i);
  });
  return {
    file,
    info,
    plan,
    ops,
    index,
    set,
    entry,
    dialect,
    pgVersion: options['postgres-version'],
    postgres: dialect === 'postgresql',
    dialectAmbiguous: !info.dialect && !!set?.dialectAmbiguous,
    isNew: (table, at) => {
      const i = created.get(table);
      return (i !== undefined && i < at) || prCreated.has(table);
    },
    isEmpty(table, at) {
      const e = emptied.get(table);
      return this.isNew(table, at) || (e !== undefined && e < at);
    },
    isSmall: (table) => small(table) || small(table.split('.').pop() ?? table),
    isAddedHere: (table, column, at) => {
      const i = addedAt.get(`${table}.${column}`);
      if (i === undefined || i >= at) return false;
      const tx = ops[i]!.transaction;
      if (tx === -1 || ops[at]?.transaction !== tx) return false;
      return !ops.slice(i + 1, at).some((o) => o.kind === 'dml' && o.table === table);
    },
    wasNotNull: (table, column) =>
      !!(index && set && entry && notNullBefore(index, set.dir, entry.position, table, column)),
  };
}

const smallMatchers = new WeakMap<readonly string[], (table: string) => boolean>();

/** `small-tables` as a predicate: plain names compare exactly, entries with glob characters match as globs. */
function smallTables(entries: readonly string[]): (table: string) => boolean {
  let m = smallMatchers.get(entries);
  if (!m) {
    const exact = new Set(entries.filter((e) => !/[*?[\]{}]/.test(e)));
    const globs = entries.filter((e) => /[*?[\]{}]/.test(e));
    const glob = globs.length ? picomatch(globs, { dot: true }) : () => false;
    m = (table) => exact.has(table) || glob(table);
    smallMatchers.set(entries, m);
  }
  return m;
}

/** Where a finding about an operation goes. */
export function at(op: Op): Pick<FindingInput, 'line' | 'endLine'> {
  return { line: op.line, endLine: op.endLine };
}

/**
 * A file rule over changed migration files. `judge` receives the target; the helper skips files that are
 * not up migrations and, for `postgresOnly` rules, files of other dialects.
 */
export function ddlRule(def: {
  meta: RuleMeta;
  postgresOnly: boolean;
  judge(target: DdlTarget, ctx: RuleContext<unknown, MigrationsOptions>): void;
}): FileRule<unknown, MigrationsOptions> {
  return {
    scope: 'file',
    files: MIGRATION_GLOBS,
    meta: def.meta,
    check(file, _change, ctx) {
      const target = ddlTarget(file, ctx);
      if (!target) return;
      if (def.postgresOnly && !target.postgres) return;
      if (def.postgresOnly && target.dialectAmbiguous) {
        // Maybe MySQL after all: a PostgreSQL lock hazard is worth a look, not a block.
        const report = ctx.report.bind(ctx);
        const warnOnly: RuleContext<unknown, MigrationsOptions> = Object.create(ctx, {
          report: {
            value: (f: FindingInput) => report({ ...f, severity: f.severity === 'notice' ? 'notice' : 'warning' }),
          },
        });
        def.judge(target, warnOnly);
        return;
      }
      def.judge(target, ctx);
    },
  };
}

/** Identifier as written in messages: quoted when it needs quotes. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
