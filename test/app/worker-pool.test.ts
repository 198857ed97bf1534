/**
 * The engine workers are reused (src/app/isolated-check.ts): starting one loads the WASM parsers again,
 * so a worker serves one check after another. A check that runs past its time terminates its own worker
 * only; the pool starts a new one when it is next needed, and checks on other workers go on.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeSet, Snapshot } from '../../src/core/types.js';
import { CheckPool, EngineTimeout, runCheckIsolated, startEngineWorker } from '../../src/app/isolated-check.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { DiskCache } from '../../src/source/disk-cache.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const changeSet = (): ChangeSet =>
  memoryChangeSet({
    base: { 'src/a.ts': 'export const a = 1;\n' },
    head: { 'src/a.ts': 'export const a = 2;\n', 'src/b.ts': 'export const b = 1;\n' },
  });

/** A change set whose head never answers a read: its check can only end by the time limit. */
function hanging(): ChangeSet {
  const cs = changeSet();
  const never = () => new Promise<never>(() => undefined);
  const head: Snapshot = { sha: cs.head.sha, list: never, grep: never, has: never, read: never, releases: never };
  const base: Snapshot = { sha: cs.base.sha, list: never, grep: never, has: never, read: never, releases: never };
  return { ...cs, base, head };
}

let pool: CheckPool | undefined;
const started: Worker[] = [];
function makePool(size: number): CheckPool {
  pool = new CheckPool(size, () => {
    const worker = startEngineWorker();
    started.push(worker);
    return worker;
  });
  return pool;
}
const exited = (worker: Worker) => new Promise<number>((resolve) => worker.once('exit', resolve));

afterEach(async () => {
  await pool?.close();
  pool = undefined;
  started.length = 0;
});

const check = (p: CheckPool, cs: ChangeSet = changeSet(), timeoutMs = 60_000) =>
  runCheckIsolated({ changeSet: cs, now: new Date('2026-01-01T00:00:00Z'), timeoutMs, pool: p });

describe('engine worker pool', () => {
  it('keeps its facts on disk with READINESS_FACTS_CACHE_DIR: a new worker serves the same check from them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-worker-cache-'));
    const before = process.env['READINESS_FACTS_CACHE_DIR'];
    process.env['READINESS_FACTS_CACHE_DIR'] = dir; // workers copy the environment when they start
    try {
      const logged = () =>
        memoryChangeSet({
          base: { 'src/a.ts': 'export const a = 1;\n' },
          head: { 'src/a.ts': 'export function f(req) {\n  console.log(req.body.password);\n}\n' },
        });
      const first = await check(makePool(1), logged());
      expect(first.findings.map((f) => f.ruleId)).toContain('pii/sensitive-field-logged');
      const file = join(dir, 'analysis-cache.bin');
      const kinds = new DiskCache(dir).keys().map((k) => k.slice(0, k.indexOf(':')));
      expect(kinds).toContain('pii/sink-hits');
      const written = statSync(file).mtimeMs;
      await pool!.close();
      pool = undefined;
      // A fresh worker (as after a restart) finds every fact in the file: it has nothing new to save.
      const second = await check(makePool(1), logged());
      const untimed = (r: typeof first) => ({ ...r, stats: { ...r.stats, durationMs: 0 } });
      expect(untimed(second)).toEqual(untimed(first));
      expect(statSync(file).mtimeMs).toBe(written);
    } finally {
      if (before === undefined) delete process.env['READINESS_FACTS_CACHE_DIR'];
      else process.env['READINESS_FACTS_CACHE_DIR'] = before;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs two checks in a row on the same worker thread', async () => {
    const p = makePool(2);
    const first = await check(p);
    const second = await check(p);
    // The same report (only the timing differs: the second check finds the parsers loaded).
    const untimed = (r: typeof first) => ({ ...r, stats: { ...r.stats, durationMs: 0 } });
    expect(untimed(second)).toEqual(untimed(first));
    expect(started).toHaveLength(1);
    expect(p.started).toBe(1);
  }, 120_000);

  it('replaces a timed-out worker only, and the next check succeeds', async () => {
    const p = makePool(2);
    await check(p); // warm: one idle worker
    const [reused] = started;
    const gone = exited(reused!);
    // The hanging check takes the idle worker; the other one starts a second worker and is unaffected.
    const [timedOut, other] = await Promise.allSettled([check(p, hanging(), 1500), check(p)]);
    expect(timedOut.status).toBe('rejected');
    expect((timedOut as PromiseRejectedResult).reason).toBeInstanceOf(EngineTimeout);
    expect(other.status).toBe('fulfilled');
    await gone; // the timed-out worker was terminated
    expect(started).toHaveLength(2);
    // Two checks at once again: one reuses the surviving worker, one gets a replacement for the terminated one.
    const again = await Promise.all([check(p), check(p)]);
    expect(again).toHaveLength(2);
    expect(started).toHaveLength(3);
    expect(started[1]!.threadId).not.toBe(reused!.threadId);
  }, 120_000);

  it('never runs more workers than its size: checks wait for one', async () => {
    const p = makePool(1);
    const reports = await Promise.all([check(p), check(p), check(p)]);
    expect(reports).toHaveLength(3);
    expect(started).toHaveLength(1);
  }, 120_000);

  it('terminates its idle workers on close', async () => {
    const p = makePool(2);
    await check(p);
    const gone = exited(started[0]!);
    await p.close();
    await gone;
    await expect(check(p)).rejects.toThrow(/closed/);
  }, 120_000);
});
