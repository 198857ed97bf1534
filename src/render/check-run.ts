/**
 * Payloads for GitHub check runs and for workflow-command annotations, within GitHub's limits: a summary and
 * a text of at most 65,535 characters each, annotations sent 50 per request, and at most 10 error and 10
 * warning workflow-command annotations per step. Pure: `src/github/` sends what these return.
 */
import type { ReadinessReport } from '../core/report.js';
import type { Finding, Severity } from '../core/types.js';
import {
  SEVERITY_RANK,
  bySeverityThenLocation,
  clip,
  clipWords,
  location,
  pendingApprovalNote,
  plural,
  verdictReason,
} from './common.js';
import { mdCode, mdProse, mdText } from './escape.js';
import { LIST_NOUN, type ListKey, TRUNCATION_ORDER, renderMarkdownDetailed } from './markdown.js';

/** GitHub's limit for a check run's `output.summary` and `output.text`. */
export const CHECK_RUN_TEXT_MAX = 65_535;

/** GitHub silently drops annotations past 50 in one create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/**
 * Annotations a check run carries at most: two requests' worth. Each further 50 costs one more write
 * to GitHub, so 10,000 findings would be 200 writes in one evaluation — enough to trip GitHub's
 * secondary rate limits for the whole installation. The rest are counted in the text and are all in
 * the JSON report and SARIF.
 */
export const MAX_ANNOTATIONS = 2 * ANNOTATIONS_PER_REQUEST;

/** One check-run annotation, in the REST API's field names. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  /** Only allowed when start_line equals end_line. */
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  /** The rule id. */
  title?: string;
  /** The fix. */
  raw_details?: string;
}

/** What `checks.create` / `checks.update` need, minus repository, sha and ids. */
export interface CheckRunPayload {
  name: string;
  details_url?: string;
  title: string;
  summary: string;
  /** Present when the summary left something out: a compact list of every finding, itself within budget. */
  text?: string;
  conclusion: 'success' | 'failure';
  /** New findings first (most severe first), then existing ones. Send with {@link batches}. */
  annotations: Annotation[];
}

/** Options for {@link checkRunPayload}. */
export interface CheckRunOptions {
  /** The check's name; a required status check matches on it. Default "Readiness Gates". */
  name?: string;
  /** Where "Details" leads (the workflow run or the app's page). */
  detailsUrl?: string;
  /** Passed to the markdown renderer for links; see {@link renderMarkdown}. */
  linkBase?: (path: string, line: number) => string;
  /** Annotations at most (default {@link MAX_ANNOTATIONS}), the most severe new findings first. */
  maxAnnotations?: number;
}

const LEVEL: Record<Severity, Annotation['annotation_level']> = {
  blocker: 'failure',
  warning: 'warning',
  notice: 'notice',
};

/**
 * Annotation `message` and `raw_details` are capped at 64 KB by GitHub; 16,000 UTF-16 units is at most
 * 48,000 UTF-8 bytes, safely under it (and far more than anyone reads inline).
 */
const ANNOTATION_TEXT_MAX = 16_000;
/** GitHub's limit for an annotation title. */
const ANNOTATION_TITLE_MAX = 255;

/** "Blocked: 3 new blockers · score 62" or "Ready: no new blockers · score 95". */
export function checkRunTitle(report: ReadinessReport): string {
  return `${report.verdict === 'blocked' ? 'Blocked' : 'Ready'}: ${verdictReason(report)} · score ${report.score}`;
}

/**
 * The check run for a report: title, markdown summary within 65,535 characters, conclusion `failure` iff
 * the verdict is blocked, and annotations for the most severe new then existing findings, at most
 * {@link MAX_ANNOTATIONS} (suppressed and waived ones are accepted, so they get none); the text says how
 * many more there are.
 */
export function checkRunPayload(report: ReadinessReport, options: CheckRunOptions = {}): CheckRunPayload {
  const hint = options.detailsUrl ? 'see the details page / JSON report' : 'see the annotations / JSON report';
  const rendered = renderMarkdownDetailed(report, {
    maxChars: CHECK_RUN_TEXT_MAX,
    includeMarker: false,
    overflowHint: hint,
    ...(options.linkBase ? { linkBase: options.linkBase } : {}),
  });
  const truncated = Object.keys(rendered.omitted).length > 0;
  const all = annotations(report);
  const shown = all.slice(0, Math.max(0, options.maxAnnotations ?? MAX_ANNOTATIONS));
  const payload: CheckRunPayload = {
    name: options.name ?? 'Readiness Gates',
    title: checkRunTitle(report),
    summary: rendered.markdown,
    conclusion: report.verdict === 'blocked' ? 'failure' : 'success',
    annotations: shown,
  };
  if (options.detailsUrl) payload.details_url = options.detailsUrl;
  const note = shown.length < all.length ? unannotatedNote(all.length - shown.length, shown.length) : '';
  if (truncated) payload.text = note + findingList(report, rendered.omitted, CHECK_RUN_TEXT_MAX - note.length);
  else if (note) payload.text = note;
  return payload;
}

/** Says how many findings got no annotation, and where every finding is. */
export function unannotatedNote(left: number, shown: number): string {
  return (
    `> [!NOTE]\n> **${plural(left, 'more finding')} ${left === 1 ? 'is' : 'are'} not annotated.** This check run annotates ` +
    `the ${shown} most severe (new findings first) to keep its writes to GitHub few; every finding is in the JSON report ` +
    `and the SARIF file (the Action's \`report-file\` and \`sarif-file\`, or \`readiness-gates check --format json|sarif\`).\n\n`
  );
}

/**
 * Annotations for new findings (most severe first), then existing ones. A finding about the pull request
 * as a whole (no path: files GitHub did not list) has no line to sit on; the summary shows it.
 */
export function annotations(report: ReadinessReport): Annotation[] {
  const located = report.findings.filter((f) => f.path !== '');
  const fresh = located.filter((f) => f.state === 'new').sort(bySeverityThenLocation);
  const existing = located.filter((f) => f.state === 'existing').sort(bySeverityThenLocation);
  return [...fresh.map((f) => annotation(f, false)), ...existing.map((f) => annotation(f, true))];
}

function annotation(f: Finding, existing: boolean): Annotation {
  const start = Math.max(1, f.line);
  const end = Math.max(start, f.endLine);
  const prefix = existing ? 'Already on the base branch (does not block). ' : '';
  const out: Annotation = {
    path: f.path,
    start_line: start,
    end_line: end,
    annotation_level: LEVEL[f.severity],
    message: clip(`${prefix}${f.message}`, ANNOTATION_TEXT_MAX),
    title: clip(f.ruleId, ANNOTATION_TITLE_MAX),
  };
  // The id is what a waiver names, so it is there even when the rule has no fix text.
  const pending = f.pendingApproval ? `${pendingApprovalNote(f, 'github')}\n\n` : '';
  out.raw_details = clip(
    f.fix ? `${pending}Fix: ${f.fix}\n\nFinding id: ${f.id}` : `${pending}Finding id: ${f.id}`,
    ANNOTATION_TEXT_MAX,
  );
  if (f.column !== undefined && f.column >= 1 && start === end) out.start_column = f.column;
  return out;
}

/** Splits items into consecutive chunks of `size` (default 50, GitHub's per-request annotation limit). */
export function batches<T>(items: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The check run's `text` when the summary had to leave things out: one line per finding, new before
 * existing before accepted, most severe first, cut with a closing count if even that exceeds `maxChars`.
 */
function findingList(report: ReadinessReport, omitted: Partial<Record<ListKey, number>>, maxChars: number): string {
  const left = TRUNCATION_ORDER.filter((k) => (omitted[k] ?? 0) > 0)
    .map((k) => `${omitted[k]} ${LIST_NOUN[k][omitted[k] === 1 ? 0 : 1]}`)
    .join(', ');
  const head = `## All findings\n\nTo stay within GitHub's size limit the summary leaves out ${mdText(left)}. This list has one line per finding.\n\n`;
  const order = (f: Finding) => (f.state === 'new' ? 0 : f.state === 'existing' ? 1 : 2);
  const findings = [...report.findings].sort((a, b) => order(a) - order(b) || bySeverityThenLocation(a, b));
  const lines = findings.map(
    (f) =>
      `- ${f.state} ${f.severity} ${mdCode(clip(f.ruleId, 200))} ${mdCode(clip(location(f), 300))} — ${mdProse(clipWords(f.message, 500))} (id ${mdCode(f.id)})\n`,
  );
  let out = head;
  for (let i = 0; i < lines.length; i++) {
    const rest = lines.length - i;
    // Leave room for the closing count so the list never ends mid-sentence.
    const closing = `\n_… and ${plural(rest, 'more finding')} (see the JSON report)._\n`;
    if (out.length + lines[i]!.length + (rest > 1 ? closing.length : 0) > maxChars) {
      return out + closing;
    }
    out += lines[i];
  }
  return out;
}

/** Options for {@link workflowAnnotations}. */
export interface WorkflowAnnotationOptions {
  /** Error annotations GitHub shows per step. Default 10. */
  maxErrors?: number;
  /** Warning annotations GitHub shows per step. Default 10. */
  maxWarnings?: number;
  /** Notice annotations (they count toward the job's 50). Default 0: the check run and summary carry them. */
  maxNotices?: number;
}

/**
 * `::error file=…,line=…::message` workflow commands for the most severe new findings, within GitHub's
 * per-step caps (more would be silently dropped). When some are left out, a plain log line (not an
 * annotation, so it takes no slot) says how many. Each string is one line to write to stdout.
 */
export function workflowAnnotations(report: ReadinessReport, options: WorkflowAnnotationOptions = {}): string[] {
  const caps: Record<Severity, number> = {
    blocker: Math.max(0, options.maxErrors ?? 10),
    warning: Math.max(0, options.maxWarnings ?? 10),
    notice: Math.max(0, options.maxNotices ?? 0),
  };
  const command: Record<Severity, string> = { blocker: 'error', warning: 'warning', notice: 'notice' };
  const fresh = report.findings
    .filter((f) => f.state === 'new')
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || bySeverityThenLocation(a, b));
  const used: Record<Severity, number> = { blocker: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  let skipped = 0;
  for (const f of fresh) {
    if (used[f.severity] >= caps[f.severity]) {
      skipped++;
      continue;
    }
    used[f.severity]++;
    const start = Math.max(1, f.line);
    const props = [
      `file=${escapeProperty(f.path)}`,
      `line=${start}`,
      `endLine=${Math.max(start, f.endLine)}`,
      ...(f.column !== undefined && f.column >= 1 ? [`col=${f.column}`] : []),
      `title=${escapeProperty(f.ruleId)}`,
    ];
    const message = f.fix ? `${f.message}\nFix: ${f.fix}\nFinding id: ${f.id}` : `${f.message}\nFinding id: ${f.id}`;
    lines.push(`::${command[f.severity]} ${props.join(',')}::${escapeData(clip(message, ANNOTATION_TEXT_MAX))}`);
  }
  if (skipped > 0) {
    lines.push(
      `Readiness Gates: ${plural(skipped, 'more new finding')} not annotated here (GitHub shows at most ` +
        `${caps.blocker} errors and ${caps.warning} warnings per step); see the check run or job summary.`,
    );
  }
  return lines;
}

/** Workflow-command message escaping: `%`, CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property escaping: as data, plus `:` and `,` which delimit properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
