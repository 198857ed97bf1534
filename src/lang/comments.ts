/**
 * Comment scanners for the languages without a parser that reports comments (TOML, Prisma, JSON,
 * Dockerfile), and the shared step that turns comment spans into `{ line, text }` entries.
 */
import type { LineIndex } from './text.js';

/** One comment as SourceFile.comments() reports it. */
export interface CommentLine {
  line: number;
  text: string;
}

/** A comment's span in the text: [start, end) string offsets, including its markers. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Comment spans to entries. A comment that spans several lines yields one entry per line, each holding
 * that line's part, so every entry's `line` is where its text really is: a suppression marker on the last
 * line of a block comment applies to the next line, not to the line after the comment's first.
 */
export function commentLines(text: string, spans: Iterable<Span>, index: LineIndex): CommentLine[] {
  const out: CommentLine[] = [];
  for (const { start, end } of spans) {
    const body = text.slice(start, end);
    const first = index.lineAt(start);
    if (!body.includes('\n')) {
      out.push({ line: first, text: stripCr(body) });
      continue;
    }
    body.split('\n').forEach((part, i) => out.push({ line: first + i, text: stripCr(part) }));
  }
  return out;
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/** End offset (exclusive) of the line that contains `from`, excluding its terminator. */
function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  const end = nl === -1 ? text.length : nl;
  return end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

/**
 * Dockerfile comments: lines whose first non-blank character is `#` (a `#` elsewhere is an argument).
 * Parser directives (`# syntax=…`) are comments too, as Docker's own parser treats them.
 */
export function hashLineComments(text: string): Span[] {
  const out: Span[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    const end = lineEnd(text, lineStart);
    let i = lineStart;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === '#' && i < end) out.push({ start: i, end });
    const nl = text.indexOf('\n', lineStart);
    if (nl === -1) break;
    lineStart = nl + 1;
  }
  return out;
}

/**
 * TOML comments: `#` to the end of the line, outside basic ("…", with backslash escapes), literal ('…')
 * and multi-line ("""…""", '''…''') strings.
 */
export function tomlComments(text: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '#') {
      const end = lineEnd(text, i);
      out.push({ start: i, end });
      i = end;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const escapes = c === '"';
      i += triple ? 3 : 1;
      while (i < n) {
        if (escapes && text[i] === '\\') {
          i += 2;
          continue;
        }
        if (triple ? text.startsWith(c.repeat(3), i) : text[i] === c) {
          // A multi-line string may end with up to two extra quotes (""""" closes after content `""`).
          i += triple ? 3 : 1;
          while (triple && text[i] === c) i++;
          break;
        }
        // A single-line string never crosses a newline; stop there so a broken string cannot hide the file.
        if (!triple && text[i] === '\n') break;
        i++;
      }
    } else {
      i++;
    }
  }
  return out;
}

/**
 * `//` line comments (and `/* … *\/` block comments when `block`) outside double-quoted strings with
 * backslash escapes. Used for Prisma schemas (`//`, `///`) and JSON files (JSONC: tsconfig, VS Code).
 */
export function slashComments(text: string, block: boolean): Span[] {
  const out: Span[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = lineEnd(text, i);
      out.push({ start: i, end });
      i = end;
    } else if (block && c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close === -1 ? n : close + 2;
      out.push({ start: i, end });
      i = end;
    } else {
      i++;
    }
  }
  return out;
}
