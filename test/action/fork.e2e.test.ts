/**
 * Pull requests from forks: the `pull_request` run has a read-only token, so it writes nothing to GitHub
 * (one notice says so) while the summary, annotations, files and exit code still work; then the
 * two-workflow pattern's `workflow_run` job publishes the uploaded report with `mode: publish`.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  explain,
  FORK_TOKEN,
  LEAKY_AUTH,
  OWNER,
  pullRequestPayload,
  REPO,
  reportOf,
  runAction,
  tempDir,
  workflowRunPayload,
  type ActionRun,
} from './harness.js';

let world: ActionWorld;
let base: string;
let head: string;
let forkRun: ActionRun;
/** Where the "artifact" goes between the two workflows. */
let artifact: string;

beforeAll(async () => {
  world = await ActionWorld.create();
  base = world.commit(BASE_FILES, 'base');
  world.repo.git('checkout', '-q', '-b', 'feature');
  head = world.commit({ 'src/auth.ts': LEAKY_AUTH }, 'add login');
  world.pull({ number: 11, base, head, fork: true, author: 'forker' });
  artifact = join(tempDir('rg-artifact-'), 'readiness-report.json');
});

afterAll(async () => {
  await world.close();
  cleanup();
});

describe('a pull request from a fork', () => {
  it('pull_request with a read-only token: no write is even attempted, one notice, everything local still works', async () => {
    forkRun = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 11, base, head, fork: true, author: 'forker' }),
      workspace: world.repo.dir,
      fake: world.fake,
      token: FORK_TOKEN,
      inputs: { 'report-file': 'readiness-report.json', 'sarif-file': 'readiness.sarif' },
    });
    expect(forkRun.code, explain(forkRun)).toBe(1);
    expect(world.fake.writes()).toEqual([]);
    const notices = forkRun.commands.filter((c) => c.startsWith('::notice'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('comes from a fork');
    expect(notices[0]).toContain('two-workflow pattern');
    expect(forkRun.commands.some((c) => c.startsWith('::error file=src/auth.ts'))).toBe(true);
    expect(forkRun.summary).toContain('**Blocked**');
    expect(forkRun.summary).toMatch(/PR comment: skipped: this pull request comes from a fork/);
    expect(forkRun.summary).toMatch(/Check run: skipped/);
    expect(forkRun.outputs['verdict']).toBe('blocked');
    // Relative paths land in the workspace, where actions/upload-artifact picks them up.
    expect(forkRun.outputs['report-file']).toBe(join(world.repo.dir, 'readiness-report.json'));
    const report = reportOf(forkRun);
    expect(report.github).toMatchObject({
      event: 'pull_request',
      repository: `${OWNER}/${REPO}`,
      pullRequest: 11,
      runId: '4242',
    });
    expect(JSON.parse(readFileSync(join(world.repo.dir, 'readiness.sarif'), 'utf8')).version).toBe('2.1.0');
    copyFileSync(forkRun.outputs['report-file']!, artifact);
    world.fake.assertNoUnexpected();
  });

  it('the workflow_run job publishes the downloaded report: comment and failing check run on the fork’s head', async () => {
    const publishDir = tempDir('rg-publish-');
    const run = await runAction({
      event: 'workflow_run',
      payload: workflowRunPayload({ headSha: head }),
      workspace: publishDir,
      fake: world.fake,
      inputs: { mode: 'publish', 'report-file': artifact },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'blocked', blockers: '1', 'report-file': artifact });
    const comments = world.fake.comments(OWNER, REPO, 11);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('pii/sensitive-field-logged');
    // Links point at the base repository, whatever the artifact says.
    expect(comments[0]!.body).toContain(`https://github.com/${OWNER}/${REPO}/blob/${head}/src/auth.ts#L5`);
    const [check] = world.fake.checkRuns(OWNER, REPO, head);
    expect(check).toMatchObject({ conclusion: 'failure', name: 'Readiness Gates' });
    expect(check!.annotations.length).toBeGreaterThan(0);
    expect(run.summary).toContain(`Report from run 4242 for ${head.slice(0, 7)}, published`);
    world.fake.assertNoUnexpected();
  });

  it('refuses a report that is not for the commit the workflow run checked', async () => {
    const forged = JSON.parse(readFileSync(artifact, 'utf8'));
    forged.verdict = 'ready';
    const path = join(tempDir(), 'forged.json');
    writeFileSync(path, JSON.stringify(forged));
    world.fake.clearRequests();
    const run = await runAction({
      event: 'workflow_run',
      payload: workflowRunPayload({ headSha: base }),
      workspace: tempDir(),
      fake: world.fake,
      inputs: { mode: 'publish', 'report-file': path },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain(`is a report for ${head}, but the workflow run was for ${base}; not publishing it`);
    expect(world.fake.writes()).toEqual([]);
  });

  it('does not publish a report for a head the pull request has moved on from', async () => {
    const newer = world.commit({ 'src/auth.ts': LEAKY_AUTH.replace('204', '200') }, 'another push');
    world.pull({ number: 11, base, head: newer, fork: true, author: 'forker' });
    world.fake.clearRequests();
    const run = await runAction({
      event: 'workflow_run',
      payload: workflowRunPayload({ headSha: head }),
      workspace: tempDir(),
      fake: world.fake,
      inputs: { mode: 'publish', 'report-file': artifact },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain(`Not publishing: pull request #11 has moved on to ${newer.slice(0, 7)}`);
    expect(world.fake.writes()).toEqual([]);
    expect(run.summary).toContain(`Report from run 4242 for ${head.slice(0, 7)}, not published`);
  });

  it('refuses a file that is not a report, saying what is wrong', async () => {
    const path = join(tempDir(), 'junk.json');
    writeFileSync(path, JSON.stringify({ schemaVersion: 1, head: { sha: 'nope' } }));
    const run = await runAction({
      event: 'workflow_run',
      payload: workflowRunPayload({ headSha: head }),
      workspace: tempDir(),
      fake: world.fake,
      inputs: { mode: 'publish', 'report-file': path },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain('is not a Readiness Gates JSON report: head.sha is not a commit sha');
  });
});
