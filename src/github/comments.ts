/**
 * Issue comments: the sticky scorecard comment, listing comments (waivers are read from them on every
 * evaluation) and reactions that acknowledge commands.
 */
import { GitHubFailure } from './errors.js';
import { call, type OctokitLike } from './octokit.js';
import { collectPages } from './paginate.js';

/** GitHub rejects issue and PR comment bodies longer than this (HTTP 422). */
export const COMMENT_BODY_LIMIT = 65_536;

/** An issue comment, as much of it as the callers use. */
export interface IssueComment {
  id: number;
  body: string;
  /** Null for comments of deleted ("ghost") users. */
  user: { login: string; type: string } | null;
  createdAt: string;
  updatedAt: string;
  htmlUrl: string;
  /** OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE… */
  authorAssociation: string;
  /** The slug of the GitHub App the comment was made through, if any. */
  viaApp: string | null;
  /** GraphQL node id (to ask who last edited it: REST does not say). */
  nodeId?: string;
}

interface RawComment {
  id: number;
  body?: string | null;
  user: { login: string; type: string } | null;
  created_at: string;
  updated_at: string;
  html_url: string;
  author_association: string;
  performed_via_github_app?: { slug?: string } | null;
  node_id?: string;
}

function toComment(raw: RawComment): IssueComment {
  return {
    id: raw.id,
    body: raw.body ?? '',
    user: raw.user ? { login: raw.user.login, type: raw.user.type } : null,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    htmlUrl: raw.html_url,
    authorAssociation: raw.author_association,
    viaApp: raw.performed_via_github_app?.slug ?? null,
    ...(raw.node_id ? { nodeId: raw.node_id } : {}),
  };
}

/** Where a comment list lives. */
export interface IssueRef {
  owner: string;
  repo: string;
  issueNumber: number;
}

/** At most this many comments are read (100 pages); a PR with more is not a normal PR. */
const MAX_COMMENTS = 10_000;

/** All comments of an issue or PR, oldest first (optionally only those updated since an ISO time). */
export async function listIssueComments(
  octokit: OctokitLike,
  options: IssueRef & { since?: string },
): Promise<IssueComment[]> {
  const { items } = await collectPages<RawComment>(
    octokit,
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    {
      owner: options.owner,
      repo: options.repo,
      issue_number: options.issueNumber,
      ...(options.since ? { since: options.since } : {}),
    },
    'listing the pull request comments',
    { maxItems: MAX_COMMENTS },
  );
  return items.map(toComment);
}

/**
 * When to write the sticky comment:
 * - `always`: create it, or update it on every run (even with an identical body);
 * - `on-change`: create it, or update it only when the body differs (no request otherwise);
 * - `never`: do nothing, not even read.
 */
export type StickyCommentMode = 'always' | 'on-change' | 'never';

/** Options of `upsertStickyComment`. */
export interface UpsertStickyCommentOptions extends IssueRef {
  /** The full comment, already within budget. The marker is prepended when missing. */
  body: string;
  /** A hidden marker identifying our comment, e.g. `<!-- readiness-gates:scorecard -->`. */
  marker: string;
  mode: StickyCommentMode;
  /**
   * Our own login: `github-actions[bot]` for the Action's GITHUB_TOKEN, `<app-slug>[bot]` for the
   * app. Only comments by this login count as ours, so a human (or another bot) quoting our marker
   * is never edited or deleted. Without it, any Bot-authored comment with the marker counts.
   */
  ownLogin?: string;
}

/** What `upsertStickyComment` did. */
export interface StickyCommentResult {
  action: 'created' | 'updated' | 'unchanged' | 'skipped';
  /** Our comment's id (absent when skipped). */
  commentId?: number;
  htmlUrl?: string;
  /** Older copies of our comment (from concurrent runs) that were deleted. */
  deletedDuplicates: number;
}

/**
 * Creates or updates the one comment carrying `marker` that we authored: the newest such comment is
 * updated in place, older duplicates are deleted, and with `on-change` an identical body causes no
 * write at all. Throws a RangeError, before any request, if the body exceeds GitHub's 65,536
 * characters: the renderer owns that budget, so this is a programming error.
 */
export async function upsertStickyComment(
  octokit: OctokitLike,
  options: UpsertStickyCommentOptions,
): Promise<StickyCommentResult> {
  if (options.mode === 'never') return { action: 'skipped', deletedDuplicates: 0 };
  if (!options.marker.trim()) throw new TypeError('upsertStickyComment: the marker must not be empty');
  const body = options.body.includes(options.marker) ? options.body : `${options.marker}\n${options.body}`;
  if (body.length > COMMENT_BODY_LIMIT) {
    throw new RangeError(
      `upsertStickyComment: body is ${body.length} characters; GitHub accepts at most ${COMMENT_BODY_LIMIT}. The renderer must budget the comment.`,
    );
  }
  const own = options.ownLogin?.toLowerCase();
  const isOurs = (c: IssueComment) =>
    c.body.includes(options.marker) &&
    (own === undefined ? c.user?.type === 'Bot' : c.user?.login.toLowerCase() === own);
  const ours = (await listIssueComments(octokit, options)).filter(isOurs).sort((a, b) => b.id - a.id);
  const [newest, ...duplicates] = ours;
  const where = { owner: options.owner, repo: options.repo };

  let result: StickyCommentResult;
  if (!newest) {
    const { data } = await call<RawComment>(
      octokit,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...where, issue_number: options.issueNumber, body },
      'creating the scorecard comment',
    );
    result = { action: 'created', commentId: data.id, htmlUrl: data.html_url, deletedDuplicates: 0 };
  } else if (options.mode === 'on-change' && newest.body === body) {
    result = { action: 'unchanged', commentId: newest.id, htmlUrl: newest.htmlUrl, deletedDuplicates: 0 };
  } else {
    const { data } = await call<RawComment>(
      octokit,
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
      { ...where, comment_id: newest.id, body },
      'updating the scorecard comment',
    );
    result = { action: 'updated', commentId: data.id, htmlUrl: data.html_url, deletedDuplicates: 0 };
  }

  // Duplicates go after the update, so a failure here still leaves the current scorecard visible.
  for (const duplicate of duplicates) {
    try {
      await call(
        octokit,
        'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}',
        { ...where, comment_id: duplicate.id },
        'deleting a duplicate scorecard comment',
      );
      result.deletedDuplicates++;
    } catch (error) {
      // A concurrent run may have deleted it already; that is the outcome we wanted.
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  return result;
}

/** Reactions GitHub accepts on issue comments. */
export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

/** Adds a reaction (e.g. 👀 on receipt of a command, 👍 when applied). `created` is false when it already existed. */
export async function addReaction(
  octokit: OctokitLike,
  options: { owner: string; repo: string; commentId: number; content: ReactionContent },
): Promise<{ id: number; created: boolean }> {
  const { data, status } = await call<{ id: number }>(
    octokit,
    'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    { owner: options.owner, repo: options.repo, comment_id: options.commentId, content: options.content },
    `reacting ${options.content} to a command`,
  );
  return { id: data.id, created: status === 201 };
}

/**
 * Posts a plain (non-sticky) comment, e.g. the short reply that says why a `/readiness` command was
 * refused. Throws a RangeError before any request when the body exceeds GitHub's 65,536 characters.
 */
export async function createIssueComment(
  octokit: OctokitLike,
  options: IssueRef & { body: string },
): Promise<{ id: number; htmlUrl: string }> {
  if (options.body.length > COMMENT_BODY_LIMIT) {
    throw new RangeError(
      `createIssueComment: body is ${options.body.length} characters; GitHub accepts at most ${COMMENT_BODY_LIMIT}.`,
    );
  }
  const { data } = await call<RawComment>(
    octokit,
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    { owner: options.owner, repo: options.repo, issue_number: options.issueNumber, body: options.body },
    'replying to a command',
  );
  return { id: data.id, htmlUrl: data.html_url };
}

/** Who last edited a comment, as GraphQL tells. */
export interface CommentEditInfo {
  edited: boolean;
  /** Login of the last editor; null when the account is gone. Meaningful only when `edited`. */
  lastEditor: string | null;
}

/**
 * Both ends of the edit history are asked for, so the newest edit is found whichever order GitHub lists
 * them in; `editor` is the fallback when the history is empty.
 */
const LAST_EDITORS_QUERY = `query($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on IssueComment {
      id
      lastEditedAt
      editor { login }
      first: userContentEdits(first: 20) { nodes { editedAt editor { login } } }
      last: userContentEdits(last: 20) { nodes { editedAt editor { login } } }
    }
  }
}`;

interface EditNode {
  editedAt: string;
  editor: { login: string } | null;
}

interface LastEditorsNode {
  id: string;
  lastEditedAt: string | null;
  editor: { login: string } | null;
  first?: { nodes: (EditNode | null)[] | null } | null;
  last?: { nodes: (EditNode | null)[] | null } | null;
}

/**
 * The last editor of each comment (by GraphQL node id), through `POST /graphql`: the REST API says when a
 * comment was updated but not by whom. A node GitHub does not return is absent from the map.
 */
export async function lastEditorsOf(
  octokit: OctokitLike,
  nodeIds: readonly string[],
): Promise<Map<string, CommentEditInfo>> {
  const out = new Map<string, CommentEditInfo>();
  for (let i = 0; i < nodeIds.length; i += 100) {
    const ids = nodeIds.slice(i, i + 100);
    const { data } = await call<{ data?: { nodes: (LastEditorsNode | null)[] }; errors?: { message: string }[] }>(
      octokit,
      'POST /graphql',
      { query: LAST_EDITORS_QUERY, variables: { ids } },
      'reading who last edited the command comments',
    );
    if (!data.data) {
      throw new GitHubFailure({
        operation: 'POST /graphql',
        purpose: 'reading who last edited the command comments',
        status: 200,
        detail: `GitHub's GraphQL API answered with errors: ${(data.errors ?? []).map((e) => e.message).join('; ') || 'no data'}`,
        retries: 0,
        kind: 'other',
      });
    }
    for (const node of data.data.nodes) {
      if (!node?.id) continue;
      const edits = [...(node.first?.nodes ?? []), ...(node.last?.nodes ?? [])].filter(
        (e): e is EditNode => !!e && !!e.editedAt,
      );
      if (node.lastEditedAt === null && edits.length === 0) {
        out.set(node.id, { edited: false, lastEditor: null });
        continue;
      }
      const newest = edits.reduce<EditNode | undefined>(
        (a, b) => (!a || Date.parse(b.editedAt) > Date.parse(a.editedAt) ? b : a),
        undefined,
      );
      out.set(node.id, { edited: true, lastEditor: (newest ? newest.editor?.login : node.editor?.login) ?? null });
    }
  }
  return out;
}
