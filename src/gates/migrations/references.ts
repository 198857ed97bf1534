/**
 * Where the head code still uses a column that a new migration drops or renames: ORM models that still
 * declare it (Prisma schema fields, Django model fields, SQLAlchemy columns, TypeORM @Column properties),
 * Prisma client calls that name it, and raw SQL strings that mention it with its table.
 *
 * Computed with the history index, on the head side only. An index cannot see the change, so it takes
 * the columns dropped or renamed by the newest migrations of each set (a pull request's migration is
 * the newest), greps the code for their names, and parses only the files that mention one.
 */
import type { IndexContext, RelatedLocation, RuleContext } from '../../core/types.js';
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  lineOf,
  objectProps,
  stringValue,
  templateParts,
} from '../../lang/ts-helpers.js';
import { type MigrationIndex } from './history.js';
import { isNeverMigrationPath } from './layout.js';
import { sqlalchemyColumnName } from './models.js';
import type { MigrationsOptions } from './options.js';
import { planOf } from './plan.js';
import { historyIndex } from './history.js';

/** How many of the newest migrations per set are searched for dropped/renamed columns. */
const NEWEST_PER_SET = 5;
/** At most this many code files are parsed per evaluation. */
const MAX_FILES = 300;

const CODE_GLOBS = ['**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts,py}', '**/*.prisma'];

interface Target {
  table: string;
  column: string;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function wordRegex(word: string): RegExp {
  return new RegExp(`(?:^|[^A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:$|[^A-Za-z0-9_])`);
}

const SQL_WORDS = /\b(?:select|insert|update|delete|where|from|join|returning)\b/i;

/** Prisma schema: models (with @@map) and their fields (with @map). Line-based: the format is line-oriented. */
function prismaRefs(
  file: SourceFile,
  targets: Target[],
  out: Map<string, RelatedLocation[]>,
  delegates: Map<string, Set<string>>,
): void {
  const lines = file.lines();
  let model: { name: string; table: string; fields: Array<{ name: string; column: string; line: number }> } | undefined;
  const models: NonNullable<typeof model>[] = [];
  lines.forEach((raw, i) => {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const open = /^model\s+(\w+)\s*\{/.exec(line);
    if (open) {
      model = { name: open[1]!, table: open[1]!, fields: [] };
      models.push(model);
      return;
    }
    if (!model) return;
    if (line.startsWith('}')) {
      model = undefined;
      return;
    }
    const map = /^@@map\(\s*"([^"]+)"\s*\)/.exec(line);
    if (map) {
      model.table = map[1]!;
      return;
    }
    const field = /^(\w+)\s+\w+/.exec(line);
    if (field && !line.startsWith('@@')) {
      const col = /@map\(\s*"([^"]+)"\s*\)/.exec(line);
      model.fields.push({ name: field[1]!, column: col?.[1] ?? field[1]!, line: i + 1 });
    }
  });
  for (const m of models) {
    for (const t of targets) {
      if (t.table !== m.table && t.table !== m.table.toLowerCase()) continue;
      const f = m.fields.find((x) => x.column === t.column);
      if (!f) continue;
      add(out, t, {
        path: file.path,
        line: f.line,
        message: `the Prisma schema still declares ${m.name}.${f.name}, so the generated client selects it`,
      });
      const set = delegates.get(lowerFirst(m.name)) ?? new Set<string>();
      set.add(`${t.table}.${t.column}\u0000${f.name}`);
      delegates.set(lowerFirst(m.name), set);
    }
  }
}

function add(out: Map<string, RelatedLocation[]>, t: Target, loc: RelatedLocation): void {
  const key = `${t.table}.${t.column}`;
  const list = out.get(key) ?? [];
  if (!list.some((l) => l.path === loc.path && l.line === loc.line)) list.push(loc);
  out.set(key, list);
}

/** Python: Django model fields and SQLAlchemy columns still declared on the model of the table. */
function pythonModelRefs(file: SourceFile, root: TSNode, targets: Target[], out: Map<string, RelatedLocation[]>): void {
  for (const cls of descendantsOfType(root, 'class_definition')) {
    const name = cls.childForFieldName('name')?.text ?? '';
    const body = cls.childForFieldName('body');
    if (!body) continue;
    let tablename: string | undefined;
    const attrs: Array<{ name: string; node: TSNode; value: TSNode }> = [];
    for (const stmt of body.namedChildren) {
      const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (!left || !right) continue;
      if (left.type === 'identifier' && left.text === '__tablename__') tablename = stringValue(right);
      if (left.type === 'identifier') attrs.push({ name: left.text, node: a, value: right });
    }
    for (const t of targets) {
      // Django keys tables by the lower-cased model name; SQLAlchemy by __tablename__.
      const matches =
        tablename !== undefined
          ? tablename === t.table
          : name.toLowerCase() === t.table || t.table.endsWith(`_${name.toLowerCase()}`);
      if (!matches) continue;
      for (const attr of attrs) {
        const callee = attr.value.type === 'call' ? (calleeName(attr.value) ?? '') : '';
        const isField =
          /(?:Field|ForeignKey|Column|mapped_column|relationship)$/.test(callee) || attr.value.type === 'call';
        if (!isField) continue;
        if (t.column === '') continue;
        // SQLAlchemy `Column("db_name")` maps the attribute to db_name: that is the column it reads.
        const column = sqlalchemyColumnName(attr.name, attr.value);
        if (column !== undefined ? column === t.column : attr.name === t.column || `${attr.name}_id` === t.column) {
          add(out, t, {
            path: file.path,
            line: lineOf(attr.node),
            message: `model ${name} still declares ${attr.name}, so the ORM selects the column`,
          });
        }
      }
    }
  }
}

/** TypeScript/JavaScript: TypeORM @Column properties, Prisma client calls, and raw SQL strings. */
function jsRefs(
  file: SourceFile,
  root: TSNode,
  targets: Target[],
  out: Map<string, RelatedLocation[]>,
  delegates: Map<string, Set<string>>,
): void {
  // Prisma client: `<client>.<delegate>.<method>({ data|select|where: { field … } })`.
  for (const call of descendantsOfType(root, 'call_expression')) {
    const callee = calleeName(call);
    if (!callee) continue;
    const parts = callee.split('.');
    if (parts.length < 3) continue;
    const delegate = parts[parts.length - 2]!;
    const fields = delegates.get(delegate);
    if (!fields) continue;
    for (const obj of descendantsOfType(call, 'object')) {
      for (const [key, value] of objectProps(obj)) {
        for (const entry of fields) {
          const [target, field] = entry.split('\u0000') as [string, string];
          if (key !== field) continue;
          const dot = target.lastIndexOf('.');
          add(
            out,
            { table: target.slice(0, dot), column: target.slice(dot + 1) },
            { path: file.path, line: lineOf(value), message: `Prisma client call ${callee}(…) still uses ${field}` },
          );
        }
      }
    }
  }
  // TypeORM: @Column() on a property of an @Entity('table') class.
  for (const cls of descendantsOfType(root, ['class_declaration', 'class'])) {
    const decorators =
      cls.parent?.type === 'export_statement' ? cls.parent.namedChildren.filter((c) => c?.type === 'decorator') : [];
    const all = [...decorators, ...cls.namedChildren.filter((c) => c?.type === 'decorator')];
    const entity = all.find((d) => d && /^@Entity\b/.test(d.text));
    if (!entity) continue;
    const entityName =
      /@Entity\(\s*['"]([^'"]+)['"]/.exec(entity.text)?.[1] ?? lowerFirst(cls.childForFieldName('name')?.text ?? '');
    for (const prop of descendantsOfType(cls, 'public_field_definition')) {
      const decos = prop.namedChildren.filter((c) => c?.type === 'decorator').map((d) => d!.text);
      if (!decos.some((d) => /^@(?:Column|PrimaryColumn|CreateDateColumn|UpdateDateColumn)\b/.test(d))) continue;
      const name = prop.childForFieldName('name')?.text ?? '';
      const column = decos.map((d) => /name:\s*['"]([^'"]+)['"]/.exec(d)?.[1]).find(Boolean) ?? name;
      for (const t of targets) {
        if (t.column === column && (t.table === entityName || t.table.toLowerCase() === entityName.toLowerCase())) {
          add(out, t, {
            path: file.path,
            line: lineOf(prop),
            message: `entity property ${name} still maps the column`,
          });
        }
      }
    }
  }
}

/** Raw SQL in string literals that names both the table and the column. */
function sqlStringRefs(file: SourceFile, root: TSNode, targets: Target[], out: Map<string, RelatedLocation[]>): void {
  for (const node of descendantsOfType(root, ['string', 'template_string'])) {
    if (node.parent?.type === 'string' || node.parent?.type === 'concatenated_string') continue;
    const parts = templateParts(node);
    if (!parts) continue;
    const text = parts.strings.join(' ');
    if (!SQL_WORDS.test(text)) continue;
    for (const t of targets) {
      const table = t.table.split('.').pop()!;
      if (t.column === '') {
        if (wordRegex(table).test(text))
          add(out, t, { path: file.path, line: lineOf(node), message: `raw SQL still names ${table}` });
      } else if (wordRegex(t.column).test(text) && wordRegex(table).test(text)) {
        add(out, t, { path: file.path, line: lineOf(node), message: `raw SQL still names ${table}.${t.column}` });
      }
    }
  }
}

/** The columns the newest migrations of each set drop or rename (of those the change touches, when scoped). */
function newestTargets(
  history: MigrationIndex,
  files: ReadonlyMap<string, SourceFile>,
  changed: ReadonlySet<string> | undefined,
): Target[] {
  const out: Target[] = [];
  for (const set of history.sets.values()) {
    for (const entry of set.entries.slice(-NEWEST_PER_SET)) {
      if (changed && !changed.has(entry.info.path)) continue;
      const file = files.get(entry.info.path);
      if (!file) continue;
      try {
        for (const op of planOf(file, entry.info).ops) {
          if (op.kind === 'drop-column' || op.kind === 'rename-column')
            out.push({ table: op.table, column: op.column });
          // A dropped table: raw SQL that still names it (column '' = the table itself).
          if (op.kind === 'drop-table' && op.objectType === 'table') out.push({ table: op.table, column: '' });
        }
      } catch {
        // A migration we cannot plan contributes nothing.
      }
    }
  }
  return out;
}

/**
 * Fills `history.references` (head side only): greps the code for the columns the newest migrations
 * drop or rename and parses only the files that mention one. `files` are the migration files the
 * history index read.
 */
export async function scanReferences(
  ctx: IndexContext<MigrationsOptions>,
  history: MigrationIndex,
  files: ReadonlyMap<string, SourceFile>,
): Promise<void> {
  if (ctx.side !== 'head') return;
  // Only the drops of the migrations the change touches are reported (drop-column, rename-column).
  const changed = (ctx.scope as { changed?: readonly string[] } | undefined)?.changed;
  const targets = newestTargets(history, files, changed ? new Set(changed) : undefined);
  if (targets.length === 0) return;
  const tokens = [...new Set(targets.map((t) => t.column || t.table.split('.').pop()!))];
  const hits = (await ctx.snapshot.grep(tokens, CODE_GLOBS)).filter(
    (p) =>
      !ctx.excluded(p) &&
      !history.files.has(p) &&
      !isNeverMigrationPath(p) &&
      !/(?:^|\/)(?:migrations?|versions)\//.test(p),
  );
  // Prisma schemas first: they tell which client delegate and field name map to each column.
  hits.sort((a, b) => Number(b.endsWith('.prisma')) - Number(a.endsWith('.prisma')));
  const delegates = new Map<string, Set<string>>();
  for (const path of hits.slice(0, MAX_FILES)) {
    const file = await ctx.read(path);
    if (!file) continue;
    if (file.language === 'prisma') {
      prismaRefs(file, targets, history.references, delegates);
      continue;
    }
    const root = file.tree()?.rootNode;
    if (!root) continue;
    if (file.language === 'python') pythonModelRefs(file, root, targets, history.references);
    else jsRefs(file, root, targets, history.references, delegates);
    sqlStringRefs(file, root, targets, history.references);
  }
}

/**
 * The head-code references of a column for a finding: a sentence to append to the message and the
 * locations for `related`. Empty on the base side and when nothing references it.
 */
export function relatedReferences(
  ctx: RuleContext<unknown, MigrationsOptions>,
  table: string,
  column: string,
  _migrationPath: string,
): { summary: string; locations: RelatedLocation[] } {
  if (ctx.side !== 'head') return { summary: '', locations: [] };
  let index: MigrationIndex;
  try {
    index = ctx.index(historyIndex);
  } catch {
    return { summary: '', locations: [] };
  }
  const locations = index.references.get(`${table}.${column}`) ?? [];
  if (locations.length === 0) return { summary: '', locations: [] };
  const shown = locations.slice(0, 3).map((l) => `${l.path}:${l.line}`);
  const more = locations.length > 3 ? ` and ${locations.length - 3} more` : '';
  return { summary: ` This pull request's code still uses it: ${shown.join(', ')}${more}.`, locations };
}
