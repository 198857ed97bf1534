/**
 * In-memory state of the fake GitHub: repositories with real git object ids, pull requests, issue
 * comments, reactions, check runs, collaborators, apps and tokens. Tests seed it and inspect it
 * directly; the HTTP handlers read and write it.
 */
import { createHash } from 'node:crypto';
import { unifiedDiff } from './diff.js';

/** A repository role as `role_name` reports it (`none` for no access). */
export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** File content in a seeded commit: text, or bytes for binary files. */
export type SeedContent = string | Uint8Array;

/** A pull request to seed. Files are computed from the commits unless given. */
export interface SeedPull {
  number: number;
  title?: string;
  body?: string;
  /** The author's login (default `octocat`). */
  user?: string;
  head: { sha: string; ref?: string; /** `owner/name` of a fork; default the repo itself. */ repo?: string };
  base: { sha: string; ref?: string };
  state?: 'open' | 'closed';
  draft?: boolean;
  /** Explicit file list (e.g. 3,500 synthetic files for pagination); otherwise diffed from the commits. */
  files?: SeedPullFile[];
}

/** One entry of a pull request's file list, as the files endpoint returns it. */
export interface SeedPullFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions?: number;
  deletions?: number;
  patch?: string;
  previous_filename?: string;
  sha?: string;
}

/** Everything `fake.seedRepo()` accepts. */
export interface SeedRepo {
  owner: string;
  repo: string;
  private?: boolean;
  defaultBranch?: string;
  /** sha → path → content. The sha is yours to choose (any string; 40 hex chars look most real). */
  commits?: Record<string, Record<string, SeedContent>>;
  /** sha → parent shas, for merge-base computation in compare. Default: commits are unrelated. */
  parents?: Record<string, string[]>;
  /** Branch name → sha. PR head/base refs are added automatically. */
  branches?: Record<string, string>;
  /** Tag name → commit sha (lightweight tags). */
  tags?: Record<string, string>;
  /** sha → committer date (ISO 8601). Default: 2024-01-01T00:00:00Z for every commit. */
  commitDates?: Record<string, string>;
  pulls?: SeedPull[];
  /** login → role. Users not listed get `read` on public repos and `none` on private ones. */
  permissions?: Record<string, Role>;
}

/** Who a token acts as. */
export interface Identity {
  login: string;
  id: number;
  type: 'Bot' | 'User';
  /** Set for GitHub App installation tokens (and the Actions GITHUB_TOKEN, which belongs to the github-actions app). */
  app?: AppRecord;
  /** A fork PR's GITHUB_TOKEN: every write answers 403 "Resource not accessible by integration". */
  readOnly: boolean;
  /** For installation tokens: the installation whose repositories the token may see. */
  installationId?: number;
}

/** What `fake.addToken()` accepts. */
export interface TokenSpec {
  login: string;
  type?: 'Bot' | 'User';
  /** The token belongs to a GitHub App: `true` derives the app from `<slug>[bot]`, a string names the slug. */
  app?: boolean | string;
  readOnly?: boolean;
  id?: number;
}

/** A GitHub App known to the fake. */
export interface AppRecord {
  id: number;
  slug: string;
  name: string;
  owner: string;
}

/** An installation of an app on an account. */
export interface InstallationRecord {
  id: number;
  appId: number;
  account: string;
  /** `all`, or the repository names it was granted. */
  repositories: 'all' | string[];
}

/** What `fake.addApp()` accepts. */
export interface AppSpec {
  id: number;
  slug: string;
  name?: string;
  owner?: string;
  installations?: Array<{ id: number; account: string; repositories?: 'all' | string[] }>;
}

/** A git object stored by its real sha. */
export type GitObject = { type: 'blob'; content: Buffer } | { type: 'tree'; entries: TreeEntry[] };

/** One entry of a git tree. */
export interface TreeEntry {
  name: string;
  mode: '100644' | '040000';
  type: 'blob' | 'tree';
  sha: string;
}

/** An issue comment. */
export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: Identity;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionRecord[];
  /**
   * Edit history, oldest first, as GraphQL's `userContentEdits` holds it: empty until the first edit,
   * which also records the created version (by the author). REST does not show it.
   */
  edits: Array<{ editedAt: string; editor: Identity }>;
}

/** A reaction on an issue comment. */
export interface ReactionRecord {
  id: number;
  content: string;
  user: Identity;
  createdAt: string;
}

/** One check-run annotation as stored. */
export interface AnnotationRecord {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

/** A check run. Annotations accumulate across updates, as on GitHub. */
export interface CheckRunRecord {
  id: number;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: AnnotationRecord[];
  app: AppRecord;
}

/** A pull request as stored. */
export interface PullRecord {
  number: number;
  id: number;
  title: string;
  body: string;
  user: string;
  head: { sha: string; ref: string; repo: string };
  base: { sha: string; ref: string };
  state: 'open' | 'closed';
  draft: boolean;
  createdAt: string;
  explicitFiles?: SeedPullFile[];
}

/** A repository as stored. */
export class RepoRecord {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  private: boolean;
  defaultBranch: string;
  /** commit sha → root tree sha */
  readonly commits = new Map<string, string>();
  readonly parents = new Map<string, string[]>();
  readonly branches = new Map<string, string>();
  readonly tags = new Map<string, string>();
  readonly commitDates = new Map<string, string>();
  /** git objects (blobs and trees) by sha */
  readonly objects = new Map<string, GitObject>();
  readonly pulls = new Map<number, PullRecord>();
  readonly comments = new Map<number, CommentRecord>();
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly permissions = new Map<string, Role>();
  private readonly fileListCache = new Map<string, SeedPullFile[]>();

  constructor(id: number, owner: string, name: string) {
    this.id = id;
    this.owner = owner;
    this.name = name;
    this.private = false;
    this.defaultBranch = 'main';
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** Stores a commit's files as real git blobs and trees; returns the root tree sha. */
  addCommit(sha: string, files: Record<string, SeedContent>): string {
    const root = this.writeTree(
      Object.entries(files).map(([path, content]) => ({
        parts: path.split('/').filter(Boolean),
        content: toBuffer(content),
      })),
    );
    this.commits.set(sha, root);
    this.fileListCache.clear();
    return root;
  }

  private writeTree(files: Array<{ parts: string[]; content: Buffer }>): string {
    const blobs = new Map<string, Buffer>();
    const dirs = new Map<string, Array<{ parts: string[]; content: Buffer }>>();
    for (const f of files) {
      const [head, ...rest] = f.parts;
      if (head === undefined) continue;
      if (rest.length === 0) blobs.set(head, f.content);
      else dirs.set(head, [...(dirs.get(head) ?? []), { parts: rest, content: f.content }]);
    }
    const entries: TreeEntry[] = [];
    for (const [name, content] of blobs) {
      const sha = gitHash('blob', content);
      this.objects.set(sha, { type: 'blob', content });
      entries.push({ name, mode: '100644', type: 'blob', sha });
    }
    for (const [name, sub] of dirs) entries.push({ name, mode: '040000', type: 'tree', sha: this.writeTree(sub) });
    // Git sorts tree entries by name, comparing a directory as if its name ended in '/'.
    const key = (e: TreeEntry) => (e.type === 'tree' ? `${e.name}/` : e.name);
    entries.sort((x, y) => Buffer.compare(Buffer.from(key(x)), Buffer.from(key(y))));
    const body = Buffer.concat(
      entries.map((e) =>
        Buffer.concat([
          Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`),
          Buffer.from(e.sha, 'hex'),
        ]),
      ),
    );
    const sha = gitHash('tree', body);
    this.objects.set(sha, { type: 'tree', entries });
    return sha;
  }

  /**
   * A commit sha for a sha, an unambiguous sha prefix (7+ chars), a branch or tag name, `refs/heads/…`, `refs/tags/…`,
   * or undefined.
   */
  resolveCommit(ref: string): string | undefined {
    if (this.commits.has(ref)) return ref;
    const branch = ref.startsWith('refs/tags/') ? undefined : this.branches.get(ref.replace(/^refs\/heads\//, ''));
    if (branch) return branch;
    const tag = ref.startsWith('refs/heads/') ? undefined : this.tags.get(ref.replace(/^refs\/tags\//, ''));
    if (tag) return tag;
    if (ref.length >= 7) {
      const hits = [...this.commits.keys()].filter((sha) => sha.startsWith(ref));
      if (hits.length === 1) return hits[0];
    }
    return undefined;
  }

  /** All files of a commit, path → content. */
  filesAt(commitSha: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const root = this.commits.get(commitSha);
    if (!root) return out;
    const walk = (treeSha: string, prefix: string) => {
      const tree = this.objects.get(treeSha);
      if (tree?.type !== 'tree') return;
      for (const e of tree.entries) {
        const path = prefix + e.name;
        if (e.type === 'tree') walk(e.sha, `${path}/`);
        else {
          const blob = this.objects.get(e.sha);
          if (blob?.type === 'blob') out.set(path, blob.content);
        }
      }
    };
    walk(root, '');
    return out;
  }

  /** The object at `path` in a commit (a blob or a tree), with its sha; the root tree for `''`. */
  lookup(commitSha: string, path: string): { sha: string; object: GitObject } | undefined {
    let sha = this.commits.get(commitSha);
    if (!sha) return undefined;
    for (const part of path.split('/').filter(Boolean)) {
      const tree = this.objects.get(sha);
      if (tree?.type !== 'tree') return undefined;
      const entry = tree.entries.find((e) => e.name === part);
      if (!entry) return undefined;
      sha = entry.sha;
    }
    const object = this.objects.get(sha);
    return object ? { sha, object } : undefined;
  }

  /** Nearest common ancestor by the seeded parents; the base itself when the commits are unrelated. */
  mergeBase(base: string, head: string): string {
    const ancestorsOfBase = new Set<string>();
    const queue = [base];
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (ancestorsOfBase.has(c)) continue;
      ancestorsOfBase.add(c);
      queue.push(...(this.parents.get(c) ?? []));
    }
    const seen = new Set<string>();
    const fromHead = [head];
    while (fromHead.length > 0) {
      const c = fromHead.shift()!;
      if (ancestorsOfBase.has(c)) return c;
      if (seen.has(c)) continue;
      seen.add(c);
      fromHead.push(...(this.parents.get(c) ?? []));
    }
    return base;
  }

  /**
   * The files changed from `base` to `head`, like GitHub's file lists: sorted by path, renames
   * detected when a removed and an added file have identical content, no patch for binary files.
   */
  changedFiles(base: string, head: string): SeedPullFile[] {
    const key = `${base}..${head}`;
    const cached = this.fileListCache.get(key);
    if (cached) return cached;
    const before = this.filesAt(base);
    const after = this.filesAt(head);
    const files: SeedPullFile[] = [];
    const removed = [...before.keys()].filter((p) => !after.has(p));
    const added = [...after.keys()].filter((p) => !before.has(p));
    const renamedFrom = new Map<string, string>();
    for (const path of added) {
      const content = after.get(path)!;
      const from = removed.find((r) => !renamedFrom.has(r) && before.get(r)!.equals(content));
      if (from !== undefined) renamedFrom.set(from, path);
    }
    const renamedTo = new Map([...renamedFrom].map(([from, to]) => [to, from]));
    for (const path of new Set([...before.keys(), ...after.keys()])) {
      const a = before.get(path);
      const b = after.get(path);
      if (a && b && a.equals(b)) continue;
      if (a && !b && renamedFrom.has(path)) continue;
      const sha = gitHash('blob', b ?? a!);
      if (b && !a && renamedTo.has(path)) {
        files.push({
          filename: path,
          status: 'renamed',
          previous_filename: renamedTo.get(path)!,
          additions: 0,
          deletions: 0,
          sha,
        });
        continue;
      }
      const status = !a ? 'added' : !b ? 'removed' : 'modified';
      if ((a && isBinary(a)) || (b && isBinary(b))) {
        files.push({ filename: path, status, additions: 0, deletions: 0, sha });
        continue;
      }
      const diff = unifiedDiff(a?.toString('utf8'), b?.toString('utf8'));
      files.push({
        filename: path,
        status,
        additions: diff.additions,
        deletions: diff.deletions,
        sha,
        ...(diff.patch ? { patch: diff.patch } : {}),
      });
    }
    files.sort((x, y) => (x.filename < y.filename ? -1 : x.filename > y.filename ? 1 : 0));
    this.fileListCache.set(key, files);
    return files;
  }

  /** A pull request's files: the explicit list, else the three-dot diff (merge base → head). */
  pullFiles(pull: PullRecord): SeedPullFile[] {
    if (pull.explicitFiles) return pull.explicitFiles;
    return this.changedFiles(this.mergeBase(pull.base.sha, pull.head.sha), pull.head.sha);
  }
}

/** The git object id of `content` as an object of `type`. */
export function gitHash(type: 'blob' | 'tree', content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

function toBuffer(content: SeedContent): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

/** Git's heuristic: a NUL byte in the first 8,000 bytes means binary. */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

/** Stable numeric id for a login, so users look the same across runs. */
export function idFor(login: string): number {
  return (createHash('sha1').update(login).digest().readUInt32BE(0) % 90_000_000) + 10_000_000;
}
