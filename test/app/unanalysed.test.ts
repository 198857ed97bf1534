/**
 * Files the app could not analyse (issue 13, item 2) and work that never ends (item 5), end to end:
 * signed deliveries against the fake GitHub. A file past the download budget is not silently skipped: the
 * check run fails as incomplete, with the reason. A hostile pull request is judged in a worker thread that
 * the evaluation timeout really stops, while `/livez` and webhook acknowledgements stay fast.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BASE,
  baseFiles,
  expectCleanFake,
  latestRun,
  pullRequestEvent,
  runsOn,
  standardRepo,
  startHarness,
  type Harness,
} from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a file past the download budget', () => {
  it('makes the check fail as incomplete instead of passing without it', async () => {
    const head = 'b0d9'.repeat(10);
    // A 6 KiB source file does not fit in a 4 KiB download budget: nothing in it is checked (it could hold
    // anything — the budget is the attacker's to spend), so it cannot pass as if it had been.
    const files = baseFiles({ 'src/payments.ts': `export const table = ${JSON.stringify('x'.repeat(6 * 1024))};\n` });
    const repo = standardRepo({
      pulls: [{ number: 9, user: 'alice', head: { sha: head, ref: 'budget' }, base: { sha: BASE, ref: 'main' } }],
    });
    repo.commits![head] = files;
    repo.parents![head] = [BASE];
    h = await startHarness({ repo, app: { byteBudget: 4 * 1024 } });

    const delivery = await h.deliver('pull_request', pullRequestEvent('opened', { number: 9, head }));
    expect(delivery.status).toBe(200);
    await h.app.idle();

    const run = latestRun(h, head)!;
    expect(run.conclusion).toBe('failure');
    const unanalysed = run.annotations.filter((a) => a.title === 'core/unanalysed-file');
    expect(unanalysed.map((a) => a.path)).toEqual(['src/payments.ts']);
    expect(unanalysed[0]!.message).toContain('not analysed');
    expect(run.output.summary).toContain('core/unanalysed-file');
    expectCleanFake(h);
  }, 60_000);
});

describe('a pull request that keeps the engine busy', () => {
  it('is stopped at the evaluation timeout while /livez and webhook acknowledgements stay fast', async () => {
    const head = 'b05e'.repeat(10);
    // A 1,500-operand `+` chain (half a minute of synchronous work for the old engine, which ran in the
    // server's own thread and went on after its timeout) and 300 more sources: more than the 1 s allowed.
    const chain = `${'a + '.repeat(1500)}password`;
    const files = baseFiles({
      'src/log.ts': `import { logger } from './logger.js';\nexport function f(a, password) {\n  logger.info(${chain});\n}\n`,
    });
    for (let i = 0; i < 300; i++)
      files[`src/gen/m${i}.ts`] =
        `import { logger } from '../logger.js';\nexport function f${i}(user) {\n  logger.info({ id: user.id, n: ${i} });\n}\n`;
    const repo = standardRepo({
      pulls: [{ number: 10, user: 'alice', head: { sha: head, ref: 'busy' }, base: { sha: BASE, ref: 'main' } }],
    });
    repo.commits![head] = files;
    repo.parents![head] = [BASE];
    h = await startHarness({ repo, app: { evaluationTimeoutMs: 1000 } });

    const started = performance.now();
    const delivery = await h.deliver('pull_request', pullRequestEvent('opened', { number: 10, head }));
    expect(delivery.status).toBe(200);
    expect(delivery.ms).toBeLessThan(3000);

    // Poll /livez while the evaluation runs; every answer must come quickly. The app runs in this process,
    // so work blocking its thread blocks this loop too: the gaps between polls are measured, not only
    // the answers.
    const livez: number[] = [];
    const polls: number[] = [];
    let done = false;
    const idle = h.app.idle().then(() => {
      done = true;
    });
    // Polled on after the run is concluded too: a timeout that only stops waiting would leave the work
    // running, and the server would stop answering when it reached the chain.
    let stopAt = Number.POSITIVE_INFINITY;
    while (performance.now() < stopAt && performance.now() - started < 60_000) {
      if (done && stopAt === Number.POSITIVE_INFINITY) stopAt = performance.now() + 12_000;
      const t = performance.now();
      polls.push(t);
      const res = await fetch(`${h.app.url}/livez`);
      expect(res.status).toBe(200);
      livez.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    await idle;
    expect(livez.length).toBeGreaterThan(5);
    expect(Math.max(...livez)).toBeLessThan(1000);
    expect(Math.max(...polls.slice(1).map((t, i) => t - polls[i]!))).toBeLessThan(1000);

    // Stopped at the timeout and concluded as a failure that says so, never green.
    const run = runsOn(h, head).at(-1)!;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run.output.title).toContain('timed out');
    expect(performance.now() - started).toBeLessThan(45_000);
  }, 90_000);
});
