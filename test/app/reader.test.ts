/**
 * src/github/reader.ts against the fake GitHub: the GitHubReader that the app's ChangeSet reads through
 * (PR files paginated up to GitHub's 3,000, recursive trees cached per commit, blobs decoded to exact
 * bytes, comparisons for merge groups capped at 300 files), with retries coming from the Octokit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubReader, createOctokit } from '../../src/github/index.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';

const TOKEN = 'ghs_reader_test_token';
const BASE = '1'.repeat(40);
const HEAD = '2'.repeat(40);
const BINARY = Uint8Array.from([0, 159, 146, 150, 255, 0, 10]);
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.addToken(TOKEN, { login: 'readiness-gates[bot]', app: true });
  const head: Record<string, string | Uint8Array> = { 'README.md': '# r\n', 'img/logo.bin': BINARY };
  for (let i = 0; i < 3005; i++) head[`gen/f${String(i).padStart(4, '0')}.txt`] = `${i}\n`;
  fake.seedRepo({
    owner: 'acme',
    repo: 'big',
    commits: { [BASE]: { 'README.md': '# r\n' }, [HEAD]: head },
    parents: { [HEAD]: [BASE] },
    pulls: [{ number: 1, head: { sha: HEAD }, base: { sha: BASE } }],
  });
});
afterAll(async () => fake?.close());

function octokit() {
  return createOctokit({ token: TOKEN, baseUrl: fake.url, retryBaseMs: 1, throttle: { writeIntervalMs: 0 } });
}

describe('createGitHubReader', () => {
  it('lists a pull request’s files up to 3,000, 100 per page, and says the list was cut', async () => {
    const counted: string[] = [];
    const reader = createGitHubReader(octokit(), {
      owner: 'acme',
      repo: 'big',
      target: { kind: 'pull', pullNumber: 1 },
      onRequest: (w) => void counted.push(w),
    });
    const { files, truncated } = await reader.listPullFiles();
    expect(files).toHaveLength(3000);
    expect(truncated).toBe(true);
    expect(files[0]).toMatchObject({
      filename: 'gen/f0000.txt',
      status: 'added',
      additions: 1,
      changes: 1,
      patch: expect.stringContaining('+0'),
    });
    expect(counted).toEqual(['files']);
    expect(fake.requestsFor('pulls/list-files')).toHaveLength(30);
  });

  it('reads recursive trees once per commit and blobs as exact bytes, retrying a 502', async () => {
    const reader = createGitHubReader(octokit(), {
      owner: 'acme',
      repo: 'big',
      target: { kind: 'pull', pullNumber: 1 },
    });
    fake.clearRequests();
    const [a, b] = await Promise.all([reader.getTree(HEAD), reader.getTree(HEAD)]);
    expect(a).toBe(b);
    expect(fake.requestsFor('git/get-tree')).toHaveLength(1);
    expect(fake.requestsFor('git/get-tree')[0]!.query['recursive']).toBe('1');
    const logo = a.entries.find((e) => e.path === 'img/logo.bin')!;
    expect(logo).toMatchObject({ type: 'blob', mode: '100644', size: BINARY.length });
    expect(a.truncated).toBe(false);
    fake.injectFault({ operationId: 'git/get-blob', status: 502, times: 1 });
    expect(Buffer.from(await reader.getBlob(logo.sha)).equals(Buffer.from(BINARY))).toBe(true);
    expect(fake.requestsFor('git/get-blob').map((r) => r.status)).toEqual([502, 200]);
    fake.assertNoUnexpected();
  });

  it('lists a comparison (merge groups) and marks it cut at GitHub’s 300 files', async () => {
    const reader = createGitHubReader(octokit(), {
      owner: 'acme',
      repo: 'big',
      target: { kind: 'compare', base: BASE, head: HEAD },
    });
    const { files, truncated } = await reader.listPullFiles();
    expect(files).toHaveLength(300);
    expect(truncated).toBe(true);
    fake.assertNoUnexpected();
  });
});
