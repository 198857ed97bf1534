/**
 * What a workflow run asks for, from `GITHUB_EVENT_NAME` and the event payload: which commits to compare,
 * which pull request (if any) to comment on, and whether the token can write. Pure, so every event is
 * unit-tested with real payloads.
 */
import type { ActionInputs } from './inputs.js';

/** Where the run happens. */
export interface RepoId {
  owner: string;
  repo: string;
}

/** A pull request to evaluate (`pull_request`, `pull_request_target`). */
export interface PullTarget extends RepoId {
  kind: 'pull';
  event: string;
  number: number;
  /** Revisions to compare: the payload's shas unless the `base`/`head` inputs override them. */
  base: string;
  head: string;
  baseRef: string;
  headRef: string;
  /** The sha the check run goes on: the PR head. */
  headSha: string;
  author: string;
  /** The head branch lives in another repository. */
  fork: boolean;
  /**
   * The token cannot write: GitHub hands `pull_request` runs from forks a read-only GITHUB_TOKEN.
   * (`pull_request_target` runs get a write token, which is why they must never run the fork's code.)
   */
  readOnly: boolean;
}

/** Two commits without a pull request to comment on (`merge_group`, `push`, `workflow_dispatch`). */
export interface CommitsTarget extends RepoId {
  kind: 'commits';
  event: string;
  /** A revision, or undefined to compare the head with its first parent (a push that created a branch). */
  base: string | undefined;
  head: string;
  baseRef: string;
  headRef: string;
  /** The merge queue's pull request, whose waivers apply to the group. */
  pullNumber?: number;
}

/** A `/readiness` comment on a pull request (`issue_comment`). The PR's shas come from the API. */
export interface CommentTarget extends RepoId {
  kind: 'comment';
  event: string;
  number: number;
  action: 'created' | 'edited' | 'deleted';
  commentId: number;
  body: string;
  login: string;
  /** Who triggered the event (`sender`): for `edited`, the editor, who may not be the comment's author. */
  sender?: string;
}

/** `mode: publish`: post a report another run produced (`workflow_run` in the fork pattern). */
export interface PublishTarget extends RepoId {
  kind: 'publish';
  event: string;
  /** `workflow_run.head_sha`: set by GitHub, so the report must be for this commit. */
  runHeadSha?: string;
  /** `workflow_run.pull_requests` (empty for forks, where the report carries the number). */
  pullNumbers: number[];
}

/** Nothing to do, and why (logged at info level: silence looks like a crash). */
export interface SkipTarget {
  kind: 'skip';
  reason: string;
}

export type Target = PullTarget | CommitsTarget | CommentTarget | PublishTarget | SkipTarget;

/** An event the Action cannot serve as configured; the message says what to change. */
export class EventError extends Error {
  override readonly name = 'EventError';
}

const ZERO_SHA = /^0+$/;

type Json = Record<string, any>;

function repoOf(payload: Json, env: Readonly<Record<string, string | undefined>>): RepoId {
  const owner = payload.repository?.owner?.login;
  const repo = payload.repository?.name;
  if (typeof owner === 'string' && typeof repo === 'string') return { owner, repo };
  const [o, r] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (o && r) return { owner: o, repo: r };
  throw new EventError(
    'cannot tell which repository this is: the event has no `repository` and GITHUB_REPOSITORY is not set',
  );
}

/** `refs/heads/main` → `main`. */
function shortRef(ref: string | undefined): string {
  return (ref ?? '').replace(/^refs\/heads\//, '');
}

/**
 * The target of this run. `inputs.base`/`inputs.head` override the payload's commits for any event.
 * Throws {@link EventError} for events the Action does not handle or payloads missing what it needs.
 */
export function resolveEvent(
  eventName: string,
  payload: Json,
  inputs: Pick<ActionInputs, 'base' | 'head' | 'mode'>,
  env: Readonly<Record<string, string | undefined>> = {},
): Target {
  const where = () => repoOf(payload, env);

  if (inputs.mode === 'publish') {
    const run = payload.workflow_run as Json | undefined;
    const numbers = Array.isArray(run?.pull_requests)
      ? (run!.pull_requests as Json[]).map((p) => Number(p.number)).filter(Number.isInteger)
      : [];
    return {
      kind: 'publish',
      event: eventName,
      ...where(),
      ...(typeof run?.head_sha === 'string' ? { runHeadSha: run.head_sha } : {}),
      pullNumbers: numbers,
    };
  }

  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = payload.pull_request as Json | undefined;
      if (!pr) throw new EventError(`the ${eventName} event has no pull_request in its payload`);
      if (payload.action === 'closed')
        return { kind: 'skip', reason: `pull request #${pr.number} was closed; nothing to check` };
      const baseRepo = String(pr.base?.repo?.full_name ?? '');
      // A deleted fork has no head repository; it is still a fork.
      const headRepo =
        pr.head?.repo?.full_name === undefined || pr.head?.repo === null ? null : String(pr.head.repo.full_name);
      const fork = headRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase();
      return {
        kind: 'pull',
        event: eventName,
        ...where(),
        number: Number(pr.number),
        base: inputs.base ?? String(pr.base.sha),
        head: inputs.head ?? String(pr.head.sha),
        baseRef: String(pr.base.ref),
        headRef: String(pr.head.ref),
        headSha: String(pr.head.sha),
        author: String(pr.user?.login ?? 'ghost'),
        fork,
        readOnly: fork && eventName === 'pull_request',
      };
    }

    case 'merge_group': {
      const group = payload.merge_group as Json | undefined;
      if (!group) throw new EventError('the merge_group event has no merge_group in its payload');
      if (payload.action && payload.action !== 'checks_requested') {
        return { kind: 'skip', reason: `merge_group ${String(payload.action)}: only checks_requested asks for checks` };
      }
      // gh-readonly-queue/<base>/pr-<number>-<sha>: the group's newest pull request.
      const pr = /\/pr-(\d+)-[0-9a-f]+$/.exec(String(group.head_ref ?? ''));
      return {
        kind: 'commits',
        event: eventName,
        ...where(),
        base: inputs.base ?? String(group.base_sha),
        head: inputs.head ?? String(group.head_sha),
        baseRef: shortRef(group.base_ref),
        headRef: shortRef(group.head_ref),
        ...(pr ? { pullNumber: Number(pr[1]) } : {}),
      };
    }

    case 'push': {
      if (payload.deleted === true || ZERO_SHA.test(String(payload.after ?? ''))) {
        return { kind: 'skip', reason: `the push deleted ${String(payload.ref ?? 'a ref')}; nothing to check` };
      }
      if (String(payload.ref ?? '').startsWith('refs/tags/') && !inputs.base) {
        return {
          kind: 'skip',
          reason: `the push created tag ${shortRef(payload.ref).replace(/^refs\/tags\//, '')}; tags are not compared (set the \`base\` input to check one)`,
        };
      }
      const before = String(payload.before ?? '');
      // A new branch has no previous commit: compare with the head's parent instead.
      const base = inputs.base ?? (before && !ZERO_SHA.test(before) ? before : undefined);
      const ref = shortRef(payload.ref);
      return {
        kind: 'commits',
        event: eventName,
        ...where(),
        base,
        head: inputs.head ?? String(payload.after),
        baseRef: base === undefined ? `${ref}^` : ref,
        headRef: ref,
      };
    }

    case 'workflow_dispatch': {
      if (!inputs.base) {
        throw new EventError(
          'a workflow_dispatch run needs the `base` input (a branch, tag or sha to compare with), e.g. `base: ${{ inputs.base }}`',
        );
      }
      const head = inputs.head ?? env['GITHUB_SHA'] ?? 'HEAD';
      return {
        kind: 'commits',
        event: eventName,
        ...where(),
        base: inputs.base,
        head,
        baseRef: inputs.base,
        headRef: inputs.head ?? shortRef(payload.ref ?? env['GITHUB_REF']),
      };
    }

    case 'issue_comment': {
      const issue = payload.issue as Json | undefined;
      const comment = payload.comment as Json | undefined;
      if (!issue || !comment) throw new EventError('the issue_comment event has no issue or comment in its payload');
      if (!issue.pull_request)
        return {
          kind: 'skip',
          reason: `#${issue.number} is an issue, not a pull request; commands only apply to pull requests`,
        };
      if (comment.user?.type === 'Bot')
        return {
          kind: 'skip',
          reason: `the comment is by a bot (${String(comment.user.login)}); only people give commands`,
        };
      const action = String(payload.action);
      if (action !== 'created' && action !== 'edited' && action !== 'deleted')
        return { kind: 'skip', reason: `issue_comment ${action} is not handled` };
      if (!/^ {0,3}\/readiness(\s|$)/im.test(String(comment.body ?? ''))) {
        return { kind: 'skip', reason: 'the comment holds no /readiness command' };
      }
      return {
        kind: 'comment',
        event: eventName,
        ...where(),
        number: Number(issue.number),
        action,
        commentId: Number(comment.id),
        body: String(comment.body ?? ''),
        login: String(comment.user?.login ?? 'ghost'),
        ...(typeof payload.sender?.login === 'string' ? { sender: payload.sender.login } : {}),
      };
    }

    default:
      throw new EventError(
        `the ${eventName} event is not supported; run Readiness Gates on pull_request, pull_request_target, merge_group, push, workflow_dispatch or issue_comment (or with \`mode: publish\` on workflow_run)`,
      );
  }
}
