/**
 * GitHub's limits and failures: a report far larger than a comment may be, transient errors that the
 * port retries, and permanent ones that are reported while the exit code still follows the verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  explain,
  FIXED_AUTH,
  LEAKY_AUTH,
  OWNER,
  pullRequestPayload,
  REPO,
  reportOf,
  runAction,
} from './harness.js';

afterAll(cleanup);

describe('an oversized report', () => {
  let world: ActionWorld;
  afterAll(async () => world.close());

  it('keeps the comment within 65,536 characters, annotates the check run in two requests of 50 and counts the rest, caps workflow annotations', async () => {
    world = await ActionWorld.create();
    const base = world.commit({ ...BASE_FILES, '.github/readiness.yml': 'fail-on: warning\n' }, 'base');
    world.repo.git('checkout', '-q', '-b', 'feature');
    // 420 stale suppressions: each one is a `core/unused-suppression` warning, which blocks under fail-on: warning.
    const stale = Array.from(
      { length: 420 },
      (_, i) =>
        `// readiness-ignore core/suppression-missing-reason: left over from refactor ${i}\nexport const value${i} = ${i};\n`,
    ).join('');
    const head = world.commit({ 'src/constants.ts': stale }, 'many constants');
    world.pull({ number: 5, base, head });

    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 5, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'blocked', warnings: '420' });

    const [comment] = world.fake.comments(OWNER, REPO, 5);
    expect(comment!.body.length).toBeLessThanOrEqual(65_536);
    expect(comment!.body).toMatch(/… and \d+ more new warnings not shown/);

    // 420 findings: the check run carries 100 annotations in two writes (not 420 in nine), and says so.
    const [check] = world.fake.checkRuns(OWNER, REPO, head);
    expect(check!.annotations).toHaveLength(100);
    expect(check!.output.text).toContain('**320 more findings are not annotated.**');
    expect(check!.output.text).toContain('JSON report and the SARIF file');
    expect(reportOf(run).findings).toHaveLength(420);
    const sent = [...world.fake.requestsFor('checks/create'), ...world.fake.requestsFor('checks/update')];
    expect(sent).toHaveLength(2);
    for (const r of sent)
      expect(
        ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length,
      ).toBeLessThanOrEqual(50);
    expect(check!.conclusion).toBe('failure');

    // The check run carries every annotation, so the workflow commands do not repeat them.
    expect(run.commands.filter((c) => c.startsWith('::warning'))).toEqual([]);
    expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(1024 * 1024);

    // As workflow annotations they stay within the per-step caps, most severe first, saying how many not.
    const asWorkflow = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 5, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { annotations: 'workflow' },
    });
    const warnings = asWorkflow.commands.filter((c) => c.startsWith('::warning'));
    expect(warnings).toHaveLength(10);
    expect(asWorkflow.stdout).toContain('410 more new findings not annotated here');
    world.fake.assertNoUnexpected();
  });
});

describe('GitHub failing', () => {
  let world: ActionWorld;
  let base: string;
  let leaky: string;
  let fixed: string;

  beforeAll(async () => {
    world = await ActionWorld.create();
    base = world.commit(BASE_FILES, 'base');
    world.repo.git('checkout', '-q', '-b', 'feature');
    leaky = world.commit({ 'src/auth.ts': LEAKY_AUTH });
    fixed = world.commit({ 'src/auth.ts': FIXED_AUTH });
  });
  afterAll(async () => world.close());

  it('transient: a 502 and a secondary rate limit with retry-after are retried, and everything is published', async () => {
    world.pull({ number: 21, base, head: leaky });
    world.fake.injectFault({ operationId: 'checks/create', status: 502, times: 1 });
    world.fake.injectFault({ operationId: 'issues/create-comment', status: 403, retryAfter: 1, times: 1 });
    world.fake.clearRequests();
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 21, base, head: leaky }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(1);
    expect(world.fake.pendingFaults()).toEqual([]);
    expect(world.fake.requestsFor('checks/create').map((r) => r.status)).toEqual([502, 201]);
    expect(world.fake.requestsFor('issues/create-comment').map((r) => r.status)).toEqual([403, 201]);
    expect(run.stdout).toMatch(/GitHub: GitHub secondary rate limit on POST .*: retrying in 1 s/);
    expect(world.fake.comments(OWNER, REPO, 21)).toHaveLength(1);
    expect(world.fake.checkRuns(OWNER, REPO, leaky)).toMatchObject([{ conclusion: 'failure' }]);
    expect(run.summary).not.toContain('Problems publishing');
    expect(run.commands.filter((c) => c.startsWith('::warning'))).toEqual([]);
    world.fake.assertNoUnexpected();
  });

  it('permanent: the check run cannot be created; the log and the summary say so, and a ready PR still exits 0', async () => {
    world.pull({ number: 22, base, head: fixed });
    world.fake.injectFault({ operationId: 'checks/create', status: 500, times: 20 });
    world.fake.clearRequests();
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 22, base, head: fixed }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    world.fake.clearFaults();
    expect(run.code, explain(run)).toBe(0);
    expect(run.outputs['verdict']).toBe('ready');
    // One request and three retries (the port's bound), then a final answer.
    expect(world.fake.requestsFor('checks/create').map((r) => r.status)).toEqual([500, 500, 500, 500]);
    expect(run.stdout).toContain(
      'GitHub answered 500 while creating the check run (POST /repos/{owner}/{repo}/check-runs): Server Error',
    );
    expect(run.stdout).toContain('The request was retried 3 time(s) before giving up.');
    expect(run.summary).toContain('Problems publishing the result');
    expect(run.summary).toContain('GitHub answered 500 while creating the check run');
    expect(run.summary).toMatch(/Check run: failed/);
    expect(run.commands.filter((c) => c.startsWith('::warning'))).toHaveLength(1);
    // The comment did not depend on the check run.
    expect(world.fake.comments(OWNER, REPO, 22)).toHaveLength(1);
  });

  it('permanent on a blocked PR: the exit code is still 1, from the verdict', async () => {
    world.pull({ number: 23, base, head: leaky });
    world.fake.injectFault({ operationId: 'issues/list-comments', status: 503, times: 20 });
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 23, base, head: leaky }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    world.fake.clearFaults();
    expect(run.code, explain(run)).toBe(1);
    expect(run.outputs['verdict']).toBe('blocked');
    expect(run.summary).toContain('Waivers were not read, so none applies');
    expect(run.summary).toMatch(/PR comment: failed: GitHub answered 503/);
    expect(world.fake.checkRuns(OWNER, REPO, leaky).at(-1)).toMatchObject({ conclusion: 'failure' });
  });
});
