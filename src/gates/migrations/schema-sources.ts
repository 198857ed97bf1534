/**
 * Schema sources — what developers edit — reduced to signatures that change only when the database
 * schema changes: Prisma datamodel blocks, Django model fields, Drizzle table builders, TypeORM entity
 * columns, SQLAlchemy mapped columns. A comment, a blank line, `prisma format` alignment, a docstring or a
 * `relations()` change leaves every signature as it was.
 */
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  keywordArgs,
  lineOf,
  endLineOf,
  positionalArgs as positional,
  walk,
} from '../../lang/ts-helpers.js';
import { djangoField } from './orm/django.js';

/** One schema object (a model, an enum, a table) and what it declares. */
export interface SchemaObject {
  /** e.g. `model Order`, `enum Role`, `table users`. */
  name: string;
  line: number;
  endLine: number;
  /** Changes exactly when the database schema of this object changes. */
  signature: string;
  /** Changes when anything a migration tool tracks changes, including state-only options (Django). */
  stateSignature: string;
  /**
   * Django: only what is known to reach the database (column class and type, null, unique, index,
   * primary key, database default, relation target, db_column, DB Meta). Equal while `signature`
   * differs means an option we cannot place (a custom field's keyword): unsure, not certain.
   */
  coreSignature?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Prisma
// ---------------------------------------------------------------------------------------------------------

/** Strips a Prisma `//` comment that is not inside a string. */
function stripPrismaComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') inString = !inString;
    if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/**
 * The datamodel blocks of a Prisma schema (`model`, `enum`, `view`, `type`); `generator` and `datasource`
 * blocks are configuration. Each line is reduced to its tokens, attributes sorted, so formatting and
 * attribute order do not matter. `@@ignore`d models are left out: Prisma does not manage them.
 */
export function prismaObjects(file: SourceFile): SchemaObject[] {
  const out: SchemaObject[] = [];
  const lines = file.lines();
  let current: { name: string; line: number; body: string[]; ignored: boolean } | undefined;
  lines.forEach((raw, i) => {
    const line = stripPrismaComment(raw).trim().replace(/\s+/g, ' ');
    if (!current) {
      const open = /^(model|enum|view|type)\s+(\w+)\s*\{$/.exec(line);
      if (open) current = { name: `${open[1]} ${open[2]}`, line: i + 1, body: [], ignored: false };
      return;
    }
    if (line === '}') {
      if (!current.ignored) {
        const signature = current.body.join('\n');
        out.push({ name: current.name, line: current.line, endLine: i + 1, signature, stateSignature: signature });
      }
      current = undefined;
      return;
    }
    if (line === '') return;
    if (line === '@@ignore') current.ignored = true;
    // `name Type @a @b(x)` → name, type, sorted attributes.
    const tokens = line.match(/@@?\w+(?:\.\w+)?(?:\((?:[^()"]|"[^"]*"|\((?:[^()"]|"[^"]*")*\))*\))?|\S+/g) ?? [];
    const attrs = tokens
      .filter((t) => t.startsWith('@'))
      .map((t) => t.replace(/\s+/g, ''))
      .sort();
    const rest = tokens.filter((t) => !t.startsWith('@'));
    current.body.push([...rest, ...attrs].join(' '));
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Django
// ---------------------------------------------------------------------------------------------------------

/** Field options that change only Django's state (forms, admin, Python), never the database. */
const DJANGO_STATE_ONLY = new Set([
  'help_text',
  'verbose_name',
  'validators',
  'blank',
  'editable',
  'error_messages',
  'choices',
  'related_name',
  'related_query_name',
  'limit_choices_to',
  'upload_to',
  'default',
  'on_delete',
  'auto_now',
  'auto_now_add',
  'serialize',
]);

/** Meta options that reach the database. */
const DJANGO_META_DB = new Set([
  'db_table',
  'indexes',
  'constraints',
  'unique_together',
  'index_together',
  'managed',
  'db_table_comment',
]);

function isFieldCall(node: TSNode): boolean {
  if (node.type !== 'call') return false;
  const name = calleeName(node) ?? '';
  const last = name.slice(name.lastIndexOf('.') + 1);
  return (
    /Field$/.test(last) ||
    last === 'ForeignKey' ||
    last === 'OneToOneField' ||
    last === 'ManyToManyField' ||
    last === 'GenericRelation'
  );
}

function kwargSignature(call: TSNode, keep: (name: string) => boolean): string {
  const positional = (call.childForFieldName('arguments')?.namedChildren ?? [])
    .filter((a): a is TSNode => a !== null && a.type !== 'keyword_argument' && a.type !== 'comment')
    .map((a) => a.text.replace(/\s+/g, ''));
  const kws = [...keywordArgs(call)]
    .filter(([k]) => keep(k))
    .map(([k, v]) => `${k}=${v.text.replace(/\s+/g, '')}`)
    .sort();
  return `${calleeName(call) ?? ''}(${[...positional, ...kws].join(',')})`;
}

/** Django models of a models module: fields and DB-relevant Meta, per model. Abstract and unmanaged models are skipped. */
export function djangoObjects(file: SourceFile): SchemaObject[] {
  const root = file.tree()?.rootNode;
  if (!root) return [];
  const out: SchemaObject[] = [];
  for (const cls of descendantsOfType(root, 'class_definition')) {
    if (cls.parent?.parent?.type === 'class_definition') continue;
    const supers = cls.childForFieldName('superclasses')?.text ?? '';
    if (!/Model\b|models\.Model/.test(supers)) continue;
    const body = cls.childForFieldName('body');
    if (!body) continue;
    const db: string[] = [];
    const state: string[] = [];
    const core: string[] = [];
    let skip = false;
    for (const stmt of body.namedChildren) {
      if (!stmt) continue;
      if (stmt.type === 'class_definition' && stmt.childForFieldName('name')?.text === 'Meta') {
        for (const m of stmt.childForFieldName('body')?.namedChildren ?? []) {
          const a = m?.type === 'expression_statement' ? m.namedChildren[0] : undefined;
          if (a?.type !== 'assignment') continue;
          const key = a.childForFieldName('left')?.text ?? '';
          const value = (a.childForFieldName('right')?.text ?? '').replace(/\s+/g, '');
          if ((key === 'abstract' || key === 'proxy') && value === 'True') skip = true;
          if (key === 'managed' && value === 'False') skip = true;
          if (DJANGO_META_DB.has(key)) {
            db.push(`Meta.${key}=${value}`);
            core.push(`Meta.${key}=${value}`);
          }
          state.push(`Meta.${key}=${value}`);
        }
        continue;
      }
      const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'identifier' || !right || !isFieldCall(right)) continue;
      db.push(`${left.text}:${kwargSignature(right, (k) => !DJANGO_STATE_ONLY.has(k))}`);
      const orm = djangoField(right);
      const kw = keywordArgs(right);
      const target = /(?:ForeignKey|OneToOneField|ManyToManyField)$/.test(calleeName(right) ?? '')
        ? (kw.get('to') ?? positional(right)[0])?.text.replace(/\s+/g, '')
        : undefined;
      core.push(
        orm
          ? `${left.text}:${JSON.stringify({ ...orm, hasDefault: undefined, to: target, db_column: kw.get('db_column')?.text, db_default: kw.get('db_default')?.text.replace(/\s+/g, '') })}`
          : `${left.text}:${kwargSignature(right, (k) => !DJANGO_STATE_ONLY.has(k))}`,
      );
      state.push(`${left.text}:${kwargSignature(right, () => true)}`);
    }
    if (skip) continue;
    out.push({
      name: `model ${cls.childForFieldName('name')?.text ?? '?'}`,
      line: lineOf(cls),
      endLine: endLineOf(cls),
      signature: db.sort().join('\n'),
      stateSignature: state.sort().join('\n'),
      coreSignature: core.sort().join('\n'),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Code-first TypeScript and Python schemas
// ---------------------------------------------------------------------------------------------------------

/** Tokens of a node without comments: formatting-insensitive. */
function tokens(node: TSNode): string {
  const out: string[] = [];
  walk(
    node,
    (n) => {
      if (n.type === 'comment') return false;
      if (n.childCount === 0) out.push(n.text);
      return true;
    },
    { anonymous: true },
  );
  return out.join(' ');
}

const DRIZZLE_BUILDERS =
  /^(?:pgTable|mysqlTable|sqliteTable|pgEnum|mysqlEnum|pgView|pgMaterializedView|pgSchema|pgSequence)$|\.(?:table|enum)$/;

/** Drizzle: each `pgTable(…)`/`pgEnum(…)` call (relations() are query-layer only and ignored). */
export function drizzleObjects(file: SourceFile): SchemaObject[] {
  const root = file.tree()?.rootNode;
  if (!root) return [];
  const out: SchemaObject[] = [];
  for (const call of descendantsOfType(root, 'call_expression')) {
    const callee = calleeName(call) ?? '';
    if (!DRIZZLE_BUILDERS.test(callee)) continue;
    const first = call.childForFieldName('arguments')?.namedChildren.find((c) => c !== null && c.type !== 'comment');
    const name = first ? first.text.replace(/^['"`]|['"`]$/g, '') : '?';
    const signature = tokens(call);
    out.push({
      name: `${callee.includes('Enum') || callee.endsWith('.enum') ? 'enum' : 'table'} ${name}`,
      line: lineOf(call),
      endLine: endLineOf(call),
      signature,
      stateSignature: signature,
    });
  }
  return out;
}

/** TypeORM: each `@Entity` class's decorators and decorated properties. */
export function typeormObjects(file: SourceFile): SchemaObject[] {
  const root = file.tree()?.rootNode;
  if (!root) return [];
  const out: SchemaObject[] = [];
  for (const cls of descendantsOfType(root, ['class_declaration', 'abstract_class_declaration'])) {
    const decorators = [
      ...(cls.parent?.type === 'export_statement' ? cls.parent.namedChildren : []),
      ...cls.namedChildren,
    ].filter((c): c is TSNode => c?.type === 'decorator');
    if (!decorators.some((d) => /^@(?:Entity|ViewEntity)\b/.test(d.text))) continue;
    const parts = decorators.map(tokens);
    for (const member of cls.childForFieldName('body')?.namedChildren ?? []) {
      if (!member || member.type !== 'public_field_definition') continue;
      const decos = member.namedChildren.filter((c): c is TSNode => c?.type === 'decorator');
      if (decos.length === 0) continue;
      parts.push(
        `${member.childForFieldName('name')?.text ?? ''}:${decos.map(tokens).join(' ')}:${member.childForFieldName('type')?.text ?? ''}`,
      );
    }
    const signature = parts.join('\n');
    out.push({
      name: `entity ${cls.childForFieldName('name')?.text ?? '?'}`,
      line: lineOf(cls),
      endLine: endLineOf(cls),
      signature,
      stateSignature: signature,
    });
  }
  return out;
}

/** SQLAlchemy: classes with `__tablename__`, their Column/mapped_column attributes and __table_args__. */
export function sqlalchemyObjects(file: SourceFile): SchemaObject[] {
  const root = file.tree()?.rootNode;
  if (!root) return [];
  const out: SchemaObject[] = [];
  for (const cls of descendantsOfType(root, 'class_definition')) {
    const body = cls.childForFieldName('body');
    let table: string | undefined;
    const parts: string[] = [];
    for (const stmt of body?.namedChildren ?? []) {
      const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      const target = left?.type === 'identifier' ? left.text : undefined;
      if (!target || !right) continue;
      if (target === '__tablename__') table = right.text;
      const typeNode = a.childForFieldName('type');
      const isColumn = right.type === 'call' && /(?:^|\.)(?:Column|mapped_column)$/.test(calleeName(right) ?? '');
      if (isColumn || target === '__table_args__')
        parts.push(`${target}:${typeNode ? tokens(typeNode) : ''}=${tokens(right)}`);
    }
    if (!table) continue;
    const signature = parts.sort().join('\n');
    out.push({
      name: `table ${table.replace(/['"]/g, '')}`,
      line: lineOf(cls),
      endLine: endLineOf(cls),
      signature,
      stateSignature: signature,
    });
  }
  return out;
}

/** Objects whose signature differs between base and head (added, removed or changed), head positions where possible. */
export function changedObjects(
  base: readonly SchemaObject[],
  head: readonly SchemaObject[],
  key: 'signature' | 'stateSignature' = 'signature',
): Array<{ name: string; line: number; endLine: number; kind: 'added' | 'removed' | 'changed' }> {
  const out: Array<{ name: string; line: number; endLine: number; kind: 'added' | 'removed' | 'changed' }> = [];
  const baseBy = new Map(base.map((o) => [o.name, o]));
  const headBy = new Map(head.map((o) => [o.name, o]));
  for (const o of head) {
    const b = baseBy.get(o.name);
    if (!b) out.push({ name: o.name, line: o.line, endLine: o.endLine, kind: 'added' });
    else if (b[key] !== o[key]) out.push({ name: o.name, line: o.line, endLine: o.endLine, kind: 'changed' });
  }
  for (const o of base) if (!headBy.has(o.name)) out.push({ name: o.name, line: 1, endLine: 1, kind: 'removed' });
  return out;
}
