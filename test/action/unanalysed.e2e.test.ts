/**
 * Files the Action could not analyse (issue 13, item 2), through dist/: a migration padded past
 * `max-file-bytes` (git path), and a pull request of 3,001 files seen through the API's file list (no
 * checkout), whose listing stops at 3,000. Both are incomplete: the check fails with the reason. The same
 * 3,001 files through git are all listed and analysed (the existing large-PR behaviour).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  explain,
  LEAKY_AUTH,
  OWNER,
  pullRequestPayload,
  REPO,
  reportOf,
  runAction,
  tempDir,
} from './harness.js';

afterAll(cleanup);

const MIGRATION = { 'migrations/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' };

describe('a migration padded past max-file-bytes', () => {
  let world: ActionWorld;
  afterAll(async () => world.close());

  it('blocks as incomplete, with the reason in the check run and the report', async () => {
    world = await ActionWorld.create();
    const base = world.commit(
      { ...BASE_FILES, ...MIGRATION, '.github/readiness.yml': 'max-file-bytes: 1024\n' },
      'base',
    );
    world.repo.git('checkout', '-q', '-b', 'feature');
    const head = world.commit(
      { 'migrations/002_drop.sql': `DROP TABLE users;\n${'-- padding\n'.repeat(200)}` },
      'drop users',
    );
    world.pull({ number: 11, base, head });
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 11, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.outputs.verdict).toBe('blocked');
    const report = reportOf(run) as ReturnType<typeof reportOf> & {
      incomplete?: { blocking: boolean; files: Array<{ path: string }> };
    };
    expect(report.findings.map((f) => `${f.ruleId} ${f.path}`)).toContain(
      'core/unanalysed-file migrations/002_drop.sql',
    );
    expect(report.incomplete).toMatchObject({ blocking: true, files: [{ path: 'migrations/002_drop.sql' }] });
    const [check] = world.fake.checkRuns(OWNER, REPO, head);
    expect(check!.conclusion).toBe('failure');
    expect(JSON.stringify(check!.annotations)).toContain('max-file-bytes');
  });
});

describe('a pull request of 3,001 files', () => {
  let world: ActionWorld;
  let base: string;
  let head: string;
  beforeAll(async () => {
    world = await ActionWorld.create();
    base = world.commit(BASE_FILES, 'base');
    world.repo.git('checkout', '-q', '-b', 'feature');
    // 3,000 filler files under test/ (excluded by default, so neither path downloads them) sort before the
    // one that matters: a login handler that logs the password, which GitHub's 3,000-file listing leaves out.
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`a/test/f${String(i).padStart(4, '0')}.ts`] = `export const v${i} = ${i};\n`;
    files['src/auth.ts'] = LEAKY_AUTH;
    // Committed and mirrored by hand: ActionWorld.commit reads every file back with one `git show` each.
    world.repo.writeAll(files);
    head = world.repo.commit('3,001 generated files');
    world.fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      commits: { [head]: { ...BASE_FILES, ...files } },
      parents: { [head]: [base] },
    });
    world.pull({ number: 12, base, head });
  }, 120_000);
  afterAll(async () => world.close());

  it('through the API’s file list (no checkout), the 3,001st file is not listed: incomplete, blocked', async () => {
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 12, base, head }),
      workspace: tempDir('rg-no-checkout-'),
      fake: world.fake,
      inputs: { comment: 'never' },
    });
    expect(run.stdout).toContain("Using the GitHub API's file list instead of git");
    expect(run.code, explain(run)).toBe(1);
    const finding = reportOf(run).findings.find((f) => f.ruleId === 'core/unanalysed-file');
    expect(finding).toMatchObject({ path: '', state: 'new' });
    expect(reportOf(run).findings.map((f) => f.ruleId)).not.toContain('pii/sensitive-field-logged');
  }, 300_000);

  it('through git, every file is listed and analysed: the leak is found', async () => {
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 12, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { comment: 'never' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(reportOf(run).findings.map((f) => f.ruleId)).toEqual(['pii/sensitive-field-logged']);
  }, 120_000);
});
