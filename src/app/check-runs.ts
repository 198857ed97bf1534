/**
 * Which check run an evaluation completes. Every evaluation completes its own run (annotations
 * accumulate across updates of one run on GitHub, so a finished run is never reused); while a run is
 * open, requests for the same (repository, head sha) reuse it rather than leave a second pending run.
 *
 * Two implementations: {@link CheckRunTracker} keeps open runs in this process (the single-process app
 * opens the run when it acknowledges the webhook); {@link RedisCheckRuns} keeps them in Redis so that a
 * worker retrying the job of a worker that died finds the run the dead one opened and completes it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { checkRunStatus, findOpenCheckRun, publishCheckRun, type OctokitLike } from '../github/index.js';
import { CHECK_NAME } from './options.js';
import type { CheckOutput } from './outputs.js';

/** A commit of a repository. */
export interface RepoHead {
  owner: string;
  repo: string;
  headSha: string;
}

function key(head: RepoHead): string {
  return `${head.owner}/${head.repo}@${head.headSha}`.toLowerCase();
}

/** What the service and the evaluation need from a tracker. */
export interface CheckRuns {
  /**
   * Makes sure an in-progress run exists for this head; resolves to its id, or undefined when GitHub
   * refused (logged; the evaluation then creates the run when it publishes). `pullNumber`: the PR the
   * run belongs to, so an evaluation of a newer head can close it.
   */
  ensureInProgress(octokit: OctokitLike, head: RepoHead, why: string, pullNumber?: number): Promise<number | undefined>;
  /**
   * The open run an evaluation of this head is to complete. `octokit` given: open one when none is open
   * (the Redis-backed app opens runs when an evaluation starts, not when the webhook arrives).
   */
  claim(head: RepoHead, open?: { octokit: OctokitLike; why: string; pullNumber?: number }): Promise<number | undefined>;
  /**
   * Heads of a pull request with a run still open, as far as this tracker knows: an evaluation closes
   * those that are not the PR's head any more (a worker that died after opening one left it behind).
   */
  openHeads(owner: string, repo: string, pullNumber: number): Promise<string[]>;
  /**
   * Completes the run `checkRunId` (or, without one, creates it completed) with every annotation, and
   * forgets it: later evaluations of the head open a new one. Resolves to the run's id.
   */
  complete(octokit: OctokitLike, head: RepoHead, checkRunId: number | undefined, output: CheckOutput): Promise<number>;
  /**
   * Whether the run an evaluation claimed is still open. False once another evaluation completed it:
   * a worker presumed dead that wakes up must not complete it again (annotations would double). A run
   * with no record at all (Redis restarted empty) is asked of GitHub and adopted when still open.
   */
  stillOpen(octokit: OctokitLike, head: RepoHead, checkRunId: number): Promise<boolean>;
  /** Completes the open run of a head (if any) with `output`, e.g. superseded. Failures are logged. */
  close(octokit: OctokitLike, head: RepoHead, output: CheckOutput): Promise<void>;
}

function openRun(octokit: OctokitLike, head: RepoHead, why: string): Promise<number> {
  return publishCheckRun(octokit, {
    owner: head.owner,
    repo: head.repo,
    headSha: head.headSha,
    name: CHECK_NAME,
    status: 'in_progress',
    title: 'Evaluating…',
    summary: `Readiness Gates is evaluating this commit (${why}). The result replaces this message in a moment.`,
  }).then((r) => r.checkRunId);
}

/** Open check runs by head, in this process. */
export class CheckRunTracker implements CheckRuns {
  private readonly open = new Map<string, Promise<number | undefined>>();

  constructor(private readonly log: Logger) {}

  ensureInProgress(octokit: OctokitLike, head: RepoHead, why: string): Promise<number | undefined> {
    const k = key(head);
    const existing = this.open.get(k);
    if (existing) return existing;
    const created = openRun(octokit, head, why).then(
      (id) => id,
      (error: unknown) => {
        this.log.warn(
          { err: error, head: head.headSha },
          'could not create the in-progress check run; the result will create one',
        );
        if (this.open.get(k) === created) this.open.delete(k);
        return undefined;
      },
    );
    this.open.set(k, created);
    return created;
  }

  /** Takes the open run of this head (if any); later requests open a new one. Never opens one itself. */
  async claim(head: RepoHead): Promise<number | undefined> {
    const k = key(head);
    const pending = this.open.get(k);
    if (!pending) return undefined;
    this.open.delete(k);
    return pending;
  }

  complete(octokit: OctokitLike, head: RepoHead, checkRunId: number | undefined, output: CheckOutput): Promise<number> {
    // claim() already forgot the run.
    return publishCompleted(octokit, head, checkRunId, output);
  }

  async stillOpen(): Promise<boolean> {
    // One process: nobody else completes the run it claimed.
    return true;
  }

  async openHeads(): Promise<string[]> {
    // Runs opened at acknowledgement are closed by the queue when a newer head replaces them.
    return [];
  }

  async close(octokit: OctokitLike, head: RepoHead, output: CheckOutput): Promise<void> {
    const id = await this.claim(head);
    if (id === undefined) return;
    await publishCompleted(octokit, head, id, output).catch((error: unknown) =>
      this.log.warn({ err: error, head: head.headSha }, 'could not close a check run'),
    );
  }
}

/** Compare-and-delete: forget the run only if it is still the one recorded. */
const FORGET = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** How long a record of an open run lives: longer than any evaluation with its retries. */
const OPEN_RUN_TTL_S = 24 * 3600;
/** How long one replica may take to create a run before another stops waiting for it. */
const CREATING_TTL_MS = 10_000;

/**
 * Open check runs in Redis, shared by every replica: `<prefix>:run:<owner/repo@sha>` holds the run's id,
 * or `creating:<token>` while one replica creates it (so two replicas never create two runs for a head).
 */
export class RedisCheckRuns implements CheckRuns {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly pollMs = 50,
  ) {}

  private redisKey(head: RepoHead): string {
    return `${this.prefix}:run:${key(head)}`;
  }

  private prKey(owner: string, repo: string, pullNumber: number): string {
    return `${this.prefix}:pr-runs:${`${owner}/${repo}#${pullNumber}`.toLowerCase()}`;
  }

  async openHeads(owner: string, repo: string, pullNumber: number): Promise<string[]> {
    const k = this.prKey(owner, repo, pullNumber);
    const open: string[] = [];
    for (const sha of await this.redis.smembers(k)) {
      const current = await this.redis.get(this.redisKey({ owner, repo, headSha: sha }));
      if (current) open.push(sha);
      else await this.redis.srem(k, sha);
    }
    return open;
  }

  async ensureInProgress(
    octokit: OctokitLike,
    head: RepoHead,
    why: string,
    pullNumber?: number,
  ): Promise<number | undefined> {
    const k = this.redisKey(head);
    const deadline = Date.now() + CREATING_TTL_MS + 1000;
    // A creation that left no record behind (its process died between the request and the record) or
    // whose record expired: adopt the run it may have created instead of opening a second one.
    let adopt = false;
    for (;;) {
      const token = `creating:${randomUUID()}`;
      if ((await this.redis.set(k, token, 'PX', CREATING_TTL_MS, 'NX')) === 'OK') {
        try {
          const orphan = adopt ? await findOpenCheckRun(octokit, { ...head, name: CHECK_NAME }) : undefined;
          if (orphan !== undefined)
            this.log.info(
              { head: head.headSha, checkRunId: orphan },
              'adopted an in-progress check run whose creator did not record it',
            );
          if (pullNumber !== undefined) {
            // Remembered before the run exists, so no run of the PR is ever created unlisted.
            const pr = this.prKey(head.owner, head.repo, pullNumber);
            await this.redis.multi().sadd(pr, head.headSha).expire(pr, OPEN_RUN_TTL_S).exec();
          }
          const id = orphan ?? (await openRun(octokit, head, why));
          await this.redis.set(k, String(id), 'EX', OPEN_RUN_TTL_S);
          return id;
        } catch (error) {
          this.log.warn(
            { err: error, head: head.headSha },
            'could not create the in-progress check run; the result will create one',
          );
          await this.redis.eval(FORGET, 1, k, token);
          return undefined;
        }
      }
      const current = await this.redis.get(k);
      if (current && !current.startsWith('creating:')) return Number(current);
      // Another replica is creating it: wait for the id. Its record expiring without one means it died.
      adopt = true;
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  async claim(
    head: RepoHead,
    open?: { octokit: OctokitLike; why: string; pullNumber?: number },
  ): Promise<number | undefined> {
    if (open) return this.ensureInProgress(open.octokit, head, open.why, open.pullNumber);
    return (await this.lookup(head)).id;
  }

  /** The recorded run of a head, waiting out a creation in progress; `orphaned` when that creator vanished. */
  private async lookup(head: RepoHead): Promise<{ id?: number; orphaned: boolean }> {
    const k = this.redisKey(head);
    const deadline = Date.now() + CREATING_TTL_MS + 1000;
    let creating = false;
    for (;;) {
      const current = await this.redis.get(k);
      if (!current) return { orphaned: creating };
      if (!current.startsWith('creating:')) return { id: Number(current), orphaned: false };
      creating = true;
      if (Date.now() > deadline) return { orphaned: true };
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  async complete(
    octokit: OctokitLike,
    head: RepoHead,
    checkRunId: number | undefined,
    output: CheckOutput,
  ): Promise<number> {
    const id = await publishCompleted(octokit, head, checkRunId, output);
    await this.redis.eval(FORGET, 1, this.redisKey(head), String(id));
    return id;
  }

  async stillOpen(octokit: OctokitLike, head: RepoHead, checkRunId: number): Promise<boolean> {
    const k = this.redisKey(head);
    const current = await this.redis.get(k);
    if (current === String(checkRunId)) return true;
    // Another run is recorded (or being created) for this head: that one is the live one.
    if (current !== null) return false;
    // No record at all. Completing a run forgets its record, but so does Redis restarted without
    // persistence (or evicting keys): only GitHub knows which. A run still open there is nobody's but
    // ours, so it is adopted and completed rather than left in progress forever.
    const status = await checkRunStatus(octokit, { owner: head.owner, repo: head.repo, checkRunId });
    if (status === 'completed') return false;
    const adopted = (await this.redis.set(k, String(checkRunId), 'EX', OPEN_RUN_TTL_S, 'NX')) === 'OK';
    if (adopted)
      this.log.warn(
        { head: head.headSha, checkRunId },
        'adopted an open check run that had no record (Redis lost its data?); completing it',
      );
    return adopted || (await this.redis.get(k)) === String(checkRunId);
  }

  async close(octokit: OctokitLike, head: RepoHead, output: CheckOutput): Promise<void> {
    const found = await this.lookup(head);
    let id = found.id;
    // Its creator died between creating the run and recording it: find the run on GitHub.
    if (id === undefined && found.orphaned)
      id = await findOpenCheckRun(octokit, { ...head, name: CHECK_NAME }).catch(() => undefined);
    if (id === undefined) return;
    try {
      await this.complete(octokit, head, id, output);
    } catch (error) {
      this.log.warn({ err: error, head: head.headSha }, 'could not close a check run');
    }
  }
}

/** Completes (or, without an id, creates completed) the check run of a head with every annotation. */
async function publishCompleted(
  octokit: OctokitLike,
  head: RepoHead,
  checkRunId: number | undefined,
  output: CheckOutput,
): Promise<number> {
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
