/**
 * `/readiness` commands: comments are the waiver audit trail, so what counts as a command (and what
 * does not, like quotes and code) must be exact, and mistakes must come back as messages people can act on.
 */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/github/index.js';

describe('parseCommand', () => {
  it('parses a waiver with a reason', () => {
    expect(parseCommand('/readiness waive 3f9a1c2b7d4e column is unused since v2.3')).toEqual([
      { kind: 'waive', findingId: '3f9a1c2b7d4e', reason: 'column is unused since v2.3', line: 1 },
    ]);
  });

  it('parses --until in both spellings and strips backticks pasted around the id', () => {
    expect(parseCommand('/readiness waive `3f9a1c2b7d4e` --until 2026-03-31 backfill runs first')[0]).toEqual({
      kind: 'waive',
      findingId: '3f9a1c2b7d4e',
      until: '2026-03-31',
      reason: 'backfill runs first',
      line: 1,
    });
    expect(parseCommand('/readiness waive abc --until=2026-01-15 ok')[0]).toMatchObject({
      until: '2026-01-15',
      reason: 'ok',
    });
  });

  it.each([
    ['/readiness waive 3f9a1c2b7d4e', 'missing-reason', /needs a reason/],
    ['/readiness waive 3f9a1c2b7d4e --until 2026-03-31', 'missing-reason', /needs a reason/],
    ['/readiness waive', 'missing-finding-id', /which finding/],
    ['/readiness waive --until 2026-03-31 because', 'missing-finding-id', /which finding/],
    ['/readiness waive abc --until 31/03/2026 because', 'bad-date', /not a date/],
    ['/readiness waive abc --until 2026-02-30 because', 'bad-date', /not a date/],
    ['/readiness waive abc --until', 'bad-date', /needs a date/],
    ['/readiness unwaive', 'missing-finding-id', /which finding/],
    ['/readiness explain', 'missing-rule-id', /which rule/],
    ['/readiness explain DropColumn', 'bad-rule-id', /migrations\/drop-column/],
    ['/readiness wave abc reason', 'unknown-subcommand', /Did you mean `\/readiness waive`\?/],
    ['/readiness deploy', 'unknown-subcommand', /not a readiness command/],
  ])('%s → %s', (body, code, message) => {
    const [result] = parseCommand(body);
    expect(result).toMatchObject({ kind: 'error', code, line: 1, text: body });
    expect(result && 'message' in result ? result.message : '').toMatch(message);
  });

  it('rejects an --until in the past when told what day it is', () => {
    expect(parseCommand('/readiness waive abc --until 2025-01-01 late', { today: '2025-06-01' })[0]).toMatchObject({
      code: 'bad-date',
      message: expect.stringMatching(/in the past/),
    });
    expect(
      parseCommand('/readiness waive abc --until 2025-06-01 today is fine', { today: '2025-06-01' })[0],
    ).toMatchObject({ kind: 'waive' });
  });

  it('parses the other commands; a bare /readiness asks for help', () => {
    expect(parseCommand('/readiness unwaive 3f9a1c2b7d4e')).toEqual([
      { kind: 'unwaive', findingId: '3f9a1c2b7d4e', line: 1 },
    ]);
    expect(parseCommand('/readiness recheck')).toEqual([{ kind: 'recheck', line: 1 }]);
    expect(parseCommand('/readiness explain migrations/drop-column')).toEqual([
      { kind: 'explain', ruleId: 'migrations/drop-column', line: 1 },
    ]);
    expect(parseCommand('/readiness help')).toEqual([{ kind: 'help', line: 1 }]);
    expect(parseCommand('/readiness')).toEqual([{ kind: 'help', line: 1 }]);
    expect(parseCommand('/READINESS Recheck')).toEqual([{ kind: 'recheck', line: 1 }]);
  });

  it('takes one command per line, keeping line numbers and errors in place', () => {
    const body = [
      'Thanks for the review!',
      '/readiness waive aaa111 legacy table, dropped in #120',
      '/readiness waive bbb222',
      '/readiness recheck\r',
    ].join('\r\n');
    expect(parseCommand(body).map((c) => [c.kind, c.line])).toEqual([
      ['waive', 2],
      ['error', 3],
      ['recheck', 4],
    ]);
  });

  it('ignores quotes, fenced and indented code, HTML comments, inline mentions and look-alikes', () => {
    const body = [
      '> /readiness waive aaa111 quoted from someone else',
      '>/readiness recheck',
      '```',
      '/readiness waive bbb222 an example in a code block',
      '```',
      '~~~md',
      '/readiness recheck',
      '~~~',
      '',
      '    /readiness waive ccc333 indented code',
      '<!--',
      '/readiness waive ddd444 hidden',
      '-->',
      'Run `/readiness recheck` when ready.',
      'Please /readiness recheck',
      '/readinesscheck',
      '- /readiness recheck',
      '/readiness unwaive eee555',
    ].join('\n');
    expect(parseCommand(body)).toEqual([{ kind: 'unwaive', findingId: 'eee555', line: 18 }]);
  });

  it('treats an unclosed fence as running to the end of the comment', () => {
    expect(parseCommand('```\n/readiness recheck')).toEqual([]);
  });

  it('returns nothing for a comment without commands', () => {
    expect(parseCommand('LGTM 👍')).toEqual([]);
    expect(parseCommand('')).toEqual([]);
  });
});
