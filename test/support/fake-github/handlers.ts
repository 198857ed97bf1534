/**
 * Handlers of the operations the fake implements, keyed by OpenAPI operationId. Parameters and bodies
 * arrive already validated against the description (query values coerced, defaults applied), so the
 * handlers only enforce what the schema cannot say: existence, ownership, and GitHub's documented
 * limits.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  gitHash,
  type AnnotationRecord,
  type AppRecord,
  type CheckRunRecord,
  type Identity,
  type RepoRecord,
  type SeedPullFile,
} from './state.js';
import {
  appView,
  checkRunView,
  commentView,
  identityView,
  legacyPermission,
  pullView,
  reactionView,
  repoView,
  userView,
  wrappedBase64,
  type Urls,
} from './views.js';
import type { World } from './world.js';

/** GitHub's documented limits, enforced by the fake. */
export const LIMITS = {
  commentBody: 65_536,
  checkRunOutputText: 65_535,
  annotationsPerRequest: 50,
  pullFiles: 3_000,
  pullDiffFiles: 300,
  compareFiles: 300,
  /** Above 1 MB the contents API returns metadata only (`encoding: "none"`, empty content). */
  contentsInlineBytes: 1024 * 1024,
} as const;

/** An error answer; `limit` marks a violated GitHub limit, which the server records as unexpected. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { errors?: unknown[]; headers?: Record<string, string>; limit?: boolean } = {},
  ) {
    super(message);
  }
}

/** Everything a handler may use. */
export interface HandlerContext {
  world: World;
  urls: Urls;
  params: Record<string, unknown>;
  body: Record<string, unknown> | undefined;
  identity: Identity | undefined;
  jwtApp: AppRecord | undefined;
  /** The full request URL, for building Link headers. */
  requestUrl: URL;
  accept: string;
  treeEntryLimit: number;
}

/** A handler's answer: JSON `body`, or `raw` bytes for media types like `application/vnd.github.diff`. */
export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: { contentType: string; data: string | Buffer };
}

type Handler = (ctx: HandlerContext) => HandlerResult;

/** Operations that accept only an app's JWT. */
export const JWT_OPERATIONS = new Set([
  'apps/get-authenticated',
  'apps/create-installation-access-token',
  'apps/get-repo-installation',
  'apps/get-installation',
  'apps/list-installations',
  'apps/get-org-installation',
  'apps/get-user-installation',
]);

/** Operations GitHub answers without authentication. */
export const PUBLIC_OPERATIONS = new Set([
  'rate-limit/get',
  'meta/root',
  'meta/get',
  'meta/get-zen',
  'meta/get-octocat',
  'apps/create-from-manifest',
]);

const notFound = () => new HttpError(404, 'Not Found');

function str(ctx: HandlerContext, name: string): string {
  return String(ctx.params[name]);
}

function num(ctx: HandlerContext, name: string): number {
  return Number(ctx.params[name]);
}

function repoOf(ctx: HandlerContext): RepoRecord {
  const repo = ctx.world.repo(str(ctx, 'owner'), str(ctx, 'repo'));
  // GitHub answers 404, not 403, for repositories the token cannot see.
  if (!repo || !ctx.world.canSee(ctx.identity, repo)) throw notFound();
  return repo;
}

function requireIdentity(ctx: HandlerContext): Identity {
  if (!ctx.identity) throw new HttpError(401, 'Requires authentication');
  return ctx.identity;
}

/** Slices one page and builds GitHub's Link header (next/last/first/prev). */
function paginate<T>(
  ctx: HandlerContext,
  items: T[],
  defaultPerPage = 30,
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.params['per_page'] ?? defaultPerPage) || defaultPerPage));
  const page = Math.max(1, Number(ctx.params['page'] ?? 1) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const at = (p: number) => {
    const u = new URL(ctx.requestUrl);
    u.searchParams.set('page', String(p));
    if (!u.searchParams.has('per_page')) u.searchParams.set('per_page', String(perPage));
    return u.toString();
  };
  const rels: string[] = [];
  if (page < lastPage) rels.push(`<${at(page + 1)}>; rel="next"`, `<${at(lastPage)}>; rel="last"`);
  if (page > 1) rels.push(`<${at(1)}>; rel="first"`, `<${at(Math.min(page - 1, lastPage))}>; rel="prev"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: rels.length ? { link: rels.join(', ') } : {},
  };
}

function validationFailed(resource: string, field: string, message: string, limit = false): HttpError {
  return new HttpError(422, 'Validation Failed', { errors: [{ resource, field, code: 'custom', message }], limit });
}

function pullOf(ctx: HandlerContext, repo: RepoRecord, name: string) {
  const pull = repo.pulls.get(num(ctx, name));
  if (!pull) throw notFound();
  return pull;
}

function commentOf(ctx: HandlerContext, repo: RepoRecord) {
  const comment = repo.comments.get(num(ctx, 'comment_id'));
  if (!comment) throw notFound();
  return comment;
}

function checkCommentBody(body: string): void {
  if (body.length > LIMITS.commentBody) {
    throw validationFailed(
      'IssueComment',
      'data',
      `Body is too long (maximum is ${LIMITS.commentBody} characters)`,
      true,
    );
  }
}

function fileView(ctx: HandlerContext, repo: RepoRecord, f: SeedPullFile) {
  const sha = f.sha ?? gitHash('blob', Buffer.from(f.filename));
  const path = f.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions ?? 0,
    deletions: f.deletions ?? 0,
    changes: (f.additions ?? 0) + (f.deletions ?? 0),
    blob_url: `${ctx.urls.web}/${repo.fullName}/blob/${sha}/${path}`,
    raw_url: `${ctx.urls.web}/${repo.fullName}/raw/${sha}/${path}`,
    contents_url: `${ctx.urls.api}/repos/${repo.fullName}/contents/${path}?ref=${sha}`,
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
    ...(f.previous_filename !== undefined ? { previous_filename: f.previous_filename } : {}),
  };
}

function commitView(ctx: HandlerContext, repo: RepoRecord, sha: string) {
  const url = `${ctx.urls.api}/repos/${repo.fullName}/commits/${sha}`;
  const tree = repo.commits.get(sha) ?? '';
  const who = {
    name: 'Octo Cat',
    email: 'octocat@example.com',
    date: repo.commitDates.get(sha) ?? '2024-01-01T00:00:00Z',
  };
  return {
    url,
    sha,
    node_id: Buffer.from(`C_${sha}`).toString('base64'),
    html_url: `${ctx.urls.web}/${repo.fullName}/commit/${sha}`,
    comments_url: `${url}/comments`,
    commit: {
      url: `${ctx.urls.api}/repos/${repo.fullName}/git/commits/${sha}`,
      author: who,
      committer: who,
      message: `Commit ${sha.slice(0, 7)}`,
      comment_count: 0,
      tree: { sha: tree, url: `${ctx.urls.api}/repos/${repo.fullName}/git/trees/${tree}` },
    },
    author: null,
    committer: null,
    parents: (repo.parents.get(sha) ?? []).map((p) => ({
      sha: p,
      url: `${ctx.urls.api}/repos/${repo.fullName}/commits/${p}`,
    })),
  };
}

function ancestors(repo: RepoRecord, sha: string): Set<string> {
  const seen = new Set<string>();
  const queue = [sha];
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (seen.has(c)) continue;
    seen.add(c);
    queue.push(...(repo.parents.get(c) ?? []));
  }
  return seen;
}

/** A three-dot comparison, as `GET /repos/{owner}/{repo}/compare/{base}...{head}` answers it. */
function compare(ctx: HandlerContext, baseRef: string, headRef: string): HandlerResult {
  const repo = repoOf(ctx);
  const base = repo.resolveCommit(baseRef);
  const head = repo.resolveCommit(headRef);
  if (!base || !head) throw notFound();
  const mergeBase = repo.mergeBase(base, head);
  const headAncestors = ancestors(repo, head);
  const baseAncestors = ancestors(repo, base);
  // Commits seeded without parents are unrelated; the merge base then falls back to the base, and the
  // head counts as one commit ahead of it (what most tests mean by "base" and "head").
  const unrelated = !headAncestors.has(mergeBase);
  const aheadCommits = unrelated ? [head] : [...headAncestors].filter((c) => !baseAncestors.has(c)).reverse();
  const behindBy = unrelated ? 0 : [...baseAncestors].filter((c) => !headAncestors.has(c)).length;
  const aheadBy = base === head ? 0 : aheadCommits.length;
  const status = base === head ? 'identical' : behindBy === 0 ? 'ahead' : aheadBy === 0 ? 'behind' : 'diverged';
  const files = repo.changedFiles(mergeBase, head).slice(0, LIMITS.compareFiles);
  return {
    status: 200,
    body: {
      url: `${ctx.urls.api}/repos/${repo.fullName}/compare/${baseRef}...${headRef}`,
      html_url: `${ctx.urls.web}/${repo.fullName}/compare/${baseRef}...${headRef}`,
      permalink_url: `${ctx.urls.web}/${repo.fullName}/compare/${base}...${head}`,
      diff_url: `${ctx.urls.web}/${repo.fullName}/compare/${baseRef}...${headRef}.diff`,
      patch_url: `${ctx.urls.web}/${repo.fullName}/compare/${baseRef}...${headRef}.patch`,
      base_commit: commitView(ctx, repo, base),
      merge_base_commit: commitView(ctx, repo, mergeBase),
      status,
      ahead_by: aheadBy,
      behind_by: behindBy,
      total_commits: aheadBy,
      commits: (base === head ? [] : aheadCommits).map((c) => commitView(ctx, repo, c)),
      files: files.map((f) => fileView(ctx, repo, f)),
    },
  };
}

function checkAnnotations(annotations: AnnotationRecord[]): void {
  if (annotations.length > LIMITS.annotationsPerRequest) {
    throw validationFailed(
      'CheckRun',
      'annotations',
      `Only ${LIMITS.annotationsPerRequest} annotations are allowed per request`,
      true,
    );
  }
  for (const a of annotations) {
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) {
      throw validationFailed(
        'CheckRun',
        'annotations',
        'start_column and end_column may only be used when start_line and end_line are the same',
        true,
      );
    }
    if (a.end_line < a.start_line)
      throw validationFailed('CheckRun', 'annotations', 'end_line must not be before start_line', true);
  }
}

function checkOutput(output: Record<string, unknown> | undefined): void {
  for (const field of ['summary', 'text'] as const) {
    const value = output?.[field];
    if (typeof value === 'string' && value.length > LIMITS.checkRunOutputText) {
      throw validationFailed(
        'CheckRun',
        `output.${field}`,
        `${field} is too long (maximum is ${LIMITS.checkRunOutputText} characters)`,
        true,
      );
    }
  }
}

/** Applies create/update fields to a check run (annotations append, as on GitHub). */
function applyCheckRunBody(ctx: HandlerContext, run: CheckRunRecord, body: Record<string, unknown>): void {
  const output = body['output'] as Record<string, unknown> | undefined;
  checkOutput(output);
  const annotations = (output?.['annotations'] as AnnotationRecord[] | undefined) ?? [];
  checkAnnotations(annotations);
  if (typeof body['conclusion'] === 'string') {
    run.conclusion = body['conclusion'];
    run.status = 'completed';
    run.completedAt = typeof body['completed_at'] === 'string' ? body['completed_at'] : ctx.world.now();
  } else if (typeof body['status'] === 'string') {
    if (body['status'] === 'completed' && run.conclusion === null) {
      throw validationFailed('CheckRun', 'conclusion', 'conclusion is required when status is completed');
    }
    run.status = body['status'];
  }
  if (typeof body['name'] === 'string') run.name = body['name'];
  if (typeof body['details_url'] === 'string') run.detailsUrl = body['details_url'];
  if (typeof body['external_id'] === 'string') run.externalId = body['external_id'];
  if (typeof body['started_at'] === 'string') run.startedAt = body['started_at'];
  if (output) {
    if (typeof output['title'] === 'string') run.output.title = output['title'];
    if (typeof output['summary'] === 'string') run.output.summary = output['summary'];
    if (typeof output['text'] === 'string') run.output.text = output['text'];
    run.annotations.push(...annotations.map((a) => ({ ...a })));
  }
}

function requireApp(ctx: HandlerContext): AppRecord {
  const identity = requireIdentity(ctx);
  // Only GitHub Apps (including the Actions GITHUB_TOKEN) may write check runs.
  if (!identity.app) throw new HttpError(403, 'You must authenticate via a GitHub App.');
  return identity.app;
}

function installationView(
  ctx: HandlerContext,
  inst: { id: number; appId: number; account: string; repositories: 'all' | string[] },
) {
  const app = ctx.world.apps.get(inst.appId)!;
  return {
    id: inst.id,
    account: userView(ctx.urls, inst.account, 'Organization'),
    repository_selection: inst.repositories === 'all' ? 'all' : 'selected',
    access_tokens_url: `${ctx.urls.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${ctx.urls.api}/installation/repositories`,
    html_url: `${ctx.urls.web}/organizations/${inst.account}/settings/installations/${inst.id}`,
    app_id: inst.appId,
    app_slug: app.slug,
    target_id: 1,
    target_type: 'Organization',
    permissions: { checks: 'write', contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'write' },
    events: ['check_run', 'issue_comment', 'pull_request'],
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

function rateResource() {
  return { limit: 5000, used: 0, remaining: 5000, reset: Math.ceil(Date.now() / 1000) + 3600 };
}

/** The implemented operations. Anything else in the description answers 501 and is recorded as unexpected. */
export const handlers: Record<string, Handler> = {
  'rate-limit/get': () => {
    const core = rateResource();
    return {
      status: 200,
      body: { resources: { core, search: { ...core, limit: 30, remaining: 30 }, graphql: core }, rate: core },
    };
  },

  'meta/root': (ctx) => ({ status: 200, body: { current_user_url: `${ctx.urls.api}/user` } }),

  // The manifest flow's exchange: unauthenticated, the code works once; the answer holds the credentials.
  'apps/create-from-manifest': (ctx) => {
    const code = str(ctx, 'code');
    const pending = ctx.world.manifestCodes.get(code);
    if (!pending) throw notFound();
    ctx.world.manifestCodes.delete(code);
    const name = String(pending.manifest['name'] ?? 'app');
    const slug = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const id = 900_000 + ctx.world.apps.size;
    const app = ctx.world.addApp({ id, slug, name, ...(pending.owner ? { owner: pending.owner } : {}) });
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    ctx.world.appKeys.set(app.id, privateKey);
    const view = appView(ctx.urls, app);
    return {
      status: 201,
      body: { ...view, client_secret: `secret-${id}`, webhook_secret: `whsec-${id}-0123456789`, pem: privateKey },
    };
  },
  'apps/get-authenticated': (ctx) => ({ status: 200, body: appView(ctx.urls, ctx.jwtApp!) }),

  'apps/list-installations': (ctx) => {
    const all = [...ctx.world.installations.values()].filter((i) => i.appId === ctx.jwtApp!.id);
    const page = paginate(ctx, all);
    return { status: 200, body: page.items.map((i) => installationView(ctx, i)), headers: page.headers };
  },

  'apps/get-installation': (ctx) => {
    const inst = ctx.world.installations.get(num(ctx, 'installation_id'));
    if (!inst || inst.appId !== ctx.jwtApp!.id) throw notFound();
    return { status: 200, body: installationView(ctx, inst) };
  },

  'apps/get-repo-installation': (ctx) => {
    const repo = ctx.world.repo(str(ctx, 'owner'), str(ctx, 'repo'));
    const inst = [...ctx.world.installations.values()].find(
      (i) =>
        i.appId === ctx.jwtApp!.id &&
        i.account.toLowerCase() === str(ctx, 'owner').toLowerCase() &&
        (i.repositories === 'all' || i.repositories.some((r) => r.toLowerCase() === str(ctx, 'repo').toLowerCase())),
    );
    if (!repo || !inst) throw notFound();
    return { status: 200, body: installationView(ctx, inst) };
  },

  'apps/create-installation-access-token': (ctx) => {
    const inst = ctx.world.installations.get(num(ctx, 'installation_id'));
    if (!inst || inst.appId !== ctx.jwtApp!.id) throw notFound();
    const { token } = ctx.world.issueInstallationToken(inst);
    return {
      status: 201,
      body: {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: { checks: 'write', contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'write' },
        repository_selection: inst.repositories === 'all' ? 'all' : 'selected',
      },
    };
  },

  'repos/get': (ctx) => {
    const repo = repoOf(ctx);
    return {
      status: 200,
      body: {
        ...repoView(ctx.urls, repo),
        permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      },
    };
  },

  'repos/get-collaborator-permission-level': (ctx) => {
    const repo = repoOf(ctx);
    const username = str(ctx, 'username');
    const listed = [...repo.permissions.entries()].find(
      ([login]) => login.toLowerCase() === username.toLowerCase(),
    )?.[1];
    const role =
      username.toLowerCase() === repo.owner.toLowerCase() ? 'admin' : (listed ?? (repo.private ? 'none' : 'read'));
    return {
      status: 200,
      body: {
        permission: legacyPermission(role),
        role_name: role,
        user: {
          ...userView(ctx.urls, username),
          permissions: {
            admin: role === 'admin',
            maintain: role === 'maintain' || role === 'admin',
            push: ['admin', 'maintain', 'write'].includes(role),
            triage: role !== 'read' && role !== 'none',
            pull: role !== 'none',
          },
          role_name: role,
        },
      },
    };
  },

  'pulls/get': (ctx) => {
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo, 'pull_number');
    if (/application\/vnd\.github(\.v3)?\.diff/.test(ctx.accept)) {
      const files = repo.pullFiles(pull);
      if (files.length > LIMITS.pullDiffFiles) {
        throw new HttpError(
          406,
          `Sorry, the diff exceeded the maximum number of files (${LIMITS.pullDiffFiles}). Consider using 'List pull requests files' API or locally cloning the repository instead.`,
          {
            errors: [{ resource: 'PullRequest', field: 'diff', code: 'too_large' }],
          },
        );
      }
      const diff = files
        .map(
          (f) =>
            `diff --git a/${f.previous_filename ?? f.filename} b/${f.filename}\n--- ${f.status === 'added' ? '/dev/null' : `a/${f.previous_filename ?? f.filename}`}\n+++ ${f.status === 'removed' ? '/dev/null' : `b/${f.filename}`}\n${f.patch ?? ''}\n`,
        )
        .join('');
      return { status: 200, raw: { contentType: 'application/vnd.github.diff; charset=utf-8', data: diff } };
    }
    return { status: 200, body: pullView(ctx.urls, repo, pull) };
  },

  'pulls/list': (ctx) => {
    const repo = repoOf(ctx);
    const state = String(ctx.params['state'] ?? 'open');
    const pulls = [...repo.pulls.values()]
      .filter((p) => state === 'all' || p.state === state)
      .sort((a, b) => b.number - a.number);
    const page = paginate(ctx, pulls);
    return { status: 200, body: page.items.map((p) => pullView(ctx.urls, repo, p)), headers: page.headers };
  },

  'pulls/list-files': (ctx) => {
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo, 'pull_number');
    // GitHub lists at most 3,000 files, whatever the pull request really contains.
    const files = repo.pullFiles(pull).slice(0, LIMITS.pullFiles);
    const page = paginate(ctx, files);
    return { status: 200, body: page.items.map((f) => fileView(ctx, repo, f)), headers: page.headers };
  },

  'repos/compare-commits-with-basehead': (ctx) => {
    const [baseRef, headRef] = str(ctx, 'basehead').split('...');
    if (baseRef === undefined || headRef === undefined) throw notFound();
    return compare(ctx, baseRef, headRef);
  },

  // The description also lists the older `{base}...{head}` template for the same URL; it matches first.
  'repos/compare-commits': (ctx) => compare(ctx, str(ctx, 'base'), str(ctx, 'head')),

  // GitHub lists tags newest name first (not by date) and branches by name.
  'repos/list-tags': (ctx) => {
    const repo = repoOf(ctx);
    const tags = [...repo.tags].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
    const page = paginate(ctx, tags);
    const body = page.items.map(([name, sha]) => ({
      name,
      commit: { sha, url: `${ctx.urls.api}/repos/${repo.fullName}/commits/${sha}` },
      zipball_url: `${ctx.urls.api}/repos/${repo.fullName}/zipball/refs/tags/${name}`,
      tarball_url: `${ctx.urls.api}/repos/${repo.fullName}/tarball/refs/tags/${name}`,
      node_id: Buffer.from(`REF_tags/${name}`).toString('base64'),
    }));
    return { status: 200, body, headers: page.headers };
  },

  'repos/list-branches': (ctx) => {
    const repo = repoOf(ctx);
    const branches = [...repo.branches].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = paginate(ctx, branches);
    const body = page.items.map(([name, sha]) => ({
      name,
      commit: { sha, url: `${ctx.urls.api}/repos/${repo.fullName}/commits/${sha}` },
      protected: false,
    }));
    return { status: 200, body, headers: page.headers };
  },

  'repos/get-content': (ctx) => {
    const repo = repoOf(ctx);
    const ref = ctx.params['ref'] === undefined ? repo.defaultBranch : String(ctx.params['ref']);
    const commit = repo.resolveCommit(ref);
    if (!commit) throw new HttpError(404, `No commit found for the ref ${ref}`);
    const path = str(ctx, 'path').replace(/^\/+|\/+$/g, '');
    const found = repo.lookup(commit, path);
    if (!found) throw notFound();
    const entryView = (name: string, entryPath: string, type: 'file' | 'dir', sha: string, size: number) => {
      const url = `${ctx.urls.api}/repos/${repo.fullName}/contents/${entryPath}?ref=${encodeURIComponent(ref)}`;
      const gitUrl = `${ctx.urls.api}/repos/${repo.fullName}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`;
      const htmlUrl = `${ctx.urls.web}/${repo.fullName}/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${entryPath}`;
      return {
        type,
        size,
        name,
        path: entryPath,
        sha,
        url,
        git_url: gitUrl,
        html_url: htmlUrl,
        download_url: type === 'file' ? `${ctx.urls.web}/${repo.fullName}/raw/${ref}/${entryPath}` : null,
        _links: { self: url, git: gitUrl, html: htmlUrl },
      };
    };
    if (found.object.type === 'tree') {
      const entries = found.object.entries.map((e) => {
        const obj = repo.objects.get(e.sha);
        return entryView(
          e.name,
          path ? `${path}/${e.name}` : e.name,
          e.type === 'tree' ? 'dir' : 'file',
          e.sha,
          obj?.type === 'blob' ? obj.content.length : 0,
        );
      });
      return { status: 200, body: entries };
    }
    const content = found.object.content;
    if (/application\/vnd\.github(\.v3)?\.raw/.test(ctx.accept)) {
      return { status: 200, raw: { contentType: 'application/vnd.github.raw', data: content } };
    }
    const name = path.split('/').pop() ?? path;
    const inline = content.length <= LIMITS.contentsInlineBytes;
    return {
      status: 200,
      body: {
        ...entryView(name, path, 'file', found.sha, content.length),
        encoding: inline ? 'base64' : 'none',
        content: inline ? wrappedBase64(content) : '',
      },
    };
  },

  'git/get-tree': (ctx) => {
    const repo = repoOf(ctx);
    const ref = str(ctx, 'tree_sha');
    const direct = repo.objects.get(ref);
    const treeSha = direct?.type === 'tree' ? ref : repo.commits.get(repo.resolveCommit(ref) ?? '');
    const tree = treeSha ? repo.objects.get(treeSha) : undefined;
    if (!treeSha || tree?.type !== 'tree') throw notFound();
    // Any value of `recursive` (even "0" or "false") turns recursion on, as GitHub documents.
    const recursive = ctx.params['recursive'] !== undefined;
    const out: Array<Record<string, unknown>> = [];
    let truncated = false;
    const walk = (sha: string, prefix: string) => {
      const t = repo.objects.get(sha);
      if (t?.type !== 'tree') return;
      for (const e of t.entries) {
        if (out.length >= ctx.treeEntryLimit) {
          truncated = true;
          return;
        }
        const obj = repo.objects.get(e.sha);
        out.push({
          path: prefix + e.name,
          mode: e.mode,
          type: e.type,
          sha: e.sha,
          ...(obj?.type === 'blob' ? { size: obj.content.length } : {}),
          url: `${ctx.urls.api}/repos/${repo.fullName}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
        });
        if (recursive && e.type === 'tree') walk(e.sha, `${prefix}${e.name}/`);
      }
    };
    walk(treeSha, '');
    return {
      status: 200,
      body: { sha: treeSha, url: `${ctx.urls.api}/repos/${repo.fullName}/git/trees/${treeSha}`, tree: out, truncated },
    };
  },

  'git/get-blob': (ctx) => {
    const repo = repoOf(ctx);
    const sha = str(ctx, 'file_sha');
    const blob = repo.objects.get(sha);
    if (blob?.type !== 'blob') throw notFound();
    return {
      status: 200,
      body: {
        sha,
        node_id: Buffer.from(`B_${sha}`).toString('base64'),
        size: blob.content.length,
        url: `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
        content: wrappedBase64(blob.content),
        encoding: 'base64',
      },
    };
  },

  'issues/list-comments': (ctx) => {
    const repo = repoOf(ctx);
    pullOf(ctx, repo, 'issue_number');
    const since = ctx.params['since'] === undefined ? undefined : Date.parse(String(ctx.params['since']));
    const comments = [...repo.comments.values()]
      .filter((c) => c.issueNumber === num(ctx, 'issue_number'))
      .filter((c) => since === undefined || Date.parse(c.updatedAt) >= since)
      .sort((a, b) => a.id - b.id);
    const page = paginate(ctx, comments);
    return { status: 200, body: page.items.map((c) => commentView(ctx.urls, repo, c)), headers: page.headers };
  },

  'issues/create-comment': (ctx) => {
    const identity = requireIdentity(ctx);
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo, 'issue_number');
    const body = String(ctx.body?.['body'] ?? '');
    checkCommentBody(body);
    const comment = ctx.world.addComment(repo, pull.number, body, identity);
    const view = commentView(ctx.urls, repo, comment);
    return { status: 201, body: view, headers: { location: view.url } };
  },

  'issues/get-comment': (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: commentView(ctx.urls, repo, commentOf(ctx, repo)) };
  },

  'issues/update-comment': (ctx) => {
    const identity = requireIdentity(ctx);
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    const body = String(ctx.body?.['body'] ?? '');
    checkCommentBody(body);
    ctx.world.editComment(comment, body, identity);
    return { status: 200, body: commentView(ctx.urls, repo, comment) };
  },

  'issues/delete-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    repo.comments.delete(comment.id);
    return { status: 204 };
  },

  'reactions/create-for-issue-comment': (ctx) => {
    const identity = requireIdentity(ctx);
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    const content = String(ctx.body?.['content']);
    const existing = comment.reactions.find((r) => r.content === content && r.user.login === identity.login);
    if (existing) return { status: 200, body: reactionView(ctx.urls, existing) };
    const reaction = { id: ctx.world.reactionId(), content, user: identity, createdAt: ctx.world.now() };
    comment.reactions.push(reaction);
    return { status: 201, body: reactionView(ctx.urls, reaction) };
  },

  'reactions/list-for-issue-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    const content = ctx.params['content'];
    const page = paginate(
      ctx,
      comment.reactions.filter((r) => content === undefined || r.content === content),
    );
    return { status: 200, body: page.items.map((r) => reactionView(ctx.urls, r)), headers: page.headers };
  },

  'reactions/delete-for-issue-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    const before = comment.reactions.length;
    comment.reactions = comment.reactions.filter((r) => r.id !== num(ctx, 'reaction_id'));
    if (comment.reactions.length === before) throw notFound();
    return { status: 204 };
  },

  'checks/create': (ctx) => {
    const app = requireApp(ctx);
    const repo = repoOf(ctx);
    const body = ctx.body ?? {};
    const headSha = String(body['head_sha']);
    if (!repo.commits.has(headSha))
      throw validationFailed('CheckRun', 'head_sha', `No commit found for SHA: ${headSha}`);
    if (body['status'] === 'completed' && typeof body['conclusion'] !== 'string') {
      throw validationFailed('CheckRun', 'conclusion', 'conclusion is required when status is completed');
    }
    const run: CheckRunRecord = {
      id: ctx.world.checkRunId(),
      headSha,
      name: String(body['name']),
      status: typeof body['status'] === 'string' ? body['status'] : 'queued',
      conclusion: null,
      startedAt: ctx.world.now(),
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      app,
    };
    applyCheckRunBody(ctx, run, body);
    repo.checkRuns.set(run.id, run);
    return { status: 201, body: checkRunView(ctx.urls, repo, run) };
  },

  'checks/update': (ctx) => {
    const app = requireApp(ctx);
    const repo = repoOf(ctx);
    const run = repo.checkRuns.get(num(ctx, 'check_run_id'));
    if (!run) throw notFound();
    if (run.app.id !== app.id) throw new HttpError(403, 'Invalid app: this check run belongs to another GitHub App.');
    // Validate before mutating, so a rejected update leaves the run as it was (GitHub is transactional here).
    const draft: CheckRunRecord = { ...run, output: { ...run.output }, annotations: [...run.annotations] };
    applyCheckRunBody(ctx, draft, ctx.body ?? {});
    Object.assign(run, draft);
    return { status: 200, body: checkRunView(ctx.urls, repo, run) };
  },

  'checks/get': (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.checkRuns.get(num(ctx, 'check_run_id'));
    if (!run) throw notFound();
    return { status: 200, body: checkRunView(ctx.urls, repo, run) };
  },

  'checks/list-annotations': (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.checkRuns.get(num(ctx, 'check_run_id'));
    if (!run) throw notFound();
    const page = paginate(ctx, run.annotations);
    return {
      status: 200,
      body: page.items.map((a) => ({
        path: a.path,
        start_line: a.start_line,
        end_line: a.end_line,
        start_column: a.start_column ?? null,
        end_column: a.end_column ?? null,
        annotation_level: a.annotation_level,
        title: a.title ?? null,
        message: a.message,
        raw_details: a.raw_details ?? null,
        blob_href: `${ctx.urls.web}/${repo.fullName}/blob/${run.headSha}/${a.path}`,
      })),
      headers: page.headers,
    };
  },

  'checks/list-for-ref': (ctx) => {
    const repo = repoOf(ctx);
    const ref = str(ctx, 'ref');
    const sha = repo.resolveCommit(ref) ?? ref;
    let runs = [...repo.checkRuns.values()].filter((r) => r.headSha === sha).sort((a, b) => b.id - a.id);
    if (ctx.params['check_name'] !== undefined) runs = runs.filter((r) => r.name === ctx.params['check_name']);
    if (ctx.params['status'] !== undefined) runs = runs.filter((r) => r.status === ctx.params['status']);
    if (ctx.params['app_id'] !== undefined) runs = runs.filter((r) => r.app.id === Number(ctx.params['app_id']));
    if ((ctx.params['filter'] ?? 'latest') === 'latest') {
      const seen = new Set<string>();
      runs = runs.filter((r) => {
        const key = `${r.app.id}/${r.name}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    const page = paginate(ctx, runs);
    return {
      status: 200,
      body: { total_count: runs.length, check_runs: page.items.map((r) => checkRunView(ctx.urls, repo, r)) },
      headers: page.headers,
    };
  },

  'users/get-by-username': (ctx) => ({
    status: 200,
    body: {
      ...userView(ctx.urls, str(ctx, 'username')),
      name: null,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
    },
  }),

  'users/get-authenticated': (ctx) => {
    const identity = requireIdentity(ctx);
    // Installation tokens cannot read /user, exactly like on GitHub.
    if (identity.app) throw new HttpError(403, 'Resource not accessible by integration');
    return {
      status: 200,
      body: {
        ...identityView(ctx.urls, identity),
        name: null,
        company: null,
        blog: '',
        location: null,
        email: null,
        hireable: null,
        bio: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2020-01-01T00:00:00Z',
      },
    };
  },
};
