/**
 * The per-file analysis budget. Rules are synchronous, so the engine cannot interrupt one; instead the
 * hot loops of the analysers call {@link spendBudget}, which throws {@link AnalysisBudgetExceeded} once
 * the file being analysed has used its time. The engine reports such a file as too complex to analyse
 * (`core/unanalysed-file`), so a hostile file costs at most its budget, not an hour of a core.
 */

/** Default time one file's rules may take, in milliseconds. */
export const DEFAULT_FILE_BUDGET_MS = 10_000;

/** Thrown by {@link spendBudget} when the current file's budget is spent. */
export class AnalysisBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`its analysis took longer than the ${budgetMs / 1000} s budget per file`);
    this.name = 'AnalysisBudgetExceeded';
  }
}

let deadline = Number.POSITIVE_INFINITY;
let budget = 0;
let steps = 0;

/** Starts the budget of one file (milliseconds; 0 or Infinity: unlimited). */
export function startFileBudget(ms: number): void {
  budget = ms;
  deadline = ms > 0 && Number.isFinite(ms) ? performance.now() + ms : Number.POSITIVE_INFINITY;
  steps = 0;
}

/** Ends the current file's budget; {@link spendBudget} never throws outside one. */
export function endFileBudget(): void {
  deadline = Number.POSITIVE_INFINITY;
}

/** True when the current file has used its budget (for checks after a rule that never calls spendBudget). */
export function budgetSpent(): boolean {
  return performance.now() > deadline;
}

/** One step of analysis; every 256th step looks at the clock and throws when the budget is spent. */
export function spendBudget(): void {
  if ((++steps & 0xff) !== 0 || deadline === Number.POSITIVE_INFINITY) return;
  if (performance.now() > deadline) throw new AnalysisBudgetExceeded(budget);
}

/**
 * Runs `run` under a budget of its own (milliseconds), then restores whatever budget was running before. The
 * budget covers what `run` does before it returns: the synchronous part of an async function, all of a
 * synchronous one. An enclosing budget's deadline still holds when it comes first.
 */
export function withinFileBudget<T>(ms: number, run: () => T): T {
  const saved = { deadline, budget, steps };
  startFileBudget(ms);
  if (saved.deadline < deadline) {
    deadline = saved.deadline;
    budget = saved.budget;
  }
  try {
    return run();
  } finally {
    ({ deadline, budget, steps } = saved);
  }
}
