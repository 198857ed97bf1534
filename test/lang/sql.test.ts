import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, scanSync } from 'libpg-query';
import { loadParsers } from '../../src/lang/index.js';
import { sqlComments } from '../../src/lang/sql.js';
import { fileOf, fixture, lineOfText } from './helpers.js';

beforeAll(async () => {
  await loadParsers(['sql']);
});

describe('sql()', () => {
  it('splits a migration into statements with keyword lines and exact text', () => {
    const f = fixture('0042_add_email.sql');
    const parse = f.sql()!;
    expect(parse.error).toBeUndefined();
    const kinds = parse.statements.map((s) => Object.keys(s.stmt)[0]);
    expect(kinds).toEqual([
      'TransactionStmt',
      'AlterTableStmt',
      'IndexStmt',
      'UpdateStmt',
      'CreateFunctionStmt',
      'TransactionStmt',
    ]);
    const [begin, alter, index, update, fn, commit] = parse.statements;
    expect(begin).toMatchObject({ line: 3, endLine: 3, text: 'BEGIN' });
    expect(alter).toMatchObject({
      line: lineOfText(f.text, 'ALTER TABLE'),
      endLine: lineOfText(f.text, 'ALTER TABLE'),
      text: 'ALTER TABLE users ADD COLUMN email text',
    });
    // The comment before the index is not part of it: line points at CREATE.
    expect(index!.line).toBe(lineOfText(f.text, 'CREATE INDEX'));
    expect(index!.endLine).toBe(lineOfText(f.text, 'ON users (email)'));
    expect(index!.text).toBe('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx\n  ON users (email)');
    expect(update!.text).toBe("UPDATE users SET note = 'it''s -- not a comment' WHERE note IS NULL");
    expect(fn!.line).toBe(lineOfText(f.text, 'CREATE FUNCTION'));
    expect(fn!.endLine).toBe(lineOfText(f.text, '$body$ LANGUAGE'));
    expect(commit).toMatchObject({ text: 'COMMIT', line: lineOfText(f.text, 'COMMIT') });
    for (const s of parse.statements) expect(f.text.slice(s.start, s.end)).toBe(s.text);
    expect(f.sql()).toBe(parse);
    expect(f.parseErrors()).toEqual([]);
  });

  it('converts byte offsets for multi-byte characters before a statement', () => {
    const text =
      "-- ümlaut 😀 and 中文 in a comment\nINSERT INTO t (name) VALUES ('Zoë 🎉');\n\n-- ✓ next\nDELETE FROM t WHERE name = 'é';\n";
    const f = fileOf('m.sql', text);
    const [insert, del] = f.sql()!.statements;
    expect(insert).toMatchObject({ line: 2, endLine: 2, text: "INSERT INTO t (name) VALUES ('Zoë 🎉')" });
    expect(del).toMatchObject({ line: 5, endLine: 5, text: "DELETE FROM t WHERE name = 'é'" });
    expect(del!.start).toBe(text.indexOf('DELETE'));
  });

  it('takes the last statement without a semicolon to the end, without trailing comments', () => {
    const f = fileOf('a.sql', 'SELECT 1;\nSELECT 2 -- trailing\n  /* also */\n');
    const [, last] = f.sql()!.statements;
    expect(last).toMatchObject({ text: 'SELECT 2', line: 2, endLine: 2 });
  });

  it('reports a syntax error with its line (character-accurate after emoji) and no statements', () => {
    // The cursor is in code points; the bad token starts its line, so an offset read as UTF-16 units or
    // bytes would land on the line before.
    const f = fileOf('bad.sql', "-- 😀😀😀 é\nSELECT 'é';\nSELEC 2;\nSELECT 3;\n");
    const parse = f.sql()!;
    expect(parse.statements).toEqual([]);
    expect(parse.error).toEqual({ message: 'syntax error at or near "SELEC"', line: 3 });
    expect(f.parseErrors()).toEqual(['PostgreSQL cannot parse this file: line 3: syntax error at or near "SELEC"']);
  });

  it('reports an unterminated string on the line where it starts', () => {
    const f = fileOf('bad.sql', "SELECT 1;\n\nSELECT 'oops;\n");
    expect(f.sql()!.error).toMatchObject({ line: 3 });
    expect(f.sql()!.error!.message).toMatch(/unterminated quoted string/);
  });

  it('handles empty and comment-only files', () => {
    expect(fileOf('e.sql', '').sql()).toEqual({ statements: [] });
    const onlyComment = fileOf('c.sql', '-- nothing to see\n/* here */\n');
    expect(onlyComment.sql()).toEqual({ statements: [] });
    expect(onlyComment.comments()).toEqual([
      { line: 1, text: '-- nothing to see' },
      { line: 2, text: '/* here */' },
    ]);
  });

  it('is undefined for non-SQL files', () => {
    expect(fileOf('a.py', 'x = 1').sql()).toBeUndefined();
  });
});

describe('SQL comments', () => {
  it('finds file comments but not comment markers inside strings, identifiers or dollar bodies', () => {
    const f = fixture('0042_add_email.sql');
    expect(f.comments()).toEqual([
      { line: 1, text: '-- Migration: add the email column' },
      { line: 2, text: '-- squawk-ignore adding-not-nullable-field' },
      { line: 7, text: '/* backfill in batches elsewhere; /* nested */ still a comment */' },
    ]);
  });

  it('are available without loading libpg-query (suppressions work on files the parser rejects)', () => {
    const f = fileOf('bad.sql', '-- readiness-ignore migrations/x: reason\nSELEC 1;\n');
    expect(f.comments()).toEqual([{ line: 1, text: '-- readiness-ignore migrations/x: reason' }]);
  });

  it('agree with PostgreSQL’s own lexer on tricky input', async () => {
    await loadModule();
    const samples = [
      "SELECT 'a--b', \"c--d\", E'it\\'s -- x' -- real\n",
      'SELECT $$ -- no $$, $tag$ /* no */ $tag$ /* yes /* nested */ yes */;',
      'SELECT a$b$c, $1 -- p\nFROM t; /* multi\nline */',
      "SELECT U&'d\\0061t' -- after unicode\n, b'101', x'ff', e'\\\\' -- esc\n",
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1 -- inner\n $fn$; -- outer',
      'SELECT 1 /* unterminated',
      "SELECT 'x' -- ü 😀 non-ascii\n/* 中文 */",
    ];
    for (const sql of samples) {
      const ours = sqlComments(sql).map((s) => sql.slice(s.start, s.end));
      let theirs: string[];
      try {
        theirs = scanSync(sql)
          .tokens.filter((t) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT')
          .map((t) => t.text);
      } catch {
        // PostgreSQL's scanner refuses an unterminated comment; ours runs it to the end of the file.
        theirs = ['/* unterminated'];
      }
      expect(ours, sql).toEqual(theirs);
    }
  });
});

describe('SQL robustness', () => {
  it('reports pathological nesting and runaway tokens as short errors instead of throwing', () => {
    const deep = fileOf('deep.sql', `SELECT ${'('.repeat(10_000)}1${')'.repeat(10_000)};`);
    expect(deep.sql()!.error?.message).toMatch(/memory exhausted|stack depth/);
    const runaway = fileOf('r.sql', `SELECT 1;\n${'x'.repeat(5000)} y;`);
    const error = runaway.sql()!.error!;
    expect(error.line).toBe(2);
    expect(error.message.length).toBeLessThanOrEqual(201);
    expect(error.message.endsWith('…')).toBe(true);
  });
});
