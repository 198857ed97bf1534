/**
 * Every write the Action makes to GitHub, through the port in src/github/. A write that fails for good
 * (after the port's retries) never ends the run: it is recorded, logged and put in the job summary, and the
 * exit code still follows the verdict. A read-only token (fork pull requests) is detected once, reported
 * with one notice, and no further write is attempted.
 */
import type { ReadinessReport } from '../core/report.js';
import {
  addReaction,
  createIssueComment,
  GitHubFailure,
  isReadOnlyTokenError,
  publishCheckRun,
  upsertStickyComment,
  type OctokitLike,
  type ReactionContent,
} from '../github/index.js';
import { checkRunPayload, MARKER, renderMarkdown } from '../render/index.js';
import type { CommentMode } from './inputs.js';
import type { RepoId } from './event.js';

/** The check run's name: what a ruleset or branch protection requires. */
export const CHECK_NAME = 'Readiness Gates';

/** Where the Action writes its log (`@actions/core` in production). */
export interface ActionLog {
  info(message: string): void;
  /** A notice annotation (not counted in the per-step error/warning caps). */
  notice(message: string): void;
}

/** What happened to one output, for the job summary. */
export interface PublishNote {
  what: string;
  outcome: string;
  url?: string;
}

/** The notice for a read-only token, written once per run. */
export function readOnlyNotice(reason: string): string {
  return (
    `Readiness Gates: ${reason}, so the pull request comment and the check run are skipped. ` +
    'The job summary, the annotations and this step’s exit code still carry the result. ' +
    'To publish on pull requests from forks, use the two-workflow pattern in the README (“Pull requests from forks”).'
  );
}

/** Publishes comments, check runs and reactions; collects what happened and what failed. */
export class Publisher {
  /** Set once writes are known to be impossible; later writes are skipped without a request. */
  private writesBlocked: string | undefined;
  readonly notes: PublishNote[] = [];
  /** Permanent failures, each a few lines (`GitHubFailure.describe()`). */
  readonly problems: string[] = [];

  constructor(
    private readonly octokit: OctokitLike | undefined,
    private readonly repo: RepoId,
    private readonly log: ActionLog,
  ) {
    if (!octokit) this.blockWrites('no github-token was given');
  }

  /** Whether writes may still be attempted. */
  get canWrite(): boolean {
    return this.writesBlocked === undefined;
  }

  /** Stops all writes with one notice (a fork's read-only token, or no token at all). */
  blockWrites(reason: string): void {
    if (this.writesBlocked !== undefined) return;
    this.writesBlocked = reason;
    this.log.notice(readOnlyNotice(reason));
  }

  /** Runs one write; a read-only refusal blocks the rest, any other GitHub failure is recorded. */
  private async attempt<T>(what: string, write: (octokit: OctokitLike) => Promise<T>): Promise<T | undefined> {
    if (!this.octokit || this.writesBlocked !== undefined) {
      this.notes.push({ what, outcome: `skipped: ${this.writesBlocked ?? 'no token'}` });
      return undefined;
    }
    try {
      return await write(this.octokit);
    } catch (error) {
      if (isReadOnlyTokenError(error)) {
        this.blockWrites('the token is read-only here (GitHub answered “Resource not accessible by integration”)');
        this.notes.push({ what, outcome: 'skipped: the token is read-only' });
        return undefined;
      }
      if (!(error instanceof GitHubFailure)) throw error;
      const described = error.describe();
      this.problems.push(described);
      this.log.info(`::group::GitHub failure while ${error.purpose}\n${described}\n::endgroup::`);
      this.notes.push({ what, outcome: `failed: ${error.message}` });
      return undefined;
    }
  }

  /**
   * The sticky scorecard comment. The duration is left out of the comment: it changes on every run, and a
   * body that changes on every run would defeat `on-change` (the summary and the check run show it).
   */
  async comment(pullNumber: number, report: ReadinessReport, mode: CommentMode): Promise<void> {
    if (mode === 'never') {
      this.notes.push({ what: 'PR comment', outcome: 'not written (comment: never)' });
      return;
    }
    const steady: ReadinessReport = { ...report, stats: { ...report.stats, durationMs: Number.NaN } };
    // No `ownLogin`: the token may be the workflow's (github-actions[bot]) or another app's installation
    // token, and an installation token cannot ask who it is. Any bot comment carrying the marker counts as
    // ours; a person quoting the marker is never edited.
    const body = renderMarkdown(steady, { marker: MARKER });
    const result = await this.attempt('PR comment', (octokit) =>
      upsertStickyComment(octokit, { ...this.repo, issueNumber: pullNumber, body, marker: MARKER, mode }),
    );
    if (!result) return;
    const outcome =
      result.action === 'unchanged'
        ? 'unchanged (no write: the scorecard is the same)'
        : `${result.action}${result.deletedDuplicates ? `, ${result.deletedDuplicates} duplicate(s) removed` : ''}`;
    this.notes.push({ what: 'PR comment', outcome, ...(result.htmlUrl ? { url: result.htmlUrl } : {}) });
    this.log.info(`PR comment: ${outcome}${result.htmlUrl ? ` — ${result.htmlUrl}` : ''}`);
  }

  /**
   * The check run for a report, with the most severe annotations (at most MAX_ANNOTATIONS) unless
   * `annotations` is false (the findings are then annotated as workflow commands instead: one annotation
   * per finding). The port sends them 50 per request. True when the check run was written.
   */
  async checkRun(
    headSha: string,
    report: ReadinessReport,
    detailsUrl: string | undefined,
    options: { annotations?: boolean } = {},
  ): Promise<boolean> {
    const payload = checkRunPayload(report, { name: CHECK_NAME, ...(detailsUrl ? { detailsUrl } : {}) });
    if (options.annotations === false) payload.annotations = [];
    const result = await this.attempt('Check run', (octokit) =>
      publishCheckRun(octokit, {
        ...this.repo,
        headSha,
        name: payload.name,
        status: 'completed',
        conclusion: payload.conclusion,
        title: payload.title,
        summary: payload.summary,
        ...(payload.text === undefined ? {} : { text: payload.text }),
        annotations: payload.annotations,
        ...(payload.details_url ? { detailsUrl: payload.details_url } : {}),
      }),
    );
    if (!result) return false;
    const outcome = `${payload.conclusion} with ${result.annotations} annotation(s) in ${result.requests} request(s)`;
    this.notes.push({ what: 'Check run', outcome, ...(result.htmlUrl ? { url: result.htmlUrl } : {}) });
    this.log.info(`Check run: ${outcome}${result.htmlUrl ? ` — ${result.htmlUrl}` : ''}`);
    return true;
  }

  /** A failing check run saying the evaluation itself could not run, and how to retry. */
  async failedCheckRun(headSha: string, title: string, summary: string, detailsUrl: string | undefined): Promise<void> {
    const result = await this.attempt('Check run', (octokit) =>
      publishCheckRun(octokit, {
        ...this.repo,
        headSha,
        name: CHECK_NAME,
        status: 'completed',
        conclusion: 'failure',
        title,
        summary: summary.slice(0, 60_000),
        ...(detailsUrl ? { detailsUrl } : {}),
      }),
    );
    if (result)
      this.notes.push({
        what: 'Check run',
        outcome: 'failure (the evaluation could not run)',
        ...(result.htmlUrl ? { url: result.htmlUrl } : {}),
      });
  }

  /** A reaction on a command comment. */
  async react(commentId: number, content: ReactionContent): Promise<void> {
    const done = await this.attempt(`Reaction ${content}`, (octokit) =>
      addReaction(octokit, { ...this.repo, commentId, content }),
    );
    const shown: Partial<Record<ReactionContent, string>> = { '+1': '👍', '-1': '👎', confused: '😕' };
    if (done) this.notes.push({ what: 'Reaction', outcome: `${shown[content] ?? content} on comment ${commentId}` });
  }

  /** A plain reply on the pull request (not the sticky comment). */
  async reply(pullNumber: number, body: string): Promise<void> {
    const done = await this.attempt('Reply', (octokit) =>
      createIssueComment(octokit, { ...this.repo, issueNumber: pullNumber, body: body.slice(0, 65_000) }),
    );
    if (done) this.notes.push({ what: 'Reply', outcome: 'posted', url: done.htmlUrl });
  }
}
