/**
 * Runs the bundled Action the way GitHub does: `node dist/index.js` in a child process, with the runner's
 * environment (GITHUB_EVENT_NAME/PATH, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, INPUT_* from action.yml's
 * defaults) and GITHUB_API_URL pointing at the fake GitHub. The repository is a throw-away git repository;
 * the fake is seeded with the same commits (real shas) so check runs, comments and the API fallback line up.
 * Event payloads are real ones from @octokit/webhooks-examples, adjusted to this repository.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js';
import { TestRepo } from '../source/helpers.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OWNER = 'acme';
export const REPO = 'shop';
/** The workflow's GITHUB_TOKEN (an installation token of the github-actions app). */
export const TOKEN = 'ghs_actions_token';
/** The GITHUB_TOKEN of a `pull_request` run from a fork: read-only. */
export const FORK_TOKEN = 'ghs_fork_token';
export const ZERO_SHA = '0'.repeat(40);

const dirs: string[] = [];

/**
 * The node binary that runs the bundle: this one (Node 20 here), or `ACTION_NODE=/path/to/node24` to run the
 * suite on the runtime action.yml declares (`npx -y node@24 -p process.execPath` prints one).
 */
const ACTION_NODE = process.env['ACTION_NODE'] || process.execPath;

/** A temporary directory removed by {@link cleanup}. */
export function tempDir(prefix = 'rg-action-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Removes every temporary directory. */
export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

let distCopy: string | undefined;

/**
 * dist/ copied to a directory outside the repository, so the bundle cannot resolve anything from
 * node_modules: what runs is exactly what GitHub would download.
 */
export function distEntry(): string {
  if (!distCopy) {
    distCopy = join(tempDir('rg-dist-'), 'dist');
    cpSync(join(ROOT, 'dist'), distCopy, { recursive: true });
  }
  return join(distCopy, 'index.js');
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Array<Record<string, any>>;
}>;

/** A deep copy of the first example payload of an event (optionally with a given action). */
export function example(event: string, action?: string): Record<string, any> {
  const found = examples
    .find((e) => e.name === event)
    ?.examples.find((x) => action === undefined || x.action === action);
  if (!found) throw new Error(`no webhooks example for ${event}${action ? `.${action}` : ''}`);
  return structuredClone(found);
}

/** Points a payload's `repository` at acme/shop. */
function ownRepository(payload: Record<string, any>): Record<string, any> {
  if (payload.repository) {
    payload.repository.name = REPO;
    payload.repository.full_name = `${OWNER}/${REPO}`;
    payload.repository.owner.login = OWNER;
    payload.repository.default_branch = 'main';
  }
  return payload;
}

/** A real `pull_request` payload for PR `number` of acme/shop. */
export function pullRequestPayload(o: {
  number: number;
  base: string;
  head: string;
  author?: string;
  fork?: boolean;
  action?: string;
}): Record<string, any> {
  const p = ownRepository(example('pull_request', o.action ?? 'opened'));
  p.action = o.action ?? 'opened';
  p.number = o.number;
  const pr = p.pull_request;
  pr.number = o.number;
  pr.user.login = o.author ?? 'alice';
  pr.base.sha = o.base;
  pr.base.ref = 'main';
  pr.base.repo.full_name = `${OWNER}/${REPO}`;
  pr.base.repo.name = REPO;
  pr.base.repo.owner.login = OWNER;
  pr.head.sha = o.head;
  pr.head.ref = 'feature';
  pr.head.repo.full_name = o.fork ? `forker/${REPO}` : `${OWNER}/${REPO}`;
  pr.head.repo.owner.login = o.fork ? 'forker' : OWNER;
  pr.head.repo.fork = Boolean(o.fork);
  return p;
}

/** A real `issue_comment` payload for a comment on PR `number`. */
export function issueCommentPayload(o: {
  number: number;
  commentId: number;
  body: string;
  login: string;
  action?: 'created' | 'edited' | 'deleted';
  sender?: string;
}): Record<string, any> {
  const p = ownRepository(example('issue_comment', o.action ?? 'created'));
  p.action = o.action ?? 'created';
  p.issue.number = o.number;
  // The examples are comments on issues; a PR's issue carries `pull_request`.
  p.issue.pull_request = {
    url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${o.number}`,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${o.number}`,
    diff_url: `https://github.com/${OWNER}/${REPO}/pull/${o.number}.diff`,
    patch_url: `https://github.com/${OWNER}/${REPO}/pull/${o.number}.patch`,
  };
  p.comment.id = o.commentId;
  p.comment.body = o.body;
  p.comment.user.login = o.login;
  p.comment.user.type = 'User';
  // Who made the change: the author, unless someone else edited the comment.
  if (p.sender) {
    p.sender.login = o.sender ?? o.login;
    p.sender.type = 'User';
  }
  return p;
}

/** A real `merge_group` payload for a queue entry of PR `pr`. */
export function mergeGroupPayload(o: { base: string; head: string; pr: number }): Record<string, any> {
  const p = ownRepository(example('merge_group', 'checks_requested'));
  p.merge_group.base_sha = o.base;
  p.merge_group.head_sha = o.head;
  p.merge_group.base_ref = 'refs/heads/main';
  p.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-${o.pr}-${o.base}`;
  return p;
}

/** A real `push` payload. */
export function pushPayload(o: { before: string; after: string; ref?: string }): Record<string, any> {
  const p = ownRepository(example('push'));
  p.ref = o.ref ?? 'refs/heads/main';
  p.before = o.before;
  p.after = o.after;
  p.created = o.before === ZERO_SHA;
  p.deleted = false;
  return p;
}

/** A real `workflow_run` payload (completed) for the run that checked `headSha`. */
export function workflowRunPayload(o: { headSha: string }): Record<string, any> {
  const p = ownRepository(example('workflow_run', 'completed'));
  p.workflow_run.head_sha = o.headSha;
  // GitHub leaves this empty when the run came from a fork.
  p.workflow_run.pull_requests = [];
  return p;
}

/** action.yml's inputs with their defaults, as the runner turns them into INPUT_* variables. */
function defaultInputs(token: string): Record<string, string> {
  const spec = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const out: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    out[name] = String(input.default ?? '').replace('${{ github.token }}', token);
  }
  return out;
}

/** What one run left behind. */
export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The job summary file's content. */
  summary: string;
  outputs: Record<string, string>;
  /** Lines of stdout that are workflow commands (`::error …`, `::notice …`). */
  commands: string[];
  /** Milliseconds from spawn to the first stdout byte, and to exit. */
  firstOutputMs: number;
  totalMs: number;
}

/** Options of {@link runAction}. */
export interface RunOptions {
  event: string;
  payload: Record<string, any>;
  /** The workspace (a git checkout). */
  workspace: string;
  fake: FakeGitHub;
  token?: string;
  /** Inputs by their action.yml names; unset ones keep their defaults. */
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** Extra node flags (e.g. `--cpu-prof` when profiling). */
  nodeArgs?: string[];
  /** The bundle to run instead of a copy of dist/index.js (benchmarks compare builds). */
  entry?: string;
}

/** Parses the GITHUB_OUTPUT file (`name<<delimiter` blocks written by @actions/core). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

/** Runs dist/index.js once and collects everything it wrote. */
export async function runAction(o: RunOptions): Promise<ActionRun> {
  const dir = tempDir('rg-run-');
  const eventPath = join(dir, 'event.json');
  const summaryPath = join(dir, 'summary.md');
  const outputPath = join(dir, 'output.txt');
  const runnerTemp = join(dir, 'runner-temp');
  mkdirSync(runnerTemp);
  writeFileSync(eventPath, JSON.stringify(o.payload));
  writeFileSync(summaryPath, '');
  writeFileSync(outputPath, '');
  const token = o.token ?? TOKEN;
  const inputs = { ...defaultInputs(token), ...o.inputs };
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_API_URL: o.fake.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: runnerTemp,
    // Test-sized waits: retries after 10 ms, no spacing between writes, retry-after seconds as 100 ms.
    READINESS_GATES_RETRY_BASE_MS: '10',
    READINESS_GATES_WRITE_INTERVAL_MS: '0',
    READINESS_GATES_RETRY_AFTER_UNIT_MS: '100',
    ...o.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  const started = performance.now();
  let firstOutputMs = -1;
  const child = spawn(ACTION_NODE, [...(o.nodeArgs ?? []), o.entry ?? distEntry()], {
    cwd: o.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => {
    if (firstOutputMs < 0) firstOutputMs = performance.now() - started;
    out.push(c);
  });
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  const stdout = Buffer.concat(out).toString('utf8');
  return {
    code,
    stdout,
    stderr: Buffer.concat(err).toString('utf8'),
    summary: readFileSync(summaryPath, 'utf8'),
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    commands: stdout.split('\n').filter((l) => /^::(error|warning|notice)\b/.test(l)),
    firstOutputMs,
    totalMs: performance.now() - started,
  };
}

/** Every file of a commit, path → content (for seeding the fake with the same tree). */
export function filesAt(repo: TestRepo, sha: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of repo.git('ls-tree', '-r', '-z', '--name-only', sha).split('\0').filter(Boolean)) {
    out[path] = repo.git('show', `${sha}:${path}`);
  }
  return out;
}

/** A throw-away repository (the "remote" and, unless cloned, the workspace) and the fake GitHub mirroring it. */
export class ActionWorld {
  private constructor(
    readonly fake: FakeGitHub,
    readonly repo: TestRepo,
  ) {}

  /** A fresh repository on `main` with the given first commit, and a fake GitHub with tokens and collaborators. */
  static async create(): Promise<ActionWorld> {
    const fake = await startFakeGitHub();
    fake.addToken(TOKEN, { login: 'github-actions[bot]', app: true });
    fake.addToken(FORK_TOKEN, { login: 'github-actions[bot]', app: true, readOnly: true });
    const dir = tempDir('rg-repo-');
    const repo = new TestRepo(dir);
    repo.git('init', '-q', '-b', 'main');
    return new ActionWorld(fake, repo);
  }

  /** Writes files (null deletes), commits on the current branch, mirrors the commit in the fake; returns its sha. */
  commit(files: Record<string, string | null>, message = 'change'): string {
    for (const [path, content] of Object.entries(files)) {
      if (content === null) rmSync(join(this.repo.dir, path), { force: true });
      else this.repo.write(path, content);
    }
    // Only the given paths: files a run wrote into the workspace (reports, SARIF) stay out of history.
    this.repo.git('add', '-A', '--', ...Object.keys(files));
    return this.mirror(this.repo.commit(message, { stage: false }));
  }

  /** Seeds the fake with a commit of the repository (its files and parents); returns the sha. */
  mirror(sha: string): string {
    const parents = this.repo.git('rev-list', '--parents', '-n', '1', sha).trim().split(' ').slice(1);
    this.fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      commits: { [sha]: filesAt(this.repo, sha) },
      parents: { [sha]: parents },
    });
    return sha;
  }

  /** Creates or moves PR `number` (base `main`) in the fake. */
  pull(o: { number: number; base: string; head: string; author?: string; fork?: boolean }): void {
    this.fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      branches: { main: o.base },
      pulls: [
        {
          number: o.number,
          user: o.author ?? 'alice',
          head: { sha: o.head, ref: 'feature', ...(o.fork ? { repo: `forker/${REPO}` } : {}) },
          base: { sha: o.base, ref: 'main' },
        },
      ],
      permissions: { alice: 'write', maria: 'maintain', rita: 'read' },
    });
  }

  async close(): Promise<void> {
    await this.fake.close();
  }
}

/** The base branch of the example service: a logger and the policy (defaults). */
export const BASE_FILES: Record<string, string> = {
  'package.json': '{ "name": "shop", "type": "module", "dependencies": { "pino": "^9.0.0" } }\n',
  'src/logger.ts': "import pino from 'pino';\n\nexport const logger = pino();\n",
  'src/health.ts': 'export function health() {\n  return { ok: true };\n}\n',
};

/** A login handler that logs the password: a new `pii/sensitive-field-logged` blocker. */
export const LEAKY_AUTH = `import { logger } from './logger.js';

export async function login(req, res) {
  const { username, password } = req.body;
  logger.info(\`login attempt for \${username} with \${password}\`);
  res.sendStatus(204);
}
`;

/** The same handler, fixed: it logs whether a password was given, not the password. */
export const FIXED_AUTH = `import { logger } from './logger.js';

export async function login(req, res) {
  const { username, password } = req.body;
  logger.info({ username, hasPassword: Boolean(password) }, 'login attempt');
  res.sendStatus(204);
}
`;

/** The JSON report a run wrote (its `report-file` output). */
export function reportOf(run: ActionRun): {
  verdict: string;
  findings: Array<{ id: string; ruleId: string; state: string; path: string }>;
  head: { sha: string };
  github?: Record<string, unknown>;
} {
  return JSON.parse(readFileSync(run.outputs['report-file']!, 'utf8'));
}

/** A readable failure message: the run's log, for `expect(…, explain(run))`. */
export function explain(run: ActionRun): string {
  return `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}
