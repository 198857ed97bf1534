/**
 * The fake's whole state: repositories, apps and installations, tokens, and the id counters GitHub
 * shares across repositories. Seeding goes through here so HTTP control calls and in-process tests
 * get the same behaviour.
 */
import { randomBytes } from 'node:crypto';
import {
  RepoRecord,
  idFor,
  type AppRecord,
  type AppSpec,
  type CommentRecord,
  type Identity,
  type InstallationRecord,
  type SeedRepo,
  type TokenSpec,
} from './state.js';
import { timestamp } from './views.js';

/** Well-known app of the Actions GITHUB_TOKEN. */
export const GITHUB_ACTIONS_APP: AppRecord = {
  id: 15368,
  slug: 'github-actions',
  name: 'GitHub Actions',
  owner: 'github',
};

/** The state container behind one fake server. */
export class World {
  readonly repos = new Map<string, RepoRecord>();
  readonly apps = new Map<number, AppRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly tokens = new Map<string, Identity>();
  /**
   * Codes GitHub hands out when someone confirms a manifest on its "new app" page, with that manifest;
   * `POST /app-manifests/{code}/conversions` turns one into an app, once.
   */
  readonly manifestCodes = new Map<string, { manifest: Record<string, unknown>; owner?: string }>();
  /** Private keys of apps created from a manifest, by app id (what the conversion returned). */
  readonly appKeys = new Map<number, string>();
  private nextRepoId = 1000;
  private nextPullId = 5000;
  private nextCommentId = 100_000;
  private nextReactionId = 300_000;
  private nextCheckRunId = 700_000;
  private lastTimestamp = 0;

  constructor() {
    this.apps.set(GITHUB_ACTIONS_APP.id, GITHUB_ACTIONS_APP);
  }

  /** Adds (or replaces) a repository with its commits, branches, pulls and collaborators. */
  seedRepo(seed: SeedRepo): RepoRecord {
    const key = repoKey(seed.owner, seed.repo);
    const repo = this.repos.get(key) ?? new RepoRecord(this.nextRepoId++, seed.owner, seed.repo);
    this.repos.set(key, repo);
    if (seed.private !== undefined) repo.private = seed.private;
    if (seed.defaultBranch) repo.defaultBranch = seed.defaultBranch;
    for (const [sha, files] of Object.entries(seed.commits ?? {})) repo.addCommit(sha, files);
    for (const [sha, parents] of Object.entries(seed.parents ?? {})) repo.parents.set(sha, parents);
    for (const [branch, sha] of Object.entries(seed.branches ?? {})) repo.branches.set(branch, sha);
    for (const [tag, sha] of Object.entries(seed.tags ?? {})) repo.tags.set(tag, sha);
    for (const [sha, date] of Object.entries(seed.commitDates ?? {})) repo.commitDates.set(sha, date);
    for (const [login, role] of Object.entries(seed.permissions ?? {})) repo.permissions.set(login, role);
    for (const p of seed.pulls ?? []) {
      const headRef = p.head.ref ?? `pr-${p.number}`;
      const baseRef = p.base.ref ?? repo.defaultBranch;
      const headRepo = p.head.repo ?? repo.fullName;
      if (headRepo === repo.fullName) repo.branches.set(headRef, p.head.sha);
      if (!repo.branches.has(baseRef)) repo.branches.set(baseRef, p.base.sha);
      repo.pulls.set(p.number, {
        number: p.number,
        id: this.nextPullId++,
        title: p.title ?? `Pull request #${p.number}`,
        body: p.body ?? '',
        user: p.user ?? 'octocat',
        head: { sha: p.head.sha, ref: headRef, repo: headRepo },
        base: { sha: p.base.sha, ref: baseRef },
        state: p.state ?? 'open',
        draft: p.draft ?? false,
        createdAt: this.now(),
        ...(p.files ? { explicitFiles: p.files } : {}),
      });
    }
    if (!repo.branches.has(repo.defaultBranch)) {
      const first = repo.commits.keys().next();
      if (!first.done) repo.branches.set(repo.defaultBranch, first.value);
    }
    return repo;
  }

  /** The repository, case-insensitively like GitHub, or undefined. */
  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(repoKey(owner, name));
  }

  /** Registers a token; `app: true` makes it an app token (`<slug>[bot]` derives the slug). */
  addToken(token: string, spec: TokenSpec): Identity {
    const type = spec.type ?? (spec.login.endsWith('[bot]') ? 'Bot' : 'User');
    let app: AppRecord | undefined;
    if (spec.app) {
      const slug = typeof spec.app === 'string' ? spec.app : spec.login.replace(/\[bot\]$/, '');
      app = [...this.apps.values()].find((a) => a.slug === slug);
      if (!app) {
        app = { id: idFor(`app:${slug}`) % 1_000_000, slug, name: slug, owner: 'octo-org' };
        this.apps.set(app.id, app);
      }
    }
    const identity: Identity = {
      login: spec.login,
      id: spec.id ?? idFor(spec.login),
      type,
      readOnly: spec.readOnly ?? false,
      ...(app ? { app } : {}),
    };
    this.tokens.set(token, identity);
    return identity;
  }

  /** Registers a GitHub App and its installations (JWTs with `iss` = the app id authenticate as it). */
  addApp(spec: AppSpec): AppRecord {
    const app: AppRecord = {
      id: spec.id,
      slug: spec.slug,
      name: spec.name ?? spec.slug,
      owner: spec.owner ?? 'octo-org',
    };
    this.apps.set(app.id, app);
    for (const inst of spec.installations ?? []) {
      this.installations.set(inst.id, {
        id: inst.id,
        appId: app.id,
        account: inst.account,
        repositories: inst.repositories ?? 'all',
      });
    }
    return app;
  }

  /** Issues an installation access token, as `POST /app/installations/{id}/access_tokens` does. */
  issueInstallationToken(installation: InstallationRecord): { token: string; identity: Identity } {
    const app = this.apps.get(installation.appId)!;
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const identity: Identity = {
      login: `${app.slug}[bot]`,
      id: idFor(`${app.slug}[bot]`),
      type: 'Bot',
      app,
      readOnly: false,
      installationId: installation.id,
    };
    this.tokens.set(token, identity);
    return { token, identity };
  }

  /** Whether an identity may see a repository (installation tokens only see their installation's repos). */
  canSee(identity: Identity | undefined, repo: RepoRecord): boolean {
    if (identity?.installationId === undefined) return true;
    const inst = this.installations.get(identity.installationId);
    if (!inst || inst.account.toLowerCase() !== repo.owner.toLowerCase()) return false;
    return inst.repositories === 'all' || inst.repositories.some((r) => r.toLowerCase() === repo.name.toLowerCase());
  }

  /** Adds an issue comment directly (a reviewer's `/readiness waive …`, or a look-alike of ours). */
  addComment(repo: RepoRecord, issueNumber: number, body: string, author: Identity | string): CommentRecord {
    const user: Identity =
      typeof author === 'string'
        ? { login: author, id: idFor(author), type: author.endsWith('[bot]') ? 'Bot' : 'User', readOnly: false }
        : author;
    const now = this.now();
    const comment: CommentRecord = {
      id: this.nextCommentId++,
      issueNumber,
      body,
      user,
      createdAt: now,
      updatedAt: now,
      reactions: [],
      edits: [],
    };
    repo.comments.set(comment.id, comment);
    return comment;
  }

  /** Edits a comment as `editor` (anyone with write access may edit anyone's comment on GitHub). */
  editComment(comment: CommentRecord, body: string, editor: Identity): CommentRecord {
    const now = this.now();
    if (comment.edits.length === 0) comment.edits.push({ editedAt: comment.createdAt, editor: comment.user });
    comment.edits.push({ editedAt: now, editor });
    comment.body = body;
    comment.updatedAt = now;
    return comment;
  }

  /** The comment with this GraphQL node id (base64 of `IC_<id>`), in any repository. */
  commentByNodeId(nodeId: string): CommentRecord | undefined {
    const m = /^IC_(\d+)$/.exec(Buffer.from(nodeId, 'base64').toString('utf8'));
    if (!m) return undefined;
    for (const repo of this.repos.values()) {
      const c = repo.comments.get(Number(m[1]));
      if (c) return c;
    }
    return undefined;
  }

  /** Allocates a reaction id. */
  reactionId(): number {
    return this.nextReactionId++;
  }

  /** Allocates a check run id. */
  checkRunId(): number {
    return this.nextCheckRunId++;
  }

  /**
   * Current time at GitHub's one-second precision, never going backwards, so "newest" by timestamp and
   * by id agree within a test.
   */
  now(): string {
    const t = Math.max(Date.now(), this.lastTimestamp);
    this.lastTimestamp = t;
    return timestamp(new Date(t));
  }
}

/** Map key of a repository: GitHub owner and repository names are case-insensitive. */
export function repoKey(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}
