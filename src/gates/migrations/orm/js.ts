/**
 * JavaScript/TypeScript migrations → operations: Knex (`up(knex)` with the schema builder),
 * TypeORM (`up(queryRunner)`: `queryRunner.query("…")` and the QueryRunner API), Sequelize
 * (`up(queryInterface, Sequelize)`: the QueryInterface API), db-migrate (`exports.up = (db, cb) =>
 * db.runSql(…)` and its builder), Kysely (`db.schema.…execute()`, ``sql`…`.execute(db)``) and slonik-style
 * alteration scripts (`pool.query(sql`…`)`). Only the `up` function is read; `down` never.
 *
 * The library is decided by imports (`typeorm`, `sequelize`, `knex`, `kysely`, `slonik`), then by what
 * the `up` function calls on its parameter (`db.runSql` is db-migrate's, whatever the file name says),
 * then by the classic parameter names, then by the file name convention (layout.ts).
 */
import type { Node as TSNode } from 'web-tree-sitter';
import {
  calleeName,
  descendantsOfType,
  endLineOf,
  importsOf,
  lineOf,
  objectProps,
  positionalArgs,
  stringValue,
  templateParts,
} from '../../../lang/ts-helpers.js';
import type { SourceFile } from '../../../lang/source-file.js';
import type { MigrationTool, TransactionMode } from '../layout.js';
import type { ColumnSpec, DefaultKind } from '../ops.js';
import type { ExtractedOp } from '../plan.js';
import { embeddedSqlOps, sqlDefaultKind } from '../plan.js';

type Via = 'knex' | 'typeorm' | 'sequelize' | 'db-migrate' | 'kysely' | 'slonik';

function firstParamName(fn: TSNode): string | undefined {
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!params) return undefined;
  if (params.type === 'identifier') return params.text;
  const first = params.namedChildren.find((c) => c !== null && c.type !== 'comment');
  if (!first) return undefined;
  const pattern = first.childForFieldName('pattern') ?? first;
  return pattern.type === 'identifier' ? pattern.text : undefined;
}

const FUNCTION_TYPES = new Set([
  'function_expression',
  'function',
  'arrow_function',
  'function_declaration',
  'method_definition',
  'generator_function',
]);

/** Every function the module exports or defines as `up` (Knex/Sequelize module shapes, TypeORM class method). */
function upFunctions(root: TSNode): TSNode[] {
  const out: TSNode[] = [];
  for (const n of descendantsOfType(root, [
    'method_definition',
    'function_declaration',
    'variable_declarator',
    'pair',
    'assignment_expression',
  ])) {
    switch (n.type) {
      case 'method_definition':
      case 'function_declaration':
        if (n.childForFieldName('name')?.text === 'up') out.push(n);
        break;
      case 'variable_declarator': {
        const value = n.childForFieldName('value');
        if (n.childForFieldName('name')?.text === 'up' && value && FUNCTION_TYPES.has(value.type)) out.push(value);
        break;
      }
      case 'pair': {
        const value = n.childForFieldName('value');
        if (n.childForFieldName('key')?.text === 'up' && value && FUNCTION_TYPES.has(value.type)) out.push(value);
        break;
      }
      case 'assignment_expression': {
        const left = n.childForFieldName('left')?.text;
        const right = n.childForFieldName('right');
        if ((left === 'exports.up' || left === 'module.exports.up') && right && FUNCTION_TYPES.has(right.type))
          out.push(right);
        break;
      }
    }
  }
  return out;
}

/** db-migrate's driver API (`db.runSql`, `db.createTable`, …), as called on the `up` function's first parameter. */
const DB_MIGRATE_METHODS = new Set([
  'runSql',
  'all',
  'createTable',
  'addColumn',
  'removeColumn',
  'renameColumn',
  'changeColumn',
  'addIndex',
  'removeIndex',
  'dropTable',
  'renameTable',
  'addForeignKey',
  'removeForeignKey',
  'insert',
]);

function callsOnParam(fn: TSNode, param: string): Set<string> {
  const out = new Set<string>();
  for (const call of descendantsOfType(fn, 'call_expression')) {
    const m = methodOf(call);
    if (m?.receiver?.type === 'identifier' && m.receiver.text === param) out.add(m.method);
  }
  return out;
}

function libraryOf(root: TSNode, ups: TSNode[], fallback: MigrationTool): Via | undefined {
  const imports = importsOf(root);
  if (imports.has('typeorm')) return 'typeorm';
  if (imports.has('sequelize') || imports.has('sequelize-typescript') || imports.has('@sequelize/core'))
    return 'sequelize';
  if (imports.has('knex')) return 'knex';
  if (imports.has('kysely')) return 'kysely';
  if (imports.has('slonik') || [...imports.keys()].some((m) => m.endsWith('/alteration') || m.includes('slonik')))
    return 'slonik';
  const param = ups[0] ? firstParamName(ups[0]) : undefined;
  if (param === 'queryRunner') return 'typeorm';
  if (param === 'queryInterface') return 'sequelize';
  if (param === 'knex') return 'knex';
  // db-migrate names files like Sequelize (`20141020151056-initial-schema.js`); its API does not.
  if (
    param &&
    ups[0] &&
    [...callsOnParam(ups[0], param)].some((m) => DB_MIGRATE_METHODS.has(m)) &&
    !callsOnParam(ups[0], param).has('schema')
  ) {
    if (fallback !== 'slonik') return 'db-migrate';
  }
  if (fallback === 'slonik') return 'slonik';
  return fallback === 'typeorm' || fallback === 'sequelize' || fallback === 'knex' ? fallback : undefined;
}

/** `config = { transaction: false }` (Knex) or a class field `transaction = false` (TypeORM). */
function disablesTransaction(root: TSNode): boolean {
  for (const n of descendantsOfType(root, [
    'variable_declarator',
    'assignment_expression',
    'public_field_definition',
    'field_definition',
  ])) {
    if (n.type === 'public_field_definition' || n.type === 'field_definition') {
      const name = (n.childForFieldName('name') ?? n.childForFieldName('property'))?.text;
      if (name === 'transaction' && n.childForFieldName('value')?.type === 'false') return true;
      continue;
    }
    const left =
      n.type === 'variable_declarator' ? n.childForFieldName('name')?.text : n.childForFieldName('left')?.text;
    const value = n.type === 'variable_declarator' ? n.childForFieldName('value') : n.childForFieldName('right');
    if (
      (left === 'config' || left === 'exports.config' || left === 'module.exports.config') &&
      value?.type === 'object'
    ) {
      if (objectProps(value).get('transaction')?.type === 'false') return true;
    }
  }
  return false;
}

function str(node: TSNode | undefined): string | undefined {
  return node ? stringValue(node) : undefined;
}

/** SQL text of a string or template literal; `${…}` become placeholder identifiers so the rest parses. */
function sqlText(node: TSNode | undefined): string | undefined {
  if (!node) return undefined;
  const parts = templateParts(node);
  if (!parts) return undefined;
  let out = parts.strings[0] ?? '';
  for (let i = 1; i < parts.strings.length; i++) out += `__expr${i}` + parts.strings[i];
  return out;
}

function base(call: TSNode, via: Via): Pick<ExtractedOp, 'line' | 'endLine' | 'via' | 'snippet'> {
  const first = call.text.split('\n')[0]!.trim();
  return {
    line: lineOf(call),
    endLine: endLineOf(call),
    via,
    snippet: first.length > 120 ? `${first.slice(0, 117)}…` : first,
  };
}

function methodOf(call: TSNode): { receiver: TSNode | null; method: string } | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'member_expression') return undefined;
  return { receiver: fn.childForFieldName('object'), method: fn.childForFieldName('property')?.text ?? '' };
}

/** `t.string('x').notNullable().alter()` → the methods chained after the base call, outermost last. */
function chainAfter(call: TSNode): { methods: Array<{ name: string; call: TSNode }>; outer: TSNode } {
  const methods: Array<{ name: string; call: TSNode }> = [];
  let current = call;
  for (;;) {
    const member = current.parent;
    const outer = member?.parent;
    if (
      member?.type !== 'member_expression' ||
      member.childForFieldName('object')?.id !== current.id ||
      outer?.type !== 'call_expression'
    )
      break;
    methods.push({ name: member.childForFieldName('property')?.text ?? '', call: outer });
    current = outer;
  }
  return { methods, outer: current };
}

const KNEX_TYPES: Readonly<Record<string, string>> = {
  text: 'text',
  integer: 'int4',
  bigInteger: 'int8',
  bigint: 'int8',
  tinyint: 'int2',
  smallint: 'int2',
  boolean: 'bool',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  date: 'date',
  datetime: 'timestamptz',
  timestamp: 'timestamptz',
  time: 'time',
  float: 'float4',
  double: 'float8',
  binary: 'bytea',
  enu: 'text',
  enum: 'text',
  specificType: '',
  increments: 'int4',
  bigIncrements: 'int8',
};

function knexType(method: string, args: TSNode[]): string | undefined {
  if (method === 'string') {
    const len = args[1];
    return `varchar(${len?.type === 'number' ? len.text : '255'})`;
  }
  if (method === 'decimal') {
    const p = args[1]?.type === 'number' ? args[1].text : '8';
    const s = args[2]?.type === 'number' ? args[2].text : '2';
    return `numeric(${p},${s})`;
  }
  if (method === 'specificType') return str(args[1])?.toLowerCase();
  const t = KNEX_TYPES[method];
  return t === undefined || t === '' ? undefined : t;
}

function knexDefault(node: TSNode | undefined, knexName: string): { kind: DefaultKind; fn?: string } {
  if (!node) return { kind: 'none' };
  if (node.type === 'call_expression') {
    const callee = calleeName(node) ?? '';
    if (callee === `${knexName}.fn.now` || callee.endsWith('.fn.now')) return { kind: 'constant' };
    if (callee === `${knexName}.fn.uuid` || callee.endsWith('.fn.uuid'))
      return { kind: 'volatile', fn: 'gen_random_uuid' };
    if (callee.endsWith('.raw')) {
      const text = str(positionalArgs(node)[0]);
      return text !== undefined ? sqlDefaultKind(text) : { kind: 'unknown-function' };
    }
    return { kind: 'unknown-function' };
  }
  return { kind: 'constant' };
}

/** Knex `createTable`/`alterTable`/`table` callbacks: builder calls on the callback's parameter. */
function knexBuilder(
  callback: TSNode,
  table: string,
  creating: boolean,
  knexName: string,
  out: ExtractedOp[],
): ColumnSpec[] {
  const t = firstParamName(callback);
  const columns: ColumnSpec[] = [];
  if (!t) return columns;
  for (const call of descendantsOfType(callback, 'call_expression')) {
    const m = methodOf(call);
    if (!m || m.receiver?.type !== 'identifier' || m.receiver.text !== t) continue;
    const args = positionalArgs(call);
    const { methods, outer } = chainAfter(call);
    const b = base(outer, 'knex');
    const has = (name: string) => methods.some((x) => x.name === name);
    switch (m.method) {
      case 'dropColumn':
      case 'dropColumns':
        for (const a of args) {
          const c = str(a);
          if (c) out.push({ ...b, kind: 'drop-column', table, column: c });
        }
        continue;
      case 'renameColumn': {
        const [from, to] = [str(args[0]), str(args[1])];
        if (from && to) out.push({ ...b, kind: 'rename-column', table, column: from, to });
        continue;
      }
      case 'index':
      case 'unique':
      case 'primary': {
        const cols =
          args[0]?.type === 'array'
            ? args[0].namedChildren.map((c) => (c ? (str(c) ?? '?') : '?'))
            : args[0]
              ? [str(args[0]) ?? '?']
              : [];
        if (m.method === 'index')
          out.push({ ...b, kind: 'create-index', table, concurrent: false, unique: false, columns: cols });
        else
          out.push({
            ...b,
            kind: 'add-constraint',
            table,
            constraint: m.method === 'unique' ? 'unique' : 'primary-key',
            notValid: false,
            columns: cols,
          });
        continue;
      }
      case 'foreign': {
        const cols =
          args[0]?.type === 'array'
            ? args[0].namedChildren.map((c) => (c ? (str(c) ?? '?') : '?'))
            : [str(args[0]) ?? '?'];
        const inTable = methods.find((x) => x.name === 'inTable');
        const ref = inTable ? str(positionalArgs(inTable.call)[0]) : undefined;
        out.push({
          ...b,
          kind: 'add-constraint',
          table,
          constraint: 'foreign-key',
          notValid: false,
          ...(ref ? { references: ref } : {}),
          columns: cols,
        });
        continue;
      }
      case 'dropIndex': {
        const name = str(args[1]) ?? (args[0] ? str(args[0]) : undefined) ?? `${table} index`;
        out.push({ ...b, kind: 'drop-index', name, concurrent: false });
        continue;
      }
      case 'dropNullable': {
        const c = str(args[0]);
        if (c) out.push({ ...b, kind: 'set-not-null', table, column: c });
        continue;
      }
      case 'timestamps': {
        // timestamps(useTimestamps, defaultToNow): created_at/updated_at, NOT NULL DEFAULT now() when asked.
        const defaultNow = args[1]?.type === 'true';
        for (const name of ['created_at', 'updated_at']) {
          const spec: ColumnSpec = {
            name,
            type: 'timestamptz',
            notNull: defaultNow,
            primaryKey: false,
            unique: false,
            default: defaultNow ? 'constant' : 'none',
            generatedStored: false,
            identity: false,
          };
          if (creating) columns.push(spec);
          else out.push({ ...b, kind: 'add-column', table, column: spec });
        }
        continue;
      }
      default:
        break;
    }
    const name = str(args[0]);
    const type = knexType(m.method, args);
    if (!name || (type === undefined && !(m.method in KNEX_TYPES))) continue;
    const serial = m.method === 'increments' || m.method === 'bigIncrements';
    const defaultTo = methods.find((x) => x.name === 'defaultTo');
    const d = serial
      ? { kind: 'volatile' as const, fn: 'nextval' }
      : knexDefault(defaultTo ? positionalArgs(defaultTo.call)[0] : undefined, knexName);
    const spec: ColumnSpec = {
      name,
      ...(type ? { type } : {}),
      notNull: has('notNullable') || serial || has('primary'),
      primaryKey: serial || has('primary'),
      unique: has('unique'),
      default: d.kind,
      ...(d.fn ? { defaultFunction: d.fn } : {}),
      generatedStored: false,
      identity: serial,
    };
    if (has('alter')) {
      // Knex `.alter()` always re-declares the type, then nullability.
      out.push({ ...b, kind: 'alter-column-type', table, column: name, ...(type ? { type } : {}), using: true });
      if (has('notNullable')) out.push({ ...b, kind: 'set-not-null', table, column: name });
      continue;
    }
    if (creating) {
      columns.push(spec);
      continue;
    }
    out.push({ ...b, kind: 'add-column', table, column: { ...spec, unique: false } });
    if (has('unique'))
      out.push({ ...b, kind: 'add-constraint', table, constraint: 'unique', notValid: false, columns: [name] });
    if (has('index'))
      out.push({ ...b, kind: 'create-index', table, concurrent: false, unique: false, columns: [name] });
    const inTable = methods.find((x) => x.name === 'inTable');
    const references = methods.find((x) => x.name === 'references');
    if (references) {
      const target = inTable
        ? str(positionalArgs(inTable.call)[0])
        : str(positionalArgs(references.call)[0])?.split('.')[0];
      out.push({
        ...b,
        kind: 'add-constraint',
        table,
        constraint: 'foreign-key',
        notValid: false,
        ...(target ? { references: target } : {}),
        columns: [name],
      });
    }
  }
  return columns;
}

/** Sequelize `DataTypes`: `Sequelize.STRING(100)`, `DataTypes.INTEGER`, `Sequelize.DECIMAL(10, 2)` → normalised PostgreSQL type. */
function sequelizeType(node: TSNode | undefined): string | undefined {
  if (!node) return undefined;
  const call = node.type === 'call_expression' ? node : undefined;
  const name = (
    call ? calleeName(call) : node.type === 'member_expression' || node.type === 'identifier' ? node.text : undefined
  )
    ?.split('.')
    .pop();
  const args = call ? positionalArgs(call) : [];
  const n = (i: number) => (args[i]?.type === 'number' ? args[i]!.text : undefined);
  switch (name) {
    case 'STRING':
      return `varchar(${n(0) ?? '255'})`;
    case 'CHAR':
      return `char(${n(0) ?? '255'})`;
    case 'TEXT':
    case 'CITEXT':
      return name === 'TEXT' ? 'text' : 'citext';
    case 'INTEGER':
      return 'int4';
    case 'BIGINT':
      return 'int8';
    case 'SMALLINT':
      return 'int2';
    case 'BOOLEAN':
      return 'bool';
    case 'DATE':
      return 'timestamptz';
    case 'DATEONLY':
      return 'date';
    case 'UUID':
      return 'uuid';
    case 'JSON':
      return 'json';
    case 'JSONB':
      return 'jsonb';
    case 'FLOAT':
    case 'REAL':
      return 'float4';
    case 'DOUBLE':
      return 'float8';
    case 'DECIMAL':
      return n(0) ? `numeric(${n(0)},${n(1) ?? '0'})` : 'numeric';
    case 'ARRAY': {
      const inner = sequelizeType(args[0]);
      return inner ? `${inner}[]` : undefined;
    }
    default:
      return undefined;
  }
}

/** TypeORM `new TableColumn({ name, type, isNullable, default })` / Sequelize `{ type, allowNull, defaultValue }`. */
function objectColumn(name: string | undefined, obj: TSNode | undefined, via: Via): ColumnSpec | undefined {
  let o = obj;
  if (o?.type === 'new_expression') o = positionalArgs(o)[0];
  if (!o || o.type !== 'object') return undefined;
  const props = objectProps(o);
  const colName = name ?? str(props.get('name'));
  if (!colName) return undefined;
  const nullable = props.get(via === 'typeorm' ? 'isNullable' : 'allowNull');
  const primary = props.get(via === 'typeorm' ? 'isPrimary' : 'primaryKey')?.type === 'true';
  const def = props.get(via === 'typeorm' ? 'default' : 'defaultValue');
  let d: { kind: DefaultKind; fn?: string } = { kind: 'none' };
  if (def) {
    const text = str(def);
    // TypeORM defaults are SQL expressions given as strings ("now()", "gen_random_uuid()", "'x'").
    if (via === 'typeorm' && text !== undefined) d = sqlDefaultKind(text);
    else if (def.type === 'call_expression' && (calleeName(def) ?? '').endsWith('.literal'))
      d = sqlDefaultKind(str(positionalArgs(def)[0]) ?? '');
    else if (def.type === 'member_expression' && /(?:^|\.)(?:UUIDV4|UUIDV1)$/.test(def.text)) d = { kind: 'constant' };
    else if (def.type === 'member_expression' && /(?:^|\.)NOW$/.test(def.text)) d = { kind: 'constant' };
    else d = { kind: 'constant' };
  }
  const notNull = via === 'typeorm' ? nullable?.type !== 'true' && !!nullable : nullable?.type === 'false';
  const type = via === 'sequelize' ? sequelizeType(props.get('type')) : undefined;
  return {
    name: colName,
    ...(type ? { type } : {}),
    notNull: notNull || primary,
    primaryKey: primary,
    unique: props.get('unique')?.type === 'true' || props.get('isUnique')?.type === 'true',
    default: d.kind,
    ...(d.fn ? { defaultFunction: d.fn } : {}),
    generatedStored: false,
    identity: props.get('autoIncrement')?.type === 'true' || str(props.get('generationStrategy')) === 'increment',
  };
}

/**
 * `renameColumn(table, from, to)`, `dropTable(table)`, `renameTable(table, to)`: the same positional
 * signature in Sequelize's and TypeORM's query interface and in db-migrate.
 */
function pushPositionalTableOp(
  method: 'renameColumn' | 'dropTable' | 'renameTable',
  table: string | undefined,
  args: TSNode[],
  b: Pick<ExtractedOp, 'line' | 'endLine' | 'via' | 'snippet'>,
  out: ExtractedOp[],
): void {
  if (!table) return;
  if (method === 'dropTable') {
    out.push({ ...b, kind: 'drop-table', table, objectType: 'table', cascade: false });
    return;
  }
  if (method === 'renameTable') {
    const to = str(args[1]);
    if (to) out.push({ ...b, kind: 'rename-table', table, to });
    return;
  }
  const [from, to] = [str(args[1]), str(args[2])];
  if (from && to) out.push({ ...b, kind: 'rename-column', table, column: from, to });
}

function pushEmbedded(node: TSNode | undefined, path: string, via: Via, out: ExtractedOp[]): void {
  const text = sqlText(node);
  if (text === undefined || !node) return;
  const { ops } = embeddedSqlOps(text, lineOf(node), path);
  for (const op of ops) out.push({ ...op, via });
}

function objectColumnNames(node: TSNode | undefined): string[] {
  if (!node) return [];
  if (node.type === 'array') return node.namedChildren.map((c) => (c ? (str(c) ?? '?') : '?'));
  const s = str(node);
  return s ? [s] : [];
}

/** Operations of a JS/TS migration, its library and transaction mode. */
export function jsOps(
  file: SourceFile,
  fallback: MigrationTool,
): { ops: ExtractedOp[]; tool?: MigrationTool; mode?: TransactionMode } {
  const root = file.tree()?.rootNode;
  if (!root) return { ops: [] };
  const ups = upFunctions(root);
  const via = libraryOf(root, ups, fallback);
  if (!via) return { ops: [] };
  if (via === 'db-migrate') return { ops: ups.flatMap((fn) => dbMigrateOps(fn, file.path)), tool: 'db-migrate' };
  if (via === 'kysely') return { ops: ups.flatMap((fn) => kyselyOps(fn, file.path)), tool: 'kysely' };
  if (via === 'slonik')
    return {
      ops: ups.flatMap((fn) =>
        taggedSqlOps(fn, file.path, 'slonik', (call) =>
          /\.(?:query|any|many|one|maybeOne|exists|oneFirst|manyFirst|anyFirst|maybeOneFirst)$/.test(
            calleeName(call) ?? '',
          ),
        ),
      ),
      tool: 'slonik',
    };
  const mode: TransactionMode | undefined =
    (via === 'knex' || via === 'typeorm') && disablesTransaction(root) ? 'explicit' : undefined;
  const out: ExtractedOp[] = [];
  for (const fn of ups) {
    const p = firstParamName(fn) ?? (via === 'knex' ? 'knex' : via === 'typeorm' ? 'queryRunner' : 'queryInterface');
    for (const call of descendantsOfType(fn, 'call_expression')) {
      const callee = calleeName(call) ?? '';
      const args = positionalArgs(call);
      const b = base(call, via);
      const m = methodOf(call);
      // Raw SQL: queryRunner.query, sequelize.query, knex.raw, knex.schema.raw.
      if (
        m &&
        (m.method === 'query' || m.method === 'raw') &&
        (callee.startsWith(`${p}.`) || callee.endsWith('sequelize.query'))
      ) {
        // A raw() that is a default or part of a builder call is handled by the builder.
        if (m.method === 'raw' && call.parent?.type === 'arguments' && !callee.startsWith(`${p}.schema`)) {
          const outerCall = call.parent.parent;
          const outerName = outerCall ? (calleeName(outerCall) ?? '') : '';
          if (!outerName.endsWith('.raw') && !outerName.endsWith('.query')) continue;
        }
        pushEmbedded(args[0], file.path, via, out);
        continue;
      }
      if (via === 'knex') {
        const schemaCall =
          new RegExp(`^${p}\\.schema(?:\\.withSchema)?\\.(\\w+)$`).exec(callee) ??
          (m && callee.includes('.schema.') ? [callee, m.method] : null);
        if (schemaCall) {
          const method = schemaCall[1]!;
          const table = str(args[0]);
          if (!table) continue;
          if (method === 'createTable' || method === 'createTableIfNotExists') {
            const cb = args[1] && FUNCTION_TYPES.has(args[1].type) ? args[1] : undefined;
            const nested: ExtractedOp[] = [];
            const columns = cb ? knexBuilder(cb, table, true, p, nested) : [];
            out.push({
              ...b,
              kind: 'create-table',
              table,
              columns,
              primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name),
            });
            out.push(...nested);
          } else if (method === 'alterTable' || method === 'table') {
            const cb = args[1] && FUNCTION_TYPES.has(args[1].type) ? args[1] : undefined;
            if (cb) knexBuilder(cb, table, false, p, out);
          } else if (method === 'dropTable' || method === 'dropTableIfExists') {
            out.push({ ...b, kind: 'drop-table', table, objectType: 'table', cascade: false });
          } else if (method === 'renameTable') {
            const to = str(args[1]);
            if (to) out.push({ ...b, kind: 'rename-table', table, to });
          }
          continue;
        }
        // knex('t').update(…) / knex('t').where(…).update(…): a data backfill.
        if (m && (m.method === 'update' || m.method === 'del' || m.method === 'delete')) {
          let root: TSNode | null = m.receiver;
          let hasWhere = false;
          while (root?.type === 'call_expression') {
            const inner = methodOf(root);
            if (!inner) break;
            if (/^(?:where|whereIn|whereNull|whereNotNull)/.test(inner.method)) hasWhere = true;
            root = inner.receiver;
          }
          const base0 = root?.type === 'call_expression' ? root : m.receiver;
          if (base0?.type === 'call_expression' && calleeName(base0) === p) {
            const table = str(positionalArgs(base0)[0]) ?? '?';
            out.push({
              ...b,
              kind: 'dml',
              verb: m.method === 'update' ? 'update' : 'delete',
              table,
              hasWhere,
              literals: [],
            });
          }
        }
        continue;
      }
      if (!m || m.receiver?.text !== p) continue;
      const table = str(args[0]);
      switch (m.method) {
        case 'dropColumn':
        case 'removeColumn': {
          const column =
            str(args[1]) ??
            (args[1]?.type === 'new_expression'
              ? str(objectProps(positionalArgs(args[1])[0]!).get('name'))
              : undefined);
          if (table && column) out.push({ ...b, kind: 'drop-column', table, column });
          break;
        }
        case 'renameColumn':
        case 'dropTable':
        case 'renameTable':
          pushPositionalTableOp(m.method, table, args, b, out);
          break;
        case 'createTable': {
          const name =
            table ??
            (args[0]?.type === 'new_expression'
              ? str(objectProps(positionalArgs(args[0])[0]!).get('name'))
              : undefined);
          // Sequelize createTable(name, { attr: { type, allowNull, … } }): the columns, so that a later
          // changeColumn can be compared with what the table was created with.
          const columns: ColumnSpec[] = [];
          if (via === 'sequelize' && args[1]?.type === 'object') {
            for (const [attr, spec] of objectProps(args[1])) {
              const c = spec.type === 'object' ? objectColumn(attr, spec, via) : undefined;
              if (c) columns.push(c);
            }
          }
          if (name)
            out.push({
              ...b,
              kind: 'create-table',
              table: name,
              columns,
              primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name),
            });
          break;
        }
        case 'addColumn': {
          const column =
            via === 'typeorm' ? objectColumn(undefined, args[1], via) : objectColumn(str(args[1]), args[2], via);
          if (table && column) out.push({ ...b, kind: 'add-column', table, column });
          break;
        }
        case 'changeColumn': {
          // Sequelize changeColumn re-declares the type and nullability, changed or not: the rules compare
          // both with what the history declared (an unchanged type is no rewrite, NOT NULL on a column that
          // is already NOT NULL is no scan).
          const column = str(args[1]);
          const spec = via === 'sequelize' ? objectColumn(column, args[2], via) : undefined;
          if (table && column) {
            out.push({
              ...b,
              kind: 'alter-column-type',
              table,
              column,
              ...(spec?.type ? { type: spec.type } : {}),
              ...(spec ? { notNull: spec.notNull } : {}),
              using: false,
            });
            if (spec?.notNull) out.push({ ...b, kind: 'set-not-null', table, column });
          }
          break;
        }
        case 'addIndex':
        case 'createIndex': {
          let concurrent = false;
          let unique = false;
          let columns: string[] = [];
          if (via === 'sequelize') {
            columns = objectColumnNames(args[1]);
            const opts =
              args[2]?.type === 'object'
                ? objectProps(args[2])
                : args[1]?.type === 'object'
                  ? objectProps(args[1])
                  : new Map<string, TSNode>();
            concurrent = opts.get('concurrently')?.type === 'true';
            unique = opts.get('unique')?.type === 'true';
            if (columns.length === 0) columns = objectColumnNames(opts.get('fields'));
          } else {
            const idx = args[1]?.type === 'new_expression' ? positionalArgs(args[1])[0] : args[1];
            const props = idx?.type === 'object' ? objectProps(idx) : new Map<string, TSNode>();
            unique = props.get('isUnique')?.type === 'true';
            columns = objectColumnNames(props.get('columnNames'));
          }
          if (table) out.push({ ...b, kind: 'create-index', table, concurrent, unique, columns });
          break;
        }
        case 'removeIndex':
        case 'dropIndex': {
          const opts = args[2]?.type === 'object' ? objectProps(args[2]) : new Map<string, TSNode>();
          const name = str(args[1]) ?? `${table ?? '?'} index`;
          out.push({ ...b, kind: 'drop-index', name, concurrent: opts.get('concurrently')?.type === 'true' });
          break;
        }
        case 'addConstraint': {
          const opts = args[1]?.type === 'object' ? objectProps(args[1]) : new Map<string, TSNode>();
          const type = str(opts.get('type'))?.toLowerCase();
          const kind =
            type === 'unique'
              ? 'unique'
              : type === 'check'
                ? 'check'
                : type === 'foreign key'
                  ? 'foreign-key'
                  : type === 'primary key'
                    ? 'primary-key'
                    : undefined;
          if (table && kind)
            out.push({
              ...b,
              kind: 'add-constraint',
              table,
              constraint: kind,
              notValid: false,
              columns: objectColumnNames(opts.get('fields')),
            });
          break;
        }
        case 'createForeignKey':
          if (table)
            out.push({ ...b, kind: 'add-constraint', table, constraint: 'foreign-key', notValid: false, columns: [] });
          break;
        case 'bulkUpdate':
        case 'bulkDelete':
          if (table)
            out.push({
              ...b,
              kind: 'dml',
              verb: m.method === 'bulkUpdate' ? 'update' : 'delete',
              table,
              hasWhere:
                !!args[m.method === 'bulkUpdate' ? 2 : 1] && args[m.method === 'bulkUpdate' ? 2 : 1]!.text !== '{}',
              literals: [],
            });
          break;
        default:
          break;
      }
    }
  }
  return { ops: out, tool: via, ...(mode ? { mode } : {}) };
}

// ---------------------------------------------------------------------------------------------------------
// db-migrate
// ---------------------------------------------------------------------------------------------------------

/** db-migrate column types (`'string'`, `type.STRING`, `'int'`…) → normalised PostgreSQL types. */
const DB_MIGRATE_TYPES: Readonly<Record<string, string>> = {
  string: 'varchar(255)',
  text: 'text',
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  boolean: 'bool',
  date: 'date',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  real: 'float4',
  decimal: 'numeric',
  char: 'char',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
};

function dbMigrateColumn(name: string, spec: TSNode | undefined): ColumnSpec | undefined {
  if (!spec) return undefined;
  let typeText: string | undefined;
  let props = new Map<string, TSNode>();
  if (spec.type === 'object') {
    props = objectProps(spec);
    const t = props.get('type');
    typeText = t ? (str(t) ?? t.text.split('.').pop()) : undefined;
  } else {
    typeText = str(spec) ?? spec.text.split('.').pop();
  }
  const base = typeText ? DB_MIGRATE_TYPES[typeText.toLowerCase()] : undefined;
  const length = props.get('length');
  const type = base === 'varchar(255)' && length?.type === 'number' ? `varchar(${length.text})` : base;
  const primary = props.get('primaryKey')?.type === 'true';
  const serial = props.get('autoIncrement')?.type === 'true';
  const def = props.get('defaultValue');
  const d: { kind: DefaultKind; fn?: string } = serial
    ? { kind: 'volatile', fn: 'nextval' }
    : !def
      ? { kind: 'none' }
      : def.type === 'object' && objectProps(def).has('raw')
        ? sqlDefaultKind(str(objectProps(def).get('raw')) ?? '')
        : { kind: 'constant' };
  return {
    name,
    ...(type ? { type } : {}),
    notNull: props.get('notNull')?.type === 'true' || primary,
    primaryKey: primary,
    unique: props.get('unique')?.type === 'true',
    default: d.kind,
    ...(d.fn ? { defaultFunction: d.fn } : {}),
    generatedStored: false,
    identity: serial,
  };
}

/** `exports.up = function (db, callback) { db.runSql('…', callback) }` and db-migrate's builder calls. */
function dbMigrateOps(fn: TSNode, path: string): ExtractedOp[] {
  const p = firstParamName(fn);
  if (!p) return [];
  const out: ExtractedOp[] = [];
  for (const call of descendantsOfType(fn, 'call_expression')) {
    const m = methodOf(call);
    if (m?.receiver?.type !== 'identifier' || m.receiver.text !== p) continue;
    const args = positionalArgs(call);
    const b = base(call, 'db-migrate');
    const table = str(args[0]);
    switch (m.method) {
      case 'runSql':
      case 'all':
        pushEmbedded(args[0], path, 'db-migrate', out);
        break;
      case 'createTable': {
        if (!table) break;
        const columns: ColumnSpec[] = [];
        if (args[1]?.type === 'object') {
          // createTable(name, { columns: {…}, ifNotExists }) or createTable(name, {…columns})
          const props = objectProps(args[1]);
          const colsNode = props.get('columns')?.type === 'object' ? props.get('columns')! : args[1];
          for (const [name, spec] of objectProps(colsNode)) {
            const c = dbMigrateColumn(name, spec);
            if (c) columns.push(c);
          }
        }
        out.push({
          ...b,
          kind: 'create-table',
          table,
          columns,
          primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name),
        });
        break;
      }
      case 'addColumn': {
        const name = str(args[1]);
        const column = name ? dbMigrateColumn(name, args[2]) : undefined;
        if (table && column) out.push({ ...b, kind: 'add-column', table, column });
        break;
      }
      case 'removeColumn': {
        const column = str(args[1]);
        if (table && column) out.push({ ...b, kind: 'drop-column', table, column });
        break;
      }
      case 'renameColumn':
      case 'dropTable':
      case 'renameTable':
        pushPositionalTableOp(m.method, table, args, b, out);
        break;
      case 'changeColumn': {
        const column = str(args[1]);
        const spec = column ? dbMigrateColumn(column, args[2]) : undefined;
        if (table && column) {
          out.push({
            ...b,
            kind: 'alter-column-type',
            table,
            column,
            ...(spec?.type ? { type: spec.type } : {}),
            using: false,
          });
          if (spec?.notNull) out.push({ ...b, kind: 'set-not-null', table, column });
        }
        break;
      }
      case 'addIndex': {
        // addIndex(table, indexName, columns, unique)
        if (!table) break;
        const name = str(args[1]);
        out.push({
          ...b,
          kind: 'create-index',
          table,
          ...(name ? { name } : {}),
          concurrent: false,
          unique: args[3]?.type === 'true',
          columns: objectColumnNames(args[2]),
        });
        break;
      }
      case 'removeIndex': {
        const name = str(args[1]) ?? str(args[0]);
        if (name) out.push({ ...b, kind: 'drop-index', name, concurrent: false });
        break;
      }
      case 'addForeignKey': {
        // addForeignKey(table, referencedTable, keyName, fieldMapping, rules)
        const ref = str(args[1]);
        const mapping = args[3]?.type === 'object' ? [...objectProps(args[3]).keys()] : [];
        if (table)
          out.push({
            ...b,
            kind: 'add-constraint',
            table,
            constraint: 'foreign-key',
            notValid: false,
            ...(ref ? { references: ref } : {}),
            columns: mapping,
          });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Tagged SQL templates (Kysely ``sql`…`.execute(db)``, slonik ``pool.query(sql`…`)``)
// ---------------------------------------------------------------------------------------------------------

/** A `sql`…`` / `sql.unsafe`…`` tagged template, or `sql.raw('…')`: the SQL node, else undefined. */
function taggedSql(node: TSNode | undefined | null): TSNode | undefined {
  if (node?.type !== 'call_expression') return undefined;
  const tag = calleeName(node);
  if (tag !== 'sql' && tag !== 'sql.unsafe' && tag !== 'sql.raw' && tag !== 'sql.typeAlias') return undefined;
  const args = positionalArgs(node);
  return args[0]?.type === 'template_string' || (tag === 'sql.raw' && args[0]) ? args[0] : undefined;
}

/** SQL in tagged templates that `isRun` says are executed (the argument of `pool.query(…)`, the receiver of `.execute(db)`). */
function taggedSqlOps(fn: TSNode, path: string, via: Via, isRun: (call: TSNode) => boolean): ExtractedOp[] {
  const out: ExtractedOp[] = [];
  for (const call of descendantsOfType(fn, 'call_expression')) {
    if (!isRun(call)) continue;
    const m = methodOf(call);
    const candidates = [positionalArgs(call)[0], m?.receiver];
    for (const c of candidates) {
      const sqlNode = taggedSql(c);
      if (sqlNode) {
        pushEmbedded(sqlNode, path, via, out);
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Kysely
// ---------------------------------------------------------------------------------------------------------

const KYSELY_TYPES: Readonly<Record<string, string>> = {
  integer: 'int4',
  int4: 'int4',
  bigint: 'int8',
  int8: 'int8',
  smallint: 'int2',
  serial: 'int4',
  bigserial: 'int8',
  boolean: 'bool',
  text: 'text',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  real: 'float4',
  'double precision': 'float8',
};

function kyselyType(node: TSNode | undefined): string | undefined {
  const t = node ? str(node)?.toLowerCase().trim() : undefined;
  if (!t) return undefined;
  if (/^(?:varchar|numeric|decimal|char)\s*\(/.test(t)) return t.replace(/\s+/g, '').replace(/^decimal/, 'numeric');
  if (t === 'varchar') return 'varchar';
  return KYSELY_TYPES[t];
}

/** A Kysely column builder callback `(col) => col.notNull().defaultTo(…)…`: the modifiers it applies. */
function kyselyColumn(name: string, typeNode: TSNode | undefined, cb: TSNode | undefined): ColumnSpec {
  const type = kyselyType(typeNode);
  const serial = /serial$/.test(str(typeNode ?? cb!)?.toLowerCase() ?? '');
  const mods = new Map<string, TSNode>();
  if (cb && FUNCTION_TYPES.has(cb.type)) {
    for (const call of descendantsOfType(cb, 'call_expression')) {
      const m = methodOf(call);
      if (m) mods.set(m.method, call);
    }
  }
  const def = mods.get('defaultTo');
  let d: { kind: DefaultKind; fn?: string } = serial ? { kind: 'volatile', fn: 'nextval' } : { kind: 'none' };
  if (def) {
    const v = positionalArgs(def)[0];
    const raw = taggedSql(v);
    d = raw ? sqlDefaultKind(sqlText(raw) ?? '') : { kind: 'constant' };
  }
  const references = mods.get('references');
  const ref = references ? str(positionalArgs(references)[0])?.split('.')[0] : undefined;
  const primary = mods.has('primaryKey');
  return {
    name,
    ...(type ? { type } : {}),
    notNull: mods.has('notNull') || primary,
    primaryKey: primary,
    unique: mods.has('unique'),
    default: d.kind,
    ...(d.fn ? { defaultFunction: d.fn } : {}),
    generatedStored: mods.has('generatedAlwaysAs') && mods.has('stored'),
    identity: serial || mods.has('generatedAlwaysAsIdentity') || mods.has('generatedByDefaultAsIdentity'),
    ...(ref ? { references: ref } : {}),
  };
}

/** `db.schema.createTable('t').addColumn(…)….execute()` and friends; ``sql`…`.execute(db)``. */
function kyselyOps(fn: TSNode, path: string): ExtractedOp[] {
  const p = firstParamName(fn) ?? 'db';
  const out: ExtractedOp[] = [];
  for (const call of descendantsOfType(fn, 'call_expression')) {
    const m = methodOf(call);
    if (m?.method !== 'execute') continue;
    const raw = taggedSql(m.receiver);
    if (raw) {
      pushEmbedded(raw, path, 'kysely', out);
      continue;
    }
    // Unwind the chain: execute ← … ← db.schema.<start>(…)
    const chain: Array<{ method: string; args: TSNode[] }> = [];
    let cur: TSNode | null = m.receiver;
    let start: { method: string; args: TSNode[] } | undefined;
    while (cur?.type === 'call_expression') {
      const inner = methodOf(cur);
      if (!inner) break;
      const receiver = inner.receiver;
      if (
        receiver &&
        (receiver.text === `${p}.schema` ||
          /\.schema$/.test(receiver.text) ||
          /\.withSchema\([^)]*\)$/.test(receiver.text))
      ) {
        start = { method: inner.method, args: positionalArgs(cur) };
        break;
      }
      chain.unshift({ method: inner.method, args: positionalArgs(cur) });
      cur = receiver;
    }
    if (!start) continue;
    const b = base(call, 'kysely');
    const name = str(start.args[0]);
    if (!name) continue;
    const has = (method: string) => chain.some((c) => c.method === method);
    switch (start.method) {
      case 'createTable': {
        const columns = chain
          .filter((c) => c.method === 'addColumn')
          .map((c) => kyselyColumn(str(c.args[0]) ?? '?', c.args[1], c.args[2]));
        out.push({
          ...b,
          kind: 'create-table',
          table: name,
          columns,
          primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name),
        });
        break;
      }
      case 'alterTable':
        for (const c of chain) kyselyAlter(name, c, b, out);
        break;
      case 'createIndex': {
        const on = chain.find((c) => c.method === 'on');
        const table = on ? str(on.args[0]) : undefined;
        const cols = chain
          .filter((c) => c.method === 'column' || c.method === 'columns')
          .flatMap((c) =>
            c.args[0]?.type === 'array' ? objectColumnNames(c.args[0]) : c.args.map((a) => str(a) ?? '?'),
          );
        if (table)
          out.push({
            ...b,
            kind: 'create-index',
            table,
            name,
            concurrent: has('concurrently'),
            unique: has('unique'),
            columns: cols,
          });
        break;
      }
      case 'dropIndex':
        out.push({ ...b, kind: 'drop-index', name, concurrent: has('concurrently') });
        break;
      case 'dropTable':
        out.push({ ...b, kind: 'drop-table', table: name, objectType: 'table', cascade: has('cascade') });
        break;
      default:
        break;
    }
  }
  return out;
}

function kyselyAlter(
  table: string,
  c: { method: string; args: TSNode[] },
  b: ReturnType<typeof base>,
  out: ExtractedOp[],
): void {
  switch (c.method) {
    case 'addColumn': {
      const column = kyselyColumn(str(c.args[0]) ?? '?', c.args[1], c.args[2]);
      // An inline `.references()` stays on the column, as `ADD COLUMN … REFERENCES` does in SQL.
      out.push({ ...b, kind: 'add-column', table, column });
      break;
    }
    case 'dropColumn': {
      const column = str(c.args[0]);
      if (column) out.push({ ...b, kind: 'drop-column', table, column });
      break;
    }
    case 'renameColumn': {
      const [from, to] = [str(c.args[0]), str(c.args[1])];
      if (from && to) out.push({ ...b, kind: 'rename-column', table, column: from, to });
      break;
    }
    case 'renameTo': {
      const to = str(c.args[0]);
      if (to) out.push({ ...b, kind: 'rename-table', table, to });
      break;
    }
    case 'alterColumn': {
      const column = str(c.args[0]);
      const cb = c.args[1];
      if (!column || !cb) break;
      for (const call of descendantsOfType(cb, 'call_expression')) {
        const m = methodOf(call);
        if (m?.method === 'setDataType') {
          const type = kyselyType(positionalArgs(call)[0]);
          out.push({ ...b, kind: 'alter-column-type', table, column, ...(type ? { type } : {}), using: false });
        } else if (m?.method === 'setNotNull') {
          out.push({ ...b, kind: 'set-not-null', table, column });
        }
      }
      break;
    }
    case 'addUniqueConstraint':
    case 'addPrimaryKeyConstraint': {
      const name = str(c.args[0]);
      out.push({
        ...b,
        kind: 'add-constraint',
        table,
        constraint: c.method === 'addUniqueConstraint' ? 'unique' : 'primary-key',
        ...(name ? { name } : {}),
        notValid: false,
        columns: objectColumnNames(c.args[1]),
      });
      break;
    }
    case 'addForeignKeyConstraint': {
      const name = str(c.args[0]);
      const ref = str(c.args[2]);
      out.push({
        ...b,
        kind: 'add-constraint',
        table,
        constraint: 'foreign-key',
        ...(name ? { name } : {}),
        notValid: false,
        ...(ref ? { references: ref } : {}),
        columns: objectColumnNames(c.args[1]),
      });
      break;
    }
    case 'addCheckConstraint': {
      const name = str(c.args[0]);
      out.push({
        ...b,
        kind: 'add-constraint',
        table,
        constraint: 'check',
        ...(name ? { name } : {}),
        notValid: false,
        columns: [],
      });
      break;
    }
    default:
      break;
  }
}
