/**
 * The load and fault test at CI size (bench/load/harness.ts; `npm run bench:load` is the full size):
 * two web and two worker processes of the app, run from source, sharing a real redis-server, against the
 * fake GitHub in its own process answering 5 % of requests with 5xx and 1 % with secondary rate limits.
 * 100 signed deliveries for 20 PRs over 10 s (opens, pushes, redeliveries, `/readiness recheck`), one
 * worker killed with SIGKILL midway and restarted. Nothing may be lost or doubled.
 *
 * Behaviour only: how fast deliveries are acknowledged depends on the machine, so the latency target
 * (p99 under 1 s) is measured and enforced by `npm run bench:load`, not here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/harness.js';

const workDir = mkdtempSync(join(tmpdir(), 'readiness-load-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the Redis-backed app under load, with GitHub faults and a worker killed', () => {
  it('acknowledges every delivery, loses no job, doubles no comment, and ends every PR on its newest head', async () => {
    const result = await runLoad({
      prs: 20,
      deliveries: 100,
      durationMs: 10_000,
      webs: 2,
      workers: 2,
      killWorker: true,
      restartAfterMs: 2000,
      faults: true,
      seed: 7,
      appCommand: [process.execPath, '--import', 'tsx', 'src/app/index.ts'],
      workDir,
      settleTimeoutMs: 60_000,
    });
    // The problems name each PR that failed, which says more than a count when this breaks.
    expect(result.problems).toEqual([]);
    expect(result.settled).toBe(true);
    expect(result.acknowledged).toBe(result.deliveries);
    expect(result.deliveries).toBe(100);
    expect(result.lostJobs).toBe(0);
    expect(result.duplicateComments).toBe(0);
    expect(result.prsFinalOnNewestHead).toBe(result.prs);
    // No check run left in progress anywhere, not even on heads that were replaced.
    expect(result.openRuns).toEqual([]);
    expect(result.unexpectedRequests).toBe(0);
    expect(result.processes.filter((p) => p.crashed)).toEqual([]);
    // The faults were really there, and the killed worker really was killed.
    expect(Object.values(result.faultsInjected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(result.processes.filter((p) => p.killed)).toHaveLength(1);
  }, 150_000);
});
