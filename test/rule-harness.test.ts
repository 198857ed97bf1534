/**
 * The fixture harness itself can fail: a rule that throws fails even its clean case, a wrong message
 * variant or severity fails an annotation, and declared errors must happen.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Gate, Rule } from '../src/core/types.js';
import { GATES } from '../src/gates/index.js';
import { annotationsFor, errorProblems, FIXTURES_ROOT, runCase } from './support/rule-harness.js';

const RULE = 'pii/whole-object-logged';
const dir = (c: string) => join(FIXTURES_ROOT, RULE, c);

/** GATES with one rule's check replaced. */
function withCheck(ruleId: string, check: () => void): Gate[] {
  return GATES.map((g) => ({
    ...g,
    rules: g.rules.map((r) => (r.meta.id === ruleId ? ({ ...r, check } as unknown as Rule) : r)),
  }));
}

describe('rule harness', () => {
  it('passes the real rule on its clean case', async () => {
    expect((await runCase(dir('clean-ts'), RULE)).problems).toEqual([]);
  });

  it('fails a clean case when the rule throws', async () => {
    const broken = withCheck(RULE, () => {
      throw new Error('boom');
    });
    const { problems } = await runCase(dir('clean-ts'), RULE, broken);
    expect(problems.join('\n')).toMatch(/analysis error.*rule pii\/whole-object-logged failed.*boom/);
  });

  it('reads a message variant and a severity from an annotation', () => {
    const head = { 'a.ts': Buffer.from('// ruleid: other/x, pii/whole-object-logged#credential@blocker\nlog(user)\n') };
    expect(annotationsFor(head, RULE)).toEqual([
      { path: 'a.ts', line: 2, kind: 'ruleid', messageId: 'credential', severity: 'blocker', source: 'a.ts:1' },
    ]);
  });

  it('reads a per-line state after the severity', () => {
    const head = {
      'a.ts': Buffer.from(
        `// ruleid: ${RULE}@new\nlog(user)\n// ruleid: ${RULE}#credential@blocker@existing\nlog(user)\nlog(user) // ok: ${RULE}@new\n`,
      ),
    };
    expect(annotationsFor(head, RULE)).toEqual([
      { path: 'a.ts', line: 2, kind: 'ruleid', state: 'new', source: 'a.ts:1' },
      {
        path: 'a.ts',
        line: 4,
        kind: 'ruleid',
        messageId: 'credential',
        severity: 'blocker',
        state: 'existing',
        source: 'a.ts:3',
      },
      { path: 'a.ts', line: 5, kind: 'ok', state: 'new', source: 'a.ts:5' },
    ]);
  });

  it('fails an annotation whose message variant or severity does not match', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-'));
    const write = (annotation: string) => {
      mkdirSync(join(root, 'after/src'), { recursive: true });
      mkdirSync(join(root, 'before'), { recursive: true });
      const code = `const log = require('./log');\nfunction f() {\n  // ${annotation}\n  console.log(process.env);\n}\nmodule.exports = { f };\n`;
      writeFileSync(join(root, 'after/src/env.js'), code);
    };
    try {
      write(`ruleid: ${RULE}`);
      const plain = await runCase(root, RULE);
      expect(plain.problems).toEqual([]);
      const actual = plain.findings[0]!;
      write(`ruleid: ${RULE}#${actual.messageId}@${actual.severity}`);
      expect((await runCase(root, RULE)).problems).toEqual([]);
      const otherId = actual.messageId === 'object' ? 'credential' : 'object';
      write(`ruleid: ${RULE}#${otherId}`);
      expect((await runCase(root, RULE)).problems.join('\n')).toMatch(
        new RegExp(`expected ${RULE}#${otherId} .* got #${actual.messageId}@`),
      );
      write(`ruleid: ${RULE}@${actual.severity === 'notice' ? 'warning' : 'notice'}`);
      expect((await runCase(root, RULE)).problems).toHaveLength(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('requires every error to be declared, and every declared error to happen', () => {
    const errors = [{ path: 'a.sql', message: 'PostgreSQL cannot parse this file: line 1' }];
    expect(errorProblems(errors, [])).toHaveLength(1);
    expect(errorProblems(errors, [{ path: 'a.sql', message: 'cannot parse' }])).toEqual([]);
    expect(errorProblems([], [{ message: 'cannot parse' }])).toEqual([
      'declared error did not happen: *: cannot parse',
    ]);
  });
});
