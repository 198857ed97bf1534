/**
 * Django migrations (`<app>/migrations/NNNN_name.py`) → operations, and the facts the history rules
 * need (dependencies, replaces).
 *
 * Mapping (catalogue §1.4.5): AddField → ADD COLUMN (+ FOREIGN KEY and CREATE INDEX for relations, a
 * UNIQUE constraint for unique=True, an index for db_index=True); RemoveField → DROP COLUMN;
 * RenameField/RenameModel → renames; DeleteModel → DROP TABLE; AddIndex → CREATE INDEX (concurrent for
 * `AddIndexConcurrently`); AddConstraint → constraint (NOT VALID for `AddConstraintNotValid`);
 * ValidateConstraint; RunSQL → its SQL; RunPython → code backfill; SeparateDatabaseAndState → only its
 * database_operations. Tables are keyed by Django's default table name, `<app>_<model>` in lower case.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import { calleeName, keywordArgs, lineOf, endLineOf, positionalArgs, stringValue } from '../../../lang/ts-helpers.js';
import type { SourceFile } from '../../../lang/source-file.js';
import type { OrmField } from '../ops.js';
import type { ExtractedOp } from '../plan.js';
import { embeddedSqlOps } from '../plan.js';

export interface DjangoMigrationMeta {
  app: string;
  name: string;
  dependencies: Array<{ app: string; name: string; line: number }>;
  replaces: Array<{ app: string; name: string }>;
  atomic: boolean;
  /** The `class Migration` was found. */
  valid: boolean;
}

/** The app label of a migration file: the directory above `migrations/`. */
export function djangoApp(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 3] ?? '';
}

function migrationClass(file: SourceFile): TSNode | undefined {
  const root = file.tree()?.rootNode;
  if (!root) return undefined;
  for (const node of root.namedChildren) {
    const cls = node?.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    if (cls?.type !== 'class_definition' || cls.childForFieldName('name')?.text !== 'Migration') continue;
    return cls;
  }
  return undefined;
}

/** `name = value` assignments directly in the class body. */
function classAttributes(cls: TSNode): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  const body = cls.childForFieldName('body');
  for (const stmt of body?.namedChildren ?? []) {
    if (stmt?.type !== 'expression_statement') continue;
    const a = stmt.namedChildren[0];
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && right) out.set(left.text, right);
  }
  return out;
}

function elements(list: TSNode | undefined): TSNode[] {
  if (!list || (list.type !== 'list' && list.type !== 'tuple')) return [];
  return list.namedChildren.filter((c): c is TSNode => c !== null && c.type !== 'comment');
}

/** Facts of a Django migration used by the history rules (graph, squash). */
export function djangoMeta(file: SourceFile): DjangoMigrationMeta {
  const app = djangoApp(file.path);
  const name = file.path.slice(file.path.lastIndexOf('/') + 1).replace(/\.py$/, '');
  const cls = migrationClass(file);
  const meta: DjangoMigrationMeta = { app, name, dependencies: [], replaces: [], atomic: true, valid: !!cls };
  if (!cls) return meta;
  const attrs = classAttributes(cls);
  for (const dep of elements(attrs.get('dependencies'))) {
    const [a, n] = elements(dep).map((e) => stringValue(e));
    if (a !== undefined && n !== undefined) meta.dependencies.push({ app: a, name: n, line: lineOf(dep) });
  }
  for (const rep of elements(attrs.get('replaces'))) {
    const [a, n] = elements(rep).map((e) => stringValue(e));
    if (a !== undefined && n !== undefined) meta.replaces.push({ app: a, name: n });
  }
  if (attrs.get('atomic')?.type === 'false') meta.atomic = false;
  return meta;
}

/** Argument by keyword, else by position. */
function arg(call: TSNode, name: string, position: number): TSNode | undefined {
  return keywordArgs(call).get(name) ?? positionalArgs(call)[position];
}

function lastName(call: TSNode): string {
  const n = calleeName(call) ?? '';
  return n.slice(n.lastIndexOf('.') + 1);
}

function boolKw(kw: Map<string, TSNode>, name: string, fallback: boolean): boolean {
  const v = kw.get(name);
  if (!v) return fallback;
  if (v.type === 'true') return true;
  if (v.type === 'false') return false;
  return fallback;
}

function intKw(kw: Map<string, TSNode>, name: string): number | undefined {
  const v = kw.get(name);
  return v?.type === 'integer' ? Number(v.text) : undefined;
}

const FIELD_TYPES: Readonly<Record<string, string>> = {
  AutoField: 'int4',
  BigAutoField: 'int8',
  SmallAutoField: 'int2',
  IntegerField: 'int4',
  BigIntegerField: 'int8',
  SmallIntegerField: 'int2',
  PositiveIntegerField: 'int4',
  PositiveBigIntegerField: 'int8',
  PositiveSmallIntegerField: 'int2',
  TextField: 'text',
  BooleanField: 'bool',
  DateTimeField: 'timestamptz',
  DateField: 'date',
  TimeField: 'time',
  UUIDField: 'uuid',
  JSONField: 'jsonb',
  FloatField: 'float8',
  BinaryField: 'bytea',
  DurationField: 'interval',
};

/** A field constructor call (`models.CharField(max_length=20)`) → its database-relevant facts. */
export function djangoField(call: TSNode | undefined): OrmField | undefined {
  if (!call || call.type !== 'call') return undefined;
  const cls = lastName(call);
  if (!cls.endsWith('Field') && cls !== 'ForeignKey' && cls !== 'OneToOneField' && cls !== 'ManyToManyField')
    return undefined;
  const kw = keywordArgs(call);
  let type = FIELD_TYPES[cls];
  if (cls === 'CharField' || cls === 'SlugField' || cls === 'EmailField' || cls === 'URLField') {
    const len =
      intKw(kw, 'max_length') ??
      (cls === 'SlugField' ? 50 : cls === 'EmailField' ? 254 : cls === 'URLField' ? 200 : undefined);
    type = len !== undefined ? `varchar(${len})` : 'varchar';
  }
  if (cls === 'DecimalField') {
    const digits = intKw(kw, 'max_digits');
    const places = intKw(kw, 'decimal_places');
    type = digits !== undefined && places !== undefined ? `numeric(${digits},${places})` : 'numeric';
  }
  const relation = cls === 'ForeignKey' || cls === 'OneToOneField';
  return {
    cls,
    null: boolKw(kw, 'null', false),
    ...(type ? { type } : {}),
    unique: boolKw(kw, 'unique', cls === 'OneToOneField'),
    // Django indexes ForeignKey columns unless db_index=False; OneToOne gets a unique constraint instead.
    dbIndex: boolKw(kw, 'db_index', cls === 'ForeignKey'),
    primaryKey: boolKw(kw, 'primary_key', false),
    hasDefault: kw.has('default'),
    hasDbDefault: kw.has('db_default'),
    foreignKey: relation && boolKw(kw, 'db_constraint', true),
  };
}

/** Django's default table name for a model of `app`: `<app_label>_<model_name>` in lower case. */
function modelKey(node: TSNode | undefined, app: string): string | undefined {
  const v = node ? stringValue(node) : undefined;
  if (v === undefined) return undefined;
  // A lazy reference "otherapp.Model" names a model of another app.
  const dot = v.indexOf('.');
  return dot === -1 ? `${app}_${v}`.toLowerCase() : `${v.slice(0, dot)}_${v.slice(dot + 1)}`.toLowerCase();
}

/** Where one operation sits, and what it is, for messages. */
function base(call: TSNode): Pick<ExtractedOp, 'line' | 'endLine' | 'via' | 'snippet'> {
  const first = call.text.split('\n')[0]!.trim();
  return {
    line: lineOf(call),
    endLine: endLineOf(call),
    via: 'django',
    snippet: first.length > 120 ? `${first.slice(0, 117)}…` : first,
  };
}

/** The column a field occupies: relations store `<name>_id`. */
function columnOf(name: string, field: OrmField | undefined): string {
  return field && (field.cls === 'ForeignKey' || field.cls === 'OneToOneField') ? `${name}_id` : name;
}

function sqlStrings(node: TSNode | undefined): Array<{ text: string; line: number }> {
  if (!node) return [];
  const direct = stringValue(node);
  if (direct !== undefined) return [{ text: direct, line: lineOf(node) }];
  if (node.type === 'list' || node.type === 'tuple') {
    return elements(node).flatMap((e) => {
      // RunSQL accepts [(sql, params), …] too.
      if (e.type === 'tuple') return sqlStrings(elements(e)[0]);
      return sqlStrings(e);
    });
  }
  return [];
}

/** A field as one migration declares it (CreateModel, AddField, AlterField), for the history replay. */
export interface DjangoFieldDeclaration {
  model: string;
  field: string;
  orm: OrmField;
}

function operationOps(
  call: TSNode,
  app: string,
  path: string,
  out: ExtractedOp[],
  decls: DjangoFieldDeclaration[],
): void {
  const b = base(call);
  const name = lastName(call);
  const model = modelKey(arg(call, name === 'CreateModel' || name === 'DeleteModel' ? 'name' : 'model_name', 0), app);
  switch (name) {
    case 'CreateModel': {
      const columns = elements(arg(call, 'fields', 1)).flatMap((t) => {
        const [n, f] = elements(t);
        const fieldName = n ? stringValue(n) : undefined;
        const field = djangoField(f);
        if (!fieldName) return [];
        if (field && model) decls.push({ model, field: fieldName, orm: field });
        return [
          {
            name: columnOf(fieldName, field),
            ...(field?.type ? { type: field.type } : {}),
            notNull: !(field?.null ?? false),
            primaryKey: field?.primaryKey ?? false,
            unique: field?.unique ?? false,
            default: 'none' as const,
            generatedStored: false,
            identity: field?.cls.endsWith('AutoField') ?? false,
          },
        ];
      });
      if (model)
        out.push({
          ...b,
          kind: 'create-table',
          table: model,
          columns,
          primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name),
        });
      break;
    }
    case 'DeleteModel':
      if (model) out.push({ ...b, kind: 'drop-table', table: model, objectType: 'table', cascade: false });
      break;
    case 'RenameModel': {
      const from = modelKey(arg(call, 'old_name', 0), app);
      const to = modelKey(arg(call, 'new_name', 1), app);
      if (from && to) out.push({ ...b, kind: 'rename-table', table: from, to });
      break;
    }
    case 'AddField': {
      const fieldName = stringValue(arg(call, 'name', 1) ?? call);
      const field = djangoField(arg(call, 'field', 2));
      if (!model || !fieldName || !field || field.cls === 'ManyToManyField') break;
      decls.push({ model, field: fieldName, orm: field });
      const column = columnOf(fieldName, field);
      out.push({
        ...b,
        kind: 'add-column',
        table: model,
        column: {
          name: column,
          ...(field.type ? { type: field.type } : {}),
          notNull: !field.null,
          primaryKey: field.primaryKey,
          unique: false,
          // Django computes a callable default once in Python and sends it as a constant.
          default: field.hasDefault || field.hasDbDefault ? 'constant' : 'none',
          generatedStored: false,
          identity: field.cls.endsWith('AutoField'),
          // Marks the Django pattern of dropping the default right after adding the column.
          ...(!field.null && field.hasDefault && !field.hasDbDefault
            ? { defaultFunction: 'django-drops-default' }
            : {}),
        },
      });
      if (field.foreignKey) {
        out.push({
          ...b,
          kind: 'add-constraint',
          table: model,
          constraint: 'foreign-key',
          notValid: false,
          columns: [column],
        });
      }
      if (field.unique)
        out.push({
          ...b,
          kind: 'add-constraint',
          table: model,
          constraint: 'unique',
          notValid: false,
          columns: [column],
        });
      else if (field.dbIndex)
        out.push({ ...b, kind: 'create-index', table: model, concurrent: false, unique: false, columns: [column] });
      break;
    }
    case 'RemoveField': {
      const fieldName = stringValue(arg(call, 'name', 1) ?? call);
      if (model && fieldName) out.push({ ...b, kind: 'drop-column', table: model, column: fieldName });
      break;
    }
    case 'RenameField': {
      const from = stringValue(arg(call, 'old_name', 1) ?? call);
      const to = stringValue(arg(call, 'new_name', 2) ?? call);
      if (model && from && to) out.push({ ...b, kind: 'rename-column', table: model, column: from, to });
      break;
    }
    case 'AlterField': {
      const fieldName = stringValue(arg(call, 'name', 1) ?? call);
      const field = djangoField(arg(call, 'field', 2));
      if (model && fieldName && field) {
        out.push({ ...b, kind: 'alter-field', table: model, column: fieldName, field, app });
        decls.push({ model, field: fieldName, orm: field });
      }
      break;
    }
    case 'AddIndex':
    case 'AddIndexConcurrently': {
      const index = arg(call, 'index', 1);
      const kw = index?.type === 'call' ? keywordArgs(index) : new Map<string, TSNode>();
      const fields = elements(kw.get('fields')).map((f) => stringValue(f) ?? '?');
      const idxName = kw.get('name') ? stringValue(kw.get('name')!) : undefined;
      if (model) {
        out.push({
          ...b,
          kind: 'create-index',
          table: model,
          ...(idxName ? { name: idxName } : {}),
          concurrent: name === 'AddIndexConcurrently',
          unique: false,
          columns: fields,
        });
      }
      break;
    }
    case 'RemoveIndex':
    case 'RemoveIndexConcurrently': {
      const idxName = stringValue(arg(call, 'name', 1) ?? call);
      if (idxName)
        out.push({ ...b, kind: 'drop-index', name: idxName, concurrent: name === 'RemoveIndexConcurrently' });
      break;
    }
    case 'AddConstraint':
    case 'AddConstraintNotValid': {
      const constraint = arg(call, 'constraint', 1);
      const cls = constraint?.type === 'call' ? lastName(constraint) : '';
      const kw = constraint?.type === 'call' ? keywordArgs(constraint) : new Map<string, TSNode>();
      const conName = kw.get('name') ? stringValue(kw.get('name')!) : undefined;
      const kind =
        cls === 'UniqueConstraint'
          ? 'unique'
          : cls === 'CheckConstraint'
            ? 'check'
            : cls === 'ExclusionConstraint'
              ? 'exclude'
              : undefined;
      // A UniqueConstraint with a condition or expressions is created as a unique index, not a constraint.
      if (model && kind === 'unique' && (kw.has('condition') || positionalArgs(constraint!).length > 0)) {
        out.push({
          ...b,
          kind: 'create-index',
          table: model,
          ...(conName ? { name: conName } : {}),
          concurrent: false,
          unique: true,
          columns: [],
        });
      } else if (model && kind) {
        const columns = elements(kw.get('fields')).map((f) => stringValue(f) ?? '?');
        out.push({
          ...b,
          kind: 'add-constraint',
          table: model,
          constraint: kind,
          ...(conName ? { name: conName } : {}),
          notValid: name === 'AddConstraintNotValid',
          columns,
        });
      }
      break;
    }
    case 'ValidateConstraint': {
      const conName = stringValue(arg(call, 'name', 1) ?? call);
      if (model && conName) out.push({ ...b, kind: 'validate-constraint', table: model, name: conName });
      break;
    }
    case 'RunSQL': {
      for (const s of sqlStrings(arg(call, 'sql', 0))) {
        const { ops } = embeddedSqlOps(s.text, s.line, path);
        for (const op of ops) out.push({ ...op, via: 'django' });
      }
      break;
    }
    case 'RunPython':
      out.push({ ...b, kind: 'code-backfill', description: 'RunPython' });
      break;
    case 'SeparateDatabaseAndState': {
      // The state side declares fields too (a field removed from state only, renamed with db_column…).
      const stateOps: ExtractedOp[] = [];
      for (const inner of elements(arg(call, 'state_operations', 1)))
        if (inner.type === 'call') operationOps(inner, app, path, stateOps, decls);
      const removedInState = new Set(
        stateOps.flatMap((o) =>
          o.kind === 'drop-column' ? [`${o.table}.${o.column}`] : o.kind === 'drop-table' ? [o.table] : [],
        ),
      );
      for (const inner of elements(arg(call, 'database_operations', 0))) {
        if (inner.type !== 'call') continue;
        const ops: ExtractedOp[] = [];
        operationOps(inner, app, path, ops, decls);
        for (const op of ops) {
          // Dropping in the database what an earlier migration already removed from the model state is
          // the contract step of expand/contract: running code stopped using the column a release ago.
          // The same holds for a table (DeleteModel in an earlier state, RunSQL "DROP TABLE" here).
          const contract =
            (op.kind === 'drop-column' && !removedInState.has(`${op.table}.${op.column}`)) ||
            (op.kind === 'drop-table' && op.objectType === 'table' && !removedInState.has(op.table));
          out.push(contract ? { ...op, contractStep: true } : op);
        }
      }
      break;
    }
    default:
      out.push({ ...b, kind: 'other', literals: [] });
      break;
  }
}

/** Operations and transaction mode of a Django migration. */
export function djangoOps(file: SourceFile): {
  ops: ExtractedOp[];
  atomic: boolean;
  declarations: DjangoFieldDeclaration[];
} {
  const cls = migrationClass(file);
  if (!cls) return { ops: [], atomic: true, declarations: [] };
  const attrs = classAttributes(cls);
  const out: ExtractedOp[] = [];
  const declarations: DjangoFieldDeclaration[] = [];
  const app = djangoApp(file.path);
  for (const call of elements(attrs.get('operations')))
    if (call.type === 'call') operationOps(call, app, file.path, out, declarations);
  return { ops: out, atomic: attrs.get('atomic')?.type !== 'false', declarations };
}

/**
 * What a migration removes from Django's model state only (`SeparateDatabaseAndState` whose state side
 * removes a field or model that its database side leaves in place): `table` or `table.column` keys. The
 * table or column stays in the database for the running release, and a later migration drops it.
 */
export function djangoStateOnlyDrops(file: SourceFile): string[] {
  const cls = migrationClass(file);
  if (!cls) return [];
  const app = djangoApp(file.path);
  const out: string[] = [];
  const key = (op: ExtractedOp) =>
    op.kind === 'drop-column' ? `${op.table}.${op.column}` : op.kind === 'drop-table' ? op.table : undefined;
  for (const call of elements(classAttributes(cls).get('operations'))) {
    if (call.type !== 'call' || lastName(call) !== 'SeparateDatabaseAndState') continue;
    const state: ExtractedOp[] = [];
    const db: ExtractedOp[] = [];
    for (const inner of elements(arg(call, 'state_operations', 1)))
      if (inner.type === 'call') operationOps(inner, app, file.path, state, []);
    for (const inner of elements(arg(call, 'database_operations', 0)))
      if (inner.type === 'call') operationOps(inner, app, file.path, db, []);
    const dropped = new Set(db.map(key).filter((k): k is string => k !== undefined));
    for (const op of state) {
      const k = key(op);
      if (k && !dropped.has(k)) out.push(k);
    }
  }
  return out;
}

/**
 * Tables (`<app>_<model>`) whose model any operation of the migration names, state-only operations
 * included (`SeparateDatabaseAndState(state_operations=[RemoveField(model_name=…)])` records a model
 * change without SQL): what a schema edit needs a migration for.
 */
export function djangoTouchedTables(file: SourceFile): Set<string> {
  const out = new Set<string>();
  const cls = migrationClass(file);
  if (!cls) return out;
  const app = djangoApp(file.path);
  const visit = (call: TSNode) => {
    const name = lastName(call);
    const model = modelKey(
      arg(
        call,
        name === 'CreateModel' || name === 'DeleteModel' || name.startsWith('AlterModel') ? 'name' : 'model_name',
        0,
      ),
      app,
    );
    if (model && name !== 'RunSQL' && name !== 'RunPython') out.add(model);
    for (const key of ['state_operations', 'database_operations'])
      for (const inner of elements(arg(call, key, key === 'state_operations' ? 1 : 0)))
        if (inner.type === 'call') visit(inner);
  };
  for (const call of elements(classAttributes(cls).get('operations'))) if (call.type === 'call') visit(call);
  return out;
}
