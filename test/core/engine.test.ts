/**
 * Engine semantics with a tiny fake gate: baseline (new vs existing), stable fingerprints, suppressions,
 * exceptions, waivers, severity overrides, fail-on, crash isolation and skipped files.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/loader.js';
import { evaluate, type EvaluateOptions } from '../../src/core/engine.js';
import type { Gate, IndexContext, RuleContext } from '../../src/core/types.js';
import type { FactsDef, RuleFactsOwner } from '../../src/core/facts.js';
import { MemoryCache } from '../../src/core/cache.js';
import { spendBudget } from '../../src/core/budget.js';
import type { SourceFile } from '../../src/lang/source-file.js';
import { z } from 'zod';
import { coreGate } from '../../src/gates/core/index.js';
import { memoryChangeSet } from '../../src/source/memory.js';

/** Reports every line containing BAD (blocker) or MEH (warning); crashes on a file containing CRASH. */
const fakeGate: Gate = {
  id: 'pii',
  title: 'Fake',
  description: 'A gate for engine tests.',
  applies: async ({ paths }) => paths.some((p) => p.endsWith('.ts')),
  rules: [
    {
      scope: 'file',
      files: ['**/*.ts'],
      prefilter: ['BAD', 'MEH', 'CRASH', 'KEYED'],
      meta: {
        id: 'pii/fake-rule',
        gate: 'pii',
        severity: 'blocker',
        description: 'Reports BAD and MEH lines.',
        messages: { bad: 'BAD found: {{what}}', meh: 'MEH found' },
        fixes: { default: 'Remove {{what}}.' },
      },
      check(file, _change, ctx) {
        if (file.text.includes('CRASH')) throw new Error('boom');
        file.lines().forEach((line, i) => {
          if (/\bBAD\b/.test(line) && !line.trim().startsWith('//'))
            ctx.report({ messageId: 'bad', data: { what: 'it' }, line: i + 1 });
          if (/\bMEH\b/.test(line) && !line.trim().startsWith('//'))
            ctx.report({ messageId: 'meh', line: i + 1, severity: 'warning' });
          const keyed = /\bKEYED\((\w+)\)/.exec(line);
          if (keyed) ctx.report({ messageId: 'meh', line: i + 1, key: keyed[1], anchor: 'key' });
        });
      },
    },
  ],
};

const gates = [fakeGate, coreGate];

async function run(
  base: Record<string, string | Uint8Array>,
  head: Record<string, string | Uint8Array>,
  configText = '',
  extra: Partial<EvaluateOptions> = {},
) {
  return evaluate({
    changeSet: memoryChangeSet({ base, head }),
    config: parseConfig(configText, '.github/readiness.yml', gates),
    gates,
    now: new Date('2026-06-01T12:00:00Z'),
    ...extra,
  });
}

describe('baseline', () => {
  it('a finding on an added line is new and blocks', async () => {
    const r = await run({ 'src/a.ts': 'const x = 1;\n' }, { 'src/a.ts': 'const x = 1;\nconst y = BAD;\n' });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      ruleId: 'pii/fake-rule',
      state: 'new',
      line: 2,
      severity: 'blocker',
      message: 'BAD found: it',
      fix: 'Remove it.',
    });
    expect(r.verdict).toBe('blocked');
    const gate = r.gates.find((g) => g.id === 'pii')!;
    expect(gate).toMatchObject({ status: 'fail', score: 49, baseScore: 100, counts: { blocker: 1, existing: 0 } });
  });

  it('a finding already at the base is existing debt and does not block, even when lines shift', async () => {
    const r = await run(
      { 'src/a.ts': 'const a = 1;\nconst y = BAD;\n' },
      { 'src/a.ts': '// header\n\nconst a = 2;\n  const y = BAD;\n' },
    );
    expect(r.findings.map((f) => [f.state, f.line])).toEqual([['existing', 4]]);
    expect(r.verdict).toBe('ready');
    expect(r.gates.find((g) => g.id === 'pii')).toMatchObject({ status: 'pass', score: 80, baseScore: 80 });
  });

  it('lists findings present at the base and gone at the head as resolved', async () => {
    const r = await run(
      { 'src/a.ts': 'const y = BAD;\nconst z = MEH;\nf(BAD);\n', 'src/gone.ts': 'g(BAD);\n' },
      { 'src/a.ts': 'const y = 1;\nconst z = MEH;\nf(BAD);\n\n' },
    );
    expect(r.resolved.map((f) => [f.ruleId, f.path, f.line, f.severity])).toEqual([
      ['pii/fake-rule', 'src/a.ts', 1, 'blocker'],
      ['pii/fake-rule', 'src/gone.ts', 1, 'blocker'],
    ]);
    expect(r.findings.map((f) => f.state)).toEqual(['existing', 'existing']);
    const off = await run({ 'src/a.ts': 'f(BAD);\n' }, { 'src/a.ts': 'f(1);\n' }, 'baseline: off\n');
    expect(off.resolved).toEqual([]);
  });

  it('counts the changed files line rules read, for coverage', async () => {
    const r = await run({}, { 'src/a.ts': 'const a = 1;\n', 'README.md': 'hello\n' });
    expect(r.filesCheckedByRules).toBe(1);
    expect(r.gates.find((g) => g.id === 'pii')?.coverage?.examined).toContain('1 changed file read by its line rules');
  });

  it('does not count an edited line that still has the same problem as resolved', async () => {
    const r = await run({ 'src/a.ts': 'f(BAD);\n' }, { 'src/a.ts': 'g(BAD);\n' });
    expect(r.findings.map((f) => f.state)).toEqual(['new']);
    expect(r.resolved).toEqual([]);
  });

  it('a passing gate never scores 0 because of debt it did not add', async () => {
    const debt = 'f(BAD);\n'.repeat(7);
    const r = await run({ 'src/a.ts': debt }, { 'src/a.ts': `${debt}const a = 1;\n` });
    expect(r.verdict).toBe('ready');
    expect(r.gates.find((g) => g.id === 'pii')).toMatchObject({
      status: 'pass',
      score: 50,
      baseScore: 50,
      counts: { existing: 7 },
    });
    expect(r.score).toBeGreaterThanOrEqual(50);
  });

  it('keeps the id through a rename with edits', async () => {
    const r = await run(
      { 'src/old.ts': 'const y = BAD;\nexport const a = 1;\nexport const b = 2;\nexport const c = 3;\n' },
      { 'src/new.ts': 'const y = BAD;\nexport const a = 1;\nexport const b = 2;\nexport const c = 4;\n' },
    );
    expect(r.findings.map((f) => [f.path, f.state])).toEqual([['src/new.ts', 'existing']]);
  });

  it('gives two identical lines different ids and keeps them stable', async () => {
    const head = { 'src/a.ts': 'f(BAD);\nf(BAD);\n' };
    const r1 = await run({}, head);
    const r2 = await run({}, { 'src/a.ts': '\n\nf(BAD);\n\nf(BAD);\n' });
    const ids1 = r1.findings.map((f) => f.id);
    expect(new Set(ids1).size).toBe(2);
    expect(r2.findings.map((f) => f.id)).toEqual(ids1);
  });

  it('anchor: key leaves the line text out of the id: rewording around the same key is the same finding', async () => {
    const r = await run(
      { 'src/a.ts': 'log("refresh failed", KEYED(token));\n' },
      { 'src/a.ts': 'log("could not refresh", KEYED(token));\nlog("could not refresh", KEYED(other));\n' },
    );
    expect(r.findings.map((f) => f.state)).toEqual(['existing', 'new']);
  });

  describe('several findings with one fingerprint, the PR adding or removing some', () => {
    const log = (msg: string) => `log("${msg}", KEYED(token));\n`;
    const base = { 'src/a.ts': `${log('first')}const a = 1;\n${log('second')}` };
    const head = { 'src/a.ts': `${log('first')}const a = 1;\n${log('added')}${log('second')}` };

    it('the new one is on the line the PR added; the old ones keep their ids and their waivers', async () => {
      const same = await run({}, base);
      const r = await run(base, head);
      expect(r.findings.map((f) => [f.line, f.state])).toEqual([
        [1, 'existing'],
        [3, 'new'],
        [4, 'existing'],
      ]);
      expect([r.findings[0]!.id, r.findings[2]!.id]).toEqual(same.findings.map((f) => f.id));
      expect(new Set(r.findings.map((f) => f.id)).size).toBe(3);
      // A waiver of the old second occurrence stays on it and does not clear the added one.
      const waived = await run(base, head, '', {
        waivers: [{ findingId: same.findings[1]!.id, reason: 'known', by: 'octocat', until: '2026-12-01' }],
      });
      expect(waived.findings.map((f) => [f.line, f.state])).toEqual([
        [1, 'existing'],
        [3, 'new'],
        [4, 'waived'],
      ]);
      expect(waived.verdict).toBe('blocked');
    });

    it('holds through a rename with edits', async () => {
      const r = await run(
        { 'src/old.ts': `${base['src/a.ts']}export const b = 2;\nexport const c = 3;\n` },
        { 'src/new.ts': `${head['src/a.ts']}export const b = 2;\nexport const c = 4;\n` },
      );
      expect(r.findings.map((f) => [f.path, f.line, f.state])).toEqual([
        ['src/new.ts', 1, 'existing'],
        ['src/new.ts', 3, 'new'],
        ['src/new.ts', 4, 'existing'],
      ]);
    });

    it('the resolved one is the one on the line the PR removed', async () => {
      const r = await run(head, base);
      expect(r.findings.map((f) => f.state)).toEqual(['existing', 'existing']);
      expect(r.resolved.map((f) => f.line)).toEqual([3]);
    });

    it('holds for line-text fingerprints too: identical lines, the added one between two old ones', async () => {
      const r = await run(
        { 'src/a.ts': 'f(BAD);\nconst a = 1;\nconst b = 2;\nf(BAD);\n' },
        { 'src/a.ts': 'f(BAD);\nconst a = 1;\nf(BAD);\nconst b = 2;\nf(BAD);\n' },
      );
      expect(r.findings.map((f) => [f.line, f.state])).toEqual([
        [1, 'existing'],
        [3, 'new'],
        [5, 'existing'],
      ]);
    });
  });

  it('baseline: off makes existing findings new', async () => {
    const r = await run({ 'src/a.ts': 'f(BAD);\n' }, { 'src/a.ts': 'f(BAD);\nf(1);\n' }, 'baseline: off\n');
    expect(r.findings.map((f) => f.state)).toEqual(['new']);
    expect(r.verdict).toBe('blocked');
  });
});

describe('severity and fail-on', () => {
  it('config can lower a rule to warning, and fail-on: warning blocks on it', async () => {
    const lowered = await run({}, { 'src/a.ts': 'f(BAD);\n' }, 'rules:\n  pii/fake-rule: warning\n');
    expect(lowered.findings[0]?.severity).toBe('warning');
    expect(lowered.verdict).toBe('ready');
    const strict = await run({}, { 'src/a.ts': 'f(BAD);\n' }, 'fail-on: warning\nrules:\n  pii/fake-rule: warning\n');
    expect(strict.verdict).toBe('blocked');
  });

  it('off disables the rule', async () => {
    const r = await run({}, { 'src/a.ts': 'f(BAD);\n' }, 'rules:\n  pii/fake-rule: off\n');
    expect(r.findings).toEqual([]);
  });

  it('a gate with only warnings warns', async () => {
    const r = await run({}, { 'src/a.ts': 'f(MEH);\n' });
    expect(r.gates.find((g) => g.id === 'pii')).toMatchObject({ status: 'warn', score: 95 });
    expect(r.verdict).toBe('ready');
  });

  it('skips a gate that nothing concerns', async () => {
    const r = await run({}, { 'README.md': 'hello\n' });
    expect(r.gates.find((g) => g.id === 'pii')?.status).toBe('skip');
    expect(r.score).toBe(100);
  });
});

describe('suppressions (markers; new-blockers: allow, so the marker alone decides)', () => {
  const ALLOW = 'suppressions: { new-blockers: allow }\n';
  it('a readiness-ignore with a reason suppresses the next code line and is recorded', async () => {
    const r = await run({}, { 'src/a.ts': '// readiness-ignore pii/fake-rule: test double\n\nf(BAD);\n' }, ALLOW);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      state: 'suppressed',
      suppression: { kind: 'comment', reason: 'test double', by: 'src/a.ts:1' },
    });
    expect(r.verdict).toBe('ready');
  });

  it('a gate name covers all of its rules; a trailing comment covers its own line', async () => {
    const r = await run({}, { 'src/a.ts': 'f(BAD); // readiness-ignore pii: known\n' }, ALLOW);
    expect(r.findings.map((f) => f.state)).toEqual(['suppressed']);
  });

  it('file-level suppression covers every line', async () => {
    const r = await run(
      {},
      { 'src/a.ts': '// readiness-ignore-file pii/fake-rule: generated file\nf(BAD);\n\n\nf(BAD);\n' },
      ALLOW,
    );
    expect(r.findings.map((f) => f.state)).toEqual(['suppressed', 'suppressed']);
  });

  it('a marker without a reason suppresses nothing and is reported', async () => {
    const r = await run({}, { 'src/a.ts': '// readiness-ignore pii/fake-rule\nf(BAD);\n' });
    const ids = r.findings.map((f) => [f.ruleId, f.state, f.line]);
    expect(ids).toContainEqual(['pii/fake-rule', 'new', 2]);
    expect(ids).toContainEqual(['core/suppression-missing-reason', 'new', 1]);
  });

  it('an unused or unknown marker is reported', async () => {
    const r = await run(
      {},
      { 'src/a.ts': '// readiness-ignore pii/fake-rule: stale\nf(1);\n// readiness-ignore pii/nope: typo\nf(2);\n' },
    );
    const core = r.findings.filter((f) => f.ruleId === 'core/unused-suppression');
    expect(core.map((f) => f.line)).toEqual([1, 3]);
    expect(core[1]?.message).toContain('pii/nope');
    expect(r.gates.find((g) => g.id === 'core')).toMatchObject({ status: 'warn' });
  });
});

describe('suppressions the pull request adds (new-blockers: require-approval, the default)', () => {
  it('a marker the PR adds next to its own blocker does not clear it: pending approval, still blocking', async () => {
    const r = await run(
      { 'src/a.ts': 'f(1);\n' },
      { 'src/a.ts': 'f(1);\n// readiness-ignore pii: trust me\nf(BAD);\n' },
    );
    const f = r.findings.find((x) => x.ruleId === 'pii/fake-rule')!;
    expect(f).toMatchObject({
      state: 'new',
      pendingApproval: { kind: 'comment', reason: 'trust me', by: 'src/a.ts:2' },
    });
    expect(f.suppression).toBeUndefined();
    expect(r.gates.find((g) => g.id === 'pii')).toMatchObject({
      status: 'fail',
      counts: { blocker: 1, suppressed: 0 },
    });
    expect(r.verdict).toBe('blocked');
  });

  it('a marker already at the base keeps working for a blocker the PR adds under it', async () => {
    const base = { 'src/a.ts': '// readiness-ignore-file pii/fake-rule: generated file\nf(1);\n' };
    const r = await run(base, {
      'src/a.ts': '// readiness-ignore-file pii/fake-rule: generated file\nf(1);\nf(BAD);\n',
    });
    expect(r.findings.map((f) => [f.state, f.pendingApproval])).toEqual([['suppressed', undefined]]);
    expect(r.verdict).toBe('ready');
  });

  it('a base marker whose covered line the PR rewrites into a new blocker waits for approval', async () => {
    const r = await run(
      { 'src/a.ts': '// readiness-ignore pii: legacy call\nf(1);\n' },
      { 'src/a.ts': '// readiness-ignore pii: legacy call\nf(BAD);\n' },
    );
    expect(r.findings[0]).toMatchObject({ state: 'new', pendingApproval: { by: 'src/a.ts:1' } });
    expect(r.verdict).toBe('blocked');
  });

  it('an edited marker (new reason, same place) waits for approval too', async () => {
    const r = await run(
      { 'src/a.ts': '// readiness-ignore pii: old reason\nf(1);\n' },
      { 'src/a.ts': '// readiness-ignore pii: new reason\nf(1);\nf(BAD); // readiness-ignore pii: mine\n' },
    );
    expect(r.findings.find((f) => f.ruleId === 'pii/fake-rule')).toMatchObject({
      state: 'new',
      pendingApproval: { reason: 'mine' },
    });
  });

  it('an approval clears it as suppressed, recording who approved; an ordinary waiver waives it', async () => {
    const head = { 'src/a.ts': 'f(BAD); // readiness-ignore pii: staging only\n' };
    const id = (await run({}, head)).findings[0]!.id;
    const approved = await run({}, head, '', {
      waivers: [{ findingId: id, by: 'maria', reason: '', kind: 'approve' }],
    });
    expect(approved.findings[0]).toMatchObject({
      state: 'suppressed',
      suppression: { kind: 'comment', reason: 'staging only', approvedBy: 'maria' },
    });
    expect(approved.findings[0]!.pendingApproval).toBeUndefined();
    expect(approved.verdict).toBe('ready');
    const waived = await run({}, head, '', {
      waivers: [{ findingId: id, by: 'maria', reason: 'hotfix', until: '2026-06-30' }],
    });
    expect(waived.findings[0]).toMatchObject({ state: 'waived', suppression: { kind: 'waiver', by: 'maria' } });
    expect(waived.verdict).toBe('ready');
  });

  it('an approval of a finding that is not pending approval does nothing', async () => {
    const head = { 'src/b.ts': 'g(BAD);\n' };
    const id = (await run({}, head)).findings[0]!.id;
    const r = await run({}, head, '', { waivers: [{ findingId: id, by: 'maria', reason: '', kind: 'approve' }] });
    expect(r.findings[0]!.state).toBe('new');
    expect(r.verdict).toBe('blocked');
  });

  it('only findings that would block wait: a new warning under a new marker is simply suppressed', async () => {
    const r = await run({}, { 'src/a.ts': 'f(MEH); // readiness-ignore pii: fine\n' });
    expect(r.findings[0]).toMatchObject({ state: 'suppressed', severity: 'warning' });
  });

  it('`suppressions: { new-blockers: allow }` in the base config lets the marker clear it', async () => {
    const r = await run(
      {},
      { 'src/a.ts': 'f(BAD); // readiness-ignore pii: ok\n' },
      'suppressions: { new-blockers: allow }\n',
    );
    expect(r.findings[0]!.state).toBe('suppressed');
    expect(r.verdict).toBe('ready');
  });
});

describe('exceptions and waivers', () => {
  const head = { 'src/legacy/a.ts': 'f(BAD);\n', 'src/b.ts': 'g(BAD);\n' };

  it('an exception covers matching paths until its date, then the report says it expired', async () => {
    const config =
      'exceptions:\n  - { rule: pii/fake-rule, path: "src/legacy/**", until: 2026-12-31, reason: "migrating" }\n';
    const active = await run({}, head, config);
    expect(active.findings.find((f) => f.path === 'src/legacy/a.ts')).toMatchObject({
      state: 'suppressed',
      suppression: { kind: 'exception', until: '2026-12-31' },
    });
    expect(active.findings.find((f) => f.path === 'src/b.ts')?.state).toBe('new');
    const expired = await run({}, head, config, { now: new Date('2027-01-01T00:00:01Z') });
    expect(expired.findings.every((f) => f.state === 'new')).toBe(true);
    expect(expired.expired).toEqual([
      { kind: 'exception', rule: 'pii/fake-rule', path: 'src/legacy/**', until: '2026-12-31', reason: 'migrating' },
    ]);
  });

  it('a waiver by finding id turns the verdict green; an expired one does not', async () => {
    const first = await run({}, { 'src/b.ts': 'g(BAD);\n' });
    const id = first.findings[0]!.id;
    const waived = await run({}, { 'src/b.ts': 'g(BAD);\n' }, '', {
      waivers: [{ findingId: id, by: 'maintainer', reason: 'hotfix', until: '2026-06-30' }],
    });
    expect(waived.findings[0]).toMatchObject({
      state: 'waived',
      suppression: { kind: 'waiver', by: 'maintainer', reason: 'hotfix' },
    });
    expect(waived.verdict).toBe('ready');
    const late = await run({}, { 'src/b.ts': 'g(BAD);\n' }, '', {
      waivers: [{ findingId: id, by: 'maintainer', reason: 'hotfix', until: '2026-05-01' }],
    });
    expect(late.verdict).toBe('blocked');
    expect(late.expired[0]).toMatchObject({ kind: 'waiver', rule: 'pii/fake-rule', until: '2026-05-01' });
  });
});

describe('bad input', () => {
  it('a crashing rule becomes an error and the report still comes out', async () => {
    const r = await run({}, { 'src/a.ts': 'CRASH\n', 'src/b.ts': 'f(BAD);\n' });
    expect(r.errors).toContainEqual({ path: 'src/a.ts', message: 'rule pii/fake-rule failed on this file: boom' });
    expect(r.findings.filter((f) => f.gate !== 'core').map((f) => f.path)).toEqual(['src/b.ts']);
    // What the crashed rule did not check was not analysed: the report says it is incomplete.
    expect(
      r.findings.filter((f) => f.ruleId === 'core/unanalysed-file').map((f) => [f.path, f.state, f.severity]),
    ).toEqual([['src/a.ts', 'new', 'blocker']]);
    expect(r.verdict).toBe('blocked');
  });

  it('binary and over-limit files are listed as skipped with the reason; non-UTF-8 text is decoded and analysed', async () => {
    const r = await run(
      {},
      {
        'img/logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]),
        'src/latin1.ts': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
        'src/big.ts': 'x'.repeat(2000),
        'src/ok.ts': 'f(BAD);\n',
      },
      'max-file-bytes: 1000\n',
    );
    const paths = r.errors.map((e) => e.path).sort();
    expect(paths).toEqual(['img/logo.png', 'src/big.ts']);
    expect(r.errors.find((e) => e.path === 'src/big.ts')?.message).toContain('max-file-bytes');
    // The image is in no gate's scope; the oversized source is, so it makes the report incomplete.
    expect(r.findings.map((f) => `${f.ruleId} ${f.path}`).sort()).toEqual([
      'core/unanalysed-file src/big.ts',
      'pii/fake-rule src/ok.ts',
    ]);
  });
});

/** A gate whose index reads src/a.ts, parses it and frees its tree, as the health index does. */
function readerGate(log: string[]): Gate {
  return {
    ...fakeGate,
    id: 'health',
    rules: [],
    indexes: [
      {
        id: 'reader',
        async build(ctx) {
          const file = await ctx.read('src/a.ts');
          if (file?.tree()) log.push(`${ctx.side}: reader parsed`);
          file?.dispose();
          return null;
        },
      },
    ],
  };
}

describe('index builds share one parse per file', () => {
  it('extracts the facts of indexes not built yet from a file another index reads, once for both sides', async () => {
    const events: string[] = [];
    let parses = 0;
    const reader = readerGate(events);
    const typed: FactsDef<string, IndexContext> = {
      id: 'test/root-type',
      wants: (file) => file.path.endsWith('.ts'),
      extract(file) {
        parses++;
        // The tree is alive here: the reader's parse serves this extraction.
        return `${file.path} (${file.tree()!.rootNode.type}, ${file.text.trim()})`;
      },
      isFacts: (v): v is string => typeof v === 'string',
    };
    const extractor: Gate = {
      ...fakeGate,
      id: 'metrics',
      rules: [],
      indexes: [
        {
          id: 'extractor',
          facts: [typed],
          async build(ctx) {
            const parsedBefore = parses;
            const facts = await ctx.facts(typed, 'src/a.ts');
            const shared = await ctx.facts(typed, 'src/shared.ts');
            events.push(`${ctx.side}: ${facts}; ${shared}; ${parses - parsedBefore} extracted in build`);
            return null;
          },
        },
      ],
    };
    const all = [reader, extractor, coreGate];
    await evaluate({
      changeSet: memoryChangeSet({
        base: { 'src/a.ts': 'const a = 1;\n', 'src/shared.ts': 'const s = 0;\n' },
        head: { 'src/a.ts': 'const a = 2;\n', 'src/shared.ts': 'const s = 0;\n' },
      }),
      config: parseConfig('', '.github/readiness.yml', all),
      gates: all,
      now: new Date('2026-06-01T12:00:00Z'),
    });
    expect(events).toEqual([
      'head: reader parsed',
      'base: reader parsed',
      // src/a.ts was extracted when the reader read it; src/shared.ts, untouched, once for both sides.
      'head: src/a.ts (program, const a = 2;); src/shared.ts (program, const s = 0;); 1 extracted in build',
      'base: src/a.ts (program, const a = 1;); src/shared.ts (program, const s = 0;); 0 extracted in build',
    ]);
    expect(parses).toBe(3);
  });
});

describe('file rules read per-file facts', () => {
  /** Two rules of one gate reading one definition: the lines holding a token, per the gate's option. */
  function factsGate(log: string[], extractImpl?: (text: string, file: SourceFile) => number[]) {
    const lines: FactsDef<number[], RuleFactsOwner<{ token: string }>> = {
      id: 'test/token-lines',
      resolves: false,
      variant: (owner) => owner.gateOptions.token,
      wants: (file) => !file.path.startsWith('vendor/'),
      extract(file, _ctx, owner) {
        log.push(`extract ${file.path}`);
        if (extractImpl) return extractImpl(file.text, file);
        return file.lines().flatMap((l, i) => (l.includes(owner.gateOptions.token) ? [i + 1] : []));
      },
      isFacts: (v): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number'),
    };
    const rule = (id: string, messageId: string) => ({
      scope: 'file' as const,
      files: ['**/*.ts'],
      facts: [lines],
      meta: {
        id,
        gate: 'pii' as const,
        severity: 'warning' as const,
        description: 'Reports token lines.',
        messages: { [messageId]: 'token' },
        fixes: { default: 'Remove it.' },
      },
      check(file: SourceFile, _change: unknown, ctx: RuleContext<unknown, { token: string }>) {
        for (const line of ctx.facts(lines, file.path) ?? []) ctx.report({ messageId, line });
      },
    });
    const gate: Gate<{ token: string }> = {
      ...fakeGate,
      options: z.object({ token: z.string().default('TOKEN') }),
      rules: [rule('pii/fake-a', 'a'), rule('pii/fake-b', 'b')],
    };
    return [gate, coreGate];
  }

  async function check(all: Gate[], extra: Partial<EvaluateOptions> = {}, config = '') {
    return evaluate({
      changeSet: memoryChangeSet({
        base: { 'src/a.ts': 'x\n', 'vendor/v.ts': 'x\n' },
        head: { 'src/a.ts': 'x\nTOKEN\nOTHER\n', 'vendor/v.ts': 'TOKEN\n' },
      }),
      config: parseConfig(config, '.github/readiness.yml', all),
      gates: all,
      now: new Date('2026-06-01T12:00:00Z'),
      ...extra,
    });
  }

  it('extracts once per file and side for every rule that reads them, and serves a second run from the cache', async () => {
    const log: string[] = [];
    const cache = new MemoryCache(1 << 20);
    const first = await check(factsGate(log), { cache });
    expect(first.errors).toEqual([]);
    expect(first.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`).sort()).toEqual([
      'pii/fake-a src/a.ts:2',
      'pii/fake-b src/a.ts:2',
    ]);
    // Head and base of src/a.ts, once each for both rules; vendor/ is not wanted.
    expect(log).toEqual(['extract src/a.ts', 'extract src/a.ts']);
    log.length = 0;
    const second = await check(factsGate(log), { cache });
    expect(log).toEqual([]);
    expect(second.findings).toEqual(first.findings);
    // Another option value is another variant: extracted afresh, and judged by it.
    const other = await check(factsGate(log), { cache }, 'gates:\n  pii:\n    token: OTHER\n');
    expect(log).toEqual(['extract src/a.ts', 'extract src/a.ts']);
    expect(other.findings.map((f) => f.line)).toEqual([3, 3]);
  });

  it('a failed extraction fails the rules that read it on that file, as a rule exception would', async () => {
    const r = await check(
      factsGate([], () => {
        throw new Error('broken facts');
      }),
    );
    expect(r.errors).toContainEqual({ path: 'src/a.ts', message: 'rule pii/fake-a failed on this file: broken facts' });
    expect(r.findings.filter((f) => f.ruleId === 'core/unanalysed-file').map((f) => f.path)).toEqual(['src/a.ts']);
  });

  it('an extraction that spends the file budget makes the file too complex, not the run slow', async () => {
    const started = Date.now();
    const r = await check(
      factsGate([], () => {
        // Bounded, so that an extraction run outside the budget fails this test instead of hanging it.
        for (let i = 0; i < 300_000_000; i++) spendBudget();
        return [];
      }),
      { fileBudgetMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    const unanalysed = r.findings.find((f) => f.ruleId === 'core/unanalysed-file');
    expect(unanalysed?.message).toMatch(/too complex/);
  });

  it("extracts a changed file's facts for its rules from the tree an index parsed: one parse a side", async () => {
    const { Parser } = await import('web-tree-sitter');
    const parse = vi.spyOn(Parser.prototype, 'parse');
    try {
      const log: string[] = [];
      const [gate, core] = factsGate(log, (_text, file) => (file.tree() ? [] : [1]));
      parse.mockClear();
      const r = await check([readerGate(log), gate!, core!]);
      expect(r.errors).toEqual([]);
      expect(r.findings).toEqual([]);
      // Each side's src/a.ts is extracted when the index reads it, before the index looks at its tree.
      expect(log).toEqual(['extract src/a.ts', 'head: reader parsed', 'extract src/a.ts', 'base: reader parsed']);
      // src/a.ts once a side (vendor/ is excluded by default): the rules did not parse it again.
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      parse.mockRestore();
    }
  });

  it('a rule whose prefilter the file fails has no facts extracted ahead; one over the budget still makes the file too complex', async () => {
    const log: string[] = [];
    const [gate, core] = factsGate(log);
    const prefiltered = { ...gate!, rules: gate!.rules.map((r) => ({ ...r, prefilter: ['NOT THERE'] })) } as Gate;
    await check([readerGate(log), prefiltered, core!]);
    expect(log).toEqual(['head: reader parsed', 'base: reader parsed']);

    const started = Date.now();
    const attempts: string[] = [];
    const spending = factsGate(attempts, () => {
      for (let i = 0; i < 300_000_000; i++) spendBudget();
      return [];
    });
    const r = await check([readerGate([]), ...spending], { fileBudgetMs: 50 });
    expect(Date.now() - started).toBeLessThan(20_000);
    const unanalysed = r.findings.find((f) => f.ruleId === 'core/unanalysed-file');
    expect(unanalysed?.message).toMatch(/too complex: its analysis took longer than the 0.05 s budget per file/);
    // One budget a side: the rules' request throws what the extraction ahead threw instead of trying again.
    expect(attempts).toEqual(['extract src/a.ts', 'extract src/a.ts']);
  });

  it('reading facts the rule did not declare is a rule failure', async () => {
    const [gate, core] = factsGate([]);
    const undeclared = { ...gate!, rules: gate!.rules.map((r) => ({ ...r, facts: undefined })) } as Gate;
    const r = await check([undeclared, core!]);
    expect(r.errors.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/facts test\/token-lines of src\/a.ts were not extracted: the rule must declare them/),
    );
  });
});
