/**
 * The load test's GitHub world: several organisations, each with one repository and one installation of
 * the app, each repository with many pull requests whose head commits alternate between a blocker (a
 * password reaches a log line) and its fix, so the verdict every head must get is known in advance; and
 * the signed webhook deliveries GitHub would send for them, built from @octokit/webhooks-examples.
 */
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

export const APP_ID = 4242;
export const APP_SLUG = 'readiness-gates';
export const SECRET = 'webhook-secret-for-the-load-test';
export const CHECK_NAME = 'Readiness Gates';
/** The sticky comment's marker (src/render's MARKER). */
export const SCORECARD_MARKER = '<!-- readiness-gates:scorecard -->';
/** Head commits seeded per pull request: the pushes the schedule can make. */
export const HEADS_PER_PR = 5;
/** Who writes `/readiness recheck`. */
export const REVIEWER = 'maria';

// The same repository as test/app/support.ts (which imports vitest, so the bench cannot import it).
const LOGGER = "import pino from 'pino';\n\nexport const logger = pino();\n";
const PACKAGE = JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { pino: '^9.0.0' } }, null, 2) + '\n';
const AUTH_BASE =
  "import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username } = req.body;\n  logger.info({ username }, 'login attempt');\n}\n";
/** A password reaches a log line: pii/sensitive-field-logged, a blocker. */
const AUTH_BAD =
  "import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username, password } = req.body;\n  logger.info(`login attempt for ${username} with ${password}`);\n}\n";
/** The fix: only whether a password was given. */
const AUTH_FIXED =
  "import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username, password } = req.body;\n  logger.info({ username, hasPassword: Boolean(password) }, 'login attempt');\n}\n";

function files(auth: string, pr: number, head: number): Record<string, string> {
  // The notes file makes every head's tree distinct, as real pushes are.
  return {
    'package.json': PACKAGE,
    'src/logger.ts': LOGGER,
    'src/auth.ts': auth,
    'README.md': '# shop\n',
    'NOTES.md': `PR ${pr}, push ${head}\n`,
  };
}

function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** One pull request of the world. */
export interface LoadPull {
  owner: string;
  repo: string;
  installationId: number;
  number: number;
  /** Head commits in push order; `heads[0]` is the head when the PR is opened. */
  heads: string[];
  /** Whether each head carries the blocker (its check must fail) or the fix (it must pass). */
  blocked: boolean[];
  base: string;
  branch: string;
}

/** Organisations, repositories and pull requests, plus the fake's seed file content. */
export interface LoadWorld {
  pulls: LoadPull[];
  repos: Array<{ owner: string; repo: string; installationId: number }>;
  seedFile: { apps: unknown[]; repos: unknown[] };
}

/** `prs` pull requests spread over `orgs` organisations (one repository and one installation each). */
export function buildWorld(prs: number, orgs: number): LoadWorld {
  const pulls: LoadPull[] = [];
  const repos: LoadWorld['repos'] = [];
  const seedRepos: unknown[] = [];
  for (let o = 0; o < orgs; o++) {
    const owner = `org${String(o + 1).padStart(2, '0')}`;
    const repo = 'shop';
    const installationId = 100 + o;
    const base = sha(`${owner}/${repo}@base`);
    const commits: Record<string, Record<string, string>> = {
      [base]: { 'package.json': PACKAGE, 'src/logger.ts': LOGGER, 'src/auth.ts': AUTH_BASE, 'README.md': '# shop\n' },
    };
    const parents: Record<string, string[]> = {};
    const seedPulls: unknown[] = [];
    const count = Math.floor(prs / orgs) + (o < prs % orgs ? 1 : 0);
    for (let i = 0; i < count; i++) {
      const number = i + 1;
      const heads: string[] = [];
      const blocked: boolean[] = [];
      for (let h = 0; h < HEADS_PER_PR; h++) {
        const head = sha(`${owner}/${repo}#${number}@${h}`);
        // Alternate, and start differently on odd and even PRs, so final verdicts are mixed.
        const bad = (number + h) % 2 === 0;
        commits[head] = files(bad ? AUTH_BAD : AUTH_FIXED, number, h);
        parents[head] = [h === 0 ? base : heads[h - 1]!];
        heads.push(head);
        blocked.push(bad);
      }
      const branch = `feature-${number}`;
      pulls.push({ owner, repo, installationId, number, heads, blocked, base, branch });
      seedPulls.push({
        number,
        user: 'alice',
        title: `Change ${number}`,
        head: { sha: heads[0], ref: branch },
        base: { sha: base, ref: 'main' },
      });
    }
    repos.push({ owner, repo, installationId });
    seedRepos.push({
      owner,
      repo,
      commits,
      parents,
      branches: { main: base },
      pulls: seedPulls,
      permissions: { alice: 'write', [REVIEWER]: 'maintain' },
    });
  }
  const apps = [
    {
      id: APP_ID,
      slug: APP_SLUG,
      name: 'Readiness Gates',
      installations: repos.map((r) => ({ id: r.installationId, account: r.owner })),
    },
  ];
  return { pulls, repos, seedFile: { apps, repos: seedRepos } };
}

// ---------------------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------------------

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, any>>;
}
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleGroup[];

function example(event: string, action: string): Record<string, any> {
  const group = examples.find((g) => g.name === event);
  const found = group?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no example payload for ${event}.${action}`);
  return structuredClone(found);
}

function user(login: string): Record<string, any> {
  return {
    login,
    id: 1000 + login.length,
    node_id: `U_${login}`,
    type: 'User',
    site_admin: false,
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
  };
}

function adjust(payload: Record<string, any>, pull: LoadPull): void {
  Object.assign(payload['repository'], {
    name: pull.repo,
    full_name: `${pull.owner}/${pull.repo}`,
    html_url: `https://github.com/${pull.owner}/${pull.repo}`,
    url: `https://api.github.com/repos/${pull.owner}/${pull.repo}`,
    default_branch: 'main',
  });
  Object.assign(payload['repository'].owner, { login: pull.owner, type: 'Organization' });
  payload['installation'] = { id: pull.installationId, node_id: `INST_${pull.installationId}` };
}

/** `pull_request.opened` or `.synchronize` for the PR at head `head` (an index into `pull.heads`). */
export function pullRequestPayload(
  action: 'opened' | 'synchronize',
  pull: LoadPull,
  head: number,
): Record<string, any> {
  const payload = example('pull_request', action);
  payload['action'] = action;
  payload['number'] = pull.number;
  adjust(payload, pull);
  const pr = payload['pull_request'];
  Object.assign(pr, {
    number: pull.number,
    state: 'open',
    draft: false,
    html_url: `https://github.com/${pull.owner}/${pull.repo}/pull/${pull.number}`,
    url: `https://api.github.com/repos/${pull.owner}/${pull.repo}/pulls/${pull.number}`,
    user: user('alice'),
  });
  Object.assign(pr.head, {
    sha: pull.heads[head],
    ref: pull.branch,
    label: `${pull.owner}:${pull.branch}`,
    repo: payload['repository'],
  });
  Object.assign(pr.base, { sha: pull.base, ref: 'main', label: `${pull.owner}:main`, repo: payload['repository'] });
  if (action === 'synchronize') {
    payload['before'] = pull.heads[head - 1];
    payload['after'] = pull.heads[head];
  }
  payload['sender'] = user('alice');
  return payload;
}

/** `issue_comment.created` for a comment that exists in the fake. */
export function commentPayload(
  pull: LoadPull,
  comment: { id: number; body: string; login: string },
): Record<string, any> {
  const payload = example('issue_comment', 'created');
  adjust(payload, pull);
  Object.assign(payload['issue'], {
    number: pull.number,
    html_url: `https://github.com/${pull.owner}/${pull.repo}/pull/${pull.number}`,
    state: 'open',
  });
  payload['issue'].pull_request = {
    url: `https://api.github.com/repos/${pull.owner}/${pull.repo}/pulls/${pull.number}`,
    html_url: `https://github.com/${pull.owner}/${pull.repo}/pull/${pull.number}`,
    diff_url: null,
    patch_url: null,
    merged_at: null,
  };
  Object.assign(payload['comment'], { id: comment.id, body: comment.body, user: user(comment.login) });
  payload['sender'] = user(comment.login);
  return payload;
}

/** The headers GitHub sends with a delivery, signed with `secret`. */
export function deliveryHeaders(event: string, id: string, body: string, secret: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/load-test',
    'x-github-event': event,
    'x-github-delivery': id,
    'x-github-hook-installation-target-type': 'integration',
    'x-github-hook-installation-target-id': String(APP_ID),
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}
