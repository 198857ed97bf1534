/**
 * Scores, statuses and the verdict.
 *
 * Score of a gate on one side = max(0, 100 − 20·B − 5·W − 1·N), where B, W and N count that side's
 * *active* findings (new and existing; suppressed and waived ones do not count) by severity. The base
 * score uses the base evaluation over the same scope. The overall score is the rounded mean of the
 * scores of gates that did not skip (100 when every gate skipped).
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

/** Mean of the non-skipped gate scores, rounded; 100 when all skipped. */
export function overallScore(gates: readonly { status: GateStatus; score: number }[]): number {
  const counted = gates.filter((g) => g.status !== 'skip');
  if (counted.length === 0) return 100;
  return Math.round(counted.reduce((s, g) => s + g.score, 0) / counted.length);
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
