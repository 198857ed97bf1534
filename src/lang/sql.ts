/**
 * SQL files: comment scanning and turning libpg-query's statements into file positions.
 *
 * The comment scanner is our own so that comments (and suppression markers in them) are available even
 * for files the parser rejects, and without loading libpg-query at all. It follows PostgreSQL's lexer for
 * everything that can hide a comment marker: '…' strings (with '' doubling, and backslash escapes in
 * E'…'), "…" identifiers, $tag$…$tag$ bodies, nested /* … *\/ comments and -- comments.
 */
import type { SqlParse, SqlStatement } from './source-file.js';
import type { Span } from './comments.js';
import type { RawPgParse } from './pg.js';
import { byteOffsetConverter, codePointToOffset, type LineIndex } from './text.js';

/** Longest parser message kept, in characters. */
const MAX_MESSAGE = 200;

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_\u0080-\uffff]/.test(c);
}

/** The comment spans of a SQL text (markers included), in order. Unterminated constructs run to the end. */
export function sqlComments(text: string): Span[] {
  const out: Span[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      let end = i + 2;
      while (end < n && text[end] !== '\n' && text[end] !== '\r') end++;
      out.push({ start: i, end });
      i = end;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else {
          j++;
        }
      }
      out.push({ start: i, end: j });
      i = j;
    } else if (c === "'") {
      // E'…' (any case) allows backslash escapes, but only when the E is a prefix, not an identifier's end.
      const prefix = text[i - 1];
      const escapes = (prefix === 'e' || prefix === 'E') && !isIdentChar(text[i - 2]);
      let j = i + 1;
      while (j < n) {
        if (escapes && text[j] === '\\') {
          j += 2;
        } else if (text[j] === "'") {
          if (text[j + 1] === "'") j += 2;
          else break;
        } else {
          j++;
        }
      }
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === '"') {
          if (text[j + 1] === '"') j += 2;
          else break;
        } else {
          j++;
        }
      }
      i = j + 1;
    } else if (c === '$' && !isIdentChar(text[i - 1])) {
      // $tag$ opens a dollar-quoted body; $1 is a parameter, and `a$b` is an identifier (handled above).
      let j = i + 1;
      if (isIdentStart(text[j])) {
        j++;
        while (j < n && isIdentChar(text[j]) && text[j] !== '$') j++;
      }
      if (text[j] === '$') {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        i = close === -1 ? n : close + tag.length;
      } else {
        i += 1;
      }
    } else if (isIdentChar(c)) {
      // Skip a whole identifier or number so a `$` inside it is not taken as a dollar quote.
      let j = i + 1;
      while (j < n && isIdentChar(text[j])) j++;
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

/**
 * Builds the SqlParse of a file from libpg-query's raw result. libpg-query reports statement offsets in
 * UTF-8 bytes and the error cursor in code points; both are converted to string offsets. Each statement's
 * span is narrowed to its first and last token, so `line` is the line of its keyword, not of a comment or
 * blank line before it.
 */
export function toSqlParse(text: string, raw: RawPgParse, index: LineIndex, comments: readonly Span[]): SqlParse {
  if (!raw.ok) {
    const at = raw.cursor > 0 ? codePointToOffset(text, raw.cursor - 1) : 0;
    // PostgreSQL quotes the offending token whole ("at or near …"), which for a runaway string or
    // identifier can be most of the file; keep messages report-sized.
    const message = raw.message.length > MAX_MESSAGE ? `${raw.message.slice(0, MAX_MESSAGE)}…` : raw.message;
    return { statements: [], error: { message, line: index.lineAt(at) } };
  }
  const toOffset = byteOffsetConverter(text);
  const totalBytes = Buffer.byteLength(text, 'utf8');
  const commentByStart = new Map(comments.map((c) => [c.start, c.end]));
  const commentByEnd = new Map(comments.map((c) => [c.end, c.start]));
  const statements: SqlStatement[] = [];
  for (const { stmt, stmt_location, stmt_len } of raw.stmts) {
    const byteStart = stmt_location ?? 0;
    // stmt_len 0 (omitted) means "to the end of the input": the last statement without a semicolon.
    const byteEnd = stmt_len ? byteStart + stmt_len : totalBytes;
    let start = toOffset(byteStart);
    let end = toOffset(byteEnd);
    for (;;) {
      while (start < end && /\s/.test(text[start]!)) start++;
      const commentEnd = commentByStart.get(start);
      if (commentEnd === undefined || start >= end) break;
      start = commentEnd;
    }
    for (;;) {
      while (end > start && /\s/.test(text[end - 1]!)) end--;
      const commentStart = commentByEnd.get(end);
      if (commentStart === undefined || end <= start || commentStart < start) break;
      end = commentStart;
    }
    if (end <= start) continue;
    statements.push({
      stmt,
      start,
      end,
      line: index.lineAt(start),
      endLine: index.lineAt(end - 1),
      text: text.slice(start, end),
    });
  }
  return { statements };
}
