/**
 * What a Prisma schema asks of the database, and what a Prisma migrations folder builds, in one shape
 * (tables → columns with nullability, default presence and type family; indexes by columns), so
 * schema-without-migration can ask "do the head's migrations produce what the schema edit changed?"
 * instead of "did the pull request add some migration?".
 *
 * Names are the database's: `@@map`/`@map` applied, relation fields (no column) and `@updatedAt`
 * (set by the client, not the database) left out. Compared case-insensitively.
 */
import type { SourceFile } from '../../lang/source-file.js';
import { columnSpec, tableKey, typeName } from './sql-ops.js';

type Node = Record<string, any>;

export interface DbColumn {
  notNull: boolean;
  hasDefault: boolean;
  /** Type family (`text`, `int`, `bool`, `timestamp`, `numeric`, `json`, an enum name…); undefined when unknown. */
  family?: string;
  /** Where a schema declares it (1-based), for findings. */
  line?: number;
}

export interface DbTable {
  columns: Map<string, DbColumn>;
  line?: number;
  /** Index signature `u:a,b` / `i:a,b` (unique or not, columns in order). */
  indexes: Set<string>;
}

export type DbSchema = Map<string, DbTable>;

const PRISMA_SCALARS: Readonly<Record<string, string>> = {
  String: 'text',
  Int: 'int',
  BigInt: 'int',
  Boolean: 'bool',
  DateTime: 'timestamp',
  Float: 'float',
  Decimal: 'numeric',
  Json: 'json',
  Bytes: 'bytea',
};

/** Type family of a PostgreSQL type name as the SQL parser normalises it. */
export function sqlFamily(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const base = type.replace(/\(.*$/, '').replace(/\[\]$/, '');
  const array = type.endsWith('[]') ? '[]' : '';
  const f = /^(?:text|varchar|bpchar|char|character|citext|uuid|xml|inet|cidr)$/.test(base)
    ? 'text'
    : /^(?:int2|int4|int8|integer|smallint|bigint|serial|bigserial)$/.test(base)
      ? 'int'
      : /^(?:bool|boolean)$/.test(base)
        ? 'bool'
        : /^(?:timestamp|timestamptz|date|time|timetz)$/.test(base)
          ? 'timestamp'
          : /^(?:float4|float8|real|double)$/.test(base)
            ? 'float'
            : /^(?:numeric|decimal|money)$/.test(base)
              ? 'numeric'
              : /^(?:json|jsonb)$/.test(base)
                ? 'json'
                : base;
  return f + array;
}

const unquote = (s: string) => s.replace(/^"|"$/g, '');

/** The database schema a Prisma schema file declares. */
export function prismaDatabase(file: SourceFile): DbSchema {
  const lines = file.lines().map((l) => l.replace(/\/\/.*$/, '').trim());
  const enums = new Set<string>();
  const models = new Set<string>();
  for (const l of lines) {
    const m = /^(model|enum|view|type)\s+(\w+)\s*\{/.exec(l);
    if (m?.[1] === 'enum') enums.add(m[2]!);
    else if (m) models.add(m[2]!);
  }
  const out: DbSchema = new Map();
  let current:
    | {
        name: string;
        line: number;
        table: string;
        fields: Array<{ field: string; column: string; col: DbColumn; attrs: string }>;
        blockAttrs: string[];
        ignored: boolean;
      }
    | undefined;
  for (const [i, line] of lines.entries()) {
    if (!current) {
      const m = /^model\s+(\w+)\s*\{/.exec(line);
      if (m) current = { name: m[1]!, line: i + 1, table: m[1]!, fields: [], blockAttrs: [], ignored: false };
      continue;
    }
    if (line.startsWith('}')) {
      if (!current.ignored) out.set(current.table.toLowerCase(), modelTable(current));
      current = undefined;
      continue;
    }
    if (line === '') continue;
    if (line.startsWith('@@')) {
      if (line.startsWith('@@ignore')) current.ignored = true;
      const map = /^@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(line);
      if (map) current.table = map[1]!;
      current.blockAttrs.push(line);
      continue;
    }
    const f = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!f) continue;
    const [, field, type, list, optional, attrs = ''] = f as unknown as [
      string,
      string,
      string,
      string | undefined,
      string | undefined,
      string,
    ];
    const scalar = PRISMA_SCALARS[type];
    // Relation fields (a model type, or anything unknown, e.g. a model from another schema file) have no column.
    if (!scalar && !enums.has(type)) continue;
    if (/@ignore\b/.test(attrs)) continue;
    const map = /@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(attrs);
    const db = /@db\.(\w+)/.exec(attrs)?.[1];
    const family = (db ? sqlFamily(db.toLowerCase()) : (scalar ?? `enum:${type.toLowerCase()}`)) + (list ? '[]' : '');
    current.fields.push({
      field,
      column: map?.[1] ?? field,
      // cuid()/uuid()/nanoid()/ulid() defaults are filled in by the client: no database default.
      col: {
        line: i + 1,
        notNull: !optional && !list,
        hasDefault: /@default\((?!\s*(?:cuid|uuid|nanoid|ulid)\s*\()/.test(attrs),
        family,
      },
      attrs,
    });
  }
  return out;
}

function columnsOf(list: string, fields: Array<{ field: string; column: string }>): string[] {
  return list
    .split(',')
    .map((s) => s.trim().replace(/\(.*$/, ''))
    .filter(Boolean)
    .map((name) => (fields.find((f) => f.field === name)?.column ?? name).toLowerCase());
}

function modelTable(m: {
  line: number;
  fields: Array<{ field: string; column: string; col: DbColumn; attrs: string }>;
  blockAttrs: string[];
}): DbTable {
  const table: DbTable = { columns: new Map(), indexes: new Set(), line: m.line };
  for (const f of m.fields) {
    table.columns.set(f.column.toLowerCase(), f.col);
    if (/@unique\b/.test(f.attrs)) table.indexes.add(`u:${f.column.toLowerCase()}`);
  }
  for (const a of m.blockAttrs) {
    const idx = /^@@(unique|index)\(\s*(?:fields:\s*)?\[([^\]]*)\]/.exec(a);
    if (idx) table.indexes.add(`${idx[1] === 'unique' ? 'u' : 'i'}:${columnsOf(idx[2]!, m.fields).join(',')}`);
  }
  return table;
}

/** One database-level difference between two schemas. */
export interface DbChange {
  table: string;
  column?: string;
  /** What must hold after the migrations ran. */
  expect:
    | 'table'
    | 'no-table'
    | 'column'
    | 'no-column'
    | 'not-null'
    | 'nullable'
    | 'default'
    | 'no-default'
    | 'family'
    | 'index'
    | 'no-index';
  index?: string;
  family?: string;
  /** For messages: `Order.shippedAt added`. */
  label: string;
}

/** What changes in the database from `base` to `head`. */
export function databaseChanges(base: DbSchema, head: DbSchema): DbChange[] {
  const out: DbChange[] = [];
  for (const [name, h] of head) {
    const b = base.get(name);
    if (!b) {
      out.push({ table: name, expect: 'table', label: `table ${name} added` });
      continue;
    }
    for (const [col, hc] of h.columns) {
      const bc = b.columns.get(col);
      if (!bc) {
        out.push({ table: name, column: col, expect: 'column', label: `${name}.${col} added` });
        continue;
      }
      if (bc.notNull !== hc.notNull)
        out.push({
          table: name,
          column: col,
          expect: hc.notNull ? 'not-null' : 'nullable',
          label: `${name}.${col} made ${hc.notNull ? 'required' : 'optional'}`,
        });
      if (bc.hasDefault !== hc.hasDefault)
        out.push({
          table: name,
          column: col,
          expect: hc.hasDefault ? 'default' : 'no-default',
          label: `${name}.${col} default ${hc.hasDefault ? 'added' : 'removed'}`,
        });
      if (bc.family !== hc.family && hc.family)
        out.push({
          table: name,
          column: col,
          expect: 'family',
          family: hc.family,
          label: `${name}.${col} type changed`,
        });
    }
    for (const col of b.columns.keys())
      if (!h.columns.has(col))
        out.push({ table: name, column: col, expect: 'no-column', label: `${name}.${col} removed` });
    for (const i of h.indexes)
      if (!b.indexes.has(i))
        out.push({
          table: name,
          expect: 'index',
          index: i,
          label: `${i.startsWith('u:') ? 'unique ' : ''}index on ${name}(${i.slice(2)}) added`,
        });
    for (const i of b.indexes)
      if (!h.indexes.has(i))
        out.push({
          table: name,
          expect: 'no-index',
          index: i,
          label: `${i.startsWith('u:') ? 'unique ' : ''}index on ${name}(${i.slice(2)}) removed`,
        });
  }
  for (const name of base.keys())
    if (!head.has(name)) out.push({ table: name, expect: 'no-table', label: `table ${name} removed` });
  return out;
}

/** Whether the schema the migrations built satisfies one change (undefined: cannot tell). */
export function satisfied(built: DbSchema, c: DbChange): boolean | undefined {
  const t = built.get(c.table);
  const col = c.column ? t?.columns.get(c.column) : undefined;
  switch (c.expect) {
    case 'table':
      return !!t;
    case 'no-table':
      return !t;
    case 'column':
      return !!col;
    case 'no-column':
      return !!t && !col;
    case 'not-null':
      return col ? col.notNull : false;
    case 'nullable':
      return col ? !col.notNull : false;
    case 'default':
      return col ? col.hasDefault : false;
    case 'no-default':
      return col ? !col.hasDefault : false;
    case 'family': {
      if (!col) return false;
      if (!col.family || !c.family) return undefined;
      // Enums: the migration names the type itself ("Role" → role).
      const want = c.family.startsWith('enum:') ? c.family.slice(5) : c.family;
      return col.family === want || col.family === c.family;
    }
    case 'index':
      return !!t && t.indexes.has(c.index!);
    case 'no-index':
      return !!t && !t.indexes.has(c.index!);
  }
}

/**
 * Replays SQL migration files (in apply order) into the schema they build. Statements it does not
 * model are skipped; `uncertain` is set when a file could not be parsed.
 */
export function replaySql(files: readonly SourceFile[]): { schema: DbSchema; uncertain: boolean } {
  const schema: DbSchema = new Map();
  const indexTable = new Map<string, { table: string; sig: string }>();
  const constraintIndex = new Map<string, { table: string; sig: string }>();
  let uncertain = false;
  const tbl = (rel: Node | undefined) => unquote(tableKey(rel)).toLowerCase().split('.').pop()!;
  const ensure = (name: string) => {
    let t = schema.get(name);
    if (!t) {
      t = { columns: new Map(), indexes: new Set() };
      schema.set(name, t);
    }
    return t;
  };
  const addColumn = (t: DbTable, def: Node) => {
    const spec = columnSpec(def);
    t.columns.set(spec.name.toLowerCase(), {
      notNull: spec.notNull,
      hasDefault: spec.default !== 'none',
      ...(spec.type ? { family: sqlFamily(spec.type)! } : {}),
    });
    if (spec.unique) t.indexes.add(`u:${spec.name.toLowerCase()}`);
  };
  const keys = (list: Node[] | undefined) =>
    (list ?? []).map((k) => String(k.String?.sval ?? '').toLowerCase()).join(',');
  const addConstraint = (table: string, t: DbTable, con: Node) => {
    if (con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY') {
      const sig = `u:${keys(con.keys)}`;
      if (con.contype === 'CONSTR_UNIQUE') t.indexes.add(sig);
      for (const k of (con.keys as Node[] | undefined) ?? []) {
        const c = t.columns.get(String(k.String?.sval ?? '').toLowerCase());
        if (c && con.contype === 'CONSTR_PRIMARY') c.notNull = true;
      }
      if (con.conname) constraintIndex.set(String(con.conname).toLowerCase(), { table, sig });
    }
  };
  for (const file of files) {
    const parse = file.sql();
    if (!parse) continue;
    if (parse.error) uncertain = true;
    for (const s of parse.statements) {
      const stmt = s.stmt as Node;
      if (stmt.CreateStmt) {
        const name = tbl(stmt.CreateStmt.relation);
        const t = ensure(name);
        for (const el of (stmt.CreateStmt.tableElts as Node[] | undefined) ?? []) {
          if (el.ColumnDef) addColumn(t, el.ColumnDef);
          else if (el.Constraint) addConstraint(name, t, el.Constraint);
        }
      } else if (stmt.AlterTableStmt) {
        const name = tbl(stmt.AlterTableStmt.relation);
        const t = ensure(name);
        for (const c of (stmt.AlterTableStmt.cmds as Node[] | undefined) ?? []) {
          const cmd = c.AlterTableCmd as Node | undefined;
          if (!cmd) continue;
          const col = typeof cmd.name === 'string' ? t.columns.get(cmd.name.toLowerCase()) : undefined;
          switch (cmd.subtype) {
            case 'AT_AddColumn':
              if (cmd.def?.ColumnDef) addColumn(t, cmd.def.ColumnDef);
              break;
            case 'AT_DropColumn':
              t.columns.delete(String(cmd.name).toLowerCase());
              break;
            case 'AT_SetNotNull':
              if (col) col.notNull = true;
              break;
            case 'AT_DropNotNull':
              if (col) col.notNull = false;
              break;
            case 'AT_ColumnDefault':
              if (col) col.hasDefault = !!cmd.def;
              break;
            case 'AT_AlterColumnType': {
              const ty = typeName(cmd.def?.ColumnDef?.typeName);
              if (col && ty) col.family = sqlFamily(ty)!;
              break;
            }
            case 'AT_AddConstraint':
              if (cmd.def?.Constraint) addConstraint(name, t, cmd.def.Constraint);
              break;
            case 'AT_DropConstraint': {
              const known = constraintIndex.get(String(cmd.name).toLowerCase());
              if (known) schema.get(known.table)?.indexes.delete(known.sig);
              break;
            }
            default:
              break;
          }
        }
      } else if (stmt.IndexStmt) {
        const name = tbl(stmt.IndexStmt.relation);
        const cols = ((stmt.IndexStmt.indexParams as Node[] | undefined) ?? [])
          .map((p) => String(p.IndexElem?.name ?? '?').toLowerCase())
          .join(',');
        const sig = `${stmt.IndexStmt.unique ? 'u' : 'i'}:${cols}`;
        ensure(name).indexes.add(sig);
        if (stmt.IndexStmt.idxname) indexTable.set(String(stmt.IndexStmt.idxname).toLowerCase(), { table: name, sig });
      } else if (stmt.DropStmt) {
        const type = stmt.DropStmt.removeType;
        for (const o of (stmt.DropStmt.objects as Node[] | undefined) ?? []) {
          const parts = ((o.List?.items as Node[] | undefined) ?? []).map((i) => String(i.String?.sval ?? ''));
          const last = (parts[parts.length - 1] ?? '').toLowerCase();
          if (type === 'OBJECT_TABLE') schema.delete(last);
          if (type === 'OBJECT_INDEX') {
            const known = indexTable.get(last);
            if (known) schema.get(known.table)?.indexes.delete(known.sig);
          }
        }
      } else if (stmt.RenameStmt) {
        const r = stmt.RenameStmt;
        const newname = String(r.newname ?? '').toLowerCase();
        if (r.renameType === 'OBJECT_TABLE') {
          const from = tbl(r.relation);
          const t = schema.get(from);
          if (t) {
            schema.delete(from);
            schema.set(newname, t);
          }
        } else if (r.renameType === 'OBJECT_COLUMN') {
          const t = schema.get(tbl(r.relation));
          const old = String(r.subname ?? '').toLowerCase();
          const c = t?.columns.get(old);
          if (t && c) {
            t.columns.delete(old);
            t.columns.set(newname, c);
            // Indexes follow the renamed column.
            for (const sig of [...t.indexes]) {
              const [kind, cols] = [sig.slice(0, 2), sig.slice(2).split(',')];
              if (cols.includes(old)) {
                t.indexes.delete(sig);
                t.indexes.add(kind + cols.map((x) => (x === old ? newname : x)).join(','));
              }
            }
          }
        } else if (r.renameType === 'OBJECT_INDEX') {
          const old = tbl(r.relation);
          const known = indexTable.get(old);
          if (known) {
            indexTable.delete(old);
            indexTable.set(newname, known);
          }
        }
      }
    }
  }
  return { schema, uncertain };
}
