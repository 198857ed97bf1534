/**
 * The evaluation queue. Webhook handlers only enqueue; evaluations run in the background. One key per
 * pull request: while an evaluation of a PR runs, a newer request for it waits, and a still newer one
 * replaces the waiting one, so a burst of pushes costs at most one evaluation in flight plus one of the
 * newest head, never one per push. A per-key order also serialises everything an evaluation writes
 * (check run, sticky comment) for that PR.
 *
 * {@link EvaluationQueue} is also implemented by the Redis-backed queue (redis-queue.ts) that lets
 * replicas share work: jobs are plain JSON and carry everything an evaluation needs.
 */
import type { Logger } from 'pino';

/** A merge group's refs (merge queue), evaluated without a pull request number of its own. */
export interface MergeGroupRef {
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
}

/**
 * One evaluation to run: a function of (repository, pull request, head sha). Plain JSON, so a Redis
 * queue can store it as is.
 */
export interface EvaluationJob {
  installationId: number;
  owner: string;
  repo: string;
  /** The pull request (for a merge group: the PR its ref names, when it names one; else 0). */
  pullNumber: number;
  /** Head the triggering event named; undefined evaluates whatever the PR's head is when the job runs. */
  headSha?: string;
  /** Set for `merge_group.checks_requested`: the group's commits replace the PR's. */
  mergeGroup?: MergeGroupRef;
  /** Why it runs ("pull_request.synchronize", "/readiness recheck by @maria"), for logs. */
  reasons: string[];
  /** Comments whose waive/unwaive commands this evaluation answers with 👍 or 👎 afterwards. */
  commentIds: number[];
  /** When the first request of this job arrived (ms since epoch). */
  requestedAt: number;
  /**
   * Heads of requests folded into this one that named another head. An evaluation closes any run still
   * open on them as superseded (a worker that died after opening one leaves it behind otherwise).
   */
  supersededHeads?: string[];
}

/** The coalescing key: one per pull request, or one per merge group ref. */
export function jobKey(job: Pick<EvaluationJob, 'owner' | 'repo' | 'pullNumber' | 'mergeGroup'>): string {
  const repo = `${job.owner}/${job.repo}`.toLowerCase();
  return job.mergeGroup ? `${repo}@${job.mergeGroup.headRef}` : `${repo}#${job.pullNumber}`;
}

/**
 * Folds a newer request into a waiting one: the newer head wins (undefined = "the current head"), and the
 * reasons and comments to answer accumulate, so no command goes unanswered because it was coalesced.
 */
export function mergeJobs(older: EvaluationJob, newer: EvaluationJob): EvaluationJob {
  const superseded = new Set([...(older.supersededHeads ?? []), ...(newer.supersededHeads ?? [])]);
  if (older.headSha !== undefined && older.headSha !== newer.headSha) superseded.add(older.headSha);
  if (newer.headSha !== undefined) superseded.delete(newer.headSha);
  const { supersededHeads: _drop, ...rest } = newer;
  return {
    ...rest,
    reasons: [...older.reasons, ...newer.reasons],
    commentIds: [...new Set([...older.commentIds, ...newer.commentIds])],
    requestedAt: Math.min(older.requestedAt, newer.requestedAt),
    ...(superseded.size > 0 ? { supersededHeads: [...superseded] } : {}),
  };
}

/** What `enqueue` did with a job. */
export type EnqueueResult = 'queued' | 'coalesced' | 'refused';

/** The queue seam: an in-process implementation today, a Redis-backed one for replicas. */
export interface EvaluationQueue {
  /** Adds a job, or folds it into the waiting job of the same key. */
  enqueue(job: EvaluationJob): Promise<EnqueueResult>;
  /** Jobs waiting or running (across all replicas for the Redis queue). */
  depth(): number | Promise<number>;
  /** Resolves when nothing waits or runs (tests and graceful shutdown). */
  idle(): Promise<void>;
  /** Refuses new jobs, runs the waiting ones at once, waits up to `graceMs`; returns how many did not finish. */
  close(graceMs: number): Promise<number>;
}

/** Options of {@link InProcessQueue}. */
export interface InProcessQueueOptions {
  /** Runs one job; must not throw (errors are the job's to report), but a throw is logged. */
  process: (job: EvaluationJob) => Promise<void>;
  /**
   * Called when a waiting job is replaced by a newer one for a different head, so the older head's
   * in-progress check run can be closed as superseded.
   */
  onReplaced?: (older: EvaluationJob, newer: EvaluationJob) => Promise<void> | void;
  concurrency: number;
  debounceMs: number;
  log: Logger;
}

interface Slot {
  waiting?: EvaluationJob;
  /** When the waiting job may start (debounce). */
  readyAt: number;
  timer?: NodeJS.Timeout;
  running: boolean;
  /** Whether the slot is in the ready list. */
  listed: boolean;
}

/**
 * Single-process queue: per-key coalescing and ordering, a debounce window, and a global concurrency
 * limit. Jobs live in memory, so a crash loses waiting work; the Redis queue exists for that.
 */
export class InProcessQueue implements EvaluationQueue {
  private readonly slots = new Map<string, Slot>();
  /** Keys whose waiting job may start, oldest first. */
  private readonly ready: string[] = [];
  private runningCount = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: InProcessQueueOptions) {}

  async enqueue(job: EvaluationJob): Promise<EnqueueResult> {
    if (this.closed) {
      this.options.log.info(
        { key: jobKey(job), reasons: job.reasons },
        'not queued: the app is shutting down; GitHub will show the check as pending until the next event',
      );
      return 'refused';
    }
    const key = jobKey(job);
    const slot = this.slots.get(key) ?? { readyAt: 0, running: false, listed: false };
    this.slots.set(key, slot);
    let result: EnqueueResult = 'queued';
    if (slot.waiting) {
      const older = slot.waiting;
      slot.waiting = mergeJobs(older, job);
      result = 'coalesced';
      if (older.headSha !== undefined && job.headSha !== undefined && older.headSha !== job.headSha) {
        this.options.log.info(
          { key, older: older.headSha, newer: job.headSha },
          'a newer head replaced a waiting evaluation',
        );
        try {
          await this.options.onReplaced?.(older, job);
        } catch (error) {
          this.options.log.warn({ err: error, key }, 'could not close the superseded check run');
        }
      }
    } else {
      slot.waiting = job;
    }
    // Each request restarts the quiet period, so a burst settles before its newest head is evaluated.
    slot.readyAt = Date.now() + this.options.debounceMs;
    this.arm(key, slot);
    return result;
  }

  depth(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += (slot.waiting ? 1 : 0) + (slot.running ? 1 : 0);
    return n;
  }

  idle(): Promise<void> {
    if (this.depth() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(graceMs: number): Promise<number> {
    this.closed = true;
    // Waiting jobs start now instead of after their quiet period: shutting down is no time to debounce.
    for (const [key, slot] of this.slots) {
      if (!slot.waiting) continue;
      slot.readyAt = 0;
      this.arm(key, slot);
    }
    if (this.depth() === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    const unfinished = this.depth();
    if (unfinished > 0)
      this.options.log.warn(
        { unfinished },
        'shutdown grace period over: evaluations still waiting or running are abandoned (their PRs keep a pending check until the next event)',
      );
    return unfinished;
  }

  /** Puts the slot on the ready list once its debounce has passed (a running key waits for its turn). */
  private arm(key: string, slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    const delay = slot.readyAt - Date.now();
    if (delay > 0) {
      // A replaced job starts its quiet period again, even if the one it replaced was ready to go.
      if (slot.listed) {
        this.ready.splice(this.ready.indexOf(key), 1);
        slot.listed = false;
      }
      slot.timer = setTimeout(() => {
        delete slot.timer;
        this.arm(key, slot);
      }, delay);
      return;
    }
    if (!slot.listed) {
      slot.listed = true;
      this.ready.push(key);
    }
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.ready.length && this.runningCount < this.options.concurrency;) {
      const key = this.ready[i]!;
      const slot = this.slots.get(key);
      if (!slot?.waiting) {
        this.ready.splice(i, 1);
        if (slot) slot.listed = false;
        continue;
      }
      if (slot.running) {
        i++; // its turn comes when the running job of the same PR finishes
        continue;
      }
      this.ready.splice(i, 1);
      slot.listed = false;
      const job = slot.waiting;
      delete slot.waiting;
      slot.running = true;
      this.runningCount++;
      void this.run(key, slot, job);
    }
  }

  private async run(key: string, slot: Slot, job: EvaluationJob): Promise<void> {
    try {
      await this.options.process(job);
    } catch (error) {
      this.options.log.error({ err: error, key }, 'evaluation crashed outside its own error handling');
    } finally {
      slot.running = false;
      this.runningCount--;
      if (slot.waiting) this.arm(key, slot);
      else if (!slot.timer) this.slots.delete(key);
      this.pump();
      if (this.depth() === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}
