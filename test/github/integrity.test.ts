/**
 * The pieces behind issue 13 items 1 and 4 in src/github: `/readiness approve`, the decision about
 * approvals, and refusing commands in comments whose last editor is not their author (from GraphQL's
 * edit history, read through the fake GitHub).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WaiverPolicy } from '../../src/config/types.js';
import {
  createOctokit,
  decideWaivers,
  extractWaiverCommands,
  lastEditorsOf,
  listIssueComments,
  parseCommand,
  withLastEditors,
  type CommandComment,
  type RepoPermission,
} from '../../src/github/index.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';

const POLICY: WaiverPolicy = { minPermission: 'maintain', codeowners: false, allowAuthor: false, maxDays: 90 };
const FINDINGS = new Map([
  ['aaa111', 'src/auth.ts'],
  ['bbb222', 'src/other.ts'],
]);
const NOW = new Date('2026-03-10T12:00:00Z');

let nextId = 1;
function c(login: string, body: string, extra: Partial<CommandComment> = {}): CommandComment {
  return { id: nextId++, body, user: { login, type: 'User' }, createdAt: '2026-03-01T09:00:00Z', ...extra };
}

function decide(
  comments: CommandComment[],
  perms: Record<string, RepoPermission> = { maria: 'maintain', alice: 'write', rita: 'read' },
) {
  return decideWaivers(
    extractWaiverCommands(comments),
    { permissions: new Map(Object.entries(perms)), teamMembership: new Map() },
    { policy: POLICY, prAuthor: 'alice', findings: FINDINGS, pendingApproval: new Set(['aaa111']), now: NOW },
  );
}

describe('/readiness approve', () => {
  it('parses with an optional note and refuses a missing id', () => {
    expect(parseCommand('/readiness approve `aaa111`')).toEqual([{ kind: 'approve', findingId: 'aaa111', line: 1 }]);
    expect(parseCommand('/readiness approve aaa111 checked the staging config')).toEqual([
      { kind: 'approve', findingId: 'aaa111', reason: 'checked the staging config', line: 1 },
    ]);
    expect(parseCommand('/readiness approve')).toMatchObject([{ kind: 'error', code: 'missing-finding-id' }]);
  });

  it('a maintainer’s approval of a pending finding applies, with no end date', () => {
    const d = decide([c('maria', '/readiness approve aaa111')]);
    expect(d.waivers).toEqual([{ findingId: 'aaa111', by: 'maria', reason: '', kind: 'approve' }]);
    expect(d.accepted).toMatchObject([{ kind: 'approve', findingId: 'aaa111', via: 'maintain permission' }]);
  });

  it('refuses the author, people below the policy, and findings that are not pending approval', () => {
    const d = decide([
      c('alice', '/readiness approve aaa111'),
      c('rita', '/readiness approve aaa111'),
      c('maria', '/readiness approve bbb222'),
    ]);
    expect(d.waivers).toEqual([]);
    expect(d.refused.map((r) => r.reason)).toEqual([
      expect.stringContaining('may not approve its own suppression comments'),
      expect.stringContaining('approvals, like waivers, need `maintain`'),
      expect.stringContaining('has no suppression comment added by this pull request awaiting approval'),
    ]);
  });

  it('unwaive withdraws an approval', () => {
    const d = decide([c('maria', '/readiness approve aaa111'), c('maria', '/readiness unwaive aaa111')]);
    expect(d.waivers).toEqual([]);
  });
});

describe('commands in comments someone else edited', () => {
  it('are refused, naming the editor; the author’s own edits still count', () => {
    const d = decide([
      c('maria', '/readiness waive bbb222 fine', { lastEditor: 'alice' }),
      c('maria', '/readiness approve aaa111', { lastEditor: null }),
      c('maria', '/readiness waive bbb222 reviewed', { lastEditor: 'Maria' }),
    ]);
    expect(d.refused.map((r) => [r.findingId, r.reason])).toEqual([
      ['bbb222', expect.stringContaining('last edited by @alice, not by its author')],
      ['aaa111', expect.stringContaining('last edited by an account GitHub no longer names')],
    ]);
    expect(d.waivers.map((w) => [w.findingId, w.reason])).toEqual([['bbb222', 'reviewed']]);
  });
});

describe('the last editor, from GraphQL (fake GitHub)', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    fake.addToken('ghs_t', { login: 'github-actions[bot]', app: true });
    fake.seedRepo({
      owner: 'acme',
      repo: 'shop',
      commits: { ['b'.repeat(40)]: { 'README.md': '#\n' } },
      branches: { main: 'b'.repeat(40) },
      pulls: [
        {
          number: 7,
          user: 'alice',
          head: { sha: 'b'.repeat(40), ref: 'f' },
          base: { sha: 'b'.repeat(40), ref: 'main' },
        },
      ],
    });
  });
  afterAll(() => fake.close());

  it('reads who last edited each command comment, and leaves the others alone', async () => {
    const octokit = createOctokit({ token: 'ghs_t', baseUrl: fake.url, retries: 0, throttle: { enabled: false } });
    const untouched = fake.addComment('acme', 'shop', 7, '/readiness waive aaa111 ok', 'maria');
    const forged = fake.addComment('acme', 'shop', 7, 'LGTM', 'maria');
    fake.editComment('acme', 'shop', forged.id, '/readiness waive aaa111 ok', 'alice');
    const mended = fake.addComment('acme', 'shop', 7, 'x', 'maria');
    fake.editComment('acme', 'shop', mended.id, '/readiness waive aaa111 forged', 'alice');
    fake.editComment('acme', 'shop', mended.id, '/readiness waive aaa111 mine', 'maria');
    const chat = fake.addComment('acme', 'shop', 7, 'no command here', 'bob');
    fake.editComment('acme', 'shop', chat.id, 'still none', 'alice');

    const comments = await withLastEditors(
      octokit,
      await listIssueComments(octokit, { owner: 'acme', repo: 'shop', issueNumber: 7 }),
    );
    const byId = new Map(comments.map((x) => [x.id, x]));
    expect(byId.get(untouched.id)!.lastEditor).toBeUndefined();
    expect(byId.get(forged.id)!.lastEditor).toBe('alice');
    expect(byId.get(mended.id)!.lastEditor).toBe('maria');
    // No command: not asked about.
    expect(byId.get(chat.id)!.lastEditor).toBeUndefined();
    expect(fake.requestsFor('graphql')).toHaveLength(1);
    fake.assertNoUnexpected();
  });

  it('a node GitHub does not resolve is absent from the answer', async () => {
    const octokit = createOctokit({ token: 'ghs_t', baseUrl: fake.url, retries: 0, throttle: { enabled: false } });
    const editors = await lastEditorsOf(octokit, [Buffer.from('IC_999999').toString('base64')]);
    expect(editors.size).toBe(0);
  });
});
