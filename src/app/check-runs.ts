/**
 * The in-progress check runs this process opened and has not finished yet, one per (repository, head
 * sha). A webhook handler opens one (that is the fast acknowledgement GitHub shows as "pending"), the
 * evaluation of that head claims it and completes it. A second request for a head whose run is still
 * open reuses it, so a recheck during a burst does not leave a second pending run behind.
 *
 * Annotations accumulate across updates of one run on GitHub, so every evaluation completes its own run
 * rather than reusing a finished one. A replica that never saw the webhook (the Redis queue) finds no
 * open run and creates a completed one directly.
 */
import type { Logger } from 'pino';
import { publishCheckRun, type OctokitLike } from '../github/index.js';
import { CHECK_NAME } from './options.js';
import type { CheckOutput } from './outputs.js';

interface RepoHead {
  owner: string;
  repo: string;
  headSha: string;
}

function key(head: RepoHead): string {
  return `${head.owner}/${head.repo}@${head.headSha}`.toLowerCase();
}

/** Open check runs by head. */
export class CheckRunTracker {
  private readonly open = new Map<string, Promise<number | undefined>>();

  constructor(private readonly log: Logger) {}

  /**
   * Makes sure an in-progress run exists for this head; resolves to its id, or undefined when GitHub
   * refused (logged; the evaluation then creates the run when it publishes).
   */
  ensureInProgress(octokit: OctokitLike, head: RepoHead, why: string): Promise<number | undefined> {
    const k = key(head);
    const existing = this.open.get(k);
    if (existing) return existing;
    const created = publishCheckRun(octokit, {
      owner: head.owner,
      repo: head.repo,
      headSha: head.headSha,
      name: CHECK_NAME,
      status: 'in_progress',
      title: 'Evaluating…',
      summary: `Readiness Gates is evaluating this commit (${why}). The result replaces this message in a moment.`,
    }).then(
      (r) => r.checkRunId,
      (error: unknown) => {
        this.log.warn({ err: error, head: head.headSha }, 'could not create the in-progress check run; the result will create one');
        if (this.open.get(k) === created) this.open.delete(k);
        return undefined;
      },
    );
    this.open.set(k, created);
    return created;
  }

  /** Takes the open run of this head (if any) for an evaluation to complete; later requests open a new one. */
  async claim(head: RepoHead): Promise<number | undefined> {
    const k = key(head);
    const pending = this.open.get(k);
    if (!pending) return undefined;
    this.open.delete(k);
    return pending;
  }

  /** Completes the open run of a head (if any) with `output`, e.g. superseded. Failures are logged. */
  async close(octokit: OctokitLike, head: RepoHead, output: CheckOutput): Promise<void> {
    const id = await this.claim(head);
    if (id === undefined) return;
    await complete(octokit, head, id, output).catch((error: unknown) => this.log.warn({ err: error, head: head.headSha }, 'could not close a superseded check run'));
  }
}

/** Completes (or, without an id, creates completed) the check run of a head with every annotation. */
export async function complete(octokit: OctokitLike, head: RepoHead, checkRunId: number | undefined, output: CheckOutput): Promise<number> {
  const result = await publishCheckRun(octokit, {
    owner: head.owner,
    repo: head.repo,
    headSha: head.headSha,
    name: CHECK_NAME,
    ...(checkRunId === undefined ? {} : { checkRunId }),
    status: 'completed',
    conclusion: output.conclusion,
    title: output.title,
    summary: output.summary,
    ...(output.text === undefined ? {} : { text: output.text }),
    annotations: output.annotations,
  });
  return result.checkRunId;
}
