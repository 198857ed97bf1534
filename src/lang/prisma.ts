/**
 * The models of a Prisma schema, read line by line: each `model` block's fields with their type, list and
 * optional markers, the column they map to (`@map`) and the table the model maps to (`@@map`). Plain
 * data for any gate that reads a schema; what a gate makes of it (database changes, secret columns) is
 * its own business.
 */

/** Prisma's scalar types (every other field type is an enum, a composite type or a relation). */
export const PRISMA_SCALAR_TYPES: ReadonlySet<string> = new Set([
  'String',
  'Int',
  'BigInt',
  'Boolean',
  'DateTime',
  'Float',
  'Decimal',
  'Json',
  'Bytes',
]);

export interface PrismaField {
  name: string;
  /** The type as written, without `[]` and `?`. */
  type: string;
  list: boolean;
  optional: boolean;
  /** The database column: `@map("…")` or the field name. */
  column: string;
  /** 1-based. */
  line: number;
  /** The attributes after the type (`@id @default(cuid())`), comments stripped. */
  attrs: string;
  /** A scalar or enum field, i.e. a column rather than a relation (`@ignore`d fields are not). */
  isColumn: boolean;
}

export interface PrismaModel {
  name: string;
  /** The table: `@@map("…")` or the model name. */
  table: string;
  /** 1-based line of `model X {`. */
  line: number;
  fields: PrismaField[];
  /** `@@ignore`: the client has no accessor for it. */
  ignored: boolean;
}

/** The client accessor of a model: `prisma.apiKey` for `model ApiKey`. */
export function prismaAccessor(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

/** The models a Prisma schema file declares (comments stripped; `view` blocks are left out). */
export function prismaModels(lines: readonly string[]): PrismaModel[] {
  const clean = lines.map((l) => l.replace(/\/\/.*$/, '').trim());
  const enums = new Set<string>();
  for (const l of clean) {
    const m = /^enum\s+(\w+)\s*\{/.exec(l);
    if (m) enums.add(m[1]!);
  }
  const out: PrismaModel[] = [];
  let current: PrismaModel | undefined;
  for (const [i, line] of clean.entries()) {
    if (!current) {
      const m = /^model\s+(\w+)\s*\{/.exec(line);
      if (m) current = { name: m[1]!, table: m[1]!, line: i + 1, fields: [], ignored: false };
      continue;
    }
    if (line.startsWith('}')) {
      out.push(current);
      current = undefined;
      continue;
    }
    if (line === '') continue;
    if (line.startsWith('@@')) {
      if (line.startsWith('@@ignore')) current.ignored = true;
      const map = /^@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(line);
      if (map) current.table = map[1]!;
      continue;
    }
    const f = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!f) continue;
    const attrs = f[5] ?? '';
    current.fields.push({
      name: f[1]!,
      type: f[2]!,
      list: !!f[3],
      optional: !!f[4],
      column: /@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(attrs)?.[1] ?? f[1]!,
      line: i + 1,
      attrs,
      isColumn: (PRISMA_SCALAR_TYPES.has(f[2]!) || enums.has(f[2]!)) && !/@ignore\b/.test(attrs),
    });
  }
  return out;
}
