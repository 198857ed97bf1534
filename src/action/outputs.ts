/**
 * What the Action leaves in the workflow run: the JSON and SARIF files, the job summary (within GitHub's
 * 1 MiB per step), workflow annotations for the most severe new findings (within the per-step caps), and
 * the step outputs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ReadinessReport } from '../core/report.js';
import { mdText, renderJson, renderMarkdown, renderSarifString, workflowAnnotations } from '../render/index.js';
import type { PublishNote } from './publish.js';

/** GitHub's limit on one step's job summary, in bytes. */
export const SUMMARY_MAX_BYTES = 1024 * 1024;

/** Where the report came from, kept in the JSON file so `mode: publish` knows which pull request it is for. */
export interface RunContext {
  event: string;
  repository: string;
  pullRequest?: number;
  runId?: string;
}

/**
 * The JSON report plus an additive `github` field (the contract allows added fields): the fork pattern's
 * publishing run needs the pull request number, which `workflow_run` omits for forks.
 */
export function reportJson(report: ReadinessReport, context: RunContext): string {
  return renderJson({ ...report, github: context } as ReadinessReport);
}

/** Writes a file, creating its directory. */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Writes the SARIF log for code scanning. */
export async function writeSarif(path: string, report: ReadinessReport): Promise<void> {
  await writeOutputFile(path, renderSarifString(report));
}

/** New findings of a severity, across gates (what the `blockers` and `warnings` outputs say). */
export function newCount(report: ReadinessReport, severity: 'blocker' | 'warning'): number {
  return report.gates.reduce((n, g) => n + g.counts[severity], 0);
}

/**
 * Workflow-command annotation lines for the most severe new findings. `reservedWarnings` keeps slots free
 * for the Action's own warnings (GitHub drops annotations past 10 errors and 10 warnings per step).
 * `pathPrefix` is the checkout's directory inside the workspace: annotation paths are workspace-relative.
 */
export function annotationLines(
  report: ReadinessReport,
  options: { reservedWarnings?: number; pathPrefix?: string } = {},
): string[] {
  const prefix = options.pathPrefix ? `${options.pathPrefix.replace(/\/+$/, '')}/` : '';
  const shown = prefix
    ? { ...report, findings: report.findings.map((f) => ({ ...f, path: prefix + f.path })) }
    : report;
  return workflowAnnotations(shown, { maxErrors: 10, maxWarnings: 10 - (options.reservedWarnings ?? 0) });
}

/** The job summary's closing section: what was published where, and anything that went wrong. */
export function runDetails(lines: { notes: PublishNote[]; problems: string[]; facts: string[] }): string {
  const out: string[] = [];
  if (lines.problems.length > 0) {
    out.push('### ⚠️ Problems publishing the result', '');
    out.push('The verdict above and this job’s exit code are unaffected.', '');
    for (const p of lines.problems) out.push('```', p.replace(/```/g, "'''"), '```', '');
  }
  out.push('### Run details', '');
  for (const f of lines.facts) out.push(`- ${f}`);
  for (const n of lines.notes)
    out.push(`- ${mdText(n.what)}: ${mdText(n.outcome)}${n.url ? ` ([link](${n.url}))` : ''}`);
  return `${out.join('\n')}\n`;
}

/**
 * The job summary: the scorecard (no hidden marker), then the run details, within 1 MiB. The scorecard
 * gets what the details leave; if a render still measures over in bytes (multi-byte characters), the
 * character budget shrinks until it fits.
 */
export function summaryMarkdown(report: ReadinessReport | undefined, details: string, head = ''): string {
  const tail = `\n${details}`;
  const fixedBytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
  if (!report) return head + tail;
  let budget = SUMMARY_MAX_BYTES - fixedBytes;
  for (let i = 0; i < 6; i++) {
    const card = renderMarkdown(report, {
      maxChars: Math.max(0, budget),
      includeMarker: false,
      overflowHint: 'see the JSON report',
    });
    if (Buffer.byteLength(card) + fixedBytes <= SUMMARY_MAX_BYTES) return head + card + tail;
    budget = Math.floor(budget * 0.75);
  }
  return head + tail;
}
