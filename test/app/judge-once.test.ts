/**
 * The App's evaluation with waivers (src/app/evaluate.ts): the head is analysed once and judged again with
 * the waivers the PR's comments grant. Counted with the registered gates wrapped so each analysis shows
 * (every analysis asks each enabled gate whether it applies); in-process, since wrapped gates cannot cross
 * to the worker thread.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRunTracker } from '../../src/app/check-runs.js';
import { runEvaluation, type EvaluationDeps } from '../../src/app/evaluate.js';
import { createMetrics } from '../../src/app/metrics.js';
import type { EvaluationJob } from '../../src/app/queue.js';
import type { Gate } from '../../src/core/types.js';
import { GATES } from '../../src/gates/index.js';
import { createOctokit } from '../../src/github/index.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';
import { BAD, findingIds, OWNER, REPO, standardRepo } from './support.js';

describe('the App’s waivers: analyse once, judge again', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    fake.addToken('ghs_app', { login: 'readiness-gates[bot]', app: true });
    fake.seedRepo(standardRepo());
  });
  afterAll(async () => fake.close());

  it('a maintainer’s waiver turns the check green with one analysis of the head', async () => {
    const octokit = createOctokit({
      token: 'ghs_app',
      baseUrl: fake.url,
      retryBaseMs: 5,
      throttle: { writeIntervalMs: 0 },
    });
    let analyses = 0;
    const gates: Gate[] = GATES.map((g) =>
      g.id === 'pii'
        ? {
            ...g,
            applies: (ctx) => {
              if (ctx.snapshot.sha === BAD) analyses++;
              return g.applies(ctx);
            },
          }
        : g,
    );
    const log = pino({ level: 'silent' });
    const deps: EvaluationDeps = {
      auth: async () => octokit,
      checks: new CheckRunTracker(log),
      appLogin: async () => 'readiness-gates[bot]',
      metrics: createMetrics(() => 0),
      log,
      byteBudget: 50 * 1024 * 1024,
      timeoutMs: 60_000,
      now: () => new Date(),
      gates,
    };
    const job = (commentIds: number[]): EvaluationJob => ({
      installationId: 77,
      owner: OWNER,
      repo: REPO,
      pullNumber: 7,
      headSha: BAD,
      reasons: ['test'],
      commentIds,
      requestedAt: Date.now(),
    });

    expect(await runEvaluation(job([]), deps)).toBe('blocked');
    expect(analyses).toBe(1);
    const [id] = findingIds(fake.checkRuns(OWNER, REPO, BAD).at(-1) as never);
    expect(id).toMatch(/^[0-9a-f]{12}$/);

    const c = fake.addComment(OWNER, REPO, 7, `/readiness waive ${id} the sink drops this field`, 'maria');
    expect(await runEvaluation(job([c.id]), deps)).toBe('ready');
    // One more analysis for the second evaluation: the waiver was judged, not analysed again.
    expect(analyses).toBe(2);
    expect(fake.checkRuns(OWNER, REPO, BAD).at(-1)).toMatchObject({ conclusion: 'success' });
    expect(
      fake
        .comments(OWNER, REPO, 7)
        .find((x) => x.id === c.id)!
        .reactions.map((r) => r.content),
    ).toEqual(['+1']);
  });
});
