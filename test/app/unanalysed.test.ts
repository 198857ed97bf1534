/**
 * Files the app could not analyse (issue 13, item 2), end to end: signed deliveries against the fake
 * GitHub. A file past the download budget is not silently skipped: the check run fails as incomplete,
 * with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BASE, baseFiles, expectCleanFake, latestRun, pullRequestEvent, standardRepo, startHarness, type Harness } from './support.js';

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
    const repo = standardRepo({ pulls: [{ number: 9, user: 'alice', head: { sha: head, ref: 'budget' }, base: { sha: BASE, ref: 'main' } }] });
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
