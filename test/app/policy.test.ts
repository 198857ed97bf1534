/**
 * Policy comes from the base branch's tip (`pull_request.base.sha`), never from the merge-base a PR's
 * author picks by branching early: the enforced config, the waiver policy and CODEOWNERS. Retargeting a
 * PR marks its head's run in progress before the delivery is answered, so a green result computed
 * against another base never stands while the new one is evaluated.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import type { SeedRepo } from '../support/fake-github/index.js';
import {
  AUTH_BAD,
  baseFiles,
  comment,
  expectCleanFake,
  findingIds,
  latestRun,
  OWNER,
  pullRequestEvent,
  REPO,
  startCluster,
  startHarness,
  type Cluster,
  type Harness,
} from './support.js';

/** main when the PR branched off: report-only, alice may waive, rita owns everything. */
const OLD = '01d0'.repeat(10);
/** main now: enforcing, authors may not waive, maria owns everything. */
const TIP = '71b0'.repeat(10);
/** The PR's head, branched from OLD: logs a password (a blocker). */
const STALE = '57a1'.repeat(10);
/** A lenient branch the PR can be retargeted to. */
const LENIENT = '1e41'.repeat(10);

const OLD_POLICY = {
  '.github/readiness.yml': 'fail-on: never\nwaivers: { min-permission: admin, codeowners: true, allow-author: true }\n',
  '.github/CODEOWNERS': '* @rita\n',
};
const TIP_POLICY = {
  '.github/readiness.yml':
    'fail-on: blocker\nwaivers: { min-permission: admin, codeowners: true, allow-author: false }\n',
  '.github/CODEOWNERS': '* @maria\n',
};

function staleRepo(config: { old?: Record<string, string>; tip?: Record<string, string> } = {}): SeedRepo {
  const old = config.old ?? OLD_POLICY;
  const tip = config.tip ?? TIP_POLICY;
  return {
    owner: OWNER,
    repo: REPO,
    commits: {
      [OLD]: baseFiles(old),
      [TIP]: baseFiles({ ...tip, 'docs/CHANGELOG.md': 'enforcing now\n' }),
      [LENIENT]: baseFiles({ '.github/readiness.yml': 'fail-on: never\n' }),
      [STALE]: baseFiles({ ...old, 'src/auth.ts': AUTH_BAD }),
    },
    parents: { [TIP]: [OLD], [LENIENT]: [OLD], [STALE]: [OLD] },
    branches: { main: TIP, lenient: LENIENT },
    pulls: [
      {
        number: 7,
        user: 'alice',
        head: { sha: STALE, ref: 'feature' },
        base: { sha: TIP, ref: 'main' },
        title: 'Log in with a password',
      },
    ],
    permissions: { alice: 'write', maria: 'maintain', rita: 'read' },
  };
}

/** The `pull_request` delivery with the PR's base as given. */
function prEvent(action: 'opened' | 'edited', base: { ref: string; sha: string }, changes?: Record<string, unknown>) {
  const payload = pullRequestEvent(action, { head: STALE, base: base.sha, ...(changes ? { changes } : {}) });
  Object.assign(payload['pull_request'].base, { ref: base.ref, label: `${OWNER}:${base.ref}` });
  return payload;
}

/** Retargets PR 7 in the fake's state, as GitHub does before it sends `pull_request.edited`. */
function retarget(
  state: { repoState(o: string, r: string): { pulls: Map<number, { base: { sha: string; ref: string } }> } },
  base: { ref: string; sha: string },
) {
  state.repoState(OWNER, REPO).pulls.get(7)!.base = { ...base };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('policy at the base branch tip (in-process app)', () => {
  it('enforces the config at pull_request.base.sha on a PR branched while main was report-only', async () => {
    h = await startHarness({ repo: staleRepo() });
    await h.deliver('pull_request', prEvent('opened', { ref: 'main', sha: TIP }));
    await h.app.idle();
    const run = latestRun(h, STALE)!;
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toBe('Blocked: 1 new blocker · score 49');
    // The diff is still the merge-base's: main's own change is not the PR's.
    expect(run.annotations.map((a) => a.path)).toEqual(['src/auth.ts']);
    expect(h.fake.requestsFor('git/get-tree').map((r) => r.path)).toEqual(
      expect.arrayContaining([expect.stringContaining(TIP)]),
    );
    expectCleanFake(h);
  });

  it('judges waivers by the waiver policy at the tip: an author allowed to waive at the merge-base is not', async () => {
    const enforcing = {
      ...OLD_POLICY,
      '.github/readiness.yml':
        'fail-on: blocker\nwaivers: { min-permission: write, codeowners: true, allow-author: true }\n',
    };
    h = await startHarness({ repo: staleRepo({ old: enforcing }) });
    await h.deliver('pull_request', prEvent('opened', { ref: 'main', sha: TIP }));
    await h.app.idle();
    const [id] = findingIds(latestRun(h, STALE));
    expect(id).toBeDefined();
    await comment(h, 'alice', `/readiness waive ${id} it is fine, trust me`);
    await h.app.idle();
    expect(latestRun(h, STALE)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });

  it('judges waivers by CODEOWNERS at the tip: an owner at the merge-base only is refused, the owner at the tip is not', async () => {
    const enforcing = { ...OLD_POLICY, '.github/readiness.yml': TIP_POLICY['.github/readiness.yml'] };
    h = await startHarness({ repo: staleRepo({ old: enforcing }) });
    await h.deliver('pull_request', prEvent('opened', { ref: 'main', sha: TIP }));
    await h.app.idle();
    const [id] = findingIds(latestRun(h, STALE));
    expect(id).toBeDefined();
    // rita owned every path at the merge-base; at the tip maria does.
    await comment(h, 'rita', `/readiness waive ${id} looks harmless to me`);
    await h.app.idle();
    expect(latestRun(h, STALE)!.conclusion).toBe('failure');
    await comment(h, 'maria', `/readiness waive ${id} accepted: the sink drops this field`);
    await h.app.idle();
    expect(latestRun(h, STALE)!.conclusion).toBe('success');
    expectCleanFake(h);
  });

  it('marks the head in progress when the delivery of a retarget is answered, then blocks it against the new base', async () => {
    h = await startHarness({ repo: staleRepo() });
    retarget(h.fake, { ref: 'lenient', sha: LENIENT });
    await h.deliver('pull_request', prEvent('opened', { ref: 'lenient', sha: LENIENT }));
    await h.app.idle();
    expect(latestRun(h, STALE)!.conclusion).toBe('success');

    retarget(h.fake, { ref: 'main', sha: TIP });
    // The evaluation is slow to start: whatever the check shows meanwhile is what a merge would see.
    h.fake.injectFault({ operationId: 'pulls/get', delayMs: 800, times: 1 });
    const d = await h.deliver(
      'pull_request',
      prEvent('edited', { ref: 'main', sha: TIP }, { base: { ref: { from: 'lenient' }, sha: { from: LENIENT } } }),
    );
    expect(d.status).toBe(200);
    expect(latestRun(h, STALE)).toMatchObject({ status: 'in_progress' });
    await h.app.idle();
    expect(latestRun(h, STALE)!.conclusion).toBe('failure');
    expectCleanFake(h);
  });
});

describe('policy at the base branch tip (Redis-backed replicas)', () => {
  let redis: RedisServer;
  let c: Cluster | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  it('a web replica marks the head in progress before it answers a retarget, and a worker completes that run', async () => {
    c = await startCluster({ redisUrl: redis.url, webs: 1, workers: 1, repo: staleRepo() });
    retarget(c.fake, { ref: 'lenient', sha: LENIENT });
    await c.deliver('pull_request', prEvent('opened', { ref: 'lenient', sha: LENIENT }));
    await c.idle();
    expect(latestRun(c as never, STALE)!.conclusion).toBe('success');

    retarget(c.fake, { ref: 'main', sha: TIP });
    c.fake.injectFault({ operationId: 'pulls/get', delayMs: 800, times: 1 });
    const d = await c.deliver(
      'pull_request',
      prEvent('edited', { ref: 'main', sha: TIP }, { base: { ref: { from: 'lenient' }, sha: { from: LENIENT } } }),
    );
    expect(d.status).toBe(200);
    expect(latestRun(c as never, STALE)).toMatchObject({ status: 'in_progress' });
    await c.idle();
    const runs = c.fake.checkRuns(OWNER, REPO, STALE);
    expect(runs.at(-1)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    // The run opened at acknowledgement is the one the worker completed: nothing left pending.
    expect(runs.filter((r) => r.status !== 'completed')).toEqual([]);
    expect(runs).toHaveLength(2);
    c.fake.assertNoUnexpected();
  });
});
