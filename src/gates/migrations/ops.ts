/**
 * The operation model: what one migration does to the database, whatever it was written in.
 *
 * SQL statements (libpg-query ASTs) and ORM operations (Django `RemoveField`, Alembic `op.drop_column`,
 * Knex `dropColumn`, …) are both turned into these operations, so every DDL rule judges one vocabulary
 * and the ORM → DDL mapping lives in one place per ecosystem (sql-ops.ts, orm/*.ts).
 */

/** A table as migrations name it: `schema.name` with the default `public` schema dropped. */
export type TableKey = string;

/** Lock levels PostgreSQL takes (strongest first); `none` for statements that take no table lock worth noting. */
export type LockLevel = 'access-exclusive' | 'share-row-exclusive' | 'share' | 'share-update-exclusive' | 'none';

/** Default-expression classes that decide whether ADD COLUMN rewrites the table. */
export type DefaultKind = 'none' | 'constant' | 'volatile' | 'unknown-function';

export interface ColumnSpec {
  name: string;
  /** Normalised type, e.g. `int4`, `varchar(255)`, `text`, `numeric(10,2)`; undefined when unknown (ORM code). */
  type?: string;
  notNull: boolean;
  primaryKey: boolean;
  unique: boolean;
  default: DefaultKind;
  /** The volatile function that makes the default volatile (`gen_random_uuid`, `nextval` for serial…). */
  defaultFunction?: string;
  /** `GENERATED ALWAYS AS (…) STORED` (rewrites like a volatile default). */
  generatedStored: boolean;
  /** `GENERATED … AS IDENTITY` or serial types (rewrites when added to an existing table). */
  identity: boolean;
  /** `REFERENCES other(col)` inline (a validated foreign key). */
  references?: TableKey;
}

/** A Django model field as a migration declares it (`models.CharField(max_length=20, null=True)`). */
export interface OrmField {
  /** `CharField`, `ForeignKey`, … */
  cls: string;
  null: boolean;
  /** Normalised column type when the class and arguments say (`varchar(20)`, `int8`, `numeric(10,2)`). */
  type?: string;
  unique: boolean;
  dbIndex: boolean;
  primaryKey: boolean;
  hasDefault: boolean;
  hasDbDefault: boolean;
  /** A ForeignKey/OneToOne with a database constraint. */
  foreignKey: boolean;
}

interface OpBase {
  /** 1-based line span of the statement / ORM call. */
  line: number;
  endLine: number;
  /** Inside a transaction when it runs (tool wrapping + explicit BEGIN). */
  inTransaction: boolean;
  /** Ordinal of the transaction it runs in (ops in the same transaction share it); -1 when none. */
  transaction: number;
  /** Where it came from, for messages. */
  via: 'sql' | 'django' | 'alembic' | 'knex' | 'typeorm' | 'sequelize' | 'db-migrate' | 'kysely' | 'slonik' | 'goose';
  /** The statement text (first line) or ORM call, for messages. */
  snippet: string;
  /**
   * The second step of an expand/contract change (Django `SeparateDatabaseAndState` whose state side
   * already dropped the field in an earlier release): evidence that running code no longer uses it.
   */
  contractStep?: boolean;
  /** String constants of the statement (SQL only), e.g. to see a new enum value used in a DEFAULT. */
  literals?: string[];
}

export type Op = OpBase &
  (
    | { kind: 'create-table'; table: TableKey; columns: ColumnSpec[]; primaryKey: string[] }
    | {
        kind: 'drop-table';
        table: TableKey;
        objectType: 'table' | 'schema' | 'database' | 'view' | 'materialized view';
        cascade: boolean;
      }
    | { kind: 'truncate'; table: TableKey; cascade: boolean }
    | { kind: 'add-column'; table: TableKey; column: ColumnSpec }
    | { kind: 'drop-column'; table: TableKey; column: string }
    | { kind: 'rename-column'; table: TableKey; column: string; to: string }
    | { kind: 'rename-table'; table: TableKey; to: string }
    | {
        kind: 'alter-column-type';
        table: TableKey;
        column: string;
        type?: string;
        using: boolean;
        fromType?: string;
        /** Nullability the statement re-declares with the type (Sequelize `changeColumn`), when it does. */
        notNull?: boolean;
      }
    | { kind: 'set-not-null'; table: TableKey; column: string }
    | {
        kind: 'add-constraint';
        table: TableKey;
        constraint: 'check' | 'foreign-key' | 'unique' | 'primary-key' | 'exclude';
        name?: string;
        notValid: boolean;
        /** `… USING INDEX i` (unique / primary key built from an existing index). */
        usingIndex?: string;
        /** For `CHECK (col IS NOT NULL)`: the column. */
        notNullColumn?: string;
        /** For foreign keys: the referenced table. */
        references?: TableKey;
        columns: string[];
      }
    | { kind: 'validate-constraint'; table: TableKey; name: string }
    | { kind: 'create-view'; view: TableKey }
    | { kind: 'create-index'; table: TableKey; name?: string; concurrent: boolean; unique: boolean; columns: string[] }
    | { kind: 'drop-index'; name: string; concurrent: boolean }
    | { kind: 'reindex'; target: string; concurrent: boolean }
    | {
        kind: 'rewrite-table';
        table: TableKey;
        how: 'VACUUM FULL' | 'CLUSTER' | 'REFRESH MATERIALIZED VIEW' | 'SET LOGGED' | 'SET UNLOGGED';
      }
    | { kind: 'enum-add-value'; type: string; value: string }
    | { kind: 'set-timeout'; setting: 'lock_timeout' | 'statement_timeout'; disabled: boolean }
    | { kind: 'transaction'; action: 'begin' | 'commit' | 'rollback' }
    | { kind: 'dml'; verb: 'update' | 'delete' | 'insert'; table: TableKey; hasWhere: boolean; literals: string[] }
    /**
     * Django `AlterField`: what it does depends on the field's previous definition, which only the
     * migration history knows; rules resolve it against the history index (ddl-context.ts).
     */
    | { kind: 'alter-field'; table: TableKey; column: string; field: OrmField; app: string }
    /** A Django RunPython / Alembic data migration in code: rows rewritten by application code. */
    | { kind: 'code-backfill'; description: string }
    /** Any other statement taking a lock on an existing table (set default, add trigger…), for lock_timeout. */
    | {
        kind: 'other-lock';
        table: TableKey;
        lock: LockLevel;
        what: string;
        literals: string[];
        /** `DROP NOT NULL`: its column. */ column?: string;
      }
    /** Anything else (CREATE TYPE, COMMENT, GRANT, SELECT…): no rule judges it, but it counts as a statement. */
    | { kind: 'other'; literals: string[] }
  );

export type OpKind = Op['kind'];
export type OpOf<K extends OpKind> = Extract<Op, { kind: K }>;

/** The table an operation locks, and how strongly; undefined when it locks no existing table of note. */
export function lockOf(op: Op): { table: TableKey; lock: LockLevel } | undefined {
  switch (op.kind) {
    case 'drop-table':
      return op.objectType === 'database' || op.objectType === 'schema'
        ? undefined
        : { table: op.table, lock: 'access-exclusive' };
    case 'truncate':
    case 'add-column':
    case 'drop-column':
    case 'rename-column':
    case 'rename-table':
    case 'alter-column-type':
    case 'set-not-null':
    case 'rewrite-table':
      return { table: op.table, lock: 'access-exclusive' };
    case 'add-constraint':
      if (op.constraint === 'foreign-key') return { table: op.table, lock: 'share-row-exclusive' };
      return { table: op.table, lock: 'access-exclusive' };
    case 'validate-constraint':
      return { table: op.table, lock: 'share-update-exclusive' };
    case 'create-index':
      return { table: op.table, lock: op.concurrent ? 'share-update-exclusive' : 'share' };
    case 'other-lock':
      return { table: op.table, lock: op.lock };
    default:
      return undefined;
  }
}

/** Locks that block writes (and, for ACCESS EXCLUSIVE, reads) while held or queued. */
export function blocksTraffic(lock: LockLevel): boolean {
  return lock === 'access-exclusive' || lock === 'share-row-exclusive' || lock === 'share';
}
