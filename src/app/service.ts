/**
 * What the webhook handlers call: acknowledge (an in-progress check run on the head), enqueue, and
 * answer the commands that need no evaluation. Everything slow happens in the background; the handler
 * waits at most `ackBudgetMs` for the acknowledgement so GitHub's 10-second delivery limit is never at risk.
 */
import type { Logger } from 'pino';
import {
  addReaction,
  createIssueComment,
  editedByOtherReason,
  getPullRequest,
  parseCommand,
  WAIVER_LINE,
  type OctokitLike,
} from '../github/index.js';
import type { CheckRuns } from './check-runs.js';
import { planCommands } from './commands.js';
import type { CheckOutput } from './outputs.js';
import type { EvaluationJob, EvaluationQueue, MergeGroupRef } from './queue.js';

/** A repository as the events name it. */
export interface RepoTarget {
  installationId: number;
  owner: string;
  repo: string;
}

/** A comment with `/readiness` lines. */
export interface CommandComment {
  id: number;
  body: string;
  /** Previous body, for edits: a removed waiver must be re-read too. */
  previousBody?: string;
  /** For edits: who edited it (the delivery's `sender`), who may not be its author. */
  editedBy?: string;
  author: string;
  authorType: string;
  pullNumber: number;
}

/** Tracks promises started by handlers, so tests and shutdown can wait for them. */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  /** Runs `work` without making the caller wait; errors are logged, never thrown. */
  run(what: string, work: () => Promise<unknown>): void {
    const p = work()
      .catch((error: unknown) => this.log.warn({ err: error }, `${what} failed`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when every task started so far (and those they start) has settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** What a run says when the app stopped before it could evaluate the head; `cancelled` still blocks a required check. */
const NOT_EVALUATED: CheckOutput = {
  conclusion: 'cancelled',
  title: 'Not evaluated: the app was restarting',
  summary:
    'The Readiness Gates app was shutting down when this event arrived, so the commit was not evaluated. Comment `/readiness recheck` on the pull request to run the check.',
  annotations: [],
};

/** Waits for `work` but no longer than `ms`; the work goes on either way. */
async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Options of {@link ReadinessService}. */
export interface ReadinessServiceOptions {
  queue: EvaluationQueue;
  checks: CheckRuns;
  tasks: BackgroundTasks;
  log: Logger;
  ackBudgetMs: number;
  /**
   * Open the in-progress check run while acknowledging (single process). The Redis-backed app's web
   * replicas only verify, acknowledge and enqueue; its workers open the run when they start.
   */
  openRunOnAck: boolean;
}

/** The app's use cases, one method per kind of event. */
export class ReadinessService {
  constructor(private readonly options: ReadinessServiceOptions) {}

  /**
   * A pull request's head needs a verdict: open an in-progress check run on it, enqueue the evaluation,
   * and return once the run exists or the acknowledgement budget is spent. `markNow` (a base change):
   * the run is opened before the job is queued in every mode, the Redis-backed web replicas included.
   */
  async evaluatePullRequest(
    octokit: OctokitLike,
    target: RepoTarget,
    pr: { number: number; headSha: string },
    why: string,
    commentIds: number[] = [],
    options: { markNow?: boolean } = {},
  ): Promise<void> {
    const head = { owner: target.owner, repo: target.repo, headSha: pr.headSha };
    if (options.markNow && !this.options.openRunOnAck) {
      // The head's last result was judged against another base (or policy): it must not stand while the
      // new one is queued, so even a web replica that otherwise only enqueues opens the run first.
      await atMost(this.options.checks.ensureInProgress(octokit, head, why, pr.number), this.options.ackBudgetMs);
    }
    // Opened before enqueueing, so the evaluation always finds it to complete.
    const opened = this.options.openRunOnAck
      ? this.options.checks.ensureInProgress(octokit, head, why)
      : Promise.resolve();
    const queued = await this.options.queue.enqueue({
      ...target,
      pullNumber: pr.number,
      headSha: pr.headSha,
      reasons: [why],
      commentIds,
      requestedAt: Date.now(),
    });
    this.options.log.info(
      { repo: `${target.owner}/${target.repo}`, pr: pr.number, head: pr.headSha, why, queued },
      'evaluation requested',
    );
    if (queued === 'refused') {
      // Shutting down: say so on the run rather than leave it pending with nobody coming back to it.
      this.options.tasks.run('closing a run the app cannot evaluate', () =>
        this.options.checks.close(octokit, head, NOT_EVALUATED),
      );
    }
    await atMost(opened, this.options.ackBudgetMs);
  }

  /** A merge queue wants this group's commit checked. */
  async evaluateMergeGroup(octokit: OctokitLike, target: RepoTarget, group: MergeGroupRef, why: string): Promise<void> {
    const opened = this.options.openRunOnAck
      ? this.options.checks.ensureInProgress(
          octokit,
          { owner: target.owner, repo: target.repo, headSha: group.headSha },
          why,
        )
      : Promise.resolve();
    // gh-readonly-queue/<base>/pr-<number>-<sha>: the PR whose comments may carry waivers.
    const pullNumber = Number(/\/pr-(\d+)-[0-9a-f]+$/.exec(group.headRef)?.[1] ?? 0);
    const job: EvaluationJob = {
      ...target,
      pullNumber,
      headSha: group.headSha,
      mergeGroup: group,
      reasons: [why],
      commentIds: [],
      requestedAt: Date.now(),
    };
    const queued = await this.options.queue.enqueue(job);
    this.options.log.info(
      { repo: `${target.owner}/${target.repo}`, mergeGroup: group.headRef, head: group.headSha, queued },
      'merge group evaluation requested',
    );
    if (queued === 'refused') {
      this.options.tasks.run('closing a run the app cannot evaluate', () =>
        this.options.checks.close(
          octokit,
          { owner: target.owner, repo: target.repo, headSha: group.headSha },
          NOT_EVALUATED,
        ),
      );
    }
    await atMost(opened, this.options.ackBudgetMs);
  }

  /**
   * A comment was written or edited. Comments by bots (ours included) and comments without commands are
   * ignored, saying why. Recheck, waive and unwaive evaluate the PR's current head; help and explain are
   * answered in place. All of it runs in the background.
   */
  async handleComment(octokit: OctokitLike, target: RepoTarget, comment: CommandComment): Promise<void> {
    const log = this.options.log.child({
      repo: `${target.owner}/${target.repo}`,
      pr: comment.pullNumber,
      comment: comment.id,
    });
    if (comment.authorType === 'Bot') {
      log.info({ author: comment.author }, 'comment ignored: written by a bot, whose commands are never applied');
      return;
    }
    const commands = parseCommand(comment.body);
    // An edit that removed a waive line must still be re-read, so the waiver stops applying.
    const removedWaiver =
      comment.previousBody !== undefined &&
      parseCommand(comment.previousBody).some(
        (c) => c.kind === 'waive' || c.kind === 'unwaive' || c.kind === 'approve',
      );
    if (
      comment.editedBy !== undefined &&
      comment.editedBy.toLowerCase() !== comment.author.toLowerCase() &&
      (WAIVER_LINE.test(comment.body) || removedWaiver)
    ) {
      // Anyone with write access can edit anyone's comment: commands count only in a comment whose last
      // editor is its author. Refused here, said why, and re-evaluated, so whatever the comment granted
      // before the edit stops applying too (the evaluation re-reads the last editor from the API).
      log.info(
        { author: comment.author, editedBy: comment.editedBy },
        'commands refused: the comment was edited by someone other than its author',
      );
      const where = { owner: target.owner, repo: target.repo };
      this.options.tasks.run('refusing an edited command', async () => {
        await addReaction(octokit, { ...where, commentId: comment.id, content: '-1' });
        await createIssueComment(octokit, {
          ...where,
          issueNumber: comment.pullNumber,
          body: `@${comment.editedBy} @${comment.author} these commands were not applied:\n\n- ${editedByOtherReason(comment.author, comment.editedBy ?? null)}`,
        });
      });
      return this.requestEvaluation(
        octokit,
        target,
        comment,
        log,
        `comment by @${comment.author} edited by @${comment.editedBy}`,
        [],
      );
    }
    if (commands.length === 0 && !removedWaiver) {
      log.info('comment ignored: it holds no /readiness command');
      return;
    }
    const plan = planCommands(commands);
    const evaluate = plan.evaluate || removedWaiver;
    log.info({ commands: commands.map((c) => c.kind), evaluate }, 'readiness command received');
    const where = { owner: target.owner, repo: target.repo };
    this.options.tasks.run('answering a command', async () => {
      for (const content of plan.reactions) await addReaction(octokit, { ...where, commentId: comment.id, content });
      for (const body of plan.replies)
        await createIssueComment(octokit, {
          ...where,
          issueNumber: comment.pullNumber,
          body: `@${comment.author} ${body}`,
        });
    });
    if (!evaluate) return;
    const why = `${commands.find((c) => c.kind !== 'error')?.kind ?? 'edited'} command by @${comment.author}`;
    const commentIds = plan.answerAfterEvaluation || removedWaiver ? [comment.id] : [];
    return this.requestEvaluation(octokit, target, comment, log, why, commentIds);
  }

  /** Evaluates the PR's current head for a command (queued at once, or after reading the PR). */
  private async requestEvaluation(
    octokit: OctokitLike,
    target: RepoTarget,
    comment: CommandComment,
    log: Logger,
    why: string,
    commentIds: number[],
  ): Promise<void> {
    const where = { owner: target.owner, repo: target.repo };
    if (!this.options.openRunOnAck) {
      // Redis-backed: queued before the delivery is answered; the worker reads the PR (and skips it when
      // closed) and evaluates its current head.
      const queued = await this.options.queue.enqueue({
        ...target,
        pullNumber: comment.pullNumber,
        reasons: [why],
        commentIds,
        requestedAt: Date.now(),
      });
      log.info({ queued, why }, 'evaluation requested');
      return;
    }
    this.options.tasks.run('starting an evaluation for a command', async () => {
      const pr = await getPullRequest(octokit, { ...where, pullNumber: comment.pullNumber });
      if (pr.state !== 'open') {
        log.info({ state: pr.state }, 'command not evaluated: the pull request is not open');
        return;
      }
      await this.evaluatePullRequest(octokit, target, { number: pr.number, headSha: pr.headSha }, why, commentIds);
    });
  }
}
