/**
 * In-source suppressions.
 *
 * Our marker: `readiness-ignore <target>[, <target>…]: <reason>` on the line before the code (or trailing
 * on the same line), and `readiness-ignore-file <target>: <reason>` anywhere in the file. A target is a
 * rule id (`pii/sensitive-field-logged`) or a gate id (`pii`) covering all of that gate's rules. A reason
 * is required: a marker without one suppresses nothing and is itself reported.
 *
 * Native markers of peer tools are honoured for the rules that declare them: squawk's
 * `squawk-ignore <rule>[, <rule>]: <reason>` / `squawk-ignore-file <rule>: <reason>` and atlas's
 * `atlas:nolint [CODE …]: <reason>`. They need a reason like ours; without one they suppress nothing.
 */
import type { SourceFile } from '../lang/source-file.js';

export interface Suppression {
  kind: 'line' | 'file';
  /** Which tool's marker: ours, squawk's or atlas's. */
  marker: 'readiness-ignore' | 'squawk-ignore' | 'atlas:nolint';
  /** Rule ids or gate ids (ours); peer codes (native); empty for `atlas:nolint` without codes = all. */
  targets: string[];
  reason: string;
  /** Line of the comment. */
  commentLine: number;
  /** Line it applies to (line kind only). */
  appliesTo: number;
  /** Set when the marker is malformed (missing reason or target); such a suppression never applies. */
  problem?: 'missing-reason' | 'missing-target';
}

const COMMENT_LEAD = /^\s*(?:\/\/+|\/\*+|#+|--+|\*+|<!--)\s?/;
const COMMENT_TAIL = /\s*(?:\*\/|-->)\s*$/;

/** Strips comment delimiters from a comment's text, whatever syntax it came from. */
export function commentBody(text: string): string {
  return text.replace(COMMENT_LEAD, '').replace(COMMENT_TAIL, '').trim();
}

function isCommentOnlyLine(line: string): boolean {
  return /^\s*(?:\/\/|\/\*|\*|#|--|<!--)/.test(line);
}

/** The first line after `line` that holds code (not blank, not a comment-only line). */
function nextCodeLine(file: SourceFile, line: number): number {
  const lines = file.lines();
  for (let l = line + 1; l <= lines.length; l++) {
    const text = lines[l - 1] ?? '';
    if (text.trim() === '' || isCommentOnlyLine(text)) continue;
    return l;
  }
  return line + 1;
}

const OURS = /^readiness-ignore(-file)?\b\s*(.*)$/s;
const SQUAWK = /^squawk-ignore(-file)?\b\s*(.*)$/s;
const ATLAS = /^atlas:nolint\b\s*(.*)$/s;

/** `<targets>: <reason>` → both; no colon means no reason. */
function targetsAndReason(rest: string): { targets: string[]; reason: string } {
  const colon = rest.indexOf(':');
  return {
    targets: splitTargets(colon === -1 ? rest : rest.slice(0, colon)),
    reason: colon === -1 ? '' : rest.slice(colon + 1).trim(),
  };
}

function splitTargets(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Every suppression marker in a file. Never throws: a file whose comments cannot be read has none. */
export function parseSuppressions(file: SourceFile): Suppression[] {
  let comments: readonly { line: number; text: string }[];
  try {
    comments = file.comments();
  } catch {
    return [];
  }
  const out: Suppression[] = [];
  for (const comment of comments) {
    // A block comment may hold several lines; each line may carry a marker.
    const bodyLines = comment.text.split(/\r?\n/);
    bodyLines.forEach((raw, offset) => {
      const body = commentBody(raw);
      const line = comment.line + offset;
      const lineText = file.lineText(line);
      const trailing = !isCommentOnlyLine(lineText);
      const appliesTo = trailing ? line : nextCodeLine(file, line);
      let m = OURS.exec(body);
      if (m) {
        const { targets, reason } = targetsAndReason(m[2] ?? '');
        const problem = targets.length === 0 ? 'missing-target' : reason === '' ? 'missing-reason' : undefined;
        out.push({
          kind: m[1] ? 'file' : 'line',
          marker: 'readiness-ignore',
          targets,
          reason,
          commentLine: line,
          appliesTo,
          ...(problem ? { problem } : {}),
        });
        return;
      }
      // Peer markers need a reason too, written the same way (`-- squawk-ignore ban-drop-table: <why>`):
      // a bare marker is a one-word way to silence a blocker, and reviewers could not tell why it is safe.
      m = SQUAWK.exec(body);
      if (m) {
        const { targets, reason } = targetsAndReason(m[2] ?? '');
        const problem = targets.length === 0 ? 'missing-target' : reason === '' ? 'missing-reason' : undefined;
        out.push({
          kind: m[1] ? 'file' : 'line',
          marker: 'squawk-ignore',
          targets,
          reason,
          commentLine: line,
          appliesTo,
          ...(problem ? { problem } : {}),
        });
        return;
      }
      m = ATLAS.exec(body);
      if (m) {
        // `atlas:nolint` without codes covers every rule that declares an atlas code.
        const { targets, reason } = targetsAndReason(m[1] ?? '');
        out.push({
          kind: 'line',
          marker: 'atlas:nolint',
          targets,
          reason,
          commentLine: line,
          appliesTo,
          ...(reason === '' ? { problem: 'missing-reason' as const } : {}),
        });
      }
    });
  }
  return out;
}

/** Whether a suppression covers a finding of `ruleId` (gate `gate`) at `line`, given the rule's native codes. */
export function suppressionCovers(
  s: Suppression,
  finding: { ruleId: string; gate: string; line: number; endLine: number },
  native: { squawk?: readonly string[]; atlas?: readonly string[] } | undefined,
): boolean {
  if (s.problem) return false;
  if (
    s.kind === 'line' &&
    !(s.appliesTo >= finding.line && s.appliesTo <= finding.endLine) &&
    s.appliesTo !== finding.line
  ) {
    return false;
  }
  switch (s.marker) {
    case 'readiness-ignore':
      return s.targets.some((t) => t === finding.ruleId || t === finding.gate);
    case 'squawk-ignore':
      return !!native?.squawk && s.targets.some((t) => native.squawk!.includes(t));
    case 'atlas:nolint':
      return !!native?.atlas && (s.targets.length === 0 || s.targets.some((t) => native.atlas!.includes(t)));
  }
}
