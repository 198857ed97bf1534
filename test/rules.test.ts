/**
 * Runs every annotated fixture case under test/fixtures/rules/ and checks that every registered rule has
 * at least one case where it reports and one clean case.
 */
import { describe, expect, it } from 'vitest';
import { allRules } from '../src/gates/index.js';
import { caseExpectsFindings, listCases, runCase } from './support/rule-harness.js';

const cases = listCases();

describe('rule fixtures', () => {
  it.each(cases.map((c) => [`${c.ruleId} › ${c.caseName}`, c] as const))('%s', async (_name, c) => {
    const result = await runCase(c.dir, c.ruleId);
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

  it('every fixture folder belongs to a registered rule', () => {
    const ids = new Set(allRules().map((r) => r.meta.id));
    const orphans = [...new Set(cases.map((c) => c.ruleId))].filter((id) => !ids.has(id));
    expect(orphans).toEqual([]);
  });
});
