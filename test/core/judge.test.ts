/**
 * Analyse once, judge many: the judgement (src/core/judge.ts) is pure. One analysis judged with other
 * waivers, approvals or `fail-on` gives other verdicts, the same inputs give the same report, nothing is
 * read, and the analysis itself never changes (it is plain data: it survives a structured clone).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/loader.js';
import { analyse, evaluate, type Analysis } from '../../src/core/engine.js';
import { judge } from '../../src/core/judge.js';
import type { Gate, Snapshot } from '../../src/core/types.js';
import { coreGate } from '../../src/gates/core/index.js';
import { memoryChangeSet } from '../../src/source/memory.js';

/** Reports every line containing BAD (blocker) or MEH (warning). */
const fakeGate: Gate = {
  id: 'pii',
  title: 'Fake',
  description: 'A gate for judgement tests.',
  applies: async ({ paths }) => paths.some((p) => p.endsWith('.ts')),
  rules: [
    {
      scope: 'file',
      files: ['**/*.ts'],
      prefilter: ['BAD', 'MEH'],
      meta: {
        id: 'pii/fake-rule',
        gate: 'pii',
        severity: 'blocker',
        description: 'Reports BAD and MEH lines.',
        messages: { bad: 'BAD found', meh: 'MEH found' },
        fixes: { default: 'Remove it.' },
      },
      check(file, _change, ctx) {
        file.lines().forEach((line, i) => {
          if (/\bBAD\b/.test(line)) ctx.report({ messageId: 'bad', line: i + 1 });
          if (/\bMEH\b/.test(line)) ctx.report({ messageId: 'meh', line: i + 1, severity: 'warning' });
        });
      },
    },
  ],
};
const gates = [fakeGate, coreGate];
const NOW = new Date('2026-06-01T12:00:00Z');

/** Counts every read of a snapshot. */
function counted(snapshot: Snapshot, counter: { n: number }): void {
  const read = snapshot.read.bind(snapshot);
  const list = snapshot.list.bind(snapshot);
  const grep = snapshot.grep.bind(snapshot);
  snapshot.read = (path) => (counter.n++, read(path));
  snapshot.list = (globs) => (counter.n++, list(globs));
  snapshot.grep = (tokens, globs) => (counter.n++, grep(tokens, globs));
}

/**
 * A PR that adds a blocker (BAD), a warning (MEH) and a blocker under a suppression comment it adds itself
 * (pending approval), over a base with one blocker of its own (existing debt).
 */
async function analysed(configText = ''): Promise<{ analysis: Analysis; reads: { n: number } }> {
  const changeSet = memoryChangeSet({
    base: { 'src/a.ts': 'f(1);\ng(BAD);\n', 'src/b.ts': 'h(1);\n' },
    head: {
      'src/a.ts': 'f(1);\ng(BAD);\nf(BAD);\nf(MEH);\n',
      'src/b.ts': 'h(1);\n// readiness-ignore pii: staging only\nh(BAD);\n',
    },
  });
  const reads = { n: 0 };
  counted(changeSet.base, reads);
  counted(changeSet.head, reads);
  const config = parseConfig(configText, '.github/readiness.yml', gates);
  return { analysis: await analyse({ changeSet, config, gates }), reads };
}

const config = (text = '') => parseConfig(text, '.github/readiness.yml', gates);
const byLine = (path: string, line: number) => (f: { path: string; line: number }) =>
  f.path === path && f.line === line;

describe('judge', () => {
  it('judges one analysis again with other waivers and approvals: other verdicts, no reads', async () => {
    const { analysis, reads } = await analysed();
    const readsAfterAnalysis = reads.n;
    const frozen = structuredClone(analysis);

    const plain = judge(analysis, { config: config(), now: NOW });
    expect(plain.verdict).toBe('blocked');
    const blocker = plain.findings.find(byLine('src/a.ts', 3))!;
    const pending = plain.findings.find(byLine('src/b.ts', 3))!;
    expect(plain.findings.find(byLine('src/a.ts', 2))!.state).toBe('existing');
    expect(blocker.state).toBe('new');
    expect(pending).toMatchObject({ state: 'new', pendingApproval: { reason: 'staging only' } });

    // Waiving the blocker alone: still blocked by the pending suppression.
    const waiveOne = [{ findingId: blocker.id, by: 'maria', reason: 'hotfix', until: '2026-06-30' }];
    const oneWaived = judge(analysis, { config: config(), now: NOW, waivers: waiveOne });
    expect(oneWaived.findings.find(byLine('src/a.ts', 3))!.state).toBe('waived');
    expect(oneWaived.verdict).toBe('blocked');

    // And approving the PR's own suppression comment: ready.
    const approve = { findingId: pending.id, by: 'maria', reason: '', kind: 'approve' as const };
    const ready = judge(analysis, { config: config(), now: NOW, waivers: [...waiveOne, approve] });
    expect(ready.verdict).toBe('ready');
    expect(ready.findings.find(byLine('src/b.ts', 3))).toMatchObject({
      state: 'suppressed',
      suppression: { kind: 'comment', reason: 'staging only', approvedBy: 'maria' },
    });
    expect(ready.gates.find((g) => g.id === 'pii')).toMatchObject({
      status: 'warn',
      counts: { blocker: 0, warning: 1, existing: 1, suppressed: 1, waived: 1 },
    });

    // The same waiver past its end date: the report says it expired, and the finding blocks again.
    const later = judge(analysis, { config: config(), now: new Date('2026-07-15T00:00:00Z'), waivers: waiveOne });
    expect(later.expired).toEqual([expect.objectContaining({ kind: 'waiver', until: '2026-06-30' })]);
    expect(later.findings.find(byLine('src/a.ts', 3))!.state).toBe('new');

    // Nothing was read, and the analysis is unchanged.
    expect(reads.n).toBe(readsAfterAnalysis);
    expect(analysis).toEqual(frozen);
  });

  it('follows fail-on, exceptions and suppressions policy without analysing again', async () => {
    const { analysis, reads } = await analysed();
    const readsAfterAnalysis = reads.n;
    expect(judge(analysis, { config: config('fail-on: blocker'), now: NOW }).verdict).toBe('blocked');
    expect(judge(analysis, { config: config('fail-on: never'), now: NOW }).verdict).toBe('ready');
    // Under fail-on never nothing blocks, so nothing waits for approval: the PR's marker suppresses.
    expect(
      judge(analysis, { config: config('fail-on: never'), now: NOW }).findings.find(byLine('src/b.ts', 3))!.state,
    ).toBe('suppressed');

    const excepted = judge(analysis, {
      config: config(
        'exceptions:\n  - { rule: pii/fake-rule, path: "src/**", until: 2026-12-31, reason: "legacy module" }\n',
      ),
      now: NOW,
    });
    expect(excepted.verdict).toBe('ready');
    expect(excepted.findings.map((f) => f.state)).toEqual(['suppressed', 'suppressed', 'suppressed', 'suppressed']);

    const trusted = judge(analysis, { config: config('suppressions:\n  new-blockers: allow\n'), now: NOW });
    expect(trusted.findings.find(byLine('src/b.ts', 3))!.state).toBe('suppressed');
    expect(trusted.verdict).toBe('blocked'); // src/a.ts:3 still blocks
    expect(reads.n).toBe(readsAfterAnalysis);
  });

  it('fail-on warning makes the new warning block', async () => {
    const { analysis } = await analysed();
    const blocker = judge(analysis, { config: config(), now: NOW }).findings.find(byLine('src/a.ts', 3))!;
    const pending = judge(analysis, { config: config(), now: NOW }).findings.find(byLine('src/b.ts', 3))!;
    const waivers = [
      { findingId: blocker.id, by: 'maria', reason: 'hotfix' },
      { findingId: pending.id, by: 'maria', reason: '', kind: 'approve' as const },
    ];
    expect(judge(analysis, { config: config(), now: NOW, waivers }).verdict).toBe('ready');
    const strict = judge(analysis, { config: config('fail-on: warning'), now: NOW, waivers });
    expect(strict.verdict).toBe('blocked');
    expect(strict.gates.find((g) => g.id === 'pii')!.status).toBe('fail');
  });

  it('is deterministic, matches evaluate, and judges a structured clone (a worker’s answer) alike', async () => {
    const { analysis } = await analysed();
    const waivers = [{ findingId: analysis.findings[0]!.id, by: 'maria', reason: 'fine', until: '2026-06-30' }];
    const a = judge(analysis, { config: config(), now: NOW, waivers });
    const b = judge(analysis, { config: config(), now: NOW, waivers });
    expect(b).toEqual(a);
    expect(judge(structuredClone(analysis), { config: config(), now: NOW, waivers })).toEqual(a);
    const evaluated = await evaluate({
      changeSet: memoryChangeSet({
        base: { 'src/a.ts': 'f(1);\ng(BAD);\n', 'src/b.ts': 'h(1);\n' },
        head: {
          'src/a.ts': 'f(1);\ng(BAD);\nf(BAD);\nf(MEH);\n',
          'src/b.ts': 'h(1);\n// readiness-ignore pii: staging only\nh(BAD);\n',
        },
      }),
      config: config(),
      gates,
      now: NOW,
      waivers,
    });
    expect(evaluated).toEqual(a);
  });

  it('takes well under a millisecond per judgement of a small analysis', async () => {
    const { analysis } = await analysed();
    const policy = config();
    const started = performance.now();
    for (let i = 0; i < 200; i++) judge(analysis, { config: policy, now: NOW });
    // Generous for a loaded CI machine; the bench (bench/judge) measures it properly.
    expect((performance.now() - started) / 200).toBeLessThan(5);
  });
});
