import { at, ddlRule, ident } from '../ddl-context.js';
import { typeBefore } from '../history.js';

/** `varchar(20)` → { base: 'varchar', mods: [20] }. */
function parseType(t: string): { base: string; mods: number[]; array: boolean } {
  const array = t.endsWith('[]');
  const core = array ? t.slice(0, -2) : t;
  const m = /^([^(]+)(?:\(([^)]*)\))?$/.exec(core);
  const aliases: Record<string, string> = {
    'character varying': 'varchar',
    bpchar: 'char',
    character: 'char',
    decimal: 'numeric',
    int: 'int4',
    integer: 'int4',
    bigint: 'int8',
    smallint: 'int2',
  };
  const base = (m?.[1] ?? core).trim();
  return { base: aliases[base] ?? base, mods: (m?.[2] ?? '').split(',').filter(Boolean).map(Number), array };
}

/**
 * Whether PostgreSQL can change `from` into `to` without rewriting the table (binary-coercible, with no
 * new constraint to check): varchar widening or to text, text → unbounded varchar, numeric precision
 * growth at the same scale, varbit widening, cidr → inet, and "no change".
 */
export function changeIsMetadataOnly(from: string, to: string): boolean {
  const a = parseType(from);
  const b = parseType(to);
  if (a.array !== b.array) return false;
  if (a.base === b.base && a.mods.join(',') === b.mods.join(',')) return true;
  const isText = (x: { base: string }) => x.base === 'text';
  if ((a.base === 'varchar' || isText(a)) && (isText(b) || (b.base === 'varchar' && b.mods.length === 0))) return true;
  if (a.base === 'varchar' && b.base === 'varchar')
    return a.mods.length > 0 && b.mods.length > 0 && b.mods[0]! >= a.mods[0]!;
  if (a.base === 'varbit' && b.base === 'varbit')
    return b.mods.length === 0 || (a.mods.length > 0 && b.mods[0]! >= a.mods[0]!);
  if (a.base === 'numeric' && b.base === 'numeric') {
    if (b.mods.length === 0) return true;
    return a.mods.length > 0 && b.mods[0]! >= a.mods[0]! && (b.mods[1] ?? 0) === (a.mods[1] ?? 0);
  }
  if (a.base === 'cidr' && b.base === 'inet') return true;
  return false;
}

/** Targets that are usually a widening when the old type is unknown. */
function plausiblyWidening(to: string): boolean {
  const b = parseType(to).base;
  return b === 'text' || b === 'varchar' || b === 'numeric';
}

/**
 * migrations/column-type-change: ALTER COLUMN … TYPE on an existing table rewrites the table and its
 * indexes under an ACCESS EXCLUSIVE lock, except for binary-coercible changes (varchar widening, → text,
 * numeric precision growth), which the rule recognises from the type the history declared before.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/column-type-change',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'Changing a column type in a way that rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock.',
    messages: {
      rewrite:
        'Changing {{table}}.{{column}} from {{from}} to {{to}} rewrites the whole table and rebuilds its indexes while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the rewrite, and instances of the previous release may mis-handle the new type.',
      timezone:
        'Changing {{table}}.{{column}} from {{from}} to {{to}} rewrites the whole table under an ACCESS EXCLUSIVE lock unless the migration session runs with TimeZone = UTC (PostgreSQL 12+ then skips the rewrite): all reads and writes of {{table}} wait for it.',
      unknownFrom:
        'Changing {{table}}.{{column}} to {{to}} rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock unless the old type is binary-coercible to it (the migration history here does not say what it was).',
    },
    fixes: {
      rewrite:
        'Expand/contract: add a new column of type {{to}}, write both from the application, backfill in batches, switch reads, then drop the old column in a later release.',
      timezone:
        "Run the migration with `SET TimeZone = 'UTC'` (PostgreSQL 12+), or add a timestamptz column, backfill it in batches and switch.",
      unknownFrom:
        'If this is a widening (varchar(n) → varchar(m ≥ n) or text, numeric precision growth) it is metadata-only and safe; otherwise add a new column, dual-write, backfill in batches and switch.',
    },
    native: { squawk: ['changing-column-type'], atlas: ['PG301'] },
  },
  judge(t, ctx) {
    // Types declared earlier in this same file.
    const local = new Map<string, string>();
    t.ops.forEach((op, i) => {
      if (op.kind === 'create-table')
        for (const c of op.columns) if (c.type) local.set(`${op.table}.${c.name}`, c.type);
      if (op.kind === 'add-column' && op.column.type) local.set(`${op.table}.${op.column.name}`, op.column.type);
      if (op.kind !== 'alter-column-type') return;
      const key = `${op.table}.${op.column}`;
      const before =
        op.fromType ??
        local.get(key) ??
        (t.index && t.set && t.entry
          ? typeBefore(t.index, t.set.dir, t.entry.position, op.table, op.column)
          : undefined);
      if (op.type) local.set(key, op.type);
      if (t.isNew(op.table, i) || t.isSmall(op.table)) return;
      const to = op.type ?? 'a new type';
      if (before && op.type && !op.using && changeIsMetadataOnly(before, op.type)) return;
      const isTz = (a: string, b: string) =>
        /^timestamp(\(\d+\))?$/.test(a) && b === a.replace('timestamp', 'timestamptz');
      if (before && op.type && !op.using && t.pgVersion >= 12 && isTz(before, op.type)) {
        ctx.report({
          messageId: 'timezone',
          data: { table: ident(op.table), column: ident(op.column), from: before, to },
          ...at(op),
          severity: 'warning',
          key,
        });
        return;
      }
      if (before) {
        ctx.report({
          messageId: 'rewrite',
          data: { table: ident(op.table), column: ident(op.column), from: before, to },
          ...at(op),
          key,
        });
      } else {
        ctx.report({
          messageId: 'unknownFrom',
          data: { table: ident(op.table), column: ident(op.column), to },
          ...at(op),
          ...(op.type && plausiblyWidening(op.type) ? { severity: 'warning' as const } : {}),
          key,
        });
      }
    });
  },
});
