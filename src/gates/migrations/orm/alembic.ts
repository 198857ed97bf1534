/**
 * Alembic / Flask-Migrate revisions → operations (only `upgrade()`: downgrades are never judged) and the
 * revision graph facts (`revision`, `down_revision`, `depends_on`).
 *
 * `op.*` calls map to DDL as in catalogue §1.4.5; `with op.batch_alter_table(t) as b:` applies `b.*` to
 * table t; calls inside `with op.get_context().autocommit_block():` run outside the transaction;
 * `op.execute("…")` / `op.execute(sa.text("…"))` are parsed as SQL; statements run through
 * `op.get_bind()` and non-literal `op.execute(…)` count as a data migration.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import {
  calleeName,
  descendantsOfType,
  endLineOf,
  keywordArgs,
  lineOf,
  positionalArgs,
  stringValue,
} from '../../../lang/ts-helpers.js';
import type { SourceFile } from '../../../lang/source-file.js';
import type { ColumnSpec } from '../ops.js';
import type { ExtractedOp } from '../plan.js';
import { embeddedSqlOps, sqlDefaultKind } from '../plan.js';

export interface AlembicMeta {
  revision?: string;
  /** Parents; empty for a root revision. */
  downRevisions: string[];
  dependsOn: string[];
  line: number;
}

function topAssignments(file: SourceFile): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  const root = file.tree()?.rootNode;
  for (const stmt of root?.namedChildren ?? []) {
    if (stmt?.type !== 'expression_statement') continue;
    const a = stmt.namedChildren[0];
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && right) out.set(left.text, right);
  }
  return out;
}

function stringList(node: TSNode | undefined): string[] {
  if (!node || node.type === 'none') return [];
  const v = stringValue(node);
  if (v !== undefined) return [v];
  if (node.type === 'tuple' || node.type === 'list') {
    return node.namedChildren.flatMap((c) => (c ? stringList(c) : []));
  }
  return [];
}

/** `revision`, `down_revision` (a string, a tuple for merges, or None) and `depends_on`. */
export function alembicMeta(file: SourceFile): AlembicMeta {
  const a = topAssignments(file);
  const rev = a.get('revision');
  const revision = rev ? stringValue(rev) : undefined;
  return {
    ...(revision !== undefined ? { revision } : {}),
    downRevisions: stringList(a.get('down_revision')),
    dependsOn: stringList(a.get('depends_on')),
    line: rev ? lineOf(rev) : 1,
  };
}

/** The called name's last part, also when the receiver is itself a call (`op.get_context().autocommit_block()`). */
function lastName(call: TSNode): string {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? '';
  return fn?.text ?? '';
}

function str(node: TSNode | undefined): string | undefined {
  return node ? stringValue(node) : undefined;
}

function boolKw(kw: Map<string, TSNode>, name: string): boolean | undefined {
  const v = kw.get(name);
  if (v?.type === 'true') return true;
  if (v?.type === 'false') return false;
  return undefined;
}

const SA_TYPES: Readonly<Record<string, string>> = {
  Integer: 'int4',
  INTEGER: 'int4',
  BigInteger: 'int8',
  BIGINT: 'int8',
  SmallInteger: 'int2',
  SMALLINT: 'int2',
  Text: 'text',
  TEXT: 'text',
  Boolean: 'bool',
  BOOLEAN: 'bool',
  Date: 'date',
  DATE: 'date',
  Float: 'float8',
  UUID: 'uuid',
  Uuid: 'uuid',
  JSON: 'json',
  JSONB: 'jsonb',
  LargeBinary: 'bytea',
  Interval: 'interval',
};

/** A SQLAlchemy type expression (`sa.String(length=20)`, `sa.BigInteger()`, `postgresql.JSONB`) → column type. */
export function saType(node: TSNode | undefined): string | undefined {
  if (!node) return undefined;
  const call = node.type === 'call' ? node : undefined;
  const name = call ? lastName(call) : (node.text.split('.').pop() ?? '');
  const args = call ? positionalArgs(call) : [];
  const kw = call ? keywordArgs(call) : new Map<string, TSNode>();
  if (name === 'String' || name === 'VARCHAR' || name === 'Unicode') {
    const len = kw.get('length') ?? args[0];
    return len?.type === 'integer' ? `varchar(${len.text})` : 'varchar';
  }
  if (name === 'Numeric' || name === 'NUMERIC' || name === 'DECIMAL') {
    const p = kw.get('precision') ?? args[0];
    const s = kw.get('scale') ?? args[1];
    return p?.type === 'integer' && s?.type === 'integer' ? `numeric(${p.text},${s.text})` : 'numeric';
  }
  if (name === 'DateTime' || name === 'TIMESTAMP')
    return kw.get('timezone')?.type === 'true' ? 'timestamptz' : 'timestamp';
  if (name === 'Enum') return 'enum';
  return SA_TYPES[name];
}

/** `sa.Column('name', sa.Type, nullable=…, server_default=…)` → column spec. */
function saColumn(node: TSNode | undefined): ColumnSpec | undefined {
  if (node?.type !== 'call' || lastName(node) !== 'Column') return undefined;
  const args = positionalArgs(node);
  const kw = keywordArgs(node);
  const name = str(args[0]);
  if (!name) return undefined;
  const type = saType(args[1]);
  const primaryKey = boolKw(kw, 'primary_key') ?? false;
  const notNull = boolKw(kw, 'nullable') === false || primaryKey;
  const sd = kw.get('server_default');
  let def: ColumnSpec['default'] = 'none';
  let fn: string | undefined;
  if (sd && sd.type !== 'none') {
    const literal = str(sd);
    if (literal !== undefined) def = 'constant';
    else if (sd.type === 'call' && lastName(sd) === 'text') {
      const k = sqlDefaultKind(str(positionalArgs(sd)[0]) ?? '');
      def = k.kind;
      if (k.fn) fn = k.fn;
    } else if (
      sd.type === 'call' &&
      /^(?:func\.)?now$/.test((calleeName(sd) ?? '').replace(/^sa\.|^sqlalchemy\./, ''))
    ) {
      def = 'constant';
    } else {
      def = 'unknown-function';
    }
  }
  return {
    name,
    ...(type ? { type } : {}),
    notNull,
    primaryKey,
    unique: boolKw(kw, 'unique') ?? false,
    default: def,
    ...(fn ? { defaultFunction: fn } : {}),
    generatedStored: false,
    identity: false,
  };
}

function base(call: TSNode): Pick<ExtractedOp, 'line' | 'endLine' | 'via' | 'snippet'> {
  const first = call.text.split('\n')[0]!.trim();
  return {
    line: lineOf(call),
    endLine: endLineOf(call),
    via: 'alembic',
    snippet: first.length > 120 ? `${first.slice(0, 117)}…` : first,
  };
}

/** The `upgrade` function of the module. */
function upgradeFunction(file: SourceFile): TSNode | undefined {
  const root = file.tree()?.rootNode;
  for (const n of root?.namedChildren ?? []) {
    const fn = n?.type === 'decorated_definition' ? n.childForFieldName('definition') : n;
    if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === 'upgrade') return fn;
  }
  return undefined;
}

/** For a call inside `with …:` blocks: whether one of them is `autocommit_block()`, and a batch table alias. */
function withContext(call: TSNode): { autocommit: boolean; batch: Map<string, string> } {
  const batch = new Map<string, string>();
  let autocommit = false;
  for (let n = call.parent; n; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    for (const item of descendantsOfType(n.namedChildren[0] ?? n, 'with_item')) {
      const value = item.childForFieldName('value');
      const target = value?.type === 'as_pattern' ? value : undefined;
      const expr = target ? target.namedChildren[0] : value;
      if (expr?.type === 'call' && lastName(expr) === 'autocommit_block') autocommit = true;
      if (expr?.type === 'call' && lastName(expr) === 'batch_alter_table') {
        const alias = target?.namedChildren.find((c) => c?.type === 'as_pattern_target')?.text;
        const table = str(positionalArgs(expr)[0] ?? keywordArgs(expr).get('table_name'));
        if (alias && table) batch.set(alias, table);
      }
    }
  }
  return { autocommit, batch };
}

/** Operations of an Alembic revision's `upgrade()`. */
export function alembicOps(file: SourceFile): ExtractedOp[] {
  const fn = upgradeFunction(file);
  if (!fn) return [];
  const out: ExtractedOp[] = [];
  // `conn = op.get_bind()`: statements run through the connection are data migrations.
  const binds = new Set<string>();
  for (const a of descendantsOfType(fn, 'assignment')) {
    const right = a.childForFieldName('right');
    const left = a.childForFieldName('left');
    if (right?.type === 'call' && calleeName(right) === 'op.get_bind' && left?.type === 'identifier')
      binds.add(left.text);
  }
  for (const call of descendantsOfType(fn, 'call')) {
    const callee = calleeName(call);
    if (!callee) continue;
    const dot = callee.lastIndexOf('.');
    const receiver = dot === -1 ? '' : callee.slice(0, dot);
    const method = callee.slice(dot + 1);
    const ctx = withContext(call);
    if (binds.has(receiver) && method === 'execute') {
      out.push({
        ...base(call),
        kind: 'code-backfill',
        description: `${receiver}.execute(…)`,
        ...(ctx.autocommit ? { outsideTransaction: true } : {}),
      });
      continue;
    }
    const batchTable = ctx.batch.get(receiver);
    if (receiver !== 'op' && batchTable === undefined) continue;
    const args = positionalArgs(call);
    const kw = keywordArgs(call);
    // Batch operations take the table from the `with`; op.* takes it as the first argument.
    const tableArg = (i: number): string | undefined =>
      batchTable !== undefined ? batchTable : str(args[i] ?? kw.get('table_name'));
    const shift = batchTable !== undefined ? 0 : 1;
    const b = { ...base(call), ...(ctx.autocommit ? { outsideTransaction: true } : {}) };
    switch (method) {
      case 'create_table': {
        const table = str(args[0]);
        const columns = args
          .slice(1)
          .map(saColumn)
          .filter((c): c is ColumnSpec => !!c);
        if (table)
          out.push({
            ...b,
            kind: 'create-table',
            table,
            columns,
            primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name),
          });
        break;
      }
      case 'drop_table': {
        const table = str(args[0]);
        if (table) out.push({ ...b, kind: 'drop-table', table, objectType: 'table', cascade: false });
        break;
      }
      case 'rename_table': {
        const [from, to] = [str(args[0]), str(args[1])];
        if (from && to) out.push({ ...b, kind: 'rename-table', table: from, to });
        break;
      }
      case 'add_column': {
        const table = tableArg(0);
        const column = saColumn(args[shift]);
        if (table && column) out.push({ ...b, kind: 'add-column', table, column });
        break;
      }
      case 'drop_column': {
        const table = tableArg(0);
        const column = str(args[shift] ?? kw.get('column_name'));
        if (table && column) out.push({ ...b, kind: 'drop-column', table, column });
        break;
      }
      case 'alter_column': {
        const table = tableArg(0);
        const column = str(args[shift] ?? kw.get('column_name'));
        if (!table || !column) break;
        const newName = str(kw.get('new_column_name'));
        if (kw.has('type_')) {
          const type = saType(kw.get('type_'));
          const fromType = saType(kw.get('existing_type'));
          out.push({
            ...b,
            kind: 'alter-column-type',
            table,
            column,
            ...(type ? { type } : {}),
            using: kw.has('postgresql_using'),
            ...(fromType ? { fromType } : {}),
          });
        }
        // alter_column(nullable=False) always emits SET NOT NULL, whatever existing_nullable says.
        if (boolKw(kw, 'nullable') === false && boolKw(kw, 'existing_nullable') !== false) {
          out.push({ ...b, kind: 'set-not-null', table, column });
        }
        if (newName) out.push({ ...b, kind: 'rename-column', table, column, to: newName });
        break;
      }
      case 'create_index': {
        const name = str(args[0] ?? kw.get('index_name'));
        const table = batchTable ?? str(args[1] ?? kw.get('table_name'));
        const cols = args[batchTable !== undefined ? 1 : 2];
        if (!table) break;
        out.push({
          ...b,
          kind: 'create-index',
          table,
          ...(name ? { name } : {}),
          concurrent: boolKw(kw, 'postgresql_concurrently') ?? false,
          unique: boolKw(kw, 'unique') ?? false,
          columns: cols ? stringList(cols) : [],
        });
        break;
      }
      case 'drop_index': {
        const name = str(args[0] ?? kw.get('index_name'));
        if (name)
          out.push({ ...b, kind: 'drop-index', name, concurrent: boolKw(kw, 'postgresql_concurrently') ?? false });
        break;
      }
      case 'create_foreign_key': {
        const name = str(args[0]);
        const table = batchTable ?? str(args[1] ?? kw.get('source_table'));
        const referent = str(args[batchTable !== undefined ? 1 : 2] ?? kw.get('referent_table'));
        if (table) {
          out.push({
            ...b,
            kind: 'add-constraint',
            table,
            constraint: 'foreign-key',
            ...(name ? { name } : {}),
            notValid: boolKw(kw, 'postgresql_not_valid') ?? false,
            ...(referent ? { references: referent } : {}),
            columns: stringList(args[batchTable !== undefined ? 2 : 3]),
          });
        }
        break;
      }
      case 'create_check_constraint': {
        const name = str(args[0]);
        const table = batchTable ?? str(args[1] ?? kw.get('table_name'));
        if (table)
          out.push({
            ...b,
            kind: 'add-constraint',
            table,
            constraint: 'check',
            ...(name ? { name } : {}),
            notValid: boolKw(kw, 'postgresql_not_valid') ?? false,
            columns: [],
          });
        break;
      }
      case 'create_unique_constraint':
      case 'create_primary_key': {
        const name = str(args[0]);
        const table = batchTable ?? str(args[1] ?? kw.get('table_name'));
        const cols = stringList(args[batchTable !== undefined ? 1 : 2]);
        if (table) {
          out.push({
            ...b,
            kind: 'add-constraint',
            table,
            constraint: method === 'create_unique_constraint' ? 'unique' : 'primary-key',
            ...(name ? { name } : {}),
            notValid: false,
            columns: cols,
          });
        }
        break;
      }
      case 'execute': {
        const sqlNode = args[0];
        const text =
          str(sqlNode) ??
          (sqlNode?.type === 'call' && lastName(sqlNode) === 'text' ? str(positionalArgs(sqlNode)[0]) : undefined);
        if (text !== undefined) {
          const { ops } = embeddedSqlOps(text, lineOf(sqlNode!), file.path);
          for (const op of ops)
            out.push({ ...op, via: 'alembic', ...(ctx.autocommit ? { outsideTransaction: true } : {}) });
        } else {
          out.push({ ...b, kind: 'code-backfill', description: 'op.execute(…)' });
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}
