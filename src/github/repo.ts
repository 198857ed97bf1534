/**
 * Reading a repository through the API (the app never clones): pull request metadata and files,
 * comparisons, file contents, trees and blobs, and collaborator permissions for waiver policy.
 */
import { GitHubFailure } from './errors.js';
import { call, type OctokitLike } from './octokit.js';
import { collectPages } from './paginate.js';

/** GitHub lists at most this many files of a pull request. */
export const PULL_FILES_LIMIT = 3_000;

/** Where a repository is. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** One changed file, as the PR files and compare endpoints describe it. */
export interface ChangedFile {
  path: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  previousPath?: string;
  additions: number;
  deletions: number;
  /** Unified diff hunks; absent for binary files and for diffs GitHub considers too large. */
  patch?: string;
  /** Blob sha at the head (at the base for removed files). */
  sha: string;
}

interface RawFile {
  filename: string;
  status: ChangedFile['status'];
  previous_filename?: string;
  additions: number;
  deletions: number;
  patch?: string;
  sha: string;
}

function toChangedFile(raw: RawFile): ChangedFile {
  return {
    path: raw.filename,
    status: raw.status,
    ...(raw.previous_filename ? { previousPath: raw.previous_filename } : {}),
    additions: raw.additions,
    deletions: raw.deletions,
    ...(raw.patch === undefined ? {} : { patch: raw.patch }),
    sha: raw.sha,
  };
}

/**
 * All files of a pull request, 100 per page, up to GitHub's 3,000. `truncated` is true when the
 * listing reached 3,000: GitHub lists no more, so the caller must say the analysis is partial.
 */
export async function listPullFiles(
  octokit: OctokitLike,
  options: RepoRef & { pullNumber: number },
): Promise<{ files: ChangedFile[]; truncated: boolean }> {
  const { items, reachedMax } = await collectPages<RawFile>(
    octokit,
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
    { owner: options.owner, repo: options.repo, pull_number: options.pullNumber },
    'listing the pull request files',
    { maxItems: PULL_FILES_LIMIT },
  );
  return { files: items.map(toChangedFile), truncated: reachedMax };
}

/** The parts of a pull request the shells use. */
export interface PullRequestInfo {
  number: number;
  title: string;
  state: string;
  draft: boolean;
  author: string;
  headSha: string;
  headRef: string;
  /** `owner/name` of the head repository; differs from the base for fork PRs (null if the fork is gone). */
  headRepo: string | null;
  baseSha: string;
  baseRef: string;
  baseRepo: string;
  isFork: boolean;
  changedFiles: number;
  htmlUrl: string;
}

/** A pull request's metadata (e.g. to find the head sha when a `/readiness recheck` comment arrives). */
export async function getPullRequest(
  octokit: OctokitLike,
  options: RepoRef & { pullNumber: number },
): Promise<PullRequestInfo> {
  const { data } = await call<{
    number: number;
    title: string;
    state: string;
    draft?: boolean;
    user: { login: string } | null;
    head: { sha: string; ref: string; repo: { full_name: string } | null };
    base: { sha: string; ref: string; repo: { full_name: string } };
    changed_files?: number;
    html_url: string;
  }>(
    octokit,
    'GET /repos/{owner}/{repo}/pulls/{pull_number}',
    { owner: options.owner, repo: options.repo, pull_number: options.pullNumber },
    'reading the pull request',
  );
  const headRepo = data.head.repo?.full_name ?? null;
  return {
    number: data.number,
    title: data.title,
    state: data.state,
    draft: data.draft ?? false,
    author: data.user?.login ?? 'ghost',
    headSha: data.head.sha,
    headRef: data.head.ref,
    headRepo,
    baseSha: data.base.sha,
    baseRef: data.base.ref,
    baseRepo: data.base.repo.full_name,
    isFork: headRepo?.toLowerCase() !== data.base.repo.full_name.toLowerCase(),
    changedFiles: data.changed_files ?? 0,
    htmlUrl: data.html_url,
  };
}

/** A three-dot comparison: the merge base and the files changed since it (GitHub lists at most 300). */
export async function compareCommits(
  octokit: OctokitLike,
  options: RepoRef & { base: string; head: string },
): Promise<{
  mergeBaseSha: string;
  mergeBaseDate?: string;
  status: string;
  aheadBy: number;
  behindBy: number;
  files: ChangedFile[];
}> {
  const { data } = await call<{
    merge_base_commit: { sha: string; commit?: { committer?: { date?: string } | null } };
    status: string;
    ahead_by: number;
    behind_by: number;
    files?: RawFile[];
  }>(
    octokit,
    'GET /repos/{owner}/{repo}/compare/{basehead}',
    { owner: options.owner, repo: options.repo, basehead: `${options.base}...${options.head}` },
    'comparing the base and head commits',
  );
  const mergeBaseDate = data.merge_base_commit.commit?.committer?.date;
  return {
    mergeBaseSha: data.merge_base_commit.sha,
    ...(mergeBaseDate ? { mergeBaseDate } : {}),
    status: data.status,
    aheadBy: data.ahead_by,
    behindBy: data.behind_by,
    files: (data.files ?? []).map(toChangedFile),
  };
}

/** At most this many tags, and this many branches, are listed (three pages of 100 each). */
export const REFS_LIMIT = 300;

/**
 * The repository's tags (`kind: 'tag'`) or branches, 100 per page, up to {@link REFS_LIMIT}; `truncated`
 * when the listing stopped there (GitHub may hold more).
 */
export async function listRefs(
  octokit: OctokitLike,
  options: RepoRef & { kind: 'tag' | 'branch' },
): Promise<{ refs: Array<{ name: string; sha: string }>; truncated: boolean }> {
  const { items, reachedMax } = await collectPages<{ name: string; commit: { sha: string } }>(
    octokit,
    options.kind === 'tag' ? 'GET /repos/{owner}/{repo}/tags' : 'GET /repos/{owner}/{repo}/branches',
    { owner: options.owner, repo: options.repo },
    options.kind === 'tag' ? 'listing the tags' : 'listing the branches',
    { maxItems: REFS_LIMIT },
  );
  return { refs: items.map((i) => ({ name: i.name, sha: i.commit.sha })), truncated: reachedMax };
}

/**
 * A file's text at a ref, or undefined when it does not exist there (404). Files over 1 MB, which
 * the contents API returns without content, are fetched through the blobs API. A directory at the
 * path is an error: the caller asked for a file.
 */
export async function getFileContent(
  octokit: OctokitLike,
  options: RepoRef & { path: string; ref?: string },
): Promise<string | undefined> {
  type Contents = { type?: string; encoding?: string; content?: string; sha?: string } | unknown[];
  let data: Contents;
  const route = 'GET /repos/{owner}/{repo}/contents/{path}';
  try {
    ({ data } = await call<Contents>(
      octokit,
      route,
      { owner: options.owner, repo: options.repo, path: options.path, ...(options.ref ? { ref: options.ref } : {}) },
      `reading ${options.path}`,
    ));
  } catch (error) {
    if (error instanceof GitHubFailure && error.status === 404) return undefined;
    throw error;
  }
  if (Array.isArray(data) || data.type !== 'file') {
    throw new GitHubFailure({
      operation: route,
      purpose: `reading ${options.path}`,
      status: 200,
      detail: `${options.path} is not a file at ${options.ref ?? 'the default branch'}`,
      retries: 0,
      kind: 'other',
    });
  }
  if (data.encoding === 'base64' && typeof data.content === 'string')
    return Buffer.from(data.content, 'base64').toString('utf8');
  if (data.sha)
    return (await getBlob(octokit, { owner: options.owner, repo: options.repo, sha: data.sha })).toString('utf8');
  return '';
}

/** One entry of a git tree. */
export interface TreeEntry {
  path: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  mode: string;
  /** Bytes, for blobs. */
  size?: number;
}

/**
 * A tree (by tree sha, commit sha or branch), recursive by default. `truncated` is GitHub saying the
 * recursive listing exceeded its limits (100,000 entries or 7 MB); the caller must then walk subtrees.
 */
export async function getTree(
  octokit: OctokitLike,
  options: RepoRef & { sha: string; recursive?: boolean },
): Promise<{ sha: string; entries: TreeEntry[]; truncated: boolean }> {
  const { data } = await call<{
    sha: string;
    tree: Array<{ path: string; type: TreeEntry['type']; sha: string; mode: string; size?: number }>;
    truncated: boolean;
  }>(
    octokit,
    'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
    {
      owner: options.owner,
      repo: options.repo,
      tree_sha: options.sha,
      ...(options.recursive === false ? {} : { recursive: '1' }),
    },
    'listing the repository tree',
  );
  return {
    sha: data.sha,
    entries: data.tree.map((e) => ({
      path: e.path,
      type: e.type,
      sha: e.sha,
      mode: e.mode,
      ...(e.size === undefined ? {} : { size: e.size }),
    })),
    truncated: data.truncated,
  };
}

/** A blob's bytes (up to GitHub's 100 MB). */
export async function getBlob(octokit: OctokitLike, options: RepoRef & { sha: string }): Promise<Buffer> {
  const { data } = await call<{ content: string; encoding: string }>(
    octokit,
    'GET /repos/{owner}/{repo}/git/blobs/{file_sha}',
    { owner: options.owner, repo: options.repo, file_sha: options.sha },
    `reading blob ${options.sha.slice(0, 7)}`,
  );
  return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8');
}

/** A repository role, strongest first. `none` for users without access. */
export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** Roles from strongest to weakest, for comparisons such as "at least maintain". */
export const PERMISSION_ORDER: readonly RepoPermission[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];

/** Whether `actual` is at least `required` (`maintain` ≥ `write` ≥ `triage` ≥ `read`). */
export function permissionAtLeast(actual: RepoPermission, required: RepoPermission): boolean {
  return PERMISSION_ORDER.indexOf(actual) <= PERMISSION_ORDER.indexOf(required);
}

/**
 * A user's role on the repository. Uses `role_name`, which tells maintain and triage apart (the
 * legacy `permission` field folds them into write and read); a custom role falls back to
 * `permission`, its base role as GitHub reports it.
 */
export async function getCollaboratorPermission(
  octokit: OctokitLike,
  options: RepoRef & { username: string },
): Promise<RepoPermission> {
  type Permission = { permission?: string; role_name?: string };
  let data: Permission;
  try {
    ({ data } = await call<Permission>(
      octokit,
      'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
      { owner: options.owner, repo: options.repo, username: options.username },
      `reading ${options.username}'s permission`,
    ));
  } catch (error) {
    // 404: no such user (or not visible to us): no permission at all.
    if (error instanceof GitHubFailure && error.status === 404) return 'none';
    throw error;
  }
  const known = (value: string | undefined): value is RepoPermission =>
    PERMISSION_ORDER.includes(value as RepoPermission);
  const role = data.role_name?.toLowerCase();
  if (known(role)) return role;
  const legacy = data.permission?.toLowerCase();
  return known(legacy) ? legacy : 'none';
}

/**
 * Reads a shared config that `extends:` names in another repository, with this client's token: `path` at
 * `ref`, or on the default branch when no ref is given. Undefined when the file (or the repository, for this
 * token) does not exist.
 */
export function repositoryConfigReader(
  octokit: OctokitLike,
): (repository: { owner: string; repo: string; ref?: string }, path: string) => Promise<string | undefined> {
  return (repository, path) =>
    getFileContent(octokit, {
      owner: repository.owner,
      repo: repository.repo,
      path,
      ...(repository.ref ? { ref: repository.ref } : {}),
    });
}
