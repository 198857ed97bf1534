/**
 * Runs every annotated fixture case under test/fixtures/rules/ and checks that every registered rule has
 * at least one case where it reports and one clean case, that every message variant (messageId) of every
 * rule is produced by some case, and that no rendered message or fix keeps a `{{placeholder}}`.
 */
import { describe, expect, it } from 'vitest';
import { placeholders } from '../src/core/messages.js';
import type { Finding } from '../src/core/types.js';
import { allRules } from '../src/gates/index.js';
import { caseExpectsFindings, listCases, runCase } from './support/rule-harness.js';

const cases = listCases();
/** Every finding of its own rule that each case produced, filled in as the cases run (they run in order). */
const produced: Finding[] = [];

describe('rule fixtures', () => {
  it.each(cases.map((c) => [`${c.ruleId} › ${c.caseName}`, c] as const))('%s', async (_name, c) => {
    const result = await runCase(c.dir, c.ruleId);
    produced.push(...result.findings);
    expect(result.problems).toEqual([]);
  });
});

describe('fixture coverage', () => {
  it.each(allRules().map((r) => [r.meta.id] as const))('%s has a reported and a clean case', (id) => {
    const mine = cases.filter((c) => c.ruleId === id);
    const reported = mine.filter((c) => caseExpectsFindings(c.dir, id));
    expect(reported.length, `no fixture case under test/fixtures/rules/${id}/ expects a finding`).toBeGreaterThan(0);
    expect(mine.length - reported.length, `no clean fixture case under test/fixtures/rules/${id}/`).toBeGreaterThan(0);
  });

  const repoRules = allRules().filter((r) => r.scope === 'repo');
  it.each(repoRules.map((r) => [r.meta.id] as const))(
    '%s (repo-level) has a baseline case: the base already holds its case, the PR changes something else',
    (id) => {
      expect(repoRules.length).toBeGreaterThan(10);
      expect(
        cases.some((c) => c.ruleId === id && c.dir.endsWith('/baseline')),
        `add test/fixtures/rules/${id}/baseline/ (see the README's "Tests" section)`,
      ).toBe(true);
    },
  );

  it('every fixture folder belongs to a registered rule', () => {
    const ids = new Set(allRules().map((r) => r.meta.id));
    const orphans = [...new Set(cases.map((c) => c.ruleId))].filter((id) => !ids.has(id));
    expect(orphans).toEqual([]);
  });

  it('every message variant of every rule is produced by some fixture case', () => {
    const seen = new Set(produced.map((f) => `${f.ruleId}#${f.messageId}`));
    const missing = allRules()
      .flatMap((r) => Object.keys(r.meta.messages).map((m) => `${r.meta.id}#${m}`))
      .filter((v) => !seen.has(v));
    expect(
      missing,
      'give each a fixture case (assert it with `ruleid: <rule-id>#<messageId>`), or delete it if no code reports it',
    ).toEqual([]);
  });

  it('no rendered message or fix keeps a {{placeholder}} (the rule passed every value its templates use)', () => {
    expect(produced.length).toBeGreaterThan(0);
    const meta = new Map(allRules().map((r) => [r.meta.id, r.meta]));
    // Only the template's own placeholders count: a value may itself contain braces (a Helm `{{ .Release.Name }}`).
    const leftover = (rendered: string, template: string | undefined) => {
      const own = new Set(placeholders(template ?? ''));
      return placeholders(rendered).some((p) => own.has(p));
    };
    const leftovers = produced
      .filter((f) => {
        const m = meta.get(f.ruleId)!;
        return (
          leftover(f.message, m.messages[f.messageId!]) || leftover(f.fix, m.fixes[f.messageId!] ?? m.fixes.default)
        );
      })
      .map((f) => `${f.ruleId}#${f.messageId} at ${f.path}:${f.line}: ${f.message} / ${f.fix}`);
    expect(leftovers).toEqual([]);
  });
});
