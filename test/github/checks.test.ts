/**
 * Check runs against the fake GitHub: annotations in batches of 50 across updates, the conclusion
 * only once everything is sent, and GitHub's output limits enforced before any request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GitHubFailure,
  publishCheckRun,
  type CheckRunAnnotation,
  type PublishCheckRunOptions,
} from '../../src/github/index.js';
import type { FakeGitHub } from '../support/fake-github/index.js';
import { FORK_TOKEN, HEAD_SHA, OWNER, REPO, startSeededFake, testOctokit } from './helpers.js';

let fake: FakeGitHub;
beforeEach(async () => {
  fake = await startSeededFake();
});
afterEach(async () => {
  await fake.close();
});

const annotations = (n: number): CheckRunAnnotation[] =>
  Array.from({ length: n }, (_, i) => ({
    path: 'src/app.ts',
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: 'failure',
    message: `finding ${i}`,
  }));

const options = (extra: Partial<PublishCheckRunOptions> = {}): PublishCheckRunOptions => ({
  owner: OWNER,
  repo: REPO,
  headSha: HEAD_SHA,
  name: 'Readiness Gates',
  status: 'completed',
  conclusion: 'failure',
  title: 'Blocked: 120 blockers',
  summary: 'summary',
  text: 'details',
  ...extra,
});

describe('publishCheckRun', () => {
  it('sends 120 annotations in 3 requests, all stored, completing only with the last batch', async () => {
    const result = await publishCheckRun(
      testOctokit(fake),
      options({ annotations: annotations(120), detailsUrl: 'https://example.com/run/1', externalId: 'run-1' }),
    );
    expect(result).toMatchObject({ requests: 3, annotations: 120 });

    const bodies = fake.writes().map(
      (r) =>
        r.body as {
          status?: string;
          conclusion?: string;
          output: { title: string; summary: string; text: string; annotations: unknown[] };
        },
    );
    expect(fake.writes().map((r) => r.operationId)).toEqual(['checks/create', 'checks/update', 'checks/update']);
    expect(bodies.map((b) => b.output.annotations.length)).toEqual([50, 50, 20]);
    expect(bodies.map((b) => [b.status, b.conclusion])).toEqual([
      ['in_progress', undefined],
      [undefined, undefined],
      ['completed', 'failure'],
    ]);
    // Every update re-sends the output text so nothing is lost whichever way GitHub merges outputs.
    expect(
      bodies.every(
        (b) =>
          b.output.title === 'Blocked: 120 blockers' && b.output.summary === 'summary' && b.output.text === 'details',
      ),
    ).toBe(true);

    const [run] = fake.checkRuns(OWNER, REPO, HEAD_SHA);
    expect(run).toMatchObject({
      id: result.checkRunId,
      status: 'completed',
      conclusion: 'failure',
      detailsUrl: 'https://example.com/run/1',
      externalId: 'run-1',
    });
    expect(run!.annotations.map((a) => a.message)).toEqual(annotations(120).map((a) => a.message));
    fake.assertNoUnexpected();
  });

  it('creates a run with no annotations in one request', async () => {
    const result = await publishCheckRun(testOctokit(fake), options({ conclusion: 'success', annotations: [] }));
    expect(result.requests).toBe(1);
    expect((fake.writes()[0]?.body as { output: Record<string, unknown> }).output).not.toHaveProperty('annotations');
    expect(fake.checkRuns(OWNER, REPO)[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('updates an existing run (the in-progress one created at the start)', async () => {
    const octokit = testOctokit(fake);
    const started = await publishCheckRun(
      octokit,
      options({ status: 'in_progress', conclusion: undefined, title: 'Running', summary: '…' }),
    );
    const done = await publishCheckRun(
      octokit,
      options({ checkRunId: started.checkRunId, annotations: annotations(60) }),
    );
    expect(done.checkRunId).toBe(started.checkRunId);
    expect(fake.checkRuns(OWNER, REPO)).toHaveLength(1);
    expect(fake.checkRuns(OWNER, REPO)[0]).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'Blocked: 120 blockers' },
    });
    expect(fake.checkRuns(OWNER, REPO)[0]!.annotations).toHaveLength(60);
    fake.assertNoUnexpected();
  });

  it('drops columns from multi-line annotations and fixes backwards ranges instead of failing the run', async () => {
    await publishCheckRun(
      testOctokit(fake),
      options({
        annotations: [
          {
            path: 'a.ts',
            start_line: 5,
            end_line: 3,
            start_column: 2,
            end_column: 9,
            annotation_level: 'warning',
            message: 'm',
          },
        ],
      }),
    );
    expect(fake.checkRuns(OWNER, REPO)[0]!.annotations).toEqual([
      {
        path: 'a.ts',
        start_line: 5,
        end_line: 5,
        start_column: 2,
        end_column: 9,
        annotation_level: 'warning',
        message: 'm',
      },
    ]);
    fake.assertNoUnexpected();
  });

  it('rejects output over 65,535 characters and a completed run without conclusion before any request', async () => {
    const octokit = testOctokit(fake);
    await expect(publishCheckRun(octokit, options({ summary: 's'.repeat(65_536) }))).rejects.toThrow(RangeError);
    await expect(publishCheckRun(octokit, options({ text: 't'.repeat(65_536) }))).rejects.toThrow(/output.text/);
    await expect(publishCheckRun(octokit, options({ conclusion: undefined }))).rejects.toThrow(/conclusion/);
    expect(fake.requests).toEqual([]);
  });

  it('surfaces a fork token’s 403 as a read-only GitHubFailure', async () => {
    const error = await publishCheckRun(testOctokit(fake, FORK_TOKEN), options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubFailure);
    expect(error).toMatchObject({
      status: 403,
      kind: 'read-only-token',
      operation: 'POST /repos/{owner}/{repo}/check-runs',
      retries: 0,
    });
  });
});
