/**
 * Shared set-up for the GitHub port tests: a fake GitHub with the usual identities and a seeded
 * repository, and Octokits pointed at it with delays shrunk so retries stay fast.
 */
import { createOctokit, type CreateOctokitOptions, type OctokitLog } from '../../src/github/index.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';

/** The Action's GITHUB_TOKEN on a same-repo PR. */
export const ACTIONS_TOKEN = 'ghs_actions_token';
/** The GITHUB_TOKEN of a PR from a fork: read-only. */
export const FORK_TOKEN = 'ghs_fork_token';
/** A personal access token of a human reviewer. */
export const USER_TOKEN = 'ghp_reviewer_token';

export const OWNER = 'acme';
export const REPO = 'shop';
export const BASE_SHA = 'b'.repeat(40);
export const HEAD_SHA = 'c'.repeat(40);

/** A fake GitHub with tokens and `acme/shop` PR #7 (base → head) seeded. */
export async function startSeededFake(): Promise<FakeGitHub> {
  const fake = await startFakeGitHub();
  fake.addToken(ACTIONS_TOKEN, { login: 'github-actions[bot]', app: true });
  fake.addToken(FORK_TOKEN, { login: 'github-actions[bot]', app: true, readOnly: true });
  fake.addToken(USER_TOKEN, { login: 'reviewer' });
  fake.seedRepo({
    owner: OWNER,
    repo: REPO,
    commits: {
      [BASE_SHA]: { 'README.md': '# shop\n', 'src/app.ts': 'export const a = 1;\n' },
      [HEAD_SHA]: {
        'README.md': '# shop\n',
        'src/app.ts': 'export const a = 2;\n',
        'db/001.sql': 'ALTER TABLE t DROP COLUMN c;\n',
      },
    },
    parents: { [HEAD_SHA]: [BASE_SHA] },
    pulls: [
      { number: 7, user: 'alice', head: { sha: HEAD_SHA, ref: 'feature' }, base: { sha: BASE_SHA, ref: 'main' } },
    ],
    permissions: { alice: 'write', maria: 'maintain', tom: 'triage', rita: 'read', ada: 'admin' },
  });
  return fake;
}

/** Collects Octokit's retry notices instead of printing them. */
export function captureLog(): OctokitLog & { messages: string[] } {
  const messages: string[] = [];
  const push = (m: string) => void messages.push(m);
  return { messages, debug: push, info: push, warn: push, error: push };
}

/** An Octokit for the fake with test-sized delays: 5 ms retry base, no write spacing, real retry-after seconds. */
export function testOctokit(fake: FakeGitHub, token = ACTIONS_TOKEN, overrides: Partial<CreateOctokitOptions> = {}) {
  return createOctokit({
    token,
    baseUrl: fake.url,
    retryBaseMs: 5,
    log: captureLog(),
    ...overrides,
    throttle: { writeIntervalMs: 0, ...overrides.throttle },
  });
}

/** A raw request to the fake (no Octokit), for testing the fake itself. */
export async function raw(
  fake: FakeGitHub,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const token = options.token === undefined ? ACTIONS_TOKEN : options.token;
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `token ${token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
