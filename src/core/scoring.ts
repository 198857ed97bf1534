/**
 * Scores, statuses and the verdict.
 *
 * Raw score of a gate on one side = max(0, 100 − 20·B − 5·W − 1·N), where B, W and N count that side's
 * *active* findings (new and existing; suppressed and waived ones do not count) by severity. The base
 * score uses the base evaluation over the same scope.
 *
 * The verdict wins over the arithmetic, so the number never contradicts it ({@link bandScore}): a gate
 * that fails scores at most 49, a gate that passes or warns at least 50 (debt alone, which never blocks,
 * cannot push a passing gate below 50); the base side is banded like a passing gate because everything
 * on it is its own debt. The overall score is the rounded mean of the scores of gates that did not skip,
 * at most 49 when the verdict is blocked (100 when every gate skipped): below 50 means blocked, 50 and
 * above means ready, on every gate and on the headline.
 *
 * Status: `fail` when the gate has a new finding at or above the `fail-on` threshold (blockers by default;
 * with `baseline: off` existing findings count as new), `warn` when it has new warnings or notices below
 * it, `skip` when nothing in the repository concerns it, else `pass`. Verdict: `blocked` iff a gate fails.
 */
import type { FailOn } from '../config/types.js';
import type { GateCounts, GateStatus, Verdict } from './report.js';
import type { Finding, Severity } from './types.js';

export const PENALTY: Record<Severity, number> = { blocker: 20, warning: 5, notice: 1 };

/** Score of a list of findings on one side (only active findings should be passed). */
export function scoreOf(findings: readonly Pick<Finding, 'severity'>[]): number {
  const penalty = findings.reduce((sum, f) => sum + PENALTY[f.severity], 0);
  return Math.max(0, 100 - penalty);
}

const RANK: Record<Severity, number> = { blocker: 3, warning: 2, notice: 1 };

/** Whether a severity reaches the `fail-on` threshold. */
export function reachesFailOn(severity: Severity, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return RANK[severity] >= RANK[failOn];
}

export function countsOf(findings: readonly Finding[]): GateCounts {
  const counts: GateCounts = { blocker: 0, warning: 0, notice: 0, existing: 0, suppressed: 0, waived: 0 };
  for (const f of findings) {
    if (f.state === 'new') counts[f.severity]++;
    else counts[f.state]++;
  }
  return counts;
}

export function statusOf(findings: readonly Finding[], failOn: FailOn, skipped: boolean): GateStatus {
  if (skipped && findings.length === 0) return 'skip';
  const fresh = findings.filter((f) => f.state === 'new');
  if (fresh.some((f) => reachesFailOn(f.severity, failOn))) return 'fail';
  if (fresh.length > 0) return 'warn';
  return 'pass';
}

export function verdictOf(statuses: readonly GateStatus[]): Verdict {
  return statuses.includes('fail') ? 'blocked' : 'ready';
}

/** The highest score a failing gate or a blocked report can show; passing ones show at least one more. */
export const BLOCKED_SCORE_MAX = 49;

/**
 * Puts a raw score in its status's band: at most {@link BLOCKED_SCORE_MAX} for `fail`, above it for `pass`
 * and `warn`, unchanged for `skip`. Readers compare numbers; this keeps a blocked PR from ever showing a
 * higher score than a ready one, and a passing gate from showing 0 because of debt it did not add.
 */
export function bandScore(score: number, status: GateStatus): number {
  if (status === 'fail') return Math.min(score, BLOCKED_SCORE_MAX);
  if (status === 'pass' || status === 'warn') return Math.max(score, BLOCKED_SCORE_MAX + 1);
  return score;
}

/** Mean of the non-skipped gate scores, rounded; at most 49 when any of them fails; 100 when all skipped. */
export function overallScore(gates: readonly { status: GateStatus; score: number }[]): number {
  const counted = gates.filter((g) => g.status !== 'skip');
  if (counted.length === 0) return 100;
  const mean = Math.round(counted.reduce((s, g) => s + g.score, 0) / counted.length);
  return counted.some((g) => g.status === 'fail') ? Math.min(mean, BLOCKED_SCORE_MAX) : mean;
}

const SEVERITY_ORDER: Record<Severity, number> = { blocker: 0, warning: 1, notice: 2 };
const STATE_ORDER: Record<Finding['state'], number> = { new: 0, existing: 1, waived: 2, suppressed: 3 };

/** Report order: new first, then by severity, then existing, waived, suppressed; then path and line. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
