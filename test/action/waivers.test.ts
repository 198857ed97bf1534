/**
 * Waivers from PR comments (src/github/waivers.ts): the pure decision table, the extraction from the
 * audit trail, the facts gathered through the (fake) API, and the answer to a command comment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerComment } from '../../src/action/answer.js';
import type { WaiverPolicy } from '../../src/config/types.js';
import {
  createOctokit,
  decideWaivers,
  deriveWaivers,
  extractWaiverCommands,
  type CommandComment,
  type RepoPermission,
  type WaiverFacts,
} from '../../src/github/index.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';

const POLICY: WaiverPolicy = { minPermission: 'maintain', codeowners: true, allowAuthor: false, maxDays: 90 };
const FINDINGS = new Map([
  ['aaa111', 'src/billing/charge.ts'],
  ['bbb222', 'db/migrations/0042.sql'],
]);
const NOW = new Date('2026-03-10T12:00:00Z');
const CODEOWNERS = '# owners\n*  @acme/platform\n/src/billing/ @bella\n/db/ @acme/dba\n';

let nextId = 1;
function c(login: string, body: string, createdAt = '2026-03-01T09:00:00Z', type = 'User'): CommandComment {
  const id = nextId++;
  return {
    id,
    body,
    user: { login, type },
    createdAt,
    htmlUrl: `https://github.com/acme/shop/pull/7#issuecomment-${id}`,
  };
}

function facts(perms: Record<string, RepoPermission>, extra: Partial<WaiverFacts> = {}): WaiverFacts {
  return { permissions: new Map(Object.entries(perms)), codeowners: CODEOWNERS, teamMembership: new Map(), ...extra };
}

function decide(comments: CommandComment[], f: WaiverFacts, policy: Partial<WaiverPolicy> = {}) {
  return decideWaivers(extractWaiverCommands(comments), f, {
    policy: { ...POLICY, ...policy },
    prAuthor: 'alice',
    findings: FINDINGS,
    now: NOW,
  });
}

describe('extractWaiverCommands', () => {
  it('keeps waive/unwaive lines of people in comment order, with malformed waives, and ignores bots, ghosts and quotes', () => {
    const comments = [
      c('maria', 'Looks fine.\n/readiness waive aaa111 --until 2026-04-01 reviewed with security\n/readiness recheck'),
      c('readiness-gates[bot]', '/readiness waive bbb222 a bot cannot waive', undefined, 'Bot'),
      { ...c('ghost', '/readiness waive bbb222 deleted user'), user: null },
      c(
        'tom',
        '> /readiness waive bbb222 quoted\n/readiness waive bbb222\n/readiness unwaive aaa111\n/readiness explain pii/x',
      ),
    ];
    const entries = extractWaiverCommands(comments);
    expect(
      entries.map((e) => [
        e.login,
        e.line,
        e.command.kind,
        'findingId' in e.command ? e.command.findingId : e.command.kind === 'error' ? e.command.code : '',
      ]),
    ).toEqual([
      ['maria', 2, 'waive', 'aaa111'],
      ['tom', 2, 'error', 'missing-reason'],
      ['tom', 3, 'unwaive', 'aaa111'],
    ]);
  });
});

describe('decideWaivers', () => {
  it('a maintainer’s waiver applies, with its reason, author and the capped end date', () => {
    const d = decide([c('maria', '/readiness waive aaa111 reviewed with security')], facts({ maria: 'maintain' }));
    expect(d.refused).toEqual([]);
    expect(d.waivers).toEqual([
      {
        findingId: 'aaa111',
        by: 'maria',
        reason: 'reviewed with security',
        until: '2026-05-30',
        url: expect.stringContaining('#issuecomment-'),
      },
    ]);
    expect(d.accepted[0]).toMatchObject({ kind: 'waive', via: 'maintain permission', until: '2026-05-30' });
  });

  it('--until is kept when within max-days and capped (from the comment’s date) when beyond', () => {
    const d = decide(
      [
        c('maria', '/readiness waive aaa111 --until 2026-03-20 short'),
        c('ada', '/readiness waive bbb222 --until 2027-12-31 long'),
      ],
      facts({ maria: 'maintain', ada: 'admin' }),
    );
    expect(d.waivers.map((w) => [w.findingId, w.until])).toEqual([
      ['aaa111', '2026-03-20'],
      ['bbb222', '2026-05-30'],
    ]);
    expect(d.accepted.map((a) => a.capped ?? false)).toEqual([false, true]);
  });

  it('the PR author is refused unless allow-author, whatever their permission', () => {
    const comments = [c('alice', '/readiness waive aaa111 my own PR')];
    expect(decide(comments, facts({ alice: 'admin' })).refused[0]!.reason).toContain(
      'opened this pull request and may not waive',
    );
    expect(decide(comments, facts({ alice: 'admin' }), { allowAuthor: true }).waivers).toHaveLength(1);
  });

  it('below min-permission: refused with both levels; a code owner of the path is allowed', () => {
    const d = decide(
      [c('tom', '/readiness waive bbb222 fine'), c('bella', '/readiness waive aaa111 I own billing')],
      facts({ tom: 'write', bella: 'read' }),
    );
    expect(d.refused).toEqual([
      expect.objectContaining({
        login: 'tom',
        findingId: 'bbb222',
        reason: expect.stringContaining(
          '@tom has `write` permission on this repository; waivers need `maintain` or higher, and is not a code owner of `db/migrations/0042.sql` (owners: @acme/dba); membership of @acme/dba could not be checked',
        ),
      }),
    ]);
    expect(d.accepted).toEqual([
      expect.objectContaining({ login: 'bella', via: 'code owner of src/billing/charge.ts' }),
    ]);
  });

  it('team code owners count when membership is known; codeowners: false ignores CODEOWNERS', () => {
    const f = facts({ tom: 'write' }, { teamMembership: new Map([['acme/dba:tom', true]]) });
    expect(decide([c('tom', '/readiness waive bbb222 dba approved')], f).accepted[0]!.via).toBe(
      'member of @acme/dba, code owner of db/migrations/0042.sql',
    );
    expect(decide([c('tom', '/readiness waive bbb222 dba approved')], f, { codeowners: false }).refused).toHaveLength(
      1,
    );
  });

  it('a lower min-permission lets write users waive', () => {
    expect(
      decide([c('tom', '/readiness waive bbb222 ok')], facts({ tom: 'write' }), { minPermission: 'write' }).waivers,
    ).toHaveLength(1);
  });

  it('refuses unknown finding ids, missing reasons and dates before the comment', () => {
    const d = decide(
      [
        c('maria', '/readiness waive zzz999 typo'),
        c('maria', '/readiness waive aaa111'),
        c('maria', '/readiness waive aaa111 --until 2026-02-01 backdated'),
      ],
      facts({ maria: 'maintain' }),
    );
    expect(d.refused.map((r) => r.reason)).toEqual([
      expect.stringContaining('There is no finding `zzz999`'),
      expect.stringContaining('A waiver needs a reason'),
      '`--until 2026-02-01` is before the comment was written (2026-03-01).',
    ]);
    expect(d.waivers).toEqual([]);
  });

  it('replays in order: a later waive replaces, unwaive removes (by the granter or another authority, not others)', () => {
    const f = facts({ maria: 'maintain', ada: 'admin', tom: 'write' });
    const d = decide(
      [
        c('maria', '/readiness waive aaa111 first reason'),
        c('ada', '/readiness waive aaa111 second reason'),
        c('tom', '/readiness unwaive aaa111'),
        c('maria', '/readiness waive bbb222 x'),
        c('maria', '/readiness unwaive bbb222'),
        c('maria', '/readiness unwaive bbb222'),
      ],
      f,
    );
    expect(d.waivers).toEqual([expect.objectContaining({ findingId: 'aaa111', by: 'ada', reason: 'second reason' })]);
    expect(d.refused.map((r) => [r.login, r.reason.slice(0, 40)])).toEqual([
      ['tom', 'Only @ada, who granted the waiver, or so'],
      ['maria', 'Finding `bbb222` is not waived, so there'],
    ]);
  });

  it('a waiver past its end date is reported as expired, not applied', () => {
    const d = decide(
      [
        c('maria', '/readiness waive aaa111 --until 2026-03-09 until yesterday', '2026-03-01T00:00:00Z'),
        c('maria', '/readiness waive bbb222 --until 2026-03-10 through today'),
      ],
      facts({ maria: 'maintain' }),
    );
    expect(d.expired.map((w) => w.findingId)).toEqual(['aaa111']);
    expect(d.waivers.map((w) => w.findingId)).toEqual(['bbb222']);
  });

  it('an old comment edited later is still capped from when it was written', () => {
    const d = decide(
      [c('maria', '/readiness waive aaa111 --until 2026-12-31 edited to last longer', '2025-11-01T00:00:00Z')],
      facts({ maria: 'maintain' }),
    );
    expect(d.waivers).toEqual([]);
    expect(d.expired).toEqual([expect.objectContaining({ until: '2026-01-30' })]);
  });
});

describe('deriveWaivers through the API', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    fake.addToken('ghs_t', { login: 'github-actions[bot]', app: true });
    fake.seedRepo({
      owner: 'acme',
      repo: 'shop',
      commits: { ['b'.repeat(40)]: { 'a.txt': 'a\n' }, ['c'.repeat(40)]: { 'a.txt': 'b\n' } },
      pulls: [{ number: 7, user: 'alice', head: { sha: 'c'.repeat(40) }, base: { sha: 'b'.repeat(40) } }],
      permissions: { maria: 'maintain', tom: 'write' },
    });
  });
  afterAll(async () => fake.close());

  it('lists the comments, asks each commenter’s permission once, reads CODEOWNERS only when needed', async () => {
    fake.addComment('acme', 'shop', 7, '/readiness waive aaa111 reviewed', 'maria');
    fake.addComment('acme', 'shop', 7, '/readiness waive bbb222 also fine', 'maria');
    fake.addComment('acme', 'shop', 7, '/readiness waive aaa111 me too', 'tom');
    const octokit = createOctokit({
      token: 'ghs_t',
      baseUrl: fake.url,
      retryBaseMs: 5,
      throttle: { writeIntervalMs: 0 },
    });
    let codeownersReads = 0;
    const d = await deriveWaivers(octokit, {
      owner: 'acme',
      repo: 'shop',
      pullNumber: 7,
      prAuthor: 'alice',
      policy: POLICY,
      findings: FINDINGS,
      now: new Date(),
      readCodeowners: async () => (codeownersReads++, '/src/billing/ @tom\n'),
    });
    expect(d.waivers.map((w) => [w.findingId, w.by])).toEqual([
      ['aaa111', 'tom'],
      ['bbb222', 'maria'],
    ]);
    expect(d.accepted.find((a) => a.login === 'tom')!.via).toBe('code owner of src/billing/charge.ts');
    expect(fake.requestsFor('repos/get-collaborator-permission-level').map((r) => r.path)).toEqual([
      '/repos/acme/shop/collaborators/maria/permission',
      '/repos/acme/shop/collaborators/tom/permission',
    ]);
    expect(codeownersReads).toBe(1);
    fake.assertNoUnexpected();
  });
});

describe('answerComment', () => {
  const nothingDecided = decide([], facts({}));
  it('👍 for applied commands, 👎 and the reasons for refused ones, and only waive/unwaive/recheck evaluate', () => {
    const d = decide([c('maria', '/readiness waive zzz999 typo')], facts({ maria: 'maintain' }));
    const refused = d.refused[0]!;
    const a = answerComment(refused.commentId, '/readiness waive zzz999 typo', 'maria', d, () => undefined);
    expect(a).toEqual({
      reaction: '-1',
      reply: expect.stringContaining(
        '@maria, this was not applied:\n\n> /readiness waive zzz999 typo\n\nThere is no finding `zzz999`',
      ),
      evaluate: true,
    });
    expect(answerComment(1, '/readiness recheck', 'maria', nothingDecided, () => undefined)).toEqual({
      reaction: '+1',
      evaluate: true,
    });
    expect(
      answerComment(1, '/readiness explain pii/sensitive-field-logged', 'maria', undefined, (id) => `# ${id}\ndocs`),
    ).toEqual({ reaction: '+1', reply: '# pii/sensitive-field-logged\ndocs', evaluate: false });
    expect(answerComment(1, '/readiness wave abc', 'maria', undefined, () => undefined)).toMatchObject({
      reaction: '-1',
      reply: expect.stringContaining('Did you mean `/readiness waive`?'),
    });
  });
});
