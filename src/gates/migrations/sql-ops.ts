/**
 * PostgreSQL statements (libpg-query ASTs) → operations.
 *
 * Identifiers arrive as the parser leaves them: unquoted names folded to lower case, quoted names as
 * written, so `"Order"` and `order` stay different tables, exactly as in PostgreSQL.
 */
import type { SqlStatement } from '../../lang/source-file.js';
import type { ColumnSpec, DefaultKind, Op, TableKey } from './ops.js';

/** An operation before the plan adds its transaction context. */
export type RawOp = Op extends infer O ? (O extends Op ? Omit<O, 'inTransaction' | 'transaction'> : never) : never;

type Node = Record<string, any>;

/**
 * Built-in functions whose result differs per row (VOLATILE in pg_proc), so a DEFAULT calling them
 * makes `ADD COLUMN` rewrite the table even on PostgreSQL 11+. Our own list of the common ones.
 */
const VOLATILE_FUNCTIONS = new Set([
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'random',
  'random_normal',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
  'txid_current',
  'gen_random_bytes',
  'pg_backend_pid',
]);

/**
 * Built-ins that are STABLE or IMMUTABLE and appear in column defaults: evaluated once for ADD COLUMN,
 * so metadata-only on PostgreSQL 11+. A function in neither list is reported as unknown, not volatile.
 */
const NON_VOLATILE_FUNCTIONS = new Set([
  'now',
  'statement_timestamp',
  'transaction_timestamp',
  'current_timestamp',
  'current_date',
  'localtimestamp',
  'lower',
  'upper',
  'to_jsonb',
  'jsonb_build_object',
  'json_build_object',
  'jsonb_build_array',
  'array',
  'coalesce',
  'concat',
  'make_interval',
  'to_timestamp',
  'timezone',
  'date_trunc',
  'current_setting',
]);

const SERIAL_TYPES: Readonly<Record<string, string>> = {
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
  smallserial: 'int2',
  serial2: 'int2',
};

/** `schema.name` → key; the default `public` schema is dropped so `public.t` and `t` are the same table. */
export function tableKey(rel: Node | undefined): TableKey {
  if (!rel) return '?';
  const schema = rel.schemaname as string | undefined;
  const name = (rel.relname as string | undefined) ?? '?';
  return schema && schema !== 'public' ? `${schema}.${name}` : name;
}

function strings(list: Node[] | undefined): string[] {
  return (list ?? []).map((n) => (n.String?.sval as string | undefined) ?? '').filter((s) => s !== '');
}

/** Normalised type name: `pg_catalog.int4` → `int4`, typmods appended, arrays as `[]`. */
export function typeName(tn: Node | undefined): string | undefined {
  if (!tn) return undefined;
  const names = strings(tn.names);
  let name = names[names.length - 1];
  if (!name) return undefined;
  name = name.toLowerCase();
  const mods = (tn.typmods as Node[] | undefined)?.map((m) => m.A_Const?.ival?.ival ?? 0);
  let out = mods && mods.length > 0 ? `${name}(${mods.join(',')})` : name;
  if (tn.arrayBounds) out += '[]';
  return out;
}

/** The volatility class of a default expression, and the function that decides it. */
export function classifyDefault(expr: Node | undefined): { kind: DefaultKind; fn?: string } {
  if (!expr) return { kind: 'none' };
  let verdict: { kind: DefaultKind; fn?: string } = { kind: 'constant' };
  const visit = (n: unknown): void => {
    if (verdict.kind === 'volatile' || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    const node = n as Node;
    if (node.FuncCall) {
      const fn = strings(node.FuncCall.funcname).pop()?.toLowerCase() ?? '';
      if (VOLATILE_FUNCTIONS.has(fn)) {
        verdict = { kind: 'volatile', fn };
        return;
      }
      if (!NON_VOLATILE_FUNCTIONS.has(fn) && verdict.kind === 'constant') verdict = { kind: 'unknown-function', fn };
    }
    if (node.SubLink) {
      // A subquery default is not allowed by PostgreSQL; treat as unknown rather than guessing.
      if (verdict.kind === 'constant') verdict = { kind: 'unknown-function', fn: 'subquery' };
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(expr);
  return verdict;
}

/** A column definition (CREATE TABLE element or ADD COLUMN). */
export function columnSpec(def: Node): ColumnSpec {
  const type = typeName(def.typeName);
  const serial = type ? SERIAL_TYPES[type] : undefined;
  const spec: ColumnSpec = {
    name: def.colname ?? '?',
    ...(type ? { type: serial ?? type } : {}),
    notNull: !!serial,
    primaryKey: false,
    unique: false,
    default: serial ? 'volatile' : 'none',
    ...(serial ? { defaultFunction: 'nextval' } : {}),
    generatedStored: false,
    identity: !!serial,
  };
  for (const c of (def.constraints as Node[] | undefined) ?? []) {
    const con = c.Constraint as Node | undefined;
    if (!con) continue;
    switch (con.contype) {
      case 'CONSTR_NOTNULL':
        spec.notNull = true;
        break;
      case 'CONSTR_PRIMARY':
        spec.primaryKey = true;
        spec.notNull = true;
        break;
      case 'CONSTR_UNIQUE':
        spec.unique = true;
        break;
      case 'CONSTR_DEFAULT': {
        const d = classifyDefault(con.raw_expr);
        spec.default = d.kind;
        if (d.fn) spec.defaultFunction = d.fn;
        break;
      }
      case 'CONSTR_GENERATED':
        // generated_kind 's' = STORED (PostgreSQL 18 adds VIRTUAL, 'v').
        if (con.generated_kind !== 'v') spec.generatedStored = true;
        break;
      case 'CONSTR_IDENTITY':
        spec.identity = true;
        spec.notNull = true;
        break;
      case 'CONSTR_FOREIGN':
        spec.references = tableKey(con.pktable);
        break;
      default:
        break;
    }
  }
  return spec;
}

/** The column of `CHECK (col IS NOT NULL)`, when that is the whole expression. */
function notNullCheckColumn(expr: Node | undefined): string | undefined {
  const nt = expr?.NullTest as Node | undefined;
  if (!nt || nt.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = strings(nt.arg?.ColumnRef?.fields);
  return fields.length === 1 ? fields[0] : undefined;
}

/** String constants in an expression tree (for "is the new enum value used later in this transaction?"). */
function stringLiterals(node: unknown, out: string[] = []): string[] {
  if (node === null || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const x of node) stringLiterals(x, out);
    return out;
  }
  const n = node as Node;
  const sval = n.A_Const?.sval?.sval;
  if (typeof sval === 'string') out.push(sval);
  for (const v of Object.values(n)) stringLiterals(v, out);
  return out;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? text;
  const trimmed = line.trim();
  return trimmed.length > 120 ? `${trimmed.slice(0, 117)}…` : trimmed;
}

function hasOption(options: Node[] | undefined, name: string): boolean {
  return (options ?? []).some((o) => o.DefElem?.defname === name);
}

/** Operations of one statement. `lineOffset` shifts lines for SQL embedded in code. */
export function statementOps(s: SqlStatement, lineOffset = 0): RawOp[] {
  const base = {
    line: s.line + lineOffset,
    endLine: s.endLine + lineOffset,
    via: 'sql' as const,
    snippet: firstLine(s.text),
  };
  const stmt = s.stmt;
  const out: RawOp[] = [];
  const [type] = Object.keys(stmt);
  const node = (type ? stmt[type] : {}) as Node;
  switch (type) {
    case 'CreateStmt': {
      const columns: ColumnSpec[] = [];
      const primaryKey: string[] = [];
      for (const elt of (node.tableElts as Node[] | undefined) ?? []) {
        if (elt.ColumnDef) {
          const spec = columnSpec(elt.ColumnDef);
          columns.push(spec);
          if (spec.primaryKey) primaryKey.push(spec.name);
        } else if (elt.Constraint?.contype === 'CONSTR_PRIMARY') {
          primaryKey.push(...strings(elt.Constraint.keys));
        }
      }
      out.push({ ...base, kind: 'create-table', table: tableKey(node.relation), columns, primaryKey });
      break;
    }
    case 'CreateTableAsStmt': {
      const rel = node.into?.rel;
      if (node.objtype === 'OBJECT_MATVIEW' || node.objtype === 'OBJECT_TABLE') {
        out.push({ ...base, kind: 'create-table', table: tableKey(rel), columns: [], primaryKey: [] });
      }
      break;
    }
    case 'DropStmt': {
      const kinds: Record<string, 'table' | 'schema' | 'view' | 'materialized view'> = {
        OBJECT_TABLE: 'table',
        OBJECT_SCHEMA: 'schema',
        OBJECT_VIEW: 'view',
        OBJECT_MATVIEW: 'materialized view',
      };
      const cascade = node.behavior === 'DROP_CASCADE';
      if (node.removeType === 'OBJECT_INDEX') {
        for (const obj of (node.objects as Node[] | undefined) ?? []) {
          const parts = strings(obj.List?.items);
          out.push({ ...base, kind: 'drop-index', name: parts.join('.'), concurrent: !!node.concurrent });
        }
        break;
      }
      const objectType = kinds[node.removeType as string];
      if (!objectType) {
        out.push({ ...base, kind: 'other', literals: [] });
        break;
      }
      for (const obj of (node.objects as Node[] | undefined) ?? []) {
        const parts = obj.List ? strings(obj.List.items) : obj.String ? [obj.String.sval as string] : [];
        const key = parts.length > 1 && parts[0] !== 'public' ? parts.join('.') : (parts[parts.length - 1] ?? '?');
        out.push({ ...base, kind: 'drop-table', table: key, objectType, cascade });
      }
      break;
    }
    case 'DropdbStmt':
      out.push({ ...base, kind: 'drop-table', table: node.dbname ?? '?', objectType: 'database', cascade: false });
      break;
    case 'TruncateStmt':
      for (const r of (node.relations as Node[] | undefined) ?? []) {
        out.push({ ...base, kind: 'truncate', table: tableKey(r.RangeVar), cascade: node.behavior === 'DROP_CASCADE' });
      }
      break;
    case 'RenameStmt': {
      if (node.renameType === 'OBJECT_COLUMN') {
        out.push({
          ...base,
          kind: 'rename-column',
          table: tableKey(node.relation),
          column: node.subname ?? '?',
          to: node.newname ?? '?',
        });
      } else if (node.renameType === 'OBJECT_TABLE') {
        out.push({ ...base, kind: 'rename-table', table: tableKey(node.relation), to: node.newname ?? '?' });
      } else {
        out.push({ ...base, kind: 'other', literals: [] });
      }
      break;
    }
    case 'AlterTableStmt': {
      if (node.objtype !== 'OBJECT_TABLE' && node.objtype !== 'OBJECT_MATVIEW') {
        out.push({ ...base, kind: 'other', literals: [] });
        break;
      }
      const table = tableKey(node.relation);
      for (const c of (node.cmds as Node[] | undefined) ?? []) {
        const cmd = c.AlterTableCmd as Node | undefined;
        if (!cmd) continue;
        out.push(...alterTableCmd(base, table, cmd));
      }
      break;
    }
    case 'IndexStmt': {
      const columns = ((node.indexParams as Node[] | undefined) ?? []).map(
        (p) => (p.IndexElem?.name as string | undefined) ?? '(expression)',
      );
      out.push({
        ...base,
        kind: 'create-index',
        table: tableKey(node.relation),
        ...(node.idxname ? { name: node.idxname as string } : {}),
        concurrent: !!node.concurrent,
        unique: !!node.unique,
        columns,
      });
      break;
    }
    case 'ReindexStmt':
      out.push({
        ...base,
        kind: 'reindex',
        target: node.relation ? tableKey(node.relation) : (node.name ?? '?'),
        concurrent: hasOption(node.params, 'concurrently'),
      });
      break;
    case 'VacuumStmt':
      if (node.is_vacuumcmd && hasOption(node.options, 'full')) {
        for (const r of (node.rels as Node[] | undefined) ?? []) {
          out.push({ ...base, kind: 'rewrite-table', table: tableKey(r.VacuumRelation?.relation), how: 'VACUUM FULL' });
        }
        if (!node.rels) out.push({ ...base, kind: 'rewrite-table', table: '*', how: 'VACUUM FULL' });
      } else {
        out.push({ ...base, kind: 'other', literals: [] });
      }
      break;
    case 'ClusterStmt':
      out.push({
        ...base,
        kind: 'rewrite-table',
        table: node.relation ? tableKey(node.relation) : '*',
        how: 'CLUSTER',
      });
      break;
    case 'RefreshMatViewStmt':
      if (node.concurrent) out.push({ ...base, kind: 'other', literals: [] });
      else
        out.push({ ...base, kind: 'rewrite-table', table: tableKey(node.relation), how: 'REFRESH MATERIALIZED VIEW' });
      break;
    case 'AlterEnumStmt':
      if (node.oldVal === undefined && typeof node.newVal === 'string') {
        out.push({ ...base, kind: 'enum-add-value', type: strings(node.typeName).join('.'), value: node.newVal });
      } else {
        out.push({ ...base, kind: 'other', literals: [] });
      }
      break;
    case 'VariableSetStmt': {
      const name = (node.name as string | undefined)?.toLowerCase();
      if (name === 'lock_timeout' || name === 'statement_timeout') {
        const arg = (node.args as Node[] | undefined)?.[0]?.A_Const;
        const value = arg?.sval?.sval ?? arg?.ival?.ival ?? 0;
        // SET … TO DEFAULT / RESET and 0 disable the timeout.
        const disabled = node.kind !== 'VAR_SET_VALUE' || value === 0 || value === '0';
        out.push({ ...base, kind: 'set-timeout', setting: name, disabled });
      } else {
        out.push({ ...base, kind: 'other', literals: [] });
      }
      break;
    }
    case 'TransactionStmt': {
      const kind = node.kind as string;
      if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START')
        out.push({ ...base, kind: 'transaction', action: 'begin' });
      else if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_COMMIT_PREPARED')
        out.push({ ...base, kind: 'transaction', action: 'commit' });
      else if (kind === 'TRANS_STMT_ROLLBACK') out.push({ ...base, kind: 'transaction', action: 'rollback' });
      else out.push({ ...base, kind: 'other', literals: [] });
      break;
    }
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'InsertStmt': {
      const verb = type === 'UpdateStmt' ? 'update' : type === 'DeleteStmt' ? 'delete' : 'insert';
      // INSERT … VALUES is a seed row, not a backfill; INSERT … SELECT copies rows.
      const copies = verb !== 'insert' || !!node.selectStmt?.SelectStmt?.fromClause;
      if (copies) {
        out.push({
          ...base,
          kind: 'dml',
          verb,
          table: tableKey(node.relation),
          hasWhere: !!node.whereClause,
          literals: stringLiterals(node),
        });
      } else {
        out.push({ ...base, kind: 'other', literals: stringLiterals(node) });
      }
      break;
    }
    case 'ViewStmt':
      out.push({ ...base, kind: 'create-view', view: tableKey(node.view) });
      break;
    case 'CreateTrigStmt':
      out.push({
        ...base,
        kind: 'other-lock',
        table: tableKey(node.relation),
        lock: 'share-row-exclusive',
        what: 'CREATE TRIGGER',
        literals: [],
      });
      break;
    default:
      out.push({ ...base, kind: 'other', literals: stringLiterals(node) });
      break;
  }
  if (out.some((o) => o.literals === undefined)) {
    const literals = stringLiterals(node);
    for (const o of out) o.literals ??= literals;
  }
  return out;
}

type Base = { line: number; endLine: number; via: 'sql'; snippet: string };

function alterTableCmd(base: Base, table: TableKey, cmd: Node): RawOp[] {
  switch (cmd.subtype as string) {
    case 'AT_AddColumn':
      return [{ ...base, kind: 'add-column', table, column: columnSpec(cmd.def?.ColumnDef ?? {}) }];
    case 'AT_DropColumn':
      return [{ ...base, kind: 'drop-column', table, column: cmd.name ?? '?' }];
    case 'AT_AlterColumnType': {
      const def = cmd.def?.ColumnDef as Node | undefined;
      const type = typeName(def?.typeName);
      return [
        {
          ...base,
          kind: 'alter-column-type',
          table,
          column: cmd.name ?? '?',
          ...(type ? { type } : {}),
          using: !!def?.raw_default,
        },
      ];
    }
    case 'AT_SetNotNull':
      return [{ ...base, kind: 'set-not-null', table, column: cmd.name ?? '?' }];
    case 'AT_AddConstraint': {
      const con = cmd.def?.Constraint as Node | undefined;
      if (!con) return [];
      const kinds: Record<string, 'check' | 'foreign-key' | 'unique' | 'primary-key' | 'exclude'> = {
        CONSTR_CHECK: 'check',
        CONSTR_FOREIGN: 'foreign-key',
        CONSTR_UNIQUE: 'unique',
        CONSTR_PRIMARY: 'primary-key',
        CONSTR_EXCLUSION: 'exclude',
      };
      const constraint = kinds[con.contype as string];
      if (!constraint)
        return [{ ...base, kind: 'other-lock', table, lock: 'access-exclusive', what: 'ADD CONSTRAINT', literals: [] }];
      const notNullColumn = constraint === 'check' ? notNullCheckColumn(con.raw_expr) : undefined;
      return [
        {
          ...base,
          kind: 'add-constraint',
          table,
          constraint,
          ...(con.conname ? { name: con.conname as string } : {}),
          notValid: !!con.skip_validation,
          ...(con.indexname ? { usingIndex: con.indexname as string } : {}),
          ...(notNullColumn ? { notNullColumn } : {}),
          ...(constraint === 'foreign-key' ? { references: tableKey(con.pktable) } : {}),
          columns: strings(constraint === 'foreign-key' ? con.fk_attrs : con.keys),
        },
      ];
    }
    case 'AT_ValidateConstraint':
      return [{ ...base, kind: 'validate-constraint', table, name: cmd.name ?? '?' }];
    case 'AT_SetLogged':
      return [{ ...base, kind: 'rewrite-table', table, how: 'SET LOGGED' }];
    case 'AT_SetUnLogged':
      return [{ ...base, kind: 'rewrite-table', table, how: 'SET UNLOGGED' }];
    case 'AT_DropNotNull':
      // Recorded with its column, so the history knows the column is nullable again.
      return [
        {
          ...base,
          kind: 'other-lock',
          table,
          lock: 'access-exclusive',
          what: 'DROP NOT NULL',
          ...(cmd.name ? { column: cmd.name as string } : {}),
          literals: [],
        },
      ];
    case 'AT_DropConstraint':
    case 'AT_ColumnDefault':
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_SetStorage':
    case 'AT_ChangeOwner':
    case 'AT_ReplicaIdentity':
    case 'AT_EnableTrig':
    case 'AT_DisableTrig':
    case 'AT_AttachPartition':
    case 'AT_DetachPartition':
    case 'AT_AddIdentity':
    case 'AT_DropIdentity':
    case 'AT_SetIdentity':
    case 'AT_SetRelOptions':
      return [
        {
          ...base,
          kind: 'other-lock',
          table,
          lock:
            cmd.subtype === 'AT_DetachPartition' && cmd.def?.PartitionCmd?.concurrent
              ? 'share-update-exclusive'
              : 'access-exclusive',
          what: 'ALTER TABLE',
          literals: stringLiterals(cmd),
        },
      ];
    default:
      return [
        {
          ...base,
          kind: 'other-lock',
          table,
          lock: 'access-exclusive',
          what: 'ALTER TABLE',
          literals: stringLiterals(cmd),
        },
      ];
  }
}
