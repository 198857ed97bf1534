/**
 * Meaning-level signatures of a migration file, so an edit that only touches comments, whitespace or a
 * docstring is told apart from one that changes what runs: SQL compares parsed statements (locations
 * dropped), code compares the syntax tree's tokens without comments and docstrings (and, for Django,
 * without the `atomic` switch, which changes how but not what runs).
 */
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import { walk } from '../../lang/ts-helpers.js';

function stripLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripLocations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'location' || k === 'stmt_location' || k === 'stmt_len' || k === 'list_start' || k === 'list_end') continue;
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
