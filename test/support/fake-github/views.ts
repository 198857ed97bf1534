/**
 * JSON shapes the fake returns, trimmed to the fields clients read but typed as GitHub documents them
 * (the server checks every response against the OpenAPI response schema, types only).
 */
import {
  idFor,
  type AppRecord,
  type CheckRunRecord,
  type CommentRecord,
  type Identity,
  type PullRecord,
  type RepoRecord,
  type Role,
} from './state.js';

/** Base URLs a view needs: the fake's own API URL and the web URL it pretends to be. */
export interface Urls {
  api: string;
  web: string;
}

/** GitHub's timestamps have second precision. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeId(prefix: string, id: number): string {
  return Buffer.from(`${prefix}${id}`).toString('base64');
}

/** A `simple-user`. */
export function userView(urls: Urls, login: string, type: 'Bot' | 'User' | 'Organization' = 'User', id = idFor(login)) {
  const enc = encodeURIComponent(login);
  const url = `${urls.api}/users/${enc}`;
  return {
    login,
    id,
    node_id: nodeId(type === 'Bot' ? 'BOT_' : 'U_', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${urls.web}/${type === 'Bot' ? `apps/${login.replace(/\[bot\]$/, '')}` : enc}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}

/** A `simple-user` for a token's identity. */
export function identityView(urls: Urls, identity: Identity) {
  return userView(urls, identity.login, identity.type, identity.id);
}

/** A `repository` (trimmed). */
export function repoView(
  urls: Urls,
  repo: { id: number; owner: string; name: string; private: boolean; defaultBranch: string },
  fork = false,
) {
  const url = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: nodeId('R_', repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
    owner: userView(urls, repo.owner),
    html_url: `${urls.web}/${repo.owner}/${repo.name}`,
    description: null,
    fork,
    url,
    default_branch: repo.defaultBranch,
    visibility: repo.private ? 'private' : 'public',
    archived: false,
    disabled: false,
  };
}

/** An `integration` (GitHub App). */
export function appView(urls: Urls, app: AppRecord) {
  return {
    id: app.id,
    slug: app.slug,
    client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
    node_id: nodeId('A_', app.id),
    owner: userView(urls, app.owner, 'Organization'),
    name: app.name,
    description: null,
    external_url: `${urls.web}/apps/${app.slug}`,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    permissions: { checks: 'write', contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'write' },
    events: ['check_run', 'issue_comment', 'pull_request'],
  };
}

const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'eyes', 'rocket'] as const;

/** GitHub's author_association for a login on a repo. */
export function association(repo: RepoRecord, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
  const role = repo.permissions.get(login);
  if (role === 'admin' || role === 'maintain' || role === 'write' || role === 'triage') return 'COLLABORATOR';
  return 'NONE';
}

/** An `issue-comment`. */
export function commentView(urls: Urls, repo: RepoRecord, c: CommentRecord) {
  const url = `${urls.api}/repos/${repo.fullName}/issues/comments/${c.id}`;
  const rollup: Record<string, number | string> = { url: `${url}/reactions`, total_count: c.reactions.length };
  for (const r of REACTIONS) rollup[r] = c.reactions.filter((x) => x.content === r).length;
  return {
    id: c.id,
    node_id: nodeId('IC_', c.id),
    url,
    html_url: `${urls.web}/${repo.fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: identityView(urls, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${c.issueNumber}`,
    author_association: c.user.type === 'Bot' ? 'NONE' : association(repo, c.user.login),
    performed_via_github_app: c.user.app ? appView(urls, c.user.app) : null,
    reactions: rollup,
  };
}

/** A `reaction`. */
export function reactionView(urls: Urls, r: { id: number; content: string; user: Identity; createdAt: string }) {
  return {
    id: r.id,
    node_id: nodeId('REA_', r.id),
    user: identityView(urls, r.user),
    content: r.content,
    created_at: r.createdAt,
  };
}

/** A `check-run`. */
export function checkRunView(urls: Urls, repo: RepoRecord, run: CheckRunRecord) {
  const url = `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}`;
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CR_', run.id),
    external_id: run.externalId,
    url,
    html_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: idFor(`${repo.fullName}@${run.headSha}@${run.app.slug}`) },
    app: appView(urls, run.app),
    pull_requests: [...repo.pulls.values()]
      .filter((p) => p.head.sha === run.headSha && p.state === 'open')
      .map((p) => ({
        id: p.id,
        number: p.number,
        url: `${urls.api}/repos/${repo.fullName}/pulls/${p.number}`,
        head: {
          ref: p.head.ref,
          sha: p.head.sha,
          repo: { id: repo.id, url: `${urls.api}/repos/${repo.fullName}`, name: repo.name },
        },
        base: {
          ref: p.base.ref,
          sha: p.base.sha,
          repo: { id: repo.id, url: `${urls.api}/repos/${repo.fullName}`, name: repo.name },
        },
      })),
  };
}

/** A `pull-request`. */
export function pullView(urls: Urls, repo: RepoRecord, p: PullRecord) {
  const url = `${urls.api}/repos/${repo.fullName}/pulls/${p.number}`;
  const files = repo.pullFiles(p);
  const [headOwner = repo.owner, headName = repo.name] = p.head.repo.split('/');
  const headRepo =
    p.head.repo === repo.fullName
      ? repoView(urls, repo)
      : repoView(
          urls,
          {
            id: idFor(p.head.repo),
            owner: headOwner,
            name: headName,
            private: repo.private,
            defaultBranch: repo.defaultBranch,
          },
          true,
        );
  const comments = [...repo.comments.values()].filter((c) => c.issueNumber === p.number).length;
  return {
    url,
    id: p.id,
    node_id: nodeId('PR_', p.id),
    html_url: `${urls.web}/${repo.fullName}/pull/${p.number}`,
    diff_url: `${urls.web}/${repo.fullName}/pull/${p.number}.diff`,
    patch_url: `${urls.web}/${repo.fullName}/pull/${p.number}.patch`,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${p.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${urls.api}/repos/${repo.fullName}/pulls/comments{/number}`,
    comments_url: `${urls.api}/repos/${repo.fullName}/issues/${p.number}/comments`,
    statuses_url: `${urls.api}/repos/${repo.fullName}/statuses/${p.head.sha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: userView(urls, p.user),
    body: p.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.createdAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headOwner}:${p.head.ref}`,
      ref: p.head.ref,
      sha: p.head.sha,
      user: userView(urls, headOwner),
      repo: headRepo,
    },
    base: {
      label: `${repo.owner}:${p.base.ref}`,
      ref: p.base.ref,
      sha: p.base.sha,
      user: userView(urls, repo.owner),
      repo: repoView(urls, repo),
    },
    _links: {
      self: { href: url },
      html: { href: `${urls.web}/${repo.fullName}/pull/${p.number}` },
      issue: { href: `${urls.api}/repos/${repo.fullName}/issues/${p.number}` },
      comments: { href: `${urls.api}/repos/${repo.fullName}/issues/${p.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${urls.api}/repos/${repo.fullName}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${urls.api}/repos/${repo.fullName}/statuses/${p.head.sha}` },
    },
    author_association: association(repo, p.user),
    auto_merge: null,
    draft: p.draft,
    merged: false,
    mergeable: true,
    rebaseable: true,
    mergeable_state: 'clean',
    merged_by: null,
    comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: files.reduce((n, f) => n + (f.additions ?? 0), 0),
    deletions: files.reduce((n, f) => n + (f.deletions ?? 0), 0),
    changed_files: files.length,
  };
}

/** The `permission` field GitHub derives from a role (maintain counts as write, triage as read). */
export function legacyPermission(role: Role): 'admin' | 'write' | 'read' | 'none' {
  if (role === 'admin') return 'admin';
  if (role === 'maintain' || role === 'write') return 'write';
  if (role === 'triage' || role === 'read') return 'read';
  return 'none';
}

/** Base64 wrapped at 60 columns with a trailing newline, as the contents and blobs endpoints send it. */
export function wrappedBase64(content: Buffer): string {
  const b64 = content.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 60) lines.push(b64.slice(i, i + 60));
  return lines.length ? `${lines.join('\n')}\n` : '';
}
