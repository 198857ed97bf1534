/**
 * The in-process evaluation queue: per-PR coalescing (only the newest head runs after the running one),
 * per-PR ordering, the global concurrency limit, debounce and shutdown.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InProcessQueue, jobKey, mergeJobs, type EvaluationJob } from '../../src/app/queue.js';

const log = pino({ level: 'silent' });

function job(pullNumber: number, headSha: string, extra: Partial<EvaluationJob> = {}): EvaluationJob {
  return {
    installationId: 1,
    owner: 'Acme',
    repo: 'Shop',
    pullNumber,
    headSha,
    reasons: [headSha],
    commentIds: [],
    requestedAt: Date.now(),
    ...extra,
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('InProcessQueue', () => {
  it('runs one job per PR at a time and only the newest of those that arrived meanwhile', async () => {
    const started: string[] = [];
    const gate = deferred();
    const replaced: Array<[string, string]> = [];
    const queue = new InProcessQueue({
      process: async (j) => {
        started.push(j.headSha!);
        if (j.headSha === 'a') await gate.promise;
      },
      onReplaced: (older, newer) => void replaced.push([older.headSha!, newer.headSha!]),
      concurrency: 4,
      debounceMs: 0,
      log,
    });
    await queue.enqueue(job(7, 'a'));
    await new Promise((r) => setTimeout(r, 5));
    expect(await queue.enqueue(job(7, 'b'))).toBe('queued');
    expect(await queue.enqueue(job(7, 'c', { commentIds: [11] }))).toBe('coalesced');
    expect(queue.depth()).toBe(2);
    gate.resolve();
    await queue.idle();
    expect(started).toEqual(['a', 'c']);
    expect(replaced).toEqual([['b', 'c']]);
    expect(queue.depth()).toBe(0);
  });

  it('debounces a burst into one run of the newest head', async () => {
    const started: string[] = [];
    const queue = new InProcessQueue({
      process: async (j) => void started.push(j.headSha!),
      concurrency: 2,
      debounceMs: 40,
      log,
    });
    for (const sha of ['a', 'b', 'c']) {
      await queue.enqueue(job(7, sha));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(started).toEqual([]);
    await queue.idle();
    expect(started).toEqual(['c']);
  });

  it('keeps PRs apart and respects the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const queue = new InProcessQueue({
      process: async (j) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        done.push(j.pullNumber);
      },
      concurrency: 2,
      debounceMs: 0,
      log,
    });
    for (const n of [1, 2, 3, 4, 5]) await queue.enqueue(job(n, `h${n}`));
    await queue.idle();
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('on close runs what waits without debounce, then refuses new jobs', async () => {
    const started: string[] = [];
    const queue = new InProcessQueue({
      process: async (j) => void started.push(j.headSha!),
      concurrency: 1,
      debounceMs: 60_000,
      log,
    });
    await queue.enqueue(job(7, 'a'));
    expect(await queue.close(1000)).toBe(0);
    expect(started).toEqual(['a']);
    expect(await queue.enqueue(job(7, 'b'))).toBe('refused');
  });

  it('keys by repository (case-insensitively) and PR, and merges the comments to answer', () => {
    expect(jobKey(job(7, 'a'))).toBe('acme/shop#7');
    expect(
      jobKey(
        job(0, 'a', {
          mergeGroup: { headSha: 'a', headRef: 'gh-readonly-queue/main/pr-7-a', baseSha: 'b', baseRef: 'main' },
        }),
      ),
    ).toBe('acme/shop@gh-readonly-queue/main/pr-7-a');
    const merged = mergeJobs(
      job(7, 'a', { commentIds: [1, 2], requestedAt: 5 }),
      job(7, 'b', { commentIds: [2, 3], requestedAt: 9 }),
    );
    expect(merged).toMatchObject({
      headSha: 'b',
      commentIds: [1, 2, 3],
      requestedAt: 5,
      reasons: ['a', 'b'],
      supersededHeads: ['a'],
    });
  });

  it('remembers every head a fold replaced, but never the head it evaluates', () => {
    const folded = [job(7, 'a'), job(7, 'b'), job(7, 'a'), job(7, 'c')].reduce(mergeJobs);
    expect(folded.headSha).toBe('c');
    expect(folded.supersededHeads?.sort()).toEqual(['a', 'b']);
    // A recheck names no head: the older heads stay candidates; the evaluation skips the PR's current one.
    const recheck = mergeJobs(job(7, 'a'), { ...job(7, 'x'), headSha: undefined });
    expect(recheck.headSha).toBeUndefined();
    expect(recheck.supersededHeads).toEqual(['a']);
    expect(mergeJobs(job(7, 'a'), job(7, 'a')).supersededHeads).toBeUndefined();
  });
});
