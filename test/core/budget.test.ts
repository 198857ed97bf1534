/**
 * The per-file budget: a budget of one's own for a piece of work, and the budget that was running before
 * it afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AnalysisBudgetExceeded,
  budgetSpent,
  endFileBudget,
  spendBudget,
  startFileBudget,
  withinFileBudget,
} from '../../src/core/budget.js';

/** Spends steps until the budget throws, or gives up after `limit` steps (false). */
function spendUntilThrown(limit = 50_000_000): boolean {
  try {
    for (let i = 0; i < limit; i++) spendBudget();
  } catch (err) {
    expect(err).toBeInstanceOf(AnalysisBudgetExceeded);
    return true;
  }
  return false;
}

afterEach(() => endFileBudget());

describe('withinFileBudget', () => {
  it('bounds the work it runs, and leaves no budget running when none was', () => {
    expect(withinFileBudget(5, () => spendUntilThrown())).toBe(true);
    // Outside, nothing throws however long the work takes.
    expect(spendUntilThrown(2_000_000)).toBe(false);
    expect(budgetSpent()).toBe(false);
  });

  it('restores the budget that was running, whose deadline also bounds the inner work', () => {
    startFileBudget(20);
    const before = performance.now();
    while (performance.now() - before < 30) {
      // Past the outer deadline.
    }
    // A longer budget inside does not extend the outer one that is already spent.
    expect(withinFileBudget(60_000, () => spendUntilThrown())).toBe(true);
    // And the outer one is back afterwards.
    expect(budgetSpent()).toBe(true);
    expect(spendUntilThrown()).toBe(true);
  });

  it('an inner budget ending early leaves the outer one running', () => {
    startFileBudget(60_000);
    expect(withinFileBudget(1, () => spendUntilThrown())).toBe(true);
    expect(budgetSpent()).toBe(false);
    expect(spendUntilThrown(2_000_000)).toBe(false);
  });
});
