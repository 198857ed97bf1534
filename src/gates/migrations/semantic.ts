/**
 * Meaning-level signatures of a migration file, so an edit that only touches comments, whitespace or a
 * docstring is told apart from one that changes what runs: SQL compares parsed statements (locations
 * dropped), code compares the syntax tree's tokens without comments and docstrings (and, for Django,
 * without the `atomic` switch, which changes how but not what runs).
 */
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import { walk } from '../../lang/ts-helpers.js';
import type { MigrationFileInfo } from './layout.js';
import { planOf } from './plan.js';

function stripLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripLocations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'location' || k === 'stmt_location' || k === 'stmt_len' || k === 'list_start' || k === 'list_end')
      continue;
    out[k] = stripLocations(v);
  }
  return out;
}

function isDocstring(node: TSNode): boolean {
  if (node.type !== 'expression_statement') return false;
  const only = node.namedChildren.length === 1 ? node.namedChildren[0] : undefined;
  if (only?.type !== 'string') return false;
  const parent = node.parent;
  const first = parent?.namedChildren.find((c) => c !== null && c.type !== 'comment');
  return first?.id === node.id;
}

function isAtomicSwitch(node: TSNode): boolean {
  if (node.type !== 'expression_statement') return false;
  const a = node.namedChildren[0];
  return a?.type === 'assignment' && a.childForFieldName('left')?.text === 'atomic';
}

/**
 * A signature that changes exactly when what the migration does changes; undefined when the file cannot
 * be parsed (then callers treat any byte change as a real edit).
 */
export function semanticSignature(file: SourceFile): string | undefined {
  if (file.language === 'sql') {
    const parse = file.sql();
    if (!parse || parse.error) return undefined;
    return JSON.stringify(parse.statements.map((s) => stripLocations(s.stmt)));
  }
  const root = file.tree()?.rootNode;
  if (!root) return undefined;
  const tokens: string[] = [];
  walk(
    root,
    (node) => {
      if (node.type === 'comment') return false;
      if (file.language === 'python' && (isDocstring(node) || isAtomicSwitch(node))) return false;
      if (node.childCount === 0) tokens.push(node.text);
      return true;
    },
    { anonymous: true },
  );
  return tokens.join('\u0000');
}

/** `SET [LOCAL] lock_timeout|statement_timeout …`: how long to wait, not what the database ends up with. */
const TIMEOUT_SET =
  /^\s*SET\s+(?:LOCAL\s+|SESSION\s+)?(?:lock_timeout|statement_timeout|idle_in_transaction_session_timeout)\b/i;

function isTimeoutSet(stmt: unknown): boolean {
  const set = (stmt as { VariableSetStmt?: { name?: string } } | undefined)?.VariableSetStmt;
  return !!set && /^(?:lock_timeout|statement_timeout|idle_in_transaction_session_timeout)$/.test(set.name ?? '');
}

/** Leaf tokens that carry values (strings, numbers, booleans, null), in any of the migration languages. */
const VALUE_TOKENS = new Set([
  'string_content',
  'string_fragment',
  'integer',
  'float',
  'number',
  'true',
  'false',
  'none',
  'null',
]);

/**
 * What a migration does to the database, for telling a meaningful edit from one that changes nothing
 * the database sees: SQL compares parsed statements without `SET lock_timeout`-style settings; code
 * compares its extracted operations (positions and snippets dropped, timeouts dropped) plus the values
 * it writes (strings, numbers, booleans: a changed default or length), so a refactored import, a renamed
 * alias, reformatting or an added timeout compare equal. Undefined when the file cannot be read fully
 * (unparsable, or application code such as RunPython whose effect is not extracted).
 */
export function effectSignature(file: SourceFile, info: MigrationFileInfo): string | undefined {
  if (file.language === 'sql') {
    const parse = file.sql();
    if (!parse || parse.error) return undefined;
    return JSON.stringify(parse.statements.filter((s) => !isTimeoutSet(s.stmt)).map((s) => stripLocations(s.stmt)));
  }
  let plan;
  try {
    plan = planOf(file, info);
  } catch {
    return undefined;
  }
  if (plan.parseError || plan.ops.some((o) => o.kind === 'code-backfill')) return undefined;
  const ops = plan.ops
    .filter((o) => o.kind !== 'set-timeout' && o.kind !== 'transaction')
    .map((o) => {
      const { line: _l, endLine: _e, snippet, inTransaction: _i, transaction: _t, via: _v, ...rest } = o;
      // Unmodelled operations keep their text, so two different ones never compare equal.
      return rest.kind === 'other' ? { ...rest, snippet: snippet.replace(/\s+/g, ' ') } : rest;
    });
  const root = file.tree()?.rootNode;
  if (!root) return undefined;
  const values: string[] = [];
  walk(
    root,
    (node) => {
      if (node.type === 'comment') return false;
      if (file.language === 'python' && (isDocstring(node) || isAtomicSwitch(node))) return false;
      if (node.type === 'import_statement' || node.type === 'import_from_statement') return false;
      if (VALUE_TOKENS.has(node.type) && !TIMEOUT_SET.test(node.text)) values.push(node.text.replace(/\s+/g, ' '));
      return true;
    },
    { anonymous: true },
  );
  return JSON.stringify([ops, values.sort()]);
}
