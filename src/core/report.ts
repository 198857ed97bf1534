/**
 * The readiness report: the JSON contract of architecture.md (schemaVersion 1) plus a few additive fields
 * the renderers use. Adding fields is fine; renaming or removing one needs schemaVersion 2.
 */
import type { AnalysisError, Finding, GateCoverage, GateId, ResolvedFinding } from './types.js';

export type { GateCoverage, ResolvedFinding };

export type Verdict = 'ready' | 'blocked';
export type GateStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface GateCounts {
  /** New findings by severity (not suppressed, not waived). */
  blocker: number;
  warning: number;
  notice: number;
  /** Findings already present at the base (debt; never blocks unless baseline is off). */
  existing: number;
  suppressed: number;
  waived: number;
}

export interface GateResult {
  id: GateId;
  title: string;
  status: GateStatus;
  /** 0–100 at the head. */
  score: number;
  /** 0–100 at the base over the same scope (additive field). */
  baseScore: number;
  counts: GateCounts;
  /** Why the gate was skipped or ran with less context (additive field). */
  note?: string;
  /** What the gate examined and what it could not follow (additive field; absent for skipped gates). */
  coverage?: GateCoverage;
}

export interface RuleSummary {
  id: string;
  gate: GateId;
  severity: string;
  description: string;
  /** The rule's markdown docs (why, bad/good example, fix), for SARIF help text. */
  docs?: string;
}

export interface ConfigPreview {
  /** The config file at the head differs from the enforced one at the base. */
  changed: boolean;
  /** Human-readable lines: what the PR's config would change ("rules.x: blocker → off"). */
  differences: string[];
  /** Errors in the PR's version of the config (it is not enforced, but it will be after merge). */
  errors: string[];
}

/** An exception or waiver whose `until` date has passed: it no longer applies, and the report says so. */
export interface ExpiredEntry {
  kind: 'exception' | 'waiver';
  rule: string;
  path?: string;
  until: string;
  reason: string;
}

export interface ReadinessReport {
  schemaVersion: 1;
  tool: { name: 'readiness-gates'; version: string };
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  verdict: Verdict;
  score: number;
  baseScore: number;
  gates: GateResult[];
  /** Sorted: new blockers first, then by severity, state, path, line. */
  findings: Finding[];
  errors: AnalysisError[];
  /** `filesCheckedByRules` (additive): changed files some gate's line rules read; 0 = only repository-wide rules ran. */
  stats: { filesChanged: number; filesAnalyzed: number; durationMs: number; filesCheckedByRules?: number };
  /**
   * Findings present at the base and gone at the head: what this PR resolved (additive field; absent with
   * `baseline: off`, which does not evaluate the base). Sorted by severity, path and line.
   */
  resolved?: ResolvedFinding[];
  /** The `fail-on` that produced the verdict (additive field). */
  failOn?: 'blocker' | 'warning' | 'never';
  /** Expired exceptions and waivers, so the report can say they stopped applying (additive field). */
  expired?: ExpiredEntry[];
  /** Present when the PR edits the config (additive field). */
  configPreview?: ConfigPreview;
  /** Rules that produced findings, for SARIF and explain links (additive field). */
  rules?: RuleSummary[];
  /** For links in markdown: `https://github.com/o/r` when known (additive field). */
  repositoryUrl?: string;
  /**
   * Present when a changed file in a gate's scope could not be analysed (additive field). `blocking`:
   * its `core/unanalysed-file` finding is what (also) makes the verdict `blocked`.
   */
  incomplete?: { blocking: boolean; files: Array<{ path: string; reason: string; gates: string[] }> };
}
