/**
 * The bundled Action on `pull_request` runs of a same-repository pull request: blocked, re-run unchanged,
 * fixed; from a shallow checkout (fetching what it needs) and without any checkout (the API's file list);
 * and with a broken config on the base branch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRepo } from '../source/helpers.js';
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
  tempDir,
} from './harness.js';

let world: ActionWorld;
let base: string;
let leaky: string;
let fixed: string;

beforeAll(async () => {
  world = await ActionWorld.create();
  base = world.commit(BASE_FILES, 'base');
  world.repo.git('checkout', '-q', '-b', 'feature');
  leaky = world.commit({ 'src/auth.ts': LEAKY_AUTH }, 'add login');
  fixed = world.commit({ 'src/auth.ts': FIXED_AUTH }, 'stop logging the password');
  world.repo.git('checkout', '-q', '--detach', leaky);
});

afterAll(async () => {
  await world.close();
  cleanup();
});

const writesTo = (prefix: string) => world.fake.writes().filter((r) => r.operationId?.startsWith(prefix));

describe('a pull request from the same repository', () => {
  let commentId: number;

  it('blocks on a new blocker: failing step, sticky comment, failing check run, annotation, summary, outputs, files', async () => {
    world.pull({ number: 7, base, head: leaky });
    const sarif = join(tempDir(), 'out', 'readiness.sarif');
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 7, base, head: leaky }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { 'sarif-file': sarif },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'blocked', blockers: '1', warnings: '0' });
    const report = reportOf(run);
    expect(report.findings.map((f) => [f.ruleId, f.path, f.state])).toContainEqual([
      'pii/sensitive-field-logged',
      'src/auth.ts',
      'new',
    ]);

    const comments = world.fake.comments(OWNER, REPO, 7);
    expect(comments).toHaveLength(1);
    commentId = comments[0]!.id;
    expect(comments[0]!.user.login).toBe('github-actions[bot]');
    expect(comments[0]!.body).toMatch(/^<!-- readiness-gates:scorecard -->/);
    expect(comments[0]!.body).toContain('**Blocked**');
    expect(comments[0]!.body).toContain('pii/sensitive-field-logged');

    const [check] = world.fake.checkRuns(OWNER, REPO, leaky);
    expect(check).toMatchObject({ name: 'Readiness Gates', status: 'completed', conclusion: 'failure' });
    expect(
      check!.annotations.some(
        (a) => a.path === 'src/auth.ts' && a.annotation_level === 'failure' && a.title === 'pii/sensitive-field-logged',
      ),
    ).toBe(true);
    expect(check!.detailsUrl).toBe(`https://github.com/${OWNER}/${REPO}/actions/runs/4242`);

    // One annotation per finding: the check run carries it, so no workflow annotation repeats it.
    expect(run.commands.filter((c) => c.startsWith('::error file=') || c.startsWith('::warning file='))).toEqual([]);
    expect(run.summary).toMatch(/Annotations: on the check run \(annotations: auto\)/);
    expect(run.summary).toContain('**Blocked**');
    expect(run.summary).toContain('Compared with: git checkout (full history)');
    expect(run.summary).toMatch(/PR comment: created/);
    expect(run.stdout).toContain('Readiness Gates 0.1.0 · event pull_request');
    world.fake.assertNoUnexpected();

    const { readFileSync } = await import('node:fs');
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'pii/sensitive-field-logged')).toBe(true);
  });

  it('re-run on the same head: no comment write at all (on-change), the verdict again', async () => {
    world.fake.clearRequests();
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 7, base, head: leaky, action: 'reopened' }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(1);
    expect(writesTo('issues/')).toEqual([]);
    expect(world.fake.requestsFor('issues/list-comments').length).toBeGreaterThan(0);
    expect(run.summary).toContain('PR comment: unchanged');
    world.fake.assertNoUnexpected();
  });

  it('cache-dir: the second run reads its facts from the cache the first one saved, with the same report', async () => {
    const cacheDir = join(tempDir(), 'readiness-cache');
    const runs = [];
    for (let i = 0; i < 2; i++) {
      runs.push(
        await runAction({
          event: 'pull_request',
          payload: pullRequestPayload({ number: 7, base, head: leaky, action: 'synchronize' }),
          workspace: world.repo.dir,
          fake: world.fake,
          inputs: { 'cache-dir': cacheDir, comment: 'never' },
        }),
      );
    }
    const [cold, warm] = runs as [Awaited<ReturnType<typeof runAction>>, Awaited<ReturnType<typeof runAction>>];
    expect(cold.code, explain(cold)).toBe(1);
    expect(warm.code, explain(warm)).toBe(1);
    expect(cold.stdout).toMatch(/Analysis cache: 0 hit\(s\), [1-9]\d* miss\(es\); saved to .*readiness-cache/);
    expect(warm.stdout).toMatch(/Analysis cache: [1-9]\d* hit\(s\), 0 miss\(es\); unchanged\./);
    expect(reportOf(warm).findings).toEqual(reportOf(cold).findings);
    expect(reportOf(warm).verdict).toBe('blocked');
  });

  it('annotations: workflow annotates as workflow commands and sends the check run without annotations', async () => {
    world.fake.clearRequests();
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 7, base, head: leaky, action: 'synchronize' }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { annotations: 'workflow' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(
      run.commands.some((c) => /^::error file=src\/auth\.ts,line=5,.*title=pii\/sensitive-field-logged::/.test(c)),
    ).toBe(true);
    const sent = [...world.fake.requestsFor('checks/create'), ...world.fake.requestsFor('checks/update')];
    expect(sent.length).toBeGreaterThan(0);
    for (const r of sent)
      expect((r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).toEqual([]);
    expect(run.summary).toMatch(/Annotations: workflow annotations \(annotations: workflow\)/);
  });

  it('the fix pushed: the same comment is updated and the check run on the new head is green', async () => {
    world.pull({ number: 7, base, head: fixed });
    world.fake.clearRequests();
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 7, base, head: fixed, action: 'synchronize' }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(0);
    expect(run.outputs).toMatchObject({ verdict: 'ready', blockers: '0' });
    const comments = world.fake.comments(OWNER, REPO, 7);
    expect(comments.map((c) => c.id)).toEqual([commentId]);
    expect(comments[0]!.body).toContain('**Ready**');
    expect(writesTo('issues/').map((r) => r.operationId)).toEqual(['issues/update-comment']);
    expect(world.fake.checkRuns(OWNER, REPO, fixed)).toMatchObject([{ conclusion: 'success', annotations: [] }]);
    expect(run.commands.filter((c) => c.startsWith('::error'))).toEqual([]);
    world.fake.assertNoUnexpected();
  });
});

describe('checkouts that lack history', () => {
  it('a shallow clone (actions/checkout’s default depth of 1): fetches the base commit and deepens to the merge-base', async () => {
    const clone = new TestRepo(join(tempDir(), 'clone'));
    mkdirSync(clone.dir);
    clone.git('clone', '-q', '--no-local', '--depth=1', `file://${world.repo.dir}`, '.');
    clone.git('fetch', '-q', '--depth=1', 'origin', leaky);
    clone.git('checkout', '-q', '--detach', leaky);
    expect(clone.git('rev-parse', '--is-shallow-repository').trim()).toBe('true');

    world.pull({ number: 8, base, head: leaky });
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 8, base, head: leaky }),
      workspace: clone.dir,
      fake: world.fake,
      inputs: { comment: 'never' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain(`git fetch --no-tags --no-recurse-submodules --depth=1 origin ${base}`);
    expect(run.stdout).toContain(`git fetch --no-tags --no-recurse-submodules --depth=50 origin ${base} ${leaky}`);
    expect(run.stdout).toMatch(
      /Compared with: git checkout \(fetched the base commit and 50 commits of history\); merge-base [0-9a-f]{7}/,
    );
    expect(reportOf(run).findings.map((f) => f.ruleId)).toContain('pii/sensitive-field-logged');
    world.fake.assertNoUnexpected();
  });

  it('no usable checkout: falls back to the API’s file list, says so, and reaches the same verdict', async () => {
    const empty = tempDir('rg-no-checkout-');
    world.pull({ number: 9, base, head: leaky });
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 9, base, head: leaky }),
      workspace: empty,
      fake: world.fake,
      inputs: { comment: 'never' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain("Using the GitHub API's file list instead of git");
    expect(run.summary).toContain("Compared with: GitHub API (pull request #9's file list, trees and blobs)");
    expect(world.fake.requestsFor('pulls/list-files').length).toBeGreaterThan(0);
    expect(reportOf(run).findings.map((f) => f.ruleId)).toContain('pii/sensitive-field-logged');
    world.fake.assertNoUnexpected();
  });
});

describe('a broken config on the base branch', () => {
  it('fails the step naming file, line and key, and says so in a failing check run', async () => {
    const w = await ActionWorld.create();
    try {
      const b = w.commit({ ...BASE_FILES, '.github/readiness.yml': 'fail-on: sometimes\n' }, 'bad policy');
      w.repo.git('checkout', '-q', '-b', 'feature');
      const h = w.commit({ 'src/auth.ts': FIXED_AUTH });
      w.pull({ number: 3, base: b, head: h });
      const run = await runAction({
        event: 'pull_request',
        payload: pullRequestPayload({ number: 3, base: b, head: h }),
        workspace: w.repo.dir,
        fake: w.fake,
      });
      expect(run.code, explain(run)).toBe(1);
      expect(
        run.commands.some((c) =>
          /^::error title=Readiness Gates configuration,file=\.github\/readiness\.yml,line=1,col=\d+::fail-on: /.test(
            c,
          ),
        ),
      ).toBe(true);
      const [check] = w.fake.checkRuns(OWNER, REPO, h);
      expect(check).toMatchObject({
        conclusion: 'failure',
        output: { title: 'Configuration error in .github/readiness.yml' },
      });
      expect(check!.output.summary).toContain('.github/readiness.yml:1:');
      expect(run.summary).toContain('Configuration error in .github/readiness.yml');
      expect(w.fake.comments(OWNER, REPO, 3)).toEqual([]);
      w.fake.assertNoUnexpected();
    } finally {
      await w.close();
    }
  });
});
