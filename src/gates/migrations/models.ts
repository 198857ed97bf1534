/**
 * The tables and columns the application's ORM models read, per snapshot: Django models, SQLAlchemy
 * declarative classes and Prisma models, each resolved to the database names (Django `<app>_<model>` or
 * `db_table`, `db_column`, `<fk>_id`; SQLAlchemy `__tablename__` and `Column("db_name")`; Prisma `@@map`
 * and `@map`). The drop rules use it to tell the contract step of expand/contract (the previous release
 * no longer declares what is dropped) from a drop that breaks running code.
 */
import { prismaModels } from '../../lang/prisma.js';
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import { calleeName, descendantsOfType, keywordArgs, positionalArgs, stringValue } from '../../lang/ts-helpers.js';

export interface ModelTable {
  /** Database table name, lower-cased. */
  table: string;
  /** Database column names and attribute names (both: migrations name either), lower-cased. */
  columns: Set<string>;
  /** False when a base class could not be resolved, so inherited columns may be missing. */
  complete: boolean;
  path: string;
  model: string;
}

/** Model tables by table name; `ecosystems` lists which kinds of models were read (so absence means something). */
export interface ModelCatalogue {
  tables: Map<string, ModelTable>;
  /** Django apps (directory names) whose models were read, `sqlalchemy` and `prisma` when seen. */
  seen: Set<string>;
}

export function emptyCatalogue(): ModelCatalogue {
  return { tables: new Map(), seen: new Set() };
}

const RELATION_FIELDS = /^(?:ForeignKey|OneToOneField|ParentalKey|TreeForeignKey)$/;
const NON_COLUMN_FIELDS = /^(?:ManyToManyField|GenericRelation|GenericForeignKey|ParentalManyToManyField)$/;

function lastPart(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function isDjangoField(node: TSNode): boolean {
  if (node.type !== 'call') return false;
  const last = lastPart(calleeName(node) ?? '');
  return /Field$/.test(last) || RELATION_FIELDS.test(last) || NON_COLUMN_FIELDS.test(last);
}

/** One Django model class as its module declares it (inherited fields are resolved later). */
export interface ClassFacts {
  name: string;
  supers: string[];
  table?: string;
  abstract: boolean;
  columns: Set<string>;
}

/** The app label of a Django models module: the directory holding `models.py` or the `models/` package. */
export function djangoAppOf(path: string): string | undefined {
  const parts = path.split('/');
  const file = parts[parts.length - 1];
  if (file === 'models.py') return parts[parts.length - 2] ?? '';
  if (parts[parts.length - 2] === 'models' && file?.endsWith('.py')) return parts[parts.length - 3] ?? '';
  return undefined;
}

function djangoClasses(root: TSNode): ClassFacts[] {
  const out: ClassFacts[] = [];
  for (const cls of descendantsOfType(root, 'class_definition')) {
    if (cls.parent?.parent?.type === 'class_definition') continue;
    const supers = (cls.childForFieldName('superclasses')?.namedChildren ?? [])
      .filter((c): c is TSNode => c !== null && c.type !== 'keyword_argument')
      .map((c) => c.text);
    const facts: ClassFacts = {
      name: cls.childForFieldName('name')?.text ?? '?',
      supers,
      abstract: false,
      columns: new Set(),
    };
    for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
      if (stmt?.type === 'class_definition' && stmt.childForFieldName('name')?.text === 'Meta') {
        for (const m of stmt.childForFieldName('body')?.namedChildren ?? []) {
          const a = m?.type === 'expression_statement' ? m.namedChildren[0] : undefined;
          if (a?.type !== 'assignment') continue;
          const key = a.childForFieldName('left')?.text;
          const right = a.childForFieldName('right');
          if (key === 'db_table' && right) facts.table = stringValue(right)?.toLowerCase();
          if (key === 'abstract' && right?.text === 'True') facts.abstract = true;
        }
        continue;
      }
      const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'identifier' || !right || !isDjangoField(right)) continue;
      const cls2 = lastPart(calleeName(right) ?? '');
      if (NON_COLUMN_FIELDS.test(cls2)) continue;
      const name = left.text.toLowerCase();
      facts.columns.add(name);
      const dbColumn = keywordArgs(right).get('db_column');
      const explicit = dbColumn ? stringValue(dbColumn) : undefined;
      if (explicit) facts.columns.add(explicit.toLowerCase());
      else if (RELATION_FIELDS.test(cls2)) facts.columns.add(`${name}_id`);
    }
    out.push(facts);
  }
  return out;
}

/**
 * The model classes of a Django models module (plain data); undefined when the file does not parse.
 * Inherited fields come from classes of other modules: {@link resolveDjango} resolves them once every
 * module is in.
 */
export function djangoModelClasses(file: SourceFile): ClassFacts[] | undefined {
  const root = file.tree()?.rootNode;
  return root ? djangoClasses(root) : undefined;
}

const DJANGO_ROOTS = /^(?:models\.Model|Model|object)$/;

/** Resolves inheritance across the Django classes read and fills the catalogue. */
export function resolveDjango(
  pending: Array<{ app: string; path: string; cls: ClassFacts }>,
  catalogue: ModelCatalogue,
): void {
  const byName = new Map<string, ClassFacts>();
  for (const p of pending) byName.set(p.cls.name, p.cls);
  const columnsOf = (cls: ClassFacts, depth: number): { columns: Set<string>; complete: boolean } => {
    const columns = new Set(cls.columns);
    let complete = true;
    for (const s of cls.supers) {
      if (DJANGO_ROOTS.test(s)) continue;
      const parent = byName.get(lastPart(s));
      if (!parent || depth > 8) {
        // Mixins without fields are common (e.g. `SomeMixin`); an unknown base may still declare columns.
        complete = false;
        continue;
      }
      const inherited = columnsOf(parent, depth + 1);
      for (const c of inherited.columns) columns.add(c);
      complete &&= inherited.complete;
    }
    return { columns, complete };
  };
  for (const { app, path, cls } of pending) {
    if (cls.abstract) continue;
    const hasFields = cls.columns.size > 0 || cls.supers.some((s) => /Model\b/.test(s));
    if (!hasFields) continue;
    const { columns, complete } = columnsOf(cls, 0);
    const table = cls.table ?? `${app}_${cls.name}`.toLowerCase();
    catalogue.tables.set(table, { table, columns, complete, path, model: cls.name });
  }
}

/**
 * SQLAlchemy declarative classes with `__tablename__`: attribute names and `Column("db_name")` names, as
 * the tables they map (plain data); undefined when the file does not parse.
 */
export function sqlalchemyTables(file: SourceFile): ModelTable[] | undefined {
  const root = file.tree()?.rootNode;
  if (!root) return undefined;
  const out: ModelTable[] = [];
  for (const cls of descendantsOfType(root, 'class_definition')) {
    let table: string | undefined;
    const columns = new Set<string>();
    for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
      const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'identifier' || !right) continue;
      if (left.text === '__tablename__') table = stringValue(right)?.toLowerCase();
      const column = sqlalchemyColumnName(left.text, right);
      // The database name only: `code = Column("legacy_code")` reads legacy_code, not code.
      if (column) columns.add(column.toLowerCase());
    }
    if (!table) continue;
    out.push({ table, columns, complete: true, path: file.path, model: cls.childForFieldName('name')?.text ?? '?' });
  }
  return out;
}

/** Adds the tables {@link sqlalchemyTables} found in one module. */
export function addSqlalchemyTables(tables: readonly ModelTable[], catalogue: ModelCatalogue): void {
  for (const t of tables) {
    catalogue.seen.add('sqlalchemy');
    // Copied: the facts may be shared with the other side's catalogue.
    catalogue.tables.set(t.table, { ...t, columns: new Set(t.columns) });
  }
}

/**
 * The database column an SQLAlchemy attribute maps: `Column("db_name", …)` / `mapped_column("db_name")`
 * / `name="db_name"` win over the attribute name; undefined when the value is not a column.
 */
export function sqlalchemyColumnName(attribute: string, value: TSNode): string | undefined {
  if (value.type !== 'call' || !/(?:^|\.)(?:Column|mapped_column)$/.test(calleeName(value) ?? '')) return undefined;
  const first = positionalArgs(value)[0];
  const positional = first && first.type === 'string' ? stringValue(first) : undefined;
  const named = keywordArgs(value).get('name');
  return positional ?? (named ? stringValue(named) : undefined) ?? attribute;
}

/** Prisma models: `@@map` table names and fields (field names and `@map` column names). */
export function addPrismaModels(file: SourceFile, catalogue: ModelCatalogue): void {
  catalogue.seen.add('prisma');
  for (const m of prismaModels(file.lines())) {
    const columns = new Set<string>();
    for (const f of m.fields) {
      columns.add(f.name.toLowerCase());
      columns.add(f.column.toLowerCase());
    }
    const table = m.table.toLowerCase();
    catalogue.tables.set(table, { table, columns, complete: true, path: file.path, model: m.name });
  }
}

/** Whether the models declare the column (by database name or attribute name, `_id` relation columns included). */
export function declaresColumn(model: ModelTable, column: string): boolean {
  const c = column.toLowerCase();
  return model.columns.has(c) || (c.endsWith('_id') && model.columns.has(c.slice(0, -3)));
}

/** The model of a migration table key (`schema.table` keys match on the table name). */
export function modelOf(catalogue: ModelCatalogue, table: string): ModelTable | undefined {
  const t = table.toLowerCase();
  return catalogue.tables.get(t) ?? catalogue.tables.get(t.slice(t.lastIndexOf('.') + 1));
}
