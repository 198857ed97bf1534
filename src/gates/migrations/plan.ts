/**
 * A migration plan: the operations one migration file performs, in order, each with the transaction it
 * runs in. Built once per file (cached on the SourceFile) and shared by every DDL rule.
 *
 * Transactions: the tool's wrapping (layout.ts) plus the file's own markers (`-- atlas:txmode none`,
 * `-- +goose NO TRANSACTION`, `-- migrate:up transaction:false`, Django `atomic = False`, Knex
 * `config = { transaction: false }`, TypeORM `transaction = false`, Alembic `autocommit_block()`) plus
 * explicit BEGIN/COMMIT statements.
 */
import { decodeSource } from '../../lang/index.js';
import type { MemoKey, SourceFile } from '../../lang/source-file.js';
import { defaultTransactionMode, type MigrationFileInfo, type MigrationTool, type TransactionMode } from './layout.js';
import type { DefaultKind, Op } from './ops.js';
import { classifyDefault, statementOps, type RawOp } from './sql-ops.js';
import { ormOps } from './orm/index.js';

/** An operation as an extractor yields it: optionally forced out of the tool's transaction. */
export type ExtractedOp = RawOp & { outsideTransaction?: boolean };

export interface MigrationPlan {
  info: MigrationFileInfo;
  /** The tool after content checks (a `js` file becomes knex/typeorm/sequelize). */
  tool: MigrationTool;
  mode: TransactionMode;
  ops: Op[];
  /** The parser rejected the file (or an embedded SQL string); ops are then partial. */
  parseError?: { message: string; line: number };
}

/** Plans by classification, memoised on the file (dropped when its tree is freed: plans may hold nodes). */
const PLANS: MemoKey<Map<string, MigrationPlan>> = { name: 'migration plans' };

/** The plan of a migration file (computed once per file and classification). */
export function planOf(file: SourceFile, info: MigrationFileInfo): MigrationPlan {
  const byKey = file.memo(PLANS, () => new Map<string, MigrationPlan>());
  const key = `${info.tool}:${info.role}`;
  let plan = byKey.get(key);
  if (!plan) {
    plan = buildPlan(file, info);
    byKey.set(key, plan);
  }
  return plan;
}

function buildPlan(file: SourceFile, info: MigrationFileInfo): MigrationPlan {
  if (info.language === 'sql') return sqlPlan(file, info);
  if (info.language === 'python' || info.language === 'js' || info.language === 'go') {
    const extracted = ormOps(file, info);
    const tool = extracted.tool ?? info.tool;
    const mode = extracted.mode ?? defaultTransactionMode(tool);
    return {
      info,
      tool,
      mode,
      ops: assignTransactions(extracted.ops, mode),
      ...(extracted.parseError ? { parseError: extracted.parseError } : {}),
    };
  }
  return { info, tool: info.tool, mode: defaultTransactionMode(info.tool), ops: [] };
}

/** Section and transaction markers of SQL migration tools, read from the file's comments. */
interface SqlMarkers {
  /** Lines from which statements are down-migration (goose `+goose Down`, dbmate `migrate:down`). */
  downFrom?: number;
  /** Lines from which statements are up again (a file may put Down before Up). */
  upFrom?: number;
  noTransaction: boolean;
}

function sqlMarkers(file: SourceFile): SqlMarkers {
  const markers: SqlMarkers = { noTransaction: false };
  let comments: readonly { line: number; text: string }[] = [];
  try {
    comments = file.comments();
  } catch {
    return markers;
  }
  for (const c of comments) {
    const body = c.text.replace(/^--\s*|^\/\*\s*|\s*\*\/$/g, '').trim();
    if (/^\+goose\s+down\b/i.test(body) || /^migrate:down\b/.test(body)) markers.downFrom ??= c.line;
    if (/^\+goose\s+up\b/i.test(body) || /^migrate:up\b/.test(body)) markers.upFrom ??= c.line;
    if (/^\+goose\s+no\s+transaction\b/i.test(body)) markers.noTransaction = true;
    if (/^migrate:up\b.*\btransaction:false\b/.test(body)) markers.noTransaction = true;
    if (/^atlas:txmode\s+none\b/.test(body)) markers.noTransaction = true;
  }
  return markers;
}

function isDownLine(line: number, m: SqlMarkers): boolean {
  if (m.downFrom === undefined) return false;
  if (m.upFrom !== undefined && m.upFrom > m.downFrom) return line > m.downFrom && line < m.upFrom;
  return line > m.downFrom;
}

function sqlPlan(file: SourceFile, info: MigrationFileInfo): MigrationPlan {
  const markers = sqlMarkers(file);
  const mode: TransactionMode = markers.noTransaction ? 'explicit' : defaultTransactionMode(info.tool);
  // A configured layout may name SQL files by another extension (Synapse's `*.sql.postgres`).
  if (file.language !== 'sql') {
    const embedded = embeddedSqlOps(file.text, 1, file.path);
    const raw = embedded.ops.filter((op) => !isDownLine(op.line, markers));
    return {
      info,
      tool: info.tool,
      mode,
      ops: assignTransactions(raw, mode),
      ...(embedded.error ? { parseError: embedded.error } : {}),
    };
  }
  const parse = file.sql();
  const raw: ExtractedOp[] = [];
  for (const s of parse?.statements ?? []) {
    if (isDownLine(s.line, markers)) continue;
    raw.push(...statementOps(s));
  }
  // A file the PostgreSQL parser rejects as a whole (MySQL backticks and syntax, one odd statement) is
  // read statement by statement, so what does parse — DROP, RENAME, ADD COLUMN — is still judged.
  if (parse?.error) {
    for (const chunk of splitStatements(file.text)) {
      const sql = chunk.text.replace(/`([^`]*)`/g, (_m, id: string) => `"${id.replace(/"/g, '""')}"`);
      for (const op of embeddedSqlOps(sql, chunk.line, file.path).ops) if (!isDownLine(op.line, markers)) raw.push(op);
    }
  }
  return {
    info,
    tool: info.tool,
    mode,
    ops: assignTransactions(raw, mode),
    ...(parse?.error ? { parseError: parse.error } : {}),
  };
}

/**
 * Splits SQL text at `;` outside quotes, identifiers, dollar-quoted bodies and comments, keeping the
 * 1-based line each chunk starts on.
 */
export function splitStatements(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const chunk = text.slice(start, end);
    if (/\S/.test(chunk)) out.push({ text: chunk, line: text.slice(0, start).split('\n').length });
    start = end + 1;
  };
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && !(text[j] === c && text[j + 1] !== c))
        j += text[j] === c ? 2 : text[j] === '\\' && c !== '"' ? 2 : 1;
      i = j + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0];
      if (tag) {
        const close = text.indexOf(tag, i + tag.length);
        i = close === -1 ? text.length : close + tag.length;
      } else {
        i++;
      }
    } else if (c === ';') {
      push(i);
      i++;
    } else {
      i++;
    }
  }
  push(text.length);
  return out;
}

/**
 * Adds transaction context. `implicit-multi` files are one transaction when they hold more than one
 * statement; explicit BEGIN/COMMIT open and close transactions in `explicit` mode (and nest harmlessly,
 * with a warning from PostgreSQL, inside a tool's transaction).
 */
export function assignTransactions(raw: readonly ExtractedOp[], mode: TransactionMode): Op[] {
  const statements = raw.filter((o) => o.kind !== 'transaction').length;
  const wrapped = mode === 'always' || (mode === 'implicit-multi' && statements > 1);
  let explicitTx = -1;
  let counter = 0;
  const toolTx = wrapped ? counter++ : -1;
  const out: Op[] = [];
  for (const o of raw) {
    const { outsideTransaction, ...op } = o;
    if (op.kind === 'transaction') {
      if (op.action === 'begin' && explicitTx === -1 && !wrapped) explicitTx = counter++;
      else if (op.action !== 'begin' && !wrapped) explicitTx = -1;
    }
    const transaction = outsideTransaction ? -1 : wrapped ? toolTx : explicitTx;
    out.push({ ...(op as RawOp), inTransaction: transaction !== -1, transaction } as Op);
  }
  return out;
}

/**
 * Operations of SQL written inside code (TypeORM `queryRunner.query("…")`, Knex `knex.raw`, Alembic
 * `op.execute`, Django `RunSQL`). `${…}` interpolations become a placeholder identifier so the rest
 * still parses. Lines are shifted to the string's position in the file.
 */
export function embeddedSqlOps(
  sql: string,
  startLine: number,
  path: string,
): { ops: RawOp[]; error?: { message: string; line: number } } {
  const read = decodeSource(`${path}#embedded.sql`, Buffer.from(sql, 'utf8'));
  if (!read.ok) return { ops: [] };
  const parse = read.file.sql();
  const ops: RawOp[] = [];
  for (const s of parse?.statements ?? []) ops.push(...statementOps(s, startLine - 1));
  read.file.dispose();
  return parse?.error
    ? { ops, error: { message: parse.error.message, line: parse.error.line + startLine - 1 } }
    : { ops };
}

/**
 * The volatility of a default written as SQL text inside code (Alembic `server_default=sa.text("now()")`,
 * Knex `knex.raw("gen_random_uuid()")`): parsed as `SELECT <expr>` by the real parser.
 */
export function sqlDefaultKind(expr: string): { kind: DefaultKind; fn?: string } {
  const read = decodeSource('default-expression.sql', Buffer.from(`SELECT ${expr}`, 'utf8'));
  if (!read.ok) return { kind: 'unknown-function' };
  try {
    const stmt = read.file.sql()?.statements[0]?.stmt;
    const target = stmt?.SelectStmt?.targetList?.[0]?.ResTarget?.val;
    return target ? classifyDefault(target) : { kind: 'unknown-function' };
  } finally {
    read.file.dispose();
  }
}
