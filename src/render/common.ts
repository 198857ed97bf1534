/**
 * Helpers shared by every renderer: ordering, grouping, counting and wording that must read the same in
 * the terminal, the PR comment, the check run and SARIF.
 */
import type { ReadinessReport } from '../core/report.js';
import type { Finding, FindingState, Severity, SuppressionRecord } from '../core/types.js';

/** Higher is more severe. Used to keep the most severe findings when a renderer must drop some. */
export const SEVERITY_RANK: Record<Severity, number> = { blocker: 3, warning: 2, notice: 1 };

const STATE_RANK: Record<FindingState, number> = { new: 0, existing: 1, waived: 2, suppressed: 3 };

/** Most severe first, then path and line, so every surface lists findings in the same order. */
export function bySeverityThenLocation(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    compareStrings(a.path, b.path) ||
    a.line - b.line ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.id, b.id)
  );
}

/** Report order (new, existing, waived, suppressed; each by severity, path, line), independent of input order. */
export function byReportOrder(a: Finding, b: Finding): number {
  return STATE_RANK[a.state] - STATE_RANK[b.state] || bySeverityThenLocation(a, b);
}

/** Plain code-unit comparison: locale-independent, so snapshots do not depend on the machine's locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The report's findings split the way every renderer presents them. Each list is sorted. */
export interface FindingGroups {
  blockers: Finding[];
  warnings: Finding[];
  notices: Finding[];
  existing: Finding[];
  /** Suppressed (comments, exceptions, native markers) and waived findings together. */
  accepted: Finding[];
}

/** Splits findings into new blockers / warnings / notices, existing debt, and suppressed or waived ones. */
export function groupFindings(findings: readonly Finding[]): FindingGroups {
  const groups: FindingGroups = { blockers: [], warnings: [], notices: [], existing: [], accepted: [] };
  for (const f of findings) {
    if (f.state === 'new') {
      if (f.severity === 'blocker') groups.blockers.push(f);
      else if (f.severity === 'warning') groups.warnings.push(f);
      else groups.notices.push(f);
    } else if (f.state === 'existing') groups.existing.push(f);
    else groups.accepted.push(f);
  }
  for (const list of Object.values(groups) as Finding[][]) list.sort(bySeverityThenLocation);
  return groups;
}

/** "1 blocker", "3 blockers". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** The first 7 characters of a sha, as git shows it; the whole string when it is not hex (in-memory ids). */
export function shortSha(sha: string): string {
  return /^[0-9a-f]{8,}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

/** "850 ms", "1.2 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** "path:12" or "path:12-14". */
export function location(f: { path: string; line: number; endLine?: number }): string {
  return f.endLine !== undefined && f.endLine > f.line ? `${f.path}:${f.line}-${f.endLine}` : `${f.path}:${f.line}`;
}

/**
 * Cuts overly long user-controlled text so one absurd message cannot eat a whole output budget. Never splits
 * a surrogate pair (a half emoji would be invalid UTF-16 and GitHub rejects or mangles it).
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * {@link clip} at a word boundary: cuts at the last space before `max` when there is one in the last third,
 * so a one-line listing never ends in half a word.
 */
export function clipWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const hard = clip(text, max);
  const body = hard.slice(0, -1);
  const space = body.lastIndexOf(' ');
  if (space < Math.floor((max * 2) / 3)) return hard;
  return `${body.slice(0, space).replace(/[\s,;:—–-]+$/, '')}…`;
}

/**
 * The first sentence of a message (up to ". " followed by a capital, a quote or a backtick), for one-line
 * listings; the whole text when it has one sentence.
 */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])\s+(?=[A-Z"'`(])/.exec(flat);
  return m ? m[1]! : flat;
}

/**
 * What no gate assesses, named on every scorecard so a clean result is not read as a full review: the rest
 * of what hand-written readiness reports cover.
 */
export const NOT_ASSESSED =
  'data consistency across storage and queue failures, timeouts and retries, rate limits, pagination, idempotency, connection-pool sizing';

/** Where rule docs live: each rule's `.md` beside its source, on the `v1` tag. */
export const RULE_DOCS_BASE = 'https://github.com/readiness-gates/readiness-gates/blob/v1/src/gates';

/** The documentation URL of a rule id (`<gate>/<name>`), or undefined for anything else. */
export function ruleDocsUrl(ruleId: string): string | undefined {
  const m = /^([a-z][a-z0-9-]*)\/([a-z0-9][a-z0-9-]*)$/.exec(ruleId);
  return m ? `${RULE_DOCS_BASE}/${m[1]}/rules/${m[2]}.md` : undefined;
}

/**
 * A caveat for a clean result that rests on little: no changed file was one the gates read line by line
 * (only repository-wide rules ran). Undefined when the report does not say, or when there is no such caveat.
 */
export function littleExaminedCaveat(report: ReadinessReport): string | undefined {
  if (report.verdict !== 'ready' || report.stats.filesCheckedByRules !== 0) return undefined;
  // A perfect score over an empty change says nothing about the code: say so rather than show a bare 100.
  if (report.stats.filesChanged === 0)
    return 'the change is empty (head and base have the same files): nothing was judged';
  if (report.findings.some((f) => f.state === 'new')) return undefined;
  return `none of the ${plural(report.stats.filesChanged, 'changed file')} is one the gates read line by line: only repository-wide checks ran`;
}

/** Whether the gates examined anything at all: some gate ran (did not skip) on this change. */
export function examinedAnything(report: ReadinessReport): boolean {
  return report.gates.some((g) => g.status !== 'skip');
}

/** New findings by severity (the verdict sentence's numbers). */
function newCounts(report: ReadinessReport): { blockers: number; warnings: number; notices: number } {
  let blockers = 0;
  let warnings = 0;
  let notices = 0;
  for (const f of report.findings) {
    if (f.state !== 'new') continue;
    if (f.severity === 'blocker') blockers++;
    else if (f.severity === 'warning') warnings++;
    else notices++;
  }
  return { blockers, warnings, notices };
}

/** "3 new blockers · 1 new warning" — the part of the verdict line that says why. */
export function verdictReason(report: ReadinessReport): string {
  const { blockers, warnings, notices } = newCounts(report);
  const parts: string[] = [];
  parts.push(blockers === 0 ? 'no new blockers' : plural(blockers, 'new blocker'));
  if (warnings > 0) parts.push(plural(warnings, 'new warning'));
  if (notices > 0 && blockers === 0 && warnings === 0) parts.push(plural(notices, 'new notice'));
  return parts.join(' · ');
}

/** "score 62 (base 88)" — the head score first because that is what the PR will merge. */
export function scorePhrase(report: ReadinessReport): string {
  if (!examinedAnything(report)) return 'not scored: no gate applies to this repository';
  return report.score === report.baseScore
    ? `score ${report.score} (base ${report.baseScore}, unchanged)`
    : `score ${report.score} (base ${report.baseScore})`;
}

/** How a finding came to be accepted, in words: "waiver", "comment", "config exception", "squawk-ignore". */
export function suppressionKind(s: SuppressionRecord | undefined, state: FindingState): string {
  if (!s) return state === 'waived' ? 'waiver' : 'suppressed';
  switch (s.kind) {
    case 'comment':
      return 'comment';
    case 'exception':
      return 'config exception';
    case 'waiver':
      return 'waiver';
    case 'native':
      return s.marker ?? 'native marker';
  }
}

/** ", approved by @maria" for a suppression comment the pull request added and someone approved. */
function approved(s: SuppressionRecord): string {
  return s.approvedBy ? `, approved by @${s.approvedBy}` : '';
}

/** Who accepted it: the waiver's login, the comment's location, or the config for exceptions. */
export function suppressionWho(s: SuppressionRecord | undefined): string {
  if (!s) return 'unknown';
  if (s.by) return s.kind === 'waiver' && !s.by.startsWith('@') ? `@${s.by}` : `${s.by}${approved(s)}`;
  return s.kind === 'exception' ? '.github/readiness.yml' : 'unknown';
}

/**
 * One phrase for how a finding was accepted: "waived by @alice until 2026-03-31", "suppressed by a comment
 * at db/x.sql:1", "suppressed by a config exception", "suppressed by squawk-ignore at db/x.sql:4".
 */
export function acceptedPhrase(f: Finding): string {
  const s = f.suppression;
  const until = s?.until ? ` until ${s.until}` : '';
  if (!s) return `${f.state}${until}`;
  switch (s.kind) {
    case 'waiver':
      return `waived by ${suppressionWho(s)}${until}`;
    case 'exception':
      return `suppressed by a config exception${until}`;
    case 'comment':
      return `suppressed by a comment${s.by ? ` at ${s.by}` : ''}${approved(s)}${until}`;
    case 'native':
      return `suppressed by ${s.marker ?? 'a native marker'}${s.by ? ` at ${s.by}` : ''}${approved(s)}${until}`;
  }
}

/** Where the pending suppression is and which marker: "a readiness-ignore comment at src/a.ts:2". */
function pendingWhat(s: SuppressionRecord): string {
  const marker = s.kind === 'native' ? (s.marker ?? 'native marker') : 'readiness-ignore';
  return `a ${marker} comment${s.by ? ` at ${s.by}` : ''}`;
}

/**
 * What a finding pending approval needs, for a surface with an approver (GitHub: scorecard, check run)
 * or without one (the CLI, which says what will be needed on GitHub). Empty for other findings.
 */
export function pendingApprovalNote(f: Finding, surface: 'github' | 'cli'): string {
  const s = f.pendingApproval;
  if (!s) return '';
  const reason = s.reason ? ` ("${s.reason}")` : '';
  const head = `Suppressed by ${pendingWhat(s)}${reason} that this pull request adds or changes: awaiting approval, so it still blocks.`;
  return surface === 'github'
    ? `${head} Someone the base branch's \`waivers:\` policy allows (not the author, by default) can approve it with \`/readiness approve ${f.id}\`, or waive it.`
    : `${head} On GitHub, someone the base branch's \`waivers:\` policy allows (maintainers or code owners by default, not the author) will need to comment \`/readiness approve ${f.id}\` (or waive it); the CLI has no approver, so here it blocks.`;
}

/**
 * Existing debt in two short phrases: per gate, largest first ("pii 4 · migrations 1"), and per severity
 * ("1 blocker, 4 warnings").
 */
export function debtSummary(existing: readonly Finding[]): { byGate: string; bySeverity: string } {
  const gates = new Map<string, number>();
  const severities: Record<Severity, number> = { blocker: 0, warning: 0, notice: 0 };
  for (const f of existing) {
    gates.set(f.gate, (gates.get(f.gate) ?? 0) + 1);
    severities[f.severity]++;
  }
  const byGate = [...gates]
    .sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))
    .map(([g, n]) => `${g} ${n}`)
    .join(' · ');
  const bySeverity = (['blocker', 'warning', 'notice'] as const)
    .filter((sev) => severities[sev] > 0)
    .map((sev) => plural(severities[sev], sev))
    .join(', ');
  return { byGate, bySeverity };
}

/** What the overflow notes point readers to, unless a renderer is told otherwise. */
export const DEFAULT_OVERFLOW_HINT = 'see the check run / JSON report';
