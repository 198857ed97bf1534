/**
 * The app end to end on pull request events: signed deliveries in, check runs and the sticky comment
 * out, against the fake GitHub. Each test starts its own fake and app.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BAD,
  BASE,
  baseFiles,
  checkRunRerequestedEvent,
  checkSuiteRerequestedEvent,
  installationEvent,
  expectCleanFake,
  FIXED,
  latestRun,
  mergeGroupEvent,
  OWNER,
  pullRequestEvent,
  push,
  REPO,
  runsOn,
  scorecards,
  standardRepo,
  startHarness,
  AUTH_BAD,
  type Harness,
} from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a pull request that logs a password', () => {
  it('is acknowledged at once with an in-progress check, then gets a failing check and one scorecard comment', async () => {
    h = await startHarness();
    const delivery = await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    expect(delivery.status).toBe(200);
    // The answer came after the in-progress run existed, long before GitHub's 10 s limit.
    expect(delivery.ms).toBeLessThan(3000);
    const created = h.fake.requestsFor('checks/create');
    expect(created[0]?.body).toMatchObject({ name: 'Readiness Gates', head_sha: BAD, status: 'in_progress' });

    await h.app.idle();
    const run = latestRun(h, BAD)!;
    expect(runsOn(h, BAD)).toHaveLength(1);
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run.output.title).toBe('Blocked: 1 new blocker · score 49');
    expect(run.output.summary).toContain('pii/sensitive-field-logged');
    expect(run.annotations).toEqual([
      expect.objectContaining({
        path: 'src/auth.ts',
        start_line: 5,
        annotation_level: 'failure',
        title: 'pii/sensitive-field-logged',
      }),
    ]);
    const cards = scorecards(h);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.body).toContain('🚫 **Blocked**');
    expect(cards[0]!.body).toContain('pii/sensitive-field-logged');
    expectCleanFake(h);
  });

  it('turns green on the fix push, updating the same comment', async () => {
    h = await startHarness();
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    const [first] = scorecards(h);

    push(h, FIXED);
    const delivery = await h.deliver('pull_request', pullRequestEvent('synchronize', { head: FIXED }));
    expect(delivery.status).toBe(200);
    await h.app.idle();

    expect(latestRun(h, FIXED)).toMatchObject({
      conclusion: 'success',
      output: expect.objectContaining({ title: 'Ready: no new blockers · score 100' }),
    });
    expect(latestRun(h, FIXED)!.annotations).toEqual([]);
    const cards = scorecards(h);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.id).toBe(first!.id);
    expect(cards[0]!.body).toContain('✅ **Ready**');
    expect(h.fake.requestsFor('issues/update-comment')).toHaveLength(1);
    expectCleanFake(h);
  });

  it('publishes only the newest head when two pushes arrive 50 ms apart, with one comment', async () => {
    h = await startHarness();
    // The first evaluation is slowed down, so the second push lands while it runs.
    h.fake.injectFault({ operationId: 'pulls/list-files', delayMs: 400, times: 1 });
    const first = h.deliver('pull_request', pullRequestEvent('synchronize', { head: BAD }));
    await new Promise((r) => setTimeout(r, 50));
    push(h, FIXED);
    const second = h.deliver('pull_request', pullRequestEvent('synchronize', { head: FIXED }));
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    await h.app.idle();

    // The stale head's run is closed without a verdict; the newest head carries the result.
    expect(runsOn(h, BAD)).toHaveLength(1);
    expect(latestRun(h, BAD)).toMatchObject({
      conclusion: 'cancelled',
      output: expect.objectContaining({ title: 'Superseded by a newer commit' }),
    });
    expect(latestRun(h, BAD)!.annotations).toEqual([]);
    expect(latestRun(h, FIXED)).toMatchObject({ conclusion: 'success' });
    const cards = scorecards(h);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.body).toContain('✅ **Ready**');
    // The blocked result was never written anywhere, not even briefly.
    const written = h.fake.writes().map((r) => JSON.stringify(r.body ?? ''));
    expect(written.filter((b) => b.includes('Blocked'))).toEqual([]);
    expectCleanFake(h);
  });

  it('discards a result whose head moved while it was being evaluated and evaluates the new head even before its push event arrives', async () => {
    h = await startHarness();
    h.fake.injectFault({ operationId: 'pulls/list-files', delayMs: 300, times: 1 });
    await h.deliver('pull_request', pullRequestEvent('synchronize', { head: BAD }));
    // The evaluation of BAD is reading the PR's files: now the branch moves.
    const deadline = Date.now() + 10_000;
    while (h.fake.requestsFor('pulls/list-files').length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    push(h, FIXED);
    await h.app.idle();
    expect(latestRun(h, BAD)).toMatchObject({
      conclusion: 'cancelled',
      output: expect.objectContaining({ title: 'Superseded by a newer commit' }),
    });
    expect(h.logs.some((l) => l.includes('result discarded'))).toBe(true);
    // The blocked result was never published; the new head was queued by the discarding evaluation itself.
    expect(latestRun(h, FIXED)).toMatchObject({ conclusion: 'success' });
    expect(scorecards(h)).toHaveLength(1);
    expect(scorecards(h)[0]!.body).toContain('✅ **Ready**');

    await h.deliver('pull_request', pullRequestEvent('synchronize', { head: FIXED }));
    await h.app.idle();
    expect(latestRun(h, FIXED)).toMatchObject({ conclusion: 'success' });
    expect(scorecards(h)).toHaveLength(1);
    expectCleanFake(h);
  });

  it('keeps exactly one scorecard comment when several events for one PR arrive at once', async () => {
    h = await startHarness();
    const deliveries = await Promise.all([
      h.deliver('pull_request', pullRequestEvent('opened', { head: BAD })),
      h.deliver('pull_request', pullRequestEvent('ready_for_review', { head: BAD })),
      h.deliver('check_run', checkRunRerequestedEvent(BAD)),
      h.deliver('pull_request', pullRequestEvent('reopened', { head: BAD })),
    ]);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    await h.app.idle();
    expect(scorecards(h)).toHaveLength(1);
    expect(h.fake.requestsFor('issues/create-comment')).toHaveLength(1);
    expect(latestRun(h, BAD)).toMatchObject({ conclusion: 'failure' });
    // No run is left pending.
    expect(runsOn(h, BAD).filter((r) => r.status !== 'completed')).toEqual([]);
    expectCleanFake(h);
  });

  it('re-evaluates when the base branch changes, and ignores title edits', async () => {
    h = await startHarness();
    const titleOnly = await h.deliver('pull_request', pullRequestEvent('edited', { head: BAD }));
    expect(titleOnly.status).toBe(200);
    await h.app.idle();
    expect(h.fake.writes()).toEqual([]);
    expect(h.logs.some((l) => l.includes('only the title or body changed'))).toBe(true);

    await h.deliver(
      'pull_request',
      pullRequestEvent('edited', { head: BAD, changes: { base: { ref: { from: 'develop' }, sha: { from: BASE } } } }),
    );
    await h.app.idle();
    expect(latestRun(h, BAD)).toMatchObject({ conclusion: 'failure' });
    expectCleanFake(h);
  });

  it('re-runs on check run and check suite re-requests, and only logs installations', async () => {
    h = await startHarness();
    expect((await h.deliver('installation', installationEvent())).status).toBe(200);
    await h.app.idle();
    expect(h.fake.writes()).toEqual([]);
    expect(h.logs.some((l) => l.includes('installation created: nothing to evaluate'))).toBe(true);

    const other = checkRunRerequestedEvent(BAD);
    other['check_run'].name = 'Some other check';
    await h.deliver('check_run', other);
    await h.app.idle();
    expect(h.fake.writes()).toEqual([]);

    await h.deliver('check_run', checkRunRerequestedEvent(BAD));
    await h.app.idle();
    await h.deliver('check_suite', checkSuiteRerequestedEvent(BAD));
    await h.app.idle();
    expect(runsOn(h, BAD).map((r) => r.conclusion)).toEqual(['failure', 'failure']);
    expect(scorecards(h)).toHaveLength(1);
    expectCleanFake(h);
  });

  it('evaluates a merge group on its own commit, with a check run and no comment', async () => {
    const group = 'a11'.repeat(13) + 'a';
    const repo = standardRepo();
    repo.commits![group] = baseFiles({ 'src/auth.ts': AUTH_BAD });
    repo.parents![group] = [BASE];
    h = await startHarness({ repo });
    const delivery = await h.deliver('merge_group', mergeGroupEvent(group, BASE));
    expect(delivery.status).toBe(200);
    await h.app.idle();
    expect(latestRun(h, group)).toMatchObject({ conclusion: 'failure' });
    expect(
      h.fake.requestsFor('repos/compare-commits-with-basehead').length +
        h.fake.requestsFor('repos/compare-commits').length,
    ).toBeGreaterThan(0);
    expect(scorecards(h)).toEqual([]);
    expectCleanFake(h);
  });
});

describe('limits', () => {
  it('sends 60 annotations in batches of 50 on the same check run', async () => {
    const many = '6060'.repeat(10);
    const lines = Array.from(
      { length: 60 },
      (_, i) =>
        `export function login${i}(req) {\n  const { password } = req.body;\n  logger.info(\`attempt ${i} with \${password}\`);\n}\n`,
    );
    const repo = standardRepo({
      pulls: [{ number: 9, user: 'alice', head: { sha: many, ref: 'many' }, base: { sha: BASE, ref: 'main' } }],
    });
    repo.commits![many] = baseFiles({ 'src/auth.ts': `import { logger } from './logger.js';\n\n${lines.join('\n')}` });
    repo.parents![many] = [BASE];
    h = await startHarness({ repo });
    await h.deliver('pull_request', pullRequestEvent('opened', { number: 9, head: many }));
    await h.app.idle();
    const run = latestRun(h, many)!;
    expect(run.conclusion).toBe('failure');
    expect(run.annotations).toHaveLength(60);
    const sizes = h.fake
      .requestsFor('checks/update')
      .map((r) => ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);
    expect(sizes).toEqual([50, 10]);
    expectCleanFake(h);
  });

  it('analyses a 3,000-file PR: lists GitHub’s 3,000 files, stays in the byte budget and says which gates saw less', async () => {
    const big = 'b16'.repeat(13) + 'b';
    const files: Record<string, string> = baseFiles({ 'src/auth.ts': AUTH_BAD });
    // 3,050 changed files: GitHub lists only the first 3,000 of them.
    for (let i = 0; i < 3050; i++)
      files[`src/generated/module-${String(i).padStart(4, '0')}.ts`] = `export const value${i} = ${i};\n`;
    const repo = standardRepo({
      pulls: [{ number: 8, user: 'alice', head: { sha: big, ref: 'big' }, base: { sha: BASE, ref: 'main' } }],
    });
    repo.commits![big] = files;
    repo.parents![big] = [BASE];
    h = await startHarness({ repo, app: { byteBudget: 4 * 1024 } });

    await h.deliver('pull_request', pullRequestEvent('opened', { number: 8, head: big }));
    await h.app.idle();

    const listed = h.fake.requestsFor('pulls/list-files');
    expect(listed).toHaveLength(30);
    expect(listed.every((r) => r.query['per_page'] === '100')).toBe(true);
    const run = latestRun(h, big)!;
    expect(run.conclusion).toBe('failure');
    expect(run.annotations.map((a) => a.title)).toContain('pii/sensitive-field-logged');
    expect(run.output.summary).toContain('Partial analysis');
    expect(run.output.summary).toContain('only the first 3,000 were analysed');
    expect(run.output.summary).toMatch(
      /The byte budget of 4 KiB per evaluation \(`READINESS_BYTE_BUDGET`\) was spent: \d+ file\(s\) were not downloaded/,
    );
    expect(run.output.summary).toMatch(/Gates that ran with less context: .*\*\*pii\*\*/);
    // The budget held: far fewer blobs than files were downloaded.
    expect(h.fake.requestsFor('git/get-blob').length).toBeLessThan(300);
    expect(scorecards(h, 8)[0]!.body).toContain('Partial analysis');
    expectCleanFake(h);
  }, 90_000);
});

describe('policy', () => {
  it('enforces the base branch’s config and previews the PR’s own, so a PR cannot loosen its gate', async () => {
    const repo = standardRepo();
    (repo.commits![BAD] as Record<string, string>)['.github/readiness.yml'] = 'fail-on: never\n';
    h = await startHarness({ repo });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    expect(latestRun(h, BAD)!.conclusion).toBe('failure');
    const card = scorecards(h)[0]!.body;
    expect(card).toContain('### 🔧 Config preview');
    expect(card).toMatch(/^- .*fail-on.*never/m);
    expectCleanFake(h);
  });
});

describe('policy errors', () => {
  it('fails the check naming the key, file, line and column of an invalid base config', async () => {
    const repo = standardRepo();
    const config = 'fail-on: blocker\ngates:\n  pii:\n    redactorz: [maskEmail]\n';
    for (const sha of [BASE, BAD]) (repo.commits![sha] as Record<string, string>)['.github/readiness.yml'] = config;
    h = await startHarness({ repo });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    const run = latestRun(h, BAD)!;
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toBe('Configuration error in .github/readiness.yml');
    expect(run.output.summary).toContain('`.github/readiness.yml:4:5` **gates.pii.redactorz**');
    expect(run.output.summary).toMatch(/did you mean .*redactors/);
    expect(run.output.summary).toContain('/readiness recheck');
    expect(scorecards(h)[0]!.body).toContain('could not check this pull request');
    expectCleanFake(h);
  });

  it('concludes a head that cannot be read as failing, never green', async () => {
    h = await startHarness();
    expect(h.fake.repoState(OWNER, REPO).pulls.get(7)).toBeDefined();
    h.fake.injectFault({ operationId: 'repos/compare-commits-with-basehead', status: 404, times: 1 });
    h.fake.injectFault({ operationId: 'repos/compare-commits', status: 404, times: 1 });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    const run = latestRun(h, BAD)!;
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('GitHub answered 404');
    // One of the two templates serves the compare URL; the other fault stays unused.
    h.fake.clearFaults();
    h.fake.assertNoUnexpected();
  });
});

describe('a config that extends an organisation policy in another repository', () => {
  it('reads the shared file with the installation token and enforces it', async () => {
    const files = (extra: Record<string, string> = {}) =>
      baseFiles({ '.github/readiness.yml': 'extends: acme/readiness-policy\n', ...extra });
    h = await startHarness({
      repo: standardRepo({
        commits: { [BASE]: files(), [BAD]: files({ 'src/auth.ts': AUTH_BAD }), [FIXED]: files() },
      }),
    });
    h.fake.seedRepo({
      owner: OWNER,
      repo: 'readiness-policy',
      commits: { p1: { '.github/readiness.yml': 'fail-on: never\n' } },
      branches: { main: 'p1' },
    });
    await h.deliver('pull_request', pullRequestEvent('opened', { head: BAD }));
    await h.app.idle();
    const run = latestRun(h, BAD)!;
    // The policy says report only: the password log is shown, and does not block.
    expect(run).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(run.output.summary).toContain('pii/sensitive-field-logged');
    expect(
      h.fake
        .requestsFor('repos/get-content')
        .some((r) =>
          decodeURIComponent(r.path).includes('/repos/acme/readiness-policy/contents/.github/readiness.yml'),
        ),
    ).toBe(true);
  });
});
