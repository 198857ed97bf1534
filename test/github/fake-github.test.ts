/**
 * The fake GitHub itself: if it accepted what GitHub rejects, every end-to-end test built on it would
 * be lying. These tests talk to it over plain HTTP, without Octokit.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, createSign } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../support/fake-github/index.js';
import { loadOpenApi } from '../support/fake-github/openapi.js';
import { BASE_SHA, FORK_TOKEN, HEAD_SHA, OWNER, REPO, USER_TOKEN, raw, startSeededFake } from './helpers.js';

let fake: FakeGitHub;
beforeEach(async () => {
  fake = await startSeededFake();
});
afterEach(async () => {
  await fake.close();
});

const repoPath = `/repos/${OWNER}/${REPO}`;
const annotation = (i: number) => ({
  path: 'src/app.ts',
  start_line: i + 1,
  end_line: i + 1,
  annotation_level: 'warning',
  message: `m${i}`,
});

describe('OpenAPI validation', () => {
  it('rejects a check run with an invalid enum value and records it as unexpected', async () => {
    const res = await raw(fake, 'POST', `${repoPath}/check-runs`, {
      body: { name: 'readiness', head_sha: HEAD_SHA, conclusion: 'green' },
    });
    expect(res.status).toBe(422);
    expect(res.json.message).toContain('/conclusion');
    expect(res.json.errors[0]).toMatchObject({ field: '/conclusion', code: 'invalid' });
    expect(fake.unexpected).toEqual([expect.objectContaining({ kind: 'invalid-body', operationId: 'checks/create' })]);
    expect(fake.checkRuns(OWNER, REPO)).toEqual([]);
  });

  it('rejects a body missing a required property', async () => {
    const res = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: { text: 'wrong field' } });
    expect(res.status).toBe(422);
    expect(res.json.message).toContain('"body"');
    expect(fake.comments(OWNER, REPO, 7)).toEqual([]);
  });

  it('answers 404 naming the method when the path exists but the method does not', async () => {
    const res = await raw(fake, 'POST', `${repoPath}/pulls/7/files`, { body: {} });
    expect(res.status).toBe(404);
    expect(res.json.message).toContain('POST is not an operation of /repos/{owner}/{repo}/pulls/{pull_number}/files');
    expect(fake.unexpected[0]?.kind).toBe('unknown-method');
  });

  it('answers 404 naming the path when no operation matches', async () => {
    const res = await raw(fake, 'GET', `${repoPath}/readiness-scores`);
    expect(res.status).toBe(404);
    expect(res.json.message).toContain(`GET ${repoPath}/readiness-scores`);
    expect(fake.unexpected[0]?.kind).toBe('unknown-route');
  });

  it('validates query parameters against their schemas', async () => {
    const res = await raw(fake, 'GET', `${repoPath}/pulls/7/files?per_page=lots`);
    expect(res.status).toBe(422);
    expect(res.json.message).toContain('per_page');
    expect(fake.unexpected[0]?.kind).toBe('invalid-params');
  });

  it('rejects JSON that does not parse with 400', async () => {
    const res = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: '{"body": ' });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Problems parsing JSON');
  });

  it('answers 501 for documented operations it does not implement, and says so', async () => {
    const res = await raw(fake, 'GET', `${repoPath}/releases`);
    expect(res.status).toBe(501);
    expect(fake.unexpected[0]).toMatchObject({ kind: 'not-implemented', operationId: 'repos/list-releases' });
  });

  it('checks responses by type, so a wrongly shaped fake answer would be caught', () => {
    const match = loadOpenApi().match('GET', `${repoPath}/pulls/7`);
    if (match.kind !== 'operation') throw new Error('pulls/get not found');
    expect(loadOpenApi().validateResponse(match.operation, 200, { number: 7, state: 'open' })).toEqual([]);
    expect(loadOpenApi().validateResponse(match.operation, 200, { number: '7' })).toEqual([
      expect.objectContaining({ field: '/number' }),
    ]);
  });

  it('serves a tour of the implemented reads with responses that match the documented types', async () => {
    for (const path of [
      `${repoPath}`,
      `${repoPath}/pulls/7`,
      `${repoPath}/pulls/7/files`,
      `${repoPath}/issues/7/comments`,
      `${repoPath}/contents/src/app.ts?ref=${HEAD_SHA}`,
      `${repoPath}/contents/src?ref=${HEAD_SHA}`,
      `${repoPath}/git/trees/${HEAD_SHA}?recursive=1`,
      `${repoPath}/compare/${BASE_SHA}...${HEAD_SHA}`,
      `${repoPath}/collaborators/maria/permission`,
      `${repoPath}/commits/${HEAD_SHA}/check-runs`,
      '/rate_limit',
    ]) {
      const res = await raw(fake, 'GET', path);
      expect(res.status, path).toBe(200);
    }
    await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: { body: 'hello' } });
    await raw(fake, 'POST', `${repoPath}/check-runs`, {
      body: { name: 'readiness', head_sha: HEAD_SHA, status: 'in_progress' },
    });
    fake.assertNoUnexpected();
  });
});

describe('authentication', () => {
  it('requires a token except where GitHub does not', async () => {
    expect((await raw(fake, 'GET', `${repoPath}/pulls/7`, { token: null })).status).toBe(401);
    expect((await raw(fake, 'GET', `${repoPath}/pulls/7`, { token: 'nonsense' })).json.message).toBe('Bad credentials');
    expect((await raw(fake, 'GET', '/rate_limit', { token: null })).status).toBe(200);
  });

  it('gives a read-only token 403 "Resource not accessible by integration" on writes but lets it read', async () => {
    const write = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { token: FORK_TOKEN, body: { body: 'hi' } });
    expect(write.status).toBe(403);
    expect(write.json.message).toBe('Resource not accessible by integration');
    expect(write.headers.get('x-accepted-github-permissions')).toContain('issues=write');
    expect((await raw(fake, 'GET', `${repoPath}/pulls/7`, { token: FORK_TOKEN })).status).toBe(200);
    expect(fake.comments(OWNER, REPO, 7)).toEqual([]);
  });

  it('only lets GitHub Apps write check runs', async () => {
    const res = await raw(fake, 'POST', `${repoPath}/check-runs`, {
      token: USER_TOKEN,
      body: { name: 'x', head_sha: HEAD_SHA },
    });
    expect(res.status).toBe(403);
    expect(res.json.message).toContain('GitHub App');
  });

  it('authors comments as the token identity, with performed_via_github_app for app tokens', async () => {
    const bot = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: { body: 'from the action' } });
    const human = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, {
      token: USER_TOKEN,
      body: { body: 'from a human' },
    });
    expect(bot.json.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' });
    expect(bot.json.performed_via_github_app).toMatchObject({ slug: 'github-actions' });
    expect(human.json.user).toMatchObject({ login: 'reviewer', type: 'User' });
    expect(human.json.performed_via_github_app).toBeNull();
  });

  it('exchanges an app JWT for an installation token that comments as <slug>[bot] and only sees its installation', async () => {
    fake.addApp({
      id: 4242,
      slug: 'readiness-gates',
      installations: [{ id: 99, account: OWNER, repositories: [REPO] }],
    });
    fake.seedRepo({ owner: OWNER, repo: 'elsewhere', commits: { [BASE_SHA]: { a: 'a' } } });
    const jwt = signJwt(4242);
    expect(
      (await raw(fake, 'GET', '/app', { token: null, headers: { authorization: `Bearer ${jwt}` } })).json.slug,
    ).toBe('readiness-gates');
    expect(
      (await raw(fake, 'GET', `${repoPath}/installation`, { token: null, headers: { authorization: `Bearer ${jwt}` } }))
        .json.id,
    ).toBe(99);
    // A JWT is not accepted on repository endpoints, and an installation token not on /app ones.
    expect(
      (await raw(fake, 'GET', `${repoPath}/pulls/7`, { token: null, headers: { authorization: `Bearer ${jwt}` } }))
        .status,
    ).toBe(401);
    const issued = await raw(fake, 'POST', '/app/installations/99/access_tokens', {
      token: null,
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(issued.status).toBe(201);
    const token = issued.json.token as string;
    const comment = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { token, body: { body: 'hi' } });
    expect(comment.json.user.login).toBe('readiness-gates[bot]');
    expect(comment.json.performed_via_github_app.slug).toBe('readiness-gates');
    expect((await raw(fake, 'GET', `/repos/${OWNER}/elsewhere`, { token })).status).toBe(404);
    expect((await raw(fake, 'GET', '/app', { token })).status).toBe(401);
    fake.assertNoUnexpected();
  });
});

describe('GitHub limits', () => {
  it('rejects a comment body over 65,536 characters and accepts one at the limit', async () => {
    expect(
      (await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: { body: 'x'.repeat(65_536) } })).status,
    ).toBe(201);
    const res = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: { body: 'x'.repeat(65_537) } });
    expect(res.status).toBe(422);
    expect(res.json.errors[0].message).toContain('maximum is 65536');
    expect(fake.unexpected.map((u) => u.kind)).toEqual(['limit']);
  });

  it('rejects a check run summary over 65,535 characters', async () => {
    const res = await raw(fake, 'POST', `${repoPath}/check-runs`, {
      body: { name: 'r', head_sha: HEAD_SHA, output: { title: 't', summary: 's'.repeat(65_536) } },
    });
    expect(res.status).toBe(422);
    expect(fake.checkRuns(OWNER, REPO)).toEqual([]);
  });

  it('rejects 51 annotations in one request with 422 and accepts 50', async () => {
    const body = (n: number) => ({
      name: 'r',
      head_sha: HEAD_SHA,
      output: { title: 't', summary: 's', annotations: Array.from({ length: n }, (_, i) => annotation(i)) },
    });
    expect((await raw(fake, 'POST', `${repoPath}/check-runs`, { body: body(51) })).status).toBe(422);
    const ok = await raw(fake, 'POST', `${repoPath}/check-runs`, { body: body(50) });
    expect(ok.status).toBe(201);
    expect(ok.json.output.annotations_count).toBe(50);
  });

  it('accumulates annotations across updates, and a rejected update changes nothing', async () => {
    const created = await raw(fake, 'POST', `${repoPath}/check-runs`, {
      body: { name: 'r', head_sha: HEAD_SHA, output: { title: 't', summary: 's', annotations: [annotation(0)] } },
    });
    const id = created.json.id as number;
    await raw(fake, 'PATCH', `${repoPath}/check-runs/${id}`, {
      body: { output: { title: 't', summary: 's2', annotations: [annotation(1), annotation(2)] } },
    });
    const multiLineColumns = { ...annotation(3), end_line: 9, start_column: 1, end_column: 2 };
    const rejected = await raw(fake, 'PATCH', `${repoPath}/check-runs/${id}`, {
      body: { conclusion: 'success', output: { title: 't', summary: 's3', annotations: [multiLineColumns] } },
    });
    expect(rejected.status).toBe(422);
    const run = fake.checkRuns(OWNER, REPO)[0]!;
    expect(run.annotations.map((a) => a.message)).toEqual(['m0', 'm1', 'm2']);
    expect(run).toMatchObject({ status: 'queued', conclusion: null, output: { summary: 's2' } });
  });

  it('requires a conclusion for a completed check run and a known head sha', async () => {
    expect(
      (
        await raw(fake, 'POST', `${repoPath}/check-runs`, {
          body: { name: 'r', head_sha: HEAD_SHA, status: 'completed' },
        })
      ).status,
    ).toBe(422);
    expect(
      (await raw(fake, 'POST', `${repoPath}/check-runs`, { body: { name: 'r', head_sha: 'f'.repeat(40) } })).json
        .errors[0].message,
    ).toContain('No commit found');
  });

  it('refuses the PR diff media type over 300 files with 406, as GitHub does', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      pulls: [{ number: 8, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA }, files: manyFiles(301) }],
    });
    const res = await raw(fake, 'GET', `${repoPath}/pulls/8`, { headers: { accept: 'application/vnd.github.diff' } });
    expect(res.status).toBe(406);
    const small = await raw(fake, 'GET', `${repoPath}/pulls/7`, { headers: { accept: 'application/vnd.github.diff' } });
    expect(small.text).toContain('+++ b/db/001.sql');
  });
});

describe('state', () => {
  it('lists PR files with real patches, renames and GitHub-style Link pagination', async () => {
    const files = await raw(fake, 'GET', `${repoPath}/pulls/7/files`);
    expect(files.json.map((f: { filename: string; status: string }) => `${f.status} ${f.filename}`)).toEqual([
      'added db/001.sql',
      'modified src/app.ts',
    ]);
    expect(files.json[1].patch).toBe('@@ -1,1 +1,1 @@\n-export const a = 1;\n+export const a = 2;');

    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      pulls: [{ number: 9, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA }, files: manyFiles(250) }],
    });
    const page2 = await raw(fake, 'GET', `${repoPath}/pulls/9/files?per_page=100&page=2`);
    expect(page2.json).toHaveLength(100);
    const link = page2.headers.get('link')!;
    expect(link).toContain(`<${fake.url}${repoPath}/pulls/9/files?per_page=100&page=3>; rel="next"`);
    expect(link).toContain('page=3>; rel="last"');
    expect(link).toContain('page=1>; rel="first"');
    expect(link).toContain('rel="prev"');
  });

  it('marks files without a trailing newline in patches', async () => {
    fake.seedRepo({
      owner: OWNER,
      repo: 'eol',
      commits: { b: { 'a.txt': 'one\ntwo' }, h: { 'a.txt': 'one\ntwo\n' } },
      pulls: [{ number: 1, head: { sha: 'h' }, base: { sha: 'b' } }],
    });
    const res = await raw(fake, 'GET', `/repos/${OWNER}/eol/pulls/1/files`);
    expect(res.json[0].patch).toBe('@@ -1,2 +1,2 @@\n one\n-two\n\\ No newline at end of file\n+two');
  });

  it('serves contents as base64 (404 when missing) and trees and blobs with real git shas', async () => {
    const file = await raw(fake, 'GET', `${repoPath}/contents/src%2Fapp.ts?ref=${HEAD_SHA}`);
    expect(Buffer.from(file.json.content, 'base64').toString()).toBe('export const a = 2;\n');
    // `git hash-object` of "export const a = 2;\n"
    expect(file.json.sha).toBe('66d48fc1e6c22993b92f606edc7e45d9ce689810');
    expect((await raw(fake, 'GET', `${repoPath}/contents/db/001.sql?ref=${BASE_SHA}`)).status).toBe(404);
    expect((await raw(fake, 'GET', `${repoPath}/contents/db/001.sql?ref=nope`)).json.message).toContain(
      'No commit found',
    );
    const tree = await raw(fake, 'GET', `${repoPath}/git/trees/${HEAD_SHA}?recursive=1`);
    // `git write-tree` of the same three files
    expect(tree.json.sha).toBe('45690d74ee2c65a0a205c9ba303b60e11a773389');
    expect(tree.json.tree.map((e: { path: string }) => e.path)).toEqual([
      'README.md',
      'db',
      'db/001.sql',
      'src',
      'src/app.ts',
    ]);
    const flat = await raw(fake, 'GET', `${repoPath}/git/trees/${HEAD_SHA}`);
    expect(flat.json.tree.map((e: { path: string }) => e.path)).toEqual(['README.md', 'db', 'src']);
    const blob = await raw(fake, 'GET', `${repoPath}/git/blobs/${file.json.sha}`);
    expect(Buffer.from(blob.json.content, 'base64').toString()).toBe('export const a = 2;\n');
  });

  it('answers compare with the merge base and the three-dot file list', async () => {
    const res = await raw(fake, 'GET', `${repoPath}/compare/main...feature`);
    expect(res.json).toMatchObject({
      status: 'ahead',
      ahead_by: 1,
      behind_by: 0,
      merge_base_commit: { sha: BASE_SHA },
    });
    expect(res.json.files.map((f: { filename: string }) => f.filename)).toEqual(['db/001.sql', 'src/app.ts']);
  });

  it('reports role_name and the legacy permission for collaborators', async () => {
    const maria = await raw(fake, 'GET', `${repoPath}/collaborators/maria/permission`);
    expect(maria.json).toMatchObject({ permission: 'write', role_name: 'maintain' });
    const stranger = await raw(fake, 'GET', `${repoPath}/collaborators/stranger/permission`);
    expect(stranger.json).toMatchObject({ permission: 'read', role_name: 'read' });
  });

  it('records every request with its operation, status, body and identity', async () => {
    await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: { body: 'hi' } });
    await raw(fake, 'GET', `${repoPath}/issues/7/comments`);
    expect(fake.requests.map((r) => [r.method, r.operationId, r.status, r.login])).toEqual([
      ['POST', 'issues/create-comment', 201, 'github-actions[bot]'],
      ['GET', 'issues/list-comments', 200, 'github-actions[bot]'],
    ]);
    expect(fake.requests[0]?.body).toEqual({ body: 'hi' });
    expect(fake.writes()).toHaveLength(1);
  });
});

describe('faults', () => {
  it('answers the next N matching requests with the injected status, then recovers', async () => {
    fake.injectFault({ operationId: 'pulls/get', status: 502, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await raw(fake, 'GET', `${repoPath}/pulls/7`)).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(fake.requests.map((r) => r.fault ?? false)).toEqual([true, true, false]);
    expect(fake.pendingFaults()).toEqual([]);
  });

  it('imitates a secondary rate limit with retry-after, matching by method and path glob', async () => {
    fake.injectFault({ method: 'POST', path: `${repoPath}/issues/*/comments`, status: 403, retryAfter: 7 });
    expect((await raw(fake, 'GET', `${repoPath}/issues/7/comments`)).status).toBe(200);
    const res = await raw(fake, 'POST', `${repoPath}/issues/7/comments`, { body: { body: 'x' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.json.message).toMatch(/secondary rate limit/);
  });

  it('delays answers', async () => {
    fake.injectFault({ operationId: 'pulls/get', delayMs: 150 });
    const started = Date.now();
    expect((await raw(fake, 'GET', `${repoPath}/pulls/7`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fails a seeded, repeatable fraction of requests in probability mode', async () => {
    const run = async () => {
      const f = await startSeededFake();
      f.injectFault({ rate: 0.3, status: 500 });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await raw(f, 'GET', '/rate_limit')).status);
      await f.close();
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const failures = first.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(24);
  });
});

describe('standalone process', () => {
  it('starts with tsx, prints its URL, and is driven through the control API', async () => {
    const server = fileURLToPath(new URL('../support/fake-github/server.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', server, '--no-validate-responses'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! });
      const [first] = (await once(lines, 'line')) as [string];
      const url = /^FAKE_GITHUB_URL=(http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1];
      expect(url).toBeDefined();
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      expect((await post('/_fake/tokens', { token: 't', login: 'github-actions[bot]', app: true })).status).toBe(204);
      expect(
        (
          await post('/_fake/seed', {
            owner: 'o',
            repo: 'r',
            commits: { s: { 'bin.dat': { base64: 'AAEC' } } },
            pulls: [{ number: 1, head: { sha: 's' }, base: { sha: 's' } }],
          })
        ).status,
      ).toBe(204);
      const created = await fetch(`${url}/repos/o/r/issues/1/comments`, {
        method: 'POST',
        headers: { authorization: 'token t' },
        body: JSON.stringify({ body: 'hello' }),
      });
      expect(created.status).toBe(201);
      const state = (await (await fetch(`${url}/_fake/repos/o/r`)).json()) as {
        comments: Array<{ body: string; login: string }>;
      };
      expect(state.comments).toEqual([expect.objectContaining({ body: 'hello', login: 'github-actions[bot]' })]);
      const recorded = (await (await fetch(`${url}/_fake/requests`)).json()) as Array<{ operationId: string }>;
      expect(recorded.map((r) => r.operationId)).toEqual(['issues/create-comment']);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }, 15_000);
});

function manyFiles(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    filename: `gen/file-${String(i).padStart(4, '0')}.ts`,
    status: 'added' as const,
    additions: 1,
    deletions: 0,
    patch: '@@ -0,0 +1,1 @@\n+x',
  }));
}

/** An RS256 JWT as GitHub Apps send it; the fake reads `iss` and `exp` but does not verify the signature. */
function signJwt(appId: number): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iat: now - 60, exp: now + 540, iss: appId })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}
