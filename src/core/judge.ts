/**
 * The judgement: turns an {@link Analysis} into states, scores, gate statuses and a verdict. Pure and
 * synchronous: it reads no file and keeps no state, and never changes the analysis, so one analysis can be
 * judged again with other waivers, approvals or `fail-on` in well under a millisecond per finding.
 *
 * Of the config it reads only the policy that decides states: `fail-on`, `baseline`, `suppressions`
 * and `exceptions`. Everything else (rules, severities, scopes, limits) shaped the analysis.
 */
import picomatch from 'picomatch';
import type { ReadinessConfig } from '../config/types.js';
import { CORE_GATE_ID, UNANALYSED_FILE_RULE } from './core-rules.js';
import type { Analysis, Evaluation, Waiver } from './engine.js';
import type { ExpiredEntry, GateResult } from './report.js';
import { bandScore, countsOf, overallScore, reachesFailOn, scoreOf, statusOf, verdictOf } from './scoring.js';
import type { Finding } from './types.js';

/** The policy inputs of a judgement. */
export interface JudgeOptions {
  /** The config the analysis ran with (its `fail-on` may differ: states and statuses follow this one). */
  config: Pick<ReadinessConfig, 'failOn' | 'baseline' | 'suppressions' | 'exceptions'>;
  /** Waivers and approvals (`kind: 'approve'`) from the pull request's comments. */
  waivers?: readonly Waiver[];
  /** For the end dates of exceptions and waivers (default: the current time). */
  now?: Date;
}

const GLOB_OPTIONS = { dot: true } as const;

function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** An `until` date applies through the end of that day (UTC). */
function isExpired(until: string | undefined, now: Date): boolean {
  return until !== undefined && until < todayUtc(now);
}

/** A report finding from an analysed one, in the report's key order. */
export function toFinding(
  f: Omit<Finding, 'id' | 'state' | 'pendingApproval'> & { id?: string },
  state: Finding['state'],
): Finding {
  return {
    id: f.id!,
    ruleId: f.ruleId,
    ...(f.messageId !== undefined ? { messageId: f.messageId } : {}),
    gate: f.gate,
    severity: f.severity,
    state,
    path: f.path,
    line: f.line,
    endLine: f.endLine,
    ...(f.column !== undefined ? { column: f.column } : {}),
    message: f.message,
    fix: f.fix,
    ...(f.related ? { related: f.related } : {}),
    ...(f.suppression ? { suppression: f.suppression } : {}),
  };
}

/** Judges an analysis: states, suppressions' approval, exceptions, waivers, scores, statuses, verdict. */
export function judge(analysis: Analysis, options: JudgeOptions): Evaluation {
  const { config } = options;
  const now = options.now ?? new Date();

  // States.
  const existingAtBase = (f: { atBase: boolean }) => config.baseline !== 'off' && f.atBase;
  const findings: Finding[] = analysis.findings.map((f) => {
    // A suppression comment the PR itself added cannot clear the PR's own blocker: it waits for
    // someone the base policy allows to waive (an approval or a waiver), and blocks meanwhile.
    if (
      f.suppression &&
      f.suppressedByChange &&
      config.suppressions.newBlockers === 'require-approval' &&
      !existingAtBase(f) &&
      reachesFailOn(f.severity, config.failOn)
    ) {
      const { suppression, ...rest } = f;
      return { ...toFinding(rest, 'new'), pendingApproval: suppression };
    }
    const state: Finding['state'] = f.suppression ? 'suppressed' : existingAtBase(f) ? 'existing' : 'new';
    return toFinding(f, state);
  });
  for (const f of analysis.unanalysedFindings) findings.push({ ...f });

  // Exceptions from config, then waivers from PR comments.
  const expired: ExpiredEntry[] = [];
  for (const exception of config.exceptions) {
    if (isExpired(exception.until, now)) {
      expired.push({
        kind: 'exception',
        rule: exception.rule,
        path: exception.path,
        until: exception.until!,
        reason: exception.reason,
      });
      continue;
    }
    const match = picomatch(exception.path, GLOB_OPTIONS);
    for (const f of findings) {
      if (f.state === 'suppressed' || f.state === 'waived') continue;
      if ((exception.rule === f.ruleId || exception.rule === f.gate) && match(f.path)) {
        f.state = 'suppressed';
        f.suppression = {
          kind: 'exception',
          reason: exception.reason,
          ...(exception.until ? { until: exception.until } : {}),
          by: 'config',
        };
        delete f.pendingApproval;
      }
    }
  }
  for (const waiver of options.waivers ?? []) {
    const target = findings.find((f) => f.id === waiver.findingId);
    if (isExpired(waiver.until, now)) {
      expired.push({
        kind: 'waiver',
        rule: target?.ruleId ?? waiver.findingId,
        ...(target ? { path: target.path } : {}),
        until: waiver.until!,
        reason: waiver.reason,
      });
      continue;
    }
    if (!target || (target.state !== 'new' && target.state !== 'existing')) continue;
    if (waiver.kind === 'approve') {
      // An approval accepts the PR's own suppression comment; it means nothing on any other finding.
      if (!target.pendingApproval) continue;
      target.state = 'suppressed';
      target.suppression = { ...target.pendingApproval, approvedBy: waiver.by };
      delete target.pendingApproval;
      continue;
    }
    target.state = 'waived';
    target.suppression = {
      kind: 'waiver',
      reason: waiver.reason,
      by: waiver.by,
      ...(waiver.until ? { until: waiver.until } : {}),
    };
    delete target.pendingApproval;
  }

  // Scores.
  const gateResults: GateResult[] = [];
  for (const gate of analysis.gates) {
    const mine = findings.filter((f) => f.gate === gate.id);
    const skipped = !gate.enabled || !gate.applies;
    const active = mine.filter((f) => f.state === 'new' || f.state === 'existing');
    const baseRaw = analysis.baselineRan ? (gate.baseRawScore ?? 100) : scoreOf(active);
    const status = statusOf(mine, config.failOn, skipped);
    gateResults.push({
      id: gate.id,
      title: gate.title,
      status,
      score: bandScore(scoreOf(active), status),
      baseScore: bandScore(baseRaw, status === 'skip' ? 'skip' : 'pass'),
      counts: countsOf(mine),
      ...(skipped
        ? { note: gate.enabled ? 'nothing in this repository concerns this gate' : 'disabled in config' }
        : gate.coverage
          ? { coverage: gate.coverage }
          : {}),
    });
  }
  const coreFindings = findings.filter((f) => f.gate === CORE_GATE_ID);
  if (coreFindings.length > 0) {
    const active = coreFindings.filter((f) => f.state === 'new' || f.state === 'existing');
    const status = statusOf(coreFindings, config.failOn, false);
    gateResults.push({
      id: CORE_GATE_ID,
      title: coreFindings.some((f) => f.ruleId === UNANALYSED_FILE_RULE)
        ? 'Unanalysed files and suppressions'
        : 'Suppressions',
      status,
      score: bandScore(scoreOf(active), status),
      baseScore: bandScore(analysis.coreBaseRawScore, 'pass'),
      counts: countsOf(coreFindings),
    });
  }

  const scoredGates = gateResults.filter((g) => g.id !== CORE_GATE_ID || g.status !== 'pass');
  return {
    findings,
    gates: gateResults,
    score: overallScore(scoredGates),
    // The base is judged as its own baseline: everything on it is debt, so no gate of it fails.
    baseScore: overallScore(
      scoredGates.map((g) => ({ status: g.status === 'skip' ? 'skip' : 'pass', score: g.baseScore })),
    ),
    verdict: verdictOf(gateResults.map((g) => g.status)),
    errors: [...analysis.errors],
    expired,
    filesAnalyzed: analysis.filesAnalyzed,
    rules: [...analysis.rules],
    resolved: [...analysis.resolved],
    filesCheckedByRules: analysis.filesCheckedByRules,
    ...(analysis.unanalysed.length > 0
      ? {
          incomplete: {
            blocking: findings.some(
              (f) => f.ruleId === UNANALYSED_FILE_RULE && f.state === 'new' && reachesFailOn(f.severity, config.failOn),
            ),
            files: analysis.unanalysed.map(({ path, reason, gates }) => ({ path, reason, gates: [...gates] })),
          },
        }
      : {}),
  };
}
