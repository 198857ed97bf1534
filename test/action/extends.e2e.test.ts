/**
 * The Action through dist/ with a config that extends an organisation policy in another repository: the
 * shared file is read with the workflow token through the GitHub port, and enforced.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  explain,
  LEAKY_AUTH,
  OWNER,
  pullRequestPayload,
  reportOf,
  runAction,
} from './harness.js';

let world: ActionWorld | undefined;
afterAll(async () => {
  await world?.close();
  cleanup();
});

describe('extends: another repository', () => {
  it('reads acme/readiness-policy with the workflow token and enforces it', async () => {
    world = await ActionWorld.create();
    world.fake.seedRepo({
      owner: OWNER,
      repo: 'readiness-policy',
      commits: { p1: { '.github/readiness.yml': 'fail-on: never\nbaseline: off\n' } },
      branches: { main: 'p1' },
    });
    const base = world.commit(
      { ...BASE_FILES, '.github/readiness.yml': 'extends: acme/readiness-policy\nbaseline: merge-base\n' },
      'base',
    );
    world.repo.git('checkout', '-q', '-b', 'feature');
    const head = world.commit({ 'src/auth.ts': LEAKY_AUTH }, 'add login');
    world.pull({ number: 3, base, head });
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 3, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    // fail-on: never comes from the shared policy: the leak is reported, and does not fail the step.
    expect(run.code, explain(run)).toBe(0);
    const report = reportOf(run) as ReturnType<typeof reportOf> & { failOn?: string };
    expect(report.failOn).toBe('never');
    expect(report.findings.map((f) => [f.ruleId, f.state])).toContainEqual(['pii/sensitive-field-logged', 'new']);
    expect(
      world.fake
        .requestsFor('repos/get-content')
        .some((r) => decodeURIComponent(r.path).includes('/repos/acme/readiness-policy/contents/')),
    ).toBe(true);
  });
});
