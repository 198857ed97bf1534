/**
 * What the app writes, as data: the check run and the sticky comment for a report, for an evaluation
 * that failed, and for a head that was superseded. Pure — publishing is the evaluation's job — so the
 * wording is testable without GitHub. The scorecard itself comes from src/render; this module only adds
 * what is specific to the app (the byte budget, the retry hint).
 */
import picomatch from 'picomatch';
import { ConfigError } from '../config/types.js';
import type { ReadinessReport } from '../core/report.js';
import type { Gate } from '../core/types.js';
import { GitHubFailure, type CheckRunAnnotation, type CheckRunConclusion } from '../github/index.js';
import {
  CHECK_RUN_TEXT_MAX,
  checkRunPayload,
  COMMENT_MAX_CHARS,
  MARKER,
  mdCode,
  mdText,
  renderMarkdownDetailed,
} from '../render/index.js';
import type { ByteBudget } from '../source/github.js';

/** The hint every failure ends with: how to run the check again. */
export const RECHECK_HINT = 'Comment `/readiness recheck` on the pull request to run the check again.';

/** A check run's content, ready for `publishCheckRun`. */
export interface CheckOutput {
  conclusion: CheckRunConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: CheckRunAnnotation[];
}

/** Which gates saw less than the whole change, and why, in a few lines. */
export interface ContextShortfall {
  /** Gate ids that ran with less context. */
  gates: string[];
  /** Markdown paragraph for the check run and the comment. */
  markdown: string;
}

const MiB = 1024 * 1024;

function bytes(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

/** File globs a gate's file rules look at; a gate without file rules reads whatever its indexes want. */
function gateGlobs(gate: Gate): string[] | undefined {
  const globs = gate.rules.flatMap((r) => (r.scope === 'file' ? [...r.files] : []));
  return globs.length > 0 && gate.rules.every((r) => r.scope !== 'repo') && !gate.indexes?.length ? globs : undefined;
}

/**
 * Says which gates ran with less context when the byte budget was spent, the PR had more files than
 * GitHub lists (3,000), or a tree listing was truncated. A gate counts as affected when a file it looks
 * at was not downloaded; gates with repository-wide indexes count whenever anything was left out, since
 * their indexes may have needed it. Undefined when nothing was left out.
 */
export function contextShortfall(
  budget: ByteBudget,
  report: ReadinessReport,
  gates: readonly Gate[],
): ContextShortfall | undefined {
  if (budget.skipped.length === 0 && !budget.filesTruncated && budget.truncatedTrees.length === 0) return undefined;
  const ran = new Set(report.gates.filter((g) => g.status !== 'skip').map((g) => g.id));
  const affected: string[] = [];
  for (const gate of gates) {
    if (!ran.has(gate.id)) continue;
    const globs = gateGlobs(gate);
    const matches = globs ? picomatch(globs, { dot: true }) : () => true;
    const touched =
      budget.filesTruncated || budget.truncatedTrees.length > 0 || budget.skipped.some((path) => matches(path));
    if (touched) affected.push(gate.id);
  }
  const lines: string[] = [];
  if (budget.skipped.length > 0) {
    const sample = budget.skipped
      .slice(0, 5)
      .map((p) => mdCode(p))
      .join(', ');
    lines.push(
      `- The byte budget of ${bytes(budget.limit)} per evaluation (\`READINESS_BYTE_BUDGET\`) was spent: ${budget.skipped.length} file(s) were not downloaded (${sample}${budget.skipped.length > 5 ? ', …' : ''}).`,
    );
  }
  if (budget.filesTruncated)
    lines.push('- The pull request changes more files than GitHub lists (3,000): only the first 3,000 were analysed.');
  if (budget.truncatedTrees.length > 0)
    lines.push('- GitHub truncated the repository tree listing (over 100,000 entries): some files were not seen.');
  const who =
    affected.length > 0
      ? `Gates that ran with less context: ${affected.map((g) => `**${mdText(g)}**`).join(', ')}.`
      : 'No gate that ran needed the files left out.';
  return {
    gates: affected,
    markdown: `> [!WARNING]\n> **Partial analysis.** ${who}\n${lines.map((l) => `> ${l}`).join('\n')}\n\n`,
  };
}

/** Marks the affected gates in the report, so the scorecard's gate table says it too. */
export function annotateGates(report: ReadinessReport, shortfall: ContextShortfall | undefined): ReadinessReport {
  if (!shortfall || shortfall.gates.length === 0) return report;
  return {
    ...report,
    gates: report.gates.map((g) =>
      shortfall.gates.includes(g.id) && !g.note ? { ...g, note: 'ran with less context (see above)' } : g,
    ),
  };
}

/** Inserts a paragraph after the scorecard's marker line (or at the top when there is none). */
function withPreamble(markdown: string, preamble: string): string {
  if (!preamble) return markdown;
  const newline = markdown.indexOf('\n');
  if (markdown.startsWith('<!--') && newline > 0)
    return `${markdown.slice(0, newline + 1)}${preamble}${markdown.slice(newline + 1)}`;
  return preamble + markdown;
}

/** The check run and the sticky comment for a finished evaluation. */
export function reportOutputs(
  report: ReadinessReport,
  shortfall?: ContextShortfall,
): { check: CheckOutput; comment: string } {
  const preamble = shortfall?.markdown ?? '';
  const shown = annotateGates(report, shortfall);
  const payload = checkRunPayload(shown);
  const summary = preamble
    ? preamble +
      renderMarkdownDetailed(shown, {
        maxChars: CHECK_RUN_TEXT_MAX - preamble.length,
        includeMarker: false,
        overflowHint: 'see the annotations / JSON report',
      }).markdown
    : payload.summary;
  const comment = withPreamble(
    renderMarkdownDetailed(shown, { maxChars: COMMENT_MAX_CHARS - preamble.length }).markdown,
    preamble,
  );
  return {
    check: {
      conclusion: payload.conclusion,
      title: payload.title,
      summary,
      ...(payload.text === undefined ? {} : { text: payload.text }),
      annotations: payload.annotations,
    },
    comment,
  };
}

/** Where an evaluation failed, for the title and the metrics. */
export type FailureKind = 'config' | 'github' | 'engine' | 'timeout';

/** Classifies an evaluation error. */
export function failureKind(error: unknown): FailureKind {
  if (error instanceof ConfigError) return 'config';
  if (error instanceof GitHubFailure) return 'github';
  if (error instanceof Error && error.name === 'EvaluationTimeout') return 'timeout';
  return 'engine';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The check run and comment for an evaluation that could not finish. The conclusion follows the base
 * branch's `on-error` (`failure` unless it says `neutral`, and always `failure` when the config itself
 * is broken); the summary gives the reason and how to retry. Never `success`.
 */
export function errorOutputs(
  error: unknown,
  onError: 'failure' | 'neutral',
  context: { baseRef?: string; configPath?: string; attempts?: number },
): { check: CheckOutput; comment: string } {
  const kind = failureKind(error);
  let title: string;
  let body: string;
  if (error instanceof ConfigError) {
    const file = error.issues[0]?.file ?? context.configPath ?? '.github/readiness.yml';
    title = `Configuration error in ${file}`;
    const issues = error.issues
      .map((i) => `- ${mdCode(`${i.file}:${i.line}:${i.column}`)} **${mdText(i.key)}**: ${mdText(i.message)}`)
      .join('\n');
    body =
      `The readiness policy on the base branch${context.baseRef ? ` (${mdCode(context.baseRef)})` : ''} is invalid, so this pull request could not be checked:\n\n${issues}\n\n` +
      'The enforced configuration is always the base branch’s, so a pull request cannot loosen its own gate: fix the file on the base branch (or in this PR and merge it with an admin’s approval), then ' +
      RECHECK_HINT.charAt(0).toLowerCase() +
      RECHECK_HINT.slice(1);
  } else if (error instanceof GitHubFailure) {
    title = 'Error: GitHub request failed';
    body = `The check could not finish because a GitHub request failed for good:\n\n\`\`\`\n${error.describe()}\n\`\`\`\n\n${RECHECK_HINT}`;
  } else if (kind === 'timeout') {
    title = 'Error: the evaluation timed out';
    body = `${mdText((error as Error).message)}\n\n${RECHECK_HINT}`;
  } else {
    title = 'Error: the evaluation failed';
    body = `The check could not finish: ${mdCode(clip(String((error as Error)?.message ?? error), 2000))}\n\n${RECHECK_HINT}`;
  }
  if (context.attempts !== undefined && context.attempts > 1) {
    body += `\n\nThe app tried ${context.attempts} times with growing pauses before giving up; the job is kept in its dead-letter queue.`;
  }
  const conclusion: CheckRunConclusion = kind === 'config' ? 'failure' : onError;
  const outcome =
    conclusion === 'failure'
      ? 'The check fails until it completes: an evaluation that did not run never passes.'
      : 'The base branch’s config sets `on-error: neutral`, so this error does not block the merge.';
  const summary = clip(`### ❗ ${mdText(title)}\n\n${body}\n\n${outcome}\n`, CHECK_RUN_TEXT_MAX);
  const comment = clip(
    `${MARKER}\n## Readiness Gates — could not check this pull request\n\n${body}\n\n${outcome}\n`,
    COMMENT_MAX_CHARS,
  );
  return { check: { conclusion, title, summary, annotations: [] }, comment };
}

/** The output that closes a check run whose head was replaced before its result could be published. */
export function supersededOutput(headSha: string, newHeadSha: string | undefined): CheckOutput {
  const newer = newHeadSha ? ` by ${mdCode(newHeadSha.slice(0, 12))}` : '';
  return {
    conclusion: 'cancelled',
    title: 'Superseded by a newer commit',
    summary: `The pull request's head moved from ${mdCode(headSha.slice(0, 12))}${newer} before this evaluation finished, so its result was discarded and the newest head is evaluated instead.`,
    annotations: [],
  };
}
