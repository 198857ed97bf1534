/**
 * goose Go migrations → operations. A Go migration registers its functions in `init()`:
 * `goose.AddMigrationContext(upFn, downFn)` (or `AddMigration`, `AddNamedMigration*`); the `NoTx`
 * variants run outside a transaction. The up function's SQL is the string given to `tx.Exec` /
 * `tx.ExecContext` (or `db.…`); the down function is never read.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import { calleeName, descendantsOfType, lineOf, positionalArgs, templateParts } from '../../../lang/ts-helpers.js';
import type { SourceFile } from '../../../lang/source-file.js';
import type { TransactionMode } from '../layout.js';
import type { ExtractedOp } from '../plan.js';
import { embeddedSqlOps } from '../plan.js';

const REGISTER = /^goose\.Add(?:Named)?Migration(NoTx)?(?:Context)?$/;
const EXEC = /\.(?:Exec|ExecContext|Query|QueryContext)$/;

/** Operations of a goose Go migration and whether goose runs it in a transaction. */
export function gooseOps(file: SourceFile): { ops: ExtractedOp[]; mode?: TransactionMode } {
  const root = file.tree()?.rootNode;
  if (!root) return { ops: [] };
  const functions = new Map<string, TSNode>();
  for (const fn of descendantsOfType(root, 'function_declaration')) {
    const name = fn.childForFieldName('name')?.text;
    if (name) functions.set(name, fn);
  }
  const ups: TSNode[] = [];
  let noTx = false;
  for (const call of descendantsOfType(root, 'call_expression')) {
    const m = REGISTER.exec(calleeName(call) ?? '');
    if (!m) continue;
    if (m[1]) noTx = true;
    const args = positionalArgs(call);
    // AddNamedMigration*(name, up, down): the functions come after the name.
    const up = /Named/.test(calleeName(call) ?? '') ? args[1] : args[0];
    if (!up) continue;
    if (up.type === 'func_literal') ups.push(up);
    else if (up.type === 'identifier' && functions.has(up.text)) ups.push(functions.get(up.text)!);
  }
  const ops: ExtractedOp[] = [];
  for (const fn of ups) {
    for (const call of descendantsOfType(fn, 'call_expression')) {
      if (!EXEC.test(calleeName(call) ?? '')) continue;
      const args = positionalArgs(call);
      const sqlArg = /Context$/.test(calleeName(call) ?? '') ? args[1] : args[0];
      const parts = sqlArg ? templateParts(sqlArg) : undefined;
      if (!sqlArg || !parts || parts.expressions.length > 0) continue;
      for (const op of embeddedSqlOps(parts.strings[0]!, lineOf(sqlArg), file.path).ops)
        ops.push({ ...op, via: 'goose' });
    }
  }
  return { ops, ...(noTx ? { mode: 'explicit' as const } : {}) };
}
