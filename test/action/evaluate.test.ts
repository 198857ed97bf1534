/**
 * The Action's evaluation (src/action/evaluate.ts) with waivers: the change is analysed once and judged
 * again with the waivers the PR's comments grant, so a waiver costs no second analysis — the snapshots are
 * read exactly as often as for a PR without any command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/action/evaluate.js';
import type { Snapshot } from '../../src/core/types.js';
import { createOctokit } from '../../src/github/index.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';
import { BASE_FILES, LEAKY_AUTH } from './harness.js';

// Comments are dated by the fake's clock (now), and a waiver may not end before its comment was written.
const NOW = new Date();
const UNTIL = new Date(NOW.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);

/** A change set adding a `pii/sensitive-field-logged` blocker, and a counter of every snapshot read. */
function leakyChange(): { changeSet: ReturnType<typeof memoryChangeSet>; reads: { n: number } } {
  const changeSet = memoryChangeSet({ base: BASE_FILES, head: { ...BASE_FILES, 'src/auth.ts': LEAKY_AUTH } });
  const reads = { n: 0 };
  for (const snapshot of [changeSet.base, changeSet.head] as Snapshot[]) {
    const read = snapshot.read.bind(snapshot);
    const list = snapshot.list.bind(snapshot);
    const grep = snapshot.grep.bind(snapshot);
    snapshot.read = (path) => (reads.n++, read(path));
    snapshot.list = (globs) => (reads.n++, list(globs));
    snapshot.grep = (tokens, globs) => (reads.n++, grep(tokens, globs));
  }
  return { changeSet, reads };
}

describe('the Action’s waivers: analyse once, judge again', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    fake.addToken('ghs_t', { login: 'github-actions[bot]', app: true });
    fake.seedRepo({
      owner: 'acme',
      repo: 'shop',
      commits: { ['b'.repeat(40)]: { 'a.txt': 'a\n' }, ['c'.repeat(40)]: { 'a.txt': 'b\n' } },
      pulls: [{ number: 7, user: 'alice', head: { sha: 'c'.repeat(40) }, base: { sha: 'b'.repeat(40) } }],
      permissions: { maria: 'maintain' },
    });
  });
  afterAll(async () => fake.close());

  it('a maintainer’s waiver turns the report ready without a second analysis', async () => {
    const octokit = createOctokit({ token: 'ghs_t', baseUrl: fake.url, retryBaseMs: 5, throttle: {} });
    const source = { octokit, owner: 'acme', repo: 'shop', pullNumber: 7, prAuthor: 'alice' };
    const log: string[] = [];
    const options = { configPath: '.github/readiness.yml', now: NOW, log: (line: string) => log.push(line) };

    // Without any command: blocked, and the number of reads one analysis takes.
    const plain = leakyChange();
    const first = await evaluate({ ...options, changeSet: plain.changeSet, waiverSource: source });
    expect(first.report.verdict).toBe('blocked');
    expect(first.decision).toBeUndefined();
    const id = first.report.findings.find((f) => f.ruleId === 'pii/sensitive-field-logged' && f.state === 'new')!.id;
    expect(plain.reads.n).toBeGreaterThan(0);

    fake.addComment('acme', 'shop', 7, `/readiness waive ${id} --until ${UNTIL} the sink drops it`, 'maria');
    const waived = leakyChange();
    const second = await evaluate({ ...options, changeSet: waived.changeSet, waiverSource: source });
    expect(second.decision?.accepted.map((a) => [a.login, a.findingId])).toEqual([['maria', id]]);
    expect(second.report.verdict).toBe('ready');
    expect(second.report.findings.find((f) => f.id === id)).toMatchObject({
      state: 'waived',
      suppression: { kind: 'waiver', by: 'maria', reason: 'the sink drops it', until: UNTIL },
    });
    // The waiver was judged, not analysed again: exactly the reads of the PR without commands.
    expect(waived.reads.n).toBe(plain.reads.n);
    expect(log).toEqual([expect.stringMatching(/^Waiver commands: 1 applied, 0 refused; 1 active waiver/)]);
    fake.assertNoUnexpected();
  });
});
